/* sip_codes.h: what every SIP response code means and what a client does next: RFC 3261 §21 and the
 * IANA "Session Initiation Protocol (SIP) Parameters" Response Codes registry; §8.1.3.2 (unknown
 * codes). One const table; docs/response-codes.md is generated from it (`sipscope codes
 * --markdown`).
 */
#ifndef SS_SIP_CODES_H
#define SS_SIP_CODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One registered response code. All strings are static, ours (never wire bytes), plain text. */
struct sip_code_info {
    uint16_t code;
    const char *reason;  /* the registered reason phrase, e.g. "Busy Here" */
    const char *rfc;     /* the defining RFC as IANA lists it, e.g. "RFC 3261" */
    const char *meaning; /* one or two sentences: what it means */
    const char *action;  /* what the client should do next */
};

/* Exact entry for a registered code, or NULL. The entry is static. */
const struct sip_code_info *sip_code_lookup(unsigned code);

/* The entry to use for any code 100..699: the registered one, else the one the code is treated as
 * (RFC 3261 §8.1.3.2): the class's x00 entry, except an unknown 1xx, which is treated as 183
 * (Session Progress). NULL outside 100..699. *exact (may be NULL) tells whether the code itself is
 * registered. */
const struct sip_code_info *sip_code_describe(unsigned code, bool *exact);

/* "1xx".."6xx" for 100..699, NULL otherwise. */
const char *sip_code_class(unsigned code);

/* "Provisional", "Success", "Redirection", "Client Failure", "Server Failure", "Global Failure" for
 * 100..699, NULL otherwise. */
const char *sip_code_class_name(unsigned code);

/* Number of registered codes in the table. */
size_t sip_code_count(void);

/* The i-th entry in ascending code order, or NULL when i >= sip_code_count(). */
const struct sip_code_info *sip_code_at(size_t i);

#endif
