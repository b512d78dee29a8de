/* test_media_expiry.c: dissect/media.c's expiry passes (streams finished after
 * MEDIA_STREAM_IDLE_MS, flows forgotten after MEDIA_FLOW_IDLE_MS, including packets whose
 * timestamps go backwards after a pass) and the per-flow payload map that a later SDP resizes. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "dissect/media.h"
#include "dissect/rtp.h"

#define T0_NS   1000000000000LL
#define S_NS    1000000000LL
#define MAX_GOT 8

struct got {
    size_t n;
    unsigned ssrc[MAX_GOT];
    char enc[MAX_GOT][MEDIA_MAX_ENC];
};

static void keep(void *user, struct media_stream *s)
{
    struct got *g = user;
    if (g->n < MAX_GOT) {
        g->ssrc[g->n] = s->ssrc;
        memcpy(g->enc[g->n], s->enc, MEDIA_MAX_ENC);
        g->n++;
    }
}

static struct net_endpoint ep(const char *ip, uint16_t port)
{
    struct net_endpoint e = {.port = port};
    CHECK(net_addr_parse(slice_make(ip, strlen(ip)), &e.addr));
    return e;
}

/* An SDP for ip:port with the given m= formats and rtpmap lines. */
static void announce(struct media_ctx *m, uint64_t call, const char *ip, int port, const char *pts,
                     const char *maps, int64_t ts_ns)
{
    static struct sdp s;
    static char buf[512];
    int k = snprintf(buf, sizeof buf,
                     "v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
                     "m=audio %d RTP/AVP %s\r\n%s",
                     ip, ip, port, pts, maps);
    CHECK(sdp_parse(&s, slice_make(buf, (size_t)k)) == DIS_OK);
    media_sdp(m, call, &s, ts_ns);
}

