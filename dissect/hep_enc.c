/* hep_enc.c: HEP v3 encoder (github.com/sipcapture/HEP rev 36): one packet from a decoded
 * hep_msg, chunks in the hep-c/sngrep order so that positional readers understand it too. */
#include "dissect/hep.h"

#include "dissect/banned.h"

#define HEP_AF_INET  2
#define HEP_AF_INET6 10 /* Linux, as HOMER, Kamailio and sngrep expect */

struct out {
    uint8_t *p;
    size_t cap, len;
    bool err;
};

static void put(struct out *o, const void *src, size_t n)
{
    if (n == 0)
        return;
    if (o->err || n > o->cap - o->len) {
        o->err = true;
        return;
    }
    memcpy(o->p + o->len, src, n);
    o->len += n;
}

static void chunk(struct out *o, unsigned type, const void *data, size_t n)
{
    if (n > HEP_MAX_PACKET - HEP_CHUNK_HDR) {
        o->err = true;
        return;
    }
    size_t len = n + HEP_CHUNK_HDR;
    uint8_t h[HEP_CHUNK_HDR] = {
        0, 0, (uint8_t)(type >> 8), (uint8_t)type, (uint8_t)(len >> 8), (uint8_t)len};
    put(o, h, sizeof h);
    put(o, data, n);
}

static void chunk_u8(struct out *o, unsigned type, uint8_t v)
{
    chunk(o, type, &v, 1);
}

static void chunk_u16(struct out *o, unsigned type, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    chunk(o, type, b, 2);
}

static void chunk_u32(struct out *o, unsigned type, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    chunk(o, type, b, 4);
}

static void chunk_slice(struct out *o, unsigned type, struct slice s)
{
    if (s.len > 0)
        chunk(o, type, s.p, s.len);
}

size_t hep_encode(const struct hep_msg *m, uint8_t *buf, size_t cap)
{
    uint8_t fam = m->src.addr.family;
    if ((fam != 4 && fam != 6) || m->dst.addr.family != fam)
        return 0;
    struct out o = {buf, cap, 0, false};
    put(&o, "HEP3\0\0", HEP_V3_HDR); /* total length filled in at the end */
    chunk_u8(&o, HEP_C_IP_FAMILY, fam == 4 ? HEP_AF_INET : HEP_AF_INET6);
    chunk_u8(&o, HEP_C_IP_PROTO, m->ip_proto);
    chunk_u16(&o, HEP_C_SRC_PORT, m->src.port);
    chunk_u16(&o, HEP_C_DST_PORT, m->dst.port);
    chunk_u32(&o, HEP_C_TS_SEC, m->ts_sec);
    chunk_u32(&o, HEP_C_TS_USEC, m->ts_usec);
    chunk_u8(&o, HEP_C_PROTO_TYPE, m->proto_type);
    chunk_u32(&o, HEP_C_CAPTURE_ID, m->capture_id);
    size_t alen = fam == 4 ? 4 : 16;
    chunk(&o, fam == 4 ? HEP_C_SRC_IP4 : HEP_C_SRC_IP6, m->src.addr.a, alen);
    chunk(&o, fam == 4 ? HEP_C_DST_IP4 : HEP_C_DST_IP6, m->dst.addr.a, alen);
    chunk_slice(&o, HEP_C_AUTH_KEY, m->auth_key);
    chunk(&o, m->compressed ? HEP_C_PAYLOAD_GZ : HEP_C_PAYLOAD, m->payload.p, m->payload.len);
    chunk_slice(&o, HEP_C_CORRELATION_ID, m->correlation_id);
    if (m->has_vlan)
        chunk_u16(&o, HEP_C_VLAN, m->vlan);
    chunk_slice(&o, HEP_C_NODE_NAME, m->node_name);
    if (o.err || o.len > HEP_MAX_PACKET)
        return 0;
    buf[4] = (uint8_t)(o.len >> 8);
    buf[5] = (uint8_t)o.len;
    return o.len;
}
