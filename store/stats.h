/* stats.h: traffic statistics over a scope of the history (some captures, a time window): SIP
 * messages per response code, method and User-Agent/Server value; calls per state, answer-seizure
 * ratio and setup-time percentiles. Definitions: docs/schema.md ("Statistics"). */
#ifndef SS_STATS_H
#define SS_STATS_H

#include "store/db.h"

#define ST_CODES 1000 /* response codes are three digits on the wire: 0..999 */

/* What to count. Messages are windowed by ts_ns, calls by start_ns (both bounds inclusive). */
struct st_scope {
    const int64_t *captures; /* only these capture ids (n = 0: the whole history) */
    size_t ncaptures;
    int64_t since_ns, until_ns; /* 0 = open */
};

/* One counted value; key (len bytes, then a NUL) is owned by the st_result. */
struct st_count {
    char *key;
    size_t len;
    int64_t count;
};

/* RTP quality of the streams of the calls in scope (store/stats_rtp.c; docs/schema.md). */
#define ST_MOS_BANDS                                                                               \
    6 /* G.107 Table B.1 bands by MOS: >=4.34, 4.03-4.34, 3.60-4.03, 3.10-3.60,                    \
       * <3.10, and streams without a MOS */
struct st_rtp {
    int64_t streams, streams_with_loss; /* with loss: lost > 0 */
    int64_t packets, lost;              /* lost: sum of the positive per-stream losses */
    double jitter_sum;                  /* of the streams' mean jitter, ms; over jitter_n */
    int64_t jitter_n;
    double max_jitter_ms; /* highest max jitter, when has_max_jitter */
    bool has_max_jitter;
    int64_t mos[ST_MOS_BANDS];                     /* streams per band (st_mos_band_name) */
    int64_t calls_both, calls_one_way, calls_none; /* call_media verdicts */
    bool has_heur;                  /* the database holds --rtp-heuristic tables (docs/media.md) */
    int64_t heur_call, heur_orphan; /* heuristic streams tied to a call in scope / to none */
};

/* Fills o for the calls starting in [lo, hi] (of the captures ids when nids). 0 or -1 + err. */
int st_collect_rtp(struct db *db, int64_t lo, int64_t hi, const int64_t *ids, size_t nids,
                   struct st_rtp *o, char *err, size_t errlen);
/* "very_satisfied", "satisfied", "some_dissatisfied", "many_dissatisfied",
 * "nearly_all_dissatisfied", "none". */
const char *st_mos_band_name(int i);

struct st_result {
    int64_t messages;         /* SIP messages, also those without a Call-ID */
    int64_t status[ST_CODES]; /* response messages per code */
    struct st_count *methods; /* request messages per method */
    size_t nmethods;          /* lists: by count (descending), then key */
    struct st_count *uas;     /* messages per User-Agent (else Server) value, all values */
    size_t nuas;              /* (callers show the top ones) */
    int64_t calls;            /* calls (one per Call-ID and import) */
    struct st_count *states;  /* calls per state */
    size_t nstates;
    int64_t invite_final;           /* INVITE calls with a final status */
    int64_t invite_answered;        /* ... of them 2xx: ASR = answered / final */
    int64_t nsetup;                 /* INVITE calls with a setup time (first 18x/2xx seen) */
    int64_t p50_ns, p90_ns, p99_ns; /* nearest-rank percentiles of the setup time, when nsetup */
    size_t captures_summed;         /* captures counted from capture_stats (wholly inside) */
    size_t captures_scanned;        /* captures whose messages were counted one by one */
    struct st_rtp rtp;              /* RTP quality summary */
};

/* Fills r (zeroed first) for scope s. Returns 0, or -1 with "PATH: what: message" in err; free
 * r with st_result_free in both cases. */
int st_collect(struct db *db, const struct st_scope *s, struct st_result *r, char *err,
               size_t errlen);

/* Message counts of one capture, kept while it is imported: the writer adds every message it
 * stores and writes the tally to capture_stats (inside its transaction) when the capture ends.
 * Memory is bounded: past a limit of distinct values the counts are taken from the stored
 * messages instead. */
struct st_tally;
struct st_tally *st_tally_new(void);
void st_tally_free(struct st_tally *t);
/* Forgets everything (a new capture starts). */
void st_tally_reset(struct st_tally *t);
/* Counts one stored message: status 0 for a request; method / ua of length 0 when absent. */
void st_tally_add(struct st_tally *t, unsigned status, const char *method, size_t mlen,
                  const char *ua, size_t ualen);
/* Writes the capture's capture_stats rows (replacing any) and resets t. 0 or -1 with err. */
int st_tally_store(struct st_tally *t, struct db *db, int64_t capture, char *err, size_t errlen);

/* Frees what r owns (not r). */
void st_result_free(struct st_result *r);

#endif
