/* tui_raw.c: the text screens: the raw view (every message of the selected calls as captured,
 * escaped for the terminal), the side-by-side diff of two messages (line LCS), the statistics. */
#include "ui/tui.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/sip_codes.h"
#include "dissect/xalloc.h"
#include "store/stats.h"
#include "store/tunnel_store.h"

#define DIFF_MAX_LINES 512

char *tui_raw_read(struct tui *t, const struct tq_msg *m, size_t *len)
{
    if (m->raw_len <= 0 || m->raw_len > (64 << 20) || m->raw_off < 0)
        return NULL;
    size_t n = (size_t)m->raw_len;
    char *buf = malloc(n + 1);
    if (!buf)
        abort();
    if (db_spool_read(t->db, (uint64_t)m->raw_off, buf, n) < 0) {
        free(buf);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\0')
            buf[i] = '?';
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

void tui_text_free(struct tui *t)
{
    struct tui_text *x = &t->text;
    for (size_t i = 0; i < x->n; i++) {
        free(x->l[i].s);
        if (x->r)
            free(x->r[i].s);
    }
    free(x->l);
    free(x->r);
    x->l = x->r = NULL;
    x->n = x->cap = x->top = 0;
}

/* Appends a line (s owned by the text from now on) to the left side, or a pair for a diff. */
static void push(struct tui_text *x, char *l, int lp, char *r, int rp, bool pair)
{
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 128;
        x->l = realloc(x->l, x->cap * sizeof *x->l);
        if (!x->l)
            abort();
        if (pair) {
            x->r = realloc(x->r, x->cap * sizeof *x->r);
            if (!x->r)
                abort();
        }
    }
    x->l[x->n] = (struct tui_textline){l, lp};
    if (pair)
        x->r[x->n] = (struct tui_textline){r, rp};
    x->n++;
}

/* Splits raw text into printable lines (CR LF or LF), calling fn for each. */
static size_t split_lines(const char *raw, char **out, size_t max)
{
    size_t n = 0;
    for (const char *line = raw; line && *line && n < max;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len && line[len - 1] == '\r')
            len--;
        out[n++] = tui_printable(line, len);
        line = nl ? nl + 1 : NULL;
    }
    return n;
}

static void message_title(char *buf, size_t n, const struct tq_msg *m, size_t k)
{
    char clock[32];
    tui_clock(clock, sizeof clock, m->ts_ns, 6);
    snprintf(buf, n, "-- [%zu] %s  %s -> %s  %s  frame %lld%s --", k + 1, clock,
             m->src ? m->src : "?", m->dst ? m->dst : "?", m->transport ? m->transport : "",
             (long long)m->frame, (m->flags & DB_MSG_RETRANS) ? "  retransmission" : "");
}

/* The HEP agent that sent message id to a collector (hep_messages), as one line; 0 when none. */
int tui_raw_agent(struct db *db, int64_t id, char *buf, size_t n)
{
    sqlite3_stmt *st = db_optional_row(db,
                                       "SELECT agent_id, agent_name, peer, version"
                                       " FROM hep_messages WHERE message = ?",
                                       id);
    if (!st)
        return 0;
    const unsigned char *name = sqlite3_column_text(st, 1), *peer = sqlite3_column_text(st, 2);
    snprintf(buf, n, "HEPv%d agent %s (id %lld) from %s", sqlite3_column_int(st, 3),
             name ? (const char *)name : "-", (long long)sqlite3_column_int64(st, 0),
             peer ? (const char *)peer : "?");
    sqlite3_finalize(st);
    return 1;
}

int tui_raw_open(struct tui *t, const struct tq_msg *const *msgs, size_t n)
{
    struct tui_text *x = &t->text;
    tui_text_free(t);
    x->back = t->screen;
    snprintf(x->title, sizeof x->title, " Raw: %zu message%s", n, n == 1 ? "" : "s");
    for (size_t k = 0; k < n; k++) {
        char title[512];
        message_title(title, sizeof title, msgs[k], k);
        char *p = tui_printable(title, strlen(title));
        push(x, p, tui_code_pair(msgs[k]->status), NULL, 0, false);
        char outer[256];
        if (tunnel_store_describe(t->db, msgs[k]->id, outer, sizeof outer))
            push(x, tui_printable(outer, strlen(outer)), TP_DIM, NULL, 0, false);
        if (tui_raw_agent(t->db, msgs[k]->id, outer, sizeof outer))
            push(x, tui_printable(outer, strlen(outer)), TP_DIM, NULL, 0, false);
        size_t len;
        char *raw = tui_raw_read(t, msgs[k], &len);
        if (!raw) {
            push(x, xstrdup("(raw bytes not readable from the spool)"), TP_DIM, NULL, 0, false);
            continue;
        }
        char *lines[4096];
        size_t nl = split_lines(raw, lines, 4096);
        for (size_t i = 0; i < nl; i++)
            push(x, lines[i], TP_NONE, NULL, 0, false);
        push(x, xstrdup(""), TP_NONE, NULL, 0, false);
        free(raw);
    }
    return 0;
}

