/* rtp_heur.h: the opt-in RTP heuristic (`--rtp-heuristic`, docs/media.md): finds RTP streams on
 * UDP flows no SDP announced. A datagram that parses as RTP version 2 (not an RTCP payload type,
 * RFC 5761 §4; CSRC count, extension and padding fit the length, RFC 3550 §5.1) is a candidate
 * packet of the stream (source ip:port, destination ip:port, SSRC); the candidate becomes a
 * stream only after RTP_HEUR_PROBATION consecutive packets with sequence numbers each one more
 * than the last (mod 2^16), as RFC 3550 Appendix A.1 probation does. The packets held while
 * deciding are handed back so the caller can count them. Candidates are bounded: at most
 * RTP_HEUR_MAX_CANDIDATES, the oldest evicted (counted). Pure: no I/O; no allocation per packet. */
#ifndef SS_RTP_HEUR_H
#define SS_RTP_HEUR_H

#include <stdbool.h>
#include <stdint.h>

#include "dissect/net.h"

#define RTP_HEUR_PROBATION      4    /* consecutive in-sequence packets before a stream exists */
#define RTP_HEUR_MAX_CANDIDATES 4096 /* candidate streams held at once; beyond, the oldest go */

/* What the statistics need of one held packet (dissect/rtp_stats.h). */
struct rtp_heur_pkt {
    int64_t ts_ns;  /* capture time */
    uint64_t frame; /* frame number */
    uint32_t ts;    /* RTP timestamp */
    uint16_t seq;
    uint8_t pt;
    bool marker;
};

struct rtp_heur_counters {
    uint64_t candidates; /* candidates started (including restarts after a sequence break) */
    uint64_t promoted;   /* candidates that became streams */
    uint64_t restarted;  /* sequence breaks during probation (the held packets are dropped) */
    uint64_t evicted;    /* candidates dropped to make room (table full) */
};

struct rtp_heur;

/* A detector holding at most max_candidates candidates (1 .. RTP_HEUR_MAX_CANDIDATES; sipscope
 * uses the maximum, the fuzz build a small table so that each input is cheap and evicts). */
struct rtp_heur *rtp_heur_new(unsigned max_candidates);
void rtp_heur_free(struct rtp_heur *h);

/* Feeds one RTP packet of the stream (src, dst, ssrc) that is not yet a stream. Returns 0 while
 * the candidate is on probation; when this packet completes it, copies the RTP_HEUR_PROBATION
 * held packets (this one last) to out in arrival order, forgets the candidate and returns
 * RTP_HEUR_PROBATION. */
unsigned rtp_heur_feed(struct rtp_heur *h, const struct net_endpoint *src,
                       const struct net_endpoint *dst, uint32_t ssrc, const struct rtp_heur_pkt *p,
                       struct rtp_heur_pkt out[RTP_HEUR_PROBATION]);

/* Candidates held now. */
unsigned rtp_heur_pending(const struct rtp_heur *h);
const struct rtp_heur_counters *rtp_heur_counters(const struct rtp_heur *h);

#endif
