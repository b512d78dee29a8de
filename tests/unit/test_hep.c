/* test_hep.c: unit tests of the HEP decoder (dissect/hep.c) and encoder (dissect/hep_enc.c): a
 * v3 packet built byte by byte from the specification (rev 36), round trips, every prefix
 * (truncation sweep), every chunk's length lied about (longer and shorter), fixed-size chunks of
 * the wrong size, sngrep's 16-bit capture id, HEP v1/v2 in Kamailio's sipcapture layout, and
 * TCP framing. Each input is copied to an exact-size buffer so ASan sees any over-read. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dissect/hep.h"

#define SL(lit) slice_make((lit), sizeof(lit) - 1)

static const char sip[] = "OPTIONS sip:bob@127.0.0.2 SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n"
                          "Call-ID: abc@host\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

struct bb {
    uint8_t b[2048];
    size_t n;
};

static void b8(struct bb *b, unsigned v)
{
    b->b[b->n++] = (uint8_t)v;
}

static void b16(struct bb *b, unsigned v)
{
    b8(b, v >> 8);
    b8(b, v & 0xFF);
}

static void b32(struct bb *b, uint32_t v)
{
    b16(b, v >> 16);
    b16(b, v & 0xFFFF);
}

static void chunk_hdr(struct bb *b, unsigned type, size_t len)
{
    b16(b, 0);
    b16(b, type);
    b16(b, (unsigned)(len + 6));
}

static void bytes(struct bb *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

/* A HEP v3 packet as the specification draws it (IPv4, UDP, SIP, agent 2001, "secret"). */
static void build_spec_v3(struct bb *b, uint32_t capid_raw)
{
    b->n = 0;
    bytes(b, "HEP3", 4);
    b16(b, 0);
    chunk_hdr(b, 1, 1), b8(b, 2);
    chunk_hdr(b, 2, 1), b8(b, 17);
    chunk_hdr(b, 3, 4), bytes(b, "\x0a\x00\x00\x01", 4);
    chunk_hdr(b, 4, 4), bytes(b, "\x0a\x00\x00\x02", 4);
    chunk_hdr(b, 7, 2), b16(b, 5060);
    chunk_hdr(b, 8, 2), b16(b, 5080);
    chunk_hdr(b, 9, 4), b32(b, 1700000000u);
    chunk_hdr(b, 10, 4), b32(b, 123456);
    chunk_hdr(b, 11, 1), b8(b, 1);
    chunk_hdr(b, 12, 4), b32(b, capid_raw);
    chunk_hdr(b, 14, 6), bytes(b, "secret", 6);
    chunk_hdr(b, 17, 8), bytes(b, "abc@host", 8);
    chunk_hdr(b, 18, 2), b16(b, 42);
    chunk_hdr(b, 19, 5), bytes(b, "edge1", 5);
    b16(b, 0x1234), b16(b, 1), b16(b, 8), b16(b, 0xBEEF); /* another vendor's chunk: skipped */
    chunk_hdr(b, 15, sizeof sip - 1), bytes(b, sip, sizeof sip - 1);
    b->b[4] = (uint8_t)(b->n >> 8);
    b->b[5] = (uint8_t)b->n;
}

/* Parses an exact-size heap copy of p[0..n). */
static enum dis_result parse_copy(const uint8_t *p, size_t n, struct hep_msg *m, uint8_t **keep)
{
    uint8_t *c = malloc(n ? n : 1);
    if (!c)
        abort();
    if (n)
        memcpy(c, p, n);
    enum dis_result r = hep_parse(slice_make(c, n), m);
    *keep = c;
    return r;
}

