/* hash.h: a fast streaming 128-bit non-cryptographic content hash (identifies capture files). */
#ifndef SS_HASH_H
#define SS_HASH_H

#include <stddef.h>
#include <stdint.h>

struct chash {
    uint64_t h1, h2, total;
    uint8_t tail[16];
    size_t ntail;
};

void chash_init(struct chash *h);
void chash_update(struct chash *h, const void *data, size_t n);
/* Writes 32 hex chars + NUL; does not change h (can be called repeatedly). */
void chash_hex(const struct chash *h, char out[33]);

#endif
