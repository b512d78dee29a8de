/* query.c: SQL readers over the history schema (docs/schema.md) for calls and ladders. */
#include "store/query.h"

#include <stdlib.h>
#include <string.h>

#include "dissect/sip.h"

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
           "invite_ns,ring_ns,calls.answer_ns,bye_ns,messages,final_status,rtp_streams,"
           "cm.call,cm.media,cm.codec,cm.mos,cm.lost FROM calls "
           "LEFT JOIN call_media cm ON cm.call=calls.id WHERE 1");
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
    add_text(b,
             " AND id IN (SELECT m.call FROM hep_messages h JOIN messages m ON m.id=h.message"
             " WHERE ? IN (h.agent_name, CAST(h.agent_id AS TEXT)))",
             f->has_hep ? f->agent : NULL);
    if (f->agent && !f->has_hep)
        add(b, " AND 0"); /* no HEP agent ever stored into this database */
    if (f->status)
        add_i64(b, " AND final_status=", f->status);
    if (f->status_class)
        add_i64(b, " AND final_status/100=", f->status_class);
    add_text(b, " AND id IN (SELECT call FROM findings WHERE rule = ?)", f->has_finding);
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

static bool table_exists(struct db *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(db->h, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        yes = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return yes;
}

int q_calls(struct db *db, const struct q_filter *f, q_call_fn fn, void *user, char *err,
            size_t errlen)
{
    struct qbuild b = {.len = 0};
    struct q_filter fa = *f;
    fa.has_hep = f->agent && table_exists(db, "hep_messages");
    f = &fa;
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
            .has_media = sqlite3_column_type(st, 18) != SQLITE_NULL,
            .media = col_text(st, 19),
            .codec = col_text(st, 20),
            .mos = sqlite3_column_type(st, 21) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 21),
            .lost = sqlite3_column_int64(st, 22),
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

int q_sdp_media(struct db *db, const int64_t *calls, size_t ncalls, q_sdp_fn fn, void *user,
                char *err, size_t errlen)
{
    struct qbuild b = {.len = 0};
    add(&b, "SELECT s.message,s.idx,s.port,s.media,s.addr,s.proto,s.formats,s.direction "
            "FROM sdp_media s JOIN messages m ON m.id=s.message WHERE m.call IN (");
    for (size_t i = 0; i < ncalls && b.len + 32 < sizeof b.sql; i++)
        add_i64(&b, i ? "," : "", calls[i]);
    add(&b, ") ORDER BY s.message, s.idx");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, b.sql, -1, &st, NULL) != SQLITE_OK) {
        db_error(db, "query sdp", err, errlen);
        return -1;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct q_sdp s = {
            .message = sqlite3_column_int64(st, 0),
            .idx = sqlite3_column_int(st, 1),
            .port = sqlite3_column_int(st, 2),
            .media = col_text(st, 3),
            .addr = col_text(st, 4),
            .proto = col_text(st, 5),
            .formats = col_text(st, 6),
            .direction = col_text(st, 7),
        };
        if (fn(user, &s) != 0)
            break;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        db_error(db, "query sdp", err, errlen);
        return -1;
    }
    return 0;
}

/* A set of strings (link keys), small and linear. */
struct keyset {
    char **v;
    size_t n, cap;
};

static bool keys_has(const struct keyset *k, const char *s)
{
    for (size_t i = 0; i < k->n; i++) {
        if (strcmp(k->v[i], s) == 0)
            return true;
    }
    return false;
}

static void keys_add(struct keyset *k, const char *s, size_t n)
{
    char buf[257];
    if (n == 0 || n >= sizeof buf)
        return;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (strspn(buf, "0") == n || keys_has(k, buf)) /* an all-zero Session-ID is "unknown" */
        return;
    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 8;
        k->v = realloc(k->v, k->cap * sizeof *k->v);
        if (!k->v)
            abort();
    }
    k->v[k->n] = strdup(buf);
    if (!k->v[k->n])
        abort();
    k->n++;
}

static void keys_free(struct keyset *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->v[i]);
    free(k->v);
    *k = (struct keyset){0};
}

static bool keys_meet(const struct keyset *a, const struct keyset *b)
{
    for (size_t i = 0; i < b->n; i++) {
        if (keys_has(a, b->v[i]))
            return true;
    }
    return false;
}

/* Adds the values of the link headers of one parsed message to k. */
static void link_values(const struct sip_msg *m, const char *links, struct keyset *k)
{
    const char *p = links;
    while (p && *p) {
        size_t len = strcspn(p, ","), nlen = strcspn(p, ":,");
        struct slice v = sip_hdr_find(m, p, nlen);
        const char *param = p + nlen + 1;
        size_t plen = nlen < len ? len - nlen - 1 : 0;
        if (v.len && plen && slice_istarts(v, param, plen) && plen < v.len && v.p[plen] == '=')
            v = slice_sub(v, plen + 1, v.len); /* "icid-value=x;..." starts with the param */
        else if (v.len && plen)
            v = sip_param(v, param, plen, NULL);
        size_t semi = 0;
        while (semi < v.len && v.p[semi] != ';')
            semi++;
        v = slice_trim(slice_sub(v, 0, semi));
        if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"')
            v = slice_sub(v, 1, v.len - 2); /* a quoted-string value */
        keys_add(k, (const char *)v.p, v.len);
        p = p[len] ? p + len + 1 : NULL;
    }
}

