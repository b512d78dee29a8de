/* rtcp_store.c: RTCP report blocks and XR VoIP metrics aggregated per (call, reporter, SSRC) in
 * rtcp_reports by SQLite upserts (a few packets per stream and 5 s), and read back per stream. */
#include "store/rtcp_store.h"

#include <stdlib.h>

#include "store/schema.sql.h"

struct rtcp_store {
    struct db *db;
    sqlite3_stmt *block, *voip;
};

static const char SQL_BLOCK[] =
    "INSERT INTO rtcp_reports(call,reporter,ssrc,reports,fraction_lost,max_fraction_lost,cum_lost,"
    "jitter,max_jitter,rtt_n,rtt_sum_ms,rtt_min_ms,rtt_max_ms,first_ns,last_ns)"
    " VALUES(?1,?2,?3,1,?4,?4,?5,?6,?6,?7,coalesce(?8,0),?8,?8,?9,?9)"
    " ON CONFLICT(call,reporter,ssrc) DO UPDATE SET reports=reports+1,"
    " fraction_lost=excluded.fraction_lost,"
    " max_fraction_lost=max(coalesce(max_fraction_lost,0),excluded.fraction_lost),"
    " cum_lost=excluded.cum_lost, jitter=excluded.jitter,"
    " max_jitter=max(coalesce(max_jitter,0),excluded.jitter),"
    " rtt_n=rtt_n+excluded.rtt_n, rtt_sum_ms=rtt_sum_ms+excluded.rtt_sum_ms,"
    " rtt_min_ms=CASE WHEN excluded.rtt_min_ms IS NULL THEN rtt_min_ms WHEN rtt_min_ms IS NULL"
    " THEN excluded.rtt_min_ms ELSE min(rtt_min_ms,excluded.rtt_min_ms) END,"
    " rtt_max_ms=CASE WHEN excluded.rtt_max_ms IS NULL THEN rtt_max_ms WHEN rtt_max_ms IS NULL"
    " THEN excluded.rtt_max_ms ELSE max(rtt_max_ms,excluded.rtt_max_ms) END,"
    " first_ns=coalesce(first_ns,excluded.first_ns), last_ns=excluded.last_ns";
static const char SQL_VOIP[] =
    "INSERT INTO rtcp_reports(call,reporter,ssrc,xr_reports,xr_loss_rate,xr_discard_rate,"
    "xr_rtt_ms,xr_end_delay_ms,xr_r_factor,xr_mos_lq,xr_mos_cq,first_ns,last_ns)"
    " VALUES(?1,?2,?3,1,?4,?5,?6,?7,?8,?9,?10,?11,?11)"
    " ON CONFLICT(call,reporter,ssrc) DO UPDATE SET xr_reports=xr_reports+1,"
    " xr_loss_rate=excluded.xr_loss_rate, xr_discard_rate=excluded.xr_discard_rate,"
    " xr_rtt_ms=excluded.xr_rtt_ms, xr_end_delay_ms=excluded.xr_end_delay_ms,"
    " xr_r_factor=excluded.xr_r_factor, xr_mos_lq=excluded.xr_mos_lq,"
    " xr_mos_cq=excluded.xr_mos_cq, first_ns=coalesce(first_ns,excluded.first_ns),"
    " last_ns=excluded.last_ns";
static const char SQL_READ[] =
    "SELECT reports,xr_reports,fraction_lost,max_fraction_lost,cum_lost,jitter,max_jitter,rtt_n,"
    "rtt_sum_ms,rtt_min_ms,rtt_max_ms,xr_loss_rate,xr_discard_rate,xr_rtt_ms,xr_end_delay_ms,"
    "xr_r_factor,xr_mos_lq,xr_mos_cq FROM rtcp_reports WHERE call=? AND ssrc=?"
    " ORDER BY reports+xr_reports DESC, reporter LIMIT 1";

int rtcp_store_schema(struct db *db, char *err, size_t errlen)
{
    return db->readonly ? 0 : db_exec(db, SCHEMA_RTCP_REPORTS, err, errlen);
}

struct rtcp_store *rtcp_store_new(struct db *db, char *err, size_t errlen)
{
    struct rtcp_store *rs = calloc(1, sizeof *rs);
    if (!rs)
        abort();
    rs->db = db;
    if (rtcp_store_schema(db, err, errlen) < 0)
        goto fail;
    rs->block = db_prepare(db, SQL_BLOCK, err, errlen);
    rs->voip = rs->block ? db_prepare(db, SQL_VOIP, err, errlen) : NULL;
    if (!rs->voip)
        goto fail;
    return rs;
fail:
    rtcp_store_free(rs);
    return NULL;
}

