/* media_store.c: media analysis glue between ingest and SQLite: SDP -> flows, UDP -> RTP
 * streams (dissect/media.c), one rtp_streams row per stream written when it starts and
 * replaced with its final figures when it ends; readers for the commands (docs/media.md). */
#include "store/media_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/media.h"
#include "store/call_media.h"
#include "store/rtcp_store.h"
#include "store/rtp_store.h"
#include "store/schema.sql.h"

#define MS_ASSUMED_DELAY_MS                                                                        \
    20.0 /* one-way delay the MOS assumes besides jitter (docs/media.md)                           \
          */

struct media_store {
    struct db *db;
    struct media_ctx *media;
    sqlite3_stmt *ins, *upd_call, *count;
    struct call_media *cm;  /* per-call verdicts (store/call_media.h) */
    struct rtcp_store *rs;  /* RTCP aggregates (store/rtcp_store.h) */
    struct rtp_store *keep; /* --store-rtp: packets kept (store/rtp_store.h), else NULL */
    uint64_t first_call_id;
    sqlite3_stmt *ins_orphan, *ins_heur; /* --rtp-heuristic, else NULL */
    char err[512];
};

static const char SQL_INS[] =
    "INSERT OR REPLACE INTO rtp_streams(id,call,src,dst,ssrc,payload_type,codec,clock_rate,"
    "packets,expected,lost,seq_errors,min_delta_ms,mean_delta_ms,max_delta_ms,min_jitter_ms,"
    "mean_jitter_ms,max_jitter_ms,problem,first_frame,first_ns,last_ns,markers,cn_packets,dtmf,"
    "r_factor,mos) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_INS_ORPHAN[] =
    "INSERT OR REPLACE INTO orphan_rtp_streams(id,capture,src,dst,ssrc,payload_type,codec,"
    "clock_rate,packets,expected,lost,seq_errors,min_delta_ms,mean_delta_ms,max_delta_ms,"
    "min_jitter_ms,mean_jitter_ms,max_jitter_ms,problem,first_frame,first_ns,last_ns,markers,"
    "cn_packets,dtmf,r_factor,mos) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_INS_HEUR[] =
    "INSERT OR REPLACE INTO rtp_heuristic_streams(stream,call) VALUES(?,?)";
static const char SQL_UPD_CALL[] =
    "UPDATE calls SET rtp_streams=(SELECT count(*) FROM rtp_streams WHERE call=?1) WHERE id=?1";
static const char SQL_COUNT[] = "SELECT count(*) FROM rtp_streams WHERE call=?1";
static const char SQL_READ[] =
    "SELECT id,call,src,dst,ssrc,payload_type,codec,clock_rate,packets,expected,lost,seq_errors,"
    "min_delta_ms,mean_delta_ms,max_delta_ms,min_jitter_ms,mean_jitter_ms,max_jitter_ms,problem,"
    "first_ns,last_ns,dtmf,mos FROM rtp_streams WHERE call=? ORDER BY first_ns,id";
/* The same with the --rtp-heuristic mark, when the database has its table. */
static const char SQL_READ_HEUR[] =
    "SELECT id,call,src,dst,ssrc,payload_type,codec,clock_rate,packets,expected,lost,seq_errors,"
    "min_delta_ms,mean_delta_ms,max_delta_ms,min_jitter_ms,mean_jitter_ms,max_jitter_ms,problem,"
    "first_ns,last_ns,dtmf,mos,EXISTS(SELECT 1 FROM rtp_heuristic_streams h WHERE "
    "h.stream=rtp_streams.id) "
    "FROM rtp_streams WHERE call=? ORDER BY first_ns,id";

static void fail(struct media_store *ms, const char *what)
{
    if (!ms->err[0])
        db_error(ms->db, what, ms->err, sizeof ms->err);
}

static void write_stream(struct media_store *ms, const struct media_stream *s);

