/* writer.h: batched, prepared-statement writer of captures, calls, messages and SDP media into
 * the history database; raw SIP bytes go to the append-only spool (docs/schema.md). */
#ifndef SS_WRITER_H
#define SS_WRITER_H

#include "dissect/dialog.h"
#include "dissect/sdp.h"
#include "store/db.h"

#define WRITER_BATCH     5000 /* rows per transaction */
#define WRITER_MSG_ROWS  32   /* message rows per INSERT statement */
#define WRITER_SPAN_ROWS 256  /* messages per message_spans row (store/schema.sql.h) */

struct writer;

/* One message row as the writer stores it. */
struct wr_msg {
    uint64_t call; /* calls.id, 0 = none */
    uint64_t frame;
    unsigned idx;
    int64_t ts_ns;
    const struct net_endpoint *src, *dst;
    int transport;
    struct slice method; /* empty for responses */
    unsigned status;
    struct slice reason;
    int64_t cseq; /* -1 = none */
    struct slice cseq_method;
    unsigned flags;  /* enum db_msg_flag */
    struct slice ua; /* User-Agent (else Server) value, empty when absent */
    struct slice raw;
};

struct writer *writer_new(struct db *db, char *err, size_t errlen);
/* Commits and frees. Returns 0, or -1 when the last commit failed (err filled). */
int writer_free(struct writer *w, char *err, size_t errlen);

/* Starts a capture row (complete=0); returns its id, or -1. */
int64_t writer_capture_begin(struct writer *w, const char *name, const char *quick_hash,
                             int linktype);
/* Ends the current capture: complete 1 (every frame read) or 2 (stopped by a read error), with
 * its hash and counters; commits. */
int writer_capture_end(struct writer *w, int complete, const char *hash, uint64_t size,
                       uint64_t packets, uint64_t sip_messages, uint64_t calls, int64_t first_ns,
                       int64_t last_ns);
int64_t writer_capture_id(const struct writer *w);

/* Appends a message; returns its messages.id, or 0 on error. The row is written with the next
 * WRITER_MSG_ROWS - 1 (or at the commit): in the open transaction it may not be readable yet. */
uint64_t writer_message(struct writer *w, const struct wr_msg *m);
/* Writes the media lines of an SDP body carried by message msg_id. */
int writer_sdp(struct writer *w, uint64_t msg_id, const struct sdp *s);
/* Inserts or replaces a call row from its dialog state. */
int writer_call(struct writer *w, const struct dlg_call *c);
/* Loads a call previously written in this import (capture >= first_capture) back into c
 * (matched on c->call_id). Returns true when found. */
bool writer_reload_call(struct writer *w, int64_t first_capture, struct dlg_call *c);

/* Appends raw bytes (e.g. kept RTP, store/rtp_store.h) to the spool; returns their offset. */
uint64_t writer_spool(struct writer *w, struct slice raw);
/* Commits the open transaction (and flushes the spool). Returns 0 or -1. */
int writer_commit(struct writer *w);
/* The first error met (one line), or NULL. Once set, later writes are ignored. */
const char *writer_error(const struct writer *w);

#endif
