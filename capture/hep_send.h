/* hep_send.h: the HEP agent's sending side: every SIP message as dissected becomes one HEP v3
 * packet (correlation id = Call-ID) sent to a collector over UDP (non-blocking, a failure is
 * counted) or TCP (non-blocking, bounded queue, reconnect with backoff). docs/hep.md. */
#ifndef SS_HEP_SEND_H
#define SS_HEP_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/net.h"

#define HEP_URL_HOST_MAX 256
#define HEP_SEND_QUEUE   (4u << 20) /* TCP: bytes queued while the collector is slow or away */

/* "udp:HOST:PORT" / "tcp:HOST:PORT" (IPv6 host in brackets: "udp:[::1]:9060"). */
struct hep_url {
    bool tcp;
    char host[HEP_URL_HOST_MAX];
    char port[8];
};

/* Parses s into *u; returns 0, or -1 with a reason in err. */
int hep_url_parse(const char *s, struct hep_url *u, char *err, size_t errlen);

struct hep_agent_opts {
    const char *url;      /* udp:HOST:PORT or tcp:HOST:PORT */
    uint32_t id;          /* capture agent id (chunk 12) */
    const char *name;     /* capture agent name (chunk 19), or NULL */
    const char *password; /* auth key (chunk 14), or NULL */
};

struct hep_send_stats {
    uint64_t messages;   /* SIP messages handed to the sender */
    uint64_t sent;       /* packets the kernel accepted (TCP: written whole) */
    uint64_t failed;     /* UDP send errors (collector down: ECONNREFUSED), TCP packets cut */
    uint64_t dropped;    /* TCP: queue full, or still queued at the end */
    uint64_t too_big;    /* over the 64 KiB HEP limit */
    uint64_t reconnects; /* TCP connections made after the first */
};

struct hep_sender;

/* Resolves the collector and opens the socket (TCP connects in the background). NULL with err
 * on a bad URL or an unresolvable host. */
struct hep_sender *hep_sender_open(const struct hep_agent_opts *o, char *err, size_t errlen);
/* Encodes and sends (or queues) one SIP message; call_id may be empty. Never blocks. */
void hep_sender_payload(struct hep_sender *s, const struct net_payload *pl, struct slice call_id);
/* TCP: reconnects when due and writes what the socket takes. Call it every ~100 ms. */
void hep_sender_poll(struct hep_sender *s);
/* Waits up to wait_ms for the TCP queue to drain (0: not at all), closes, fills *st. */
void hep_sender_close(struct hep_sender *s, int wait_ms, struct hep_send_stats *st);
/* TCP: bytes waiting in the queue (0 for UDP). */
size_t hep_sender_queued(const struct hep_sender *s);
/* Current counters. */
const struct hep_send_stats *hep_sender_stats(const struct hep_sender *s);

#endif
