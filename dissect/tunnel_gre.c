/* tunnel_gre.c: GRE (RFC 2784 with the key and sequence number options of RFC 2890; protocol
 * types IPv4, IPv6, MPLS RFC 4023, transparent Ethernet bridging 0x6558) and the ERSPAN mirroring
 * headers it carries: type I (0x88BE without sequence), II (0x88BE, 8 bytes) and III (0x22EB,
 * 12 bytes + optional 8-byte platform sub-header), draft-foschiano-erspan-03. */
#include "dissect/tunnel.h"
#include "dissect/cur.h"
#include "dissect/link.h"
#include "dissect/banned.h"

#define GRE_F_CSUM      0x8000u
#define GRE_F_ROUTING   0x4000u
#define GRE_F_KEY       0x2000u
#define GRE_F_SEQ       0x1000u
#define GRE_VER_MASK    0x0007u
#define GRE_OPT_LEN     4 /* each of checksum+reserved, key, sequence */
#define GRE_TEB         0x6558u
#define GRE_ERSPAN_2    0x88beu
#define GRE_ERSPAN_3    0x22ebu
#define ERSPAN2_HDR_LEN 8
#define ERSPAN3_HDR_LEN 12
#define ERSPAN3_SUB_LEN 8 /* platform-specific sub-header when the O bit is set */
#define ERSPAN_VER_II   1
#define ERSPAN_VER_III  2
#define ERSPAN3_FT_ETH  0
#define ERSPAN3_FT_IP   2

/* ERSPAN type II/III header at c (type I has none); the mirrored frame follows. */
static enum dis_result erspan(struct net_ctx *n, const struct ip_pkt *ip, uint16_t type, bool seq,
                              struct cur *c)
{
    if (type == GRE_ERSPAN_2 && !seq) /* type I: the frame right after GRE */
        return tunnel_enter_eth(n, ip, NET_E_ERSPAN, cur_rest(c));
    uint8_t ver = cur_u8(c) >> 4;
    if (c->err)
        return DIS_TRUNC;
    if (type == GRE_ERSPAN_2) {
        if (ver != ERSPAN_VER_II)
            return DIS_BAD;
        cur_skip(c, ERSPAN2_HDR_LEN - 1);
        if (c->err)
            return DIS_TRUNC;
        return tunnel_enter_eth(n, ip, NET_E_ERSPAN, cur_rest(c));
    }
    if (ver != ERSPAN_VER_III)
        return DIS_BAD;
    cur_skip(c, ERSPAN3_HDR_LEN - 3); /* rest of word 1, timestamp, SGT */
    uint8_t b10 = cur_u8(c);
    uint8_t b11 = cur_u8(c);
    if (b11 & 1)
        cur_skip(c, ERSPAN3_SUB_LEN);
    if (c->err)
        return DIS_TRUNC;
    unsigned ft = (b10 >> 2) & 0x1fu;
    if (ft == ERSPAN3_FT_ETH)
        return tunnel_enter_eth(n, ip, NET_E_ERSPAN, cur_rest(c));
    if (ft == ERSPAN3_FT_IP && cur_left(c) > 0) {
        int v = c->p[0] >> 4;
        if (v == 4 || v == 6)
            return tunnel_enter(n, ip, NET_E_ERSPAN, cur_rest(c), v);
    }
    return DIS_NOT_MINE;
}

enum dis_result tunnel_gre(struct net_ctx *n, const struct ip_pkt *ip, struct slice gre)
{
    struct cur c = cur_of(gre);
    uint16_t flags = cur_be16(&c);
    uint16_t type = cur_be16(&c);
    if (c.err)
        return DIS_TRUNC;
    if ((flags & GRE_VER_MASK) != 0 || (flags & GRE_F_ROUTING))
        return DIS_NOT_MINE; /* enhanced GRE (PPTP, RFC 2637) or RFC 1701 source routing */
    if (flags & GRE_F_CSUM)
        cur_skip(&c, GRE_OPT_LEN);
    if (flags & GRE_F_KEY)
        cur_skip(&c, GRE_OPT_LEN);
    if (flags & GRE_F_SEQ)
        cur_skip(&c, GRE_OPT_LEN);
    if (c.err)
        return DIS_TRUNC;
    if (type == GRE_TEB)
        return tunnel_enter_eth(n, ip, NET_E_GRE, cur_rest(&c));
    if (type == GRE_ERSPAN_2 || type == GRE_ERSPAN_3)
        return erspan(n, ip, type, (flags & GRE_F_SEQ) != 0, &c);
    struct slice l3;
    int ver = 0;
    enum dis_result r = link_ethertype(type, cur_rest(&c), &l3, &ver);
    if (r != DIS_OK)
        return r;
    return tunnel_enter(n, ip, NET_E_GRE, l3, ver);
}
