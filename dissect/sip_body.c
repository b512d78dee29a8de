/* sip_body.c: finds the SDP in a SIP body: application/sdp, or a part of multipart/mixed,
 * multipart/alternative or multipart/related (nested up to a bound). RFC 3261 §7.4, §20.15;
 * RFC 2046 §5.1.1 (boundary, delimiter and close-delimiter lines), RFC 2045 §5.1 (Content-Type). */
#include "dissect/sip.h"
#include "dissect/banned.h"

/* Longest boundary allowed by RFC 2046 §5.1.1. */
#define SIP_MAX_BOUNDARY 70
/* Multipart bodies nested deeper than this are not searched. */
#define SIP_MAX_MULTIPART_DEPTH 4

enum delim_kind { DELIM_NONE, DELIM_PART, DELIM_CLOSE };

static bool find_sdp(struct slice ctype, struct slice body, unsigned depth, struct slice *out);

/* The media type of a Content-Type value: "type/subtype" before any parameter, trimmed. */
static struct slice media_type(struct slice ctype)
{
    return slice_trim(slice_make(ctype.p, slice_chr(ctype, ';')));
}

/* The boundary parameter of a multipart Content-Type, without quotes; empty when absent/bad. */
static struct slice boundary_of(struct slice ctype)
{
    struct slice b = sip_param(ctype, "boundary", 8, NULL);
    if (b.len >= 2 && b.p[0] == '"' && b.p[b.len - 1] == '"')
        b = slice_make(b.p + 1, b.len - 2);
    if (b.len == 0 || b.len > SIP_MAX_BOUNDARY)
        return SLICE_NULL;
    return b;
}

/* Whether a line (without its '\n') is "--boundary" or "--boundary--", with optional padding. */
static enum delim_kind delim_of(struct slice line, struct slice bnd)
{
    if (line.len < 2 + bnd.len || line.p[0] != '-' || line.p[1] != '-' ||
        memcmp(line.p + 2, bnd.p, bnd.len) != 0)
        return DELIM_NONE;
    struct slice rest = slice_trim(slice_sub(line, 2 + bnd.len, line.len));
    if (rest.len == 0)
        return DELIM_PART;
    if (SLICE_EQ(rest, "--"))
        return DELIM_CLOSE;
    return DELIM_NONE;
}

/* One body part: MIME headers up to an empty line, then its content. */
static bool part_sdp(struct slice part, unsigned depth, struct slice *out)
{
    struct slice ctype = SLICE_NULL;
    size_t pos = 0;
    while (pos < part.len) {
        size_t eol = pos + slice_chr(slice_sub(part, pos, part.len), '\n');
        size_t next = eol < part.len ? eol + 1 : part.len;
        struct slice line = slice_make(part.p + pos, eol - pos);
        if (line.len > 0 && line.p[line.len - 1] == '\r')
            line.len--;
        if (line.len == 0)
            return find_sdp(ctype, slice_sub(part, next, part.len), depth + 1, out);
        size_t colon = slice_chr(line, ':');
        struct slice name = slice_trim(slice_make(line.p, colon));
        if (colon < line.len && (SLICE_IEQ(name, "Content-Type") || SLICE_IEQ(name, "c")))
            ctype = slice_trim(slice_sub(line, colon + 1, line.len));
        pos = next;
    }
    return false;
}

/* The bytes of a part that ends where a delimiter line starts at end: the line break before the
 * delimiter belongs to it (RFC 2046 §5.1.1). */
static struct slice part_between(struct slice body, size_t start, size_t end)
{
    if (end > start && body.p[end - 1] == '\n')
        end--;
    if (end > start && body.p[end - 1] == '\r')
        end--;
    return slice_make(body.p + start, end - start);
}

/* Walks the delimiter lines of a multipart body; the preamble is skipped, a missing
 * close-delimiter (a cut body) ends the last part at the end of the bytes. */
static bool scan_parts(struct slice body, struct slice bnd, unsigned depth, struct slice *out)
{
    bool in_part = false;
    size_t part_start = 0;
    size_t pos = 0;
    while (pos < body.len) {
        size_t eol = pos + slice_chr(slice_sub(body, pos, body.len), '\n');
        size_t next = eol < body.len ? eol + 1 : body.len;
        enum delim_kind d = delim_of(slice_make(body.p + pos, eol - pos), bnd);
        if (d != DELIM_NONE) {
            if (in_part && part_sdp(part_between(body, part_start, pos), depth, out))
                return true;
            if (d == DELIM_CLOSE)
                return false;
            in_part = true;
            part_start = next;
        }
        pos = next;
    }
    return in_part && part_sdp(slice_sub(body, part_start, body.len), depth, out);
}

static bool is_multipart(struct slice mt)
{
    return SLICE_IEQ(mt, "multipart/mixed") || SLICE_IEQ(mt, "multipart/alternative") ||
           SLICE_IEQ(mt, "multipart/related");
}

static bool find_sdp(struct slice ctype, struct slice body, unsigned depth, struct slice *out)
{
    struct slice mt = media_type(ctype);
    if (SLICE_IEQ(mt, "application/sdp")) {
        *out = body;
        return true;
    }
    if (depth >= SIP_MAX_MULTIPART_DEPTH || !is_multipart(mt))
        return false;
    struct slice bnd = boundary_of(ctype);
    if (bnd.len == 0)
        return false;
    return scan_parts(body, bnd, depth, out);
}

struct slice sip_sdp_body(const struct sip_msg *m)
{
    struct slice out = SLICE_NULL;
    if (!find_sdp(sip_hdr_get(m, SIP_H_CONTENT_TYPE), m->body, 0, &out))
        return SLICE_NULL;
    return out;
}
