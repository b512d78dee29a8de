/* tui_list.c: the call list screen: a window of rows paged from SQLite by keyset around the
 * cursor (never the whole list in memory), columns, sort, selection, live refresh. */
#include "ui/tui.h"

#include "capture/live.h"
#include "dissect/diag.h"
#include "ui/cli_listen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_CTRL(c) ((c)&0x1F)

/* Width bounds and drop priority (higher = hidden first when the terminal is narrow). */
static const struct {
    int min, max, prio;
    bool right, flex; /* flex: text that grows with the terminal */
} spec[TQ_NCOLS] = {
    [TQ_COL_INDEX] = {3, 3, 3, true, false},      [TQ_COL_START] = {8, 12, 2, false, false},
    [TQ_COL_METHOD] = {9, 9, 1, false, false},    [TQ_COL_FROM] = {10, 40, 1, false, true},
    [TQ_COL_TO] = {10, 40, 1, false, true},       [TQ_COL_SRC] = {9, 22, 4, false, true},
    [TQ_COL_DST] = {9, 22, 4, false, true},       [TQ_COL_MSGS] = {4, 4, 3, true, false},
    [TQ_COL_STATE] = {9, 9, 2, false, false},     [TQ_COL_STATUS] = {5, 5, 1, false, false},
    [TQ_COL_DURATION] = {8, 8, 4, true, false},   [TQ_COL_CALLID] = {12, 40, 5, false, true},
    [TQ_COL_TRANSPORT] = {5, 9, 5, false, false}, [TQ_COL_MOS] = {4, 4, 5, true, false},
    [TQ_COL_LOST] = {5, 6, 5, true, false},       [TQ_COL_AGENT] = {5, 16, 5, false, true},
};

void tui_list_init(struct tui *t)
{
    struct tui_list *l = &t->list;
    for (int i = 0; i < TQ_NCOLS; i++) {
        l->order[i] = (enum tq_col)i;
        l->show[i] = i != TQ_COL_CALLID && i != TQ_COL_TRANSPORT && i != TQ_COL_MOS &&
                     i != TQ_COL_LOST &&
                     i != TQ_COL_AGENT; /* optional: chosen in the column dialog */
    }
    l->sort = TQ_COL_START;
    l->f.methods = (1u << TQ_NMETHODS) - 1;
    l->f.statuses = TQ_STATUS_ALL;
    l->version = -1;
}

void tui_list_free(struct tui *t)
{
    struct tui_list *l = &t->list;
    tq_free(l->q);
    tq_free(l->qall);
    q_match_free(l->f.match);
    free(l->win);
    free(l->sel);
    memset(l, 0, sizeof *l);
}

/* Visible rows of the list (between the title line and the footer). */
static int page_rows(void)
{
    return LINES > 4 ? LINES - 3 : 1;
}

int tui_list_apply(struct tui *t)
{
    struct tui_list *l = &t->list;
    char err[1024];
    if (!l->q)
        l->q = tq_new(t->db, err, sizeof err);
    if (l->q && !l->qall)
        l->qall = tq_new(t->db, err, sizeof err);
    struct tq_filter base = {.captures = l->f.captures,
                             .ncaptures = l->f.ncaptures,
                             .capture_names = l->f.capture_names,
                             .nnames = l->f.nnames,
                             .min_id = l->f.min_id,
                             .methods = (1u << TQ_NMETHODS) - 1,
                             .statuses = TQ_STATUS_ALL};
    if (!l->q || !l->qall || tq_set(l->q, &l->f, l->sort, l->desc, err, sizeof err) < 0 ||
        tq_set(l->qall, &base, TQ_COL_INDEX, false, err, sizeof err) < 0) {
        tui_message(t, "%s", err);
        if (isendwin())
            cli_runtime_error("%s", err);
        return -1;
    }
    l->cursor = l->top = 0;
    tui_list_refresh(t, true);
    return 0;
}

/* The id of the call at position pos when it is in the window, else 0. */
static int64_t id_at(const struct tui_list *l, int64_t pos)
{
    if (pos < l->base || pos >= l->base + (int64_t)l->nwin)
        return 0;
    return l->win[pos - l->base].id;
}

static void clamp(struct tui_list *l)
{
    int64_t h = page_rows();
    if (l->cursor >= l->total)
        l->cursor = l->total - 1;
    if (l->cursor < 0)
        l->cursor = 0;
    if (l->cursor < l->top)
        l->top = l->cursor;
    if (l->cursor >= l->top + h)
        l->top = l->cursor - h + 1;
    if (l->top > l->total - h)
        l->top = l->total - h;
    if (l->top < 0)
        l->top = 0;
}

