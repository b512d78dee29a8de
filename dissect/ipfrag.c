/* ipfrag.c: IPv4/IPv6 fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5; overlaps tolerated, later
 * bytes win): a chained hash of datagrams keyed by (src, dst, id[, proto]) plus an age list. */
#include "dissect/ipfrag.h"
#include "dissect/banned.h"

#define IPFRAG_BUF_ROUND   2048u /* buffers grow in steps of this */
#define IPFRAG_MIN_BUCKETS 64u
#define IPFRAG_MAX_BUCKETS (1u << 20)
#define NS_PER_MS          1000000

struct frag_key {
    uint8_t family;
    uint8_t proto; /* IPv4 only; 0 for IPv6 */
    uint32_t id;
    uint8_t src[16];
    uint8_t dst[16];
};

struct frag_span {
    uint32_t lo, hi; /* received bytes [lo, hi) */
};

struct frag_dgram {
    struct frag_dgram *hnext; /* hash chain */
    struct frag_dgram *older; /* age list */
    struct frag_dgram *newer;
    struct frag_key key;
    uint32_t hash;
    uint8_t l4;       /* upper protocol, from the fragment at offset 0 */
    bool total_known; /* the last fragment (no MF) was seen */
    uint32_t total;   /* payload length, once total_known */
    int64_t first_ns; /* when the first fragment arrived */
    uint8_t *buf;
    size_t cap;
    unsigned nspans;
    struct frag_span span[IPFRAG_MAX_SPANS];
};

struct ipfrag {
    size_t max_bytes;
    unsigned max_dgrams;
    int64_t timeout_ns;
    struct net_stats *st;
    struct frag_dgram **bucket;
    size_t mask;
    struct frag_dgram *oldest;
    struct frag_dgram *newest;
    struct frag_dgram *spare; /* recycled nodes, linked by hnext */
    unsigned count;
    size_t bytes;  /* sum of the buffers' capacities */
    uint8_t *done; /* the last completed datagram, valid until the next call */
};

struct ipfrag *ipfrag_new(const struct net_limits *lim, struct net_stats *st)
{
    struct ipfrag *t = net_xcalloc(1, sizeof *t);
    t->max_bytes = lim->frag_max_bytes;
    t->max_dgrams = lim->frag_max_datagrams ? lim->frag_max_datagrams : 1;
    t->timeout_ns = (int64_t)lim->frag_timeout_ms * NS_PER_MS;
    t->st = st;
    size_t nb = IPFRAG_MIN_BUCKETS;
    while (nb < t->max_dgrams && nb < IPFRAG_MAX_BUCKETS)
        nb *= 2;
    t->bucket = net_xcalloc(nb, sizeof *t->bucket);
    t->mask = nb - 1;
    return t;
}

/* Unlinks d from its chain and the age list, frees its buffer and recycles the node. */
static void dgram_drop(struct ipfrag *t, struct frag_dgram *d)
{
    struct frag_dgram **pp = &t->bucket[d->hash & t->mask];
    while (*pp != d)
        pp = &(*pp)->hnext;
    *pp = d->hnext;
    if (d->older)
        d->older->newer = d->newer;
    else
        t->oldest = d->newer;
    if (d->newer)
        d->newer->older = d->older;
    else
        t->newest = d->older;
    t->bytes -= d->cap;
    t->count--;
    free(d->buf);
    d->buf = NULL;
    d->cap = 0;
    d->hnext = t->spare;
    t->spare = d;
}

void ipfrag_free(struct ipfrag *t)
{
    if (!t)
        return;
    while (t->oldest)
        dgram_drop(t, t->oldest);
    while (t->spare) {
        struct frag_dgram *d = t->spare;
        t->spare = d->hnext;
        free(d);
    }
    free(t->done);
    free(t->bucket);
    free(t);
}

static struct frag_key make_key(const struct ip_pkt *ip)
{
    struct frag_key k;
    memset(&k, 0, sizeof k); /* padding too: the key is hashed as bytes */
    k.family = ip->src.addr.family;
    k.proto = k.family == 4 ? ip->proto : 0;
    k.id = ip->frag_id;
    memcpy(k.src, ip->src.addr.a, sizeof k.src);
    memcpy(k.dst, ip->dst.addr.a, sizeof k.dst);
    return k;
}

static bool key_eq(const struct frag_key *a, const struct frag_key *b)
{
    return a->family == b->family && a->proto == b->proto && a->id == b->id &&
           memcmp(a->src, b->src, sizeof a->src) == 0 && memcmp(a->dst, b->dst, sizeof a->dst) == 0;
}

/* Finds the datagram of k, creating it (evicting the oldest at the count bound) when absent. */
static struct frag_dgram *dgram_get(struct ipfrag *t, const struct frag_key *k, int64_t now_ns)
{
    uint32_t h = net_hash_bytes((const uint8_t *)k, sizeof *k, 0x9e3779b9u);
    for (struct frag_dgram *d = t->bucket[h & t->mask]; d; d = d->hnext) {
        if (d->hash == h && key_eq(&d->key, k))
            return d;
    }
    if (t->count >= t->max_dgrams && t->oldest) {
        dgram_drop(t, t->oldest);
        t->st->frag_evicted++;
    }
    struct frag_dgram *d = t->spare;
    if (d)
        t->spare = d->hnext;
    else
        d = net_xcalloc(1, sizeof *d);
    memset(d, 0, sizeof *d);
    d->key = *k;
    d->hash = h;
    d->first_ns = now_ns;
    d->hnext = t->bucket[h & t->mask];
    t->bucket[h & t->mask] = d;
    d->older = t->newest;
    if (t->newest)
        t->newest->newer = d;
    else
        t->oldest = d;
    t->newest = d;
    t->count++;
    return d;
}

