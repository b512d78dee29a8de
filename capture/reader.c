/* reader.c: offline capture input through libpcap (pcap, pcapng), plain, gzip or stdin, hashed. */
#define _GNU_SOURCE /* fopencookie */
#include "capture/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/hash.h"

#ifndef CAP_READ_BUF
/* stdio buffer; the fuzz build sets a small one (tests/fuzz). 64 KiB: the kernel's copy into a
 * buffer that stays in the CPU cache costs about half the system time of 256 KiB (RTP-heavy
 * import, BENCHMARKS.md); smaller gains nothing more. */
#define CAP_READ_BUF (64 * 1024)
#endif
#define READ_BUF      CAP_READ_BUF
#define NS_PER_S      1000000000LL
#define CAP_TS_MAX_NS (INT64_MAX / 2) /* frame times are clamped here (year 2116) */

struct cap_reader {
    char *path;
    int fd;    /* plain input, or -1 */
    gzFile gz; /* gzip (or stdin, transparently), or NULL */
    FILE *fp;  /* cookie stream handed to libpcap */
    pcap_t *pcap;
    char *iobuf;
    uint32_t source;
    uint64_t index;
    uint64_t nread;
    uint64_t size;
    int io_errno;
    bool gz_error;
    struct chash hash;
};

static ssize_t cookie_read(void *c, char *buf, size_t n)
{
    struct cap_reader *r = c;
    ssize_t got;
    if (r->gz) {
        unsigned want = n > (1u << 30) ? (1u << 30) : (unsigned)n;
        int g = gzread(r->gz, buf, want);
        int zerr = Z_OK;
        if (g == 0)
            gzerror(r->gz, &zerr);
        if (g < 0 || (g == 0 && zerr != Z_OK)) {
            r->gz_error = true; /* corrupt, or the compressed stream ends early */
            return -1;
        }
        got = g;
    } else {
        do {
            got = read(r->fd, buf, n);
        } while (got < 0 && errno == EINTR);
        if (got < 0) {
            r->io_errno = errno;
            return -1;
        }
    }
    chash_update(&r->hash, buf, (size_t)got);
    r->nread += (uint64_t)got;
    return got;
}

static int cookie_close(void *c)
{
    (void)c;
    return 0;
}

/* Opens the raw source: fd for plain files, gz for gzip and stdin. */
static int open_source(struct cap_reader *r, const char *path, char *err, size_t errlen)
{
    if (strcmp(path, "-") == 0) {
        int fd = dup(STDIN_FILENO);
        r->gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
        if (!r->gz) {
            snprintf(err, errlen, "-: cannot read standard input");
            return -1;
        }
        gzbuffer(r->gz, READ_BUF);
        return 0;
    }
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(r->fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "%s: is a directory, not a capture file", path);
            return -1;
        }
        r->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    }
    unsigned char magic[2] = {0, 0};
    ssize_t m = pread(r->fd, magic, 2, 0);
    if (m == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        r->gz = gzdopen(r->fd, "rb");
        r->fd = -1;
        if (!r->gz) {
            snprintf(err, errlen, "%s: cannot open gzip stream", path);
            return -1;
        }
        gzbuffer(r->gz, READ_BUF);
    }
    return 0;
}

static void explain_open_error(struct cap_reader *r, const char *pcap_err, char *err, size_t errlen)
{
    if (r->io_errno)
        snprintf(err, errlen, "%s: %s", r->path, strerror(r->io_errno));
    else if (r->gz_error)
        snprintf(err, errlen, "%s: corrupt gzip data", r->path);
    else if (r->nread == 0)
        snprintf(err, errlen, "%s: empty file, not a capture", r->path);
    else if (strstr(pcap_err, "unknown file format") || strstr(pcap_err, "bad dump file format"))
        snprintf(err, errlen, "%s: not a pcap or pcapng capture file (%s)", r->path, pcap_err);
    else
        snprintf(err, errlen, "%s: cannot read capture: %s", r->path, pcap_err);
}

