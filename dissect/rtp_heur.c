/* rtp_heur.c: candidate RTP streams on flows no SDP announced (rtp_heur.h; RFC 3550 §5.1 and
 * Appendix A.1 probation, RFC 5761 §4). A fixed ring of slots (rtp_heur_new's size): a new
 * candidate takes the slot after the last one taken, evicting what is still there (the oldest
 * candidate); a hash of slot indexes finds a candidate by its key. */
#include "dissect/rtp_heur.h"

#include <stdlib.h>
#include <string.h>

#include "dissect/hash.h"
#include "dissect/banned.h"

#define HEUR_NONE UINT32_MAX

struct cand {
    bool used;
    struct net_endpoint src, dst;
    uint32_t ssrc;
    uint32_t next; /* hash chain (slot index) */
    uint8_t n;     /* packets held */
    struct rtp_heur_pkt pkt[RTP_HEUR_PROBATION];
};

struct rtp_heur {
    uint32_t ncand;   /* slots in c */
    uint32_t bmask;   /* buckets - 1 (a power of two >= ncand) */
    uint32_t *bucket; /* heads of the hash chains */
    uint32_t ring;    /* next slot to take */
    unsigned pending;
    struct rtp_heur_counters cnt;
    struct cand c[];
};

static bool ep_eq(const struct net_endpoint *a, const struct net_endpoint *b)
{
    return a->port == b->port && a->addr.family == b->addr.family &&
           memcmp(a->addr.a, b->addr.a, a->addr.family == 6 ? 16 : 4) == 0;
}

static uint32_t bucket_of(const struct rtp_heur *hr, const struct net_endpoint *src,
                          const struct net_endpoint *dst, uint32_t ssrc)
{
    uint64_t h =
        hash_endpoint(hash_endpoint(hash_fnv(HASH_FNV_OFFSET, &ssrc, sizeof ssrc), src), dst);
    return (uint32_t)(h & hr->bmask);
}

struct rtp_heur *rtp_heur_new(unsigned max_candidates)
{
    uint32_t n = max_candidates ? max_candidates : 1, nb = 1;
    if (n > RTP_HEUR_MAX_CANDIDATES)
        n = RTP_HEUR_MAX_CANDIDATES;
    while (nb < n)
        nb *= 2;
    struct rtp_heur *h = calloc(1, sizeof *h + (size_t)n * sizeof h->c[0]);
    uint32_t *bucket = malloc((size_t)nb * sizeof *bucket);
    if (!h || !bucket)
        abort();
    h->ncand = n;
    h->bmask = nb - 1;
    h->bucket = bucket;
    for (size_t i = 0; i < nb; i++)
        h->bucket[i] = HEUR_NONE;
    return h;
}

void rtp_heur_free(struct rtp_heur *h)
{
    if (h)
        free(h->bucket);
    free(h);
}

/* Takes slot i out of its hash chain and marks it free. */
static void drop(struct rtp_heur *h, uint32_t i)
{
    struct cand *c = &h->c[i];
    uint32_t *pp = &h->bucket[bucket_of(h, &c->src, &c->dst, c->ssrc)];
    while (*pp != HEUR_NONE && *pp != i)
        pp = &h->c[*pp].next;
    if (*pp == i)
        *pp = c->next;
    c->used = false;
    h->pending--;
}

static struct cand *take(struct rtp_heur *h, const struct net_endpoint *src,
                         const struct net_endpoint *dst, uint32_t ssrc)
{
    uint32_t i = h->ring;
    h->ring = (h->ring + 1) % h->ncand;
    if (h->c[i].used) {
        drop(h, i);
        h->cnt.evicted++;
    }
    struct cand *c = &h->c[i];
    memset(c, 0, sizeof *c);
    c->used = true;
    c->src = *src;
    c->dst = *dst;
    c->ssrc = ssrc;
    uint32_t b = bucket_of(h, src, dst, ssrc);
    c->next = h->bucket[b];
    h->bucket[b] = i;
    h->pending++;
    return c;
}

unsigned rtp_heur_feed(struct rtp_heur *h, const struct net_endpoint *src,
                       const struct net_endpoint *dst, uint32_t ssrc, const struct rtp_heur_pkt *p,
                       struct rtp_heur_pkt out[RTP_HEUR_PROBATION])
{
    uint32_t i = h->bucket[bucket_of(h, src, dst, ssrc)];
    while (i != HEUR_NONE &&
           !(h->c[i].ssrc == ssrc && ep_eq(&h->c[i].src, src) && ep_eq(&h->c[i].dst, dst)))
        i = h->c[i].next;
    struct cand *c;
    if (i == HEUR_NONE) {
        c = take(h, src, dst, ssrc);
        h->cnt.candidates++;
    } else {
        c = &h->c[i];
        if ((uint16_t)(c->pkt[c->n - 1].seq + 1) != p->seq) {
            c->n = 0; /* a break: start over from this packet */
            h->cnt.restarted++;
            h->cnt.candidates++;
        }
    }
    c->pkt[c->n++] = *p;
    if (c->n < RTP_HEUR_PROBATION)
        return 0;
    memcpy(out, c->pkt, sizeof c->pkt);
    drop(h, (uint32_t)(c - h->c));
    h->cnt.promoted++;
    return RTP_HEUR_PROBATION;
}

unsigned rtp_heur_pending(const struct rtp_heur *h)
{
    return h->pending;
}

const struct rtp_heur_counters *rtp_heur_counters(const struct rtp_heur *h)
{
    return &h->cnt;
}
