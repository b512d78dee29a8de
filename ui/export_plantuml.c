/* export_plantuml.c: the ladder as a PlantUML sequence diagram (@startuml ... @enduml). Wire text
 * is written as HTML numeric references ("&#60;") except a small safe set, so no header can start
 * a line, close the diagram, use Creole markup (<img:...>, **, --, ~~) or a "\n". */
#include "ui/export.h"
#include "ui/textsafe.h"

#include <string.h>

static void puml_text(FILE *out, const char *s)
{
    char buf[512];
    ladder_printable(buf, sizeof buf, s);
    text_entities(out, buf, " .:()[]+=?!,@", "&#");
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
