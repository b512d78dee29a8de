/* media.h: SDP offer/answer -> expected media flows (RFC 3264 §5, RFC 8866 c=/m=, RFC 3605
 * a=rtcp, rtpmap) and per-stream RTP statistics keyed by source, destination and SSRC
 * (RFC 3550 §5.1, §6.4.1; dissect/rtp_stats.h), DTMF from telephone-event (RFC 4733 §2.3).
 * Flows follow Wireshark's rule so the same streams appear as in tshark -z rtp,streams: every
 * SDP address:port with a port is a flow from that message on (a later SDP for the same
 * address:port replaces it), and a UDP datagram from or to a flow is its RTP (RTCP for the
 * RTCP port). Pure: no I/O; no allocation per packet. */
#ifndef SS_MEDIA_H
#define SS_MEDIA_H

#include "dissect/net.h"
#include "dissect/rtp_stats.h"
#include "dissect/sdp.h"

#define MEDIA_MAX_FLOWS 65536 /* expected flows held at once; when full, the longest idle go */
#define MEDIA_FLOW_MIN_IDLE_MS                                                                     \
    (60 * 1000)                    /* a full table never forgets a flow younger than this          \
                                    */
#define MEDIA_MAX_STREAMS    65536 /* streams held at once; beyond, new ones are not tracked */
#define MEDIA_MAX_ENC        24    /* encoding name bytes kept ("telephone-event" fits) */
#define MEDIA_MAX_DTMF       32    /* DTMF digits kept per stream */
#define MEDIA_STREAM_IDLE_MS (300 * 1000) /* a stream without packets this long is finished */
#define MEDIA_FLOW_IDLE_MS                                                                         \
    (3600 * 1000) /* a flow without SDP or packets this long is forgotten                          \
                   */

/* One RTP stream: same source, destination and SSRC. Owned by the table. */
struct media_stream {
    uint64_t id;   /* assigned by the table (first id given to media_new, then +1) */
    uint64_t call; /* the call whose SDP announced the flow (0: none) */
    struct net_endpoint src, dst;
    uint32_t ssrc;
    uint8_t pt;              /* payload type of the first packet */
    char enc[MEDIA_MAX_ENC]; /* its encoding name ("PCMA", "opus"; "" when unknown) */
    uint32_t enc_rate;       /* its clock rate (0 when unknown) */
    uint64_t packets;
    uint64_t first_frame;
    int64_t first_ns, last_ns;
    uint32_t markers;              /* packets with the marker bit */
    uint32_t cn_packets;           /* comfort-noise packets */
    uint32_t dtmf_events;          /* telephone-event events started */
    char dtmf[MEDIA_MAX_DTMF + 1]; /* their digits, NUL-terminated */
    uint64_t last_event_ts;        /* RTP timestamp of the last DTMF event (+1; 0 none) */
    struct rtp_stats st;
    bool dirty;                /* changed since the owner last saw it (media_foreach) */
    bool heuristic;            /* found by --rtp-heuristic on a flow no SDP announced */
    uint64_t capture;          /* the media_set_capture value when the stream started */
    struct media_stream *next; /* table-internal */
};

/* Called for every stream leaving memory (idle, or media_flush_all) before it is freed. */
typedef void (*media_stream_fn)(void *user, struct media_stream *s);

enum media_kind {
    MEDIA_NONE = 0, /* not on any expected flow (or not RTP/RTCP): dropped */
    MEDIA_RTP,      /* counted in a stream */
    MEDIA_RTCP,     /* an RTCP packet on a flow */
};

struct media_counters {
    uint64_t rtp, rtcp, streams, flows;
    uint64_t flows_dropped, streams_dropped; /* table full */
    uint64_t flows_evicted; /* idle flows forgotten early to make room in a full table */
    uint64_t heur_streams;  /* streams found by the RTP heuristic (media_set_heuristic) */
    uint64_t heur_evicted;  /* heuristic candidates dropped to make room (dissect/rtp_heur.h) */
};

struct media_ctx;

/* Creates a table; first_id numbers the streams; on_done receives finished streams. */
struct media_ctx *media_new(uint64_t first_id, media_stream_fn on_done, void *user);
/* Frees every stream (without calling on_done) and the table. */
void media_free(struct media_ctx *m);

/* Registers the flows an SDP body announces for call at time now_ns (RTP at each m= port with
 * an RTP profile, RTCP at a=rtcp or port+1). */
void media_sdp(struct media_ctx *m, uint64_t call, const struct sdp *s, int64_t now_ns);

/* Classifies one UDP payload: a lookup of its source and destination in the flow table, and for
 * RTP the update of its stream. *created is the stream the packet started, else NULL. */
enum media_kind media_packet(struct media_ctx *m, const struct net_payload *pl,
                             struct media_stream **created);

/* Finishes streams idle since before now_ns - MEDIA_STREAM_IDLE_MS and forgets idle flows. */
void media_expire(struct media_ctx *m, int64_t now_ns);
/* Finishes every stream (end of input). Flows stay. */
void media_flush_all(struct media_ctx *m);
/* Calls fn for every stream in memory. */
void media_foreach(struct media_ctx *m, media_stream_fn fn, void *user);

/* --rtp-heuristic (docs/media.md): from now on a UDP datagram on no expected flow is examined as
 * RTP (dissect/rtp_heur.h); a stream confirmed there has heuristic set and belongs to the call
 * whose SDP announced its destination's address (else its source's) at another port, else to
 * no call (0). */
void media_set_heuristic(struct media_ctx *m);
/* Tags the streams started from now on (media_stream.capture). */
void media_set_capture(struct media_ctx *m, uint64_t capture);
/* Streams started from now on are numbered from id (when above the next id). */
void media_set_next_id(struct media_ctx *m, uint64_t id);

const struct media_counters *media_get_counters(const struct media_ctx *m);
/* The call of the flow the last MEDIA_RTCP packet was on (its RTCP flow, else its RTP flow). */
uint64_t media_rtcp_call(const struct media_ctx *m);
/* The call of the stream of the last packet media_packet classified as RTP (0: none). */
uint64_t media_rtp_call(const struct media_ctx *m);

/* "0".."9", "*", "#", "A".."D" for an RFC 4733 event code, '?' for others. */
char media_dtmf_char(uint8_t event);

#endif
