/* hash: FNV-1a (64-bit) over bytes and over a network endpoint, for the hash tables of the
 * media flows, the heuristic RTP candidates and the collector's duplicate window. Not a
 * defence against chosen collisions: every table that uses it is bounded in size and chain
 * walks, so a flood of colliding keys costs time, never memory. */
#ifndef SIPSCOPE_DISSECT_HASH_H
#define SIPSCOPE_DISSECT_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "dissect/net.h"

#define HASH_FNV_OFFSET 1469598103934665603ull
#define HASH_FNV_PRIME  1099511628211ull

/* h continued over n bytes at p (start with HASH_FNV_OFFSET). */
static inline uint64_t hash_fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= HASH_FNV_PRIME;
    }
    return h;
}

/* h continued over an endpoint's address family, address and port. */
static inline uint64_t hash_endpoint(uint64_t h, const struct net_endpoint *e)
{
    h = hash_fnv(h, &e->addr.family, 1);
    h = hash_fnv(h, e->addr.a, e->addr.family == 6 ? 16 : 4);
    return hash_fnv(h, &e->port, sizeof e->port);
}

#endif
