/* export_text.c: the text ladder (UTF-8 box drawing or plain ASCII, fitted to a width, time and
 * delta per row, SDP summaries, a "!" in the gutter of rows a finding points at and a Findings
 * section) and the format dispatcher of export.h. */
#include "ui/export.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TEXT_GUTTER  22   /* "  1.234567 +0.001234  " */
#define TEXT_MIN_COL 8    /* narrowest column; more hosts than fit make the text wider */
#define TEXT_MAX_W   4096 /* widest line */

struct glyphs {
    const char *lane, *line, *right, *left, *rtp, *self_top, *self_bot, *tee, *cut;
};

static const struct glyphs ASCII_G = {"|", "-", ">", "<", "=", ".", "'", "+", "~"};
static const struct glyphs UTF8_G = {"│", "─", "▶", "◀", "═", "┐", "┘", "┬", "…"};

/* One line of cells, each one character (up to 4 UTF-8 bytes). */
struct canvas {
    size_t w;
    char (*c)[5];
};

static void cv_put(struct canvas *cv, size_t x, const char *g)
{
    if (x < cv->w)
        snprintf(cv->c[x], sizeof cv->c[x], "%s", g);
}

static void cv_clear(struct canvas *cv, const size_t *lanes, size_t n, const char *lane)
{
    for (size_t i = 0; i < cv->w; i++)
        cv_put(cv, i, " ");
    for (size_t i = 0; i < n; i++)
        cv_put(cv, lanes[i], lane);
}

/* UTF-8 characters of s (already printable: ladder_printable). */
static size_t u8_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Places s at x, at most room cells (cut with the "cut" glyph); ascii turns non-ASCII into '?'. */
static void cv_text(struct canvas *cv, size_t x, const char *s, size_t room, const struct glyphs *g,
                    bool ascii)
{
    size_t n = u8_count(s), cells = n <= room ? n : (room ? room - 1 : 0);
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < cells && *p; i++) {
        size_t l = 1;
        while (p[l] && (p[l] & 0xC0) == 0x80 && l < 4)
            l++;
        char ch[5] = "?";
        if (!ascii || *p < 0x80) {
            memcpy(ch, p, l);
            ch[l] = '\0';
        }
        cv_put(cv, x + i, ch);
        p += l;
    }
    if (n > room && room)
        cv_put(cv, x + cells, g->cut);
}

static void cv_emit(const struct canvas *cv, FILE *out)
{
    size_t end = cv->w;
    while (end > 0 && strcmp(cv->c[end - 1], " ") == 0)
        end--;
    for (size_t i = 0; i < end; i++)
        fputs(cv->c[i], out);
    putc('\n', out);
}

/* Centres s between lanes lo and hi (cells lo+1 .. hi-1) when it fits, else lets it run right
 * (or left near the edge) over other lanes, within the line. */
static void place_label(struct canvas *cv, size_t lo, size_t hi, const char *s,
                        const struct glyphs *g, bool ascii)
{
    size_t n = u8_count(s), span = hi > lo + 1 ? hi - lo - 1 : 0, x;
    if (n + 2 <= span)
        x = lo + 1 + (span - n) / 2;
    else
        x = lo + 2;
    if (x + n > cv->w)
        x = cv->w > n + TEXT_GUTTER ? cv->w - n : TEXT_GUTTER;
    cv_text(cv, x, s, cv->w > x ? cv->w - x : 0, g, ascii);
}

struct text_geo {
    size_t w, lanes[LADDER_MAX_HOSTS], colw;
};

static void geometry(const struct export_ctx *x, struct text_geo *t)
{
    size_t nh = x->layout->nhosts ? x->layout->nhosts : 1;
    size_t w = x->width > 0 ? (size_t)x->width : 100;
    size_t colw = w > TEXT_GUTTER ? (w - TEXT_GUTTER) / nh : 0;
    if (colw < TEXT_MIN_COL)
        colw = TEXT_MIN_COL;
    if (TEXT_GUTTER + colw * nh > w)
        w = TEXT_GUTTER + colw * nh;
    t->w = w < TEXT_MAX_W ? w : TEXT_MAX_W;
    t->colw = colw;
    for (size_t i = 0; i < nh; i++)
        t->lanes[i] = TEXT_GUTTER + colw * i + colw / 2;
}

