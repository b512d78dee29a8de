/* net.c: the network dispatcher (link -> IPv4/IPv6 -> fragments -> UDP / TCP), UDP (RFC 768),
 * counters, expiry, and address text in and out (RFC 5952 §4, RFC 4291 §2.2). */
#include "dissect/net_priv.h"
#include "dissect/ipfrag.h"
#include "dissect/link.h"
#include "dissect/tcp_stream.h"
#include "dissect/tunnel.h"
#include "dissect/sctp.h"
#include "dissect/banned.h"

#define NET_DEF_FRAG_BYTES   (16u << 20)
#define NET_DEF_FRAG_DGRAMS  4096u
#define NET_DEF_FRAG_TIMEOUT 30000u
#define NET_DEF_TCP_STREAMS  65536u
#define NET_DEF_TCP_STREAM_B (256u << 10)
#define NET_DEF_TCP_TOTAL_B  (64u << 20)
#define NET_DEF_TCP_TIMEOUT  300000u
#define NET_EXPIRE_EVERY_NS  1000000000 /* net_frame runs the expiry at most once a second */
#define UDP_HDR_LEN          8
#define IP_PROTO_ICMP6       58
#define IP_PROTO_NONE6       59

void *net_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("sipscope: out of memory\n", stderr);
        abort();
    }
    return q;
}

void *net_xcalloc(size_t n, size_t size)
{
    void *q = calloc(n ? n : 1, size ? size : 1);
    if (!q) {
        fputs("sipscope: out of memory\n", stderr);
        abort();
    }
    return q;
}

const char *net_transport_name(int t)
{
    switch (t) {
    case NET_T_UDP:
        return "UDP";
    case NET_T_TCP:
        return "TCP";
    case NET_T_TLS:
        return "TLS";
    case NET_T_WS:
        return "WS";
    case NET_T_WSS:
        return "WSS";
    case NET_T_SCTP:
        return "SCTP";
    default:
        return "unknown";
    }
}

/* The limits in lim with every zero field replaced by its default. */
static struct net_limits limits_or_defaults(const struct net_limits *lim)
{
    struct net_limits l = lim ? *lim : (struct net_limits){0};
    if (!l.frag_max_bytes)
        l.frag_max_bytes = NET_DEF_FRAG_BYTES;
    if (!l.frag_max_datagrams)
        l.frag_max_datagrams = NET_DEF_FRAG_DGRAMS;
    if (!l.frag_timeout_ms)
        l.frag_timeout_ms = NET_DEF_FRAG_TIMEOUT;
    if (!l.tcp_max_streams)
        l.tcp_max_streams = NET_DEF_TCP_STREAMS;
    if (!l.tcp_max_stream_bytes)
        l.tcp_max_stream_bytes = NET_DEF_TCP_STREAM_B;
    if (!l.tcp_max_total_bytes)
        l.tcp_max_total_bytes = NET_DEF_TCP_TOTAL_B;
    if (!l.tcp_timeout_ms)
        l.tcp_timeout_ms = NET_DEF_TCP_TIMEOUT;
    return l;
}

struct net_ctx *net_new(const struct net_limits *lim, net_framer_fn framer)
{
    struct net_ctx *n = net_xcalloc(1, sizeof *n);
    n->lim = limits_or_defaults(lim);
    n->framer = framer;
    n->frag = ipfrag_new(&n->lim, &n->st);
    n->tcp = tcp_table_new(&n->lim, &n->st);
    n->sctp = sctp_table_new(&n->st);
    n->next_expire_ns = INT64_MIN;
    return n;
}

void net_free(struct net_ctx *n)
{
    if (!n)
        return;
    ipfrag_free(n->frag);
    tcp_table_free(n->tcp);
    sctp_table_free(n->sctp);
    free(n);
}

void net_expire(struct net_ctx *n, int64_t now_ns)
{
    ipfrag_expire(n->frag, now_ns);
    tcp_stream_expire(n->tcp, now_ns);
    sctp_expire(n->sctp, now_ns);
}

const struct net_stats *net_get_stats(const struct net_ctx *n)
{
    return &n->st;
}

void net_emit(struct net_ctx *n, const struct ip_pkt *ip, uint8_t transport, struct slice data,
              bool reassembled, bool truncated)
{
    struct net_payload pl = {
        .src = ip->src,
        .dst = ip->dst,
        .transport = transport,
        .truncated = truncated,
        .reassembled = reassembled,
        .frame = n->f,
        .index_in_frame = n->index++,
        .data = data,
        .encap = n->encap,
        .encap_depth = (uint8_t)n->depth,
        .outer_src = n->outer_src,
        .outer_dst = n->outer_dst,
    };
    if (transport == NET_T_TCP)
        n->st.tcp_messages++;
    if (n->deliver)
        n->deliver(n->user, &pl);
}