/* The keys of one call: its Call-ID and the link values in its first requests. */
static int call_keys(struct db *db, int64_t call, const char *links, struct keyset *k)
{
    sqlite3_stmt *st = NULL;
    const char *sql = "SELECT c.call_id, m.raw_off, m.raw_len FROM calls c JOIN messages m "
                      "ON m.call=c.id WHERE c.id=? AND m.method IS NOT NULL ORDER BY m.id LIMIT 16";
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, call);
    struct sip_msg *m = malloc(sizeof *m);
    if (!m)
        abort();
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *cid = col_text(st, 0);
        keys_add(k, cid ? cid : "", cid ? strlen(cid) : 0);
        int64_t off = sqlite3_column_int64(st, 1), len = sqlite3_column_int64(st, 2);
        if (len <= 0 || len > 1 << 20)
            continue;
        char *raw = malloc((size_t)len);
        if (!raw)
            abort();
        if (db_spool_read(db, (uint64_t)off, raw, (size_t)len) == 0 &&
            sip_parse(m, slice_make(raw, (size_t)len)) == DIS_OK)
            link_values(m, links, k);
        free(raw);
    }
    free(m);
    sqlite3_finalize(st);
    return 0;
}

/* Calls starting within 60 s of [lo, hi] (in captures when given), the given ones excluded. */
static int candidates(struct db *db, int64_t lo, int64_t hi, const int64_t *captures,
                      size_t ncaptures, int64_t **ids, size_t *n)
{
    struct qbuild b = {.len = 0};
    add_i64(&b, "SELECT id FROM calls WHERE end_ns>=", lo - 60000000000LL);
    add_i64(&b, " AND start_ns<=", hi + 60000000000LL);
    if (ncaptures) {
        add(&b, " AND capture IN (");
        for (size_t i = 0; i < ncaptures; i++)
            add_i64(&b, i ? "," : "", captures[i]);
        add(&b, ")");
    }
    add(&b, " ORDER BY start_ns, id LIMIT 5000");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, b.sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    size_t cap = 16;
    *n = 0;
    *ids = malloc(cap * sizeof **ids);
    while (*ids && sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            cap *= 2;
            *ids = realloc(*ids, cap * sizeof **ids);
            if (!*ids)
                break;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (!*ids)
        abort();
    return 0;
}

/* The time span of the given calls. */
static void span_of(struct db *db, const int64_t *calls, size_t n, int64_t *lo, int64_t *hi)
{
    sqlite3_stmt *st = NULL;
    *lo = INT64_MAX;
    *hi = INT64_MIN;
    if (sqlite3_prepare_v2(db->h, "SELECT start_ns,end_ns FROM calls WHERE id=?", -1, &st, NULL) !=
        SQLITE_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(st, 1, calls[i]);
        if (sqlite3_step(st) == SQLITE_ROW) {
            int64_t s = sqlite3_column_int64(st, 0), e = sqlite3_column_int64(st, 1);
            *lo = s < *lo ? s : *lo;
            *hi = e > *hi ? e : *hi;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
}

static bool has_id(const int64_t *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == id)
            return true;
    }
    return false;
}

int q_related_calls(struct db *db, const int64_t *calls, size_t ncalls, const char *links,
                    const int64_t *captures, size_t ncaptures, int64_t **out, size_t *nout,
                    char *err, size_t errlen)
{
    int64_t lo, hi, *cand = NULL;
    size_t ncand = 0, n = 0;
    span_of(db, calls, ncalls, &lo, &hi);
    if (lo > hi || candidates(db, lo, hi, captures, ncaptures, &cand, &ncand) < 0) {
        db_error(db, "related calls", err, errlen);
        return -1;
    }
    int64_t *v = malloc((ncalls + ncand + 1) * sizeof *v);
    struct keyset mine = {0}, *theirs = calloc(ncand + 1, sizeof *theirs);
    if (!v || !theirs)
        abort();
    for (size_t i = 0; i < ncalls; i++) {
        if (!has_id(v, n, calls[i]))
            v[n++] = calls[i];
        call_keys(db, calls[i], links, &mine);
    }
    for (size_t i = 0; i < ncand; i++) {
        if (!has_id(v, n, cand[i]))
            call_keys(db, cand[i], links, &theirs[i]);
    }
    for (bool grew = true; grew;) { /* to a fixed point: a leg of a leg is related too */
        grew = false;
        for (size_t i = 0; i < ncand; i++) {
            if (has_id(v, n, cand[i]) || !keys_meet(&mine, &theirs[i]))
                continue;
            v[n++] = cand[i];
            for (size_t k = 0; k < theirs[i].n; k++)
                keys_add(&mine, theirs[i].v[k], strlen(theirs[i].v[k]));
            grew = true;
        }
    }
    for (size_t i = 0; i < ncand; i++)
        keys_free(&theirs[i]);
    free(theirs);
    keys_free(&mine);
    free(cand);
    *out = v;
    *nout = n;
    return 0;
}