static void test_spec_packet(void)
{
    struct bb b;
    build_spec_v3(&b, 2001);
    struct hep_msg m;
    uint8_t *c;
    CHECK_EQ_INT(parse_copy(b.b, b.n, &m, &c), DIS_OK);
    CHECK_EQ_INT(m.version, 3);
    CHECK_EQ_INT(m.src.addr.family, 4);
    CHECK_EQ_INT(m.src.addr.a[3], 1);
    CHECK_EQ_INT(m.dst.addr.a[3], 2);
    CHECK_EQ_INT(m.src.port, 5060);
    CHECK_EQ_INT(m.dst.port, 5080);
    CHECK_EQ_INT(m.ip_proto, 17);
    CHECK_EQ_INT(m.ts_sec, 1700000000u);
    CHECK_EQ_INT(m.ts_usec, 123456);
    CHECK_EQ_INT(m.proto_type, HEP_PROTO_SIP);
    CHECK_EQ_INT(m.capture_id, 2001);
    CHECK_EQ_INT(m.quirks, 0);
    CHECK_EQ_INT(m.vlan, 42);
    CHECK_EQ_INT(m.unknown, 1);
    CHECK_SLICE(m.auth_key, "secret");
    CHECK_SLICE(m.correlation_id, "abc@host");
    CHECK_SLICE(m.node_name, "edge1");
    CHECK_SLICE(m.payload, sip);
    CHECK(!m.compressed);
    free(c);
    /* sngrep: htons(2002) stored in the 32-bit chunk on a little-endian host */
    build_spec_v3(&b, 2002u << 16);
    CHECK_EQ_INT(parse_copy(b.b, b.n, &m, &c), DIS_OK);
    CHECK_EQ_INT(m.capture_id, 2002);
    CHECK(m.quirks & HEP_Q_CAPID_16);
    free(c);
}

static void test_round_trip(void)
{
    struct hep_msg in = {.ip_proto = 6,
                         .proto_type = 1,
                         .ts_sec = 42,
                         .ts_usec = 999999,
                         .capture_id = 7,
                         .has_vlan = true,
                         .vlan = 100};
    in.src.addr.family = in.dst.addr.family = 6;
    in.src.addr.a[15] = 1;
    in.dst.addr.a[0] = 0x20, in.dst.addr.a[15] = 2;
    in.src.port = 1, in.dst.port = 65535;
    in.payload = SL(sip);
    in.correlation_id = SL("abc@host");
    in.node_name = SL("agent-x");
    in.auth_key = SL("pw");
    uint8_t buf[1024];
    size_t n = hep_encode(&in, buf, sizeof buf);
    CHECK(n > 0);
    uint8_t small[1024];
    CHECK_EQ_INT(hep_encode(&in, small, n - 1), 0); /* does not fit: nothing */
    struct hep_msg m;
    uint8_t *c;
    CHECK_EQ_INT(parse_copy(buf, n, &m, &c), DIS_OK);
    CHECK_EQ_INT(m.src.addr.family, 6);
    CHECK(memcmp(m.src.addr.a, in.src.addr.a, 16) == 0);
    CHECK(memcmp(m.dst.addr.a, in.dst.addr.a, 16) == 0);
    CHECK_EQ_INT(m.src.port, 1);
    CHECK_EQ_INT(m.dst.port, 65535);
    CHECK_EQ_INT(m.ip_proto, 6);
    CHECK_EQ_INT(m.ts_sec, 42);
    CHECK_EQ_INT(m.ts_usec, 999999);
    CHECK_EQ_INT(m.capture_id, 7);
    CHECK_EQ_INT(m.vlan, 100);
    CHECK_SLICE(m.payload, sip);
    CHECK_SLICE(m.correlation_id, "abc@host");
    CHECK_SLICE(m.node_name, "agent-x");
    CHECK_SLICE(m.auth_key, "pw");
    CHECK_EQ_INT(m.quirks, 0);
    /* the sngrep order: family, proto, sport, dport, sec, usec, type, capture id first */
    static const unsigned order[] = {1, 2, 7, 8, 9, 10, 11, 12, 5, 6, 14, 15, 17, 18, 19};
    size_t off = 6;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        CHECK_EQ_INT(buf[off + 2] << 8 | buf[off + 3], order[i]);
        off += (size_t)(buf[off + 4] << 8 | buf[off + 5]);
    }
    CHECK_EQ_INT(off, n);
    size_t fl = 0;
    CHECK_EQ_INT(hep_frame_len(slice_make(buf, n), &fl), DIS_OK);
    CHECK_EQ_INT(fl, n);
    CHECK_EQ_INT(hep_frame_len(slice_make(buf, 5), &fl), DIS_SHORT);
    CHECK_EQ_INT(hep_frame_len(slice_make(buf, n - 1), &fl), DIS_SHORT);
    CHECK_EQ_INT(hep_frame_len(SL("GET / HTTP/1.1"), &fl), DIS_BAD);
    CHECK_EQ_INT(hep_frame_len(SL("HEP3\0\3"), &fl), DIS_BAD);
    free(c);
    struct hep_msg none = {0};
    CHECK_EQ_INT(hep_encode(&none, buf, sizeof buf), 0); /* no addresses */
}

