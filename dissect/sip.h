/* sip.h: zero-copy SIP message parser (RFC 3261 §7, §20, §25): start line, headers (compact forms,
 * folded lines, LF-only endings), Content-Length framing, body. No allocation per message. */
#ifndef SS_SIP_H
#define SS_SIP_H

#include "dissect/dis.h"
#include "dissect/slice.h"

/* Limits (named, checked). */
#define SIP_MAX_HEADERS 256        /* headers kept per message; more sets SIP_F_TOO_MANY_HDRS */
#define SIP_MAX_MESSAGE (1u << 20) /* a TCP-framed message larger than this is not SIP */
#define SIP_MAX_CALL_ID 256        /* longest Call-ID kept by dialog tables */

/* Well-known headers, recognised by full and compact name (RFC 3261 §7.3.3, §20). */
enum sip_hdr_id {
    SIP_H_OTHER = 0,
    SIP_H_ACCEPT,
    SIP_H_ALLOW,
    SIP_H_ALLOW_EVENTS, /* u */
    SIP_H_AUTHORIZATION,
    SIP_H_CALL_ID,          /* i */
    SIP_H_CONTACT,          /* m */
    SIP_H_CONTENT_ENCODING, /* e */
    SIP_H_CONTENT_LENGTH,   /* l */
    SIP_H_CONTENT_TYPE,     /* c */
    SIP_H_CSEQ,
    SIP_H_EVENT, /* o */
    SIP_H_EXPIRES,
    SIP_H_FROM, /* f */
    SIP_H_MAX_FORWARDS,
    SIP_H_MIN_EXPIRES,
    SIP_H_P_CHARGING_VECTOR,
    SIP_H_PROXY_AUTHENTICATE,
    SIP_H_PROXY_AUTHORIZATION,
    SIP_H_REASON,
    SIP_H_RECORD_ROUTE,
    SIP_H_REFER_TO,    /* r */
    SIP_H_REFERRED_BY, /* b */
    SIP_H_REQUIRE,
    SIP_H_RETRY_AFTER,
    SIP_H_ROUTE,
    SIP_H_SERVER,
    SIP_H_SESSION_EXPIRES, /* x */
    SIP_H_SESSION_ID,
    SIP_H_SUBJECT,   /* s */
    SIP_H_SUPPORTED, /* k */
    SIP_H_TO,        /* t */
    SIP_H_USER_AGENT,
    SIP_H_VIA, /* v */
    SIP_H_WARNING,
    SIP_H_WWW_AUTHENTICATE,
    SIP_H_X_CALL_ID,
    SIP_H_ACCEPT_CONTACT,      /* a */
    SIP_H_REJECT_CONTACT,      /* j */
    SIP_H_REQUEST_DISPOSITION, /* d */
    SIP_H_IDENTITY,            /* y */
    SIP_H__COUNT
};

/* Known request methods (anything else is SIP_M_OTHER; the token is still in m->method). */
enum sip_method {
    SIP_M_NONE = 0, /* a response */
    SIP_M_OTHER,
    SIP_M_INVITE,
    SIP_M_ACK,
    SIP_M_BYE,
    SIP_M_CANCEL,
    SIP_M_REGISTER,
    SIP_M_OPTIONS,
    SIP_M_PRACK,
    SIP_M_SUBSCRIBE,
    SIP_M_NOTIFY,
    SIP_M_PUBLISH,
    SIP_M_INFO,
    SIP_M_REFER,
    SIP_M_MESSAGE,
    SIP_M_UPDATE,
    SIP_M__COUNT
};

/* Problems found while parsing (m->flags). The message is still usable where possible. */
enum sip_flag {
    SIP_F_BAD_START = 1u << 0, /* start line not a request or status line */
    SIP_F_NO_CALL_ID = 1u << 1,
    SIP_F_BAD_CSEQ = 1u << 2,      /* CSeq missing or not "number method" */
    SIP_F_CL_LONG = 1u << 3,       /* Content-Length larger than the bytes present */
    SIP_F_CL_SHORT = 1u << 4,      /* bytes beyond Content-Length (UDP) */
    SIP_F_BAD_CL = 1u << 5,        /* Content-Length not a number */
    SIP_F_TOO_MANY_HDRS = 1u << 6, /* more than SIP_MAX_HEADERS headers: the rest are not indexed */
    SIP_F_NO_BODY_SEP = 1u << 7,   /* header section not terminated by an empty line */
    SIP_F_NUL = 1u << 8,           /* NUL bytes in the header section */
    SIP_F_BAD_HDR = 1u << 9,       /* a header line without a colon */
    SIP_F_TRUNCATED = 1u << 10,    /* set by the caller when the capture cut the message */
};

struct sip_hdr {
    struct slice name;  /* as on the wire */
    struct slice value; /* trimmed; may contain folded line breaks (CRLF + WS) */
    uint8_t id;         /* enum sip_hdr_id */
};

