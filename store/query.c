/* query.c: SQL readers over the history schema (docs/schema.md) for calls and ladders. */
#include "store/query.h"

#include <stdlib.h>
#include <string.h>

/* A growing SQL text with its bound values, built from a filter. */
struct qbuild {
    char sql[8192];
    size_t len;
    const char *texts[8];
    int ntexts;
};

static void add(struct qbuild *b, const char *s)
{
    int n = snprintf(b->sql + b->len, sizeof b->sql - b->len, "%s", s);
    if (n > 0 && (size_t)n < sizeof b->sql - b->len)
        b->len += (size_t)n;
}

/* Appends prefix then the decimal value v. */
static void add_i64(struct qbuild *b, const char *prefix, int64_t v)
{
    char tmp[32];
    add(b, prefix);
    snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    add(b, tmp);
}

static void add_text(struct qbuild *b, const char *cond, const char *value)
{
    if (!value || b->ntexts >= 8)
        return;
    add(b, cond);
    b->texts[b->ntexts++] = value;
}

static void build_calls(struct qbuild *b, const struct q_filter *f)
{
    add(b, "SELECT id,call_id,method,from_uri,to_uri,src,dst,state,transport,start_ns,end_ns,"
           "invite_ns,ring_ns,answer_ns,bye_ns,messages,final_status,rtp_streams FROM calls "
           "WHERE 1");
    if (f->ncaptures) {
        add(b, " AND capture IN (");
        for (size_t i = 0; i < f->ncaptures; i++)
            add_i64(b, i ? "," : "", f->captures[i]);
        add(b, ")");
    }
    if (f->invite_only)
        add(b, " AND method='INVITE'");
    add_text(b, " AND instr(from_uri, ?)", f->from);
    add_text(b, " AND instr(to_uri, ?)", f->to);
    add_text(b, " AND method = upper(?)", f->method);
    if (f->status)
        add_i64(b, " AND final_status=", f->status);
    if (f->status_class)
        add_i64(b, " AND final_status/100=", f->status_class);
    if (f->since_ns)
        add_i64(b, " AND start_ns>=", f->since_ns);
    if (f->until_ns)
        add_i64(b, " AND start_ns<=", f->until_ns);
    add(b, " ORDER BY start_ns, id");
    if (f->limit > 0 && !f->match) /* with --match the limit counts matching calls */
        add_i64(b, " LIMIT ", f->limit);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

int q_calls(struct db *db, const struct q_filter *f, q_call_fn fn, void *user, char *err,
            size_t errlen)
{
    struct qbuild b = {.len = 0};
    build_calls(&b, f);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, b.sql, -1, &st, NULL) != SQLITE_OK) {
        db_error(db, "query calls", err, errlen);
        return -1;
    }
    for (int i = 0; i < b.ntexts; i++)
        sqlite3_bind_text(st, i + 1, b.texts[i], -1, SQLITE_STATIC);
    int rc;
    int64_t shown = 0;
    bool read_failed = false;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (f->match && !q_match_call(f->match, sqlite3_column_int64(st, 0), &read_failed)) {
            if (read_failed)
                break;
            continue;
        }
        struct q_call c = {
            .id = sqlite3_column_int64(st, 0),
            .call_id = col_text(st, 1),
            .method = col_text(st, 2),
            .from = col_text(st, 3),
            .to = col_text(st, 4),
            .src = col_text(st, 5),
            .dst = col_text(st, 6),
            .state = col_text(st, 7),
            .transport = col_text(st, 8),
            .start_ns = sqlite3_column_int64(st, 9),
            .end_ns = sqlite3_column_int64(st, 10),
            .invite_ns = sqlite3_column_int64(st, 11),
            .ring_ns = sqlite3_column_int64(st, 12),
            .answer_ns = sqlite3_column_int64(st, 13),
            .bye_ns = sqlite3_column_int64(st, 14),
            .messages = sqlite3_column_int64(st, 15),
            .final_status = sqlite3_column_int(st, 16),
            .rtp_streams = sqlite3_column_int(st, 17),
        };
        if (fn(user, &c) != 0 || (f->limit > 0 && ++shown >= f->limit))
            break;
    }
    if (read_failed) {
        snprintf(err, errlen, "%s: cannot read raw messages from the spool", db->path);
        sqlite3_finalize(st);
        return -1;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        db_error(db, "query calls", err, errlen);
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

int q_call_ids(struct db *db, const char *call_id, const int64_t *captures, size_t ncaptures,
               int64_t **ids, size_t *nids, char *err, size_t errlen)
{
    struct qbuild b = {.len = 0};
    add(&b, "SELECT id FROM calls WHERE call_id=?");
    if (ncaptures) {
        add(&b, " AND capture IN (");
        for (size_t i = 0; i < ncaptures; i++)
            add_i64(&b, i ? "," : "", captures[i]);
        add(&b, ")");
    }
    add(&b, " ORDER BY id");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, b.sql, -1, &st, NULL) != SQLITE_OK) {
        db_error(db, "query call", err, errlen);
        return -1;
    }
    sqlite3_bind_text(st, 1, call_id, -1, SQLITE_STATIC);
    size_t cap = 4, n = 0;
    int64_t *v = malloc(cap * sizeof *v);
    if (!v)
        abort();
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            if (!v)
                abort();
        }
        v[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    *ids = v;
    *nids = n;
    return 0;
}

int q_messages(struct db *db, const int64_t *calls, size_t ncalls, q_msg_fn fn, void *user,
               char *err, size_t errlen)
{
    struct qbuild b = {.len = 0};
    add(&b, "SELECT m.id,m.call,m.frame,m.idx,m.ts_ns,m.src,m.dst,m.transport,m.method,m.reason,"
            "m.cseq_method,c.call_id,m.status,m.cseq,m.flags,m.raw_off,m.raw_len "
            "FROM messages m LEFT JOIN calls c ON c.id=m.call WHERE m.call IN (");
    for (size_t i = 0; i < ncalls && b.len + 32 < sizeof b.sql; i++)
        add_i64(&b, i ? "," : "", calls[i]);
    add(&b, ") ORDER BY m.id");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, b.sql, -1, &st, NULL) != SQLITE_OK) {
        db_error(db, "query messages", err, errlen);
        return -1;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct q_msg m = {
            .id = sqlite3_column_int64(st, 0),
            .call = sqlite3_column_int64(st, 1),
            .frame = sqlite3_column_int64(st, 2),
            .idx = sqlite3_column_int(st, 3),
            .ts_ns = sqlite3_column_int64(st, 4),
            .src = col_text(st, 5),
            .dst = col_text(st, 6),
            .transport = col_text(st, 7),
            .method = col_text(st, 8),
            .reason = col_text(st, 9),
            .cseq_method = col_text(st, 10),
            .call_id = col_text(st, 11),
            .status = sqlite3_column_int(st, 12),
            .cseq = sqlite3_column_type(st, 13) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 13),
            .flags = sqlite3_column_int(st, 14),
            .raw_off = sqlite3_column_int64(st, 15),
            .raw_len = sqlite3_column_int64(st, 16),
        };
        if (fn(user, &m) != 0)
            break;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        db_error(db, "query messages", err, errlen);
        return -1;
    }
    return 0;
}
