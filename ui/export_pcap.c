/* export_pcap.c: a call's SIP messages (and its RTP/RTCP kept by --store-rtp, interleaved by
 * capture time) as a pcap file (nanosecond timestamps, LINKTYPE_ETHERNET)
 * rebuilt from the stored raw bytes: Ethernet / IPv4 (RFC 791) or IPv6 (RFC 8200) / UDP (RFC 768,
 * valid checksums) or TCP (RFC 9293: a handshake per connection, seq/ack per direction). */
#include "ui/export.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_SNAPLEN   262144
#define PCAP_TCP_CHUNK 64000 /* bytes of SIP per synthesized TCP segment */
#define PCAP_MAX_CONNS 256

struct ep {
    int family; /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    uint16_t port;
};

struct conn {
    struct ep a, b;        /* a opened it */
    uint32_t seq_a, seq_b; /* next sequence number of each side */
};

struct pcap_out {
    FILE *out;
    struct conn conns[PCAP_MAX_CONNS];
    size_t nconns;
    uint16_t ip_id;
};

/* Parses "a.b.c.d:port" or "[v6]:port". Returns 0 or -1. */
static int parse_ep(const char *s, struct ep *e)
{
    char host[64];
    const char *colon = s ? strrchr(s, ':') : NULL;
    if (!colon || (size_t)(colon - s) >= sizeof host)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    char *end = NULL;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (!end || *end || port > 65535)
        return -1;
    e->port = (uint16_t)port;
    memset(e->addr, 0, sizeof e->addr);
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        e->family = AF_INET6;
        return inet_pton(AF_INET6, host + 1, e->addr) == 1 ? 0 : -1;
    }
    e->family = AF_INET;
    return inet_pton(AF_INET, host, e->addr) == 1 ? 0 : -1;
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xFFFF);
}

static void le32(FILE *out, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fwrite(b, 1, 4, out);
}

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return (uint16_t)~s;
}

/* Writes IP header + l4 (proto, len bytes, checksum field at l4 + csum_at) into frame after the
 * Ethernet header. Returns the frame length. */
