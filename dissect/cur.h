/* cur.h: sticky-error cursor for reading untrusted bytes: an overrun sets err, later reads give 0.
 */
#ifndef SS_CUR_H
#define SS_CUR_H

#include "dissect/slice.h"

struct cur {
    const uint8_t *p;
    const uint8_t *end;
    bool err;
};

static inline struct cur cur_of(struct slice s)
{
    return (struct cur){s.p, s.p + s.len, false};
}

static inline size_t cur_left(const struct cur *c)
{
    return c->err ? 0 : (size_t)(c->end - c->p);
}

/* True when n more bytes are available; otherwise sets err. */
static inline bool cur_need(struct cur *c, size_t n)
{
    if (c->err || n > (size_t)(c->end - c->p)) {
        c->err = true;
        return false;
    }
    return true;
}

static inline uint8_t cur_u8(struct cur *c)
{
    if (!cur_need(c, 1))
        return 0;
    return *c->p++;
}

static inline uint16_t cur_be16(struct cur *c)
{
    if (!cur_need(c, 2))
        return 0;
    uint16_t v = (uint16_t)((c->p[0] << 8) | c->p[1]);
    c->p += 2;
    return v;
}

static inline uint16_t cur_le16(struct cur *c)
{
    if (!cur_need(c, 2))
        return 0;
    uint16_t v = (uint16_t)((c->p[1] << 8) | c->p[0]);
    c->p += 2;
    return v;
}

static inline uint32_t cur_be32(struct cur *c)
{
    if (!cur_need(c, 4))
        return 0;
    uint32_t v =
        ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) | ((uint32_t)c->p[2] << 8) | c->p[3];
    c->p += 4;
    return v;
}

static inline uint32_t cur_le32(struct cur *c)
{
    if (!cur_need(c, 4))
        return 0;
    uint32_t v =
        ((uint32_t)c->p[3] << 24) | ((uint32_t)c->p[2] << 16) | ((uint32_t)c->p[1] << 8) | c->p[0];
    c->p += 4;
    return v;
}

static inline void cur_skip(struct cur *c, size_t n)
{
    if (cur_need(c, n))
        c->p += n;
}

/* Takes n bytes as a slice (empty on overrun). */
static inline struct slice cur_take(struct cur *c, size_t n)
{
    if (!cur_need(c, n))
        return SLICE_NULL;
    struct slice s = {c->p, n};
    c->p += n;
    return s;
}

/* The rest of the bytes as a slice. */
static inline struct slice cur_rest(const struct cur *c)
{
    return (struct slice){c->p, cur_left(c)};
}

#endif