/* UDP (RFC 768): checks the length field, narrows to it, clamps to the capture, delivers. */
static enum dis_result net_udp(struct net_ctx *n, struct ip_pkt *ip)
{
    const uint8_t *h = ip->payload.p;
    if (ip->payload.len < UDP_HDR_LEN)
        return ip->declared < UDP_HDR_LEN ? DIS_BAD : DIS_TRUNC;
    size_t ulen = ((size_t)h[4] << 8) | h[5];
    if (ulen == 0) /* IPv6 jumbogram (RFC 2675) or offload: the IP length rules */
        ulen = ip->declared;
    if (ulen < UDP_HDR_LEN || ulen > ip->declared)
        return DIS_BAD;
    n->st.udp++;
    bool cut = ulen > ip->payload.len;
    size_t have = cut ? ip->payload.len : ulen;
    if (have == UDP_HDR_LEN)
        return cut ? DIS_TRUNC : DIS_OK;
    ip->src.port = (uint16_t)((h[0] << 8) | h[1]);
    ip->dst.port = (uint16_t)((h[2] << 8) | h[3]);
    enum dis_result tr;
    if (tunnel_udp(n, ip, slice_make(h + UDP_HDR_LEN, have - UDP_HDR_LEN), &tr))
        return tr == DIS_OK && cut ? DIS_TRUNC : tr;
    net_emit(n, ip, NET_T_UDP, slice_make(h + UDP_HDR_LEN, have - UDP_HDR_LEN), ip->reassembled,
             cut);
    return cut ? DIS_TRUNC : DIS_OK;
}

/* Counts a non-OK result of a layer and passes it on. */
static enum dis_result note(struct net_ctx *n, enum dis_result r)
{
    if (r == DIS_BAD)
        n->st.bad++;
    else if (r == DIS_TRUNC)
        n->frame_truncated = true;
    else if (r == DIS_NOT_MINE)
        n->st.other_l4++;
    return r;
}

/* True when a fragment may carry UDP or TCP, so reassembling it is worth the memory. */
static bool frag_wanted(const struct ip_pkt *ip)
{
    if (ip->src.addr.family == 4)
        return ip->proto == IP_PROTO_UDP || ip->proto == IP_PROTO_TCP ||
               ip->proto == IP_PROTO_SCTP || tunnel_ip_proto(ip->proto);
    return ip->proto != IP_PROTO_ICMP6 && ip->proto != IP_PROTO_NONE6;
}

/* Reassembles a fragment; returns DIS_SHORT while the datagram is incomplete. */
static enum dis_result net_frag(struct net_ctx *n, struct ip_pkt *ip)
{
    if (!frag_wanted(ip))
        return DIS_NOT_MINE;
    if (ip->truncated)
        return DIS_TRUNC; /* the capture cut it: never completes */
    if (!ipfrag_add(n->frag, ip, n->f->ts_ns))
        return DIS_SHORT;
    if (ip->src.addr.family == 6) {
        enum dis_result r = ip6_ext_walk(ip);
        if (r != DIS_OK)
            return r;
        if (ip->is_frag)
            return DIS_BAD; /* a fragment inside a fragment */
    }
    return DIS_OK;
}

/* IP layer and upper-layer dispatch for one frame. */
enum dis_result net_l3(struct net_ctx *n, struct slice l3, int ver)
{
    struct ip_pkt ip;
    enum dis_result r;
    if (ver == 4) {
        n->st.ip4++;
        r = ip4_parse(l3, &ip);
    } else {
        n->st.ip6++;
        r = ip6_parse(l3, &ip);
    }
    if (r != DIS_OK)
        return note(n, r);
    if (ip.truncated)
        n->frame_truncated = true;
    if (ip.is_frag) {
        r = net_frag(n, &ip);
        if (r == DIS_SHORT)
            return DIS_OK;
        if (r != DIS_OK)
            return note(n, r);
    }
    if (ip.proto == IP_PROTO_UDP)
        r = net_udp(n, &ip);
    else if (ip.proto == IP_PROTO_TCP)
        r = tcp_input(n, &ip);
    else if (tunnel_ip_proto(ip.proto))
        r = tunnel_ip(n, &ip);
    else if (ip.proto == IP_PROTO_SCTP)
        r = sctp_input(n, &ip);
    else
        r = DIS_NOT_MINE;
    return r == DIS_OK ? r : note(n, r);
}

