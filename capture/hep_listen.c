/* hep_listen.c: HEP collector sockets (hep_listen.h): one poll() over the UDP sockets, the TCP
 * listening sockets and the TCP agents; every length read from the wire is bounded by the
 * buffers here and checked again by hep_parse. A TCP agent that sends a non-HEP or malformed
 * stream is disconnected (its framing is lost). Compressed payloads (chunk 16) are inflated
 * with zlib (gzip or zlib format) into a 64 KiB buffer; larger ones are rejected. */
#include "capture/hep_listen.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/hep_send.h"

#define UDP_BATCH  (1 << 10) /* datagrams read from one socket per poll round */
#define UDP_RCVBUF (8 << 20) /* kernel receive buffer asked for */
#ifndef SO_RCVBUFFORCE
#define SO_RCVBUFFORCE 33 /* Linux: beyond rmem_max, with CAP_NET_ADMIN */
#endif

struct conn {
    int fd;
    struct sockaddr_storage peer;
    size_t len;
    uint8_t *buf; /* HEP_TCP_BUF */
};

struct hep_listener {
    int fds[HEP_LISTEN_MAX];
    bool is_tcp[HEP_LISTEN_MAX];
    int n;
    struct conn conns[HEP_TCP_MAX_CLIENTS];
    int nconns;
    uint8_t rx[HEP_MAX_PACKET + 1];
    uint8_t inflated[HEP_MAX_PACKET];
    struct hep_listen_stats st;
};

struct hep_listener *hep_listener_new(void)
{
    struct hep_listener *l = calloc(1, sizeof *l);
    if (!l)
        abort();
    return l;
}

int hep_listener_add(struct hep_listener *l, const char *url, char *err, size_t errlen)
{
    struct hep_url u;
    if (hep_url_parse(url, &u, err, errlen) < 0)
        return -1;
    if (l->n >= HEP_LISTEN_MAX) {
        snprintf(err, errlen, "%s: too many listeners (max %d)", url, HEP_LISTEN_MAX);
        return -1;
    }
    struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICHOST,
                             .ai_socktype = u.tcp ? SOCK_STREAM : SOCK_DGRAM},
                    *ai = NULL;
    int rc = getaddrinfo(u.host, u.port, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "%s: bind address must be numeric: %s", url, gai_strerror(rc));
        return -1;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1, rb = UDP_RCVBUF;
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (!u.tcp && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rb, sizeof rb) < 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof rb);
    }
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || (u.tcp && listen(fd, 64) < 0)) {
        snprintf(err, errlen, "%s: %s", url, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    l->fds[l->n] = fd;
    l->is_tcp[l->n] = u.tcp;
    l->n++;
    return 0;
}

/* Inflates a chunk-16 payload in place of m->payload; false when it does not inflate. */
static bool inflate_payload(struct hep_listener *l, struct hep_msg *m)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK) /* 32: gzip or zlib header, detected */
        return false;
    z.next_in = (Bytef *)(uintptr_t)m->payload.p;
    z.avail_in = (uInt)m->payload.len;
    z.next_out = l->inflated;
    z.avail_out = sizeof l->inflated;
    int rc = inflate(&z, Z_FINISH);
    size_t n = sizeof l->inflated - z.avail_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END)
        return false;
    m->payload = slice_make(l->inflated, n);
    m->compressed = false;
    return true;
}

/* Decodes one packet and hands it on; returns true when handed. */
static bool handle(struct hep_listener *l, struct slice pkt, const struct sockaddr_storage *peer,
                   bool tcp, hep_recv_fn fn, void *user)
{
    struct hep_msg m;
    enum dis_result r = hep_parse(pkt, &m);
    if (r == DIS_NOT_MINE) {
        l->st.not_hep++;
        return false;
    }
    if (r == DIS_TRUNC) {
        l->st.truncated++;
        return false;
    }
    if (r != DIS_OK) {
        l->st.bad[m.error < HEP_E__COUNT ? m.error : 0]++;
        return false;
    }
    if (m.compressed && !inflate_payload(l, &m)) {
        l->st.inflate_failed++;
        return false;
    }
    l->st.packets++;
    fn(user, &m, peer, tcp);
    return true;
}

