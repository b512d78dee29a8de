/* dialog.h: rebuilds calls from SIP messages: one call per Call-ID (as sngrep and CLI.md define
 * it), retransmission detection per hop, the INVITE state machine (RFC 3261 §13, §17), the final
 * status of the initial request or its last retry, setup time and duration. Pure: no I/O. */
#ifndef SS_DIALOG_H
#define SS_DIALOG_H

#include "dissect/net.h"
#include "dissect/sip.h"

#define DLG_MAX_URI      256 /* From/To URIs kept per call (longer ones are cut) */
#define DLG_MAX_METHOD   24  /* method token kept */
#define DLG_RETRANS_KEYS 48  /* recent message keys remembered per call for retransmissions */

enum dlg_state {
    DLG_ST_NONE = 0,  /* only responses seen so far */
    DLG_ST_CALLING,   /* INVITE sent, no 18x yet */
    DLG_ST_RINGING,   /* 18x received */
    DLG_ST_IN_CALL,   /* 2xx received */
    DLG_ST_COMPLETED, /* INVITE: answered then BYE; others: 2xx final */
    DLG_ST_REJECTED,  /* INVITE: 3xx/4xx/6xx final */
    DLG_ST_CANCELLED, /* INVITE: CANCEL or 487 */
    DLG_ST_FAILED,    /* INVITE: 5xx final or timed out; others: final >= 300 */
    DLG_ST_PENDING,   /* non-INVITE: no final response yet */
    DLG_ST_TIMED_OUT, /* live capture: no message for the call timeout while calling, ringing,
                       * in-call or pending (set by the store, not by dlg_message) */
};

/* "calling", "ringing", ... as CLI.md names them; NULL for DLG_ST_NONE. */
const char *dlg_state_name(int state);
/* The state for a name, or -1. */
int dlg_state_of(const char *name);
/* True for a state in which the call is over (completed, rejected, cancelled, failed,
 * timed-out); false for calling, ringing, in-call, pending and none. */
bool dlg_state_final(int state);

struct dlg_call {
    uint64_t id;     /* assigned by the table (dlg_ctx next id); stable for the store */
    uint64_t key;    /* hash of the Call-ID */
    int64_t capture; /* the user's tag (the store's capture id), set when the call is new */
    uint16_t call_id_len;
    char call_id[SIP_MAX_CALL_ID + 1];
    char method[DLG_MAX_METHOD]; /* first request's method, "" until a request is seen */
    uint8_t method_id;
    char from_uri[DLG_MAX_URI];
    char to_uri[DLG_MAX_URI];
    struct net_endpoint src, dst; /* of the first request */
    uint8_t transport;            /* of the first request */
    int64_t start_ns, end_ns;
    uint32_t nmsgs;
    uint16_t final_status; /* 0 = none yet */
    uint8_t state;         /* enum dlg_state */
    bool has_init;         /* an initial request was seen */
    bool cancel_seen;
    bool dirty;         /* changed since the store last wrote it */
    bool reloaded;      /* state was loaded back from the store */
    bool reported;      /* owner's mark (the store's "call ended" notice); the table never reads
                         * it and a reloaded call starts with it false */
    uint32_t init_cseq; /* CSeq of the current initial request (or its last retry) */
    int64_t invite_ns;  /* first initial INVITE */
    int64_t ring_ns;    /* first 18x or 2xx to it */
    int64_t answer_ns;  /* first 2xx to it */
    int64_t bye_ns;     /* first BYE after the answer */
    uint32_t rtp_streams;
    uint64_t rkeys[DLG_RETRANS_KEYS];
    uint8_t nrkeys, rkpos;
    struct dlg_call *lru_prev, *lru_next; /* table-internal: activity order */
};

/* What one message did. */
struct dlg_event {
    struct dlg_call *call; /* NULL when the message has no Call-ID */
    bool new_call;         /* the call was created by this message */
    bool retransmission;   /* same request/response already seen on this hop */
};

struct dlg_limits {
    unsigned max_calls; /* calls held in memory (default 100000): beyond, the oldest is evicted */
    uint32_t idle_evict_ms; /* a call idle this long (capture time) is evicted (default 60 s) */
    unsigned bloom_bits;    /* Bloom filter of evicted Call-IDs, a power of two (default 2^23) */
};

struct dlg_ctx;

/* on_evict is called for every call leaving memory (eviction or dlg_flush_all), before it is
 * freed, so the store can write it. */
typedef void (*dlg_evict_fn)(void *user, struct dlg_call *c);
/* on_reload is called when a message's Call-ID is not in memory but may have been evicted
 * earlier (a Bloom filter of evicted keys says so): it fills c (call_id, key already set) from
 * what the store wrote and returns true, or returns false for a new call. May be NULL. */
typedef bool (*dlg_reload_fn)(void *user, struct dlg_call *c);

struct dlg_ctx *dlg_new(const struct dlg_limits *lim, uint64_t first_id, dlg_evict_fn on_evict,
                        dlg_reload_fn on_reload, void *user);
void dlg_free(struct dlg_ctx *d);
/* Replaces the limits (a zero field keeps the current value); e.g. live capture evicts idle calls
 * after its call timeout instead of the default. */
void dlg_set_limits(struct dlg_ctx *d, const struct dlg_limits *lim);

/* Feeds one parsed message (pl: its addresses and time). Fills ev. */
void dlg_message(struct dlg_ctx *d, const struct sip_msg *m, const struct net_payload *pl,
                 struct dlg_event *ev);

/* Evicts calls idle longer than the limit as of now_ns, and the oldest beyond max_calls. */
void dlg_expire(struct dlg_ctx *d, int64_t now_ns);
/* Evicts every call (end of input). */
void dlg_flush_all(struct dlg_ctx *d);

/* Calls one function for every call in memory (for periodic writes of dirty calls). */
void dlg_foreach(struct dlg_ctx *d, void (*fn)(void *user, struct dlg_call *c), void *user);

/* Hash of a Call-ID as dlg_call.key holds it. */
uint64_t dlg_hash(struct slice call_id);

/* Number of calls in memory, and counters. */
size_t dlg_count(const struct dlg_ctx *d);
uint64_t dlg_evicted(const struct dlg_ctx *d);

#endif