/* Runs the expiry when frame time passed the next check, or jumped back (merged inputs). */
static void maybe_expire(struct net_ctx *n, int64_t ts)
{
    bool back = n->next_expire_ns > INT64_MIN + 2 * NET_EXPIRE_EVERY_NS &&
                ts < n->next_expire_ns - 2 * NET_EXPIRE_EVERY_NS;
    if (ts < n->next_expire_ns && !back)
        return;
    net_expire(n, ts);
    n->next_expire_ns = ts > INT64_MAX - NET_EXPIRE_EVERY_NS ? INT64_MAX : ts + NET_EXPIRE_EVERY_NS;
}

enum dis_result net_frame(struct net_ctx *n, const struct frame *f, net_deliver_fn deliver,
                          void *user)
{
    n->st.frames++;
    n->deliver = deliver;
    n->user = user;
    n->f = f;
    n->index = 0;
    n->depth = 0;
    n->encap = NET_E_NONE;
    n->outer_src = (struct net_endpoint){0};
    n->outer_dst = (struct net_endpoint){0};
    n->frame_truncated = f->caplen < f->wirelen;
    maybe_expire(n, f->ts_ns);
    static const uint8_t none[1];
    struct slice l3;
    int ver = 0;
    struct slice bytes = f->data ? slice_make(f->data, f->caplen) : slice_make(none, 0);
    enum dis_result r = link_parse(f->linktype, bytes, &l3, &ver);
    if (r == DIS_OK)
        r = net_l3(n, l3, ver);
    else if (r == DIS_NOT_MINE)
        n->st.non_ip++;
    else if (r == DIS_BAD)
        n->st.bad++;
    else
        n->frame_truncated = true;
    if (n->frame_truncated)
        n->st.truncated++;
    n->f = NULL;
    return r;
}

/* ---- address text (RFC 5952 §4 out, RFC 4291 §2.2 in) ---- */

#define ADDR_TEXT_MAX 64 /* "[" + 45-char IPv6 + "]:" + port, with room to spare */
#define IP4_TEXT_MAX  15
#define IP6_GROUPS    8

static size_t put_dec(char *o, unsigned v)
{
    char t[10];
    size_t k = 0;
    do {
        t[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && k < sizeof t);
    for (size_t i = 0; i < k; i++)
        o[i] = t[k - 1 - i];
    return k;
}

static size_t put_hex16(char *o, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (int sh = 12; sh >= 0; sh -= 4) {
        unsigned d = (v >> sh) & 0xf;
        if (d || k || sh == 0)
            o[k++] = hex[d];
    }
    return k;
}

static size_t fmt_v4(const uint8_t *a, char *o)
{
    size_t k = 0;
    for (int i = 0; i < 4; i++) {
        if (i)
            o[k++] = '.';
        k += put_dec(o + k, a[i]);
    }
    return k;
}

/* The longest run (>= 2) of zero groups, first on ties; *len 0 when none. */
static int zero_run(const uint16_t *w, int *len)
{
    int best = -1, best_len = 0, cur = -1, cur_len = 0;
    for (int i = 0; i < IP6_GROUPS; i++) {
        if (w[i] != 0) {
            cur = -1;
            cur_len = 0;
            continue;
        }
        if (cur < 0)
            cur = i;
        cur_len++;
        if (cur_len > best_len) {
            best = cur;
            best_len = cur_len;
        }
    }
    *len = best_len >= 2 ? best_len : 0;
    return best_len >= 2 ? best : -1;
}

static size_t fmt_v6(const uint8_t *a, char *o)
{
    uint16_t w[IP6_GROUPS];
    for (int i = 0; i < IP6_GROUPS; i++)
        w[i] = (uint16_t)((a[2 * i] << 8) | a[2 * i + 1]);
    if (!w[0] && !w[1] && !w[2] && !w[3] && !w[4] && w[5] == 0xffff) {
        memcpy(o, "::ffff:", 7); /* IPv4-mapped: mixed notation (RFC 5952 §5) */
        return 7 + fmt_v4(a + 12, o + 7);
    }
    int run_len;
    int run = zero_run(w, &run_len);
    size_t k = 0;
    for (int i = 0; i < IP6_GROUPS; i++) {
        if (i == run) {
            o[k++] = ':';
            o[k++] = ':';
            i += run_len - 1;
            continue;
        }
        if (k > 0 && o[k - 1] != ':')
            o[k++] = ':';
        k += put_hex16(o + k, w[i]);
    }
    return k;
}

/* Copies len bytes of t into buf (size n) NUL-terminated, cut to fit; returns bytes written. */
static size_t copy_out(const char *t, size_t len, char *buf, size_t n)
{
    if (n == 0)
        return 0;
    if (len > n - 1)
        len = n - 1;
    memcpy(buf, t, len);
    buf[len] = '\0';
    return len;
}

static size_t addr_text(const struct net_addr *a, char *o)
{
    if (a->family == 4)
        return fmt_v4(a->a, o);
    if (a->family == 6)
        return fmt_v6(a->a, o);
    o[0] = '-';
    return 1;
}

size_t net_addr_fmt(const struct net_addr *a, char *buf, size_t n)
{
    char t[ADDR_TEXT_MAX];
    return copy_out(t, addr_text(a, t), buf, n);
}

size_t net_endpoint_fmt(const struct net_endpoint *e, char *buf, size_t n)
{
    char t[ADDR_TEXT_MAX];
    size_t k = 0;
    bool v6 = e->addr.family == 6;
    if (v6)
        t[k++] = '[';
    k += addr_text(&e->addr, t + k);
    if (v6)
        t[k++] = ']';
    t[k++] = ':';
    k += put_dec(t + k, e->port);
    return copy_out(t, k, buf, n);
}

/* Parses dotted-quad IPv4 filling all of s (no leading zeros, like inet_pton). */
static bool parse_v4(struct slice s, uint8_t *out)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (i >= s.len || s.p[i] != '.')
                return false;
            i++;
        }
        unsigned v = 0;
        size_t start = i;
        while (i < s.len && i - start < 3 && s.p[i] >= '0' && s.p[i] <= '9')
            v = v * 10 + (unsigned)(s.p[i++] - '0');
        size_t nd = i - start;
        if (nd == 0 || v > 255 || (nd > 1 && s.p[start] == '0'))
            return false;
        out[part] = (uint8_t)v;
    }
    return i == s.len;
}