/* Makes rows [top, top+page) present in the window: by keyset from a neighbouring row when there
 * is one (constant time at any depth), else by offset from the nearer end (Home, End, jumps). */
static void ensure(struct tui_list *l)
{
    size_t cap = (size_t)page_rows() * 3 + 16;
    if (cap > l->capwin) {
        l->win = realloc(l->win, cap * sizeof *l->win);
        if (!l->win)
            abort();
        l->capwin = cap;
    }
    clamp(l);
    int64_t lo = l->top, hi = l->top + page_rows();
    if (hi > l->total)
        hi = l->total;
    if (l->total == 0 || (lo >= l->base && hi <= l->base + (int64_t)l->nwin))
        return;
    int64_t before = lo > 0 ? id_at(l, lo - 1) : 0, after = id_at(l, hi);
    long n;
    if (lo == 0 || tq_random_access(l->q)) {
        n = tq_page_at(l->q, lo, l->win, cap);
        l->base = lo;
    } else if (before) {
        n = tq_page_after(l->q, before, l->win, cap);
        l->base = lo;
    } else if (after || hi == l->total) {
        n = after ? tq_page_before(l->q, after, l->win, cap)
                  : tq_page_from_end(l->q, 0, l->win, cap);
        l->base = hi - (n > 0 ? n : 0);
    } else if (lo <= l->total - hi) {
        n = tq_page_at(l->q, lo, l->win, cap);
        l->base = lo;
    } else {
        n = tq_page_from_end(l->q, l->total - hi, l->win, cap);
        l->base = hi - (n > 0 ? n : 0);
    }
    l->nwin = n > 0 ? (size_t)n : 0;
}

/* True when the filter dialog or the search narrows the list. */
static bool is_filtered(const struct tui_list *l)
{
    const struct tq_filter *f = &l->f;
    unsigned all_methods = (1u << TQ_NMETHODS) - 1;
    return f->from[0] || f->to[0] || f->src[0] || f->dst[0] || f->search[0] || l->payload[0] ||
           (f->methods & all_methods) != all_methods ||
           (f->statuses & TQ_STATUS_ALL) != TQ_STATUS_ALL;
}

void tui_list_refresh(struct tui *t, bool force)
{
    struct tui_list *l = &t->list;
    if (!l->q)
        return;
    if (l->sort_at > 0 && tui_now() >= l->sort_at) {
        l->sort_at = 0;
        tui_list_apply(t); /* refreshes too */
        return;
    }
    int64_t v = tq_data_version(l->q);
    if (!force && v == l->version)
        return;
    if (!force && tq_random_access(l->q)) { /* a full re-sort: at most every 2 s */
        if (tui_now() < l->reload_at)
            return;
        tq_reload(l->q);
    }
    l->reload_at = tui_now() + 2.0;
    l->version = v;
    bool at_end = l->total > 0 && l->cursor >= l->total - 1;
    int64_t cur_id = force ? 0 : id_at(l, l->cursor), off = l->cursor - l->top;
    l->total = tq_count(l->q);
    l->all = is_filtered(l) || l->f.min_id ? tq_count(l->qall) : l->total; /* one scan less */
    if (l->total < 0)
        l->total = 0;
    l->nwin = 0;
    if (at_end && !force) { /* live: follow the newest call */
        l->cursor = l->total - 1;
    } else if (cur_id) { /* keep the call under the cursor where it was on screen */
        int64_t pos = tq_position(l->q, cur_id);
        if (pos >= 0 && pos < l->total) {
            l->cursor = pos;
            l->top = pos - off;
        }
    }
    clamp(l);
}

static bool list_selected(const struct tui_list *l, int64_t id)
{
    for (size_t i = 0; i < l->nsel; i++) {
        if (l->sel[i] == id)
            return true;
    }
    return false;
}

static void toggle_selected(struct tui_list *l, int64_t id)
{
    for (size_t i = 0; i < l->nsel; i++) {
        if (l->sel[i] == id) {
            l->sel[i] = l->sel[--l->nsel];
            return;
        }
    }
    if (l->nsel == l->capsel) {
        l->capsel = l->capsel ? l->capsel * 2 : 16;
        l->sel = realloc(l->sel, l->capsel * sizeof *l->sel);
        if (!l->sel)
            abort();
    }
    l->sel[l->nsel++] = id;
}

