/* live.c: the capture thread: libpcap live capture (pcap(3PCAP): pcap_create, pcap_activate,
 * pcap_setfilter, pcap_dispatch, pcap_breakloop, pcap_stats), the -w writer, and the hand-off of
 * each frame into the SPSC ring; stop = atomic flag + pcap_breakloop, never pthread_cancel. */
#define _DEFAULT_SOURCE /* u_char, u_int in <pcap/pcap.h> */
#include "capture/live.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture/ring.h"

#define FLUSH_NS 250000000 /* -w file flushed this often */
#define DRAIN_NS 200000000 /* at stop, read what the kernel holds for at most this long */

/* What the capture thread puts before each frame's bytes in the ring. */
struct live_rec {
    int64_t ts_ns;
    uint32_t caplen, wirelen;
    uint64_t index;
};

struct cap_live {
    pcap_t *p;
    pcap_dumper_t *dump;
    char *device, *dump_path;
    struct ring *ring;
    int linktype;
    bool nano;
    uint64_t max_packets;
    pthread_t thread;
    bool started, joined;
    /* Stopping: whoever flips `stop` first (cap_live_stop, or the capture thread at -c or on an
     * error) alone calls pcap_breakloop, then sets `broke`; the capture thread waits for `broke`
     * before pcap_setnonblock, which closes the eventfd pcap_breakloop writes to. */
    _Atomic bool stop;
    _Atomic bool broke;
    _Atomic bool done; /* set (release) by the capture thread after its last ring_commit */
    /* published by the capture thread for cap_live_peek (relaxed: figures for display) */
    _Atomic uint64_t pub_received, pub_kernel, pub_if;
    /* owned by the capture thread until joined: */
    uint64_t received;
    int64_t last_stats;
    int64_t last_flush;
    struct cap_live_stats st;
    char err[PCAP_ERRBUF_SIZE + 256];
    /* consumer side */
    struct live_rec *cur;
};

static int64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void activate_error(pcap_t *p, int rc, const char *dev, char *err, size_t errlen)
{
    const char *why = pcap_geterr(p);
    if (!why || !*why)
        why = pcap_statustostr(rc);
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
        snprintf(err, errlen, "%s: no such capture device", dev);
        break;
    case PCAP_ERROR_PERM_DENIED:
        snprintf(err, errlen, "%s: permission denied: capturing needs root or CAP_NET_RAW (%s)",
                 dev, why);
        break;
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        snprintf(err, errlen, "%s: no permission for promiscuous mode (use -p to capture without)",
                 dev);
        break;
    case PCAP_ERROR_IFACE_NOT_UP:
        snprintf(err, errlen, "%s: the interface is down", dev);
        break;
    default:
        snprintf(err, errlen, "%s: cannot capture: %s", dev, why);
        break;
    }
}

static int configure(struct cap_live *l, const struct cap_live_opts *o)
{
    bool promisc = !o->no_promisc && strcmp(o->device, "any") != 0;
    int kib = o->buffer_kib > 0 ? o->buffer_kib : CAP_LIVE_BUFFER_KIB;
    if (pcap_set_snaplen(l->p, CAP_LIVE_SNAPLEN) != 0 || pcap_set_promisc(l->p, promisc) != 0 ||
        pcap_set_timeout(l->p, CAP_LIVE_TIMEOUT_MS) != 0 ||
        pcap_set_buffer_size(l->p, kib > INT32_MAX / 1024 ? INT32_MAX : kib * 1024) != 0)
        return -1;
    /* nanosecond stamps when the platform has them (the -w file then says so in its magic) */
    pcap_set_tstamp_precision(l->p, PCAP_TSTAMP_PRECISION_NANO);
    return 0;
}

struct cap_live *cap_live_open(const struct cap_live_opts *o, char *warn, size_t warnlen, char *err,
                               size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    warn[0] = '\0';
    struct cap_live *l = calloc(1, sizeof *l);
    if (!l)
        abort();
    l->device = strdup(o->device);
    if (!l->device)
        abort();
    l->max_packets = o->max_packets;
    atomic_init(&l->stop, false);
    atomic_init(&l->broke, false);
    atomic_init(&l->done, false);
    atomic_init(&l->pub_received, 0);
    atomic_init(&l->pub_kernel, 0);
    atomic_init(&l->pub_if, 0);
    l->p = pcap_create(o->device, perr);
    if (!l->p) {
        snprintf(err, errlen, "%s: %s", o->device, perr);
        goto fail;
    }
    if (configure(l, o) < 0) {
        snprintf(err, errlen, "%s: cannot set capture options: %s", o->device, pcap_geterr(l->p));
        goto fail;
    }
    int rc = pcap_activate(l->p);
    if (rc < 0) {
        activate_error(l->p, rc, o->device, err, errlen);
        goto fail;
    }
    if (rc > 0)
        snprintf(warn, warnlen, "%s: warning: %s", o->device,
                 *pcap_geterr(l->p) ? pcap_geterr(l->p) : pcap_statustostr(rc));
    l->linktype = pcap_datalink(l->p);
    l->nano = pcap_get_tstamp_precision(l->p) == PCAP_TSTAMP_PRECISION_NANO;
    l->ring = ring_new(o->ring_bytes ? o->ring_bytes : CAP_LIVE_RING_BYTES);
    return l;
fail:
    cap_live_close(l);
    return NULL;
}

