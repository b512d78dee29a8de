/* export_plantuml.c: the ladder as a PlantUML sequence diagram (@startuml ... @enduml). Wire text
 * is written as HTML numeric references ("&#60;") except a small safe set, so no header can start
 * a line, close the diagram, use Creole markup (<img:...>, **, --, ~~) or a "\n". */
#include "ui/export.h"

#include <string.h>

static int puml_safe(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr(" .:()[]+=?!,@", (int)c) != NULL);
}

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

static void puml_text(FILE *out, const char *s)
{
    char buf[512];
    ladder_printable(buf, sizeof buf, s);
    const unsigned char *p = (const unsigned char *)buf;
    while (*p) {
        unsigned cp;
        p += u8_decode(p, &cp);
        if (puml_safe(cp))
            putc((int)cp, out);
        else
            fprintf(out, "&#%u;", cp);
    }
}

/* "h0 -[#1565c0]> h1": solid for requests, dotted for responses, thin arrowhead for RTP; the
 * colour is the row class's. */
static void puml_row(FILE *out, const struct ladder_row *r)
{
    char t[48];
    snprintf(t, sizeof t, "%.3f ", (double)r->rel_ns / 1e9);
    if (r->cls == LADDER_RTP)
        fprintf(out, "h%zu -[%s]>> h%zu : %s", r->from, export_class_color(r->cls), r->to, t);
    else
        fprintf(out, "h%zu -[%s]%s> h%zu : %s", r->from, export_class_color(r->cls),
                r->cls == LADDER_REQUEST ? "" : "-", r->to, t);
    puml_text(out, r->label);
    putc('\n', out);
    if (r->msg && r->msg->sdp_summary) {
        fprintf(out, "note over h%zu : SDP ", r->from);
        puml_text(out, r->msg->sdp_summary);
        putc('\n', out);
    }
}

int export_plantuml(const struct export_ctx *x, FILE *out)
{
    const struct ladder_layout *l = x->layout;
    fputs("@startuml\n", out);
    fputs("skinparam shadowing false\nskinparam sequenceMessageAlign center\n", out);
    if (x->title && *x->title) {
        fputs("title ", out);
        puml_text(out, x->title);
        putc('\n', out);
    }
    for (size_t i = 0; i < l->nhosts; i++) {
        fputs("participant \"", out);
        puml_text(out, l->hosts[i]);
        fprintf(out, "\" as h%zu\n", i);
    }
    for (size_t i = 0; i < l->nrows; i++)
        puml_row(out, &l->rows[i]);
    fputs("@enduml\n", out);
    return ferror(out) ? -1 : 0;
}