static void header(const struct export_ctx *x, const struct text_geo *t, struct canvas *cv,
                   const struct glyphs *g, FILE *out)
{
    const struct ladder_layout *l = x->layout;
    char buf[512];
    size_t nh = l->nhosts;
    cv_clear(cv, NULL, 0, "");
    ladder_printable(buf, sizeof buf, x->title ? x->title : "");
    cv_text(cv, 0, buf, cv->w, g, x->ascii);
    cv_emit(cv, out);
    time_t sec = (time_t)(l->t0_ns / 1000000000);
    struct tm tm;
    char day[32] = "?";
    if (gmtime_r(&sec, &tm))
        strftime(day, sizeof day, "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(out, "start %s.%06ld UTC, %zu rows, %zu hosts\n", day,
            (long)(l->t0_ns % 1000000000 / 1000), l->nrows, nh);
    cv_clear(cv, NULL, 0, "");
    for (size_t i = 0; i < nh; i++) {
        size_t n = u8_count(l->hosts[i]), room = t->colw - 1;
        size_t len = n < room ? n : room;
        cv_text(cv, t->lanes[i] - len / 2, l->hosts[i], room, g, x->ascii);
    }
    cv_emit(cv, out);
    cv_clear(cv, t->lanes, nh, g->tee);
    for (size_t i = TEXT_GUTTER; i < cv->w; i++) {
        if (strcmp(cv->c[i], " ") == 0)
            cv_put(cv, i, g->line);
    }
    cv_emit(cv, out);
}

static void arrow(struct canvas *cv, size_t a, size_t b, bool rtp, const struct glyphs *g)
{
    size_t lo = a < b ? a : b, hi = a < b ? b : a;
    for (size_t i = lo + 1; i < hi; i++)
        cv_put(cv, i, rtp ? g->rtp : g->line);
    if (a < b)
        cv_put(cv, hi - 1, g->right);
    else
        cv_put(cv, lo + 1, g->left);
}

/* Whether a finding points at the message of row r. */
static bool finding_at(const struct export_ctx *x, const struct ladder_row *r)
{
    for (size_t i = 0; r->msg && r->msg->id && i < x->nfindings; i++)
        for (size_t k = 0; k < x->findings[i].nids; k++)
            if (x->findings[i].ids[k] == r->msg->id)
                return true;
    return false;
}

/* Prints wire or rule text on one line: control bytes become '?'; ascii turns "§" into "sec."
 * and any other non-ASCII character into one '?'. */
static void plain(FILE *out, const char *s, bool ascii)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (ascii && p[0] == 0xC2 && p[1] == 0xA7) {
            fputs("sec.", out);
            p++;
        } else if (ascii && *p >= 0x80) {
            if ((*p & 0xC0) != 0x80)
                putc('?', out);
        } else {
            putc(*p < 0x20 || *p == 0x7f ? '?' : *p, out);
        }
    }
}

/* Writes s (one line, printable) cut at spaces into lines of at most w characters; every line
 * after the first is indented by four spaces. A word longer than a line is cut. */
static void wrapped(FILE *out, const char *s, size_t w)
{
    const size_t indent = 4;
    size_t room = w > 20 ? w : 20, col = 0;
    bool fresh = true; /* nothing on this line yet */
    while (*s) {
        size_t len = strcspn(s, " "), chars = 0;
        for (size_t i = 0; i < len; i++)
            chars += ((unsigned char)s[i] & 0xC0) != 0x80;
        if (!fresh && col + 1 + chars > room) { /* next line */
            fputs("\n    ", out);
            col = indent;
        } else if (!fresh) {
            putc(' ', out);
            col++;
        }
        fresh = false;
        size_t i = 0;
        for (; i < len; i++) {
            if (((unsigned char)s[i] & 0xC0) != 0x80 && col >= room) { /* cut a long word */
                fputs("\n    ", out);
                col = indent;
            }
            putc(s[i], out);
            col += ((unsigned char)s[i] & 0xC0) != 0x80;
        }
        s += len;
        while (*s == ' ')
            s++;
    }
    putc('\n', out);
}

/* The "Findings" section after the ladder: each finding with the times of its rows, wrapped to
 * the text's width. */
static void findings(const struct export_ctx *x, size_t w, FILE *out)
{
    if (!x->nfindings)
        return;
    fprintf(out, "\nFindings (%zu)\n", x->nfindings);
    for (size_t i = 0; i < x->nfindings; i++) {
        const struct export_finding *f = &x->findings[i];
        char *buf = NULL;
        size_t blen = 0;
        FILE *m = open_memstream(&buf, &blen);
        if (!m)
            abort();
        fputs("! ", m);
        plain(m, f->severity, true);
        fputs(" ", m);
        plain(m, f->rule, true);
        fputs(": ", m);
        plain(m, f->message, x->ascii);
        fclose(m);
        wrapped(out, buf, w);
        free(buf);
        m = open_memstream(&buf, &blen);
        if (!m)
            abort();
        fputs("  at", m);
        size_t shown = 0;
        for (size_t j = 0; j < x->layout->nrows; j++) {
            const struct ladder_row *r = &x->layout->rows[j];
            for (size_t k = 0; r->msg && k < f->nids; k++)
                if (f->ids[k] == r->msg->id) {
                    fprintf(m, " %.6f", (double)r->rel_ns / 1e9);
                    shown++;
                    break;
                }
        }
        fputs(shown ? "" : " -", m);
        fputs("  (", m);
        plain(m, f->spec, x->ascii);
        fputs(")", m);
        fclose(m);
        fputs("  ", out); /* wrapped() drops leading spaces */
        wrapped(out, buf + 2, w > 2 ? w - 2 : w);
        free(buf);
    }
}

