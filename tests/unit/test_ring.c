/* test_ring.c: unit tests of the SPSC record ring (capture/ring.c; C11 §7.17 atomics): order,
 * wrap-around with padding, full ring = counted drop, abandoned reserves, and a two-thread stress
 * run checked by sequence numbers and a checksum (also meant to run under ThreadSanitizer). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/ring.h"
#include "check.h"

#define STRESS_RECORDS 150000u

static int push(struct ring *r, const void *p, size_t n)
{
    void *d = ring_reserve(r, n);
    if (!d)
        return -1;
    memcpy(d, p, n);
    ring_commit(r);
    return 0;
}

static void test_order(void)
{
    struct ring *r = ring_new(1);
    CHECK_EQ_INT(ring_capacity(r), RING_MIN_SIZE);
    size_t n = 99;
    CHECK(ring_peek(r, &n) == NULL);
    CHECK_EQ_INT(push(r, "one", 3), 0);
    CHECK_EQ_INT(push(r, "", 0), 0);
    CHECK_EQ_INT(push(r, "three", 5), 0);
    const char *p = ring_peek(r, &n);
    CHECK(p && n == 3 && memcmp(p, "one", 3) == 0);
    const char *again = ring_peek(r, &n); /* peek twice: same record until released */
    CHECK(again == p);
    ring_release(r);
    p = ring_peek(r, &n);
    CHECK(p && n == 0);
    ring_release(r);
    p = ring_peek(r, &n);
    CHECK(p && n == 5 && memcmp(p, "three", 5) == 0);
    ring_release(r);
    CHECK(ring_peek(r, &n) == NULL);
    CHECK_EQ_INT(ring_used(r), 0);
    CHECK_EQ_INT(ring_drops(r), 0);
    ring_free(r);
}

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(seed * 31u + i * 7u);
}

/* Records of changing sizes go around a small ring many times: each comes out intact. */
static void test_wrap(void)
{
    struct ring *r = ring_new(4096);
    uint8_t buf[1024], want[1024];
    int bad = 0, got = 0;
    for (uint32_t i = 0; i < 5000; i++) {
        size_t len = (i * 37u) % ring_max_record(r);
        fill(buf, len, i);
        if (push(r, buf, len) != 0) {
            bad++;
            break;
        }
        size_t n = 0;
        const uint8_t *p = ring_peek(r, &n);
        fill(want, len, i);
        if (!p || n != len || memcmp(p, want, len) != 0)
            bad++;
        else
            got++;
        ring_release(r);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(got, 5000);
    CHECK_EQ_INT(ring_drops(r), 0);
    ring_free(r);
}

static void test_full(void)
{
    struct ring *r = ring_new(4096);
    uint8_t buf[500];
    memset(buf, 0xab, sizeof buf);
    int pushed = 0;
    while (push(r, buf, sizeof buf) == 0)
        pushed++;
    CHECK_EQ_INT(pushed, 4096 / 512); /* 500 + header, 8-aligned = 512 bytes a record */
    CHECK_EQ_INT(ring_drops(r), 1);
    CHECK(push(r, buf, 1) != 0); /* still full: a second drop */
    CHECK_EQ_INT(ring_drops(r), 2);
    size_t n;
    CHECK(ring_peek(r, &n) != NULL);
    ring_release(r);
    CHECK_EQ_INT(push(r, buf, sizeof buf), 0);              /* room again */
    CHECK(ring_reserve(r, ring_max_record(r) + 1) == NULL); /* oversize: refused, counted */
    CHECK_EQ_INT(ring_drops(r), 3);
    int popped = 0;
    while (ring_peek(r, &n)) {
        ring_release(r);
        popped++;
    }
    CHECK_EQ_INT(popped, pushed);
    ring_free(r);
}

static void test_abandoned(void)
{
    struct ring *r = ring_new(4096);
    void *d = ring_reserve(r, 100);
    CHECK(d != NULL);
    size_t n;
    CHECK(ring_peek(r, &n) == NULL); /* not committed: invisible */
    CHECK_EQ_INT(push(r, "kept", 4), 0);
    const char *p = ring_peek(r, &n);
    CHECK(p && n == 4 && memcmp(p, "kept", 4) == 0);
    ring_release(r);
    CHECK(ring_peek(r, &n) == NULL);
    ring_free(r);
}

struct stress {
    struct ring *r;
    uint64_t sum;
};

static size_t stress_len(uint32_t i)
{
    return 8 + (i * 2654435761u >> 20) % 300;
}

static void *producer(void *arg)
{
    struct stress *s = arg;
    uint8_t buf[400];
    for (uint32_t i = 0; i < STRESS_RECORDS; i++) {
        size_t len = stress_len(i);
        memcpy(buf, &i, sizeof i);
        fill(buf + sizeof i, len - sizeof i, i);
        for (size_t k = 0; k < len; k++)
            s->sum += buf[k];
        while (push(s->r, buf, len) != 0)
            ; /* the test wants every record: retry (each refusal counts a drop) */
    }
    return NULL;
}

static void test_stress(void)
{
    struct stress s = {.r = ring_new(16384)};
    pthread_t t;
    CHECK_EQ_INT(pthread_create(&t, NULL, producer, &s), 0);
    uint64_t sum = 0;
    uint32_t next = 0, out_of_order = 0, bad_len = 0;
    while (next < STRESS_RECORDS) {
        size_t n;
        const uint8_t *p = ring_peek(s.r, &n);
        if (!p)
            continue;
        uint32_t seq;
        memcpy(&seq, p, sizeof seq);
        out_of_order += seq != next;
        bad_len += n != stress_len(next);
        for (size_t k = 0; k < n; k++)
            sum += p[k];
        ring_release(s.r);
        next++;
    }
    pthread_join(t, NULL);
    CHECK_EQ_INT(out_of_order, 0);
    CHECK_EQ_INT(bad_len, 0);
    CHECK(sum == s.sum);
    size_t n;
    CHECK(ring_peek(s.r, &n) == NULL);
    ring_free(s.r);
}

int main(void)
{
    test_order();
    test_wrap();
    test_full();
    test_abandoned();
    test_stress();
    return check_done();
}
