/* rtp.h: RTP fixed header (RFC 3550 §5.1: version, padding, extension, CSRC count, marker,
 * payload type, sequence, timestamp, SSRC; §5.3.1 header extension), RTCP multiplexing test
 * (RFC 5761 §4) and the static payload types of RFC 3551 §6 with their clock rates. */
#ifndef SS_RTP_H
#define SS_RTP_H

#include "dissect/dis.h"
#include "dissect/slice.h"

#define RTP_HDR_LEN      12 /* fixed header bytes */
#define RTP_VERSION      2  /* the only version carried */
#define RTP_PT_CN        13 /* comfort noise (RFC 3389) */
#define RTP_PT_CN_OLD    19 /* reserved, once comfort noise (Wireshark treats it as CN) */
#define RTP_PT_DYN_FIRST 96 /* first dynamic payload type */

struct rtp_hdr {
    bool padding, extension, marker;
    uint8_t csrc_count;
    uint8_t pt; /* payload type 0..127 */
    uint16_t seq;
    uint32_t ts;
    uint32_t ssrc;
    struct slice payload; /* after CSRCs and extension, padding removed */
};

/* Cheap test: at least a fixed header, version 2, and not RTCP sharing the port (RFC 5761: a
 * marker bit with payload type 64..95 is an RTCP packet type 192..223). */
bool rtp_looks_like(struct slice s);
/* True when s looks like RTCP (version 2, packet type 192..223 in the second byte). */
bool rtp_is_rtcp(struct slice s);

/* Parses the header into h. DIS_OK; DIS_NOT_MINE when not version 2 or shorter than the fixed
 * header; DIS_BAD when CSRCs, extension or padding claim more bytes than there are (the fixed
 * fields are still filled). */
enum dis_result rtp_parse(struct slice s, struct rtp_hdr *h);

/* RFC 3551 name of a static payload type ("PCMU", "PCMA", "G722", ...), NULL when none. */
const char *rtp_pt_name(uint8_t pt);
/* RTP clock rate of a static payload type as RFC 3551 lists it, 0 when unknown. */
uint32_t rtp_pt_clock(uint8_t pt);
/* Clock rate Wireshark's RTP analysis uses for a payload type below 96 (RFC 3551's, plus the
 * retired type 1 at 8000), 0 when it has none. */
uint32_t rtp_pt_analysis_clock(uint8_t pt);
/* Clock rate Wireshark assumes for a dynamic encoding name that came without a rate (matched on
 * the longest known prefix, case-insensitive), 0 when unknown. */
uint32_t rtp_enc_default_clock(struct slice enc);

#endif
