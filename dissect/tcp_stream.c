/* tcp_stream.c: the TCP stream-direction table (RFC 9293 §3.4): chained hash with recycled nodes,
 * an LRU list for eviction and idle expiry, per-stream buffers and out-of-order queues. */
#include "dissect/tcp_stream.h"
#include "dissect/ws.h"
#include "dissect/banned.h"

#define TCP_MIN_BUCKETS 64u
#define TCP_MAX_BUCKETS (1u << 20)
#define TCP_BUF_MIN     2048u
#define NS_PER_MS       1000000

struct tcp_table {
    unsigned max_streams;
    size_t max_stream_bytes;
    size_t max_total_bytes;
    int64_t timeout_ns;
    struct net_stats *st;
    struct tcp_stream **bucket;
    size_t mask;
    struct tcp_stream *newest; /* LRU list: newest ... oldest */
    struct tcp_stream *oldest;
    struct tcp_stream *spare; /* recycled nodes, linked by hnext */
    unsigned count;
    size_t bytes; /* buffer capacities plus out-of-order segments */
};

struct tcp_table *tcp_table_new(const struct net_limits *lim, struct net_stats *st)
{
    struct tcp_table *t = net_xcalloc(1, sizeof *t);
    t->max_streams = lim->tcp_max_streams ? lim->tcp_max_streams : 1;
    t->max_stream_bytes = lim->tcp_max_stream_bytes;
    t->max_total_bytes = lim->tcp_max_total_bytes;
    t->timeout_ns = (int64_t)lim->tcp_timeout_ms * NS_PER_MS;
    t->st = st;
    size_t nb = TCP_MIN_BUCKETS;
    while (nb < t->max_streams && nb < TCP_MAX_BUCKETS)
        nb *= 2;
    t->bucket = net_xcalloc(nb, sizeof *t->bucket);
    t->mask = nb - 1;
    return t;
}

void tcp_table_free(struct tcp_table *t)
{
    if (!t)
        return;
    while (t->oldest)
        tcp_stream_close(t, t->oldest);
    while (t->spare) {
        struct tcp_stream *s = t->spare;
        t->spare = s->hnext;
        free(s);
    }
    free(t->bucket);
    free(t);
}

static void lru_unlink(struct tcp_table *t, struct tcp_stream *s)
{
    if (s->newer)
        s->newer->older = s->older;
    else
        t->newest = s->older;
    if (s->older)
        s->older->newer = s->newer;
    else
        t->oldest = s->newer;
}

static void lru_push(struct tcp_table *t, struct tcp_stream *s)
{
    s->newer = NULL;
    s->older = t->newest;
    if (t->newest)
        t->newest->newer = s;
    else
        t->oldest = s;
    t->newest = s;
}

static void ooo_clear(struct tcp_table *t, struct tcp_stream *s)
{
    while (s->ooo)
        tcp_stream_seg_free(tcp_stream_ooo_pop(t, s));
}

void tcp_stream_close(struct tcp_table *t, struct tcp_stream *s)
{
    struct tcp_stream **pp = &t->bucket[s->hash & t->mask];
    while (*pp != s)
        pp = &(*pp)->hnext;
    *pp = s->hnext;
    lru_unlink(t, s);
    ooo_clear(t, s);
    t->bytes -= s->cap;
    free(s->buf);
    s->buf = NULL;
    s->cap = 0;
    ws_stream_reset(s);
    t->count--;
    s->hnext = t->spare;
    t->spare = s;
}

static bool ep_eq(const struct net_endpoint *a, const struct net_endpoint *b)
{
    return a->port == b->port && a->addr.family == b->addr.family &&
           memcmp(a->addr.a, b->addr.a, sizeof a->addr.a) == 0;
}

static uint32_t ep_hash(const struct net_endpoint *src, const struct net_endpoint *dst)
{
    uint8_t k[40];
    memcpy(k, src->addr.a, 16);
    memcpy(k + 16, dst->addr.a, 16);
    k[32] = (uint8_t)(src->port >> 8);
    k[33] = (uint8_t)src->port;
    k[34] = (uint8_t)(dst->port >> 8);
    k[35] = (uint8_t)dst->port;
    k[36] = src->addr.family;
    k[37] = 0;
    k[38] = 0;
    k[39] = 0;
    return net_hash_bytes(k, sizeof k, 0x5bd1e995u);
}

/* Takes a node (recycled or new), registers it under hash h and at the LRU front. */
static struct tcp_stream *stream_new(struct tcp_table *t, uint32_t h)
{
    if (t->count >= t->max_streams && t->oldest) {
        tcp_stream_close(t, t->oldest);
        t->st->tcp_evicted++;
    }
    struct tcp_stream *s = t->spare;
    if (s)
        t->spare = s->hnext;
    else
        s = net_xcalloc(1, sizeof *s);
    memset(s, 0, sizeof *s);
    s->hash = h;
    s->hnext = t->bucket[h & t->mask];
    t->bucket[h & t->mask] = s;
    lru_push(t, s);
    t->count++;
    t->st->tcp_streams++;
    return s;
}