size_t tui_list_targets(struct tui *t, int64_t *ids, size_t max)
{
    struct tui_list *l = &t->list;
    size_t n = 0;
    for (size_t i = 0; i < l->nsel && n < max; i++)
        ids[n++] = l->sel[i];
    if (n == 0) {
        ensure(l);
        int64_t id = id_at(l, l->cursor);
        if (id)
            ids[n++] = id;
    }
    return n;
}

struct layout {
    enum tq_col col[TQ_NCOLS];
    int x[TQ_NCOLS], w[TQ_NCOLS];
    int n;
};

/* The minimum width of column c: the index column grows with the number of calls. */
static int min_width(const struct tui_list *l, enum tq_col c)
{
    if (c != TQ_COL_INDEX)
        return spec[c].min;
    int w = 2; /* a '*' (selected) and one digit */
    for (int64_t n = l->total; n >= 10; n /= 10)
        w++;
    return w < spec[c].min ? spec[c].min : w;
}

/* Drops the shown columns of highest priority until the rest fit; returns their width. */
static int fit(const struct tui_list *l, bool *on)
{
    int total = -1;
    for (int i = 0; i < TQ_NCOLS; i++) {
        on[i] = l->show[i];
        total += on[i] ? min_width(l, (enum tq_col)i) + 1 : 0;
    }
    while (total > COLS) {
        int worst = -1;
        for (int i = 0; i < TQ_NCOLS; i++) {
            enum tq_col c = l->order[i];
            if (on[c] && (worst < 0 || spec[c].prio >= spec[worst].prio))
                worst = (int)c;
        }
        if (worst < 0)
            break;
        on[worst] = false;
        total -= min_width(l, (enum tq_col)worst) + 1;
    }
    return total;
}

/* Shown columns that fit; the room left goes to the start time (milliseconds), then to the
 * text columns in turn. */
static void layout(const struct tui_list *l, struct layout *o)
{
    bool on[TQ_NCOLS];
    int extra = COLS - fit(l, on);
    o->n = 0;
    for (int i = 0; i < TQ_NCOLS; i++) {
        enum tq_col c = l->order[i];
        if (on[c]) {
            o->col[o->n] = c;
            o->w[o->n] = min_width(l, c);
            if (c == TQ_COL_START && extra >= spec[c].max - spec[c].min) {
                o->w[o->n] = spec[c].max;
                extra -= spec[c].max - spec[c].min;
            }
            o->n++;
        }
    }
    for (int grew = 1; extra > 0 && grew;) {
        grew = 0;
        for (int i = 0; i < o->n && extra > 0; i++) {
            if (spec[o->col[i]].flex && o->w[i] < spec[o->col[i]].max) {
                o->w[i]++;
                extra--;
                grew = 1;
            }
        }
    }
    for (int i = 0, x = 0; i < o->n; i++) {
        o->x[i] = x;
        x += o->w[i] + 1;
    }
}

static enum tui_pair state_pair(const char *s)
{
    if (strcmp(s, "in-call") == 0 || strcmp(s, "completed") == 0)
        return TP_2XX;
    if (strcmp(s, "calling") == 0 || strcmp(s, "ringing") == 0)
        return TP_1XX;
    if (strcmp(s, "rejected") == 0)
        return TP_4XX;
    if (strcmp(s, "failed") == 0)
        return TP_5XX;
    if (strcmp(s, "cancelled") == 0)
        return TP_6XX;
    return TP_DIM;
}

static void duration(char *buf, size_t n, const struct tq_row *r)
{
    if (r->answer_ns <= 0 || r->bye_ns < r->answer_ns) {
        snprintf(buf, n, "-");
        return;
    }
    long long s = (r->bye_ns - r->answer_ns) / 1000000000;
    if (s >= 3600)
        snprintf(buf, n, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, n, "%02lld:%02lld", s / 60, s % 60);
}

/* A URI without its "sip:" / "sips:" / "tel:" scheme: the column shows who, not how. */
static const char *no_scheme(const char *uri)
{
    static const char *const schemes[] = {"sip:", "sips:", "tel:"};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i]);
        if (strncmp(uri, schemes[i], n) == 0)
            return uri + n;
    }
    return uri;
}

