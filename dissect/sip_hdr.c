/* sip_hdr.c: SIP header names (full and compact forms), header access, CSeq, params, URIs.
 * RFC 3261 §7.3.1 (header syntax), §7.3.3 (compact forms), §8.1.1.5 (CSeq), §19.1.1, §20,
 * §25.1 (generic-param, name-addr); RFC 3841 (a, j, d), RFC 4028 (x), RFC 8224 (y). */
#include "dissect/sip.h"
#include "dissect/banned.h"

/* Largest CSeq sequence number (RFC 3261 §8.1.1.5: less than 2**31). */
#define SIP_MAX_CSEQ 0x7fffffffu

struct hdr_name {
    const char *name;
    uint8_t len;
    uint8_t id;
};

#define HN(s, id)                                                                                  \
    {                                                                                              \
        s, sizeof(s) - 1, id                                                                       \
    }

/* Full names, grouped by lower-case first letter (see letter_group). */
static const struct hdr_name full_names[] = {
    /* a: 0 */
    HN("Accept", SIP_H_ACCEPT), HN("Allow", SIP_H_ALLOW), HN("Allow-Events", SIP_H_ALLOW_EVENTS),
    HN("Authorization", SIP_H_AUTHORIZATION), HN("Accept-Contact", SIP_H_ACCEPT_CONTACT),
    /* c: 5 */
    HN("CSeq", SIP_H_CSEQ), HN("Call-ID", SIP_H_CALL_ID), HN("Contact", SIP_H_CONTACT),
    HN("Content-Type", SIP_H_CONTENT_TYPE), HN("Content-Length", SIP_H_CONTENT_LENGTH),
    HN("Content-Encoding", SIP_H_CONTENT_ENCODING),
    /* e: 11 */
    HN("Event", SIP_H_EVENT), HN("Expires", SIP_H_EXPIRES),
    /* f: 13 */
    HN("From", SIP_H_FROM),
    /* i: 14 */
    HN("Identity", SIP_H_IDENTITY),
    /* m: 15 */
    HN("Min-Expires", SIP_H_MIN_EXPIRES), HN("Max-Forwards", SIP_H_MAX_FORWARDS),
    /* p: 17 */
    HN("P-Charging-Vector", SIP_H_P_CHARGING_VECTOR),
    HN("Proxy-Authenticate", SIP_H_PROXY_AUTHENTICATE),
    HN("Proxy-Authorization", SIP_H_PROXY_AUTHORIZATION),
    /* r: 20 */
    HN("Route", SIP_H_ROUTE), HN("Reason", SIP_H_REASON), HN("Require", SIP_H_REQUIRE),
    HN("Refer-To", SIP_H_REFER_TO), HN("Retry-After", SIP_H_RETRY_AFTER),
    HN("Referred-By", SIP_H_REFERRED_BY), HN("Record-Route", SIP_H_RECORD_ROUTE),
    HN("Reject-Contact", SIP_H_REJECT_CONTACT),
    HN("Request-Disposition", SIP_H_REQUEST_DISPOSITION),
    /* s: 29 */
    HN("Server", SIP_H_SERVER), HN("Subject", SIP_H_SUBJECT), HN("Supported", SIP_H_SUPPORTED),
    HN("Session-ID", SIP_H_SESSION_ID), HN("Session-Expires", SIP_H_SESSION_EXPIRES),
    /* t: 34 */
    HN("To", SIP_H_TO),
    /* u: 35 */
    HN("User-Agent", SIP_H_USER_AGENT),
    /* v: 36 */
    HN("Via", SIP_H_VIA),
    /* w: 37 */
    HN("Warning", SIP_H_WARNING), HN("WWW-Authenticate", SIP_H_WWW_AUTHENTICATE),
    /* x: 39 */
    HN("X-CID", SIP_H_X_CALL_ID), HN("X-Call-ID", SIP_H_X_CALL_ID),
    /* end: 41 */
};
_Static_assert(sizeof(full_names) / sizeof(full_names[0]) == 41, "letter_group needs updating");

/* [first, end) index range in full_names for each lower-case first letter. */
static const uint8_t letter_group[26][2] = {
    ['a' - 'a'] = {0, 5},   ['c' - 'a'] = {5, 11},  ['e' - 'a'] = {11, 13}, ['f' - 'a'] = {13, 14},
    ['i' - 'a'] = {14, 15}, ['m' - 'a'] = {15, 17}, ['p' - 'a'] = {17, 20}, ['r' - 'a'] = {20, 29},
    ['s' - 'a'] = {29, 34}, ['t' - 'a'] = {34, 35}, ['u' - 'a'] = {35, 36}, ['v' - 'a'] = {36, 37},
    ['w' - 'a'] = {37, 39}, ['x' - 'a'] = {39, 41},
};

