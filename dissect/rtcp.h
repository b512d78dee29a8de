/* rtcp.h: RTCP compound packets (RFC 3550 §6.4: SR, RR and their report blocks, with the
 * round-trip time of §6.4.1 from LSR/DLSR) and XR VoIP metrics blocks (RFC 3611 §4.7). Pure: no
 * I/O, no allocation; every read bounded by the packet's own length fields. */
#ifndef SS_RTCP_H
#define SS_RTCP_H

#include "dissect/dis.h"
#include "dissect/slice.h"

#define RTCP_MAX_BLOCKS 31 /* report blocks kept per compound packet (RC is 5 bits) */
#define RTCP_MAX_XR     8  /* XR VoIP metrics blocks kept per compound packet */
#define RTCP_PT_SR      200
#define RTCP_PT_RR      201
#define RTCP_PT_XR      207
#define RTCP_XR_VOIP    7 /* XR block type: VoIP metrics */

/* One report block (RFC 3550 §6.4.1) about the source ssrc, sent by reporter. */
struct rtcp_block {
    uint32_t reporter, ssrc;
    uint8_t fraction_lost;    /* /256 */
    int32_t cum_lost;         /* 24-bit signed */
    uint32_t ext_seq, jitter; /* jitter in RTP timestamp units */
    uint32_t lsr, dlsr;       /* NTP short format (1/65536 s); 0 = none */
};

/* One VoIP metrics block (RFC 3611 §4.7) about ssrc, sent by reporter. */
struct rtcp_xr_voip {
    uint32_t reporter, ssrc;
    uint8_t loss_rate, discard_rate; /* /256 */
    uint16_t rtt_ms, end_delay_ms;
    uint8_t r_factor;       /* 127 = unavailable */
    uint8_t mos_lq, mos_cq; /* x10; 127 = unavailable */
    uint16_t jb_nominal, jb_max, jb_abs_max;
};

struct rtcp_info {
    unsigned packets;    /* RTCP packets in the compound */
    unsigned sr, rr, xr; /* of which sender reports, receiver reports, XR */
    size_t nblocks;
    struct rtcp_block blocks[RTCP_MAX_BLOCKS];
    size_t nvoip;
    struct rtcp_xr_voip voip[RTCP_MAX_XR];
};

/* Parses a compound packet into out (zeroed first). DIS_OK when every packet was whole;
 * DIS_NOT_MINE when the first packet is not RTCP version 2 (PT 192..223); DIS_TRUNC when a
 * packet claims more bytes than there are or a block is cut (what came before stays in out). */
enum dis_result rtcp_parse(struct slice s, struct rtcp_info *out);

/* Round-trip time in ms for a block received at arrival_ns (epoch ns), RFC 3550 §6.4.1:
 * A - LSR - DLSR in NTP short units; -1 when the block has no LSR or the result is negative. */
double rtcp_rtt_ms(const struct rtcp_block *b, int64_t arrival_ns);

#endif
