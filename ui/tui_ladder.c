/* tui_ladder.c: the call-flow screen: one lane per host (ui/ladder.h lays it out), arrows
 * labelled and coloured by response class, time and delta per row, SDP summaries, the selected
 * message's raw text in a side pane, several calls together, a "!" on rows a diagnostics
 * finding points at and its explanation on 'e'. */
#include "ui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/media_store.h"
#include "ui/export.h"

#define MARGIN        13 /* "12:34:56.789 " / "+0.004001 " */
#define MIN_LANE      16
#define MAX_CALLS_SQL 400
#define TUI_MAX_RTP   512 /* RTP stream rows drawn in one ladder */

void tui_ladder_free(struct tui *t)
{
    struct tui_ladder *d = &t->lad;
    if (d->have_layout)
        ladder_layout_free(&d->lay);
    free(d->lm);
    free(d->rtp);
    free(d->ls);
    tq_msgs_free(&d->msgs);
    check_findings_free(d->finds, d->nfinds);
    d->finds = NULL;
    d->nfinds = 0;
    d->lm = NULL;
    d->rtp = NULL;
    d->ls = NULL;
    d->nrtp = 0;
    d->have_layout = false;
}

static int build(struct tui *t)
{
    struct tui_ladder *d = &t->lad;
    if (d->have_layout)
        ladder_layout_free(&d->lay);
    d->have_layout = false;
    struct ladder_opts o = {.by_address = d->by_addr};
    if (ladder_build(d->lm, d->msgs.n, d->ls, d->nrtp, &o, &d->lay) < 0) {
        tui_message(t, "out of memory laying out the ladder");
        return -1;
    }
    d->have_layout = true;
    if (d->cur >= d->lay.nrows)
        d->cur = d->lay.nrows ? d->lay.nrows - 1 : 0;
    d->hoff = 0;
    return 0;
}

/* Keeps one RTP stream of the calls (media_store_read callback). */
static int keep_rtp(void *user, const struct ms_row *r)
{
    struct tui_ladder *d = user;
    if (d->nrtp >= TUI_MAX_RTP)
        return 1;
    struct tui_rtp *x = &d->rtp[d->nrtp];
    struct ladder_rtp_fig f = {.codec = r->codec,
                               .packets = r->packets,
                               .lost = r->lost,
                               .max_jitter_ms = r->max_jitter_ms,
                               .mos = r->mos,
                               .dtmf = r->dtmf,
                               .problem = r->problem};
    snprintf(x->src, sizeof x->src, "%s", r->src ? r->src : "");
    snprintf(x->dst, sizeof x->dst, "%s", r->dst ? r->dst : "");
    ladder_rtp_label(x->label, sizeof x->label, &f);
    d->ls[d->nrtp++] = (struct ladder_stream){.src = x->src,
                                              .dst = x->dst,
                                              .first_ns = r->first_ns,
                                              .last_ns = r->last_ns,
                                              .label = x->label};
    return 0;
}

/* The calls' RTP streams; a database without them (or a read error) just shows none. */
static void load_rtp(struct tui *t, const int64_t *calls, size_t n)
{
    struct tui_ladder *d = &t->lad;
    char err[256];
    d->rtp = calloc(TUI_MAX_RTP, sizeof *d->rtp);
    d->ls = calloc(TUI_MAX_RTP, sizeof *d->ls);
    if (!d->rtp || !d->ls)
        abort();
    if (media_store_read(t->db, calls, n, keep_rtp, d, err, sizeof err) < 0)
        d->nrtp = 0;
}

/* The calls' diagnostics findings, computed now when not cached (docs/diagnostics.md); an
 * error just shows none. */
static void load_findings(struct tui *t)
{
    struct tui_ladder *d = &t->lad;
    int64_t *ids = malloc((d->msgs.n + 1) * sizeof *ids);
    char err[256];
    if (!ids)
        abort();
    for (size_t i = 0; i < d->msgs.n; i++)
        ids[i] = d->msgs.v[i].id;
    if (check_findings_load(t->db, ids, d->msgs.n, &d->finds, &d->nfinds, err, sizeof err) < 0)
        d->nfinds = 0;
    free(ids);
}

/* Whether finding f points at the message with this id. */
static bool points_at(const struct export_finding *f, int64_t id)
{
    for (size_t k = 0; k < f->nids; k++)
        if (f->ids[k] == id)
            return true;
    return false;
}

