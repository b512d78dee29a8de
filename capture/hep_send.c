/* hep_send.c: HEP v3 agent sender (hep_send.h): UDP datagrams sent non-blocking, or a TCP
 * stream with a bounded byte queue that is written as the socket takes it and survives the
 * collector going away (reconnect with exponential backoff, 100 ms .. 5 s). */
#include "capture/hep_send.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dissect/hep.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

struct hep_sender {
    struct hep_url url;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int fd;
    bool connecting, connected, ever_connected;
    int64_t next_try_ms;
    int backoff_ms;
    uint32_t id;
    struct slice name, password;
    uint8_t pkt[HEP_MAX_PACKET];
    uint8_t *q; /* TCP queue: bytes [qhead, qlen) wait; qsent of the packet at qhead are out */
    size_t qhead, qlen, qsent;
    struct hep_send_stats st;
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int hep_url_parse(const char *s, struct hep_url *u, char *err, size_t errlen)
{
    memset(u, 0, sizeof *u);
    if (strncmp(s, "udp:", 4) == 0) {
        u->tcp = false;
    } else if (strncmp(s, "tcp:", 4) == 0) {
        u->tcp = true;
    } else {
        snprintf(err, errlen, "'%s': expected udp:HOST:PORT or tcp:HOST:PORT", s);
        return -1;
    }
    const char *h = s + 4, *colon;
    size_t hl;
    if (*h == '[') {
        const char *close = strchr(h, ']');
        if (!close || close[1] != ':') {
            snprintf(err, errlen, "'%s': bad [IPv6]:PORT", s);
            return -1;
        }
        h++;
        hl = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(h, ':');
        hl = colon ? (size_t)(colon - h) : 0;
    }
    const char *p = colon ? colon + 1 : "";
    size_t pl = strlen(p);
    char *end = NULL;
    long port = strtol(p, &end, 10);
    if (!colon || hl == 0 || hl >= sizeof u->host || pl == 0 || pl >= sizeof u->port || *end ||
        port < 1 || port > 65535) {
        snprintf(err, errlen, "'%s': expected PROTO:HOST:PORT with a port 1-65535", s);
        return -1;
    }
    memcpy(u->host, h, hl);
    memcpy(u->port, p, pl);
    return 0;
}

static void close_fd(struct hep_sender *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->connecting = s->connected = false;
}

/* TCP: starts a non-blocking connect; on failure schedules the next try. */
static void tcp_connect(struct hep_sender *s)
{
    close_fd(s);
    s->fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd >= 0 && connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen) == 0) {
        s->connected = true;
    } else if (s->fd >= 0 && errno == EINPROGRESS) {
        s->connecting = true;
    } else {
        close_fd(s);
    }
    s->next_try_ms = now_ms() + s->backoff_ms;
    s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
}

struct hep_sender *hep_sender_open(const struct hep_agent_opts *o, char *err, size_t errlen)
{
    struct hep_sender *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->fd = -1;
    if (hep_url_parse(o->url, &s->url, err, errlen) < 0)
        goto fail;
    struct addrinfo hints = {.ai_socktype = s->url.tcp ? SOCK_STREAM : SOCK_DGRAM}, *ai = NULL;
    int rc = getaddrinfo(s->url.host, s->url.port, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", o->url, gai_strerror(rc));
        goto fail;
    }
    memcpy(&s->addr, ai->ai_addr, ai->ai_addrlen);
    s->addrlen = ai->ai_addrlen;
    freeaddrinfo(ai);
    s->id = o->id;
    s->name = o->name ? slice_make(o->name, strlen(o->name)) : SLICE_NULL;
    s->password = o->password ? slice_make(o->password, strlen(o->password)) : SLICE_NULL;
    s->backoff_ms = BACKOFF_MIN_MS;
    if (s->url.tcp) {
        s->q = malloc(HEP_SEND_QUEUE);
        if (!s->q)
            abort();
        tcp_connect(s);
        return s;
    }
    s->fd = socket(s->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&s->addr, s->addrlen) < 0) {
        snprintf(err, errlen, "%s: %s", o->url, strerror(errno));
        goto fail;
    }
    return s;
fail:
    if (s->fd >= 0)
        close(s->fd);
    free(s);
    return NULL;
}

static uint8_t ip_proto(uint8_t transport)
{
    switch (transport) {
    case NET_T_UDP:
        return 17;
    case NET_T_SCTP:
        return 132;
    default:
        return 6;
    }
}