/* The text of column c of row r (at list position pos) and its colour pair. */
static const char *cell(const struct tq_row *r, int64_t pos, enum tq_col c, int w, char *buf,
                        size_t n, enum tui_pair *pair)
{
    *pair = TP_NONE;
    switch (c) {
    case TQ_COL_INDEX:
        snprintf(buf, n, "%lld", (long long)pos + 1);
        return buf;
    case TQ_COL_START:
        tui_clock(buf, n, r->start_ns, w >= 12 ? 3 : 0);
        return buf;
    case TQ_COL_METHOD:
        return r->method;
    case TQ_COL_FROM:
        return no_scheme(r->from);
    case TQ_COL_TO:
        return no_scheme(r->to);
    case TQ_COL_SRC:
        return r->src;
    case TQ_COL_DST:
        return r->dst;
    case TQ_COL_MSGS:
        snprintf(buf, n, "%lld", (long long)r->messages);
        return buf;
    case TQ_COL_STATE:
        *pair = state_pair(r->state);
        return r->state;
    case TQ_COL_STATUS:
        *pair = tui_code_pair(r->final_status);
        if (!r->final_status)
            return "-";
        snprintf(buf, n, "%d", r->final_status);
        return buf;
    case TQ_COL_DURATION:
        duration(buf, n, r);
        return buf;
    case TQ_COL_CALLID:
        return r->call_id;
    case TQ_COL_TRANSPORT:
        return r->transport;
    case TQ_COL_MOS:
        if (r->mos < 0)
            return "-";
        *pair = r->mos < 3.1 ? TP_5XX : (r->mos < 3.6 ? TP_4XX : TP_NONE);
        snprintf(buf, n, "%.2f", r->mos);
        return buf;
    case TQ_COL_LOST:
        if (r->lost < 0)
            return "-";
        snprintf(buf, n, "%lld", (long long)r->lost);
        return buf;
    case TQ_COL_AGENT:
        return r->agent[0] ? r->agent : "-";
    case TQ_NCOLS:
        break;
    }
    return "";
}

static void put_cell(struct tui *t, int y, const struct layout *lo, int i, const char *s, int attr)
{
    int w = lo->w[i], len = (int)strlen(s);
    int x = lo->x[i];
    if (spec[lo->col[i]].right && len < w) {
        tui_put(t, y, x, w - len, "", attr, true);
        x += w - len;
        w = len;
    }
    tui_put(t, y, x, w, s, attr, true);
    tui_put(t, y, x + w, 1, "", attr, true);
}

static void draw_titles(struct tui *t, const struct layout *lo)
{
    struct tui_list *l = &t->list;
    int a = tui_attr(t, TP_TITLE) | TA_UNDERLINE;
    tui_put(t, 1, 0, COLS, "", a, true);
    for (int i = 0; i < lo->n; i++) {
        char title[32];
        snprintf(title, sizeof title, "%s%s", tq_col_title(lo->col[i]),
                 lo->col[i] == l->sort ? (l->desc ? "v" : "^") : "");
        put_cell(t, 1, lo, i, title, a);
    }
}

static void draw_row(struct tui *t, int y, const struct layout *lo, const struct tq_row *r,
                     int64_t pos)
{
    struct tui_list *l = &t->list;
    bool cur = pos == l->cursor, sel = list_selected(l, r->id);
    int base = cur ? tui_attr(t, TP_CURSOR) : (sel ? tui_attr(t, TP_SELECTED) : TA_NORMAL);
    tui_put(t, y, 0, COLS, "", base, true);
    for (int i = 0; i < lo->n; i++) {
        char buf[64], mark[72];
        enum tui_pair p;
        const char *s = cell(r, pos, lo->col[i], lo->w[i], buf, sizeof buf, &p);
        if (lo->col[i] == TQ_COL_INDEX && sel) {
            snprintf(mark, sizeof mark, "*%.60s", s);
            s = mark;
        }
        if (lo->col[i] == TQ_COL_INDEX && tq_call_findings(t->db, r->id) >= DIAG_WARNING) {
            char bang[72]; /* a warning or error finding (docs/diagnostics.md) */
            snprintf(bang, sizeof bang, "!%.60s", s);
            snprintf(mark, sizeof mark, "%s", bang);
            s = mark;
        }
        put_cell(t, y, lo, i, s, cur || sel || p == TP_NONE ? base : tui_attr(t, p));
    }
}

void tui_list_draw(struct tui *t)
{
    struct tui_list *l = &t->list;
    ensure(l);
    struct layout lo;
    layout(l, &lo);
    draw_titles(t, &lo);
    int h = page_rows();
    for (int i = 0; i < h; i++) {
        int64_t pos = l->top + i;
        if (pos >= l->total || pos < l->base || pos >= l->base + (int64_t)l->nwin)
            break;
        draw_row(t, 2 + i, &lo, &l->win[pos - l->base], pos);
    }
    if (l->total == 0)
        tui_put(t, 3, 2, COLS - 4,
                t->imp.running ? "importing: calls appear here as they are stored"
                               : "no calls (F7/f filter, F5 clears the list)",
                tui_attr(t, TP_DIM), false);
}

