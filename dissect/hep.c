/* hep.c: HEP v3 chunk decoder and HEP v1/v2 header decoder (docs/hep.md). Every length from the
 * wire is checked against the bytes that remain before it is used; fixed-size chunks must have
 * their exact size; a lying or truncated chunk rejects the packet. */
#include "dissect/hep.h"

#include "dissect/banned.h"
#include "dissect/cur.h"

#define HEP_AF_INET 2
/* AF_INET6 differs per system: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, macOS 30. */
static bool family_is_v6(unsigned f)
{
    return f == 10 || f == 24 || f == 28 || f == 30;
}

const char *hep_error_name(enum hep_error e)
{
    switch (e) {
    case HEP_E_NONE:
        return "ok";
    case HEP_E_MAGIC:
        return "not HEP";
    case HEP_E_TOTAL_LEN:
        return "bad total length";
    case HEP_E_CHUNK_LEN:
        return "lying chunk length";
    case HEP_E_CHUNK_SIZE:
        return "wrong size of a fixed-size chunk";
    case HEP_E_FAMILY:
        return "unknown address family";
    case HEP_E_V2_HEADER:
        return "truncated v1/v2 header";
    case HEP_E_ADDR_FAMILY:
        return "source and destination of different families";
    case HEP_E__COUNT:
        break;
    }
    return "unknown";
}

static enum dis_result fail(struct hep_msg *m, enum dis_result r, enum hep_error e)
{
    m->error = e;
    return r;
}

static void set_addr(struct net_endpoint *ep, uint8_t family, struct slice s)
{
    ep->addr.family = family;
    for (size_t i = 0; i < s.len && i < sizeof ep->addr.a; i++)
        ep->addr.a[i] = s.p[i];
}

/* The size a generic chunk type must have, 0 for variable-length ones. */
static size_t fixed_size(unsigned type)
{
    switch (type) {
    case HEP_C_IP_FAMILY:
    case HEP_C_IP_PROTO:
    case HEP_C_PROTO_TYPE:
        return 1;
    case HEP_C_SRC_IP4:
    case HEP_C_DST_IP4:
    case HEP_C_TS_SEC:
    case HEP_C_TS_USEC:
    case HEP_C_CAPTURE_ID:
        return 4;
    case HEP_C_SRC_IP6:
    case HEP_C_DST_IP6:
        return 16;
    case HEP_C_SRC_PORT:
    case HEP_C_DST_PORT:
    case HEP_C_KEEPALIVE:
    case HEP_C_VLAN:
        return 2;
    default:
        return 0;
    }
}

/* A 32-bit capture id written by htons() into the chunk reads as id << 16 on the wire. */
static uint32_t capture_id(uint32_t v, struct hep_msg *m)
{
    if (v > 0xFFFF && (v & 0xFFFF) == 0) {
        m->quirks |= HEP_Q_CAPID_16;
        return v >> 16;
    }
    return v;
}

/* Applies one generic chunk (vendor 0) whose size was checked. */
static void apply_chunk(struct hep_msg *m, unsigned type, struct slice d, unsigned *family)
{
    struct cur c = cur_of(d);
    switch (type) {
    case HEP_C_IP_FAMILY:
        *family = cur_u8(&c);
        break;
    case HEP_C_IP_PROTO:
        m->ip_proto = cur_u8(&c);
        break;
    case HEP_C_SRC_IP4:
        set_addr(&m->src, 4, d);
        break;
    case HEP_C_DST_IP4:
        set_addr(&m->dst, 4, d);
        break;
    case HEP_C_SRC_IP6:
        set_addr(&m->src, 6, d);
        break;
    case HEP_C_DST_IP6:
        set_addr(&m->dst, 6, d);
        break;
    case HEP_C_SRC_PORT:
        m->src.port = cur_be16(&c);
        break;
    case HEP_C_DST_PORT:
        m->dst.port = cur_be16(&c);
        break;
    case HEP_C_TS_SEC:
        m->ts_sec = cur_be32(&c);
        m->has_ts = true;
        break;
    case HEP_C_TS_USEC:
        m->ts_usec = cur_be32(&c);
        break;
    case HEP_C_PROTO_TYPE:
        m->proto_type = cur_u8(&c);
        break;
    case HEP_C_CAPTURE_ID:
        m->capture_id = capture_id(cur_be32(&c), m);
        m->has_capture_id = true;
        break;
    case HEP_C_KEEPALIVE:
        m->keepalive = cur_be16(&c);
        break;
    case HEP_C_AUTH_KEY:
        m->auth_key = d;
        break;
    case HEP_C_PAYLOAD:
        m->payload = d;
        m->compressed = false;
        break;
    case HEP_C_PAYLOAD_GZ:
        m->payload = d;
        m->compressed = true;
        break;
    case HEP_C_CORRELATION_ID:
        m->correlation_id = d;
        break;
    case HEP_C_VLAN:
        m->vlan = cur_be16(&c);
        m->has_vlan = true;
        break;
    case HEP_C_NODE_NAME:
        m->node_name = d;
        break;
    default:
        m->unknown++;
        break;
    }
}

