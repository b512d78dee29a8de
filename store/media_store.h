/* media_store.h: the store side of media analysis: owns the media table (dissect/media.h), feeds
 * it SDP and UDP payloads, writes one rtp_streams row per stream (aggregates only; docs/media.md,
 * docs/schema.md) and reads them back for ladders and listings. */
#ifndef SS_MEDIA_STORE_H
#define SS_MEDIA_STORE_H

#include "dissect/dialog.h"
#include "dissect/sdp.h"
#include "store/db.h"

struct media_store;

/* Creates the glue for db (adds the rtp_streams table when missing, drops rows left by an
 * interrupted import: calls at or above first_call_id). NULL with err on failure. */
struct media_store *media_store_new(struct db *db, uint64_t first_call_id, char *err,
                                    size_t errlen);
/* Frees (call media_store_flush first to keep what is in memory). */
void media_store_free(struct media_store *ms);

/* The flows an SDP body announces for call c (NULL: none) at time now_ns. */
void media_store_sdp(struct media_store *ms, const struct dlg_call *c, const struct sdp *s,
                     int64_t now_ns);
/* A UDP payload that is not SIP: RTP/RTCP on an expected flow, else dropped at once. Returns 1
 * when it started a new RTP stream, else 0. */
int media_store_packet(struct media_store *ms, const struct net_payload *pl);
struct writer;
/* --store-rtp: from now on keep the RTP/RTCP packets of calls (bytes in the spool through w,
 * index in rtp_packets; store/rtp_store.h). Returns 0, or -1 with err. */
int media_store_keep_rtp(struct media_store *ms, struct writer *w, char *err, size_t errlen);
/* --rtp-heuristic: from now on look for RTP on flows no SDP announced (docs/media.md); adds the
 * orphan_rtp_streams and rtp_heuristic_streams tables when missing. Returns 0, or -1 with err. */
int media_store_heuristic(struct media_store *ms, char *err, size_t errlen);
/* The captures.id of the capture being read (orphan_rtp_streams.capture). */
void media_store_capture(struct media_store *ms, int64_t capture);
/* Before a call row is written: sets c->rtp_streams from the streams stored for it. */
void media_store_call(struct media_store *ms, struct dlg_call *c);
/* Writes and forgets streams idle past MEDIA_STREAM_IDLE_MS as of now_ns. */
void media_store_expire(struct media_store *ms, int64_t now_ns);
/* Live: rewrites the row of every stream that changed since the last call (its packet count and
 * figures so far), so readers of the database see media as it flows. Call it each tick. */
void media_store_tick(struct media_store *ms);
/* Writes every stream in memory (end of a capture), before the calls are flushed. */
void media_store_flush(struct media_store *ms);
/* The first storage error, or NULL. */
const char *media_store_error(const struct media_store *ms);

/* One stored stream as the readers hand it out (strings live until the callback returns). */
struct ms_row {
    int64_t id, call;
    const char *src, *dst, *codec, *dtmf;
    uint32_t ssrc;
    int payload_type;
    int clock_rate;
    int64_t packets, expected, lost, seq_errors;
    double min_delta_ms, mean_delta_ms, max_delta_ms;
    double min_jitter_ms, mean_jitter_ms, max_jitter_ms;
    bool problem;
    int64_t first_ns, last_ns;
    double mos;     /* < 0 when none */
    bool heuristic; /* found by --rtp-heuristic (rtp_heuristic_streams) */
};
typedef int (*ms_row_fn)(void *user, const struct ms_row *r);

/* Streams of the given calls, ordered by first packet; fn returning non-zero stops. Returns 0, or
 * -1 with err. */
int media_store_read(struct db *db, const int64_t *calls, size_t ncalls, ms_row_fn fn, void *user,
                     char *err, size_t errlen);

#endif
