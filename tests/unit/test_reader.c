/* test_reader.c: capture/reader.c on crafted files: frame times from 64-bit pcapng timestamps
 * that nanoseconds in an int64 cannot hold are clamped (found by fuzz_pcap: a signed overflow),
 * the largest classic nanosecond-pcap time converts exactly, an ordinary time converts exactly. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "capture/reader.h"
#include "check.h"

#define TS_CLAMP (INT64_MAX / 2) /* capture/reader.c CAP_TS_MAX_NS */

static size_t put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4); /* host order: the files below are written in host byte order */
    return 4;
}

static size_t put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
    return 2;
}

/* SHB + IDB (Ethernet, microseconds) + one EPB with a 60-byte frame at timestamp ts_us. */
static size_t pcapng_one(uint8_t *b, uint64_t ts_us)
{
    size_t n = 0;
    n += put32(b + n, 0x0A0D0D0A);
    n += put32(b + n, 28);
    n += put32(b + n, 0x1A2B3C4D);
    n += put16(b + n, 1);
    n += put16(b + n, 0);
    n += put32(b + n, 0xFFFFFFFF); /* section length unknown */
    n += put32(b + n, 0xFFFFFFFF);
    n += put32(b + n, 28);
    n += put32(b + n, 1); /* IDB */
    n += put32(b + n, 20);
    n += put16(b + n, 1); /* LINKTYPE_ETHERNET */
    n += put16(b + n, 0);
    n += put32(b + n, 65535);
    n += put32(b + n, 20);
    n += put32(b + n, 6); /* EPB */
    n += put32(b + n, 32 + 60);
    n += put32(b + n, 0);
    n += put32(b + n, (uint32_t)(ts_us >> 32));
    n += put32(b + n, (uint32_t)ts_us);
    n += put32(b + n, 60);
    n += put32(b + n, 60);
    memset(b + n, 0xAB, 60);
    n += 60;
    n += put32(b + n, 32 + 60);
    return n;
}

/* Classic pcap, nanosecond magic, one 60-byte frame at sec.frac. */
static size_t pcap_nano_one(uint8_t *b, uint32_t sec, uint32_t frac)
{
    size_t n = 0;
    n += put32(b + n, 0xA1B23C4D);
    n += put16(b + n, 2);
    n += put16(b + n, 4);
    n += put32(b + n, 0);
    n += put32(b + n, 0);
    n += put32(b + n, 65535);
    n += put32(b + n, 1);
    n += put32(b + n, sec);
    n += put32(b + n, frac);
    n += put32(b + n, 60);
    n += put32(b + n, 60);
    memset(b + n, 0xCD, 60);
    return n + 60;
}

/* Writes the bytes to a temporary file, reads its frames; returns the first frame's time. */
static int64_t first_ts(const uint8_t *b, size_t n, int *frames)
{
    char path[] = "/tmp/ss_test_reader_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, b, n) == (ssize_t)n);
    close(fd);
    char err[256] = "";
    struct cap_reader *r = cap_open(path, 0, err, sizeof err);
    CHECK(r != NULL);
    int64_t ts = 0;
    *frames = 0;
    struct frame f;
    int rc;
    while (r && (rc = cap_next(r, &f, err, sizeof err)) == 1) {
        if ((*frames)++ == 0)
            ts = f.ts_ns;
        CHECK_EQ_INT(f.caplen, 60);
    }
    if (r)
        CHECK_EQ_INT(rc, 0);
    cap_close(r);
    unlink(path);
    return ts;
}

int main(void)
{
    uint8_t b[512];
    int frames;
    /* 2^64-1 microseconds: about 5.8e5 years, far past what int64 nanoseconds hold */
    int64_t ts = first_ts(b, pcapng_one(b, UINT64_MAX), &frames);
    CHECK_EQ_INT(frames, 1);
    CHECK_EQ_INT(ts, TS_CLAMP);
    /* just past the clamp, without an overflow */
    ts = first_ts(b, pcapng_one(b, (uint64_t)TS_CLAMP / 1000 + 1), &frames);
    CHECK_EQ_INT(ts, TS_CLAMP);
    /* an ordinary time converts exactly (2023-11-14 22:13:20.123456 UTC) */
    ts = first_ts(b, pcapng_one(b, 1700000000123456ull), &frames);
    CHECK_EQ_INT(ts, 1700000000123456000ll);
    /* the largest classic time (libpcap reads the fields as signed 32-bit): exact */
    ts = first_ts(b, pcap_nano_one(b, INT32_MAX, 999999999), &frames);
    CHECK_EQ_INT(frames, 1);
    CHECK_EQ_INT(ts, (int64_t)INT32_MAX * 1000000000 + 999999999);
    return check_done();
}
