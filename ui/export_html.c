/* export_html.c: the ladder as one self-contained HTML page: inline SVG coloured by response
 * class, every raw message in the DOM (HTML-escaped <pre>), a click on an arrow shows it; RTP
 * figures in a table, then the diagnostics findings. No network: no external resource, and a CSP
 * meta that forbids loading any. */
#include "ui/export.h"

#include <stdlib.h>
#include <string.h>

static const char HTML_HEAD[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
    "<meta name=\"generator\" content=\"sipscope\">\n";

static const char HTML_STYLE[] =
    "<style>\n"
    "body{font-family:sans-serif;margin:1em;color:#263238}\n"
    "h1{font-size:1.1em;word-break:break-all}\n"
    ".wrap{display:flex;gap:1em;align-items:flex-start}\n"
    ".chart{overflow:auto;border:1px solid #cfd8dc}\n"
    ".side{flex:1;min-width:24em;position:sticky;top:0}\n"
    "#view{white-space:pre-wrap;word-break:break-all;background:#fafafa;border:1px solid "
    "#cfd8dc;padding:.5em;font-size:12px;max-height:90vh;overflow:auto}\n"
    "g.msg,g.stream{cursor:pointer}\n"
    "g.sel rect{fill:#fff59d}\n"
    "table{border-collapse:collapse;margin-top:1em;font-size:12px}\n"
    "td,th{border:1px solid #cfd8dc;padding:2px 6px;text-align:left}\n"
    ".legend span{display:inline-block;margin-right:1em;font-size:12px}\n"
    "</style>\n";

/* Only reads the page's own elements and sets textContent: wire text never reaches the script. */
static const char HTML_SCRIPT[] =
    "<script>\n"
    "(function(){\n"
    "  var view=document.getElementById('view');\n"
    "  function show(g){\n"
    "    var r=document.getElementById('raw-'+g.getAttribute('data-i'));\n"
    "    document.querySelectorAll('g.sel').forEach(function(s){s.classList.remove('sel');});\n"
    "    g.classList.add('sel');\n"
    "    view.textContent=r?r.textContent:'';\n"
    "  }\n"
    "  document.querySelectorAll('g[data-i]').forEach(function(g){\n"
    "    g.addEventListener('click',function(){show(g);});\n"
    "  });\n"
    "})();\n"
    "</script>\n";

static void cstr(FILE *out, const char *s)
{
    export_xml_text(out, s, s ? strlen(s) : 0, false);
}

static void legend(FILE *out)
{
    static const int classes[] = {LADDER_REQUEST, LADDER_1XX, LADDER_2XX, LADDER_3XX,
                                  LADDER_4XX,     LADDER_5XX, LADDER_6XX, LADDER_RTP};
    fputs("<p class=\"legend\">", out);
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        fprintf(out, "<span style=\"color:%s\">&#9632; %s</span>", export_class_color(classes[i]),
                ladder_class_name(classes[i]));
    fputs("</p>\n", out);
}

static void raw_of_row(const struct export_ctx *x, const struct ladder_row *r, FILE *out)
{
    if (r->stream) {
        cstr(out, r->stream->src);
        fputs(" -&gt; ", out);
        cstr(out, r->stream->dst);
        fputs("\n", out);
        cstr(out, r->label);
        return;
    }
    size_t len = 0;
    char *raw = x->raw ? x->raw(x->raw_user, r->msg, &len) : NULL;
    if (!raw) {
        fputs("(raw message not available)", out);
        return;
    }
    export_xml_text(out, raw, len, true);
    free(raw);
}

/* Every row's text in hidden <pre> elements (one per row, id raw-N), shown by the script. */
static void raw_messages(const struct export_ctx *x, FILE *out)
{
    const struct ladder_layout *l = x->layout;
    fputs("<div id=\"raw\" hidden>\n", out);
    for (size_t i = 0; i < l->nrows; i++) {
        const struct ladder_row *r = &l->rows[i];
        fprintf(out, "<pre class=\"raw\" id=\"raw-%zu\">", i);
        if (r->msg) {
            char head[160];
            snprintf(head, sizeof head, "%.6f  ", (double)r->rel_ns / 1e9);
            fputs(head, out);
            cstr(out, r->msg->src);
            fputs(" -&gt; ", out);
            cstr(out, r->msg->dst);
            fputs(" ", out);
            cstr(out, r->msg->transport);
            fputs("\n\n", out);
        }
        raw_of_row(x, r, out);
        fputs("</pre>\n", out);
    }
    fputs("</div>\n", out);
}

static void stream_table(const struct export_ctx *x, FILE *out)
{
    const struct ladder_layout *l = x->layout;
    size_t n = 0;
    for (size_t i = 0; i < l->nrows; i++) {
        const struct ladder_stream *s = l->rows[i].stream;
        if (!s)
            continue;
        if (n++ == 0)
            fputs("<table class=\"rtp\">\n<tr><th>RTP from</th><th>to</th><th>start</th>"
                  "<th>end</th><th>figures</th></tr>\n",
                  out);
        fputs("<tr><td>", out);
        cstr(out, s->src);
        fputs("</td><td>", out);
        cstr(out, s->dst);
        fprintf(out, "</td><td>%.3f</td><td>%.3f</td><td>", (double)l->rows[i].rel_ns / 1e9,
                (double)(s->last_ns - l->t0_ns) / 1e9);
        cstr(out, l->rows[i].label);
        fputs("</td></tr>\n", out);
    }
    if (n)
        fputs("</table>\n", out);
}

/* The findings list (docs/diagnostics.md): rule, severity, message, spec, and the time of each
 * row it points at (all text escaped). */
static void findings_list(const struct export_ctx *x, FILE *out)
{
    if (!x->nfindings)
        return;
    fprintf(out, "<h2>Findings (%zu)</h2>\n<ul class=\"findings\">\n", x->nfindings);
    for (size_t i = 0; i < x->nfindings; i++) {
        const struct export_finding *f = &x->findings[i];
        fputs("<li><strong>", out);
        cstr(out, f->severity);
        fputs("</strong> <code>", out);
        cstr(out, f->rule);
        fputs("</code>: ", out);
        cstr(out, f->message);
        fputs(" <i>(", out);
        cstr(out, f->spec);
        fputs(")</i>", out);
        const char *sep = " at ";
        for (size_t j = 0; j < x->layout->nrows; j++) {
            const struct ladder_row *r = &x->layout->rows[j];
            for (size_t k = 0; r->msg && k < f->nids; k++)
                if (f->ids[k] == r->msg->id) {
                    fprintf(out, "%s%.6f s", sep, (double)r->rel_ns / 1e9);
                    sep = ", ";
                    break;
                }
        }
        fputs("</li>\n", out);
    }
    fputs("</ul>\n", out);
}

int export_html(const struct export_ctx *x, FILE *out)
{
    fputs(HTML_HEAD, out);
    fputs("<title>sipscope ladder: ", out);
    cstr(out, x->title);
    fputs("</title>\n", out);
    fputs(HTML_STYLE, out);
    fputs("</head>\n<body>\n<h1>", out);
    cstr(out, x->title);
    fprintf(out, "</h1>\n<p>%zu rows, %zu hosts. Click an arrow to see the message.</p>\n",
            x->layout->nrows, x->layout->nhosts);
    legend(out);
    fputs("<div class=\"wrap\">\n<div class=\"chart\">\n", out);
    export_svg_element(x, out, true);
    fputs("</div>\n<div class=\"side\"><pre id=\"view\">(no message selected)</pre></div>\n"
          "</div>\n",
          out);
    stream_table(x, out);
    findings_list(x, out);
    raw_messages(x, out);
    fputs(HTML_SCRIPT, out);
    fputs("</body>\n</html>\n", out);
    return ferror(out) ? -1 : 0;
}
