/* tcp_stream.h: the table of TCP stream directions (RFC 9293 §3.4 sequence space) with their
 * partial-message buffers and out-of-order segments, bounded per stream and in total. */
#ifndef SS_TCP_STREAM_H
#define SS_TCP_STREAM_H

#include "dissect/net_priv.h"

#define TCP_MAX_OOO_SEGS 32   /* out-of-order segments held per direction before a gap is skipped */
#define TCP_BUF_KEEP     4096 /* an emptied buffer up to this capacity is kept for reuse */
#define TCP_GAP_WAIT_MS  3000 /* a hole older than this is skipped when the stream moves on */

/* Serial-number comparison of sequence numbers (RFC 1982 §3.2): true when a is before b. */
static inline bool tcp_seq_lt(uint32_t a, uint32_t b)
{
    return a != b && (uint32_t)(a - b) > 0x7fffffffu;
}

/* One out-of-order segment, copied. */
struct tcp_seg {
    struct tcp_seg *next; /* sorted by seq */
    uint32_t seq;
    uint32_t len;
    uint8_t data[];
};

/* One direction of a TCP connection. */
struct tcp_stream {
    struct tcp_stream *hnext; /* hash chain */
    struct tcp_stream *newer; /* LRU list */
    struct tcp_stream *older;
    struct net_endpoint src;
    struct net_endpoint dst;
    uint32_t hash;
    bool seq_known;
    uint32_t next_seq; /* the next in-order sequence number, once seq_known */
    int64_t last_ns;
    uint8_t *buf; /* in-order bytes of a partial message */
    size_t len;
    size_t cap;
    struct tcp_seg *ooo;
    unsigned ooo_count;
    size_t ooo_bytes;
    int64_t ooo_since_ns; /* when the oldest wait for missing bytes began */
    /* SIP over WebSocket (ws.c) */
    uint8_t ws;        /* enum ws_mode */
    bool ws_open;      /* a fragmented message is being collected */
    bool ws_joined;    /* it has several frames */
    unsigned ws_frags; /* frames in it */
    uint8_t *ws_msg;   /* its unmasked bytes */
    size_t ws_len, ws_cap;
};

struct tcp_table;

/* Creates a table bounded by lim (tcp_* fields); counters go to *st. Aborts on OOM. */
struct tcp_table *tcp_table_new(const struct net_limits *lim, struct net_stats *st);
/* Frees the table and all its streams. */
void tcp_table_free(struct tcp_table *t);

/* Finds the stream src -> dst and marks it used at now_ns; when absent and create is true, makes
 * one (evicting the least recently used at tcp_max_streams). Returns NULL when absent. */
struct tcp_stream *tcp_stream_get(struct tcp_table *t, const struct net_endpoint *src,
                                  const struct net_endpoint *dst, int64_t now_ns, bool create);
/* Forgets stream s and everything it holds. */
void tcp_stream_close(struct tcp_table *t, struct tcp_stream *s);

/* Appends d to s's buffer. Returns false (buffer unchanged) when that would pass
 * tcp_max_stream_bytes or, after evicting other streams, tcp_max_total_bytes. */
bool tcp_stream_buf_append(struct tcp_table *t, struct tcp_stream *s, struct slice d);
/* Drops the first n buffered bytes (n <= s->len). */
void tcp_stream_buf_consume(struct tcp_table *t, struct tcp_stream *s, size_t n);

/* Keeps a copy of an out-of-order segment. Returns false when the per-stream bounds or the total
 * bound do not allow it. A segment with a seq already held and no more bytes is ignored. */
bool tcp_stream_ooo_add(struct tcp_table *t, struct tcp_stream *s, uint32_t seq, struct slice d);
/* Unlinks and returns the lowest out-of-order segment (NULL when none); free with
 * tcp_stream_seg_free. */
struct tcp_seg *tcp_stream_ooo_pop(struct tcp_table *t, struct tcp_stream *s);
void tcp_stream_seg_free(struct tcp_seg *g);

/* Drops streams idle since before now_ns - tcp_timeout_ms. */
void tcp_stream_expire(struct tcp_table *t, int64_t now_ns);

#endif
