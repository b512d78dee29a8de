/* diag_store.c: diagnostics over the history (store/diag_store.h): each call's messages are read
 * back from the spool and parsed again (zero-copy, cheap), its SDP bodies parsed, its RTP streams
 * read, the rules run (dissect/diag.h), and the findings cached in `findings`. */
#include "store/diag_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/diag.h"
#include "store/schema.sql.h"

#define SQL_MSGS                                                                                   \
    "SELECT frame, ts_ns, src, dst, transport, flags, raw_off, raw_len, id FROM messages "         \
    "WHERE call=? ORDER BY id LIMIT " DS_LIMIT
#define DS_LIMIT "4096" /* DIAG_MAX_MSGS */
#define SQL_RTP                                                                                    \
    "SELECT src, dst, packets, expected, lost, max_jitter_ms, mean_jitter_ms, coalesce(mos,-1), "  \
    "first_ns, last_ns FROM rtp_streams WHERE call=?"
#define SQL_INS                                                                                    \
    "INSERT OR REPLACE INTO findings(call,seq,rule,severity,message,spec,msgs,frames,msg_ids) "    \
    "VALUES(?,?,?,?,?,?,?,?,?)"

/* Buffers reused from call to call. */
struct ds {
    struct db *db;
    sqlite3_stmt *msgs, *rtp, *ins, *del, *done;
    struct diag_msg *dm;
    struct sip_msg *sip;
    struct sdp *sdp;
    int64_t *frame, *id;
    size_t cap;
    struct diag_rtp *rtp_v;
    size_t nrtp, caprtp;
    char *arena; /* raw bytes of the call's messages */
    size_t arena_cap;
    char **strs; /* owned strings of the call (addresses) */
    size_t nstrs, capstrs;
    struct diag_result res;
};

static char *keep(struct ds *s, const unsigned char *t)
{
    if (s->nstrs == s->capstrs) {
        s->capstrs = s->capstrs ? s->capstrs * 2 : 64;
        s->strs = realloc(s->strs, s->capstrs * sizeof *s->strs);
        if (!s->strs)
            abort();
    }
    char *d = strdup(t ? (const char *)t : "");
    if (!d)
        abort();
    return s->strs[s->nstrs++] = d;
}

static void grow(struct ds *s, size_t n)
{
    if (n <= s->cap)
        return;
    size_t c = s->cap ? s->cap : 16;
    while (c < n)
        c *= 2;
    s->dm = realloc(s->dm, c * sizeof *s->dm);
    s->sip = realloc(s->sip, c * sizeof *s->sip);
    s->sdp = realloc(s->sdp, c * sizeof *s->sdp);
    s->frame = realloc(s->frame, c * sizeof *s->frame);
    s->id = realloc(s->id, c * sizeof *s->id);
    if (!s->dm || !s->sip || !s->sdp || !s->frame || !s->id)
        abort();
    s->cap = c;
}

struct rawpos {
    int64_t off, len;
};

/* Reads the call's messages (rows, then raw bytes into one arena, then parses). */
static size_t load_msgs(struct ds *s, int64_t call, struct rawpos **pos, size_t *cappos)
{
    size_t n = 0, total = 0;
    sqlite3_reset(s->msgs);
    sqlite3_bind_int64(s->msgs, 1, call);
    while (sqlite3_step(s->msgs) == SQLITE_ROW) {
        grow(s, n + 1);
        if (n == *cappos) {
            *cappos = *cappos ? *cappos * 2 : 64;
            *pos = realloc(*pos, *cappos * sizeof **pos);
            if (!*pos)
                abort();
        }
        int flags = sqlite3_column_int(s->msgs, 5);
        int64_t len = sqlite3_column_int64(s->msgs, 7);
        if (len < 0 || len > SIP_MAX_MESSAGE)
            len = 0;
        s->frame[n] = sqlite3_column_int64(s->msgs, 0);
        s->id[n] = sqlite3_column_int64(s->msgs, 8);
        s->dm[n] = (struct diag_msg){
            .ts_ns = sqlite3_column_int64(s->msgs, 1),
            .src = keep(s, sqlite3_column_text(s->msgs, 2)),
            .dst = keep(s, sqlite3_column_text(s->msgs, 3)),
            .transport = keep(s, sqlite3_column_text(s->msgs, 4)),
            .truncated = (flags & DB_MSG_TRUNCATED) != 0,
        };
        (*pos)[n] = (struct rawpos){sqlite3_column_int64(s->msgs, 6), len};
        total += (size_t)len;
        n++;
    }
    if (total > s->arena_cap) {
        s->arena = realloc(s->arena, total);
        if (!s->arena)
            abort();
        s->arena_cap = total;
    }
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = (size_t)(*pos)[i].len;
        char *raw = s->arena + at;
        at += len;
        if (len == 0 || db_spool_read(s->db, (uint64_t)(*pos)[i].off, raw, len) < 0 ||
            sip_parse(&s->sip[i], slice_make(raw, len)) != DIS_OK)
            continue;
        s->dm[i].sip = &s->sip[i];
        struct slice body = sip_sdp_body(&s->sip[i]);
        if (body.len && sdp_parse(&s->sdp[i], body) == DIS_OK)
            s->dm[i].sdp = &s->sdp[i];
    }
    return n;
}

