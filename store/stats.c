/* stats.c: statistics over the history (stats.h): message counts from capture_stats for captures
 * wholly inside the window; for the others, the messages of the capture's message_spans that
 * overlap the window (rowid ranges); call figures from calls (indexed by start_ns). Each
 * statement is prepared once and rebound. */
#include "store/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/schema.sql.h"

/* capture_stats and its index in a file made before they existed (a no-op otherwise). */
static int ensure_schema(struct db *db, char *err, size_t errlen)
{
    return db->readonly ? 0 : db_exec(db, SCHEMA_CAPTURE_STATS, err, errlen);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("sipscope: out of memory\n", stderr);
        abort();
    }
    return q;
}

/* A string -> count map: entries in an array, found through an open-addressing index. */
struct smap {
    struct st_count *v;
    size_t n, cap;
    size_t *slot; /* index + 1 into v; 0 = empty */
    size_t nslot; /* power of two */
};

static uint64_t hash_str(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

static size_t *find_slot(const struct smap *m, const char *key, size_t len)
{
    size_t i = (size_t)hash_str(key, len) & (m->nslot - 1);
    for (;;) {
        size_t e = m->slot[i];
        if (e == 0)
            return &m->slot[i];
        const struct st_count *c = &m->v[e - 1];
        if (c->len == len && memcmp(c->key, key, len) == 0)
            return &m->slot[i];
        i = (i + 1) & (m->nslot - 1);
    }
}

static void smap_grow(struct smap *m)
{
    free(m->slot);
    m->nslot = m->nslot ? m->nslot * 2 : 64;
    m->slot = xrealloc(NULL, m->nslot * sizeof *m->slot);
    memset(m->slot, 0, m->nslot * sizeof *m->slot);
    for (size_t e = 0; e < m->n; e++)
        *find_slot(m, m->v[e].key, m->v[e].len) = e + 1;
}

static void smap_add(struct smap *m, const char *key, size_t len, int64_t count)
{
    if (2 * (m->n + 1) > m->nslot)
        smap_grow(m);
    size_t *s = find_slot(m, key, len);
    if (*s) {
        m->v[*s - 1].count += count;
        return;
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 16;
        m->v = xrealloc(m->v, m->cap * sizeof *m->v);
    }
    char *k = xrealloc(NULL, len + 1);
    memcpy(k, key, len);
    k[len] = '\0';
    m->v[m->n] = (struct st_count){.key = k, .len = len, .count = count};
    *s = ++m->n;
}

static int by_count(const void *a, const void *b)
{
    const struct st_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Hands the entries over, sorted by count then key; frees the index. */
static struct st_count *smap_take(struct smap *m, size_t *n)
{
    if (m->n)
        qsort(m->v, m->n, sizeof *m->v, by_count);
    *n = m->n;
    free(m->slot);
    struct st_count *v = m->v;
    memset(m, 0, sizeof *m);
    return v;
}

/* Everything gathered while counting. */
struct acc {
    struct db *db;
    struct st_result *r;
    struct smap methods, uas, states;
    int64_t lo, hi; /* window, inclusive */
    int64_t *setup;
    size_t nsetup, capsetup;
    char *err;
    size_t errlen;
};

static int fail(struct acc *a, const char *what, sqlite3_stmt *st)
{
    db_error(a->db, what, a->err, a->errlen);
    sqlite3_finalize(st);
    return -1;
}

static void add_text(struct smap *m, sqlite3_stmt *st, int col, int64_t n)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    if (t)
        smap_add(m, t, (size_t)sqlite3_column_bytes(st, col), n);
}

static void add_status(struct st_result *r, sqlite3_int64 code, int64_t n)
{
    if (code >= 0 && code < ST_CODES)
        r->status[code] += n;
}

/* Adds one capture's capture_stats rows. */
static int sum_capture(struct acc *a, sqlite3_stmt *st, int64_t capture)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, capture);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(st, 0);
        int64_t n = sqlite3_column_int64(st, 2);
        if (!kind)
            continue;
        if (strcmp(kind, "messages") == 0)
            a->r->messages += n;
        else if (strcmp(kind, "status") == 0)
            add_status(a->r, sqlite3_column_int64(st, 1), n);
        else if (strcmp(kind, "method") == 0)
            add_text(&a->methods, st, 1, n);
        else if (strcmp(kind, "ua") == 0)
            add_text(&a->uas, st, 1, n);
    }
    a->r->captures_summed++;
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Counts one capture's messages inside the window, one by one (counted here: an SQL GROUP BY
 * sorts, which costs four times the scan). */