/* How many findings point at message m (NULL: a stream row, none). */
static size_t findings_at(const struct tui_ladder *d, const struct tq_msg *m)
{
    size_t n = 0;
    for (size_t i = 0; m && i < d->nfinds; i++)
        n += points_at(&d->finds[i], m->id);
    return n;
}

int tui_ladder_open(struct tui *t, const int64_t *calls, size_t n)
{
    struct tui_ladder *d = &t->lad;
    tui_ladder_free(t);
    if (n > TUI_MAX_CALLS)
        n = TUI_MAX_CALLS;
    memcpy(d->calls, calls, n * sizeof *calls);
    d->ncalls = n;
    char err[1024];
    if (tq_msgs_load(t->db, calls, n < MAX_CALLS_SQL ? n : MAX_CALLS_SQL, &d->msgs, err,
                     sizeof err) < 0) {
        tui_message(t, "%s", err);
        return -1;
    }
    d->lm = calloc(d->msgs.n + 1, sizeof *d->lm);
    if (!d->lm)
        abort();
    for (size_t i = 0; i < d->msgs.n; i++) {
        const struct tq_msg *m = &d->msgs.v[i];
        d->lm[i] = (struct ladder_msg){.id = m->id,
                                       .ts_ns = m->ts_ns,
                                       .src = m->src,
                                       .dst = m->dst,
                                       .transport = m->transport,
                                       .method = m->status ? NULL : m->method,
                                       .status = m->status,
                                       .reason = m->reason,
                                       .cseq = m->cseq,
                                       .cseq_method = m->cseq_method,
                                       .call_id = m->call_id,
                                       .sdp = (m->flags & DB_MSG_SDP) != 0,
                                       .retrans = (m->flags & DB_MSG_RETRANS) != 0,
                                       .sdp_summary = m->sdp};
    }
    load_rtp(t, calls, n < MAX_CALLS_SQL ? n : MAX_CALLS_SQL);
    load_findings(t);
    d->cur = d->top = d->hoff = 0;
    d->mark[0] = d->mark[1] = -1;
    d->pane = COLS >= 120;
    return build(t);
}

int tui_ladder_code(const struct tui *t)
{
    const struct tui_ladder *d = &t->lad;
    if (!d->have_layout || d->cur >= d->lay.nrows || !d->lay.rows[d->cur].msg)
        return 0;
    return d->lay.rows[d->cur].msg->status;
}

/* The message row i stands for (NULL for an RTP stream row). */
static const struct tq_msg *msg_of(const struct tui *t, size_t i)
{
    const struct tui_ladder *d = &t->lad;
    const struct ladder_msg *lm = i < d->lay.nrows ? d->lay.rows[i].msg : NULL;
    return lm ? &d->msgs.v[lm - d->lm] : NULL;
}

struct geom {
    int width; /* columns of the ladder (the pane takes the rest) */
    int lane;  /* columns per host */
    int x[LADDER_MAX_HOSTS];
    int rows; /* messages on screen */
};

static void geometry(const struct tui *t, struct geom *g)
{
    const struct tui_ladder *d = &t->lad;
    g->width = d->pane ? COLS * 3 / 5 : COLS;
    if (g->width < MARGIN + 2 * MIN_LANE)
        g->width = COLS;
    size_t nh = d->lay.nhosts ? d->lay.nhosts : 1;
    g->lane = (g->width - MARGIN) / (int)nh;
    if (g->lane < MIN_LANE)
        g->lane = MIN_LANE;
    for (size_t i = 0; i < LADDER_MAX_HOSTS; i++)
        g->x[i] = MARGIN + g->lane * ((int)i - (int)d->hoff) + g->lane / 2;
    g->rows = (LINES - 3) / 2;
    if (g->rows < 1)
        g->rows = 1;
}

static bool visible(const struct geom *g, int x)
{
    return x >= MARGIN && x < g->width;
}

static void draw_hosts(struct tui *t, const struct geom *g)
{
    const struct tui_ladder *d = &t->lad;
    tui_put(t, 1, 0, g->width, "", tui_attr(t, TP_TITLE), true);
    for (size_t i = 0; i < d->lay.nhosts; i++) {
        int w = g->lane - 1, x = g->x[i] - w / 2;
        if (x < MARGIN || x + w > g->width)
            continue;
        int len = (int)strlen(d->lay.hosts[i]);
        if (len < w)
            x += (w - len) / 2;
        tui_put(t, 1, x, w, d->lay.hosts[i], tui_attr(t, TP_TITLE), false);
    }
}