struct sip_msg {
    struct slice raw; /* the whole message as parsed (header section + body) */
    bool is_request;
    uint8_t method_id;   /* enum sip_method; for responses, of the CSeq method */
    struct slice method; /* request method token (empty for responses) */
    struct slice ruri;   /* Request-URI */
    unsigned status;     /* status code for responses (100..699), 0 for requests */
    struct slice reason; /* reason phrase for responses */
    uint32_t flags;      /* enum sip_flag bits */
    unsigned nhdr;
    struct sip_hdr hdr[SIP_MAX_HEADERS];
    uint16_t first[SIP_H__COUNT]; /* index + 1 of the first header with that id, 0 = absent */
    struct slice body;            /* bytes after the empty line, bounded by Content-Length */
    bool has_cl;
    uint32_t content_length;
    /* Parsed once by sip_parse, so the dialog key, the state machine and the store do not scan
     * the same headers again: sip_cseq, sip_to_tag and sip_via_branch answer from here. */
    bool cseq_ok;             /* CSeq present and well formed */
    uint32_t cseq_num;        /* its number (0 unless cseq_ok) */
    struct slice cseq_method; /* its method token (empty unless cseq_ok) */
    struct slice to_tag;      /* To tag, empty when absent */
    struct slice via_branch;  /* top Via branch, empty when absent */
};

/* Cheap test of the first bytes: a request line "METHOD sip:..."/"... SIP/2.0" or "SIP/2.0 NNN".
 * Used to skip non-SIP payloads (RTP, DNS, ...) without parsing. */
bool sip_looks_like(struct slice data);

/* Parses data as one SIP message into m (views into data). Returns DIS_OK (possibly with flags),
 * DIS_NOT_MINE when the start line is not SIP, DIS_BAD when not even headers can be found. */
enum dis_result sip_parse(struct sip_msg *m, struct slice data);

/* TCP framing (net_framer_fn): length of the first complete message in buffered (header section +
 * Content-Length body; a missing Content-Length means 0 on a stream). Skips leading CRLF
 * keep-alives (RFC 5626 §3.5.1) by returning them as a message of only CR/LF bytes, which
 * sip_looks_like rejects.
 */
enum dis_result sip_frame_len(struct slice buffered, size_t *len);

/* The first header with this id (value slice) or an empty slice. */
struct slice sip_hdr_get(const struct sip_msg *m, enum sip_hdr_id id);
/* Finds a header by name (case-insensitive, full name only), e.g. "X-CID". */
struct slice sip_hdr_find(const struct sip_msg *m, const char *name, size_t n);
/* Number of headers with this id (counts each header line; "Via: a, b" counts one). */
unsigned sip_hdr_count(const struct sip_msg *m, enum sip_hdr_id id);

/* Call-ID value (trimmed). Empty when absent. */
struct slice sip_call_id(const struct sip_msg *m);
/* CSeq number and method token; false when absent or malformed (cached by sip_parse). */
bool sip_cseq(const struct sip_msg *m, uint32_t *num, struct slice *method);
/* Parses a CSeq header value ("1*DIGIT LWS Method"); false when malformed. */
bool sip_cseq_parse(struct slice value, uint32_t *num, struct slice *method);
/* Parameter value of a header value's ";name=value" params (e.g. tag, branch), case-insensitive
 * name, outside <> and quotes. Empty slice when absent; *present set when found (may be NULL). */
struct slice sip_param(struct slice hdr_value, const char *name, size_t n, bool *present);
/* The URI of a name-addr / addr-spec (From, To, Contact): inside <> when present, else up to ';'.
 */
struct slice sip_uri_of(struct slice hdr_value);
/* From/To tag and top-Via branch (To tag and branch cached by sip_parse). */
struct slice sip_from_tag(const struct sip_msg *m);
struct slice sip_to_tag(const struct sip_msg *m);
struct slice sip_via_branch(const struct sip_msg *m);
/* Method id of a method token ("INVITE" -> SIP_M_INVITE; unknown -> SIP_M_OTHER). */
enum sip_method sip_method_of(struct slice tok);
/* Canonical name of a method id ("INVITE"); NULL for SIP_M_NONE/OTHER. */
const char *sip_method_name(enum sip_method m);
/* The SDP body of the message (application/sdp, also inside multipart/mixed or
 * multipart/alternative), or an empty slice. */
struct slice sip_sdp_body(const struct sip_msg *m);

/* Id of a header name, full or compact form, case-insensitive ("call-id", "i" -> SIP_H_CALL_ID);
 * SIP_H_OTHER when not a well-known header. */
enum sip_hdr_id sip_hdr_id_of(struct slice name);
/* Canonical full name of a header id ("Call-ID"); NULL for SIP_H_OTHER or out of range. */
const char *sip_hdr_name(enum sip_hdr_id id);

/* RFC 3261 §25.1 token character: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" /
 * "~". A bitmask per 64 code points (the header scan calls this for every name byte). */
static inline bool sip_token_char(uint8_t c)
{
    const uint64_t lo = 0x03ff6ca200000000u; /* ! % ' * + - . 0-9 */
    const uint64_t hi = 0x47ffffff87fffffeu; /* A-Z _ ` a-z ~ */
    if (c < 64)
        return (lo >> c) & 1;
    if (c < 128)
        return (hi >> (c - 64)) & 1;
    return false;
}

#endif