static int scan_capture(struct acc *a, sqlite3_stmt *st, int64_t capture)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, capture);
    sqlite3_bind_int64(st, 2, a->lo);
    sqlite3_bind_int64(st, 3, a->hi);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        a->r->messages++;
        if (sqlite3_column_type(st, 0) != SQLITE_NULL)
            add_status(a->r, sqlite3_column_int64(st, 0), 1);
        add_text(&a->methods, st, 1, 1);
        add_text(&a->uas, st, 2, 1);
    }
    a->r->captures_scanned++;
    return rc == SQLITE_DONE ? 0 : -1;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Ascending, without duplicates: the same file given twice is counted once. */
static int64_t *unique_ids(const int64_t *ids, size_t n, size_t *out)
{
    int64_t *v = xrealloc(NULL, n * sizeof *v);
    if (n)
        memcpy(v, ids, n * sizeof *v);
    if (n)
        qsort(v, n, sizeof *v, cmp_i64);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k == 0 || v[k - 1] != v[i])
            v[k++] = v[i];
    }
    *out = k;
    return v;
}

static bool in_scope(const int64_t *ids, size_t n, int64_t id)
{
    return n == 0 || bsearch(&id, ids, n, sizeof *ids, cmp_i64) != NULL;
}

static const char SQL_CAPTURES[] =
    "SELECT id,first_ns,last_ns,EXISTS(SELECT 1 FROM capture_stats s WHERE s.capture=c.id AND "
    "s.kind='messages') FROM captures c ORDER BY id";
static const char SQL_SUM[] = "SELECT kind,key,count FROM capture_stats WHERE capture=?1";
static const char SQL_SCAN[] =
    "SELECT m.status,m.method,m.ua FROM message_spans s CROSS JOIN messages m"
    " ON m.id BETWEEN s.first_id AND s.last_id WHERE s.capture=?1 AND s.max_ts>=?2"
    " AND s.min_ts<=?3 AND m.capture=?1 AND m.ts_ns BETWEEN ?2 AND ?3";

/* Counts one capture: from its stored counts when it lies wholly inside the window, skipped when
 * wholly outside, else message by message. */
static int count_capture(struct acc *a, sqlite3_stmt *caps, sqlite3_stmt *sum, sqlite3_stmt *scan)
{
    int64_t id = sqlite3_column_int64(caps, 0);
    bool span =
        sqlite3_column_type(caps, 1) != SQLITE_NULL && sqlite3_column_type(caps, 2) != SQLITE_NULL;
    int64_t first = sqlite3_column_int64(caps, 1), last = sqlite3_column_int64(caps, 2);
    bool summed = sqlite3_column_int(caps, 3) != 0;
    if (span && (last < a->lo || first > a->hi))
        return 0;
    if (span && summed && first >= a->lo && last <= a->hi)
        return sum_capture(a, sum, id);
    return scan_capture(a, scan, id);
}

static int count_messages(struct acc *a, const int64_t *ids, size_t nids)
{
    char *e = a->err;
    size_t el = a->errlen;
    sqlite3_stmt *caps = NULL, *sum = NULL, *scan = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(a->db->h, SQL_CAPTURES, -1, &caps, NULL) != SQLITE_OK ||
        !(sum = db_prepare(a->db, SQL_SUM, e, el)) || !(scan = db_prepare(a->db, SQL_SCAN, e, el)))
        goto out;
    int step;
    while ((step = sqlite3_step(caps)) == SQLITE_ROW) {
        if (in_scope(ids, nids, sqlite3_column_int64(caps, 0)) &&
            count_capture(a, caps, sum, scan) < 0)
            break;
    }
    rc = step == SQLITE_DONE ? 0 : -1;
out:
    if (rc < 0 && !e[0])
        db_error(a->db, "statistics: messages", e, el);
    sqlite3_finalize(caps);
    sqlite3_finalize(sum);
    sqlite3_finalize(scan);
    return rc;
}