static void draw_lanes(const struct tui_ladder *d, const struct geom *g, int y)
{
    for (size_t i = 0; i < d->lay.nhosts; i++) {
        if (visible(g, g->x[i]))
            mvaddch(y, g->x[i], ACS_VLINE);
    }
}

/* The arrow line of row r between lanes a and b, with text (the SDP summary) inside it. */
static void draw_arrow(struct tui *t, const struct geom *g, int y, const struct ladder_row *r,
                       int attr, const char *inside)
{
    int a = g->x[r->from], b = g->x[r->to];
    if (r->from == r->to)
        b = a + 6;
    int lo = a < b ? a : b, hi = a < b ? b : a;
    attron(attr);
    for (int x = lo + 1; x < hi; x++) {
        if (visible(g, x))
            mvaddch(y, x, ACS_HLINE);
    }
    int head = a <= b ? hi - 1 : lo + 1;
    if (visible(g, head))
        mvaddch(y, head, a <= b ? '>' : '<');
    attroff(attr);
    int room = hi - lo - 5;
    if (inside && room > 6) {
        int len = (int)strlen(inside), x = lo + 2 + (room > len ? (room - len) / 2 : 0);
        int x0 = x < MARGIN ? MARGIN : x;
        tui_put(t, y, x0, (room < len ? room : len) - (x0 - x), inside, attr, false);
    }
}

static void draw_row(struct tui *t, const struct geom *g, size_t i, int y)
{
    struct tui_ladder *d = &t->lad;
    const struct ladder_row *r = &d->lay.rows[i];
    const struct tq_msg *m = msg_of(t, i);
    bool sel = i == d->cur;
    int attr = r->cls == LADDER_RTP               ? tui_attr(t, TP_RTP)
               : m && (m->flags & DB_MSG_RETRANS) ? tui_attr(t, TP_DIM)
                                                  : tui_attr(t, tui_code_pair(m ? m->status : 0));
    if (sel)
        attr = tui_attr(t, TP_CURSOR);
    char clock[32], delta[32];
    tui_clock(clock, sizeof clock, m ? m->ts_ns : r->stream->first_ns, 3);
    snprintf(delta, sizeof delta, "%c+%.6f%s",
             i == (size_t)d->mark[0] || i == (size_t)d->mark[1] ? '*' : ' ',
             (double)r->delta_ns / 1e9, findings_at(d, m) ? " !" : "");
    tui_put(t, y, 0, MARGIN - 1, clock, sel ? attr : TA_NORMAL, true);
    tui_put(t, y + 1, 0, MARGIN - 1, delta, tui_attr(t, TP_DIM), true);
    draw_lanes(d, g, y);
    draw_lanes(d, g, y + 1);
    int a = g->x[r->from], b = r->from == r->to ? g->x[r->from] + 6 : g->x[r->to];
    int lo = a < b ? a : b, hi = a < b ? b : a;
    int len = (int)strlen(r->label), room = hi - lo - 1;
    int x = lo + 1 + (room > len ? (room - len) / 2 : 0);
    if (x < MARGIN)
        x = MARGIN;
    int w = room > len ? len : room;
    if (r->from == r->to || r->stream) /* a stream's figures may run over the lanes */
        w = g->width - x;
    tui_put(t, y, x, w < g->width - x ? w : g->width - x, r->label, attr, false);
    draw_arrow(t, g, y + 1, r, sel ? attr : (attr),
               m && m->sdp ? m->sdp : NULL); /* a stream's figures are its label above */
}

/* The selected message's raw text, wrapped into the side pane. */
static void draw_pane(struct tui *t, const struct geom *g)
{
    int x0 = g->width + 1, w = COLS - x0;
    if (w < 10)
        return;
    mvvline(1, g->width, ACS_VLINE, LINES - 2);
    const struct tq_msg *m = msg_of(t, t->lad.cur);
    size_t len = 0;
    char *raw = m ? tui_raw_read(t, m, &len) : NULL;
    if (!raw) {
        tui_put(t, 1, x0, w, m ? "(raw bytes not readable)" : "", tui_attr(t, TP_DIM), false);
        return;
    }
    int y = 1;
    char agent[256];
    if (tui_raw_agent(t->db, m->id, agent, sizeof agent))
        tui_put(t, y++, x0, w, agent, tui_attr(t, TP_DIM), false);
    for (char *line = raw; line && y < LINES - 1;) {
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        if (n && line[n - 1] == '\r')
            n--;
        char *p = tui_printable(line, n);
        bool first = line == raw;
        for (size_t off = 0, pl = strlen(p); y < LINES - 1 && (off < pl || off == 0);
             off += (size_t)w) {
            tui_put(t, y, x0, w, p + off, first ? tui_attr(t, TP_TITLE) : TA_NORMAL, false);
            y++;
            if (pl == 0)
                break;
        }
        free(p);
        line = nl ? nl + 1 : NULL;
    }
    free(raw);
}

