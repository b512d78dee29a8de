/* hep_listen.h: the HEP collector's sockets: UDP and TCP listeners on explicit addresses, HEP
 * packets decoded (dissect/hep.c; compressed payloads inflated) and handed to a callback; bad
 * packets counted by reason. TCP carries HEP v3 only (framed by its total length). */
#ifndef SS_HEP_LISTEN_H
#define SS_HEP_LISTEN_H

#include <stdint.h>
#include <sys/socket.h>

#include "dissect/hep.h"

#define HEP_LISTEN_MAX      8   /* --hep listeners at once */
#define HEP_TCP_MAX_CLIENTS 256 /* TCP agents at once; more are refused */
#define HEP_TCP_BUF         (2 * HEP_MAX_PACKET + 2)

struct hep_listen_stats {
    uint64_t packets;           /* HEP packets decoded */
    uint64_t bytes;             /* bytes received */
    uint64_t not_hep;           /* datagrams / streams that were not HEP */
    uint64_t truncated;         /* v3 total length beyond the datagram */
    uint64_t bad[HEP_E__COUNT]; /* malformed, by reason (enum hep_error) */
    uint64_t inflate_failed;    /* compressed payload that did not inflate */
    uint64_t tcp_accepted, tcp_refused, tcp_closed_bad;
};

/* One packet as received: decoded m (borrowed), the sender's socket address, TCP or not. */
typedef void (*hep_recv_fn)(void *user, const struct hep_msg *m,
                            const struct sockaddr_storage *peer, bool tcp);

struct hep_listener;

struct hep_listener *hep_listener_new(void);
/* Binds "udp:ADDR:PORT" or "tcp:ADDR:PORT". Returns 0, or -1 with "URL: reason" in err. */
int hep_listener_add(struct hep_listener *l, const char *url, char *err, size_t errlen);
/* Waits up to timeout_ms for packets and hands each to fn. Returns the number of packets
 * handed, or -1 when interrupted by a signal. */
int hep_listener_poll(struct hep_listener *l, int timeout_ms, hep_recv_fn fn, void *user);
const struct hep_listen_stats *hep_listener_stats(const struct hep_listener *l);
void hep_listener_free(struct hep_listener *l);

#endif