static void open_ladder(struct tui *t, bool related)
{
    int64_t ids[TUI_MAX_CALLS];
    size_t n = tui_list_targets(t, ids, TUI_MAX_CALLS);
    if (n == 0) {
        tui_message(t, "no call here");
        return;
    }
    if (related) {
        int64_t *rel = NULL;
        size_t nrel = 0;
        char err[1024];
        if (tq_related(t->db, ids[0], &rel, &nrel, err, sizeof err) < 0)
            tui_message(t, "%s", err);
        for (size_t i = 0; i < nrel && n < TUI_MAX_CALLS; i++)
            ids[n++] = rel[i];
        free(rel);
        tui_message(t, "%zu related leg%s found", nrel, nrel == 1 ? "" : "s");
    }
    if (tui_ladder_open(t, ids, n) == 0)
        t->screen = TUI_LADDER;
}

static void open_raw(struct tui *t)
{
    int64_t ids[TUI_MAX_CALLS];
    size_t n = tui_list_targets(t, ids, TUI_MAX_CALLS);
    if (n == 0 || tui_ladder_open(t, ids, n) < 0)
        return;
    const struct tq_msg **v = malloc((t->lad.msgs.n + 1) * sizeof *v);
    if (!v)
        abort();
    for (size_t i = 0; i < t->lad.msgs.n; i++)
        v[i] = &t->lad.msgs.v[i];
    if (tui_raw_open(t, v, t->lad.msgs.n) == 0)
        t->screen = TUI_RAW;
    free(v);
}

static void change_sort(struct tui *t, int step)
{
    struct tui_list *l = &t->list;
    int i = 0;
    while (i < TQ_NCOLS && l->order[i] != l->sort)
        i++;
    for (int k = 0; k < TQ_NCOLS; k++) {
        i = (i + step + TQ_NCOLS) % TQ_NCOLS;
        if (l->show[l->order[i]])
            break;
    }
    l->sort = l->order[i];
    l->sort_at = tui_now() + 0.4; /* applied once the keys stop: each sort may scan the list */
    tui_message(t, "sort by %s", tq_col_title(l->sort));
}

/* F5: like sngrep's "clear list", without deleting history: shows calls newer than now only. */
static void clear_list(struct tui *t)
{
    struct tui_list *l = &t->list;
    l->f.min_id = tq_max_id(l->q);
    l->nsel = 0;
    tui_list_apply(t);
    tui_message(t, "list cleared (history kept; new calls still appear)");
}

static bool move_key(struct tui_list *l, int ch)
{
    int64_t h = page_rows();
    switch (ch) {
    case KEY_UP:
    case 'k':
        l->cursor--;
        break;
    case KEY_DOWN:
    case 'j':
        l->cursor++;
        break;
    case KEY_PPAGE:
    case KEY_CTRL('b'):
        l->cursor -= h;
        l->top -= h;
        break;
    case KEY_NPAGE:
    case KEY_CTRL('f'):
        l->cursor += h;
        l->top += h;
        break;
    case KEY_HOME:
    case 'g':
        l->cursor = 0;
        break;
    case KEY_END:
    case 'G':
        l->cursor = l->total - 1;
        break;
    default:
        return false;
    }
    clamp(l);
    return true;
}

static void select_key(struct tui *t)
{
    struct tui_list *l = &t->list;
    ensure(l);
    int64_t id = id_at(l, l->cursor);
    if (id)
        toggle_selected(l, id);
    l->cursor++;
    clamp(l);
}

static void toggle_pause(struct tui *t)
{
    if (!t->live.running) {
        tui_message(t, "not a live capture: nothing to pause");
        return;
    }
    bool paused = !atomic_load(&t->live.paused);
    atomic_store(&t->live.paused, paused);
    tui_message(t, paused ? "capture paused: packets are not stored until p again"
                          : "capture resumed");
}

