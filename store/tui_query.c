/* tui_query.c: call-list paging for the UI by keyset over any sort column (filters in SQL, so a
 * million calls page as fast as ten), and the ladder's messages with SDP summaries. */
#include "store/tui_query.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQL_MAX   8192
#define MAX_BINDS 300 /* up to 256 -r file names, the text fields, the search */

enum { ST_COUNT, ST_AT, ST_END, ST_AFTER, ST_BEFORE, ST_POS, ST_N };

struct tq {
    struct db *db;
    struct tq_filter f;
    sqlite3_stmt *st[ST_N];
    sqlite3_stmt *version, *maxid;
    sqlite3_stmt *fill; /* materialized order: refills temp.tq_order, NULL when keyset paging */
};

struct sqlb {
    char sql[SQL_MAX];
    size_t len;
    const char *texts[MAX_BINDS];
    int ntexts;
};

static const char *const methods[TQ_NMETHODS] = {"INVITE", "REGISTER", "OPTIONS", "SUBSCRIBE",
                                                 "NOTIFY", "MESSAGE",  "PUBLISH", "REFER",
                                                 "INFO",   "UPDATE",   "other"};

/* The HEP agent of the call whose id is ID: name, else numeric id, of its first message that
 * came from a collector (hep_messages; the table is made by the UI when missing). The messages
 * are seen through a derived table without an `id` column so that ID binds to the call. */
#define AGENT_OF(ID)                                                                               \
    "(SELECT coalesce(h.agent_name,CAST(h.agent_id AS TEXT)) FROM (SELECT id AS mid, call AS "     \
    "mcall FROM messages) AS m JOIN hep_messages h ON h.message=m.mid WHERE m.mcall=" ID           \
    " ORDER BY m.mid LIMIT 1)"

static const char *const titles[TQ_NCOLS] = {[TQ_COL_INDEX] = "Idx",
                                             [TQ_COL_START] = "Start",
                                             [TQ_COL_METHOD] = "Method",
                                             [TQ_COL_FROM] = "From",
                                             [TQ_COL_TO] = "To",
                                             [TQ_COL_SRC] = "Source",
                                             [TQ_COL_DST] = "Destination",
                                             [TQ_COL_MSGS] = "Msgs",
                                             [TQ_COL_STATE] = "State",
                                             [TQ_COL_STATUS] = "Final",
                                             [TQ_COL_DURATION] = "Duration",
                                             [TQ_COL_CALLID] = "Call-ID",
                                             [TQ_COL_TRANSPORT] = "Transport",
                                             [TQ_COL_MOS] = "MOS",
                                             [TQ_COL_LOST] = "Lost",
                                             [TQ_COL_AGENT] = "Agent"};

/* The SQL sort key of each column: never NULL, so keyset comparisons are total. */
static const char *const keys[TQ_NCOLS] = {
    [TQ_COL_INDEX] = "id",
    [TQ_COL_START] = "start_ns",
    [TQ_COL_METHOD] = "coalesce(method,'')",
    [TQ_COL_FROM] = "coalesce(from_uri,'')",
    [TQ_COL_TO] = "coalesce(to_uri,'')",
    [TQ_COL_SRC] = "coalesce(src,'')",
    [TQ_COL_DST] = "coalesce(dst,'')",
    [TQ_COL_MSGS] = "messages",
    [TQ_COL_STATE] = "coalesce(state,'')",
    [TQ_COL_STATUS] = "coalesce(final_status,0)",
    [TQ_COL_DURATION] = "(CASE WHEN answer_ns>0 AND bye_ns>0 THEN bye_ns-answer_ns ELSE -1 END)",
    [TQ_COL_CALLID] = "call_id",
    [TQ_COL_TRANSPORT] = "coalesce(transport,'')",
    [TQ_COL_MOS] = "coalesce((SELECT mos FROM call_media WHERE call_media.call=id),-1)",
    [TQ_COL_LOST] = "coalesce((SELECT lost FROM call_media WHERE call_media.call=id),-1)",
    [TQ_COL_AGENT] = "coalesce(" AGENT_OF("id") ",'')",
};