static int read_udp(struct hep_listener *l, int fd, hep_recv_fn fn, void *user)
{
    int got = 0;
    for (int i = 0; i < UDP_BATCH; i++) {
        struct sockaddr_storage peer;
        socklen_t pl = sizeof peer;
        ssize_t n = recvfrom(fd, l->rx, sizeof l->rx, 0, (struct sockaddr *)&peer, &pl);
        if (n < 0)
            break;
        l->st.bytes += (uint64_t)n;
        if ((size_t)n > HEP_MAX_PACKET) { /* larger than any HEP packet */
            l->st.bad[HEP_E_TOTAL_LEN]++;
            continue;
        }
        got += handle(l, slice_make(l->rx, (size_t)n), &peer, false, fn, user);
    }
    return got;
}

static void accept_tcp(struct hep_listener *l, int fd)
{
    struct sockaddr_storage peer;
    socklen_t pl = sizeof peer;
    int c = accept(fd, (struct sockaddr *)&peer, &pl);
    if (c < 0)
        return;
    if (l->nconns >= HEP_TCP_MAX_CLIENTS) {
        l->st.tcp_refused++;
        close(c);
        return;
    }
    struct conn *k = &l->conns[l->nconns++];
    k->fd = c;
    k->peer = peer;
    k->len = 0;
    k->buf = malloc(HEP_TCP_BUF);
    if (!k->buf)
        abort();
    l->st.tcp_accepted++;
}

static void drop_conn(struct hep_listener *l, int i)
{
    close(l->conns[i].fd);
    free(l->conns[i].buf);
    l->conns[i] = l->conns[--l->nconns];
}

/* Reads what an agent sent and hands on every whole packet; false when it must be dropped. */
static bool read_tcp(struct hep_listener *l, struct conn *k, hep_recv_fn fn, void *user, int *got)
{
    ssize_t n = recv(k->fd, k->buf + k->len, HEP_TCP_BUF - k->len, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        return false;
    if (n < 0)
        return true;
    l->st.bytes += (uint64_t)n;
    k->len += (size_t)n;
    size_t off = 0;
    for (;;) {
        size_t plen = 0;
        enum dis_result r = hep_frame_len(slice_make(k->buf + off, k->len - off), &plen);
        if (r == DIS_SHORT)
            break;
        if (r != DIS_OK) {
            l->st.tcp_closed_bad++;
            return false;
        }
        *got += handle(l, slice_make(k->buf + off, plen), &k->peer, true, fn, user);
        off += plen;
    }
    memmove(k->buf, k->buf + off, k->len - off);
    k->len -= off;
    return true;
}

int hep_listener_poll(struct hep_listener *l, int timeout_ms, hep_recv_fn fn, void *user)
{
    struct pollfd p[HEP_LISTEN_MAX + HEP_TCP_MAX_CLIENTS];
    int np = 0;
    for (int i = 0; i < l->n; i++)
        p[np++] = (struct pollfd){.fd = l->fds[i], .events = POLLIN};
    for (int i = 0; i < l->nconns; i++)
        p[np++] = (struct pollfd){.fd = l->conns[i].fd, .events = POLLIN};
    int rc = poll(p, (nfds_t)np, timeout_ms);
    if (rc < 0)
        return errno == EINTR ? -1 : 0;
    int got = 0;
    for (int i = 0; i < l->n; i++) {
        if (!(p[i].revents & POLLIN))
            continue;
        if (l->is_tcp[i])
            accept_tcp(l, l->fds[i]);
        else
            got += read_udp(l, l->fds[i], fn, user);
    }
    /* connections polled this round: p[l->n + k]; drop_conn moves the last into k, so go down */
    int polled = np - l->n;
    for (int k = polled - 1; k >= 0; k--) {
        if (p[l->n + k].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!read_tcp(l, &l->conns[k], fn, user, &got))
                drop_conn(l, k);
        }
    }
    return got;
}

const struct hep_listen_stats *hep_listener_stats(const struct hep_listener *l)
{
    return &l->st;
}

void hep_listener_free(struct hep_listener *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->n; i++)
        close(l->fds[i]);
    while (l->nconns > 0)
        drop_conn(l, l->nconns - 1);
    free(l);
}
