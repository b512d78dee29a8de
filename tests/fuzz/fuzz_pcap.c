/* fuzz_pcap.c: libFuzzer target for offline capture reading (capture/reader.c): the input is a
 * whole capture file (pcap, pcapng or gzip), handed to the real reader through an in-memory file
 * (memfd, opened by its /proc/self/fd path, so cap_open runs unchanged): cap_open, every
 * cap_next, the content hash, cap_hash_file, and each frame through the network layers. */
#define _GNU_SOURCE /* memfd_create */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/reader.h"
#include "dissect/net.h"
#include "dissect/sip.h"
#include "fuzz.h"

#define FUZZ_PCAP_MAX_FRAMES 4096 /* frames read per input (bounds the time per input) */

static void deliver(void *user, const struct net_payload *pl)
{
    size_t *bytes = user;
    *bytes += pl->data.len;
}

/* One memfd reused across inputs; its path is what cap_open gets. */
static int mem_file(char *path, size_t n)
{
    static int fd = -1;
    if (fd < 0) {
        fd = memfd_create("fuzz_pcap", MFD_CLOEXEC);
        if (fd < 0)
            abort();
    }
    snprintf(path, n, "/proc/self/fd/%d", fd);
    return fd;
}

static int put(int fd, const uint8_t *data, size_t size)
{
    size_t off = 0;
    while (off < size) {
        ssize_t w = pwrite(fd, data + off, size - off, (off_t)off);
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return ftruncate(fd, (off_t)size); /* after writing, so pages are reused, not freed */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[512], hash[33], hash2[33];
    int fd = mem_file(path, sizeof path);
    if (put(fd, data, size) != 0)
        abort();
    struct cap_reader *r = cap_open(path, 7, err, sizeof err);
    if (!r) {
        if (err[0] == '\0')
            abort(); /* a failure must say why */
        return 0;
    }
    struct net_limits lim = {
        .frag_max_datagrams = 64, .tcp_max_streams = 64, .tcp_max_total_bytes = 1 << 20};
    struct net_ctx *n = net_new(&lim, sip_frame_len);
    struct frame f;
    size_t bytes = 0;
    int rc = 0;
    for (unsigned i = 0; i < FUZZ_PCAP_MAX_FRAMES; i++) {
        rc = cap_next(r, &f, err, sizeof err);
        if (rc != 1)
            break;
        if (f.caplen > f.wirelen || f.source != 7 || f.index != i + 1)
            abort();
        net_frame(n, &f, deliver, &bytes);
    }
    if (rc < 0 && err[0] == '\0')
        abort();
    (void)cap_linktype(r);
    (void)cap_bytes_read(r);
    (void)cap_file_size(r);
    cap_hash_hex(r, hash);
    cap_close(r);
    net_free(n);
    if (rc == 0 && cap_hash_file(path, hash2, err, sizeof err) == 0 && strcmp(hash, hash2) != 0)
        abort(); /* a complete read hashes the same as the whole file */
    return 0;
}