const char *tq_method_name(unsigned i)
{
    return i < TQ_NMETHODS ? methods[i] : "?";
}

const char *tq_col_title(enum tq_col c)
{
    return (unsigned)c < TQ_NCOLS ? titles[c] : "?";
}

static void add(struct sqlb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct sqlb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->sql + b->len, sizeof b->sql - b->len, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof b->sql - b->len)
        b->len += (size_t)n;
}

/* Adds a text bind; returns its parameter number (?N). */
static int bind_text(struct sqlb *b, const char *v)
{
    if (b->ntexts >= MAX_BINDS)
        return 0;
    b->texts[b->ntexts++] = v;
    return b->ntexts;
}

static void where_text(struct sqlb *b, const char *col, const char *v)
{
    if (!v[0])
        return;
    int n = bind_text(b, v);
    if (n)
        add(b, " AND instr(lower(coalesce(%s,'')),lower(?%d))", col, n);
}

static void where_captures(struct sqlb *b, const struct tq_filter *f)
{
    if (f->ncaptures) {
        add(b, " AND capture IN (");
        for (size_t i = 0; i < f->ncaptures; i++)
            add(b, "%s%lld", i ? "," : "", (long long)f->captures[i]);
        add(b, ")");
    } else if (f->nnames) {
        add(b, " AND capture IN (SELECT id FROM captures WHERE name IN (");
        for (size_t i = 0; i < f->nnames; i++)
            add(b, "%s?%d", i ? "," : "", bind_text(b, f->capture_names[i]));
        add(b, "))");
    }
}

static void where_methods(struct sqlb *b, unsigned m)
{
    unsigned all = (1u << TQ_NMETHODS) - 1;
    if ((m & all) == all)
        return;
    add(b, " AND (method IN ('-'");
    for (unsigned i = 0; i + 1 < TQ_NMETHODS; i++) {
        if (m & (1u << i))
            add(b, ",'%s'", methods[i]);
    }
    add(b, ")");
    if (m & (1u << (TQ_NMETHODS - 1))) {
        add(b, " OR method IS NULL OR method NOT IN ('-'");
        for (unsigned i = 0; i + 1 < TQ_NMETHODS; i++)
            add(b, ",'%s'", methods[i]);
        add(b, ")");
    }
    add(b, ")");
}

static void where_statuses(struct sqlb *b, unsigned s)
{
    if ((s & TQ_STATUS_ALL) == TQ_STATUS_ALL)
        return;
    add(b, " AND (%s final_status/100 IN (0", (s & 1) ? "coalesce(final_status,0)=0 OR" : "");
    for (int c = 2; c <= 6; c++) {
        if (s & (1u << c))
            add(b, ",%d", c);
    }
    add(b, "))");
}

static void build_where(struct sqlb *b, const struct tq_filter *f)
{
    add(b, " WHERE 1");
    where_captures(b, f);
    if (f->min_id > 0)
        add(b, " AND id>%lld", (long long)f->min_id);
    where_text(b, "from_uri", f->from);
    where_text(b, "to_uri", f->to);
    where_text(b, "src", f->src);
    where_text(b, "dst", f->dst);
    if (f->search[0]) {
        int n = bind_text(b, f->search);
        static const char *const cols[] = {"call_id", "from_uri", "to_uri", "src",
                                           "dst",     "method",   "state"};
        add(b, " AND (0");
        for (size_t i = 0; n && i < sizeof cols / sizeof cols[0]; i++)
            add(b, " OR instr(lower(coalesce(%s,'')),lower(?%d))", cols[i], n);
        add(b, ")");
    }
    where_methods(b, f->methods);
    where_statuses(b, f->statuses);
    if (f->match)
        add(b, " AND tq_match(id)");
}

