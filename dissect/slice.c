/* slice.c: helpers over borrowed byte views (comparison, trimming, bounded number parsing). */
#include "dissect/slice.h"
#include "dissect/banned.h"

static inline uint8_t lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

bool slice_eq(struct slice s, const char *lit, size_t n)
{
    return s.len == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

bool slice_ieq(struct slice s, const char *lit, size_t n)
{
    if (s.len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (lower(s.p[i]) != lower((uint8_t)lit[i]))
            return false;
    }
    return true;
}

bool slice_istarts(struct slice s, const char *lit, size_t n)
{
    if (s.len < n)
        return false;
    return slice_ieq(slice_make(s.p, n), lit, n);
}

static inline bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct slice slice_trim(struct slice s)
{
    while (s.len > 0 && is_ws(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && is_ws(s.p[s.len - 1]))
        s.len--;
    return s;
}

size_t slice_chr(struct slice s, uint8_t c)
{
    if (s.len == 0)
        return 0;
    const uint8_t *q = memchr(s.p, c, s.len);
    return q ? (size_t)(q - s.p) : s.len;
}

bool slice_u64(struct slice s, uint64_t max, uint64_t *out)
{
    s = slice_trim(s);
    if (s.len == 0 || s.len > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        uint8_t c = s.p[i];
        if (c < '0' || c > '9')
            return false;
        uint64_t d = (uint64_t)(c - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}
