/* hep.h: HEP (Homer Encapsulation Protocol, a.k.a. EEP) v1/v2 and v3: decoder (hep.c) and v3
 * encoder (hep_enc.c). HEP v3: "HEP3", total length, then chunks {vendor, type, length, data}
 * (github.com/sipcapture/HEP, docs/HEP3_Network_Protocol_Specification_REV_36); HEP v1/v2: the
 * fixed header of Kamailio's sipcapture (hep.h). Pure: no I/O, no allocation. docs/hep.md. */
#ifndef SS_HEP_H
#define SS_HEP_H

#include "dissect/dis.h"
#include "dissect/net.h"
#include "dissect/slice.h"

#define HEP_MAX_PACKET   65535 /* the v3 total length is 16 bits */
#define HEP_CHUNK_HDR    6     /* vendor (2), type (2), length (2) */
#define HEP_V3_HDR       6     /* "HEP3" + total length */
#define HEP_V12_HDR      8     /* version, length, family, protocol, ports */
#define HEP_V2_TIME      12    /* tv_sec, tv_usec, captid as a padded C struct */
#define HEP_V2_TIME_PACK 10    /* the same, packed (some senders) */

/* HEP v3 generic chunk types (vendor 0). */
enum hep_chunk_type {
    HEP_C_IP_FAMILY = 1,
    HEP_C_IP_PROTO = 2,
    HEP_C_SRC_IP4 = 3,
    HEP_C_DST_IP4 = 4,
    HEP_C_SRC_IP6 = 5,
    HEP_C_DST_IP6 = 6,
    HEP_C_SRC_PORT = 7,
    HEP_C_DST_PORT = 8,
    HEP_C_TS_SEC = 9,
    HEP_C_TS_USEC = 10,
    HEP_C_PROTO_TYPE = 11,
    HEP_C_CAPTURE_ID = 12,
    HEP_C_KEEPALIVE = 13,
    HEP_C_AUTH_KEY = 14,
    HEP_C_PAYLOAD = 15,
    HEP_C_PAYLOAD_GZ = 16,
    HEP_C_CORRELATION_ID = 17,
    HEP_C_VLAN = 18,
    HEP_C_NODE_NAME = 19, /* capture agent name (heplify, heplify-server "NodeName") */
};

/* HEP protocol types (chunk 11) this program knows by name. */
enum { HEP_PROTO_SIP = 1, HEP_PROTO_RTCP = 5 };

/* Why a packet was rejected (hep_msg.error when hep_parse returns DIS_BAD/DIS_TRUNC). */
enum hep_error {
    HEP_E_NONE = 0,
    HEP_E_MAGIC,       /* neither "HEP3"/"EEP3" nor version 1/2 */
    HEP_E_TOTAL_LEN,   /* v3 total length below the header or above the bytes received */
    HEP_E_CHUNK_LEN,   /* a chunk length below 6 or past the packet's end (a lying length) */
    HEP_E_CHUNK_SIZE,  /* a fixed-size chunk (address, port, time...) of the wrong size */
    HEP_E_FAMILY,      /* v1/v2: an address family other than IPv4/IPv6 */
    HEP_E_V2_HEADER,   /* v1/v2: the header runs past the packet */
    HEP_E_ADDR_FAMILY, /* v3: source and destination of different families */
    HEP_E__COUNT
};

/* Quirks seen and tolerated while decoding (bits of hep_msg.quirks). */
enum hep_quirk {
    HEP_Q_CAPID_16 = 1u << 0,  /* capture id written as htons() into the 32-bit chunk (sngrep) */
    HEP_Q_EEP_MAGIC = 1u << 1, /* "EEP3" instead of "HEP3" */
    HEP_Q_TRAILING = 1u << 2,  /* bytes after the v3 total length (ignored) */
    HEP_Q_V2_PACKED = 1u << 3, /* v2 time header packed to 10 bytes (hp_l says so) */
    HEP_Q_FAMILY = 1u << 4,    /* family chunk disagrees with the address chunks (addresses win) */
};

/* One decoded HEP packet. Slices borrow the packet's bytes. */
struct hep_msg {
    uint8_t version;    /* 1, 2 or 3 */
    uint8_t ip_proto;   /* IP protocol number: 17 UDP, 6 TCP, 132 SCTP (0 when absent) */
    uint8_t proto_type; /* chunk 11: 1 SIP, 5 RTCP, ... (v1/v2: 1) */
    struct net_endpoint src, dst;
    bool has_ts, has_capture_id, has_vlan;
    uint32_t ts_sec, ts_usec;
    uint32_t capture_id;
    uint16_t keepalive;
    uint16_t vlan;
    struct slice auth_key, payload, correlation_id, node_name;
    bool compressed;  /* payload came from chunk 16 (gzip/zlib data, left to the caller) */
    unsigned quirks;  /* enum hep_quirk bits */
    unsigned unknown; /* chunks skipped: other vendors, unknown types */
    enum hep_error error;
};

/* Decodes one HEP packet (a UDP datagram or a message framed by hep_frame_len) into *m.
 * Returns DIS_OK; DIS_TRUNC when the v3 total length claims more bytes than given; DIS_BAD on a
 * malformed packet (m->error says why); DIS_NOT_MINE when it is not HEP at all. Never reads past
 * pkt.len. The payload may be empty (a keep-alive). */
enum dis_result hep_parse(struct slice pkt, struct hep_msg *m);

/* TCP framing of HEP v3: *len = the total length of the packet at the start of buffered.
 * DIS_OK, DIS_SHORT (need more bytes), DIS_BAD (not "HEP3", or a total length < 6). */
enum dis_result hep_frame_len(struct slice buffered, size_t *len);

/* A readable name of an error ("lying chunk length", ...). */
const char *hep_error_name(enum hep_error e);

/* Encodes m as HEP v3 into buf (cap bytes); returns the length, or 0 when it does not fit or m
 * is not encodable (no address family, payload over HEP_MAX_PACKET). Chunks in the order of the
 * hep-c / sngrep struct (family, proto, ports, times, type, capture id, addresses, auth key,
 * payload), then correlation id, VLAN and node name, so positional readers (sngrep -L) work. */
size_t hep_encode(const struct hep_msg *m, uint8_t *buf, size_t cap);

#endif