int cap_live_set_filter(struct cap_live *l, const char *expr, char *err, size_t errlen)
{
    struct bpf_program prog;
    if (!expr)
        expr = CAP_LIVE_DEFAULT_FILTER;
    if (pcap_compile(l->p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        snprintf(err, errlen, "%s", pcap_geterr(l->p));
        return -1;
    }
    int rc = pcap_setfilter(l->p, &prog);
    pcap_freecode(&prog);
    if (rc < 0) {
        snprintf(err, errlen, "%s", pcap_geterr(l->p));
        return -1;
    }
    return 0;
}

int cap_live_open_dump(struct cap_live *l, const char *path, char *err, size_t errlen)
{
    l->dump = pcap_dump_open(l->p, path);
    if (!l->dump) {
        snprintf(err, errlen, "%s: %s", path, pcap_geterr(l->p));
        return -1;
    }
    l->dump_path = strdup(path);
    if (!l->dump_path)
        abort();
    return 0;
}

int cap_live_linktype(const struct cap_live *l)
{
    return l->linktype;
}

/* pcap_dispatch callback (capture thread): -w first, then the one copy into the ring. */
static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct cap_live *l = (struct cap_live *)user;
    if (l->max_packets && l->received >= l->max_packets) {
        pcap_breakloop(l->p);
        return;
    }
    l->received++;
    atomic_store_explicit(&l->pub_received, l->received, memory_order_relaxed);
    if (l->dump)
        pcap_dump((u_char *)l->dump, h, bytes);
    struct live_rec *r = ring_reserve(l->ring, sizeof *r + h->caplen);
    if (r) {
        int64_t frac = l->nano ? (int64_t)h->ts.tv_usec : (int64_t)h->ts.tv_usec * 1000;
        r->ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + frac;
        r->caplen = h->caplen;
        r->wirelen = h->len < h->caplen ? h->caplen : h->len;
        r->index = l->received;
        memcpy(r + 1, bytes, h->caplen);
        ring_commit(l->ring);
    }
    if (l->max_packets && l->received >= l->max_packets) {
        if (!atomic_exchange(&l->stop, true)) {
            pcap_breakloop(l->p);
            atomic_store(&l->broke, true);
        }
    }
}

/* Flushes the -w file every FLUSH_NS (or now); a write error stops the capture. */
static int flush_dump(struct cap_live *l, bool now)
{
    if (!l->dump)
        return 0;
    int64_t t = mono_ns();
    if (!now && t - l->last_flush < FLUSH_NS)
        return 0;
    l->last_flush = t;
    if (pcap_dump_flush(l->dump) == 0)
        return 0;
    snprintf(l->err, sizeof l->err, "%s: cannot write: %s", l->dump_path, strerror(errno));
    return -1;
}

/* After a stop: what the kernel already holds is read without waiting (for at most DRAIN_NS).
 * Only once no other thread can call pcap_breakloop any more (see `broke`). */
static void drain(struct cap_live *l)
{
    char perr[PCAP_ERRBUF_SIZE];
    if (!atomic_exchange(&l->stop, true))
        atomic_store(&l->broke, true); /* stopped by an error: nobody else will break */
    while (!atomic_load(&l->broke)) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL); /* the stopper is between its two stores: microseconds */
    }
    if (pcap_setnonblock(l->p, 1, perr) < 0)
        return;
    int64_t end = mono_ns() + DRAIN_NS;
    while (mono_ns() < end) {
        if (l->max_packets && l->received >= l->max_packets)
            return;
        int n = pcap_dispatch(l->p, -1, on_packet, (u_char *)l);
        if (n == PCAP_ERROR_BREAK)
            continue; /* the breakloop request of the stop itself */
        if (n <= 0)
            return;
    }
}