void rtcp_store_free(struct rtcp_store *rs)
{
    if (!rs)
        return;
    sqlite3_finalize(rs->block);
    sqlite3_finalize(rs->voip);
    free(rs);
}

static int step(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static void bind_key(sqlite3_stmt *st, uint64_t call, const char *reporter, int n, uint32_t ssrc)
{
    sqlite3_bind_int64(st, 1, (int64_t)call);
    sqlite3_bind_text(st, 2, reporter, n, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, ssrc);
}

/* An XR value of 127 (x10 MOS, R factor) means "unavailable" (RFC 3611 §4.7.5, §4.7.6). */
static void bind_avail(sqlite3_stmt *st, int i, unsigned v, double scale)
{
    if (v == 127)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, v * scale);
}

int rtcp_store_add(struct rtcp_store *rs, uint64_t call, const struct net_endpoint *src,
                   const struct rtcp_info *in, int64_t arrival_ns)
{
    char rep[64];
    int n = (int)net_endpoint_fmt(src, rep, sizeof rep);
    int rc = 0;
    for (size_t i = 0; i < in->nblocks; i++) {
        const struct rtcp_block *b = &in->blocks[i];
        sqlite3_stmt *st = rs->block;
        double rtt = rtcp_rtt_ms(b, arrival_ns);
        bind_key(st, call, rep, n, b->ssrc);
        sqlite3_bind_double(st, 4, b->fraction_lost / 256.0);
        sqlite3_bind_int64(st, 5, b->cum_lost);
        sqlite3_bind_int64(st, 6, b->jitter);
        sqlite3_bind_int(st, 7, rtt >= 0);
        if (rtt >= 0)
            sqlite3_bind_double(st, 8, rtt);
        sqlite3_bind_int64(st, 9, arrival_ns);
        rc |= step(st);
    }
    for (size_t i = 0; i < in->nvoip; i++) {
        const struct rtcp_xr_voip *v = &in->voip[i];
        sqlite3_stmt *st = rs->voip;
        bind_key(st, call, rep, n, v->ssrc);
        sqlite3_bind_double(st, 4, v->loss_rate / 256.0);
        sqlite3_bind_double(st, 5, v->discard_rate / 256.0);
        sqlite3_bind_int(st, 6, v->rtt_ms);
        sqlite3_bind_int(st, 7, v->end_delay_ms);
        bind_avail(st, 8, v->r_factor, 1.0);
        bind_avail(st, 9, v->mos_lq, 0.1);
        bind_avail(st, 10, v->mos_cq, 0.1);
        sqlite3_bind_int64(st, 11, arrival_ns);
        rc |= step(st);
    }
    return rc;
}

static double real_or(sqlite3_stmt *st, int i, double none)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_double(st, i);
}

static int int_or(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int(st, i);
}

int rtcp_store_read(struct db *db, int64_t call, uint32_t ssrc, struct rtcp_row *o)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, SQL_READ, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return 0; /* a file without the table: no RTCP */
    }
    sqlite3_bind_int64(st, 1, call);
    sqlite3_bind_int64(st, 2, ssrc);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int64_t rn = sqlite3_column_int64(st, 7);
        *o = (struct rtcp_row){
            .reports = sqlite3_column_int64(st, 0),
            .xr_reports = sqlite3_column_int64(st, 1),
            .fraction_lost = real_or(st, 2, -1),
            .max_fraction_lost = real_or(st, 3, -1),
            .cum_lost = sqlite3_column_int64(st, 4),
            .jitter = sqlite3_column_int64(st, 5),
            .max_jitter = sqlite3_column_int64(st, 6),
            .rtt_n = rn,
            .rtt_mean_ms = rn ? sqlite3_column_double(st, 8) / (double)rn : -1,
            .rtt_min_ms = real_or(st, 9, -1),
            .rtt_max_ms = real_or(st, 10, -1),
            .xr_loss_rate = real_or(st, 11, -1),
            .xr_discard_rate = real_or(st, 12, -1),
            .xr_rtt_ms = int_or(st, 13),
            .xr_end_delay_ms = int_or(st, 14),
            .xr_r_factor = int_or(st, 15),
            .xr_mos_lq = real_or(st, 16, -1),
            .xr_mos_cq = real_or(st, 17, -1),
        };
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : (rc == SQLITE_DONE ? 0 : -1);
}