static void add_call(struct acc *a, sqlite3_stmt *st)
{
    const char *method = (const char *)sqlite3_column_text(st, 0);
    const char *state = (const char *)sqlite3_column_text(st, 1);
    a->r->calls++;
    smap_add(&a->states, state ? state : "unknown", state ? strlen(state) : 7, 1);
    if (!method || strcmp(method, "INVITE") != 0)
        return;
    if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
        int fs = sqlite3_column_int(st, 2);
        a->r->invite_final++;
        a->r->invite_answered += fs >= 200 && fs <= 299;
    }
    if (sqlite3_column_type(st, 3) == SQLITE_NULL || sqlite3_column_type(st, 4) == SQLITE_NULL)
        return;
    int64_t invite = sqlite3_column_int64(st, 3), ring = sqlite3_column_int64(st, 4);
    if (ring < invite)
        return;
    if (a->nsetup == a->capsetup) {
        a->capsetup = a->capsetup ? 2 * a->capsetup : 1024;
        a->setup = xrealloc(a->setup, a->capsetup * sizeof *a->setup);
    }
    a->setup[a->nsetup++] = ring - invite;
}

static const char SQL_CALLS[] = "SELECT method,state,final_status,invite_ns,ring_ns FROM calls"
                                " WHERE start_ns BETWEEN ?1 AND ?2";
static const char SQL_CALLS_CAP[] = "SELECT method,state,final_status,invite_ns,ring_ns FROM calls"
                                    " WHERE capture=?3 AND start_ns BETWEEN ?1 AND ?2";

/* Calls whose first message lies in the window: of every capture, or of each capture in ids. */
static int count_calls(struct acc *a, const int64_t *ids, size_t nids)
{
    sqlite3_stmt *st = NULL;
    const char *sql = nids ? SQL_CALLS_CAP : SQL_CALLS;
    if (sqlite3_prepare_v2(a->db->h, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(a, "statistics: calls", st);
    for (size_t i = 0; i < (nids ? nids : 1); i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, a->lo);
        sqlite3_bind_int64(st, 2, a->hi);
        if (nids)
            sqlite3_bind_int64(st, 3, ids[i]);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            add_call(a, st);
        if (rc != SQLITE_DONE)
            return fail(a, "statistics: calls", st);
    }
    sqlite3_finalize(st);
    return 0;
}

/* Nearest-rank percentile p (1..100) of the sorted v[0..n-1], n > 0. */
static int64_t percentile(const int64_t *v, size_t n, unsigned p)
{
    size_t rank = (size_t)((p * (uint64_t)n + 99) / 100); /* ceil(p/100 * n) */
    return v[rank ? rank - 1 : 0];
}

static void finish(struct acc *a)
{
    struct st_result *r = a->r;
    r->methods = smap_take(&a->methods, &r->nmethods);
    r->uas = smap_take(&a->uas, &r->nuas);
    r->states = smap_take(&a->states, &r->nstates);
    r->nsetup = (int64_t)a->nsetup;
    if (a->nsetup) {
        qsort(a->setup, a->nsetup, sizeof *a->setup, cmp_i64);
        r->p50_ns = percentile(a->setup, a->nsetup, 50);
        r->p90_ns = percentile(a->setup, a->nsetup, 90);
        r->p99_ns = percentile(a->setup, a->nsetup, 99);
    }
    free(a->setup);
}

int st_collect(struct db *db, const struct st_scope *s, struct st_result *r, char *err,
               size_t errlen)
{
    memset(r, 0, sizeof *r);
    err[0] = '\0';
    struct acc a = {
        .db = db,
        .r = r,
        .lo = s->since_ns ? s->since_ns : INT64_MIN,
        .hi = s->until_ns ? s->until_ns : INT64_MAX,
        .err = err,
        .errlen = errlen,
    };
    size_t nids = 0;
    int64_t *ids = unique_ids(s->captures, s->ncaptures, &nids);
    int rc = -1;
    /* one read transaction: every figure from the same snapshot, even while an import runs */
    if (ensure_schema(db, err, errlen) < 0) {
        /* err says why */
    } else if (sqlite3_exec(db->h, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) {
        rc = count_messages(&a, ids, nids);
        if (rc == 0)
            rc = count_calls(&a, ids, nids);
        if (rc == 0)
            rc = st_collect_rtp(db, a.lo, a.hi, ids, nids, &r->rtp, err, errlen);
        sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
    } else {
        db_error(db, "statistics", err, errlen);
    }
    finish(&a);
    free(ids);
    return rc;
}

static const char SQL_PUT[] =
    "INSERT OR REPLACE INTO capture_stats(capture,kind,key,count) VALUES(?1,?2,?3,?4)";

/* One capture_stats row; key is text (len bytes), or the integer code when text is NULL. */
static int put_row(sqlite3_stmt *st, const char *kind, const char *text, size_t len, int64_t code,
                   int64_t n)
{
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    if (text)
        sqlite3_bind_text(st, 3, text, (int)len, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 3, code);
    sqlite3_bind_int64(st, 4, n);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Writes r's message counts as capture's rows. */
static int put_rows(struct db *db, int64_t capture, const struct st_result *r, char *err,
                    size_t errlen)
{
    sqlite3_stmt *st = db_prepare(db, SQL_PUT, err, errlen);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, capture);
    int bad = put_row(st, "messages", "", 0, 0, r->messages);
    for (int64_t code = 0; code < ST_CODES && !bad; code++) {
        if (r->status[code])
            bad = put_row(st, "status", NULL, 0, code, r->status[code]);
    }
    for (size_t i = 0; i < r->nmethods && !bad; i++)
        bad = put_row(st, "method", r->methods[i].key, r->methods[i].len, 0, r->methods[i].count);
    for (size_t i = 0; i < r->nuas && !bad; i++)
        bad = put_row(st, "ua", r->uas[i].key, r->uas[i].len, 0, r->uas[i].count);
    if (bad)
        db_error(db, "capture statistics", err, errlen);
    sqlite3_finalize(st);
    return bad ? -1 : 0;
}

/* Counts a capture's stored messages into capture_stats (when the tally gave up). */
static int scan_store(struct db *db, int64_t capture, char *err, size_t errlen)
{
    struct st_result r;
    memset(&r, 0, sizeof r);
    struct acc a = {
        .db = db, .r = &r, .lo = INT64_MIN, .hi = INT64_MAX, .err = err, .errlen = errlen};
    sqlite3_stmt *scan = db_prepare(db, SQL_SCAN, err, errlen);
    int rc = scan ? scan_capture(&a, scan, capture) : -1;
    if (rc < 0 && scan)
        db_error(db, "capture statistics", err, errlen);
    sqlite3_finalize(scan);
    finish(&a);
    if (rc == 0)
        rc = put_rows(db, capture, &r, err, errlen);
    st_result_free(&r);
    return rc;
}

#define TALLY_MAX_VALUES 100000 /* distinct methods or User-Agents kept in memory per capture */

struct st_tally {
    struct st_result r; /* messages and status[] */
    struct smap methods, uas;
    bool overflow; /* too many distinct values: count from the table at the end instead */
};

struct st_tally *st_tally_new(void)
{
    struct st_tally *t = xrealloc(NULL, sizeof *t);
    memset(t, 0, sizeof *t);
    return t;
}

static void smap_free(struct smap *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].key);
    free(m->v);
    free(m->slot);
    memset(m, 0, sizeof *m);
}