/* Reads pcap_stats (capture thread only: a pcap_t is not shared) into st and, every
 * CAP_LIVE_STATS_MS or when now, into the figures cap_live_peek reads. */
static void publish_stats(struct cap_live *l, bool now)
{
    int64_t t = mono_ns();
    if (!now && t - l->last_stats < (int64_t)CAP_LIVE_STATS_MS * 1000000)
        return;
    l->last_stats = t;
    struct pcap_stat ps;
    if (pcap_stats(l->p, &ps) != 0)
        return;
    l->st.kernel_drops = ps.ps_drop;
    l->st.if_drops = ps.ps_ifdrop;
    atomic_store_explicit(&l->pub_kernel, l->st.kernel_drops, memory_order_relaxed);
    atomic_store_explicit(&l->pub_if, l->st.if_drops, memory_order_relaxed);
}

static void *capture_main(void *arg)
{
    struct cap_live *l = arg;
    l->last_flush = mono_ns();
    while (!atomic_load(&l->stop)) {
        int n = pcap_dispatch(l->p, -1, on_packet, (u_char *)l);
        if (n == PCAP_ERROR) {
            snprintf(l->err, sizeof l->err, "%s: capture failed: %s", l->device, pcap_geterr(l->p));
            break;
        }
        if (flush_dump(l, false) < 0)
            break;
        publish_stats(l, false);
    }
    /* The kernel's drop counters as of the stop: the socket stays open while the drain reads
     * what it holds and the -w file is flushed, and whatever arrives then and overflows it is
     * after the capture, not lost from it (a SIGINT under heavy traffic would count it). */
    publish_stats(l, true);
    drain(l);
    if (!l->err[0])
        flush_dump(l, true);
    l->st.received = l->received;
    atomic_store_explicit(&l->done, true, memory_order_release);
    return NULL;
}

int cap_live_start(struct cap_live *l, char *err, size_t errlen)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old); /* the thread inherits it: signals go to the caller */
    int rc = pthread_create(&l->thread, NULL, capture_main, l);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot start the capture thread: %s", l->device, strerror(rc));
        return -1;
    }
    l->started = true;
    return 0;
}

int cap_live_next(struct cap_live *l, struct frame *f)
{
    size_t n;
    struct live_rec *r = (struct live_rec *)ring_peek(l->ring, &n);
    if (!r) {
        if (!atomic_load_explicit(&l->done, memory_order_acquire))
            return 0;
        r = (struct live_rec *)ring_peek(l->ring, &n); /* committed before done was set */
        if (!r)
            return -1;
    }
    f->ts_ns = r->ts_ns;
    f->caplen = r->caplen;
    f->wirelen = r->wirelen;
    f->linktype = l->linktype;
    f->source = 0;
    f->index = r->index;
    f->data = (const uint8_t *)(r + 1);
    l->cur = r;
    return 1;
}

void cap_live_release(struct cap_live *l)
{
    if (l->cur)
        ring_release(l->ring);
    l->cur = NULL;
}

void cap_live_stop(struct cap_live *l)
{
    if (!l->started || atomic_exchange(&l->stop, true))
        return;
    pcap_breakloop(l->p); /* wakes the thread's poll (libpcap >= 1.10 on Linux) */
    atomic_store(&l->broke, true);
}

int cap_live_join(struct cap_live *l, struct cap_live_stats *st, char *err, size_t errlen)
{
    if (l->started && !l->joined) {
        cap_live_stop(l);
        pthread_join(l->thread, NULL);
        l->joined = true;
    }
    *st = l->st;
    st->ring_drops = ring_drops(l->ring);
    if (l->err[0]) {
        snprintf(err, errlen, "%s", l->err);
        return -1;
    }
    return 0;
}

void cap_live_peek(struct cap_live *l, struct cap_live_stats *st)
{
    st->received = atomic_load_explicit(&l->pub_received, memory_order_relaxed);
    st->ring_drops = ring_drops(l->ring);
    st->kernel_drops = atomic_load_explicit(&l->pub_kernel, memory_order_relaxed);
    st->if_drops = atomic_load_explicit(&l->pub_if, memory_order_relaxed);
}

void cap_live_close(struct cap_live *l)
{
    if (!l)
        return;
    if (l->started && !l->joined) {
        cap_live_stop(l);
        pthread_join(l->thread, NULL);
    }
    if (l->dump)
        pcap_dump_close(l->dump);
    if (l->p)
        pcap_close(l->p);
    ring_free(l->ring);
    free(l->device);
    free(l->dump_path);
    free(l);
}