struct cap_reader *cap_open(const char *path, uint32_t source, char *err, size_t errlen)
{
    struct cap_reader *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->path = strdup(path);
    r->fd = -1;
    r->source = source;
    chash_init(&r->hash);
    if (!r->path || open_source(r, path, err, errlen) < 0)
        goto fail;
    cookie_io_functions_t io = {.read = cookie_read, .close = cookie_close};
    r->fp = fopencookie(r, "rb", io);
    r->iobuf = malloc(READ_BUF);
    if (!r->fp || !r->iobuf)
        abort();
    setvbuf(r->fp, r->iobuf, _IOFBF, READ_BUF);
    char perr[PCAP_ERRBUF_SIZE] = "";
    r->pcap = pcap_fopen_offline_with_tstamp_precision(r->fp, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!r->pcap) {
        explain_open_error(r, perr, err, errlen);
        goto fail;
    }
    return r;
fail:
    cap_close(r);
    return NULL;
}

/* Nanoseconds since the epoch of a libpcap timestamp (nanosecond precision), clamped to
 * +-CAP_TS_MAX_NS: a pcapng file may carry a 64-bit timestamp that int64 nanoseconds cannot
 * hold, and the clamp leaves the dissectors headroom to add timeouts to any frame time. */
static int64_t ts_to_ns(const struct timeval *tv)
{
    int64_t ns;
    /* tv_usec holds nanoseconds; a classic file's 32-bit field is not checked to be < 10^9 */
    if (__builtin_mul_overflow((int64_t)tv->tv_sec, NS_PER_S, &ns) ||
        __builtin_add_overflow(ns, (int64_t)tv->tv_usec, &ns))
        return tv->tv_sec < 0 ? -CAP_TS_MAX_NS : CAP_TS_MAX_NS;
    if (ns > CAP_TS_MAX_NS)
        return CAP_TS_MAX_NS;
    if (ns < -CAP_TS_MAX_NS)
        return -CAP_TS_MAX_NS;
    return ns;
}

int cap_next(struct cap_reader *r, struct frame *f, char *err, size_t errlen)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(r->pcap, &h, &data);
    if (rc == 1) {
        f->ts_ns = ts_to_ns(&h->ts);
        f->caplen = h->caplen;
        f->wirelen = h->len < h->caplen ? h->caplen : h->len;
        f->linktype = pcap_datalink(r->pcap);
        f->source = r->source;
        f->index = ++r->index;
        f->data = data;
        return 1;
    }
    if (rc == PCAP_ERROR_BREAK && !r->gz_error && !r->io_errno)
        return 0;
    if (r->io_errno)
        snprintf(err, errlen, "%s: read error: %s", r->path, strerror(r->io_errno));
    else if (r->gz_error)
        snprintf(err, errlen, "%s: corrupt or truncated gzip data after frame %llu", r->path,
                 (unsigned long long)r->index);
    else
        snprintf(err, errlen, "%s: corrupt or truncated capture after frame %llu (%s)", r->path,
                 (unsigned long long)r->index, pcap_geterr(r->pcap));
    return -1;
}

int cap_linktype(const struct cap_reader *r)
{
    return pcap_datalink(r->pcap);
}

uint64_t cap_bytes_read(const struct cap_reader *r)
{
    return r->nread;
}

uint64_t cap_file_size(const struct cap_reader *r)
{
    return r->size;
}

void cap_hash_hex(const struct cap_reader *r, char out[33])
{
    chash_hex(&r->hash, out);
}

void cap_close(struct cap_reader *r)
{
    if (!r)
        return;
    if (r->pcap)
        pcap_close(r->pcap); /* closes r->fp */
    else if (r->fp)
        fclose(r->fp);
    if (r->gz)
        gzclose(r->gz);
    if (r->fd >= 0)
        close(r->fd);
    free(r->iobuf);
    free(r->path);
    free(r);
}

int cap_hash_file(const char *path, char out[33], char *err, size_t errlen)
{
    struct cap_reader r = {.fd = -1};
    r.path = (char *)path;
    chash_init(&r.hash);
    if (open_source(&r, path, err, errlen) < 0)
        goto fail;
    char *buf = malloc(READ_BUF);
    if (!buf)
        abort();
    ssize_t n;
    do {
        n = cookie_read(&r, buf, READ_BUF);
    } while (n > 0);
    free(buf);
    if (n < 0) {
        snprintf(err, errlen, "%s: %s", path,
                 r.gz_error ? "corrupt gzip data" : strerror(r.io_errno));
        goto fail;
    }
    chash_hex(&r.hash, out);
    if (r.gz)
        gzclose(r.gz);
    if (r.fd >= 0)
        close(r.fd);
    return 0;
fail:
    if (r.gz)
        gzclose(r.gz);
    if (r.fd >= 0)
        close(r.fd);
    return -1;
}