static size_t ip_wrap(struct pcap_out *po, uint8_t *frame, const struct ep *s, const struct ep *d,
                      int proto, size_t l4len, size_t csum_at)
{
    static const uint8_t mac[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    memcpy(frame, mac, 12);
    bool v6 = s->family == AF_INET6;
    size_t iph = v6 ? 40 : 20, alen = v6 ? 16 : 4;
    uint8_t *ip = frame + 14, *l4 = ip + iph;
    put16(frame + 12, v6 ? 0x86DD : 0x0800);
    memset(ip, 0, iph);
    if (v6) {
        ip[0] = 0x60;
        put16(ip + 4, (unsigned)l4len);
        ip[6] = (uint8_t)proto;
        ip[7] = 64;
    } else {
        ip[0] = 0x45;
        put16(ip + 2, (unsigned)(20 + l4len));
        put16(ip + 4, po->ip_id++);
        ip[8] = 64;
        ip[9] = (uint8_t)proto;
    }
    memcpy(ip + (v6 ? 8 : 12), s->addr, alen);
    memcpy(ip + (v6 ? 24 : 16), d->addr, alen);
    if (!v6)
        put16(ip + 10, fold(sum16(0, ip, 20)));
    uint32_t ps = sum16(0, s->addr, alen);
    ps = sum16(ps, d->addr, alen);
    ps += (uint32_t)proto + (uint32_t)(l4len & 0xFFFF) + (uint32_t)(l4len >> 16);
    put16(l4 + csum_at, 0);
    uint16_t c = fold(sum16(ps, l4, l4len));
    put16(l4 + csum_at, proto == 17 && c == 0 ? 0xFFFF : c);
    return 14 + iph + l4len;
}

static void write_record(struct pcap_out *po, int64_t ts_ns, const uint8_t *frame, size_t len)
{
    le32(po->out, (uint32_t)(ts_ns / 1000000000));
    le32(po->out, (uint32_t)(ts_ns % 1000000000));
    le32(po->out, (uint32_t)len);
    le32(po->out, (uint32_t)len);
    fwrite(frame, 1, len, po->out);
}

static void udp_packet(struct pcap_out *po, int64_t ts, const struct ep *s, const struct ep *d,
                       const char *data, size_t n)
{
    if (n > 65535 - 8 - 40)
        n = 65535 - 8 - 40; /* cannot happen for a datagram that was captured */
    uint8_t *frame = malloc(14 + 40 + 8 + n);
    if (!frame)
        abort();
    uint8_t *l4 = frame + 14 + (s->family == AF_INET6 ? 40 : 20);
    put16(l4, s->port);
    put16(l4 + 2, d->port);
    put16(l4 + 4, (unsigned)(8 + n));
    memcpy(l4 + 8, data, n);
    size_t len = ip_wrap(po, frame, s, d, 17, 8 + n, 6);
    write_record(po, ts, frame, len);
    free(frame);
}

static void tcp_segment(struct pcap_out *po, int64_t ts, const struct ep *s, const struct ep *d,
                        uint32_t seq, uint32_t ack, int flags, const char *data, size_t n)
{
    uint8_t *frame = malloc(14 + 40 + 20 + n);
    if (!frame)
        abort();
    uint8_t *l4 = frame + 14 + (s->family == AF_INET6 ? 40 : 20);
    memset(l4, 0, 20);
    put16(l4, s->port);
    put16(l4 + 2, d->port);
    put32(l4 + 4, seq);
    put32(l4 + 8, ack);
    l4[12] = 5 << 4;
    l4[13] = (uint8_t)flags;
    put16(l4 + 14, 65535);
    if (n)
        memcpy(l4 + 20, data, n);
    size_t len = ip_wrap(po, frame, s, d, 6, 20 + n, 16);
    write_record(po, ts, frame, len);
    free(frame);
}

static bool ep_eq(const struct ep *x, const struct ep *y)
{
    return x->family == y->family && x->port == y->port && memcmp(x->addr, y->addr, 16) == 0;
}

/* The connection of s -> d, opened with a handshake at ts when new; *fwd tells the side. */
static struct conn *conn_of(struct pcap_out *po, int64_t ts, const struct ep *s, const struct ep *d,
                            bool *fwd)
{
    for (size_t i = 0; i < po->nconns; i++) {
        struct conn *c = &po->conns[i];
        if ((ep_eq(&c->a, s) && ep_eq(&c->b, d)) || (ep_eq(&c->a, d) && ep_eq(&c->b, s))) {
            *fwd = ep_eq(&c->a, s);
            return c;
        }
    }
    struct conn *c = &po->conns[po->nconns < PCAP_MAX_CONNS ? po->nconns++ : PCAP_MAX_CONNS - 1];
    c->a = *s;
    c->b = *d;
    c->seq_a = 1000;
    c->seq_b = 5000;
    tcp_segment(po, ts, s, d, c->seq_a++, 0, 0x02, NULL, 0);        /* SYN */
    tcp_segment(po, ts, d, s, c->seq_b++, c->seq_a, 0x12, NULL, 0); /* SYN+ACK */
    tcp_segment(po, ts, s, d, c->seq_a, c->seq_b, 0x10, NULL, 0);   /* ACK */
    *fwd = true;
    return c;
}

static void tcp_message(struct pcap_out *po, int64_t ts, const struct ep *s, const struct ep *d,
                        const char *data, size_t n)
{
    bool fwd;
    struct conn *c = conn_of(po, ts, s, d, &fwd);
    uint32_t *seq = fwd ? &c->seq_a : &c->seq_b, ack = fwd ? c->seq_b : c->seq_a;
    for (size_t off = 0; off < n;) {
        size_t k = n - off < PCAP_TCP_CHUNK ? n - off : PCAP_TCP_CHUNK;
        tcp_segment(po, ts, s, d, *seq, ack, 0x18, data + off, k); /* PSH+ACK */
        *seq += (uint32_t)k;
        off += k;
    }
}

static bool is_tcp(const char *transport)
{
    return transport && (strcmp(transport, "TCP") == 0 || strcmp(transport, "TLS") == 0 ||
                         strcmp(transport, "WS") == 0 || strcmp(transport, "WSS") == 0);
}

/* Writes the kept media packets before time `before` (all when before is INT64_MAX). */
static void media_until(struct pcap_out *po, const struct export_ctx *x, size_t *next,
                        int64_t before)
{
    for (; *next < x->nmedia && x->media[*next].ts_ns < before; (*next)++) {
        const struct export_pkt *p = &x->media[*next];
        struct ep s, d;
        if (parse_ep(p->src, &s) < 0 || parse_ep(p->dst, &d) < 0 || s.family != d.family)
            continue;
        udp_packet(po, p->ts_ns, &s, &d, (const char *)p->data, p->len);
    }
}

int export_pcap(const struct export_ctx *x, FILE *out)
{
    size_t next_media = 0;
    struct pcap_out *po = calloc(1, sizeof *po);
    if (!po)
        abort();
    po->out = out;
    po->ip_id = 1;
    le32(out, 0xA1B23C4D); /* nanosecond pcap */
    uint8_t ver[4] = {2, 0, 4, 0};
    fwrite(ver, 1, 4, out);
    le32(out, 0);
    le32(out, 0);
    le32(out, PCAP_SNAPLEN);
    le32(out, 1); /* LINKTYPE_ETHERNET */
    for (size_t i = 0; i < x->layout->nrows; i++) {
        const struct ladder_msg *m = x->layout->rows[i].msg;
        struct ep s, d;
        if (!m || !x->raw || parse_ep(m->src, &s) < 0 || parse_ep(m->dst, &d) < 0 ||
            s.family != d.family)
            continue;
        size_t n = 0;
        char *raw = x->raw(x->raw_user, m, &n);
        if (!raw)
            continue;
        media_until(po, x, &next_media, m->ts_ns);
        if (is_tcp(m->transport))
            tcp_message(po, m->ts_ns, &s, &d, raw, n);
        else
            udp_packet(po, m->ts_ns, &s, &d, raw, n);
        free(raw);
    }
    media_until(po, x, &next_media, INT64_MAX);
    free(po);
    return ferror(out) ? -1 : 0;
}