/* Every prefix: only the whole packet parses; shorter ones are TRUNC (total length) and never
 * read past their end. With the total length rewritten to the prefix, a cut chunk is BAD. */
static void test_prefix_sweep(void)
{
    struct bb b;
    build_spec_v3(&b, 1);
    int ok = 0, trunc = 0, bad = 0;
    for (size_t n = 0; n <= b.n; n++) {
        struct hep_msg m;
        uint8_t *c;
        enum dis_result r = parse_copy(b.b, n, &m, &c);
        ok += r == DIS_OK, trunc += r == DIS_TRUNC;
        free(c);
        if (n >= 6) { /* the same prefix claiming to be whole */
            uint8_t t[2048];
            memcpy(t, b.b, n);
            t[4] = (uint8_t)(n >> 8), t[5] = (uint8_t)n;
            r = parse_copy(t, n, &m, &c);
            bad += r == DIS_BAD;
            if (r == DIS_OK)
                CHECK(m.payload.len == 0 || m.payload.p + m.payload.len <= c + n);
            free(c);
        }
    }
    CHECK_EQ_INT(ok, 1);
    CHECK_EQ_INT(trunc, (int)b.n - 6); /* 6..n-1 are truncated; 0..5 too short for HEP3 */
    CHECK(bad > (int)b.n / 2);         /* cuts inside a chunk */
}

/* Each chunk's length field made larger (lying past the end) or smaller than 6: rejected. */
static void test_lying_chunks(void)
{
    struct bb b;
    build_spec_v3(&b, 1);
    size_t off = 6;
    int chunks = 0;
    while (off < b.n) {
        size_t len = (size_t)(b.b[off + 4] << 8 | b.b[off + 5]);
        for (unsigned d = 1; d <= 3; d++) {
            uint8_t t[2048];
            memcpy(t, b.b, b.n);
            size_t bigger = len + (d == 3 ? 60000 : b.n - off - len + d);
            t[off + 4] = (uint8_t)(bigger >> 8), t[off + 5] = (uint8_t)bigger;
            struct hep_msg m;
            uint8_t *c;
            CHECK_EQ_INT(parse_copy(t, b.n, &m, &c), DIS_BAD);
            CHECK_EQ_INT(m.error, HEP_E_CHUNK_LEN);
            free(c);
        }
        for (size_t small = 0; small < 6; small++) {
            uint8_t t[2048];
            memcpy(t, b.b, b.n);
            t[off + 4] = 0, t[off + 5] = (uint8_t)small;
            struct hep_msg m;
            uint8_t *c;
            CHECK_EQ_INT(parse_copy(t, b.n, &m, &c), DIS_BAD);
            free(c);
        }
        off += len;
        chunks++;
    }
    CHECK_EQ_INT(chunks, 16);
    /* a fixed-size chunk one byte longer, the packet still consistent: wrong size */
    struct bb w = {.n = 0};
    bytes(&w, "HEP3", 4);
    b16(&w, 6 + 6 + 5 + 6 + 3);
    chunk_hdr(&w, 3, 5), bytes(&w, "\1\2\3\4\5", 5);
    chunk_hdr(&w, 15, 3), bytes(&w, "abc", 3);
    struct hep_msg m;
    uint8_t *c;
    CHECK_EQ_INT(parse_copy(w.b, w.n, &m, &c), DIS_BAD);
    CHECK_EQ_INT(m.error, HEP_E_CHUNK_SIZE);
    free(c);
    /* total length below the header; above the bytes: TRUNC */
    CHECK_EQ_INT(hep_parse(SL("HEP3\0\5"), &m), DIS_BAD);
    CHECK_EQ_INT(hep_parse(SL("HEP3\0\7"), &m), DIS_TRUNC);
    CHECK_EQ_INT(hep_parse(SL("HEP3\0\6"), &m), DIS_OK); /* empty: a keep-alive, no payload */
    CHECK_EQ_INT(m.payload.len, 0);
    CHECK_EQ_INT(hep_parse(SL("INVITE sip:a SIP/2.0\r\n"), &m), DIS_NOT_MINE);
    CHECK_EQ_INT(hep_parse(SL(""), &m), DIS_NOT_MINE);
}

