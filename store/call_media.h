/* call_media.h: per-call media verdict (issue 5 item 4): after the answer, was there RTP both
 * ways, one way or none (flagged), the call's main codec, worst MOS and total loss. Derived from
 * the call's rtp_streams rows into the call_media table (docs/schema.md "call_media"). */
#ifndef SS_CALL_MEDIA_H
#define SS_CALL_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define CM_MAX_CODEC 48 /* codec text bytes kept ("telephone-event/8000" fits) */

enum cm_media { CM_NOT_ANSWERED = 0, CM_NONE, CM_ONE_WAY, CM_BOTH };

/* One stream as the verdict sees it (strings borrowed). */
struct cm_stream {
    const char *src, *dst, *codec; /* ip:port ([v6]:port); codec "PCMA/8000" or NULL */
    int64_t packets, expected, lost, last_ns;
    double mos; /* < 0 when none */
    double max_jitter_ms;
};

struct cm_summary {
    enum cm_media media;
    bool flagged;             /* answered and media is not both ways */
    int streams;              /* streams with a packet at or after the answer */
    char codec[CM_MAX_CODEC]; /* of the stream with most packets (not telephone-event/CN) */
    int64_t packets, expected, lost;
    double mos;           /* worst; < 0 when none */
    double max_jitter_ms; /* < 0 when none */
};

/* The verdict for a call's streams; answer_ns 0 = not answered. Two streams are opposite
 * directions when one's source is the other's destination, or when their IP addresses are
 * swapped (different ports, e.g. asymmetric RTP). */
void cm_summarize(const struct cm_stream *s, size_t n, int64_t answer_ns, struct cm_summary *out);
/* "both", "one-way", "none", or NULL when not answered. */
const char *cm_media_name(enum cm_media m);

/* Creates call_media in a file made before it existed (no-op when read-only). 0 or -1 + err. */
int call_media_schema(struct db *db, char *err, size_t errlen);

struct call_media;
/* Prepared statements on db. NULL with err on failure. */
struct call_media *call_media_new(struct db *db, char *err, size_t errlen);
void call_media_free(struct call_media *cm);
/* Recomputes and writes (replaces) the row of call from its rtp_streams rows; answer_ns 0 when
 * not answered. 0 or -1 (the db's error). */
int call_media_update(struct call_media *cm, int64_t call, int64_t answer_ns);
/* As call_media_update for a call known to have no rtp_streams rows (its import has seen no
 * stream): writes the verdict without reading them. */
int call_media_set_none(struct call_media *cm, int64_t call, int64_t answer_ns);
/* As call_media_update with the answer time already stored, when the call has a row (a stream
 * ended after its call was written); else nothing. */
int call_media_refresh(struct call_media *cm, int64_t call);

#endif
