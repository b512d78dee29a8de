/* export_mermaid.c: the ladder as a Mermaid sequenceDiagram (renders on GitHub and GitLab). Wire
 * text is written as Mermaid entity codes ("#60;") except a small safe set, so no header can add
 * a statement, a directive (%%{init}%%), a comment, HTML or end the diagram. */
#include "ui/export.h"
#include "ui/textsafe.h"

#include <string.h>

/* Writes wire text (made printable first) with entity codes for everything outside the safe set;
 * a '-' is coded too so that no "->>" or "--" sequence appears. */
static void mermaid_text(FILE *out, const char *s)
{
    char buf[512];
    ladder_printable(buf, sizeof buf, s);
    text_entities(out, buf, " ._/@()[]+=?!*,-", "#");
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