#define ROW_COLS                                                                                   \
    "id,call_id,method,from_uri,to_uri,src,dst,state,transport,start_ns,end_ns,answer_ns,bye_ns,"  \
    "messages,final_status,(SELECT mos FROM call_media WHERE call_media.call=id),"                 \
    "(SELECT lost FROM call_media WHERE call_media.call=id)," AGENT_OF("id")
#define ROW_COLS_C                                                                                 \
    "c.id,c.call_id,c.method,c.from_uri,c.to_uri,c.src,c.dst,c.state,c.transport,c.start_ns,"      \
    "c.end_ns,c.answer_ns,c.bye_ns,c.messages,c.final_status,"                                     \
    "(SELECT mos FROM call_media WHERE call_media.call=c.id),"                                     \
    "(SELECT lost FROM call_media WHERE call_media.call=c.id)," AGENT_OF("c.id")
#define ORDER_JOIN " FROM temp.tq_order o JOIN calls c ON c.id=o.id"

/* Statement kind k over the materialized order (pos 1.. in list order). */
static void build_ordered(struct sqlb *b, int k)
{
    static const char *const sql[ST_N] = {
        [ST_COUNT] = "SELECT count(*) FROM temp.tq_order",
        [ST_AT] = "SELECT " ROW_COLS_C ORDER_JOIN " WHERE o.pos>:off ORDER BY o.pos LIMIT :lim",
        [ST_END] = "SELECT " ROW_COLS_C ORDER_JOIN " WHERE o.pos<=(SELECT coalesce(max(pos),0) "
                   "FROM temp.tq_order)-:off ORDER BY o.pos DESC LIMIT :lim",
        [ST_AFTER] = "SELECT " ROW_COLS_C ORDER_JOIN " WHERE o.pos>(SELECT pos FROM temp.tq_order "
                     "WHERE id=:a) ORDER BY o.pos LIMIT :lim",
        [ST_BEFORE] = "SELECT " ROW_COLS_C ORDER_JOIN " WHERE o.pos<(SELECT pos FROM "
                      "temp.tq_order WHERE id=:a) ORDER BY o.pos DESC LIMIT :lim",
        [ST_POS] = "SELECT pos-1 FROM temp.tq_order WHERE id=:a",
    };
    add(b, "%s", sql[k]);
}

/* Builds statement kind k for the filter and sort (forward = list order). */
static void build(struct sqlb *b, int k, const struct tq_filter *f, const char *key, bool desc)
{
    bool fwd = (k == ST_AT || k == ST_AFTER || k == ST_POS) ? !desc : desc;
    const char *dir = fwd ? "ASC" : "DESC", *lt = fwd ? ">" : "<";
    add(b, "SELECT %s FROM calls", k == ST_COUNT || k == ST_POS ? "count(*)" : ROW_COLS);
    build_where(b, f);
    if (k == ST_POS) /* rows before :a in list order: the reverse comparison */
        lt = fwd ? "<" : ">";
    if (k == ST_AFTER || k == ST_BEFORE || k == ST_POS)
        add(b,
            " AND %s %s= (SELECT %s FROM calls AS k WHERE k.id=:a) AND (%s %s (SELECT %s FROM "
            "calls AS k WHERE k.id=:a) OR id %s :a)",
            key, lt, key, key, lt, key, lt);
    if (k == ST_COUNT || k == ST_POS)
        return;
    add(b, " ORDER BY %s %s, id %s LIMIT :lim", key, dir, dir);
    if (k == ST_AT || k == ST_END)
        add(b, " OFFSET :off");
}

static void finalize_all(struct tq *q)
{
    for (int i = 0; i < ST_N; i++) {
        sqlite3_finalize(q->st[i]);
        q->st[i] = NULL;
    }
    sqlite3_finalize(q->fill);
    q->fill = NULL;
}

static void match_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct tq *q = sqlite3_user_data(ctx);
    bool failed = false;
    (void)argc;
    bool hit = q->f.match && q_match_call(q->f.match, sqlite3_value_int64(argv[0]), &failed);
    sqlite3_result_int(ctx, hit && !failed);
}