static void on_done(void *user, struct media_stream *s)
{
    struct media_store *ms = user;
    write_stream(ms, s);
    if (s->call && !ms->err[0] && call_media_refresh(ms->cm, (int64_t)s->call) < 0)
        fail(ms, "call_media");
}

static int drop_orphans(struct db *db, uint64_t first_call_id, char *err, size_t errlen)
{
    char sql[256];
    unsigned long long f = (unsigned long long)first_call_id;
    snprintf(sql, sizeof sql,
             "DELETE FROM rtp_streams WHERE call>=%llu; DELETE FROM call_media WHERE call>=%llu;"
             "DELETE FROM rtcp_reports WHERE call>=%llu",
             f, f, f);
    return db_exec(db, sql, err, errlen);
}

/* --rtp-heuristic rows an interrupted import left: marks of calls at or above first_call_id,
 * orphan streams of captures that are gone. Only when the tables exist (a database imported with
 * the option once), so a later import without it cleans up too. */
static int drop_heuristic_orphans(struct db *db, uint64_t first_call_id, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    bool have = false;
    if (sqlite3_prepare_v2(db->h,
                           "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
                           "('orphan_rtp_streams','rtp_heuristic_streams')",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        have = sqlite3_column_int(st, 0) == 2;
    sqlite3_finalize(st);
    if (!have)
        return 0;
    char sql[256];
    snprintf(sql, sizeof sql,
             "DELETE FROM rtp_heuristic_streams WHERE call>=%llu; DELETE FROM orphan_rtp_streams "
             "WHERE capture NOT IN (SELECT id FROM captures)",
             (unsigned long long)first_call_id);
    return db_exec(db, sql, err, errlen);
}

static uint64_t next_stream_id(struct db *db)
{
    sqlite3_stmt *st = NULL;
    uint64_t v = 1;
    if (sqlite3_prepare_v2(db->h, "SELECT coalesce(max(id),0)+1 FROM rtp_streams", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

struct media_store *media_store_new(struct db *db, uint64_t first_call_id, char *err, size_t errlen)
{
    struct media_store *ms = calloc(1, sizeof *ms);
    if (!ms)
        abort();
    ms->db = db;
    ms->first_call_id = first_call_id;
    if (db_exec(db, SCHEMA_RTP_STREAMS, err, errlen) < 0 ||
        call_media_schema(db, err, errlen) < 0 || rtcp_store_schema(db, err, errlen) < 0 ||
        drop_orphans(db, first_call_id, err, errlen) < 0 ||
        drop_heuristic_orphans(db, first_call_id, err, errlen) < 0)
        goto fail;
    ms->ins = db_prepare(db, SQL_INS, err, errlen);
    ms->upd_call = ms->ins ? db_prepare(db, SQL_UPD_CALL, err, errlen) : NULL;
    ms->count = ms->upd_call ? db_prepare(db, SQL_COUNT, err, errlen) : NULL;
    if (!ms->count)
        goto fail;
    ms->cm = call_media_new(db, err, errlen);
    ms->rs = ms->cm ? rtcp_store_new(db, err, errlen) : NULL;
    if (!ms->rs)
        goto fail;
    ms->media = media_new(next_stream_id(db), on_done, ms);
    return ms;
fail:
    media_store_free(ms);
    return NULL;
}

void media_store_free(struct media_store *ms)
{
    if (!ms)
        return;
    media_free(ms->media);
    sqlite3_finalize(ms->ins);
    sqlite3_finalize(ms->upd_call);
    sqlite3_finalize(ms->count);
    sqlite3_finalize(ms->ins_orphan);
    sqlite3_finalize(ms->ins_heur);
    call_media_free(ms->cm);
    rtcp_store_free(ms->rs);
    rtp_store_free(ms->keep);
    free(ms);
}

static void bind_real(sqlite3_stmt *st, int i, double v, bool ok)
{
    if (ok)
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static void bind_ep(sqlite3_stmt *st, int i, const struct net_endpoint *e)
{
    char buf[64];
    size_t n = net_endpoint_fmt(e, buf, sizeof buf);
    sqlite3_bind_text(st, i, buf, (int)n, SQLITE_TRANSIENT);
}

static void bind_codec(sqlite3_stmt *st, const struct media_stream *s)
{
    char codec[MEDIA_MAX_ENC + 16];
    if (s->enc[0] == '\0') {
        sqlite3_bind_null(st, 7);
        sqlite3_bind_null(st, 8);
        return;
    }
    int n = snprintf(codec, sizeof codec, "%s/%u", s->enc, (unsigned)s->enc_rate);
    sqlite3_bind_text(st, 7, codec, n, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 8, (int)s->enc_rate);
}

/* R factor and MOS of a stream (docs/media.md). */
static double stream_r(const struct media_stream *s)
{
    const struct rtp_stats *st = &s->st;
    int64_t expected = rtp_stats_expected(st);
    int32_t lost = rtp_stats_lost(st);
    struct rtp_mos_in in = {.jitter_ms = st->mean_jitter, .delay_ms = MS_ASSUMED_DELAY_MS};
    in.loss_pct = (expected > 0 && lost > 0) ? 100.0 * lost / (double)expected : 0;
    rtp_codec_impairment(s->enc, &in.ie, &in.bpl);
    return rtp_r_factor(&in);
}

static void bind_stats(sqlite3_stmt *st, const struct media_stream *s)
{
    const struct rtp_stats *a = &s->st;
    sqlite3_bind_int64(st, 9, (int64_t)s->packets);
    sqlite3_bind_int64(st, 10, rtp_stats_expected(a));
    sqlite3_bind_int64(st, 11, rtp_stats_lost(a));
    sqlite3_bind_int64(st, 12, a->seq_errors);
    bind_real(st, 13, a->min_delta, a->min_delta >= 0);
    bind_real(st, 14, a->mean_delta, s->packets > 0);
    bind_real(st, 15, a->max_delta, s->packets > 0);
    bind_real(st, 16, a->min_jitter, a->min_jitter >= 0);
    bind_real(st, 17, a->mean_jitter, s->packets > 0);
    bind_real(st, 18, a->max_jitter, s->packets > 0);
    sqlite3_bind_int(st, 19, a->problem);
    sqlite3_bind_int64(st, 20, (int64_t)s->first_frame);
    sqlite3_bind_int64(st, 21, s->first_ns);
    sqlite3_bind_int64(st, 22, s->last_ns);
    sqlite3_bind_int64(st, 23, s->markers);
    sqlite3_bind_int64(st, 24, s->cn_packets);
    if (s->dtmf[0])
        sqlite3_bind_text(st, 25, s->dtmf, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 25);
    double r = stream_r(s);
    bind_real(st, 26, r, s->packets > 0);
    bind_real(st, 27, rtp_mos_of_r(r), s->packets > 0);
}

static void step(struct media_store *ms, sqlite3_stmt *st, const char *what)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        fail(ms, what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* A stream of a call into rtp_streams; one the heuristic found on no call's address into
 * orphan_rtp_streams with its capture. */
static void write_stream(struct media_store *ms, const struct media_stream *s)
{
    bool orphan = s->call == 0 && s->heuristic && ms->ins_orphan;
    if ((s->call == 0 && !orphan) || ms->err[0])
        return;
    sqlite3_stmt *st = orphan ? ms->ins_orphan : ms->ins;
    sqlite3_bind_int64(st, 1, (int64_t)s->id);
    sqlite3_bind_int64(st, 2, (int64_t)(orphan ? s->capture : s->call));
    bind_ep(st, 3, &s->src);
    bind_ep(st, 4, &s->dst);
    sqlite3_bind_int64(st, 5, s->ssrc);
    sqlite3_bind_int(st, 6, s->pt);
    bind_codec(st, s);
    bind_stats(st, s);
    step(ms, st, orphan ? "orphan_rtp_streams" : "rtp_streams");
}

void media_store_sdp(struct media_store *ms, const struct dlg_call *c, const struct sdp *s,
                     int64_t now_ns)
{
    media_sdp(ms->media, c ? c->id : 0, s, now_ns);
}

/* A new stream gets its row at once so the call's stream count is right whenever it is read. */
static void stream_started(struct media_store *ms, const struct media_stream *s)
{
    if (s->call == 0) {
        write_stream(ms, s); /* a heuristic stream of no call: orphan_rtp_streams */
        return;
    }
    write_stream(ms, s);
    if (s->heuristic && ms->ins_heur && !ms->err[0]) {
        sqlite3_bind_int64(ms->ins_heur, 1, (int64_t)s->id);
        sqlite3_bind_int64(ms->ins_heur, 2, (int64_t)s->call);
        step(ms, ms->ins_heur, "rtp_heuristic_streams");
    }
    sqlite3_bind_int64(ms->upd_call, 1, (int64_t)s->call);
    step(ms, ms->upd_call, "calls.rtp_streams");
}

/* An RTCP compound on a call's flow: its report blocks and XR VoIP metrics into rtcp_reports. */
static void rtcp_packet(struct media_store *ms, const struct net_payload *pl)
{
    struct rtcp_info in;
    uint64_t call = media_rtcp_call(ms->media);
    enum dis_result r = rtcp_parse(pl->data, &in);
    if (call == 0 || ms->err[0] || (r != DIS_OK && r != DIS_TRUNC))
        return;
    if (rtcp_store_add(ms->rs, call, &pl->src, &in, pl->frame->ts_ns) < 0)
        fail(ms, "rtcp_reports");
}

int media_store_packet(struct media_store *ms, const struct net_payload *pl)
{
    struct media_stream *s = NULL;
    enum media_kind k = media_packet(ms->media, pl, &s);
    if (k == MEDIA_RTCP) {
        if (ms->keep && rtp_store_packet(ms->keep, media_rtcp_call(ms->media), 1, pl) < 0 &&
            rtp_store_error(ms->keep) && !ms->err[0])
            snprintf(ms->err, sizeof ms->err, "%s", rtp_store_error(ms->keep));
        rtcp_packet(ms, pl);
        return 0;
    }
    if (k == MEDIA_RTP && ms->keep &&
        rtp_store_packet(ms->keep, media_rtp_call(ms->media), 0, pl) < 0 &&
        rtp_store_error(ms->keep) && !ms->err[0])
        snprintf(ms->err, sizeof ms->err, "%s", rtp_store_error(ms->keep));
    if (k != MEDIA_RTP || !s)
        return 0;
    stream_started(ms, s);
    return 1;
}

int media_store_keep_rtp(struct media_store *ms, struct writer *w, char *err, size_t errlen)
{
    if (ms->keep)
        return 0;
    ms->keep = rtp_store_new(ms->db, w, ms->first_call_id, err, errlen);
    return ms->keep ? 0 : -1;
}

int media_store_heuristic(struct media_store *ms, char *err, size_t errlen)
{
    if (ms->ins_orphan)
        return 0;
    if (db_exec(ms->db, SCHEMA_RTP_HEURISTIC, err, errlen) < 0 ||
        drop_heuristic_orphans(ms->db, ms->first_call_id, err, errlen) < 0)
        return -1;
    ms->ins_orphan = db_prepare(ms->db, SQL_INS_ORPHAN, err, errlen);
    ms->ins_heur = ms->ins_orphan ? db_prepare(ms->db, SQL_INS_HEUR, err, errlen) : NULL;
    if (!ms->ins_heur)
        return -1;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(ms->db->h, "SELECT coalesce(max(id),0)+1 FROM orphan_rtp_streams", -1,
                           &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        media_set_next_id(ms->media, (uint64_t)sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    media_set_heuristic(ms->media);
    return 0;
}

void media_store_capture(struct media_store *ms, int64_t capture)
{
    media_set_capture(ms->media, (uint64_t)capture);
}

void media_store_call(struct media_store *ms, struct dlg_call *c)
{
    bool invite = strcmp(c->method, "INVITE") == 0;
    /* no stream seen by this import (whose calls are the only ones it can tie streams to): the
     * call has no rtp_streams rows, the verdict needs no read of them, and the call keeps the
     * stream count it had */
    bool none = media_get_counters(ms->media)->streams == 0;
    if (invite && !ms->err[0] &&
        (none ? call_media_set_none(ms->cm, (int64_t)c->id, c->answer_ns)
              : call_media_update(ms->cm, (int64_t)c->id, c->answer_ns)) < 0)
        fail(ms, "call_media");
    if (none)
        return;
    sqlite3_bind_int64(ms->count, 1, (int64_t)c->id);
    if (sqlite3_step(ms->count) == SQLITE_ROW)
        c->rtp_streams = (uint32_t)sqlite3_column_int(ms->count, 0);
    sqlite3_reset(ms->count);
}

void media_store_expire(struct media_store *ms, int64_t now_ns)
{
    media_expire(ms->media, now_ns);
}

static void tick_stream(void *user, struct media_stream *s)
{
    if (!s->dirty)
        return;
    s->dirty = false;
    write_stream(user, s);
}

void media_store_tick(struct media_store *ms)
{
    media_foreach(ms->media, tick_stream, ms);
}

void media_store_flush(struct media_store *ms)
{
    media_flush_all(ms->media);
}

const char *media_store_error(const struct media_store *ms)
{
    return ms->err[0] ? ms->err : NULL;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static double col_real(sqlite3_stmt *st, int i, double none)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_double(st, i);
}

static void row_of(sqlite3_stmt *st, struct ms_row *r)
{
    *r = (struct ms_row){
        .id = sqlite3_column_int64(st, 0),
        .call = sqlite3_column_int64(st, 1),
        .src = col_text(st, 2),
        .dst = col_text(st, 3),
        .ssrc = (uint32_t)sqlite3_column_int64(st, 4),
        .payload_type = sqlite3_column_int(st, 5),
        .codec = col_text(st, 6),
        .clock_rate = sqlite3_column_int(st, 7),
        .packets = sqlite3_column_int64(st, 8),
        .expected = sqlite3_column_int64(st, 9),
        .lost = sqlite3_column_int64(st, 10),
        .seq_errors = sqlite3_column_int64(st, 11),
        .min_delta_ms = col_real(st, 12, -1),
        .mean_delta_ms = col_real(st, 13, 0),
        .max_delta_ms = col_real(st, 14, 0),
        .min_jitter_ms = col_real(st, 15, -1),
        .mean_jitter_ms = col_real(st, 16, 0),
        .max_jitter_ms = col_real(st, 17, 0),
        .problem = sqlite3_column_int(st, 18) != 0,
        .first_ns = sqlite3_column_int64(st, 19),
        .last_ns = sqlite3_column_int64(st, 20),
        .dtmf = col_text(st, 21),
        .mos = col_real(st, 22, -1),
        .heuristic = sqlite3_column_count(st) > 23 && sqlite3_column_int(st, 23) != 0,
    };
}

int media_store_read(struct db *db, const int64_t *calls, size_t ncalls, ms_row_fn fn, void *user,
                     char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, SQL_READ_HEUR, -1, &st, NULL) != SQLITE_OK &&
        sqlite3_prepare_v2(db->h, SQL_READ, -1, &st, NULL) != SQLITE_OK) {
        db_error(db, "rtp_streams", err, errlen);
        return -1;
    }
    int rc = 0, stop = 0;
    for (size_t i = 0; i < ncalls && !stop && rc == 0; i++) {
        sqlite3_bind_int64(st, 1, calls[i]);
        int s = sqlite3_step(st);
        while (s == SQLITE_ROW) {
            struct ms_row r;
            row_of(st, &r);
            stop = fn(user, &r);
            if (stop)
                break;
            s = sqlite3_step(st);
        }
        if (!stop && s != SQLITE_DONE) {
            db_error(db, "rtp_streams", err, errlen);
            rc = -1;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}
