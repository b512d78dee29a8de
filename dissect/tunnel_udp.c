/* tunnel_udp.c: tunnels over UDP: VXLAN (RFC 7348 §5; port 4789 and one configurable port) carrying
 * Ethernet, and GTP-U version 1 G-PDUs (3GPP TS 29.281 §5: optional sequence number, N-PDU number
 * and a chain of extension headers) carrying IPv4/IPv6, on port 2152. */
#include "dissect/tunnel.h"
#include "dissect/cur.h"
#include "dissect/banned.h"

#define VXLAN_HDR_LEN 8
#define VXLAN_FLAG_I  0x08u /* the VNI is valid */
#define GTPU_HDR_LEN  8
#define GTPU_OPT_LEN  4 /* sequence number, N-PDU number, next extension type */
#define GTPU_VERSION  1
#define GTPU_PT       0x10u
#define GTPU_E        0x04u
#define GTPU_S        0x02u
#define GTPU_PN       0x01u
#define GTPU_GPDU     0xffu
#define GTPU_MAX_EXT  16 /* extension headers followed before giving up */
#define GTPU_EXT_UNIT 4

/* VXLAN: 8-byte header (flags with I set, VNI), then an Ethernet frame. */
static bool vxlan(struct net_ctx *n, const struct ip_pkt *ip, struct slice s, enum dis_result *r)
{
    if (s.len < VXLAN_HDR_LEN || !(s.p[0] & VXLAN_FLAG_I))
        return false;
    *r = tunnel_enter_eth(n, ip, NET_E_VXLAN, slice_sub(s, VXLAN_HDR_LEN, s.len - VXLAN_HDR_LEN));
    return true;
}

/* Skips the extension header chain that starts with type next; false when it is broken. */
static bool gtpu_ext(struct cur *c, uint8_t next)
{
    for (unsigned i = 0; next != 0; i++) {
        if (i >= GTPU_MAX_EXT)
            return false;
        size_t len = (size_t)cur_u8(c) * GTPU_EXT_UNIT;
        if (c->err || len == 0 || !cur_need(c, len - 1))
            return false;
        cur_skip(c, len - 2);
        next = cur_u8(c);
    }
    return !c->err;
}

/* GTP-U G-PDU: version 1, PT 1, message type 255, then the user's IP packet. */
static bool gtpu(struct net_ctx *n, const struct ip_pkt *ip, struct slice s, enum dis_result *r)
{
    struct cur c = cur_of(s);
    uint8_t fl = cur_u8(&c);
    uint8_t type = cur_u8(&c);
    size_t len = cur_be16(&c);
    cur_skip(&c, 4); /* TEID */
    if (c.err || (fl >> 5) != GTPU_VERSION || !(fl & GTPU_PT) || type != GTPU_GPDU)
        return false;
    struct cur body = cur_of(cur_rest(&c));
    if (len < cur_left(&body)) /* narrow to the declared length; a longer claim was cut */
        body.end = body.p + len;
    if (fl & (GTPU_E | GTPU_S | GTPU_PN)) {
        cur_skip(&body, GTPU_OPT_LEN - 1);
        uint8_t next = cur_u8(&body);
        if (body.err) {
            *r = DIS_TRUNC;
            return true;
        }
        if ((fl & GTPU_E) && !gtpu_ext(&body, next)) {
            *r = body.err ? DIS_TRUNC : DIS_BAD;
            return true;
        }
    }
    if (cur_left(&body) == 0) {
        *r = len == 0 ? DIS_NOT_MINE : DIS_TRUNC;
        return true;
    }
    int v = body.p[0] >> 4;
    *r = v == 4 || v == 6 ? tunnel_enter(n, ip, NET_E_GTPU, cur_rest(&body), v) : DIS_NOT_MINE;
    return true;
}

bool tunnel_udp(struct net_ctx *n, const struct ip_pkt *ip, struct slice payload,
                enum dis_result *r)
{
    uint16_t dp = ip->dst.port;
    if (dp == NET_VXLAN_PORT || (n->lim.vxlan_port && dp == n->lim.vxlan_port))
        return vxlan(n, ip, payload, r);
    if (dp == NET_GTPU_PORT || ip->src.port == NET_GTPU_PORT)
        return gtpu(n, ip, payload, r);
    return false;
}

void net_set_vxlan_port(struct net_ctx *n, uint16_t port)
{
    n->lim.vxlan_port = port;
}