struct tq *tq_new(struct db *db, char *err, size_t errlen)
{
    struct tq *q = calloc(1, sizeof *q);
    if (!q)
        abort();
    q->db = db;
    /* sorts and materialized orders are built in memory, with a cache that holds an index */
    sqlite3_exec(db->h, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536", NULL, NULL, NULL);
    q->version = db_prepare(db, "PRAGMA data_version", err, errlen);
    q->maxid = db_prepare(db, "SELECT coalesce(max(id),0) FROM calls", err, errlen);
    if (!q->version || !q->maxid ||
        sqlite3_create_function(db->h, "tq_match", 1, SQLITE_UTF8, q, match_fn, NULL, NULL) !=
            SQLITE_OK) {
        if (q->version && q->maxid)
            db_error(db, "tq_match", err, errlen);
        tq_free(q);
        return NULL;
    }
    return q;
}

void tq_free(struct tq *q)
{
    if (!q)
        return;
    finalize_all(q);
    sqlite3_finalize(q->version);
    sqlite3_finalize(q->maxid);
    free(q);
}

/* Sorting by a column without an index (or filtering by regex) costs a full scan per page:
 * such lists are materialized once into a temp table of positions instead. */
static int prepare_fill(struct tq *q, enum tq_col sort, bool desc, char *err, size_t errlen)
{
    const char *dir = desc ? "DESC" : "ASC";
    if (db_exec(q->db,
                "DROP TABLE IF EXISTS temp.tq_order;"
                "CREATE TEMP TABLE tq_order(pos INTEGER PRIMARY KEY, id INTEGER NOT NULL)",
                err, errlen) < 0)
        return -1;
    struct sqlb b = {.len = 0};
    add(&b, "INSERT INTO temp.tq_order(id) SELECT id FROM calls");
    build_where(&b, &q->f);
    add(&b, " ORDER BY %s %s, id %s", keys[sort], dir, dir);
    if (sqlite3_prepare_v2(q->db->h, b.sql, -1, &q->fill, NULL) != SQLITE_OK) {
        db_error(q->db, "call list order", err, errlen);
        return -1;
    }
    for (int i = 0; i < b.ntexts; i++)
        sqlite3_bind_text(q->fill, i + 1, b.texts[i], -1, SQLITE_STATIC);
    return 0;
}

int tq_reload(struct tq *q)
{
    if (!q->fill)
        return 0;
    char err[256];
    if (db_exec(q->db, "DELETE FROM temp.tq_order", err, sizeof err) < 0)
        return -1;
    int rc = sqlite3_step(q->fill);
    sqlite3_reset(q->fill);
    return rc == SQLITE_DONE ? 0 : -1;
}

bool tq_random_access(const struct tq *q)
{
    return q->fill != NULL;
}

int tq_set(struct tq *q, const struct tq_filter *f, enum tq_col sort, bool desc, char *err,
           size_t errlen)
{
    finalize_all(q);
    q->f = *f;
    if ((unsigned)sort >= TQ_NCOLS)
        sort = TQ_COL_START;
    bool ordered = (sort != TQ_COL_START && sort != TQ_COL_INDEX) || f->match;
    if (ordered && (prepare_fill(q, sort, desc, err, errlen) < 0 || tq_reload(q) < 0)) {
        if (q->fill)
            db_error(q->db, "call list order", err, errlen);
        finalize_all(q);
        return -1;
    }
    for (int k = 0; k < ST_N; k++) {
        struct sqlb b = {.len = 0};
        if (ordered)
            build_ordered(&b, k);
        else
            build(&b, k, &q->f, keys[sort], desc);
        if (sqlite3_prepare_v2(q->db->h, b.sql, -1, &q->st[k], NULL) != SQLITE_OK) {
            db_error(q->db, "call list", err, errlen);
            finalize_all(q);
            return -1;
        }
        for (int i = 0; i < b.ntexts; i++)
            sqlite3_bind_text(q->st[k], i + 1, b.texts[i], -1, SQLITE_STATIC);
    }
    return 0;
}

static void bind_named(sqlite3_stmt *st, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i > 0)
        sqlite3_bind_int64(st, i, v);
}