void st_tally_reset(struct st_tally *t)
{
    smap_free(&t->methods);
    smap_free(&t->uas);
    memset(t, 0, sizeof *t);
}

void st_tally_free(struct st_tally *t)
{
    if (t)
        st_tally_reset(t);
    free(t);
}

void st_tally_add(struct st_tally *t, unsigned status, const char *method, size_t mlen,
                  const char *ua, size_t ualen)
{
    t->r.messages++;
    if (status)
        add_status(&t->r, status, 1);
    if (t->overflow)
        return;
    if (t->methods.n >= TALLY_MAX_VALUES || t->uas.n >= TALLY_MAX_VALUES) {
        t->overflow = true;
        return;
    }
    if (mlen)
        smap_add(&t->methods, method, mlen, 1);
    if (ualen)
        smap_add(&t->uas, ua, ualen, 1);
}

int st_tally_store(struct st_tally *t, struct db *db, int64_t capture, char *err, size_t errlen)
{
    err[0] = '\0';
    int rc = ensure_schema(db, err, errlen);
    if (rc == 0 && t->overflow) {
        rc = scan_store(db, capture, err, errlen);
    } else if (rc == 0) {
        t->r.methods = smap_take(&t->methods, &t->r.nmethods);
        t->r.uas = smap_take(&t->uas, &t->r.nuas);
        rc = put_rows(db, capture, &t->r, err, errlen);
        st_result_free(&t->r);
    }
    st_tally_reset(t);
    return rc;
}

void st_result_free(struct st_result *r)
{
    struct st_count *lists[] = {r->methods, r->uas, r->states};
    size_t ns[] = {r->nmethods, r->nuas, r->nstates};
    for (size_t l = 0; l < 3; l++) {
        for (size_t i = 0; i < ns[l]; i++)
            free(lists[l][i].key);
        free(lists[l]);
    }
    memset(r, 0, sizeof *r);
}
