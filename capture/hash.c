/* hash.c: streaming 128-bit content hash: two 64-bit multiply-xorshift lanes over 16-byte blocks.
 */
#include "capture/hash.h"

#include <stdio.h>
#include <string.h>

#define K1 0x9E3779B97F4A7C15ull
#define K2 0xC2B2AE3D27D4EB4Full

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint64_t mix(uint64_t h, uint64_t v, uint64_t k)
{
    h ^= v * k;
    h = (h << 31) | (h >> 33);
    h *= K1 ^ k;
    return h;
}

static void block(struct chash *h, const uint8_t *p)
{
    h->h1 = mix(h->h1, rd64(p), K2);
    h->h2 = mix(h->h2, rd64(p + 8), K1);
}

void chash_init(struct chash *h)
{
    memset(h, 0, sizeof *h);
    h->h1 = 0x6A09E667F3BCC908ull;
    h->h2 = 0xBB67AE8584CAA73Bull;
}

void chash_update(struct chash *h, const void *data, size_t n)
{
    const uint8_t *p = data;
    h->total += n;
    if (h->ntail > 0) {
        size_t take = 16 - h->ntail;
        if (take > n)
            take = n;
        memcpy(h->tail + h->ntail, p, take);
        h->ntail += take;
        p += take;
        n -= take;
        if (h->ntail < 16)
            return;
        block(h, h->tail);
        h->ntail = 0;
    }
    while (n >= 16) {
        block(h, p);
        p += 16;
        n -= 16;
    }
    memcpy(h->tail, p, n);
    h->ntail = n;
}

static uint64_t fmix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}

void chash_hex(const struct chash *h, char out[33])
{
    struct chash c = *h;
    uint8_t last[16] = {0};
    memcpy(last, c.tail, c.ntail);
    block(&c, last);
    uint64_t a = fmix(c.h1 ^ c.total);
    uint64_t b = fmix(c.h2 ^ (c.total * K1) ^ a);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}