/* HEP v2 as Kamailio/OpenSIPS sipcapture lay it out: struct hep_hdr, hep_iphdr, hep_timehdr
 * (12 bytes with padding, host = little-endian order), then the payload. */
static void test_v2(void)
{
    struct bb b = {.n = 0};
    b8(&b, 2), b8(&b, 8 + 8 + 12), b8(&b, 2), b8(&b, 17);
    b16(&b, 5060), b16(&b, 5070);
    bytes(&b, "\x7f\x00\x00\x01\x7f\x00\x00\x02", 8);
    bytes(&b, "\x00\xf1\x53\x65", 4); /* 1700000000 little-endian */
    bytes(&b, "\x40\xe2\x01\x00", 4); /* 123456 */
    bytes(&b, "\xd2\x07\x00\x00", 4); /* 2002 + padding */
    bytes(&b, sip, sizeof sip - 1);
    struct hep_msg m;
    uint8_t *c;
    CHECK_EQ_INT(parse_copy(b.b, b.n, &m, &c), DIS_OK);
    CHECK_EQ_INT(m.version, 2);
    CHECK_EQ_INT(m.src.port, 5060);
    CHECK_EQ_INT(m.dst.port, 5070);
    CHECK_EQ_INT(m.dst.addr.a[3], 2);
    CHECK_EQ_INT(m.ts_sec, 1700000000u);
    CHECK_EQ_INT(m.ts_usec, 123456);
    CHECK_EQ_INT(m.capture_id, 2002);
    CHECK_SLICE(m.payload, sip);
    free(c);
    for (size_t n = 0; n < 8 + 8 + 12; n++) { /* header prefixes */
        CHECK(parse_copy(b.b, n, &m, &c) != DIS_OK);
        free(c);
    }
    /* v1 over IPv6: no time header */
    struct bb v1 = {.n = 0};
    b8(&v1, 1), b8(&v1, 8 + 32), b8(&v1, 10), b8(&v1, 6);
    b16(&v1, 5061), b16(&v1, 5062);
    for (int i = 0; i < 32; i++)
        b8(&v1, i == 15 || i == 31 ? 1 : 0);
    bytes(&v1, sip, sizeof sip - 1);
    CHECK_EQ_INT(parse_copy(v1.b, v1.n, &m, &c), DIS_OK);
    CHECK_EQ_INT(m.version, 1);
    CHECK_EQ_INT(m.src.addr.family, 6);
    CHECK_EQ_INT(m.ip_proto, 6);
    CHECK(!m.has_ts);
    CHECK_SLICE(m.payload, sip);
    free(c);
    /* fuzz finding: a v2 header cut inside the addresses (NULL slice for the time header) */
    CHECK_EQ_INT(hep_parse(SL("\002H\002H\001%\001%"), &m), DIS_BAD);
    CHECK_EQ_INT(m.error, HEP_E_V2_HEADER);
    /* fuzz finding: a v2 header (family 28 = FreeBSD AF_INET6) cut inside the time header */
    memcpy(b.b, "\002\x48\x1c\x11", 4);
    CHECK_EQ_INT(parse_copy(b.b, 8 + 32 + 5, &m, &c), DIS_BAD);
    CHECK_EQ_INT(m.error, HEP_E_V2_HEADER);
    free(c);
    v1.b[2] = 99; /* unknown family */
    CHECK_EQ_INT(parse_copy(v1.b, v1.n, &m, &c), DIS_BAD);
    CHECK_EQ_INT(m.error, HEP_E_FAMILY);
    free(c);
}

int main(void)
{
    test_spec_packet();
    test_round_trip();
    test_prefix_sweep();
    test_lying_chunks();
    test_v2();
    return check_done();
}
