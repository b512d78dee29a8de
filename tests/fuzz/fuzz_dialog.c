/* fuzz_dialog.c: libFuzzer target for the whole message path after the network layers: messages
 * separated by a 0xFF byte are parsed and fed to the dialog table (state machine, final status,
 * retransmissions, eviction with a tiny limit), alternating endpoints and advancing time. */
#include <stdlib.h>
#include <string.h>

#include "dissect/dialog.h"
#include "dissect/sip.h"
#include "fuzz.h"

static void on_evict(void *user, struct dlg_call *c)
{
    (void)user;
    (void)dlg_state_name(c->state);
}

static bool on_reload(void *user, struct dlg_call *c)
{
    (void)user;
    return c->call_id_len % 2 == 0; /* pretend half of the evicted calls are found again */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sip_msg m;
    struct dlg_limits lim = {.max_calls = 4, .idle_evict_ms = 50, .bloom_bits = 4096};
    struct dlg_ctx *d = dlg_new(&lim, 1, on_evict, on_reload, NULL);
    size_t off = 0;
    int64_t t = 1;
    unsigned k = 0;
    while (off < size) {
        const uint8_t *end = memchr(data + off, 0xFF, size - off);
        size_t len = end ? (size_t)(end - (data + off)) : size - off;
        struct frame f = {.ts_ns = t, .index = k + 1};
        struct net_payload pl = {
            .transport = NET_T_UDP, .frame = &f, .data = slice_make(data + off, len)};
        pl.src.addr.family = pl.dst.addr.family = 4;
        pl.src.addr.a[3] = (uint8_t)(k & 1);
        pl.dst.addr.a[3] = (uint8_t)(~k & 1);
        if (sip_parse(&m, pl.data) != DIS_NOT_MINE) {
            struct dlg_event ev;
            dlg_message(d, &m, &pl, &ev);
        }
        t += 20000000;
        k++;
        dlg_expire(d, t);
        off += len + 1;
    }
    dlg_flush_all(d);
    dlg_free(d);
    return 0;
}