/* Compact forms (RFC 3261 §7.3.3 and the RFCs that added a, b, d, j, o, r, u, x, y). */
static const uint8_t compact[26] = {
    ['a' - 'a'] = SIP_H_ACCEPT_CONTACT,
    ['b' - 'a'] = SIP_H_REFERRED_BY,
    ['c' - 'a'] = SIP_H_CONTENT_TYPE,
    ['d' - 'a'] = SIP_H_REQUEST_DISPOSITION,
    ['e' - 'a'] = SIP_H_CONTENT_ENCODING,
    ['f' - 'a'] = SIP_H_FROM,
    ['i' - 'a'] = SIP_H_CALL_ID,
    ['j' - 'a'] = SIP_H_REJECT_CONTACT,
    ['k' - 'a'] = SIP_H_SUPPORTED,
    ['l' - 'a'] = SIP_H_CONTENT_LENGTH,
    ['m' - 'a'] = SIP_H_CONTACT,
    ['o' - 'a'] = SIP_H_EVENT,
    ['r' - 'a'] = SIP_H_REFER_TO,
    ['s' - 'a'] = SIP_H_SUBJECT,
    ['t' - 'a'] = SIP_H_TO,
    ['u' - 'a'] = SIP_H_ALLOW_EVENTS,
    ['v' - 'a'] = SIP_H_VIA,
    ['x' - 'a'] = SIP_H_SESSION_EXPIRES,
    ['y' - 'a'] = SIP_H_IDENTITY,
};

/* name equals the n bytes of lit ignoring the case of letters (lit holds letters and '-'). */
static inline bool name_ieq(const uint8_t *name, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t x = (uint8_t)(name[i] ^ (uint8_t)lit[i]);
        if (x != 0 && (x != 0x20 || lit[i] == '-'))
            return false;
    }
    return true;
}

enum sip_hdr_id sip_hdr_id_of(struct slice name)
{
    if (name.len == 0)
        return SIP_H_OTHER;
    unsigned l = (unsigned)(name.p[0] | 0x20) - 'a';
    if (l >= 26)
        return SIP_H_OTHER;
    if (name.len == 1)
        return (enum sip_hdr_id)compact[l];
    for (unsigned i = letter_group[l][0]; i < letter_group[l][1]; i++) {
        const struct hdr_name *h = &full_names[i];
        if (h->len == name.len && name_ieq(name.p, h->name, h->len))
            return (enum sip_hdr_id)h->id;
    }
    return SIP_H_OTHER;
}

const char *sip_hdr_name(enum sip_hdr_id id)
{
    if (id == SIP_H_OTHER || (unsigned)id >= SIP_H__COUNT)
        return NULL;
    if (id == SIP_H_X_CALL_ID)
        return "X-Call-ID";
    for (size_t i = 0; i < sizeof(full_names) / sizeof(full_names[0]); i++) {
        if (full_names[i].id == id)
            return full_names[i].name;
    }
    return NULL;
}

struct slice sip_hdr_get(const struct sip_msg *m, enum sip_hdr_id id)
{
    if ((unsigned)id >= SIP_H__COUNT || id == SIP_H_OTHER)
        return SLICE_NULL;
    unsigned i = m->first[id];
    if (i == 0 || i > m->nhdr)
        return SLICE_NULL;
    return m->hdr[i - 1].value;
}

struct slice sip_hdr_find(const struct sip_msg *m, const char *name, size_t n)
{
    for (unsigned i = 0; i < m->nhdr; i++) {
        if (slice_ieq(m->hdr[i].name, name, n))
            return m->hdr[i].value;
    }
    return SLICE_NULL;
}

unsigned sip_hdr_count(const struct sip_msg *m, enum sip_hdr_id id)
{
    unsigned c = 0;
    for (unsigned i = 0; i < m->nhdr; i++) {
        if (m->hdr[i].id == id)
            c++;
    }
    return c;
}

struct slice sip_call_id(const struct sip_msg *m)
{
    return sip_hdr_get(m, SIP_H_CALL_ID);
}

/* Byte classes for scanning header values (sip_param, sip_uri_of). */
enum { HC_SEP = 1, HC_WS = 2, HC_QUOTE = 4, HC_LT = 8, HC_EQ = 16 };
static const uint8_t hclass[256] = {
    [';'] = HC_SEP, [','] = HC_SEP, ['"'] = HC_QUOTE, ['<'] = HC_LT,  ['='] = HC_EQ,
    [' '] = HC_WS,  ['\t'] = HC_WS, ['\r'] = HC_WS,   ['\n'] = HC_WS,
};