/* Checks the family chunk against the address chunks (addresses win, a mismatch is a quirk). */
static enum dis_result check_family(struct hep_msg *m, unsigned family)
{
    if (m->src.addr.family != m->dst.addr.family && m->src.addr.family && m->dst.addr.family)
        return fail(m, DIS_BAD, HEP_E_ADDR_FAMILY);
    uint8_t have = m->src.addr.family ? m->src.addr.family : m->dst.addr.family;
    uint8_t said = family == HEP_AF_INET ? 4 : family_is_v6(family) ? 6 : 0;
    if (family && have && said != have)
        m->quirks |= HEP_Q_FAMILY;
    return DIS_OK;
}

static enum dis_result parse_v3(struct slice pkt, struct hep_msg *m)
{
    struct cur c = cur_of(pkt);
    cur_skip(&c, 4);
    size_t total = cur_be16(&c);
    if (c.err || total < HEP_V3_HDR)
        return fail(m, DIS_BAD, HEP_E_TOTAL_LEN);
    if (total > pkt.len)
        return fail(m, DIS_TRUNC, HEP_E_TOTAL_LEN);
    if (total < pkt.len)
        m->quirks |= HEP_Q_TRAILING;
    c.end = pkt.p + total; /* narrow to the declared length */
    unsigned family = 0;
    while (cur_left(&c) > 0) {
        unsigned vendor = cur_be16(&c);
        unsigned type = cur_be16(&c);
        size_t len = cur_be16(&c);
        if (c.err || len < HEP_CHUNK_HDR || len - HEP_CHUNK_HDR > cur_left(&c))
            return fail(m, DIS_BAD, HEP_E_CHUNK_LEN);
        struct slice d = cur_take(&c, len - HEP_CHUNK_HDR);
        if (vendor != 0) {
            m->unknown++;
            continue;
        }
        size_t want = fixed_size(type);
        if (want && d.len != want)
            return fail(m, DIS_BAD, HEP_E_CHUNK_SIZE);
        apply_chunk(m, type, d, &family);
    }
    return check_family(m, family);
}

/* HEP v1/v2: version, header length, family, protocol, sport, dport (network order), the two
 * addresses, then for v2 a time header in the sender's host byte order (little-endian on every
 * sender seen), then the payload to the end of the datagram. */
static enum dis_result parse_v12(struct slice pkt, struct hep_msg *m)
{
    struct cur c = cur_of(pkt);
    m->version = cur_u8(&c);
    size_t hl = cur_u8(&c);
    unsigned family = cur_u8(&c);
    m->ip_proto = cur_u8(&c);
    m->src.port = cur_be16(&c);
    m->dst.port = cur_be16(&c);
    if (c.err)
        return fail(m, DIS_BAD, HEP_E_V2_HEADER);
    size_t alen = family == HEP_AF_INET ? 4 : family_is_v6(family) ? 16 : 0;
    if (alen == 0)
        return fail(m, DIS_BAD, HEP_E_FAMILY);
    set_addr(&m->src, alen == 4 ? 4 : 6, cur_take(&c, alen));
    set_addr(&m->dst, alen == 4 ? 4 : 6, cur_take(&c, alen));
    if (c.err)
        return fail(m, DIS_BAD, HEP_E_V2_HEADER);
    if (m->version == 2) {
        size_t th = HEP_V2_TIME;
        if (hl == HEP_V12_HDR + 2 * alen + HEP_V2_TIME_PACK) {
            th = HEP_V2_TIME_PACK;
            m->quirks |= HEP_Q_V2_PACKED;
        }
        if (cur_left(&c) < th)
            return fail(m, DIS_BAD, HEP_E_V2_HEADER);
        struct cur t = cur_of(cur_take(&c, th));
        m->ts_sec = cur_le32(&t);
        m->ts_usec = cur_le32(&t);
        m->capture_id = cur_le16(&t);
        m->has_ts = true;
        m->has_capture_id = true;
    }
    if (c.err)
        return fail(m, DIS_BAD, HEP_E_V2_HEADER);
    m->proto_type = HEP_PROTO_SIP;
    m->payload = cur_rest(&c);
    return DIS_OK;
}

enum dis_result hep_parse(struct slice pkt, struct hep_msg *m)
{
    *m = (struct hep_msg){0};
    if (pkt.len >= 4 &&
        (SLICE_EQ(slice_sub(pkt, 0, 4), "HEP3") || SLICE_EQ(slice_sub(pkt, 0, 4), "EEP3"))) {
        if (pkt.p[0] == 'E')
            m->quirks |= HEP_Q_EEP_MAGIC;
        m->version = 3;
        return parse_v3(pkt, m);
    }
    /* v1/v2: the version byte, then a header length no smaller than the fixed part */
    if (pkt.len >= 2 && (pkt.p[0] == 1 || pkt.p[0] == 2) && pkt.p[1] >= HEP_V12_HDR)
        return parse_v12(pkt, m);
    m->error = HEP_E_MAGIC;
    return DIS_NOT_MINE;
}

enum dis_result hep_frame_len(struct slice buffered, size_t *len)
{
    size_t n = buffered.len < 4 ? buffered.len : 4;
    if (!slice_eq(slice_sub(buffered, 0, n), "HEP3", n) &&
        !slice_eq(slice_sub(buffered, 0, n), "EEP3", n))
        return DIS_BAD;
    if (buffered.len < HEP_V3_HDR)
        return DIS_SHORT;
    size_t total = (size_t)buffered.p[4] << 8 | buffered.p[5];
    if (total < HEP_V3_HDR)
        return DIS_BAD;
    *len = total;
    return total <= buffered.len ? DIS_OK : DIS_SHORT;
}
