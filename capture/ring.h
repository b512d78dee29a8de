/* ring.h: a single-producer/single-consumer byte ring of variable-length records (C11
 * <stdatomic.h> acquire/release; ISO/IEC 9899:2011 §7.17), the hand-off from the capture thread
 * to the dissect/store thread. Lock-free, no allocation after ring_new; a full ring refuses a
 * record (the producer counts a drop) and never blocks. */
#ifndef SS_RING_H
#define SS_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define RING_ALIGN    8 /* records start on this boundary */
#define RING_HDR      8 /* bytes of record header before the payload */
#define RING_MIN_SIZE 4096

struct ring;

/* Makes a ring of at least size bytes (rounded up to a power of two, >= RING_MIN_SIZE). The
 * largest record it accepts is ring_max_record(). Aborts when out of memory. */
struct ring *ring_new(size_t size);
void ring_free(struct ring *r);

/* Capacity in bytes, and the largest payload one record may carry (a quarter of the capacity,
 * so a record always fits after at most one wrap). */
size_t ring_capacity(const struct ring *r);
size_t ring_max_record(const struct ring *r);

/* Producer side (one thread). ring_reserve returns space for a payload of n bytes, or NULL when
 * the ring is full or n is too large (then the drop counter grows by one). The record becomes
 * visible to the consumer only at ring_commit; a reserve without commit is abandoned by the next
 * reserve. */
void *ring_reserve(struct ring *r, size_t n);
void ring_commit(struct ring *r);

/* Consumer side (one thread). ring_peek returns the oldest committed record's payload and its
 * length (*n), or NULL when the ring is empty; the bytes stay valid and untouched until
 * ring_release, which gives the record's space back to the producer. */
const void *ring_peek(struct ring *r, size_t *n);
void ring_release(struct ring *r);

/* Records refused so far (producer's count; any thread may read it). */
uint64_t ring_drops(const struct ring *r);
/* Bytes currently held (approximate when read while both sides run). */
size_t ring_used(const struct ring *r);

#endif