static void draw_header(struct tui *t)
{
    const struct tui_ladder *d = &t->lad;
    char buf[512];
    const char *cid = d->msgs.n ? d->msgs.v[0].call_id : "";
    char more[32] = "";
    if (d->ncalls > 1)
        snprintf(more, sizeof more, " (+%zu call%s)", d->ncalls - 1, d->ncalls > 2 ? "s" : "");
    snprintf(buf, sizeof buf,
             " Call flow %s%s | %zu messages | %zu rtp streams | %zu hosts%s | row %zu/%zu",
             cid ? cid : "", more, d->msgs.n, d->nrtp, d->lay.nhosts,
             d->by_addr ? " (by address)" : "", d->lay.nrows ? d->cur + 1 : 0, d->lay.nrows);
    tui_put(t, 0, 0, COLS, buf, tui_attr(t, TP_HEADER), true);
}

void tui_ladder_draw(struct tui *t)
{
    struct tui_ladder *d = &t->lad;
    draw_header(t);
    if (!d->have_layout)
        return;
    struct geom g;
    geometry(t, &g);
    if (d->cur < d->top)
        d->top = d->cur;
    if (d->cur >= d->top + (size_t)g.rows)
        d->top = d->cur - (size_t)g.rows + 1;
    draw_hosts(t, &g);
    for (size_t i = d->top, y = 2; i < d->lay.nrows && (int)y + 1 < LINES - 1; i++, y += 2)
        draw_row(t, &g, i, (int)y);
    if (d->pane)
        draw_pane(t, &g);
}

static void open_raw(struct tui *t, bool all)
{
    struct tui_ladder *d = &t->lad;
    size_t n = all ? d->msgs.n : 1;
    const struct tq_msg **v = malloc((n + 1) * sizeof *v);
    if (!v)
        abort();
    if (all) {
        for (size_t i = 0; i < n; i++)
            v[i] = &d->msgs.v[i];
    } else {
        v[0] = msg_of(t, d->cur);
        n = v[0] ? 1 : 0;
    }
    if (n && tui_raw_open(t, v, n) == 0) {
        t->text.back = TUI_LADDER;
        t->screen = TUI_RAW;
    }
    free(v);
}

/* Appends a line (owned) to the text screen. */
static void text_push(struct tui_text *x, char *s, int pair)
{
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 32;
        x->l = realloc(x->l, x->cap * sizeof *x->l);
        if (!x->l)
            abort();
    }
    x->l[x->n++] = (struct tui_textline){s, pair};
}

/* Appends s wrapped at spaces to lines of at most w characters, continuations indented. */
static void text_wrapped(struct tui_text *x, const char *s, size_t w, int pair)
{
    char *p = tui_printable(s, strlen(s));
    const char *q = p;
    bool first = true;
    while (*q) {
        size_t room = first ? w : w - 4, n = strlen(q);
        if (n > room) {
            n = room;
            while (n > room / 2 && q[n] != ' ')
                n--;
            if (q[n] != ' ')
                n = room;
        }
        char *line = malloc(n + 5);
        if (!line)
            abort();
        snprintf(line, n + 5, "%s%.*s", first ? "" : "    ", (int)n, q);
        text_push(x, line, pair);
        q += n;
        while (*q == ' ')
            q++;
        first = false;
    }
    free(p);
}

/* 'e': the explanation of the findings that point at the selected message (rule, severity,
 * message, spec), in the text screen; Esc returns. */
static void explain(struct tui *t)
{
    struct tui_ladder *d = &t->lad;
    const struct tq_msg *m = msg_of(t, d->cur);
    size_t n = findings_at(d, m);
    if (!n) {
        tui_message(t, "no diagnostics finding points at this message ('!' marks those that do)");
        return;
    }
    struct tui_text *x = &t->text;
    tui_text_free(t);
    x->back = TUI_LADDER;
    snprintf(x->title, sizeof x->title, " Findings: %zu at this message (docs/diagnostics.md)", n);
    size_t w = COLS > 24 ? (size_t)COLS - 2 : 22;
    for (size_t i = 0; i < d->nfinds; i++) {
        const struct export_finding *f = &d->finds[i];
        if (!points_at(f, m->id))
            continue;
        char head[160];
        snprintf(head, sizeof head, "%s %s", f->severity, f->rule);
        text_wrapped(x, head, w, strcmp(f->severity, "info") ? TP_5XX : TP_TITLE);
        text_wrapped(x, f->message, w, TP_NONE);
        text_wrapped(x, f->spec, w, TP_DIM);
        text_push(x, tui_printable("", 0), TP_NONE);
    }
    t->screen = TUI_RAW;
}

