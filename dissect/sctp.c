/* sctp.c: SCTP packets (RFC 9260 §3: common header, chunk walk with 4-byte padding), DATA chunks
 * (§3.3.1: TSN, stream, SSN, PPID; B/E/U flags) and I-DATA chunks (RFC 8260 §2.1: MID, PPID or
 * FSN). Whole user messages are delivered zero-copy; fragmented ones are collected per
 * (addresses, ports, verification tag, stream, U flag[, MID]) and delivered once the fragments
 * from B to E have contiguous TSNs (DATA) or FSNs (I-DATA). Every table is bounded. */
#include "dissect/sctp.h"
#include "dissect/cur.h"
#include "dissect/banned.h"

#define SCTP_HDR_LEN   12
#define SCTP_CHUNK_HDR 4
#define SCTP_DATA      0
#define SCTP_IDATA     64
#define SCTP_DATA_HDR  16
#define SCTP_IDATA_HDR 20
#define SCTP_FLAG_E    0x01u
#define SCTP_FLAG_B    0x02u
#define SCTP_FLAG_U    0x04u

struct sctp_frag {
    uint32_t seq; /* TSN (DATA) or FSN (I-DATA) */
    bool first, last;
    size_t len;
    uint8_t *data;
};

/* One user message under reassembly. */
struct sctp_partial {
    struct net_endpoint src, dst;
    uint32_t vtag, mid;
    uint16_t sid;
    bool unordered, idata;
    int64_t last_ns;
    size_t bytes;
    unsigned nfrags;
    struct sctp_frag frags[SCTP_MAX_FRAGS]; /* sorted by seq */
};

struct sctp_table {
    struct net_stats *st;
    struct sctp_partial *p[SCTP_MAX_PARTIAL];
    unsigned n;
};

/* What a DATA or I-DATA chunk says about its user data. */
struct sctp_chunk {
    uint32_t vtag, tsn, mid, seq;
    uint16_t sid;
    uint8_t flags;
    bool idata;
    struct slice data;
};

struct sctp_table *sctp_table_new(struct net_stats *st)
{
    struct sctp_table *t = net_xcalloc(1, sizeof *t);
    t->st = st;
    return t;
}

static void partial_free(struct sctp_partial *p)
{
    for (unsigned i = 0; i < p->nfrags; i++)
        free(p->frags[i].data);
    free(p);
}

/* Removes partial i from the table (the last one takes its place). */
static void drop(struct sctp_table *t, unsigned i)
{
    partial_free(t->p[i]);
    t->p[i] = t->p[--t->n];
}

void sctp_table_free(struct sctp_table *t)
{
    if (!t)
        return;
    while (t->n)
        drop(t, t->n - 1);
    free(t);
}

void sctp_expire(struct sctp_table *t, int64_t now_ns)
{
    for (unsigned i = 0; i < t->n;) {
        if (net_older(t->p[i]->last_ns, now_ns, (int64_t)SCTP_TIMEOUT_MS * 1000000))
            drop(t, i);
        else
            i++;
    }
}

static bool ep_eq(const struct net_endpoint *a, const struct net_endpoint *b)
{
    return a->port == b->port && a->addr.family == b->addr.family &&
           memcmp(a->addr.a, b->addr.a, sizeof a->addr.a) == 0;
}

static bool same_msg(const struct sctp_partial *p, const struct ip_pkt *ip,
                     const struct sctp_chunk *c)
{
    return p->vtag == c->vtag && p->sid == c->sid && p->idata == c->idata &&
           p->unordered == ((c->flags & SCTP_FLAG_U) != 0) && (!c->idata || p->mid == c->mid) &&
           ep_eq(&p->src, &ip->src) && ep_eq(&p->dst, &ip->dst);
}

/* Serial-number order (RFC 1982): true when a comes before b. */
static bool seq_lt(uint32_t a, uint32_t b)
{
    return a != b && (uint32_t)(a - b) > 0x7fffffffu;
}

/* The partial message c belongs to, made when absent (the oldest goes when the table is full). */
static struct sctp_partial *find(struct sctp_table *t, const struct ip_pkt *ip,
                                 const struct sctp_chunk *c, int64_t now)
{
    for (unsigned i = 0; i < t->n; i++) {
        if (same_msg(t->p[i], ip, c))
            return t->p[i];
    }
    if (t->n == SCTP_MAX_PARTIAL) {
        unsigned old = 0;
        for (unsigned i = 1; i < t->n; i++) {
            if (t->p[i]->last_ns < t->p[old]->last_ns)
                old = i;
        }
        drop(t, old);
        t->st->sctp_evicted++;
    }
    struct sctp_partial *p = net_xcalloc(1, sizeof *p);
    p->src = ip->src;
    p->dst = ip->dst;
    p->vtag = c->vtag;
    p->sid = c->sid;
    p->mid = c->mid;
    p->idata = c->idata;
    p->unordered = (c->flags & SCTP_FLAG_U) != 0;
    p->last_ns = now;
    t->p[t->n++] = p;
    return p;
}

/* Inserts a copy of c's data in seq order; false when it cannot be held (dropped). */
static bool add_frag(struct sctp_partial *p, const struct sctp_chunk *c)
{
    unsigned at = p->nfrags;
    while (at > 0 && seq_lt(c->seq, p->frags[at - 1].seq))
        at--;
    if (at > 0 && p->frags[at - 1].seq == c->seq)
        return true; /* a retransmission */
    if (p->nfrags == SCTP_MAX_FRAGS || c->data.len > SCTP_MAX_MSG_BYTES - p->bytes)
        return false;
    memmove(&p->frags[at + 1], &p->frags[at], (p->nfrags - at) * sizeof p->frags[0]);
    struct sctp_frag *f = &p->frags[at];
    f->seq = c->seq;
    f->first = (c->flags & SCTP_FLAG_B) != 0;
    f->last = (c->flags & SCTP_FLAG_E) != 0;
    f->len = c->data.len;
    f->data = net_xrealloc(NULL, c->data.len);
    memcpy(f->data, c->data.p, c->data.len);
    p->nfrags++;
    p->bytes += c->data.len;
    return true;
}

