/* export_svg.c: the ladder as a standalone SVG 1.1 document (also embedded by the html export);
 * wire text XML-escaped, invalid UTF-8 and control bytes replaced by U+FFFD. */
#include "ui/export.h"

#include <string.h>

#define SVG_LEFT 150 /* time gutter */
#define SVG_TOP  84  /* title and host boxes */
#define SVG_COLW 210
#define SVG_ROWH 34
#define SVG_SDPH 14

const char *export_class_color(int cls)
{
    switch (cls) {
    case LADDER_1XX:
        return "#757575";
    case LADDER_2XX:
        return "#2e7d32";
    case LADDER_3XX:
        return "#6a1b9a";
    case LADDER_4XX:
        return "#e65100";
    case LADDER_5XX:
        return "#c62828";
    case LADDER_6XX:
        return "#ad1457";
    case LADDER_RTP:
        return "#00838f";
    default:
        return "#1565c0";
    }
}

/* Length of a valid UTF-8 character at p (n left) allowed in XML text, else 0. */
static size_t xml_char_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (c < 0xC2 || c > 0xF4 || len > n)
        return 0;
    unsigned v = c & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3Fu);
    }
    static const unsigned min[5] = {0, 0, 0xA0, 0x800, 0x10000};
    if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || v == 0xFFFE || v == 0xFFFF)
        return 0;
    return len;
}

void export_xml_text(FILE *out, const char *s, size_t n, bool keep_newlines)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c >= 0x80) {
            size_t l = xml_char_len(p + i, n - i);
            if (l)
                fwrite(p + i, 1, l, out);
            else
                fputs("\xEF\xBF\xBD", out);
            i += l ? l : 1;
            continue;
        }
        if (c == '&')
            fputs("&amp;", out);
        else if (c == '<')
            fputs("&lt;", out);
        else if (c == '>')
            fputs("&gt;", out);
        else if (c == '"')
            fputs("&quot;", out);
        else if (c == '\'')
            fputs("&#39;", out);
        else if (c == '\r' && keep_newlines)
            ; /* CRLF -> LF */
        else if ((c == '\n' || c == '\t') && keep_newlines)
            putc((int)c, out);
        else if (c < 0x20 || c == 0x7F)
            fputs("\xEF\xBF\xBD", out);
        else
            putc((int)c, out);
        i++;
    }
}

static void xml_cstr(FILE *out, const char *s)
{
    export_xml_text(out, s, s ? strlen(s) : 0, false);
}

static int row_height(const struct ladder_row *r)
{
    return SVG_ROWH + (r->msg && r->msg->sdp_summary ? SVG_SDPH : 0);
}

static int lane_x(size_t col)
{
    return SVG_LEFT + SVG_COLW / 2 + (int)col * SVG_COLW;
}

static void svg_head(const struct export_ctx *x, FILE *out, int w, int h, bool interactive)
{
    const struct ladder_layout *l = x->layout;
    fprintf(out,
            "<svg %sversion=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "font-family=\"monospace\" font-size=\"12\" class=\"ladder\">\n",
            interactive ? "" : "xmlns=\"http://www.w3.org/2000/svg\" ", w, h, w, h);
    fputs("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n", out);
    fputs("<text x=\"8\" y=\"20\" font-size=\"14\" font-weight=\"bold\">", out);
    xml_cstr(out, x->title);
    fputs("</text>\n", out);
    for (size_t i = 0; i < l->nhosts; i++) {
        int cx = lane_x(i);
        fprintf(out,
                "<rect x=\"%d\" y=\"36\" width=\"%d\" height=\"26\" rx=\"4\" fill=\"#eceff1\" "
                "stroke=\"#455a64\"/>\n<text x=\"%d\" y=\"54\" text-anchor=\"middle\" "
                "class=\"host\">",
                cx - SVG_COLW / 2 + 6, SVG_COLW - 12, cx);
        xml_cstr(out, l->hosts[i]);
        fprintf(out,
                "</text>\n<line x1=\"%d\" y1=\"62\" x2=\"%d\" y2=\"%d\" stroke=\"#90a4ae\" "
                "stroke-dasharray=\"4 3\"/>\n",
                cx, cx, h - 10);
    }
}

/* The shaft and head of one row at y; a message to itself is a small loop. */
static void svg_arrow(FILE *out, const struct ladder_row *r, int y, const char *color)
{
    int a = lane_x(r->from), b = lane_x(r->to);
    const char *dash = r->cls == LADDER_REQUEST ? "" : " stroke-dasharray=\"6 3\"";
    int width = r->cls == LADDER_RTP ? 3 : 1;
    if (a == b) {
        fprintf(out,
                "<path d=\"M%d %d h30 v10 h-26\" fill=\"none\" stroke=\"%s\"%s/>\n"
                "<polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>\n",
                a, y - 5, color, dash, a, y + 5, a + 8, y + 1, a + 8, y + 9, color);
        return;
    }
    int dir = b > a ? 1 : -1;
    fprintf(out,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
            "stroke-width=\"%d\"%s/>\n<polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>\n",
            a, y, b - dir * 8, y, color, width, dash, b, y, b - dir * 9, y - 4, b - dir * 9, y + 4,
            color);
}

static void svg_row(FILE *out, const struct ladder_row *r, size_t i, int y, bool interactive)
{
    const char *color = export_class_color(r->cls);
    int a = lane_x(r->from), b = lane_x(r->to);
    int mid = a == b ? a + 36 : (a + b) / 2;
    fprintf(out, "<g class=\"%s c-%s\"", r->msg ? "msg" : "stream", ladder_class_name(r->cls));
    if (interactive)
        fprintf(out, " data-i=\"%zu\" id=\"row-%zu\"", i, i);
    fprintf(out,
            ">\n<text x=\"8\" y=\"%d\" fill=\"#546e7a\">%.6f</text>"
            "<text x=\"80\" y=\"%d\" fill=\"#90a4ae\">+%.3f</text>\n",
            y + 4, (double)r->rel_ns / 1e9, y + 4, (double)r->delta_ns / 1e9);
    if (interactive)
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"transparent\"/>\n",
                (a < b ? a : b) - 4, y - 18, (a < b ? b - a : 40) + 8, 26);
    svg_arrow(out, r, y, color);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" fill=\"%s\">", mid, y - 5,
            a == b ? "start" : "middle", color);
    xml_cstr(out, r->label);
    fputs("</text>\n", out);
    if (r->msg && r->msg->sdp_summary) {
        fprintf(out,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" fill=\"#546e7a\" "
                "font-size=\"10\">SDP ",
                mid, y + 14, a == b ? "start" : "middle");
        xml_cstr(out, r->msg->sdp_summary);
        fputs("</text>\n", out);
    }
    fputs("</g>\n", out);
}

void export_svg_element(const struct export_ctx *x, FILE *out, bool interactive)
{
    const struct ladder_layout *l = x->layout;
    int h = SVG_TOP + 20, w = SVG_LEFT + (int)(l->nhosts ? l->nhosts : 1) * SVG_COLW + 40;
    for (size_t i = 0; i < l->nrows; i++)
        h += row_height(&l->rows[i]);
    svg_head(x, out, w, h, interactive);
    int y = SVG_TOP + 10;
    for (size_t i = 0; i < l->nrows; i++) {
        svg_row(out, &l->rows[i], i, y, interactive);
        y += row_height(&l->rows[i]);
    }
    fputs("</svg>\n", out);
}

int export_svg(const struct export_ctx *x, FILE *out)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n", out);
    export_svg_element(x, out, false);
    return ferror(out) ? -1 : 0;
}
