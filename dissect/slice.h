/* slice.h: borrowed, bounded views into packet memory (never NUL-terminated). */
#ifndef SS_SLICE_H
#define SS_SLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A view of len bytes at p. Owns nothing; valid as long as the memory it points into. */
struct slice {
    const uint8_t *p;
    size_t len;
};

#define SLICE_NULL ((struct slice){NULL, 0})

static inline struct slice slice_make(const void *p, size_t len)
{
    return (struct slice){(const uint8_t *)p, len};
}

/* The bytes [off, off+n) of s, clamped to s. */
static inline struct slice slice_sub(struct slice s, size_t off, size_t n)
{
    if (off > s.len)
        off = s.len;
    if (n > s.len - off)
        n = s.len - off;
    return (struct slice){s.p + off, n};
}

/* True when s equals the n bytes of lit exactly. */
bool slice_eq(struct slice s, const char *lit, size_t n);
/* True when s equals lit ignoring ASCII case. */
bool slice_ieq(struct slice s, const char *lit, size_t n);
/* True when s starts with lit ignoring ASCII case. */
bool slice_istarts(struct slice s, const char *lit, size_t n);
/* s without leading and trailing SP, HTAB, CR, LF. */
struct slice slice_trim(struct slice s);
/* Index of the first c in s, or s.len when absent. */
size_t slice_chr(struct slice s, uint8_t c);
/* Parses decimal digits filling all of s (after trim) into *out; fails on empty, non-digit or
 * a value above max. Returns true on success. */
bool slice_u64(struct slice s, uint64_t max, uint64_t *out);

#define SLICE_EQ(s, lit)      slice_eq((s), (lit), sizeof(lit) - 1)
#define SLICE_IEQ(s, lit)     slice_ieq((s), (lit), sizeof(lit) - 1)
#define SLICE_ISTARTS(s, lit) slice_istarts((s), (lit), sizeof(lit) - 1)

#endif