/* Longest common subsequence table of a (na) and b (nb), (na+1)*(nb+1) entries. */
static unsigned *lcs(char **a, size_t na, char **b, size_t nb)
{
    unsigned *c = calloc((na + 1) * (nb + 1), sizeof *c);
    if (!c)
        abort();
    for (size_t i = na; i-- > 0;) {
        for (size_t j = nb; j-- > 0;) {
            unsigned *cell = &c[i * (nb + 1) + j];
            if (strcmp(a[i], b[j]) == 0)
                *cell = c[(i + 1) * (nb + 1) + j + 1] + 1;
            else {
                unsigned d = c[(i + 1) * (nb + 1) + j], r = c[i * (nb + 1) + j + 1];
                *cell = d > r ? d : r;
            }
        }
    }
    return c;
}

/* Walks the LCS: equal lines side by side; a run of removed lines beside the added ones. */
static void align(struct tui_text *x, char **a, size_t na, char **b, size_t nb)
{
    unsigned *c = lcs(a, na, b, nb);
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        if (i < na && j < nb && strcmp(a[i], b[j]) == 0) {
            push(x, a[i++], TP_NONE, b[j++], TP_NONE, true);
            continue;
        }
        size_t di = i, dj = j; /* the run of differences up to the next common line */
        while ((di < na || dj < nb) && !(di < na && dj < nb && strcmp(a[di], b[dj]) == 0)) {
            if (dj >= nb || (di < na && c[(di + 1) * (nb + 1) + dj] >= c[di * (nb + 1) + dj + 1]))
                di++;
            else
                dj++;
        }
        while (i < di || j < dj) {
            char *l = i < di ? a[i++] : xstrdup("");
            char *r = j < dj ? b[j++] : xstrdup("");
            push(x, l, l[0] ? TP_DEL : TP_NONE, r, r[0] ? TP_ADD : TP_NONE, true);
        }
    }
    free(c);
}

int tui_diff_open(struct tui *t, const struct tq_msg *a, const struct tq_msg *b)
{
    size_t la, lb;
    char *ra = tui_raw_read(t, a, &la), *rb = tui_raw_read(t, b, &lb);
    if (!ra || !rb) {
        free(ra);
        free(rb);
        tui_message(t, "raw bytes not readable from the spool");
        return -1;
    }
    struct tui_text *x = &t->text;
    tui_text_free(t);
    x->back = t->screen;
    char **va = malloc(DIFF_MAX_LINES * sizeof *va), **vb = malloc(DIFF_MAX_LINES * sizeof *vb);
    if (!va || !vb)
        abort();
    size_t na = split_lines(ra, va, DIFF_MAX_LINES), nb = split_lines(rb, vb, DIFF_MAX_LINES);
    align(x, va, na, vb, nb);
    if (!x->r) { /* two empty messages: keep the pair arrays consistent */
        push(x, xstrdup(""), TP_NONE, xstrdup(""), TP_NONE, true);
    }
    snprintf(x->title, sizeof x->title, " Diff: %s -> %s (left)  vs  %s -> %s (right)",
             a->src ? a->src : "?", a->dst ? a->dst : "?", b->src ? b->src : "?",
             b->dst ? b->dst : "?");
    free(va);
    free(vb);
    free(ra);
    free(rb);
    return 0;
}