static int64_t count_stmt(sqlite3_stmt *st)
{
    if (!st)
        return -1;
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return n;
}

int64_t tq_count(struct tq *q)
{
    return count_stmt(q->st[ST_COUNT]);
}

int64_t tq_position(struct tq *q, int64_t id)
{
    if (!q->st[ST_POS])
        return -1;
    bind_named(q->st[ST_POS], ":a", id);
    return count_stmt(q->st[ST_POS]);
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    size_t n = s ? (size_t)sqlite3_column_bytes(st, i) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, s, n);
    dst[n] = '\0';
}

static void read_row(sqlite3_stmt *st, struct tq_row *r)
{
    r->id = sqlite3_column_int64(st, 0);
    copy_col(r->call_id, sizeof r->call_id, st, 1);
    copy_col(r->method, sizeof r->method, st, 2);
    copy_col(r->from, sizeof r->from, st, 3);
    copy_col(r->to, sizeof r->to, st, 4);
    copy_col(r->src, sizeof r->src, st, 5);
    copy_col(r->dst, sizeof r->dst, st, 6);
    copy_col(r->state, sizeof r->state, st, 7);
    copy_col(r->transport, sizeof r->transport, st, 8);
    r->start_ns = sqlite3_column_int64(st, 9);
    r->end_ns = sqlite3_column_int64(st, 10);
    r->answer_ns = sqlite3_column_int64(st, 11);
    r->bye_ns = sqlite3_column_int64(st, 12);
    r->messages = sqlite3_column_int64(st, 13);
    r->final_status = sqlite3_column_int(st, 14);
    r->mos = sqlite3_column_type(st, 15) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 15);
    r->lost = sqlite3_column_type(st, 16) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 16);
    copy_col(r->agent, sizeof r->agent, st, 17);
}

/* Steps st into out (reversed when reverse); returns rows or -1. */
static long fetch(sqlite3_stmt *st, struct tq_row *out, size_t max, bool reverse)
{
    if (!st)
        return -1;
    bind_named(st, ":lim", (int64_t)max);
    size_t n = 0;
    int rc;
    while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        read_row(st, &out[n++]);
    if (n < max && rc != SQLITE_DONE) {
        sqlite3_reset(st);
        return -1;
    }
    sqlite3_reset(st);
    for (size_t i = 0; reverse && i < n / 2; i++) {
        struct tq_row tmp = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = tmp;
    }
    return (long)n;
}

long tq_page_at(struct tq *q, int64_t off, struct tq_row *out, size_t max)
{
    if (q->st[ST_AT])
        bind_named(q->st[ST_AT], ":off", off < 0 ? 0 : off);
    return fetch(q->st[ST_AT], out, max, false);
}

long tq_page_from_end(struct tq *q, int64_t off, struct tq_row *out, size_t max)
{
    if (q->st[ST_END])
        bind_named(q->st[ST_END], ":off", off < 0 ? 0 : off);
    return fetch(q->st[ST_END], out, max, true);
}

long tq_page_after(struct tq *q, int64_t anchor, struct tq_row *out, size_t max)
{
    if (q->st[ST_AFTER])
        bind_named(q->st[ST_AFTER], ":a", anchor);
    return fetch(q->st[ST_AFTER], out, max, false);
}

long tq_page_before(struct tq *q, int64_t anchor, struct tq_row *out, size_t max)
{
    if (q->st[ST_BEFORE])
        bind_named(q->st[ST_BEFORE], ":a", anchor);
    return fetch(q->st[ST_BEFORE], out, max, true);
}

/* data_version moves with commits of other connections only; total_changes counts this
 * connection's own (the live UI on ":memory:" shares the store thread's connection). */
int64_t tq_data_version(struct tq *q)
{
    uint64_t other = (uint64_t)count_stmt(q->version);
    uint64_t own = (uint64_t)sqlite3_total_changes64(q->db->h);
    return (int64_t)(other * 0x9E3779B97F4A7C15u + own);
}