/* Keys that change the list itself (sort, selection, clear, pause). Returns false if not one. */
static bool list_change_key(struct tui *t, int ch)
{
    struct tui_list *l = &t->list;
    switch (ch) {
    case ' ':
        select_key(t);
        break;
    case KEY_F(5):
        clear_list(t);
        break;
    case '<':
    case '>':
        change_sort(t, ch == '<' ? -1 : 1);
        break;
    case 'z':
        l->desc = !l->desc;
        l->sort_at = tui_now() + 0.4;
        break;
    case 'A':
        l->nsel = 0;
        tui_message(t, "selection cleared");
        break;
    case 'p':
        toggle_pause(t);
        break;
    default:
        return false;
    }
    return true;
}

void tui_list_key(struct tui *t, int ch)
{
    struct tui_list *l = &t->list;
    if (move_key(l, ch) || list_change_key(t, ch))
        return;
    switch (ch) {
    case 'q':
    case 'Q':
    case 27:
        t->quit = true;
        break;
    case '\r':
    case '\n':
    case KEY_ENTER:
    case KEY_F(4):
    case 'x':
        open_ladder(t, ch == KEY_F(4) || ch == 'x');
        break;
    case KEY_F(6):
    case 'R':
        open_raw(t);
        break;
    case KEY_F(3):
    case '/':
        l->searching = true;
        snprintf(l->search_save, sizeof l->search_save, "%s", l->f.search);
        break;
    case KEY_F(7):
    case 'f':
        tui_filter_open(t);
        break;
    case KEY_F(10):
    case 'c':
        t->dialog = TUI_DLG_COLUMNS;
        t->col_focus = 0;
        break;
    case KEY_F(2):
    case 's':
        tui_save_open(t);
        break;
    case KEY_F(9):
    case 'S':
        if (tui_stats_open(t, l->f.captures, l->f.ncaptures) == 0)
            t->screen = TUI_RAW;
        break;
    default:
        break;
    }
}

/* The header line: source, counts, active filter. */
void tui_list_header(struct tui *t)
{
    char buf[512];
    const struct tui_list *l = &t->list;
    const struct tq_filter *f = &l->f;
    bool filtered = is_filtered(l) || f->min_id;
    char live[160] = "";
    if (t->live.running) {
        struct cap_live_stats st;
        cap_live_peek(t->live.cap, &st); /* atomics: safe while the capture thread runs */
        char why[96];
        if (st.ring_drops + st.kernel_drops + st.if_drops)
            snprintf(why, sizeof why, "r%llu k%llu i%llu", (unsigned long long)st.ring_drops,
                     (unsigned long long)st.kernel_drops, (unsigned long long)st.if_drops);
        else
            snprintf(why, sizeof why, "0");
        /* "drops 0", else by where: ring (sipscope), kernel, interface */
        snprintf(live, sizeof live, " | %llu pkts%s%s drops %s",
                 (unsigned long long)atomic_load(&t->live.frames),
                 atomic_load(&t->live.paused) ? " PAUSED" : "",
                 atomic_load(&t->live.failed) ? " STORE ERROR" : "", why);
    }
    if (t->hep) {
        uint64_t pk, st, ag;
        bool failed;
        hep_bg_counts(t->hep, &pk, &st, &ag, &failed);
        snprintf(live, sizeof live, " | %llu hep pkts, %llu sip stored, %llu agent%s%s",
                 (unsigned long long)pk, (unsigned long long)st, (unsigned long long)ag,
                 ag == 1 ? "" : "s", failed ? " STORE ERROR" : "");
    }
    snprintf(buf, sizeof buf, " sipscope | %lld/%lld calls | filter %s%s%s | %s%s",
             (long long)l->total, (long long)l->all, filtered ? "on" : "none",
             f->search[0] ? " /" : "", f->search, t->source, live);
    tui_put(t, 0, 0, COLS, buf, tui_attr(t, TP_HEADER), true);
}

/* Import progress in the footer: files done, calls so far, elapsed. */
void tui_list_progress(struct tui *t)
{
    int done = 0;
    int64_t calls = 0;
    tq_import_progress(t->db, t->cli->files, (size_t)t->cli->nfiles, &done, &calls);
    char buf[256];
    int bw = 20, fill = t->cli->nfiles ? bw * done / t->cli->nfiles : 0;
    char bar[32];
    for (int i = 0; i < bw; i++)
        bar[i] = i < fill ? '#' : (i == fill ? '>' : '.');
    bar[bw] = '\0';
    snprintf(buf, sizeof buf, " importing [%s] %d/%d files, %lld calls, %.0f s", bar, done,
             t->cli->nfiles, (long long)calls, tui_now() - t->imp.t0);
    tui_put(t, LINES - 1, 0, COLS, buf, tui_attr(t, TP_KEY), true);
}