/* Grows d's buffer to hold need bytes, evicting other datagrams (oldest first) to stay within
 * frag_max_bytes. Returns false when it cannot. */
static bool dgram_reserve(struct ipfrag *t, struct frag_dgram *d, size_t need)
{
    if (need <= d->cap)
        return true;
    size_t cap = (need + IPFRAG_BUF_ROUND - 1) / IPFRAG_BUF_ROUND * IPFRAG_BUF_ROUND;
    size_t grow = cap - d->cap;
    while (t->bytes > t->max_bytes || grow > t->max_bytes - t->bytes) {
        struct frag_dgram *victim = t->oldest == d ? d->newer : t->oldest;
        if (!victim)
            return false;
        dgram_drop(t, victim);
        t->st->frag_evicted++;
    }
    d->buf = net_xrealloc(d->buf, cap);
    d->cap = cap;
    t->bytes += grow;
    return true;
}

/* Records [lo, hi) as received, merging with overlapping or adjacent spans. Returns false when
 * the datagram has too many holes. */
static bool span_add(struct frag_dgram *d, uint32_t lo, uint32_t hi)
{
    unsigned i = 0;
    while (i < d->nspans && d->span[i].hi < lo)
        i++;
    unsigned j = i;
    while (j < d->nspans && d->span[j].lo <= hi) {
        lo = d->span[j].lo < lo ? d->span[j].lo : lo;
        hi = d->span[j].hi > hi ? d->span[j].hi : hi;
        j++;
    }
    if (i == j) {
        if (d->nspans == IPFRAG_MAX_SPANS)
            return false;
        memmove(&d->span[i + 1], &d->span[i], (d->nspans - i) * sizeof d->span[0]);
        d->nspans++;
    } else {
        memmove(&d->span[i + 1], &d->span[j], (d->nspans - j) * sizeof d->span[0]);
        d->nspans -= j - i - 1;
    }
    d->span[i] = (struct frag_span){lo, hi};
    return true;
}

static bool dgram_complete(const struct frag_dgram *d)
{
    if (!d->total_known)
        return false;
    if (d->total == 0)
        return true;
    return d->nspans == 1 && d->span[0].lo == 0 && d->span[0].hi == d->total;
}

/* Turns the complete datagram d into *ip and releases its node; the buffer moves to t->done. */
static void dgram_finish(struct ipfrag *t, struct frag_dgram *d, struct ip_pkt *ip)
{
    free(t->done);
    t->done = d->buf;
    d->buf = NULL;
    ip->payload = slice_make(t->done, d->total);
    ip->declared = d->total;
    ip->proto = d->l4;
    ip->is_frag = false;
    ip->more_frags = false;
    ip->frag_off = 0;
    ip->truncated = false;
    ip->reassembled = true;
    dgram_drop(t, d);
    t->st->frag_datagrams++;
}

/* Stores the fragment's bytes in d. Returns false when d had to be dropped. */
static bool dgram_store(struct ipfrag *t, struct frag_dgram *d, const struct ip_pkt *ip,
                        uint32_t lo, uint32_t hi)
{
    if (!ip->more_frags) {
        if (d->total_known && d->total != hi) {
            t->st->bad++; /* two different last fragments */
            return false;
        }
        d->total_known = true;
        d->total = hi;
    }
    if (d->total_known && (hi > d->total || (d->nspans && d->span[d->nspans - 1].hi > d->total))) {
        t->st->bad++; /* bytes beyond the end */
        return false;
    }
    if (lo == 0)
        d->l4 = ip->proto;
    if (hi == lo)
        return true;
    if (!dgram_reserve(t, d, hi) || !span_add(d, lo, hi)) {
        t->st->frag_evicted++;
        return false;
    }
    memcpy(d->buf + lo, ip->payload.p, hi - lo);
    return true;
}

static bool frag_add(struct ipfrag *t, struct ip_pkt *ip, int64_t now_ns)
{
    size_t len = ip->payload.len;
    if (ip->frag_off > IPFRAG_MAX_DGRAM || len > IPFRAG_MAX_DGRAM - ip->frag_off) {
        t->st->bad++;
        return false;
    }
    uint32_t lo = ip->frag_off;
    uint32_t hi = lo + (uint32_t)len;
    struct frag_key k = make_key(ip);
    struct frag_dgram *d = dgram_get(t, &k, now_ns);
    if (!dgram_store(t, d, ip, lo, hi)) {
        dgram_drop(t, d);
        return false;
    }
    if (!dgram_complete(d))
        return false;
    dgram_finish(t, d, ip);
    return true;
}

bool ipfrag_add(struct ipfrag *t, struct ip_pkt *ip, int64_t now_ns)
{
    t->st->frags++;
    /* the last completed datagram may hold this fragment (a fragment inside a tunnel packet that
     * was itself reassembled): free it only after the fragment is copied */
    uint8_t *prev = t->done;
    t->done = NULL;
    bool done = frag_add(t, ip, now_ns);
    free(prev);
    return done;
}

void ipfrag_expire(struct ipfrag *t, int64_t now_ns)
{
    while (t->oldest && net_older(t->oldest->first_ns, now_ns, t->timeout_ns)) {
        dgram_drop(t, t->oldest);
        t->st->frag_timeouts++;
    }
}