static bool is_lws(uint8_t c)
{
    return hclass[c] & HC_WS;
}

bool sip_cseq(const struct sip_msg *m, uint32_t *num, struct slice *method)
{
    if (!m->cseq_ok)
        return false;
    *num = m->cseq_num;
    *method = m->cseq_method;
    return true;
}

/* CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16). */
bool sip_cseq_parse(struct slice v, uint32_t *num, struct slice *method)
{
    size_t i = 0;
    while (i < v.len && v.p[i] >= '0' && v.p[i] <= '9')
        i++;
    if (i == 0 || i >= v.len || !is_lws(v.p[i]))
        return false;
    uint64_t n;
    if (!slice_u64(slice_make(v.p, i), SIP_MAX_CSEQ, &n))
        return false;
    struct slice meth = slice_trim(slice_sub(v, i, v.len));
    size_t k = 0;
    while (k < meth.len && sip_token_char(meth.p[k]))
        k++;
    if (k == 0 || k != meth.len)
        return false;
    *num = (uint32_t)n;
    *method = meth;
    return true;
}

/* Offset of the byte ending a quoted string opened at i (the closing quote), or s.len. */
static size_t skip_quoted(struct slice s, size_t i)
{
    for (i++; i < s.len; i++) {
        if (s.p[i] == '\\')
            i++;
        else if (s.p[i] == '"')
            return i;
    }
    return s.len;
}

/* Offset of the first byte from i whose class is in mask, or s.len. */
static size_t span_until(struct slice s, size_t i, uint8_t mask)
{
    while (i < s.len && !(hclass[s.p[i]] & mask))
        i++;
    return i;
}

/* Offset of the next ';' or ',' outside "..." and <...> from i, or s.len. */
static size_t next_sep(struct slice s, size_t i)
{
    for (;;) {
        i = span_until(s, i, HC_SEP | HC_QUOTE | HC_LT);
        if (i >= s.len || (hclass[s.p[i]] & HC_SEP))
            return i;
        if (s.p[i] == '"')
            i = skip_quoted(s, i);
        else
            i += slice_chr(slice_sub(s, i, s.len), '>');
        if (i >= s.len)
            return s.len;
        i++;
    }
}

/* The value of the param whose name ends at i, for sip_param. */
static struct slice param_value(struct slice s, size_t i)
{
    while (i < s.len && is_lws(s.p[i]))
        i++;
    if (i >= s.len || s.p[i] != '=')
        return slice_make(s.p + i, 0);
    i++;
    while (i < s.len && is_lws(s.p[i]))
        i++;
    size_t start = i;
    if (i < s.len && s.p[i] == '"') {
        i = skip_quoted(s, i);
        return slice_make(s.p + start, (i < s.len ? i + 1 : s.len) - start);
    }
    return slice_make(s.p + start, span_until(s, i, HC_SEP | HC_WS) - start);
}

/* Params are searched up to the first ',' outside quotes and <> (the first value of a list, e.g.
 * the top Via of "Via: a;branch=1, b;branch=2"). A quoted value is returned with its quotes. */
struct slice sip_param(struct slice v, const char *name, size_t n, bool *present)
{
    if (present)
        *present = false;
    size_t i = next_sep(v, 0);
    while (i < v.len && v.p[i] == ';') {
        i++;
        while (i < v.len && is_lws(v.p[i]))
            i++;
        size_t start = i;
        i = span_until(v, i, HC_EQ | HC_SEP | HC_WS);
        if (slice_ieq(slice_make(v.p + start, i - start), name, n)) {
            if (present)
                *present = true;
            return param_value(v, i);
        }
        i = next_sep(v, i);
    }
    return SLICE_NULL;
}

/* name-addr ([display-name] <URI>) or addr-spec (URI up to the header params). */
struct slice sip_uri_of(struct slice v)
{
    v = slice_trim(v);
    for (size_t i = 0; i < v.len; i++) {
        uint8_t b = v.p[i];
        if (b == '"') {
            i = skip_quoted(v, i);
        } else if (b == '<') {
            struct slice in = slice_sub(v, i + 1, v.len);
            return slice_trim(slice_make(in.p, slice_chr(in, '>')));
        } else if (b == ';' || b == ',') {
            return slice_trim(slice_make(v.p, i));
        }
    }
    return v;
}

struct slice sip_from_tag(const struct sip_msg *m)
{
    return sip_param(sip_hdr_get(m, SIP_H_FROM), "tag", 3, NULL);
}

struct slice sip_to_tag(const struct sip_msg *m)
{
    return m->to_tag;
}

struct slice sip_via_branch(const struct sip_msg *m)
{
    return m->via_branch;
}
