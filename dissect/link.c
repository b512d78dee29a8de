/* link.c: link-layer decapsulation down to IP: Ethernet II (IEEE 802.1Q/802.1ad/QinQ tags, MPLS
 * RFC 3032, PPPoE RFC 2516), Linux cooked capture v1/v2, BSD NULL/LOOP, raw IPv4/IPv6. */
#include "dissect/link.h"
#include "dissect/cur.h"
#include "dissect/net.h"
#include "dissect/banned.h"

#define ETH_ADDRS_LEN 12 /* destination + source MAC */
#define SLL_PROTO_OFF 14 /* LINUX_SLL: protocol after type, ARPHRD, address length, address */
#define SLL2_REST_LEN 18 /* LINUX_SLL2: header bytes after the protocol field */
#define NULL_HDR_LEN  4
#define VLAN_TCI_LEN  2
#define PPPOE_HDR_LEN 6
#define MPLS_BOS      0x100u /* bottom-of-stack bit of a label stack entry */

#define ETHERTYPE_IPV4      0x0800
#define ETHERTYPE_IPV6      0x86dd
#define ETHERTYPE_VLAN      0x8100
#define ETHERTYPE_QINQ      0x88a8
#define ETHERTYPE_QINQ_OLD  0x9100
#define ETHERTYPE_MPLS      0x8847
#define ETHERTYPE_MPLS_MC   0x8848
#define ETHERTYPE_PPPOE_SES 0x8864
#define PPP_IPV4            0x0021
#define PPP_IPV6            0x0057

/* Address family values found in NULL/LOOP headers (Linux, BSDs, macOS, Windows). */
#define BSD_AF_INET          2
#define BSD_AF_INET6_LINUX   10
#define BSD_AF_INET6_BSD     24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN  30
#define NULL_FAMILY_MAX      0xffffu

/* Accepts s as IP of version want (0: either, decided by the version nibble). */
static enum dis_result want_ip(struct slice s, int want, struct slice *l3, int *ver)
{
    if (s.len == 0)
        return DIS_TRUNC;
    int v = s.p[0] >> 4;
    if (v != 4 && v != 6)
        return want ? DIS_BAD : DIS_NOT_MINE;
    if (want && v != want)
        return DIS_BAD;
    *l3 = s;
    *ver = v;
    return DIS_OK;
}

/* Follows an MPLS label stack to its bottom; the payload's version nibble decides. */
static enum dis_result mpls_payload(struct cur *c, struct slice *l3, int *ver)
{
    for (unsigned i = 0; i < LINK_MAX_TAGS; i++) {
        uint32_t lse = cur_be32(c);
        if (c->err)
            return DIS_TRUNC;
        if (lse & MPLS_BOS)
            return want_ip(cur_rest(c), 0, l3, ver);
    }
    return DIS_BAD;
}

/* Maps a PPPoE session frame's PPP protocol to an ethertype (0 when not IP). */
static uint16_t pppoe_proto(struct cur *c)
{
    cur_skip(c, PPPOE_HDR_LEN);
    uint16_t ppp = cur_be16(c);
    if (ppp == PPP_IPV4)
        return ETHERTYPE_IPV4;
    if (ppp == PPP_IPV6)
        return ETHERTYPE_IPV6;
    return 0;
}

/* Dispatches on an ethertype whose payload starts at c, through VLAN tags, PPPoE and MPLS. */
static enum dis_result ethertype_payload(uint16_t type, struct cur *c, struct slice *l3, int *ver)
{
    for (unsigned depth = 0; depth <= LINK_MAX_TAGS; depth++) {
        switch (type) {
        case ETHERTYPE_IPV4:
            return want_ip(cur_rest(c), 4, l3, ver);
        case ETHERTYPE_IPV6:
            return want_ip(cur_rest(c), 6, l3, ver);
        case ETHERTYPE_VLAN:
        case ETHERTYPE_QINQ:
        case ETHERTYPE_QINQ_OLD:
            cur_skip(c, VLAN_TCI_LEN);
            type = cur_be16(c);
            break;
        case ETHERTYPE_PPPOE_SES:
            type = pppoe_proto(c);
            break;
        case ETHERTYPE_MPLS:
        case ETHERTYPE_MPLS_MC:
            return mpls_payload(c, l3, ver);
        default:
            return DIS_NOT_MINE;
        }
        if (c->err)
            return DIS_TRUNC;
    }
    return DIS_BAD;
}