/* True when the fragments run from a B to an E with no hole. */
static bool complete(const struct sctp_partial *p)
{
    if (p->nfrags < 2 || !p->frags[0].first || !p->frags[p->nfrags - 1].last)
        return false;
    for (unsigned i = 1; i < p->nfrags; i++) {
        if (p->frags[i].seq != p->frags[i - 1].seq + 1 || p->frags[i].first || p->frags[i - 1].last)
            return false;
    }
    return true;
}

/* Adds a fragment; delivers and forgets the message when it is complete. */
static void reassemble(struct net_ctx *n, struct sctp_table *t, struct ip_pkt *ip,
                       const struct sctp_chunk *c)
{
    struct sctp_partial *p = find(t, ip, c, n->f->ts_ns);
    p->last_ns = n->f->ts_ns;
    if ((c->flags & SCTP_FLAG_B) && p->nfrags && p->frags[0].first && p->frags[0].seq != c->seq) {
        for (unsigned i = 0; i < p->nfrags; i++) /* a new message: the old one lost a piece */
            free(p->frags[i].data);
        p->nfrags = 0;
        p->bytes = 0;
    }
    if (!add_frag(p, c) || !complete(p)) {
        return;
    }
    uint8_t *buf = net_xrealloc(NULL, p->bytes);
    size_t off = 0;
    for (unsigned i = 0; i < p->nfrags; i++) {
        memcpy(buf + off, p->frags[i].data, p->frags[i].len);
        off += p->frags[i].len;
    }
    for (unsigned i = 0; i < t->n; i++) {
        if (t->p[i] == p) {
            drop(t, i);
            break;
        }
    }
    n->st.sctp_reassembled++;
    net_emit(n, ip, NET_T_SCTP, slice_make(buf, off), true, false);
    free(buf);
}

/* Reads a DATA or I-DATA chunk body (after the 4-byte chunk header) into *c. */
static enum dis_result data_chunk(uint8_t type, uint8_t flags, struct slice body,
                                  struct sctp_chunk *c)
{
    struct cur k = cur_of(body);
    c->flags = flags;
    c->idata = type == SCTP_IDATA;
    c->tsn = cur_be32(&k);
    c->sid = cur_be16(&k);
    if (c->idata) {
        cur_skip(&k, 2);
        c->mid = cur_be32(&k);
        uint32_t ppid_or_fsn = cur_be32(&k);
        c->seq = (flags & SCTP_FLAG_B) ? 0 : ppid_or_fsn;
    } else {
        cur_skip(&k, 2 + 4); /* SSN, PPID */
        c->mid = 0;
        c->seq = c->tsn;
    }
    if (k.err)
        return DIS_BAD;
    c->data = cur_rest(&k);
    return c->data.len ? DIS_OK : DIS_BAD;
}

/* One chunk: DATA/I-DATA are handled, every other chunk type is skipped. */
static enum dis_result chunk(struct net_ctx *n, struct ip_pkt *ip, uint32_t vtag, uint8_t type,
                             uint8_t flags, struct slice body, bool cut)
{
    if (type != SCTP_DATA && type != SCTP_IDATA)
        return DIS_OK;
    struct sctp_chunk c = {.vtag = vtag};
    enum dis_result r = data_chunk(type, flags, body, &c);
    if (r != DIS_OK)
        return cut ? DIS_TRUNC : r;
    n->st.sctp_data++;
    if ((flags & (SCTP_FLAG_B | SCTP_FLAG_E)) == (SCTP_FLAG_B | SCTP_FLAG_E)) {
        net_emit(n, ip, NET_T_SCTP, c.data, ip->reassembled, cut);
        return DIS_OK;
    }
    if (cut)
        return DIS_TRUNC;
    reassemble(n, n->sctp, ip, &c);
    return DIS_OK;
}

enum dis_result sctp_input(struct net_ctx *n, struct ip_pkt *ip)
{
    struct cur c = cur_of(ip->payload);
    ip->src.port = cur_be16(&c);
    ip->dst.port = cur_be16(&c);
    uint32_t vtag = cur_be32(&c);
    cur_skip(&c, 4); /* CRC32c, not verified (Wireshark does not by default either) */
    if (c.err)
        return ip->declared < SCTP_HDR_LEN ? DIS_BAD : DIS_TRUNC;
    n->st.sctp++;
    for (unsigned i = 0; i < SCTP_MAX_CHUNKS && cur_left(&c) > 0; i++) {
        uint8_t type = cur_u8(&c);
        uint8_t flags = cur_u8(&c);
        size_t len = cur_be16(&c);
        if (c.err)
            return DIS_TRUNC;
        if (len < SCTP_CHUNK_HDR)
            return DIS_BAD;
        size_t want = len - SCTP_CHUNK_HDR;
        bool cut = want > cur_left(&c);
        if (cut && !ip->truncated)
            return DIS_BAD; /* the chunk claims more than the packet holds */
        struct slice body = cur_take(&c, cut ? cur_left(&c) : want);
        enum dis_result r = chunk(n, ip, vtag, type, flags, body, cut);
        if (r != DIS_OK)
            return r;
        if (cut)
            return DIS_TRUNC;
        size_t pad = (4 - (len & 3)) & 3;
        cur_skip(&c, pad < cur_left(&c) ? pad : cur_left(&c));
    }
    return DIS_OK;
}
