/* ladder.h: the pure ladder (message sequence chart) layout shared by the TUI and every export
 * format: hosts -> columns, messages -> rows with arrow direction, label, response class, time and
 * delta. No I/O, no drawing: the TUI and export_*.c turn a layout into pixels or text. */
#ifndef SS_LADDER_H
#define SS_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LADDER_MAX_HOSTS 64 /* columns; endpoints beyond fold into the last one */
#define LADDER_LABEL     96 /* bytes of an arrow label (NUL included) */

/* One message as the store gives it (strings borrowed for the layout's lifetime). */
struct ladder_msg {
    int64_t id; /* messages.id (for raw text lookups), 0 when none */
    int64_t ts_ns;
    const char *src, *dst; /* "ip:port" or "[v6]:port" */
    const char *transport; /* "UDP", "TCP", ... */
    const char *method;    /* requests; NULL for responses */
    int status;            /* responses; 0 for requests */
    const char *reason;    /* responses' reason phrase as on the wire */
    int64_t cseq;          /* -1 when none */
    const char *cseq_method;
    const char *call_id;
    bool sdp;                /* carries SDP */
    bool retrans;            /* a retransmission */
    const char *sdp_summary; /* e.g. "PCMA 192.0.2.1:30000 sendrecv", or NULL */
};

/* One RTP stream to draw as an arrow (figures preformatted by the caller), optional. */
struct ladder_stream {
    const char *src, *dst;
    int64_t first_ns, last_ns;
    const char *label; /* e.g. "RTP PCMA 50 pkts 0 lost MOS 4.4" */
};

/* The figures of an RTP stream row's label. */
struct ladder_rtp_fig {
    const char *codec; /* "PCMA/8000", NULL when unknown */
    int64_t packets, lost;
    double max_jitter_ms;
    double mos;       /* < 0 when none */
    const char *dtmf; /* RFC 4733 digits, NULL when none */
    bool problem;     /* sequence or timestamp errors (tshark's "X") */
};

/* The label of an RTP stream row, the same in every view:
 * "RTP PCMA/8000 50 pkts 0 lost max jitter 0.42 ms MOS 4.40[ DTMF 12#][ [seq/ts errors]]"
 * (wire text made printable). Returns out. */
char *ladder_rtp_label(char *out, size_t cap, const struct ladder_rtp_fig *f);

struct ladder_opts {
    bool by_address; /* one column per address instead of per address:port */
};

enum ladder_class {
    LADDER_REQUEST = 0, /* requests */
    LADDER_1XX = 1,
    LADDER_2XX,
    LADDER_3XX,
    LADDER_4XX,
    LADDER_5XX,
    LADDER_6XX,
    LADDER_RTP = 9, /* an RTP stream row */
};

struct ladder_row {
    size_t from, to;          /* column indexes; equal for a message to itself */
    bool left_to_right;       /* arrow direction on the page */
    int cls;                  /* enum ladder_class */
    char label[LADDER_LABEL]; /* "INVITE (SDP)", "180 Ringing", "200 OK [rtx]"...: wire text made
                                 printable (control bytes -> '?'); escape it for the target */
    int64_t rel_ns;           /* since the first row */
    int64_t delta_ns;         /* since the previous row */
    const struct ladder_msg *msg;       /* NULL for stream rows */
    const struct ladder_stream *stream; /* NULL for message rows */
};

struct ladder_layout {
    size_t nhosts;
    char hosts[LADDER_MAX_HOSTS][64]; /* column titles, in order of first appearance */
    size_t nrows;
    struct ladder_row *rows; /* owned */
    int64_t t0_ns;           /* absolute time of the first row (rel_ns = 0) */
};

/* Lays out msgs (in capture order) and streams (placed at their first_ns among the messages).
 * Returns 0, or -1 on allocation failure (then out is empty). */
int ladder_build(const struct ladder_msg *msgs, size_t nmsgs, const struct ladder_stream *streams,
                 size_t nstreams, const struct ladder_opts *opts, struct ladder_layout *out);
void ladder_layout_free(struct ladder_layout *l);

/* Copies wire text src (NULL = "") into dst (cap bytes, always NUL-terminated) made printable:
 * control bytes, DEL, C1 controls and invalid UTF-8 become '?'; valid UTF-8 is kept and never cut
 * in the middle of a character. Returns the bytes written. */
size_t ladder_printable(char *dst, size_t cap, const char *src);

/* "1xx".."6xx" / "request" / "rtp": a CSS-friendly name of a row class. */
const char *ladder_class_name(int cls);

#endif
