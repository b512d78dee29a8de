/* link.h: link-layer decapsulation down to the IP header (Ethernet II with 802.1Q/802.1ad/QinQ,
 * MPLS and PPPoE; Linux cooked v1/v2; BSD NULL/LOOP; raw IP). IEEE 802.1Q, RFC 3032, RFC 2516. */
#ifndef SS_LINK_H
#define SS_LINK_H

#include "dissect/dis.h"
#include "dissect/slice.h"

/* LINKTYPE_* numbers (https://www.tcpdump.org/linktypes.html). */
#define LINKTYPE_NULL       0
#define LINKTYPE_EN10MB     1
#define LINKTYPE_RAW_12     12 /* DLT_RAW on most BSDs */
#define LINKTYPE_RAW_14     14 /* DLT_RAW on OpenBSD */
#define LINKTYPE_RAW        101
#define LINKTYPE_LOOP       108
#define LINKTYPE_LINUX_SLL  113
#define LINKTYPE_IPV4       228
#define LINKTYPE_IPV6       229
#define LINKTYPE_LINUX_SLL2 276

#define LINK_MAX_TAGS 8 /* VLAN tags / MPLS labels followed before giving up */

/* Strips the link header of a frame of type linktype. On DIS_OK, *l3 is the IP header onwards and
 * *ip_version is 4 or 6. Returns DIS_NOT_MINE for non-IP payloads and unknown link types,
 * DIS_TRUNC when the frame ends inside the link header, DIS_BAD for nonsense. */
enum dis_result link_parse(int linktype, struct slice frame, struct slice *l3, int *ip_version);

/* Same for a payload whose EtherType is type (GRE protocol types are EtherTypes, RFC 2784 §2.4):
 * VLAN tags, PPPoE and MPLS label stacks are followed down to IP. */
enum dis_result link_ethertype(uint16_t type, struct slice payload, struct slice *l3, int *ver);

#endif