int64_t tq_max_id(struct tq *q)
{
    return count_stmt(q->maxid);
}

static struct tq_msg *msg_slot(struct tq_msgs *m)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->v = realloc(m->v, m->cap * sizeof *m->v);
        if (!m->v)
            abort();
    }
    struct tq_msg *x = &m->v[m->n++];
    memset(x, 0, sizeof *x);
    return x;
}

static void read_msg(sqlite3_stmt *st, struct tq_msg *x)
{
    x->id = sqlite3_column_int64(st, 0);
    x->call = sqlite3_column_int64(st, 1);
    x->frame = sqlite3_column_int64(st, 2);
    x->ts_ns = sqlite3_column_int64(st, 3);
    x->src = db_col_dup(st, 4);
    x->dst = db_col_dup(st, 5);
    x->transport = db_col_dup(st, 6);
    x->method = db_col_dup(st, 7);
    x->status = sqlite3_column_int(st, 8);
    x->reason = db_col_dup(st, 9);
    x->cseq = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 10);
    x->cseq_method = db_col_dup(st, 11);
    x->flags = sqlite3_column_int(st, 12);
    x->raw_off = sqlite3_column_int64(st, 13);
    x->raw_len = sqlite3_column_int64(st, 14);
    x->call_id = db_col_dup(st, 15);
}

/* "PCMA 10.0.0.1:4000 sendrecv" from the first m= line of message id (NULL when none). */
static char *sdp_summary(sqlite3_stmt *st, int64_t id)
{
    sqlite3_bind_int64(st, 1, id);
    char *out = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *media = (const char *)sqlite3_column_text(st, 0);
        const char *addr = (const char *)sqlite3_column_text(st, 1);
        int port = sqlite3_column_int(st, 2);
        const char *fmt = (const char *)sqlite3_column_text(st, 3);
        const char *dir = (const char *)sqlite3_column_text(st, 4);
        char codec[32] = "";
        const char *sp = fmt ? strchr(fmt, ' ') : NULL;
        if (sp) {
            size_t n = strcspn(sp + 1, "/,");
            snprintf(codec, sizeof codec, "%.*s ", (int)(n < 24 ? n : 24), sp + 1);
        }
        char buf[160];
        if (port == 0)
            snprintf(buf, sizeof buf, "%s rejected", media ? media : "media");
        else
            snprintf(buf, sizeof buf, "%s%s:%d%s%s", codec, addr ? addr : "?", port, dir ? " " : "",
                     dir ? dir : "");
        out = strdup(buf);
        if (!out)
            abort();
    }
    sqlite3_reset(st);
    return out;
}

int tq_msgs_load(struct db *db, const int64_t *calls, size_t ncalls, struct tq_msgs *out, char *err,
                 size_t errlen)
{
    struct sqlb b = {.len = 0};
    add(&b, "SELECT m.id,m.call,m.frame,m.ts_ns,m.src,m.dst,m.transport,m.method,m.status,"
            "m.reason,m.cseq,m.cseq_method,m.flags,m.raw_off,m.raw_len,c.call_id FROM messages m "
            "LEFT JOIN calls c ON c.id=m.call WHERE m.call IN (");
    for (size_t i = 0; i < ncalls && b.len + 32 < sizeof b.sql; i++)
        add(&b, "%s%lld", i ? "," : "", (long long)calls[i]);
    add(&b, ") ORDER BY m.id");
    sqlite3_stmt *st = NULL, *sdp = NULL;
    if (sqlite3_prepare_v2(db->h, b.sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->h,
                           "SELECT media,addr,port,formats,direction FROM sdp_media "
                           "WHERE message=? ORDER BY idx LIMIT 1",
                           -1, &sdp, NULL) != SQLITE_OK) {
        db_error(db, "ladder messages", err, errlen);
        sqlite3_finalize(st);
        return -1;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct tq_msg *x = msg_slot(out);
        read_msg(st, x);
        if (x->flags & DB_MSG_SDP)
            x->sdp = sdp_summary(sdp, x->id);
    }
    if (rc != SQLITE_DONE)
        db_error(db, "ladder messages", err, errlen);
    sqlite3_finalize(st);
    sqlite3_finalize(sdp);
    return rc == SQLITE_DONE ? 0 : -1;
}

