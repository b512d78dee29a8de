/* sdp.h: zero-copy SDP parser (RFC 8866, RFC 3264 directions, RFC 3605 a=rtcp): session and
 * media connection addresses, m= lines, rtpmap, direction attributes. */
#ifndef SS_SDP_H
#define SS_SDP_H

#include "dissect/dis.h"
#include "dissect/net.h"
#include "dissect/slice.h"

#define SDP_MAX_MEDIA 8  /* m= lines kept */
#define SDP_MAX_FMT   16 /* payload formats kept per m= line */

enum sdp_dir {
    SDP_DIR_NONE = 0, /* not stated (sendrecv is implied, RFC 3264 §5.1) */
    SDP_DIR_SENDRECV,
    SDP_DIR_SENDONLY,
    SDP_DIR_RECVONLY,
    SDP_DIR_INACTIVE,
};

struct sdp_fmt {
    uint8_t pt;            /* payload type 0..127 */
    struct slice encoding; /* from a=rtpmap, e.g. "PCMA"; empty when no rtpmap */
    uint32_t clock_rate;   /* from a=rtpmap, 0 when none */
};

struct sdp_media {
    struct slice media; /* "audio", "video", ... */
    uint16_t port;
    uint16_t nports;      /* from "port/n", 1 by default */
    struct slice proto;   /* "RTP/AVP", ... */
    struct net_addr conn; /* media-level c=, else the session-level one (family 0: none) */
    uint16_t rtcp_port;   /* a=rtcp port, 0 when absent (then port+1 is implied) */
    uint8_t dir;          /* enum sdp_dir: media-level, else session-level */
    unsigned nfmt;
    struct sdp_fmt fmt[SDP_MAX_FMT];
};

struct sdp {
    struct slice origin;  /* o= value */
    struct net_addr conn; /* session-level c= */
    uint8_t dir;          /* session-level direction */
    unsigned nmedia;
    struct sdp_media media[SDP_MAX_MEDIA];
};

/* Parses an SDP body into s (views into body). DIS_OK, or DIS_BAD when no "v=" line starts it.
 * Lines may end in CRLF or LF. Unknown lines are skipped. */
enum dis_result sdp_parse(struct sdp *s, struct slice body);

/* Short summary "PCMA 192.0.2.1:30000 sendrecv" of the first media into buf; returns length. */
size_t sdp_summary(const struct sdp *s, char *buf, size_t n);

#endif