void tui_text_draw(struct tui *t)
{
    struct tui_text *x = &t->text;
    tui_put(t, 0, 0, COLS, x->title, tui_attr(t, TP_HEADER), true);
    int h = LINES - 2;
    if (x->n > (size_t)h && x->top > x->n - (size_t)h)
        x->top = x->n - (size_t)h;
    int half = (COLS - 1) / 2;
    for (int y = 0; y < h && x->top + (size_t)y < x->n; y++) {
        size_t i = x->top + (size_t)y;
        if (!x->r) {
            tui_put(t, 1 + y, 0, COLS, x->l[i].s, tui_attr(t, x->l[i].pair), false);
            continue;
        }
        tui_put(t, 1 + y, 0, half, x->l[i].s, tui_attr(t, x->l[i].pair), true);
        mvaddch(1 + y, half, ACS_VLINE);
        tui_put(t, 1 + y, half + 1, COLS - half - 1, x->r[i].s, tui_attr(t, x->r[i].pair), false);
    }
}

void tui_text_key(struct tui *t, int ch)
{
    struct tui_text *x = &t->text;
    size_t page = LINES > 3 ? (size_t)LINES - 2 : 1;
    switch (ch) {
    case KEY_UP:
    case 'k':
        x->top = x->top ? x->top - 1 : 0;
        break;
    case KEY_DOWN:
    case 'j':
        if (x->top + page < x->n)
            x->top++;
        break;
    case KEY_PPAGE:
        x->top = x->top > page ? x->top - page : 0;
        break;
    case KEY_NPAGE:
    case ' ':
        x->top = x->top + page < x->n ? x->top + page : x->top;
        break;
    case KEY_HOME:
    case 'g':
        x->top = 0;
        break;
    case KEY_END:
    case 'G':
        x->top = x->n > page ? x->n - page : 0;
        break;
    case 'q':
    case 'Q':
    case 27:
        t->screen = x->back;
        break;
    default:
        break;
    }
}

static void pushf(struct tui_text *x, int pair, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void pushf(struct tui_text *x, int pair, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    push(x, tui_printable(buf, strlen(buf)), pair, NULL, 0, false);
}

static void stats_counts(struct tui_text *x, const char *title, const struct st_count *v, size_t n,
                         size_t max)
{
    pushf(x, TP_TITLE, "%s", title);
    for (size_t i = 0; i < n && i < max; i++)
        pushf(x, TP_NONE, "  %-40.*s %10lld", (int)(v[i].len < 40 ? v[i].len : 40), v[i].key,
              (long long)v[i].count);
    pushf(x, TP_NONE, "%s", "");
}

static void stats_lines(struct tui_text *x, const struct st_result *r)
{
    pushf(x, TP_NONE, "SIP messages %lld, calls %lld", (long long)r->messages, (long long)r->calls);
    if (r->invite_final)
        pushf(x, TP_NONE, "Answer-seizure ratio %.1f %% (%lld of %lld INVITE calls answered)",
              100.0 * (double)r->invite_answered / (double)r->invite_final,
              (long long)r->invite_answered, (long long)r->invite_final);
    if (r->nsetup)
        pushf(x, TP_NONE, "Setup time p50 %.3f s  p90 %.3f s  p99 %.3f s  (%lld calls)",
              (double)r->p50_ns / 1e9, (double)r->p90_ns / 1e9, (double)r->p99_ns / 1e9,
              (long long)r->nsetup);
    pushf(x, TP_NONE, "%s", "");
    pushf(x, TP_TITLE, "%s", "Responses (code, reason, class, messages)");
    for (unsigned c = 0; c < ST_CODES; c++) {
        if (!r->status[c])
            continue;
        const struct sip_code_info *ci = sip_code_lookup(c);
        const char *cls = sip_code_class(c);
        pushf(x, tui_code_pair((int)c), "  %3u %-34s %-4s %10lld", c, ci ? ci->reason : "",
              cls ? cls : "?", (long long)r->status[c]);
    }
    pushf(x, TP_NONE, "%s", "");
    stats_counts(x, "Requests (method, messages)", r->methods, r->nmethods, 64);
    stats_counts(x, "Calls by state", r->states, r->nstates, 64);
    stats_counts(x, "Top User-Agents / Servers", r->uas, r->nuas, 20);
}

int tui_stats_open(struct tui *t, const int64_t *captures, size_t n)
{
    struct st_scope s = {.captures = captures, .ncaptures = n};
    struct st_result r;
    char err[1024];
    if (st_collect(t->db, &s, &r, err, sizeof err) < 0) {
        st_result_free(&r);
        tui_message(t, "%s", err);
        return -1;
    }
    struct tui_text *x = &t->text;
    tui_text_free(t);
    x->back = t->screen;
    snprintf(x->title, sizeof x->title, " Statistics (the figures of sipscope stats)");
    stats_lines(x, &r);
    st_result_free(&r);
    return 0;
}