/* One RTP packet (version 2, 160 payload bytes) from src to dst at ts_ns. */
static enum media_kind rtp(struct media_ctx *m, struct net_endpoint src, struct net_endpoint dst,
                           unsigned ssrc, int pt, int64_t ts_ns)
{
    static uint64_t index;
    uint8_t b[172] = {0x80, (uint8_t)pt, 0, 1, 0, 0, 0, 160};
    for (int i = 0; i < 4; i++)
        b[8 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
    memset(b + 12, 0xd5, 160);
    struct frame f = {.ts_ns = ts_ns, .index = ++index};
    struct net_payload pl = {.src = src,
                             .dst = dst,
                             .transport = NET_T_UDP,
                             .frame = &f,
                             .data = slice_make(b, sizeof b)};
    struct media_stream *created = NULL;
    return media_packet(m, &pl, &created);
}

static void test_stream_expiry(void)
{
    struct got g = {0};
    struct media_ctx *m = media_new(1, keep, &g);
    struct net_endpoint a = ep("10.1.0.1", 30000), c = ep("10.1.0.9", 40000);
    const int64_t idle = (int64_t)MEDIA_STREAM_IDLE_MS * 1000000;
    announce(m, 1, "10.1.0.1", 30000, "8", "", T0_NS);
    CHECK(rtp(m, c, a, 0xa1, 8, T0_NS) == MEDIA_RTP);
    CHECK(rtp(m, c, a, 0xb2, 8, T0_NS + 200 * S_NS) == MEDIA_RTP);
    media_expire(m, T0_NS + idle); /* 0xa1 idle exactly the limit: kept */
    CHECK_EQ_INT(g.n, 0);
    media_expire(m, T0_NS + idle + 1);
    CHECK_EQ_INT(g.n, 1);
    CHECK_EQ_INT(g.ssrc[0], 0xa1);
    media_expire(m, T0_NS + idle + 2); /* nothing more is due */
    CHECK_EQ_INT(g.n, 1);
    /* a packet whose capture time is before the last pass (timestamps going backwards) */
    CHECK(rtp(m, c, a, 0xc3, 8, T0_NS + 10 * S_NS) == MEDIA_RTP);
    media_expire(m, T0_NS + idle + 11 * S_NS);
    CHECK_EQ_INT(g.n, 2);
    CHECK_EQ_INT(g.ssrc[1], 0xc3);
    media_expire(m, T0_NS + 200 * S_NS + idle + 1);
    CHECK_EQ_INT(g.n, 3);
    CHECK_EQ_INT(g.ssrc[2], 0xb2);
    media_free(m);
}

static void test_flow_expiry(void)
{
    struct got g = {0};
    struct media_ctx *m = media_new(1, keep, &g);
    struct net_endpoint a = ep("10.2.0.1", 30000), b = ep("10.2.0.2", 32000);
    struct net_endpoint c = ep("10.2.0.9", 40000);
    const int64_t idle = (int64_t)MEDIA_FLOW_IDLE_MS * 1000000;
    announce(m, 1, "10.2.0.1", 30000, "8", "", T0_NS);
    announce(m, 2, "10.2.0.2", 32000, "8", "", T0_NS);
    /* packets keep the flow of b alive; a stays silent */
    CHECK(rtp(m, c, b, 0xb0, 8, T0_NS + idle / 2) == MEDIA_RTP);
    media_expire(m, T0_NS + idle + 1);
    CHECK(rtp(m, c, a, 0xa0, 8, T0_NS + idle + 2) == MEDIA_NONE); /* forgotten */
    CHECK(rtp(m, c, b, 0xb1, 8, T0_NS + idle + 3) == MEDIA_RTP);  /* still known */
    media_free(m);
}

/* A later SDP for the same address:port replaces the payload map, whatever its size. */
static void test_map_resize(void)
{
    struct got g = {0};
    struct media_ctx *m = media_new(1, keep, &g);
    struct net_endpoint a = ep("10.3.0.1", 30000), c = ep("10.3.0.9", 40000);
    announce(m, 1, "10.3.0.1", 30000, "8 96 101",
             "a=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n", T0_NS);
    CHECK(rtp(m, c, a, 0x11, 96, T0_NS + 1) == MEDIA_RTP);
    announce(m, 2, "10.3.0.1", 30000, "0", "", T0_NS + 2); /* no dynamic type */
    CHECK(rtp(m, c, a, 0x12, 96, T0_NS + 3) == MEDIA_RTP);
    announce(m, 3, "10.3.0.1", 30000, "97", "a=rtpmap:97 AMR/8000\r\n", T0_NS + 4);
    CHECK(rtp(m, c, a, 0x13, 97, T0_NS + 5) == MEDIA_RTP);
    CHECK(rtp(m, c, a, 0x14, 96, T0_NS + 6) == MEDIA_RTP);
    media_flush_all(m);
    CHECK_EQ_INT(g.n, 4);
    for (size_t i = 0; i < g.n; i++) {
        if (g.ssrc[i] == 0x11)
            CHECK(strcmp(g.enc[i], "opus") == 0);
        else if (g.ssrc[i] == 0x13)
            CHECK(strcmp(g.enc[i], "AMR") == 0);
        else /* 96 without a map */
            CHECK(strcmp(g.enc[i], "opus") != 0 && strcmp(g.enc[i], "AMR") != 0);
    }
    media_free(m);
}

/* Fills the flow table with the SDPs of old calls (10.4.x.y), then, `late` ns after the last,
 * announces one more flow: returns whether RTP to it is tied to its call. */
static bool full_table_then(int64_t late, uint64_t *evicted, uint64_t *dropped)
{
    struct got g = {0};
    struct media_ctx *m = media_new(1, keep, &g);
    char ip[32];
    int64_t t = T0_NS;
    for (int i = 0; media_get_counters(m)->flows < MEDIA_MAX_FLOWS; i++) {
        snprintf(ip, sizeof ip, "10.4.%d.%d", (i >> 8) & 0xff, i & 0xff);
        announce(m, (uint64_t)i + 1, ip, 20000 + 2 * (i >> 16), "8", "", t);
        t += 1000; /* 1 us apart */
    }
    CHECK_EQ_INT(media_get_counters(m)->flows_dropped, 0);
    announce(m, 999999, "10.5.0.1", 30000, "8", "", t + late);
    struct net_endpoint c = ep("10.5.0.9", 40000), a = ep("10.5.0.1", 30000);
    bool tied = rtp(m, c, a, 0x55, 8, t + late + 1) == MEDIA_RTP;
    *evicted = media_get_counters(m)->flows_evicted;
    *dropped = media_get_counters(m)->flows_dropped;
    media_free(m);
    return tied;
}

/* A full flow table forgets its longest idle flows for a new call's SDP, but never a flow younger
 * than MEDIA_FLOW_MIN_IDLE_MS. */
static void test_full_table(void)
{
    uint64_t ev = 0, dr = 0;
    const int64_t min_idle = (int64_t)MEDIA_FLOW_MIN_IDLE_MS * 1000000;
    CHECK(full_table_then(20 * min_idle, &ev, &dr)); /* old calls: room is made */
    CHECK(ev >= MEDIA_MAX_FLOWS / 4);
    CHECK_EQ_INT(dr, 0);
    CHECK(!full_table_then(min_idle / 2, &ev, &dr)); /* all recent: the new flow is dropped */
    CHECK_EQ_INT(ev, 0);
    CHECK(dr >= 1);
}

int main(void)
{
    test_stream_expiry();
    test_flow_expiry();
    test_map_resize();
    test_full_table();
    return check_done();
}
