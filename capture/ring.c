/* ring.c: SPSC byte ring of variable-length records (C11 §7.17 atomics: the producer publishes
 * `head` with release, the consumer publishes `tail` with release; each side caches the other's
 * index and reloads it with acquire only when its cached view says the ring is full/empty). */
#include "capture/ring.h"

#include <stdlib.h>
#include <string.h>

#define CACHE_LINE 64
#define PAD_MARK   UINT32_MAX /* hdr.n of a padding record that fills the ring's end */
#define MAX_SIZE   ((size_t)1 << 30)

struct rec_hdr {
    uint32_t total; /* bytes of the record, header and alignment included */
    uint32_t n;     /* payload bytes, or PAD_MARK */
};

struct ring {
    _Alignas(CACHE_LINE) _Atomic uint64_t head; /* next byte to write; producer stores */
    uint64_t phead;                             /* producer: head as last published */
    uint64_t pend;                              /* producer: head after the reserved record */
    uint64_t tail_cache;                        /* producer: last tail seen */
    _Atomic uint64_t drops;
    _Alignas(CACHE_LINE) _Atomic uint64_t tail; /* next byte to read; consumer stores */
    uint64_t ctail;                             /* consumer: tail as it will be published */
    uint64_t ctotal;                            /* consumer: size of the peeked record */
    uint64_t head_cache;                        /* consumer: last head seen */
    _Alignas(CACHE_LINE) uint8_t *buf;          /* read-only after ring_new */
    size_t cap, mask, max_rec;
};

_Static_assert(sizeof(struct rec_hdr) == RING_HDR, "record header size");

static size_t align_up(size_t n)
{
    return (n + RING_ALIGN - 1) & ~(size_t)(RING_ALIGN - 1);
}

struct ring *ring_new(size_t size)
{
    size_t cap = RING_MIN_SIZE;
    while (cap < size && cap < MAX_SIZE)
        cap <<= 1;
    size_t sz = (sizeof(struct ring) + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
    struct ring *r = aligned_alloc(CACHE_LINE, sz);
    uint8_t *buf = aligned_alloc(CACHE_LINE, cap);
    if (!r || !buf)
        abort();
    memset(r, 0, sz);
    memset(buf, 0, cap); /* fault the pages in now, not in the capture thread's hot path */
    r->buf = buf;
    r->cap = cap;
    r->mask = cap - 1;
    r->max_rec = cap / 4 - RING_HDR;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    atomic_init(&r->drops, 0);
    return r;
}

void ring_free(struct ring *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r);
}

size_t ring_capacity(const struct ring *r)
{
    return r->cap;
}

size_t ring_max_record(const struct ring *r)
{
    return r->max_rec;
}

static void *refuse(struct ring *r)
{
    atomic_fetch_add_explicit(&r->drops, 1, memory_order_relaxed);
    return NULL;
}

static void put_hdr(struct ring *r, uint64_t at, uint32_t total, uint32_t n)
{
    struct rec_hdr h = {total, n};
    memcpy(r->buf + (at & r->mask), &h, sizeof h);
}

void *ring_reserve(struct ring *r, size_t n)
{
    if (n > r->max_rec)
        return refuse(r);
    size_t total = align_up(RING_HDR + n);
    uint64_t h = r->phead;
    size_t contig = r->cap - (size_t)(h & r->mask);
    size_t need = total + (total > contig ? contig : 0);
    if (r->cap - (size_t)(h - r->tail_cache) < need) {
        r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (r->cap - (size_t)(h - r->tail_cache) < need)
            return refuse(r);
    }
    if (total > contig) {
        put_hdr(r, h, (uint32_t)contig, PAD_MARK);
        h += contig;
    }
    put_hdr(r, h, (uint32_t)total, (uint32_t)n);
    r->pend = h + total;
    return r->buf + (h & r->mask) + RING_HDR;
}

void ring_commit(struct ring *r)
{
    r->phead = r->pend;
    atomic_store_explicit(&r->head, r->pend, memory_order_release);
}

const void *ring_peek(struct ring *r, size_t *n)
{
    for (;;) {
        if (r->ctail == r->head_cache) {
            r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
            if (r->ctail == r->head_cache)
                return NULL;
        }
        struct rec_hdr h;
        memcpy(&h, r->buf + (r->ctail & r->mask), sizeof h);
        if (h.n != PAD_MARK) {
            r->ctotal = h.total;
            *n = h.n;
            return r->buf + (r->ctail & r->mask) + RING_HDR;
        }
        r->ctail += h.total;
        atomic_store_explicit(&r->tail, r->ctail, memory_order_release);
    }
}

void ring_release(struct ring *r)
{
    r->ctail += r->ctotal;
    r->ctotal = 0;
    atomic_store_explicit(&r->tail, r->ctail, memory_order_release);
}

uint64_t ring_drops(const struct ring *r)
{
    return atomic_load_explicit(&r->drops, memory_order_relaxed);
}

size_t ring_used(const struct ring *r)
{
    uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    return h > t ? (size_t)(h - t) : 0;
}