static void row(const struct export_ctx *x, const struct text_geo *t, struct canvas *cv,
                const struct ladder_row *r, FILE *out)
{
    const struct glyphs *g = x->ascii ? &ASCII_G : &UTF8_G;
    size_t nh = x->layout->nhosts;
    size_t a = t->lanes[r->from], b = t->lanes[r->to];
    char stamp[64];
    snprintf(stamp, sizeof stamp, "%10.6f +%.6f", (double)r->rel_ns / 1e9,
             (double)r->delta_ns / 1e9);
    cv_clear(cv, t->lanes, nh, g->lane);
    cv_text(cv, 0, stamp, TEXT_GUTTER - 1, g, true);
    if (finding_at(x, r))
        cv_put(cv, TEXT_GUTTER - 1, "!"); /* a finding points at this message */
    if (a == b) {                         /* a message to itself: a small loop right of the lane */
        for (size_t i = a + 1; i < a + 3; i++)
            cv_put(cv, i, g->line);
        cv_put(cv, a + 3, g->self_top);
        cv_text(cv, a + 5, r->label, cv->w > a + 5 ? cv->w - a - 5 : 0, g, x->ascii);
        cv_emit(cv, out);
        cv_clear(cv, t->lanes, nh, g->lane);
        cv_put(cv, a + 1, g->left);
        cv_put(cv, a + 2, g->line);
        cv_put(cv, a + 3, g->self_bot);
    } else {
        place_label(cv, a < b ? a : b, a < b ? b : a, r->label, g, x->ascii);
        cv_emit(cv, out);
        cv_clear(cv, t->lanes, nh, g->lane);
        arrow(cv, a, b, r->cls == LADDER_RTP, g);
    }
    cv_emit(cv, out);
    if (r->msg && r->msg->sdp_summary) {
        char sdp[256], buf[300];
        ladder_printable(sdp, sizeof sdp, r->msg->sdp_summary);
        snprintf(buf, sizeof buf, "SDP %s", sdp);
        cv_clear(cv, t->lanes, nh, g->lane);
        place_label(cv, a < b ? a : b, a < b ? b : a + 4, buf, g, x->ascii);
        cv_emit(cv, out);
    }
}

int export_text(const struct export_ctx *x, FILE *out)
{
    struct text_geo t;
    geometry(x, &t);
    struct canvas cv = {.w = t.w, .c = malloc(t.w * sizeof *cv.c)};
    if (!cv.c)
        abort();
    header(x, &t, &cv, x->ascii ? &ASCII_G : &UTF8_G, out);
    for (size_t i = 0; i < x->layout->nrows; i++)
        row(x, &t, &cv, &x->layout->rows[i], out);
    findings(x, t.w, out);
    free(cv.c);
    return ferror(out) ? -1 : 0;
}

static const char *const FORMAT_NAMES[] = {"text", "json", "mermaid", "plantuml",
                                           "html", "svg",  "pcap"};
static const char *const FORMAT_EXTS[] = {"txt", "json", "mmd", "puml", "html", "svg", "pcap"};

int export_format_parse(const char *name, enum export_format *f)
{
    for (size_t i = 0; i < sizeof FORMAT_NAMES / sizeof FORMAT_NAMES[0]; i++) {
        if (name && strcmp(name, FORMAT_NAMES[i]) == 0) {
            *f = (enum export_format)i;
            return 0;
        }
    }
    return -1;
}

const char *export_format_ext(enum export_format f)
{
    if ((size_t)f < sizeof FORMAT_EXTS / sizeof FORMAT_EXTS[0])
        return FORMAT_EXTS[f];
    return "out";
}

int export_write(enum export_format f, const struct export_ctx *x, FILE *out)
{
    switch (f) {
    case EXPORT_TEXT:
        return export_text(x, out);
    case EXPORT_MERMAID:
        return export_mermaid(x, out);
    case EXPORT_PLANTUML:
        return export_plantuml(x, out);
    case EXPORT_HTML:
        return export_html(x, out);
    case EXPORT_SVG:
        return export_svg(x, out);
    case EXPORT_PCAP:
        return export_pcap(x, out);
    case EXPORT_JSON:
        break;
    }
    return -1;
}
