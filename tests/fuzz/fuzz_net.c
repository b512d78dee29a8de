/* fuzz_net.c: libFuzzer target for link/IP/fragment/UDP/TCP framing. The first input byte picks
 * the link type; the rest is a sequence of frames, each prefixed by a 2-byte length, so fragment
 * and TCP reassembly state is exercised across frames. */
#include <stdlib.h>
#include <string.h>

#include "dissect/net.h"
#include "dissect/sip.h"
#include "fuzz.h"

static const int linktypes[] = {1, 113, 276, 0, 108, 101, 12, 14, 228, 229};

static void deliver(void *user, const struct net_payload *pl)
{
    static struct sip_msg m;
    (void)user;
    if (sip_looks_like(pl->data))
        (void)sip_parse(&m, pl->data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct net_limits lim = {
        .frag_max_bytes = 1 << 20, .tcp_max_streams = 64, .tcp_max_total_bytes = 1 << 20};
    struct net_ctx *n = net_new(&lim, sip_frame_len);
    int lt = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
    size_t off = 1;
    uint64_t idx = 0;
    while (size - off >= 2) {
        size_t len = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (len > size - off)
            len = size - off;
        uint8_t *copy = malloc(len ? len : 1); /* exact size so ASan sees any over-read */
        if (!copy)
            abort();
        memcpy(copy, data + off, len);
        idx++;
        struct frame f = {.ts_ns = (int64_t)idx * 1000000,
                          .caplen = (uint32_t)len,
                          .wirelen = (uint32_t)len + (idx & 1),
                          .linktype = lt,
                          .index = idx,
                          .data = copy};
        net_frame(n, &f, deliver, NULL);
        free(copy);
        off += len;
    }
    net_expire(n, INT64_MAX / 2);
    net_free(n);
    return 0;
}