struct tcp_stream *tcp_stream_get(struct tcp_table *t, const struct net_endpoint *src,
                                  const struct net_endpoint *dst, int64_t now_ns, bool create)
{
    uint32_t h = ep_hash(src, dst);
    struct tcp_stream *s = t->bucket[h & t->mask];
    while (s && !(s->hash == h && ep_eq(&s->src, src) && ep_eq(&s->dst, dst)))
        s = s->hnext;
    if (s) {
        lru_unlink(t, s);
        lru_push(t, s);
    } else {
        if (!create)
            return NULL;
        s = stream_new(t, h);
        s->src = *src;
        s->dst = *dst;
    }
    s->last_ns = now_ns;
    return s;
}

/* Makes room for add more bytes in total by evicting least recently used streams other than s. */
static bool reserve(struct tcp_table *t, const struct tcp_stream *s, size_t add)
{
    while (t->bytes > t->max_total_bytes || add > t->max_total_bytes - t->bytes) {
        struct tcp_stream *victim = t->oldest == s ? s->newer : t->oldest;
        if (!victim)
            return false;
        tcp_stream_close(t, victim);
        t->st->tcp_evicted++;
    }
    return true;
}

/* Bytes s holds, compared against tcp_max_stream_bytes. */
static size_t held(const struct tcp_stream *s)
{
    return s->len + s->ooo_bytes;
}

bool tcp_stream_buf_append(struct tcp_table *t, struct tcp_stream *s, struct slice d)
{
    if (held(s) > t->max_stream_bytes || d.len > t->max_stream_bytes - held(s))
        return false;
    size_t need = s->len + d.len;
    if (need > s->cap) {
        size_t cap = s->cap ? s->cap : TCP_BUF_MIN;
        while (cap < need)
            cap *= 2;
        if (cap > t->max_stream_bytes)
            cap = need;
        if (!reserve(t, s, cap - s->cap))
            return false;
        s->buf = net_xrealloc(s->buf, cap);
        t->bytes += cap - s->cap;
        s->cap = cap;
    }
    if (d.len)
        memcpy(s->buf + s->len, d.p, d.len);
    s->len = need;
    return true;
}

void tcp_stream_buf_consume(struct tcp_table *t, struct tcp_stream *s, size_t n)
{
    if (n >= s->len) {
        s->len = 0;
    } else {
        memmove(s->buf, s->buf + n, s->len - n);
        s->len -= n;
    }
    if (s->len == 0 && s->cap > TCP_BUF_KEEP) {
        t->bytes -= s->cap;
        free(s->buf);
        s->buf = NULL;
        s->cap = 0;
    }
}

bool tcp_stream_ooo_add(struct tcp_table *t, struct tcp_stream *s, uint32_t seq, struct slice d)
{
    struct tcp_seg **pp = &s->ooo;
    while (*pp && tcp_seq_lt((*pp)->seq, seq))
        pp = &(*pp)->next;
    if (*pp && (*pp)->seq == seq && (*pp)->len >= d.len)
        return true; /* a copy we already hold */
    size_t size = sizeof(struct tcp_seg) + d.len;
    if (s->ooo_count >= TCP_MAX_OOO_SEGS || held(s) > t->max_stream_bytes ||
        d.len > t->max_stream_bytes - held(s) || d.len > UINT32_MAX || !reserve(t, s, size))
        return false;
    struct tcp_seg *g = net_xrealloc(NULL, size);
    g->seq = seq;
    g->len = (uint32_t)d.len;
    memcpy(g->data, d.p, d.len);
    if (!s->ooo)
        s->ooo_since_ns = s->last_ns;
    g->next = *pp;
    *pp = g;
    s->ooo_count++;
    s->ooo_bytes += d.len;
    t->bytes += size;
    return true;
}

struct tcp_seg *tcp_stream_ooo_pop(struct tcp_table *t, struct tcp_stream *s)
{
    struct tcp_seg *g = s->ooo;
    if (!g)
        return NULL;
    s->ooo = g->next;
    s->ooo_count--;
    s->ooo_bytes -= g->len;
    t->bytes -= sizeof(struct tcp_seg) + g->len;
    return g;
}

void tcp_stream_seg_free(struct tcp_seg *g)
{
    free(g);
}

void tcp_stream_expire(struct tcp_table *t, int64_t now_ns)
{
    while (t->oldest && net_older(t->oldest->last_ns, now_ns, t->timeout_ns))
        tcp_stream_close(t, t->oldest);
}