static void load_rtp(struct ds *s, int64_t call)
{
    s->nrtp = 0;
    sqlite3_reset(s->rtp);
    sqlite3_bind_int64(s->rtp, 1, call);
    while (sqlite3_step(s->rtp) == SQLITE_ROW) {
        if (s->nrtp == s->caprtp) {
            s->caprtp = s->caprtp ? s->caprtp * 2 : 8;
            s->rtp_v = realloc(s->rtp_v, s->caprtp * sizeof *s->rtp_v);
            if (!s->rtp_v)
                abort();
        }
        sqlite3_stmt *st = s->rtp;
        s->rtp_v[s->nrtp++] = (struct diag_rtp){
            .src = keep(s, sqlite3_column_text(st, 0)),
            .dst = keep(s, sqlite3_column_text(st, 1)),
            .packets = sqlite3_column_int64(st, 2),
            .expected = sqlite3_column_int64(st, 3),
            .lost = sqlite3_column_int64(st, 4),
            .max_jitter_ms = sqlite3_column_double(st, 5),
            .mean_jitter_ms = sqlite3_column_double(st, 6),
            .mos = sqlite3_column_double(st, 7),
            .first_ns = sqlite3_column_int64(st, 8),
            .last_ns = sqlite3_column_int64(st, 9),
        };
    }
}

enum ref_kind { REF_POS, REF_FRAME, REF_ID };

/* "3,5": positions (1-based), frame numbers or message ids of a finding's references. */
static void refs_text(const struct ds *s, const struct diag_finding *f, enum ref_kind k, char *buf,
                      size_t n)
{
    size_t len = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < f->nref; i++) {
        size_t r = f->ref[i];
        long long v = k == REF_FRAME ? (long long)s->frame[r]
                      : k == REF_ID  ? (long long)s->id[r]
                                     : (long long)r + 1;
        int w = snprintf(buf + len, n - len, "%s%lld", i ? "," : "", v);
        if (w > 0 && (size_t)w < n - len)
            len += (size_t)w;
    }
}

static int store_call(struct ds *s, int64_t call)
{
    char pos[96], frames[160], ids[160];
    sqlite3_reset(s->del);
    sqlite3_bind_int64(s->del, 1, call);
    if (sqlite3_step(s->del) != SQLITE_DONE)
        return -1;
    for (size_t i = 0; i < s->res.n; i++) {
        const struct diag_finding *f = &s->res.f[i];
        refs_text(s, f, REF_POS, pos, sizeof pos);
        refs_text(s, f, REF_FRAME, frames, sizeof frames);
        refs_text(s, f, REF_ID, ids, sizeof ids);
        sqlite3_stmt *st = s->ins;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, call);
        sqlite3_bind_int64(st, 2, (int64_t)i);
        sqlite3_bind_text(st, 3, f->rule, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, (int)f->sev);
        sqlite3_bind_text(st, 5, f->text, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, f->spec, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, pos, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 8, frames, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 9, ids, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            return -1;
    }
    sqlite3_reset(s->done);
    sqlite3_bind_int64(s->done, 1, call);
    sqlite3_bind_int(s->done, 2, DIAG_ENGINE_VERSION);
    return sqlite3_step(s->done) == SQLITE_DONE ? 0 : -1;
}

static void ds_free(struct ds *s)
{
    sqlite3_finalize(s->msgs);
    sqlite3_finalize(s->rtp);
    sqlite3_finalize(s->ins);
    sqlite3_finalize(s->del);
    sqlite3_finalize(s->done);
    free(s->dm);
    free(s->sip);
    free(s->sdp);
    free(s->frame);
    free(s->id);
    free(s->rtp_v);
    free(s->arena);
    for (size_t i = 0; i < s->nstrs; i++)
        free(s->strs[i]);
    free(s->strs);
}

static void caps_clause(char *sql, size_t n, const char *col, const int64_t *caps, size_t ncaps)
{
    size_t len = strlen(sql);
    if (!ncaps)
        return;
    len += (size_t)snprintf(sql + len, n - len, " AND %s IN (", col);
    for (size_t i = 0; i < ncaps && len + 24 < n; i++)
        len += (size_t)snprintf(sql + len, n - len, "%s%lld", i ? "," : "", (long long)caps[i]);
    snprintf(sql + len, n - len, ")");
}

