/* diag_priv.h: what the rule files of the diagnostics engine share (dissect/diag.h): the run
 * context, each message's transaction and first copy worked out once, and the emit helper. */
#ifndef SS_DIAG_PRIV_H
#define SS_DIAG_PRIV_H

#include "dissect/diag.h"

#define DIAG_NONE ((size_t)-1)

/* A message as the rules see it (precomputed by diag_run). */
struct dm {
    const struct sip_msg *m; /* NULL: unparsed, every rule skips it */
    bool req;
    uint8_t method;  /* request method id, or the CSeq method id of a response */
    unsigned status; /* 0 for requests */
    bool has_cseq;
    uint32_t cseq;
    struct slice branch; /* top Via branch */
    size_t first;        /* index of the first copy of this message on this hop (self if first) */
    size_t txn;          /* transaction index (DIAG_NONE for ACK and unparsed messages) */
};

/* A transaction: top Via branch + CSeq number + method (RFC 3261 §17.1.3, §17.2.3). */
struct dtxn {
    size_t start; /* its first message */
    struct slice branch;
    uint32_t cseq;
    uint8_t method;
    size_t req;          /* first request copy, DIAG_NONE when only responses were seen */
    unsigned req_copies; /* copies of the request on its first hop */
    size_t last_req;     /* last copy of the request on its first hop */
    size_t prov;         /* first provisional response, or DIAG_NONE */
    size_t final;        /* first final response, or DIAG_NONE */
    unsigned final_copies;
};

struct diag_ctx {
    const struct diag_call *c;
    struct diag_result *r;
    size_t n; /* messages looked at */
    struct dm *dm;
    struct dtxn *tx;
    size_t ntx;
    int64_t end_ns; /* end of the capture */
    size_t rule;    /* index of the running rule in the table */
};

/* Adds a finding of the running rule with severity sev (0: the rule's default) pointing at the
 * given messages; the text is printf-formatted and cut to DIAG_TEXT_MAX. */
void diag_emit(struct diag_ctx *x, enum diag_sev sev, const size_t *refs, unsigned nref,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Helpers. */
bool diag_same_hop(const struct diag_ctx *x, size_t a, size_t b);
bool diag_slice_same(struct slice a, struct slice b);
/* The method text of a message for messages ("INVITE", or the CSeq method of a response). */
const char *diag_method_text(const struct dm *d);
/* The value of "name=value" inside a header value (auth params: nonce, stale). */
struct slice diag_auth_param(struct slice v, const char *name, size_t n);
/* A textual "ip:port" / "[v6]:port" endpoint's address. */
bool diag_endpoint_addr(const char *ep, struct net_addr *out);
/* RFC 1918 / RFC 6598 / RFC 4193 addresses; loopback and link-local are neither. */
bool diag_addr_private(const struct net_addr *a);
bool diag_addr_public(const struct net_addr *a);

/* Rules (one function each), by file. */
void rule_invite_retrans(struct diag_ctx *x);
void rule_request_retrans(struct diag_ctx *x);
void rule_2xx_no_ack(struct diag_ctx *x);
void rule_invite_no_final(struct diag_ctx *x);
void rule_non_invite_no_final(struct diag_ctx *x);
void rule_cancel_after_final(struct diag_ctx *x);
void rule_ack_branch(struct diag_ctx *x);
void rule_bye_no_dialog(struct diag_ctx *x);
void rule_cseq_backwards(struct diag_ctx *x);
void rule_to_tag_changed(struct diag_ctx *x);
void rule_missing_contact(struct diag_ctx *x);
void rule_max_forwards(struct diag_ctx *x);
void rule_loop_482(struct diag_ctx *x);
void rule_trying_forwarded(struct diag_ctx *x);
void rule_via_cookie(struct diag_ctx *x);
void rule_content_length(struct diag_ctx *x);
void rule_missing_header(struct diag_ctx *x);
void rule_auth_loop(struct diag_ctx *x);
void rule_register_no_auth(struct diag_ctx *x);
void rule_register_423(struct diag_ctx *x);
void rule_retry_after(struct diag_ctx *x);
void rule_post_dial_delay(struct diag_ctx *x);
void rule_sdp_mismatch(struct diag_ctx *x);
void rule_no_common_codec(struct diag_ctx *x);
void rule_answer_direction(struct diag_ctx *x);
void rule_sdp_zero_addr(struct diag_ctx *x);
void rule_sdp_private_addr(struct diag_ctx *x);
void rule_no_rtp(struct diag_ctx *x);
void rule_one_way_rtp(struct diag_ctx *x);
void rule_rtp_quality(struct diag_ctx *x);
void rule_rtp_unannounced_port(struct diag_ctx *x);

#endif
