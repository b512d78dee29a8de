/* export_mermaid.c: the ladder as a Mermaid sequenceDiagram (renders on GitHub and GitLab). Wire
 * text is written as Mermaid entity codes ("#60;") except a small safe set, so no header can add
 * a statement, a directive (%%{init}%%), a comment, HTML or end the diagram. */
#include "ui/export.h"

#include <string.h>

/* Characters written as themselves: letters, digits and punctuation without meaning to Mermaid's
 * sequence grammar or its HTML sanitizer. */
static int mermaid_safe(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr(" ._/@()[]+=?!*,-", (int)c) != NULL);
}

/* Decodes one UTF-8 character of the printable text at p into *cp; returns its length. */
static size_t u8_decode(const unsigned char *p, unsigned *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t len = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
    unsigned v = p[0] & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *cp = '?';
            return i;
        }
        v = (v << 6) | (p[i] & 0x3Fu);
    }
    *cp = v;
    return len;
}

/* Writes wire text (made printable first) with entity codes for everything outside the safe set;
 * a '-' is coded too so that no "->>" or "--" sequence appears. */
static void mermaid_text(FILE *out, const char *s)
{
    char buf[512];
    ladder_printable(buf, sizeof buf, s);
    const unsigned char *p = (const unsigned char *)buf;
    while (*p) {
        unsigned cp;
        p += u8_decode(p, &cp);
        if (mermaid_safe(cp))
            putc((int)cp, out);
        else
            fprintf(out, "#%u;", cp);
    }
}

static const char *arrow_of(const struct ladder_row *r)
{
    if (r->cls == LADDER_RTP)
        return "--)";
    return r->cls == LADDER_REQUEST ? "->>" : "-->>";
}

int export_mermaid(const struct export_ctx *x, FILE *out)
{
    const struct ladder_layout *l = x->layout;
    fputs("sequenceDiagram\n", out);
    if (x->title && *x->title) {
        fputs("    title ", out);
        mermaid_text(out, x->title);
        putc('\n', out);
    }
    for (size_t i = 0; i < l->nhosts; i++) {
        fprintf(out, "    participant h%zu as ", i);
        mermaid_text(out, l->hosts[i]);
        putc('\n', out);
    }
    for (size_t i = 0; i < l->nrows; i++) {
        const struct ladder_row *r = &l->rows[i];
        char t[48];
        snprintf(t, sizeof t, "%.3f ", (double)r->rel_ns / 1e9);
        fprintf(out, "    h%zu%sh%zu: %s", r->from, arrow_of(r), r->to, t);
        mermaid_text(out, r->label);
        putc('\n', out);
        if (r->msg && r->msg->sdp_summary) {
            fprintf(out, "    Note over h%zu: SDP ", r->from);
            mermaid_text(out, r->msg->sdp_summary);
            putc('\n', out);
        }
    }
    return ferror(out) ? -1 : 0;
}