/* Ids and capture end of the calls that need computing. */
static int64_t *stale_calls(struct db *db, const int64_t *calls, size_t ncalls, const int64_t *caps,
                            size_t ncaps, int64_t **ends, size_t *n, char *err, size_t errlen)
{
    char sql[8192];
    snprintf(sql, sizeof sql,
             "SELECT c.id, coalesce(p.last_ns,0) FROM calls c JOIN captures p ON p.id=c.capture "
             "LEFT JOIN findings_calls f ON f.call=c.id WHERE (f.call IS NULL OR f.engine!=%d OR "
             "p.complete!=1)",
             DIAG_ENGINE_VERSION);
    if (ncalls)
        caps_clause(sql, sizeof sql, "c.id", calls, ncalls);
    else
        caps_clause(sql, sizeof sql, "c.capture", caps, ncaps);
    sqlite3_stmt *st = db_prepare(db, sql, err, errlen);
    if (!st)
        return NULL;
    size_t cap = 64;
    int64_t *ids = malloc(cap * sizeof *ids);
    *ends = malloc(cap * sizeof **ends);
    *n = 0;
    if (!ids || !*ends)
        abort();
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            cap *= 2;
            ids = realloc(ids, cap * sizeof *ids);
            *ends = realloc(*ends, cap * sizeof **ends);
            if (!ids || !*ends)
                abort();
        }
        ids[*n] = sqlite3_column_int64(st, 0);
        (*ends)[(*n)++] = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return ids;
}

int64_t diag_store_update(struct db *db, const int64_t *calls, size_t ncalls, const int64_t *caps,
                          size_t ncaps, char *err, size_t errlen)
{
    if (db_exec(db, SCHEMA_FINDINGS, err, errlen) < 0)
        return -1;
    size_t n = 0;
    int64_t *ends = NULL,
            *ids = stale_calls(db, calls, ncalls, caps, ncaps, &ends, &n, err, errlen);
    if (!ids)
        return -1;
    struct ds s = {.db = db};
    struct rawpos *pos = NULL;
    size_t cappos = 0;
    int64_t rc = -1;
    s.msgs = db_prepare(db, SQL_MSGS, err, errlen);
    s.rtp = s.msgs ? db_prepare(db, SQL_RTP, err, errlen) : NULL;
    s.ins = s.rtp ? db_prepare(db, SQL_INS, err, errlen) : NULL;
    s.del = s.ins ? db_prepare(db, "DELETE FROM findings WHERE call=?", err, errlen) : NULL;
    s.done = s.del
                 ? db_prepare(db, "INSERT OR REPLACE INTO findings_calls VALUES(?,?)", err, errlen)
                 : NULL;
    if (!s.done || db_exec(db, "BEGIN", err, errlen) < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < s.nstrs; k++)
            free(s.strs[k]);
        s.nstrs = 0;
        size_t nm = load_msgs(&s, ids[i], &pos, &cappos);
        load_rtp(&s, ids[i]);
        struct diag_call c = {
            .msg = s.dm, .nmsg = nm, .rtp = s.rtp_v, .nrtp = s.nrtp, .capture_end_ns = ends[i]};
        if (diag_run(&c, &s.res) < 0 || store_call(&s, ids[i]) < 0) {
            db_error(db, "store findings", err, errlen);
            db_exec(db, "ROLLBACK", NULL, 0);
            goto out;
        }
    }
    if (db_exec(db, "COMMIT", err, errlen) < 0)
        goto out;
    rc = (int64_t)n;
out:
    ds_free(&s);
    free(pos);
    free(ids);
    free(ends);
    return rc;
}

int diag_store_read(struct db *db, const int64_t *calls, size_t ncalls, const int64_t *caps,
                    size_t ncaps, int min_sev, ds_fn fn, void *user, char *err, size_t errlen)
{
    char sql[8192];
    snprintf(sql, sizeof sql,
             "SELECT f.call, c.call_id, f.seq, f.rule, f.severity, f.message, f.spec, f.msgs, "
             "f.frames, f.msg_ids FROM findings f JOIN calls c ON c.id=f.call WHERE f.severity>=%d",
             min_sev);
    if (ncalls)
        caps_clause(sql, sizeof sql, "f.call", calls, ncalls);
    else
        caps_clause(sql, sizeof sql, "c.capture", caps, ncaps);
    size_t len = strlen(sql);
    snprintf(sql + len, sizeof sql - len, " ORDER BY c.start_ns, c.id, f.seq");
    sqlite3_stmt *st = db_prepare(db, sql, err, errlen);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ds_finding f = {
            .call = sqlite3_column_int64(st, 0),
            .call_id = (const char *)sqlite3_column_text(st, 1),
            .seq = sqlite3_column_int(st, 2),
            .rule = (const char *)sqlite3_column_text(st, 3),
            .severity = sqlite3_column_int(st, 4),
            .message = (const char *)sqlite3_column_text(st, 5),
            .spec = (const char *)sqlite3_column_text(st, 6),
            .msgs = (const char *)sqlite3_column_text(st, 7),
            .frames = (const char *)sqlite3_column_text(st, 8),
            .ids = (const char *)sqlite3_column_text(st, 9),
        };
        if (!f.msgs)
            f.msgs = "";
        if (!f.frames)
            f.frames = "";
        if (!f.ids)
            f.ids = "";
        if (fn(user, &f) != 0)
            break;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        db_error(db, "read findings", err, errlen);
        return -1;
    }
    return 0;
}