/* Length of the queued packet at q[off] (its HEP3 total length). */
static size_t queued_len(const struct hep_sender *s, size_t off)
{
    return (size_t)s->q[off + 4] << 8 | s->q[off + 5];
}

/* Writes queued bytes while the socket takes them; a dead connection is dropped (the packet cut
 * counts as failed) and retried later. */
static void tcp_flush(struct hep_sender *s)
{
    while (s->connected && s->qhead < s->qlen) {
        size_t plen = queued_len(s, s->qhead);
        ssize_t n = send(s->fd, s->q + s->qhead + s->qsent, plen - s->qsent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        if (n <= 0) {
            if (s->qsent > 0) { /* the collector saw half a packet: skip the rest */
                s->st.failed++;
                s->qhead += plen;
                s->qsent = 0;
            }
            close_fd(s);
            return;
        }
        s->qsent += (size_t)n;
        if (s->qsent == plen) {
            s->st.sent++;
            s->qhead += plen;
            s->qsent = 0;
        }
    }
    if (s->qhead == s->qlen)
        s->qhead = s->qlen = 0;
}

void hep_sender_poll(struct hep_sender *s)
{
    if (!s->url.tcp)
        return;
    if (s->connecting) {
        struct pollfd p = {.fd = s->fd, .events = POLLOUT};
        if (poll(&p, 1, 0) > 0) {
            int e = 0;
            socklen_t el = sizeof e;
            getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &el);
            s->connecting = false;
            if (e == 0) {
                s->connected = true;
                s->st.reconnects += s->ever_connected;
                s->ever_connected = true;
                s->backoff_ms = BACKOFF_MIN_MS;
            } else {
                close_fd(s);
            }
        } else if (now_ms() >= s->next_try_ms + BACKOFF_MAX_MS) {
            close_fd(s); /* no answer at all: try again */
        }
    }
    if (!s->connected && !s->connecting && now_ms() >= s->next_try_ms)
        tcp_connect(s);
    tcp_flush(s);
}

static void enqueue(struct hep_sender *s, size_t n)
{
    if (n > HEP_SEND_QUEUE - (s->qlen - s->qhead)) {
        s->st.dropped++;
        return;
    }
    if (n > HEP_SEND_QUEUE - s->qlen) { /* compact */
        memmove(s->q, s->q + s->qhead, s->qlen - s->qhead);
        s->qlen -= s->qhead;
        s->qhead = 0;
    }
    memcpy(s->q + s->qlen, s->pkt, n);
    s->qlen += n;
    hep_sender_poll(s);
}

void hep_sender_payload(struct hep_sender *s, const struct net_payload *pl, struct slice call_id)
{
    s->st.messages++;
    int64_t ts = pl->frame ? pl->frame->ts_ns : 0;
    struct hep_msg m = {
        .ip_proto = ip_proto(pl->transport),
        .proto_type = HEP_PROTO_SIP,
        .src = pl->src,
        .dst = pl->dst,
        .ts_sec = (uint32_t)(ts / 1000000000),
        .ts_usec = (uint32_t)(ts % 1000000000 / 1000),
        .capture_id = s->id,
        .payload = pl->data,
        .correlation_id = call_id,
        .node_name = s->name,
        .auth_key = s->password,
    };
    size_t n = hep_encode(&m, s->pkt, sizeof s->pkt);
    if (n == 0) {
        s->st.too_big++;
        return;
    }
    if (s->url.tcp) {
        enqueue(s, n);
        return;
    }
    if (send(s->fd, s->pkt, n, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n)
        s->st.sent++;
    else
        s->st.failed++;
}

void hep_sender_close(struct hep_sender *s, int wait_ms, struct hep_send_stats *st)
{
    if (!s)
        return;
    int64_t until = now_ms() + wait_ms;
    while (s->url.tcp && s->qhead < s->qlen && now_ms() < until) {
        hep_sender_poll(s);
        if (s->qhead < s->qlen) {
            struct timespec t = {0, 10 * 1000000};
            nanosleep(&t, NULL);
        }
    }
    if (s->url.tcp) { /* what is still queued never left */
        size_t off = s->qhead;
        while (off < s->qlen) {
            s->st.dropped++;
            off += queued_len(s, off);
        }
    }
    if (st)
        *st = s->st;
    close_fd(s);
    free(s->q);
    free(s);
}

size_t hep_sender_queued(const struct hep_sender *s)
{
    return s->qlen - s->qhead;
}

const struct hep_send_stats *hep_sender_stats(const struct hep_sender *s)
{
    return &s->st;
}