static int hex_val(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads up to 4 hex digits at s[*i]; returns the digit count (0: none). */
static size_t hex_group(struct slice s, size_t *i, unsigned *v)
{
    size_t nd = 0;
    *v = 0;
    while (*i < s.len && nd < 4 && hex_val(s.p[*i]) >= 0) {
        *v = *v * 16 + (unsigned)hex_val(s.p[*i]);
        (*i)++;
        nd++;
    }
    return nd;
}

/* Expands the groups around a "::" at position gap into all 8 (gap < 0: none allowed). */
static bool v6_expand(uint16_t *w, int ng, int gap, uint8_t *out)
{
    if (gap < 0 ? ng != IP6_GROUPS : ng >= IP6_GROUPS)
        return false;
    uint16_t full[IP6_GROUPS] = {0};
    int tail = gap < 0 ? 0 : ng - gap;
    int head = ng - tail;
    for (int i = 0; i < head; i++)
        full[i] = w[i];
    for (int i = 0; i < tail; i++)
        full[IP6_GROUPS - tail + i] = w[head + i];
    for (int i = 0; i < IP6_GROUPS; i++) {
        out[2 * i] = (uint8_t)(full[i] >> 8);
        out[2 * i + 1] = (uint8_t)full[i];
    }
    return true;
}

/* Parses an IPv6 address filling all of s: hex groups, at most one "::", an IPv4 tail. */
static bool parse_v6(struct slice s, uint8_t *out)
{
    uint16_t w[IP6_GROUPS];
    int ng = 0, gap = -1;
    size_t i = 0;
    if (s.len >= 2 && s.p[0] == ':' && s.p[1] == ':') {
        gap = 0;
        i = 2;
    }
    while (i < s.len) {
        size_t start = i;
        unsigned v;
        size_t nd = hex_group(s, &i, &v);
        if (ng >= IP6_GROUPS || nd == 0)
            return false;
        if (i < s.len && s.p[i] == '.') {
            uint8_t q[4];
            if (ng > IP6_GROUPS - 2 || !parse_v4(slice_sub(s, start, s.len), q))
                return false;
            w[ng++] = (uint16_t)((q[0] << 8) | q[1]);
            w[ng++] = (uint16_t)((q[2] << 8) | q[3]);
            break;
        }
        w[ng++] = (uint16_t)v;
        if (i == s.len)
            break;
        if (s.p[i] != ':' || i + 1 == s.len)
            return false;
        i++;
        if (s.p[i] == ':') {
            if (gap >= 0)
                return false;
            gap = ng;
            i++;
        }
    }
    return v6_expand(w, ng, gap, out);
}

bool net_addr_parse(struct slice s, struct net_addr *out)
{
    struct net_addr a = {0};
    if (s.len >= 2 && s.p[0] == '[' && s.p[s.len - 1] == ']')
        s = slice_sub(s, 1, s.len - 2);
    if (s.len == 0 || s.len > ADDR_TEXT_MAX)
        return false;
    if (slice_chr(s, ':') == s.len) {
        if (s.len > IP4_TEXT_MAX || !parse_v4(s, a.a))
            return false;
        a.family = 4;
    } else {
        if (!parse_v6(s, a.a))
            return false;
        a.family = 6;
    }
    *out = a;
    return true;
}
