/* rtp_store.c: `--store-rtp`: RTP/RTCP UDP payloads of calls appended to the raw spool (through
 * the writer, which owns the spool offset) and indexed in rtp_packets; read back in capture order
 * for `ladder --format pcap` (docs/media.md, docs/schema.md). */
#include "store/rtp_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/schema.sql.h"
#include "store/writer.h"

#define RTP_STORE_MAX_LOAD 10000000 /* packets read back for one export at most */
#define RTP_STORE_MAX_LEN  65535    /* a UDP payload is never longer */

struct rtp_store {
    struct db *db;
    struct writer *w;
    sqlite3_stmt *ins;
    char err[512];
};

struct rtp_store *rtp_store_new(struct db *db, struct writer *w, uint64_t first_call_id, char *err,
                                size_t errlen)
{
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM rtp_packets WHERE call>=%llu",
             (unsigned long long)first_call_id);
    if (db_exec(db, SCHEMA_RTP_PACKETS, err, errlen) < 0 || db_exec(db, sql, err, errlen) < 0)
        return NULL;
    struct rtp_store *rs = calloc(1, sizeof *rs);
    if (!rs)
        abort();
    rs->db = db;
    rs->w = w;
    rs->ins = db_prepare(db,
                         "INSERT INTO rtp_packets(call,ts_ns,kind,src,dst,spool_off,len)"
                         " VALUES(?,?,?,?,?,?,?)",
                         err, errlen);
    if (!rs->ins) {
        free(rs);
        return NULL;
    }
    return rs;
}

void rtp_store_free(struct rtp_store *rs)
{
    if (!rs)
        return;
    sqlite3_finalize(rs->ins);
    free(rs);
}

int rtp_store_packet(struct rtp_store *rs, uint64_t call, int kind, const struct net_payload *pl)
{
    if (!rs || call == 0 || rs->err[0])
        return -1;
    char src[64], dst[64];
    net_endpoint_fmt(&pl->src, src, sizeof src);
    net_endpoint_fmt(&pl->dst, dst, sizeof dst);
    uint64_t off = writer_spool(rs->w, pl->data);
    sqlite3_stmt *st = rs->ins;
    sqlite3_bind_int64(st, 1, (int64_t)call);
    sqlite3_bind_int64(st, 2, pl->frame->ts_ns);
    sqlite3_bind_int(st, 3, kind);
    sqlite3_bind_text(st, 4, src, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, dst, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, (int64_t)off);
    sqlite3_bind_int64(st, 7, (int64_t)pl->data.len);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        db_error(rs->db, "rtp_packets", rs->err, sizeof rs->err);
        return -1;
    }
    return 0;
}

const char *rtp_store_error(const struct rtp_store *rs)
{
    return rs && rs->err[0] ? rs->err : NULL;
}

void rtp_store_pkts_free(struct rtp_pkt *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].data);
    free(v);
}

static void copy_text(char *dst, size_t n, const unsigned char *s)
{
    snprintf(dst, n, "%s", s ? (const char *)s : "");
}

int rtp_store_load(struct db *db, const int64_t *calls, size_t ncalls, struct rtp_pkt **v,
                   size_t *n, char *err, size_t errlen)
{
    *v = NULL;
    *n = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h,
                           "SELECT 1 FROM sqlite_master WHERE type='table' AND name='rtp_packets'",
                           -1, &st, NULL) != SQLITE_OK) {
        db_error(db, "rtp_packets", err, errlen);
        return -1;
    }
    bool exists = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!exists || ncalls == 0)
        return 0;
    /* One query over the calls, in capture (insertion) order across them. */
    size_t cap = 0;
    size_t sz = 128 + ncalls * 24, k = 0;
    char *sql = malloc(sz);
    if (!sql)
        abort();
    k += (size_t)snprintf(
        sql, sz, "SELECT ts_ns,kind,src,dst,spool_off,len FROM rtp_packets WHERE call IN(");
    for (size_t i = 0; i < ncalls && k < sz; i++)
        k += (size_t)snprintf(sql + k, sz - k, "%s%lld", i ? "," : "", (long long)calls[i]);
    if (k < sz)
        snprintf(sql + k, sz - k, ") ORDER BY id");
    int rc = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL);
    free(sql);
    if (rc != SQLITE_OK) {
        db_error(db, "rtp_packets", err, errlen);
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < RTP_STORE_MAX_LOAD) {
        int64_t len = sqlite3_column_int64(st, 5), off = sqlite3_column_int64(st, 4);
        if (len < 0 || len > RTP_STORE_MAX_LEN || off < 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            struct rtp_pkt *nv = realloc(*v, cap * sizeof *nv);
            if (!nv)
                abort();
            *v = nv;
        }
        struct rtp_pkt *p = &(*v)[*n];
        p->ts_ns = sqlite3_column_int64(st, 0);
        p->kind = sqlite3_column_int(st, 1);
        copy_text(p->src, sizeof p->src, sqlite3_column_text(st, 2));
        copy_text(p->dst, sizeof p->dst, sqlite3_column_text(st, 3));
        p->len = (size_t)len;
        p->data = malloc(p->len ? p->len : 1);
        if (!p->data)
            abort();
        if (db_spool_read(db, (uint64_t)off, p->data, p->len) < 0) {
            free(p->data);
            continue;
        }
        (*n)++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        db_error(db, "rtp_packets", err, errlen);
        rtp_store_pkts_free(*v, *n);
        *v = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}
