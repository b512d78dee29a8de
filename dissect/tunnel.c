/* tunnel.c: IP-in-IP decapsulation (IPv4 in IPv4 RFC 2003, IPv6 in IPv4 RFC 4213 §3.5, IPv4/IPv6
 * in IPv6 RFC 2473) and the nesting bookkeeping shared by every tunnel: depth limit
 * (NET_MAX_ENCAP), outermost addresses and tunnel kind handed up with each payload. */
#include "dissect/tunnel.h"
#include "dissect/link.h"
#include "dissect/banned.h"

const char *net_encap_name(int e)
{
    switch (e) {
    case NET_E_IPIP:
        return "IPIP";
    case NET_E_GRE:
        return "GRE";
    case NET_E_ERSPAN:
        return "ERSPAN";
    case NET_E_VXLAN:
        return "VXLAN";
    case NET_E_GTPU:
        return "GTP-U";
    default:
        return "";
    }
}

bool tunnel_ip_proto(uint8_t proto)
{
    return proto == IP_PROTO_IPIP || proto == IP_PROTO_IPV6 || proto == IP_PROTO_GRE;
}

enum dis_result tunnel_enter(struct net_ctx *n, const struct ip_pkt *outer, int encap,
                             struct slice l3, int ver)
{
    if (n->depth >= NET_MAX_ENCAP) {
        n->st.tunnel_deep++;
        return DIS_NOT_MINE;
    }
    n->st.tunnels++;
    if (n->depth == 0) {
        n->encap = (uint8_t)encap;
        n->outer_src = outer->src;
        n->outer_dst = outer->dst;
    }
    n->depth++;
    enum dis_result r = net_l3(n, l3, ver);
    n->depth--;
    if (n->depth == 0) {
        n->encap = NET_E_NONE;
        n->outer_src = (struct net_endpoint){0};
        n->outer_dst = (struct net_endpoint){0};
    }
    return r;
}

enum dis_result tunnel_enter_eth(struct net_ctx *n, const struct ip_pkt *outer, int encap,
                                 struct slice frame)
{
    struct slice l3;
    int ver = 0;
    enum dis_result r = link_parse(LINKTYPE_EN10MB, frame, &l3, &ver);
    if (r != DIS_OK)
        return r;
    return tunnel_enter(n, outer, encap, l3, ver);
}

enum dis_result tunnel_ip(struct net_ctx *n, const struct ip_pkt *ip)
{
    if (ip->proto == IP_PROTO_GRE)
        return tunnel_gre(n, ip, ip->payload);
    if (ip->payload.len == 0)
        return DIS_TRUNC;
    int want = ip->proto == IP_PROTO_IPIP ? 4 : 6;
    if ((ip->payload.p[0] >> 4) != want)
        return DIS_BAD;
    return tunnel_enter(n, ip, NET_E_IPIP, ip->payload, want);
}