void tq_msgs_free(struct tq_msgs *m)
{
    for (size_t i = 0; i < m->n; i++) {
        struct tq_msg *x = &m->v[i];
        free(x->src);
        free(x->dst);
        free(x->transport);
        free(x->method);
        free(x->reason);
        free(x->cseq_method);
        free(x->call_id);
        free(x->sdp);
    }
    free(m->v);
    memset(m, 0, sizeof *m);
}

/* The user part of a SIP URI in SQL: between "sip:" (or "tel:") and '@'. */
#define URI_USER(u)                                                                                \
    "substr(" u ",instr(" u ",':')+1,CASE WHEN instr(" u ",'@')>0 THEN instr(" u ",'@')-instr(" u  \
    ",':')-1 ELSE 64 END)"

static const char related_sql[] =
    "SELECT c2.id FROM calls c1 JOIN calls c2 ON c2.id<>c1.id"
    " AND c2.start_ns<=c1.end_ns+5000000000 AND c2.start_ns>=c1.start_ns-5000000000"
    " WHERE c1.id=?1 AND ((" URI_USER("c2.to_uri") "=" URI_USER(
        "c1.to_uri") " AND length(" URI_USER("c1.to_uri") ")>0)"
                                                          " OR EXISTS (SELECT 1 FROM messages m2 "
                                                          "JOIN sdp_media s2 ON s2.message=m2.id"
                                                          " WHERE m2.call=c2.id AND s2.port>0 AND "
                                                          "(s2.addr,s2.port) IN (SELECT "
                                                          "s1.addr,s1.port"
                                                          " FROM messages m1 JOIN sdp_media s1 ON "
                                                          "s1.message=m1.id WHERE m1.call=c1.id)))"
                                                          " ORDER BY c2.start_ns LIMIT 64";

int tq_related(struct db *db, int64_t call, int64_t **ids, size_t *n, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    *ids = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db->h, related_sql, -1, &st, NULL) != SQLITE_OK) {
        db_error(db, "related calls", err, errlen);
        return -1;
    }
    sqlite3_bind_int64(st, 1, call);
    int64_t *v = malloc(64 * sizeof *v);
    if (!v)
        abort();
    while (*n < 64 && sqlite3_step(st) == SQLITE_ROW)
        v[(*n)++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    *ids = v;
    return 0;
}

int tq_import_progress(struct db *db, const char *const *names, size_t n, int *complete,
                       int64_t *calls)
{
    struct sqlb b = {.len = 0};
    add(&b, "SELECT (SELECT count(DISTINCT name) FROM captures WHERE complete<>0 AND name IN (");
    for (size_t i = 0; i < n; i++)
        add(&b, "%s?%d", i ? "," : "", bind_text(&b, names[i]));
    add(&b, ")), (SELECT count(*) FROM calls WHERE capture IN (SELECT id FROM captures WHERE "
            "name IN (");
    for (size_t i = 0; i < n; i++)
        add(&b, "%s?%zu", i ? "," : "", i + 1);
    add(&b, ")))");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, b.sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    for (int i = 0; i < b.ntexts; i++)
        sqlite3_bind_text(st, i + 1, b.texts[i], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *complete = sqlite3_column_int(st, 0);
        *calls = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

int tq_call_findings(struct db *db, int64_t call)
{
    char err[128];
    sqlite3_stmt *st =
        db_prepare(db, "SELECT max(severity) FROM findings WHERE call=?", err, sizeof err);
    if (!st) /* no findings table yet: nothing checked */
        return 0;
    sqlite3_bind_int64(st, 1, call);
    int sev = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return sev;
}