/* Decides IPv4/IPv6 from a NULL/LOOP address family value. */
static enum dis_result null_family(uint32_t fam, struct cur *c, struct slice *l3, int *ver)
{
    switch (fam) {
    case BSD_AF_INET:
        return want_ip(cur_rest(c), 4, l3, ver);
    case BSD_AF_INET6_LINUX:
    case BSD_AF_INET6_BSD:
    case BSD_AF_INET6_FREEBSD:
    case BSD_AF_INET6_DARWIN:
        return want_ip(cur_rest(c), 6, l3, ver);
    default:
        return DIS_NOT_MINE;
    }
}

/* NULL: the family is in the capturing host's byte order, so accept either. */
static enum dis_result null_payload(struct cur *c, struct slice *l3, int *ver)
{
    if (!cur_need(c, NULL_HDR_LEN))
        return DIS_TRUNC;
    struct cur peek = *c;
    uint32_t fam = cur_le32(c);
    if (fam > NULL_FAMILY_MAX)
        fam = cur_be32(&peek);
    return null_family(fam, c, l3, ver);
}

/* LOOP: the family is in network byte order. */
static enum dis_result loop_payload(struct cur *c, struct slice *l3, int *ver)
{
    uint32_t fam = cur_be32(c);
    if (c->err)
        return DIS_TRUNC;
    return null_family(fam, c, l3, ver);
}

enum dis_result link_parse(int linktype, struct slice frame, struct slice *l3, int *ip_version)
{
    struct cur c = cur_of(frame);
    uint16_t type;
    switch (linktype) {
    case LINKTYPE_EN10MB:
        cur_skip(&c, ETH_ADDRS_LEN);
        type = cur_be16(&c);
        break;
    case LINKTYPE_LINUX_SLL:
        cur_skip(&c, SLL_PROTO_OFF);
        type = cur_be16(&c);
        break;
    case LINKTYPE_LINUX_SLL2:
        type = cur_be16(&c);
        cur_skip(&c, SLL2_REST_LEN);
        break;
    case LINKTYPE_NULL:
        return null_payload(&c, l3, ip_version);
    case LINKTYPE_LOOP:
        return loop_payload(&c, l3, ip_version);
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_12:
    case LINKTYPE_RAW_14:
        return want_ip(frame, 0, l3, ip_version);
    case LINKTYPE_IPV4:
        return want_ip(frame, 4, l3, ip_version);
    case LINKTYPE_IPV6:
        return want_ip(frame, 6, l3, ip_version);
    default:
        return DIS_NOT_MINE;
    }
    if (c.err)
        return DIS_TRUNC;
    return ethertype_payload(type, &c, l3, ip_version);
}

enum dis_result link_ethertype(uint16_t type, struct slice payload, struct slice *l3, int *ver)
{
    struct cur c = cur_of(payload);
    return ethertype_payload(type, &c, l3, ver);
}

static const char link_unknown[] = "unknown";

bool net_linktype_supported(int linktype)
{
    return net_linktype_name(linktype) != link_unknown;
}

const char *net_linktype_name(int linktype)
{
    switch (linktype) {
    case LINKTYPE_NULL:
        return "NULL";
    case LINKTYPE_EN10MB:
        return "EN10MB";
    case LINKTYPE_RAW_12:
    case LINKTYPE_RAW_14:
    case LINKTYPE_RAW:
        return "RAW";
    case LINKTYPE_LOOP:
        return "LOOP";
    case LINKTYPE_LINUX_SLL:
        return "LINUX_SLL";
    case LINKTYPE_IPV4:
        return "IPV4";
    case LINKTYPE_IPV6:
        return "IPV6";
    case LINKTYPE_LINUX_SLL2:
        return "LINUX_SLL2";
    default:
        return link_unknown;
    }
}
