/* stats_rtp.c: the RTP quality summary of `sipscope stats` (stats.h struct st_rtp): streams,
 * streams with loss, mean and max jitter, MOS distribution in the ITU-T G.107 Table B.1 user
 * satisfaction bands, and the calls' media verdicts (call_media), over the streams of the calls
 * whose first message lies in the window. */
#include <stdio.h>
#include <string.h>

#include "store/schema.sql.h"
#include "store/stats.h"

/* MOS at the band edges R = 90, 80, 70, 60 (G.107 Annex B MOS of R). */
#define SQL_STREAMS                                                                                \
    "SELECT count(*), coalesce(sum(r.lost>0),0), coalesce(sum(r.packets),0),"                      \
    " coalesce(sum(max(r.lost,0)),0), coalesce(sum(r.mean_jitter_ms),0), count(r.mean_jitter_ms)," \
    " max(r.max_jitter_ms), coalesce(sum(r.mos>=4.34),0), coalesce(sum(r.mos>=4.03 AND "           \
    "r.mos<4.34),0),"                                                                              \
    " coalesce(sum(r.mos>=3.60 AND r.mos<4.03),0), coalesce(sum(r.mos>=3.10 AND r.mos<3.60),0),"   \
    " coalesce(sum(r.mos<3.10),0), coalesce(sum(r.mos IS NULL),0)"                                 \
    " FROM rtp_streams r JOIN calls c ON c.id=r.call WHERE c.start_ns BETWEEN ?1 AND ?2"
#define SQL_VERDICTS                                                                               \
    "SELECT coalesce(sum(m.media='both'),0), coalesce(sum(m.media='one-way'),0),"                  \
    " coalesce(sum(m.media='none'),0) FROM call_media m JOIN calls c ON c.id=m.call"               \
    " WHERE c.start_ns BETWEEN ?1 AND ?2"

/* --rtp-heuristic streams: tied to a call in scope; of no call, started in the window. */
#define SQL_HEUR_CALL                                                                              \
    "SELECT count(*) FROM rtp_heuristic_streams h JOIN calls c ON c.id=h.call"                     \
    " WHERE c.start_ns BETWEEN ?1 AND ?2"
#define SQL_HEUR_ORPHAN                                                                            \
    "SELECT count(*) FROM orphan_rtp_streams c WHERE c.first_ns BETWEEN ?1 AND ?2"
#define SQL_HAS_HEUR                                                                               \
    "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "                           \
    "('orphan_rtp_streams','rtp_heuristic_streams')"

static void add_heur_call(struct st_rtp *o, sqlite3_stmt *st)
{
    o->heur_call += sqlite3_column_int64(st, 0);
}

static void add_heur_orphan(struct st_rtp *o, sqlite3_stmt *st)
{
    o->heur_orphan += sqlite3_column_int64(st, 0);
}

static void add_streams(struct st_rtp *o, sqlite3_stmt *st)
{
    o->streams += sqlite3_column_int64(st, 0);
    o->streams_with_loss += sqlite3_column_int64(st, 1);
    o->packets += sqlite3_column_int64(st, 2);
    o->lost += sqlite3_column_int64(st, 3);
    o->jitter_sum += sqlite3_column_double(st, 4);
    o->jitter_n += sqlite3_column_int64(st, 5);
    if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
        double m = sqlite3_column_double(st, 6);
        if (!o->has_max_jitter || m > o->max_jitter_ms)
            o->max_jitter_ms = m;
        o->has_max_jitter = true;
    }
    for (int i = 0; i < ST_MOS_BANDS; i++)
        o->mos[i] += sqlite3_column_int64(st, 7 + i);
}

static void add_verdicts(struct st_rtp *o, sqlite3_stmt *st)
{
    o->calls_both += sqlite3_column_int64(st, 0);
    o->calls_one_way += sqlite3_column_int64(st, 1);
    o->calls_none += sqlite3_column_int64(st, 2);
}

/* Runs sql (with " AND c.capture=?3" per capture when nids) and adds each row with fn. */
static int run(struct db *db, const char *base, int64_t lo, int64_t hi, const int64_t *ids,
               size_t nids, struct st_rtp *o, void (*fn)(struct st_rtp *, sqlite3_stmt *),
               char *err, size_t errlen)
{
    char sql[1024];
    snprintf(sql, sizeof sql, "%s%s", base, nids ? " AND c.capture=?3" : "");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
        db_error(db, "statistics: rtp", err, errlen);
        return -1;
    }
    int rc = SQLITE_DONE;
    for (size_t i = 0; i < (nids ? nids : 1) && rc == SQLITE_DONE; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, lo);
        sqlite3_bind_int64(st, 2, hi);
        if (nids)
            sqlite3_bind_int64(st, 3, ids[i]);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            fn(o, st);
            rc = sqlite3_step(st);
        }
    }
    if (rc != SQLITE_DONE)
        db_error(db, "statistics: rtp", err, errlen);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int st_collect_rtp(struct db *db, int64_t lo, int64_t hi, const int64_t *ids, size_t nids,
                   struct st_rtp *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    if (!db->readonly && (db_exec(db, SCHEMA_RTP_STREAMS, err, errlen) < 0 ||
                          db_exec(db, SCHEMA_CALL_MEDIA, err, errlen) < 0))
        return -1;
    if (run(db, SQL_STREAMS, lo, hi, ids, nids, o, add_streams, err, errlen) < 0)
        return -1;
    if (run(db, SQL_VERDICTS, lo, hi, ids, nids, o, add_verdicts, err, errlen) < 0)
        return -1;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, SQL_HAS_HEUR, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        o->has_heur = sqlite3_column_int(st, 0) == 2;
    sqlite3_finalize(st);
    if (!o->has_heur)
        return 0;
    if (run(db, SQL_HEUR_CALL, lo, hi, ids, nids, o, add_heur_call, err, errlen) < 0)
        return -1;
    return run(db, SQL_HEUR_ORPHAN, lo, hi, ids, nids, o, add_heur_orphan, err, errlen);
}

const char *st_mos_band_name(int i)
{
    static const char *const names[ST_MOS_BANDS] = {"very_satisfied",          "satisfied",
                                                    "some_dissatisfied",       "many_dissatisfied",
                                                    "nearly_all_dissatisfied", "none"};
    return i >= 0 && i < ST_MOS_BANDS ? names[i] : "?";
}
