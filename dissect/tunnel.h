/* tunnel.h: private glue of the tunnel decapsulators (tunnel.c: IP-in-IP and nesting;
 * tunnel_gre.c: GRE and ERSPAN; tunnel_udp.c: VXLAN and GTP-U); not for users of dissect/net.h. */
#ifndef SS_TUNNEL_H
#define SS_TUNNEL_H

#include "dissect/net_priv.h"

/* True when an IP protocol number is a tunnel this library opens (IPv4, IPv6, GRE). */
bool tunnel_ip_proto(uint8_t proto);

/* Opens the tunnel an IP packet carries (ip->proto is IPIP, IPV6 or GRE) and dissects the inner
 * packet. Returns the inner packet's result, DIS_NOT_MINE for a tunnel payload that is not IP,
 * DIS_TRUNC or DIS_BAD for a broken tunnel header. */
enum dis_result tunnel_ip(struct net_ctx *n, const struct ip_pkt *ip);

/* Opens a GRE packet (RFC 2784, RFC 2890; ERSPAN inside) at gre; same results as tunnel_ip. */
enum dis_result tunnel_gre(struct net_ctx *n, const struct ip_pkt *ip, struct slice gre);

/* When the UDP datagram (ip with its ports set, payload after the UDP header) is VXLAN or a GTP-U
 * G-PDU, opens it, stores the result in *r and returns true; returns false for anything else, which
 * the caller then delivers as plain UDP. */
bool tunnel_udp(struct net_ctx *n, const struct ip_pkt *ip, struct slice payload,
                enum dis_result *r);

/* Dissects the inner IP packet l3 (version ver) of a tunnel of kind encap whose outer packet is
 * outer: counts the nesting, records the outermost addresses, restores them afterwards. */
enum dis_result tunnel_enter(struct net_ctx *n, const struct ip_pkt *outer, int encap,
                             struct slice l3, int ver);

/* Same for an Ethernet frame carried in a tunnel (VXLAN, GRE bridging, ERSPAN): VLAN/QinQ/MPLS/
 * PPPoE inside are followed as on a capture link. */
enum dis_result tunnel_enter_eth(struct net_ctx *n, const struct ip_pkt *outer, int encap,
                                 struct slice frame);

#endif
