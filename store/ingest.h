/* ingest.h: the dissect -> store path for one import or capture session: frames in, calls and
 * messages out (net layers, SIP parse, SDP, dialogs, batched writes). One thread owns it. */
#ifndef SS_INGEST_H
#define SS_INGEST_H

#include "dissect/frame.h"
#include "store/db.h"

struct ingest_stats {
    uint64_t packets;
    uint64_t sip_messages;
    uint64_t calls; /* calls first seen in this capture */
    uint64_t rtp_streams;
    uint64_t malformed; /* SIP messages flagged malformed */
    int64_t first_ns, last_ns;
    /* state dropped at its limits (dissect/net.h, dialog.h), set by ingest_capture_end: IP
     * datagrams and TCP directions evicted from reassembly, calls evicted from memory before the
     * end (stored first, so no call is lost) */
    uint64_t frag_evicted, tcp_evicted, calls_evicted;
};

struct ingest;

struct ingest *ingest_new(struct db *db, char *err, size_t errlen);
/* Starts a capture (a file or an interface); returns 0 or -1 with err. */
int ingest_capture_begin(struct ingest *in, const char *name, const char *quick_hash, int linktype,
                         char *err, size_t errlen);
/* Dissects and stores one frame. */
void ingest_frame(struct ingest *in, const struct frame *f);
/* Writes every open call and ends the capture (complete: 1 whole file read, 2 stopped by a read
 * error); returns 0 or -1 with err. */
int ingest_capture_end(struct ingest *in, int complete, const char *hash, uint64_t size, char *err,
                       size_t errlen);
/* Id of the current (or last) capture. */
int64_t ingest_capture_id(const struct ingest *in);
/* Counters of the current (or last) capture. */
const struct ingest_stats *ingest_get_stats(const struct ingest *in);
/* Commits what is pending; returns 0 or -1 with err. */
int ingest_commit(struct ingest *in, char *err, size_t errlen);
/* The first storage error, or NULL. */
const char *ingest_error(const struct ingest *in);

struct dlg_call;

/* Live capture: what happens to calls as wall-clock time passes (ingest_set_live). */
struct ingest_live {
    /* A call still calling, ringing, in-call or pending that sees no message for this long is
     * closed: stored with state "timed-out" and freed. 0 = calls never time out. */
    uint32_t call_timeout_ms;
    /* An ended call is reported once it has seen no message for this long (late ACKs and
     * retransmissions still count in its line). */
    uint32_t linger_ms;
    /* Told once per call: when it ended (see linger_ms), timed out, or is still open when the
     * capture ends (then with its current state). The call is only borrowed. May be NULL. */
    void (*on_call_end)(void *user, const struct dlg_call *c);
    void *user;
};

/* Switches on live behaviour (before the first frame): the timeout and the end-of-call notices. */
void ingest_set_live(struct ingest *in, const struct ingest_live *lv);
/* Live periodic work as of wall-clock now_ns (epoch ns, the frames' clock; 0 = only as far as
 * the frames seen so far, for a caller with frames still waiting): expires reassembly state and
 * idle calls, writes every changed call and RTP stream (so other readers of the database see
 * them) and gives the end-of-call notices. Call it every ~250 ms, then ingest_commit. */
void ingest_tick(struct ingest *in, int64_t now_ns);
/* Also decodes UDP port as VXLAN (besides 4789); 0 = none. Before the first frame. */
void ingest_set_vxlan_port(struct ingest *in, uint16_t port);
/* --store-rtp: keep the RTP/RTCP packets of calls (docs/media.md). Returns 0, or -1 with err. */
int ingest_store_rtp(struct ingest *in, char *err, size_t errlen);
/* --rtp-heuristic: look for RTP on flows no SDP announced (docs/media.md). 0, or -1 with err. */
int ingest_rtp_heuristic(struct ingest *in, char *err, size_t errlen);
struct net_payload;
struct sip_msg;
/* Told of every SIP message after its row was written (msg_id = messages.id, 0 when the write
 * failed): the payload as dissected (after IP/TCP reassembly) and its parse. Both borrowed. */
typedef void (*ingest_sip_fn)(void *user, const struct net_payload *pl, const struct sip_msg *m,
                              uint64_t msg_id);
/* Sets (or clears with NULL) the per-SIP-message hook (the HEP agent, the collector's tags). */
void ingest_set_sip_hook(struct ingest *in, ingest_sip_fn fn, void *user);
/* Stores one payload that arrived already decoded (a HEP packet): what ingest_frame does after
 * the net layers. pl->frame must be set (ts_ns, index; caplen/data unused). */
void ingest_payload(struct ingest *in, const struct net_payload *pl);

/* Commits and frees; returns 0 or -1 with err. */
int ingest_free(struct ingest *in, char *err, size_t errlen);

#endif