/* Space marks a message; the second mark opens the diff of the two. */
static void mark(struct tui *t)
{
    struct tui_ladder *d = &t->lad;
    long i = (long)d->cur;
    if (!msg_of(t, d->cur))
        return;
    if (d->mark[0] == i) {
        d->mark[0] = -1;
        return;
    }
    if (d->mark[0] < 0) {
        d->mark[0] = i;
        tui_message(t, "marked; Space on another message shows the difference");
        return;
    }
    d->mark[1] = i;
    if (tui_diff_open(t, msg_of(t, (size_t)d->mark[0]), msg_of(t, (size_t)d->mark[1])) == 0) {
        t->text.back = TUI_LADDER;
        t->screen = TUI_DIFF;
    }
    d->mark[0] = d->mark[1] = -1;
}

static void add_related(struct tui *t)
{
    struct tui_ladder *d = &t->lad;
    int64_t ids[TUI_MAX_CALLS], *rel = NULL;
    size_t n = d->ncalls, nrel = 0;
    char err[1024];
    memcpy(ids, d->calls, n * sizeof *ids);
    if (!n || tq_related(t->db, ids[0], &rel, &nrel, err, sizeof err) < 0)
        return;
    for (size_t i = 0; i < nrel && n < TUI_MAX_CALLS; i++) {
        bool dup = false;
        for (size_t k = 0; k < n; k++)
            dup = dup || ids[k] == rel[i];
        if (!dup)
            ids[n++] = rel[i];
    }
    free(rel);
    size_t added = n - d->ncalls;
    if (tui_ladder_open(t, ids, n) == 0)
        tui_message(t, "%zu related leg%s added", added, added == 1 ? "" : "s");
}

static bool move_key(struct tui *t, int ch)
{
    struct tui_ladder *d = &t->lad;
    size_t page = (size_t)((LINES - 3) / 2 > 1 ? (LINES - 3) / 2 : 1), n = d->lay.nrows;
    switch (ch) {
    case KEY_UP:
    case 'k':
        d->cur = d->cur ? d->cur - 1 : 0;
        break;
    case KEY_DOWN:
    case 'j':
        d->cur++;
        break;
    case KEY_PPAGE:
        d->cur = d->cur > page ? d->cur - page : 0;
        break;
    case KEY_NPAGE:
        d->cur += page;
        break;
    case KEY_HOME:
    case 'g':
        d->cur = 0;
        break;
    case KEY_END:
    case 'G':
        d->cur = n ? n - 1 : 0;
        break;
    case KEY_LEFT:
    case 'h':
        d->hoff = d->hoff ? d->hoff - 1 : 0;
        break;
    case KEY_RIGHT:
    case 'l':
        if (d->hoff + 1 < d->lay.nhosts)
            d->hoff++;
        break;
    default:
        return false;
    }
    if (d->cur >= n)
        d->cur = n ? n - 1 : 0;
    return true;
}

void tui_ladder_key(struct tui *t, int ch)
{
    struct tui_ladder *d = &t->lad;
    if (move_key(t, ch))
        return;
    switch (ch) {
    case 'q':
    case 'Q':
    case 27:
        t->screen = TUI_LIST;
        break;
    case '\r':
    case '\n':
    case KEY_ENTER:
        open_raw(t, false);
        break;
    case KEY_F(6):
    case 'R':
        open_raw(t, true);
        break;
    case ' ':
        mark(t);
        break;
    case 't':
        d->pane = !d->pane;
        break;
    case 'a':
        d->by_addr = !d->by_addr;
        build(t);
        break;
    case 'e':
        explain(t);
        break;
    case 'i':
        if (tui_ladder_code(t))
            t->dialog = TUI_DLG_CODE;
        else
            tui_message(t, "not a response: 'i' explains response codes");
        break;
    case KEY_F(4):
    case 'x':
        add_related(t);
        break;
    case KEY_F(2):
    case 's':
        tui_save_open(t);
        break;
    default:
        break;
    }
}
