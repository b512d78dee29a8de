/* sdp.c: zero-copy SDP parser and one-line summary. RFC 8866 §5 (v=, o=, c=, m=, a= lines),
 * §5.7 (connection data, TTL suffix), §5.14 (media descriptions), §6.6 (rtpmap), §6.7 (direction);
 * RFC 3264 §5.1 (direction defaults); RFC 3605 §2.1 (a=rtcp); RFC 3551 §6 (static payload types).
 */
#include "dissect/sdp.h"
#include <stdio.h>
#include "dissect/banned.h"

/* Highest RTP payload type (7 bits, RFC 3550 §5.1). */
#define SDP_MAX_PT 127
/* Payload types with an RFC 3551 static name, used by sdp_summary only. */
#define SDP_STATIC_PT_COUNT 35

struct sdp_state {
    struct sdp_media *cur; /* the m= section being read, NULL at session level */
    bool dropped;          /* inside an m= section beyond SDP_MAX_MEDIA: its lines are ignored */
};

/* Next SP-separated token of *rest (leading SP/HTAB skipped); *rest advances past it. */
static struct slice next_tok(struct slice *rest)
{
    size_t i = 0;
    while (i < rest->len && (rest->p[i] == ' ' || rest->p[i] == '\t'))
        i++;
    size_t start = i;
    while (i < rest->len && rest->p[i] != ' ' && rest->p[i] != '\t')
        i++;
    struct slice tok = slice_make(rest->p + start, i - start);
    rest->p += i;
    rest->len -= i;
    return tok;
}

/* s up to the first '/', and the rest after it (empty when there is none). */
static struct slice split_slash(struct slice s, struct slice *after)
{
    size_t k = slice_chr(s, '/');
    *after = k < s.len ? slice_sub(s, k + 1, s.len) : SLICE_NULL;
    return slice_make(s.p, k);
}

/* c=<nettype> <addrtype> <connection-address>[/ttl][/n]; false when not "IN IP4|IP6 addr". */
static bool parse_conn(struct slice v, struct net_addr *out)
{
    struct slice net = next_tok(&v);
    struct slice type = next_tok(&v);
    struct slice addr = next_tok(&v);
    struct slice suffix;
    if (!SLICE_IEQ(net, "IN") || !(SLICE_IEQ(type, "IP4") || SLICE_IEQ(type, "IP6")))
        return false;
    addr = split_slash(addr, &suffix);
    if (addr.len == 0)
        return false;
    return net_addr_parse(addr, out);
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... */
static void parse_media(struct sdp_media *md, struct slice v)
{
    md->media = next_tok(&v);
    struct slice nports;
    struct slice port = split_slash(next_tok(&v), &nports);
    uint64_t n = 0;
    md->port = slice_u64(port, UINT16_MAX, &n) ? (uint16_t)n : 0;
    md->nports = (nports.len > 0 && slice_u64(nports, UINT16_MAX, &n)) ? (uint16_t)n : 1;
    md->proto = next_tok(&v);
    for (;;) {
        struct slice f = next_tok(&v);
        if (f.len == 0 || md->nfmt >= SDP_MAX_FMT)
            break;
        if (!slice_u64(f, SDP_MAX_PT, &n))
            continue; /* non-RTP formats ("t38", "*") are not payload types */
        struct sdp_fmt *fmt = &md->fmt[md->nfmt++];
        fmt->pt = (uint8_t)n;
        fmt->encoding = SLICE_NULL;
        fmt->clock_rate = 0;
    }
}

static void new_media(struct sdp *s, struct sdp_state *st, struct slice v)
{
    if (s->nmedia >= SDP_MAX_MEDIA) {
        st->cur = NULL;
        st->dropped = true;
        return;
    }
    struct sdp_media *md = &s->media[s->nmedia++];
    md->conn.family = 0;
    md->rtcp_port = 0;
    md->dir = SDP_DIR_NONE;
    md->nfmt = 0;
    parse_media(md, v);
    st->cur = md;
    st->dropped = false;
}

/* a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>] */
static void parse_rtpmap(struct sdp_media *md, struct slice v)
{
    uint64_t pt;
    if (!slice_u64(next_tok(&v), SDP_MAX_PT, &pt))
        return;
    struct slice rest;
    struct slice enc = split_slash(next_tok(&v), &rest);
    struct slice chans;
    struct slice rate = split_slash(rest, &chans);
    uint64_t r = 0;
    if (!slice_u64(rate, UINT32_MAX, &r))
        r = 0;
    for (unsigned i = 0; i < md->nfmt; i++) {
        if (md->fmt[i].pt == pt && md->fmt[i].encoding.len == 0) {
            md->fmt[i].encoding = enc;
            md->fmt[i].clock_rate = (uint32_t)r;
            return;
        }
    }
}

static uint8_t dir_of(struct slice name)
{
    if (SLICE_EQ(name, "sendrecv"))
        return SDP_DIR_SENDRECV;
    if (SLICE_EQ(name, "sendonly"))
        return SDP_DIR_SENDONLY;
    if (SLICE_EQ(name, "recvonly"))
        return SDP_DIR_RECVONLY;
    if (SLICE_EQ(name, "inactive"))
        return SDP_DIR_INACTIVE;
    return SDP_DIR_NONE;
}

/* a=<attribute>[:<value>] at session or media level. */
static void parse_attr(struct sdp *s, struct sdp_state *st, struct slice v)
{
    size_t colon = slice_chr(v, ':');
    struct slice name = slice_make(v.p, colon);
    struct slice val = slice_sub(v, colon + 1, v.len);
    uint8_t dir = dir_of(name);
    if (dir != SDP_DIR_NONE) {
        if (st->cur)
            st->cur->dir = dir;
        else
            s->dir = dir;
        return;
    }
    if (!st->cur)
        return;
    if (SLICE_EQ(name, "rtpmap")) {
        parse_rtpmap(st->cur, val);
    } else if (SLICE_EQ(name, "rtcp")) {
        uint64_t port;
        if (slice_u64(next_tok(&val), UINT16_MAX, &port))
            st->cur->rtcp_port = (uint16_t)port;
    }
}

static void sdp_line(struct sdp *s, struct sdp_state *st, uint8_t type, struct slice v)
{
    if (type == 'm') {
        new_media(s, st, v);
        return;
    }
    if (st->dropped)
        return;
    struct net_addr a;
    switch (type) {
    case 'o':
        if (!st->cur)
            s->origin = v;
        break;
    case 'c':
        if (parse_conn(v, &a)) {
            if (st->cur)
                st->cur->conn = a;
            else
                s->conn = a;
        }
        break;
    case 'a':
        parse_attr(s, st, v);
        break;
    default:
        break;
    }
}

/* Media without their own c= or direction take the session-level ones. */
static void inherit_session(struct sdp *s)
{
    for (unsigned i = 0; i < s->nmedia; i++) {
        struct sdp_media *md = &s->media[i];
        if (md->conn.family == 0)
            md->conn = s->conn;
        if (md->dir == SDP_DIR_NONE)
            md->dir = s->dir;
    }
}

enum dis_result sdp_parse(struct sdp *s, struct slice body)
{
    s->origin = SLICE_NULL;
    s->conn.family = 0;
    s->dir = SDP_DIR_NONE;
    s->nmedia = 0;
    struct sdp_state st = {NULL, false};
    bool seen_v = false;
    size_t pos = 0;
    while (pos < body.len) {
        size_t eol = pos + slice_chr(slice_sub(body, pos, body.len), '\n');
        struct slice line = slice_trim(slice_make(body.p + pos, eol - pos));
        pos = eol < body.len ? eol + 1 : body.len;
        if (line.len == 0)
            continue;
        if (line.len < 2 || line.p[1] != '=') {
            if (!seen_v)
                return DIS_BAD;
            continue;
        }
        if (!seen_v) {
            if (line.p[0] != 'v')
                return DIS_BAD;
            seen_v = true;
            continue;
        }
        sdp_line(s, &st, line.p[0], slice_sub(line, 2, line.len));
    }
    if (!seen_v)
        return DIS_BAD;
    inherit_session(s);
    return DIS_OK;
}

static const char *dir_name(uint8_t dir)
{
    switch (dir) {
    case SDP_DIR_SENDONLY:
        return "sendonly";
    case SDP_DIR_RECVONLY:
        return "recvonly";
    case SDP_DIR_INACTIVE:
        return "inactive";
    default:
        return "sendrecv"; /* stated, or implied by RFC 3264 §5.1 */
    }
}

/* RFC 3551 §6 names of the static payload types (NULL where unassigned or dynamic). */
static const char *static_pt_name(uint8_t pt)
{
    static const char *const names[SDP_STATIC_PT_COUNT] = {
        [0] = "PCMU",  [3] = "GSM",   [4] = "G723",  [5] = "DVI4",  [6] = "DVI4",   [7] = "LPC",
        [8] = "PCMA",  [9] = "G722",  [10] = "L16",  [11] = "L16",  [12] = "QCELP", [13] = "CN",
        [14] = "MPA",  [15] = "G728", [16] = "DVI4", [17] = "DVI4", [18] = "G729",  [25] = "CelB",
        [26] = "JPEG", [28] = "nv",   [31] = "H261", [32] = "MPV",  [33] = "MP2T",  [34] = "H263",
    };
    return pt < SDP_STATIC_PT_COUNT ? names[pt] : NULL;
}

/* Clamps an snprintf result to the bytes actually written. */
static size_t written(int r, size_t n)
{
    if (r < 0)
        return 0;
    return (size_t)r < n ? (size_t)r : n - 1;
}

/* Copies s into dst (n > 0, NUL-terminated), bytes outside printable ASCII replaced by '?'. */
static void copy_printable(char *dst, size_t n, struct slice s)
{
    size_t k = s.len < n - 1 ? s.len : n - 1;
    for (size_t i = 0; i < k; i++)
        dst[i] = (s.p[i] >= 0x20 && s.p[i] < 0x7f) ? (char)s.p[i] : '?';
    dst[k] = '\0';
}

/* Encoding name of the first format: from rtpmap, else the static name, else "ptN". */
static void fmt_name(const struct sdp_media *md, char *enc, size_t n)
{
    enc[0] = '\0';
    if (md->nfmt == 0)
        return;
    const struct sdp_fmt *f = &md->fmt[0];
    if (f->encoding.len > 0)
        copy_printable(enc, n, f->encoding);
    else if (static_pt_name(f->pt))
        written(snprintf(enc, n, "%s", static_pt_name(f->pt)), n);
    else
        written(snprintf(enc, n, "pt%u", (unsigned)f->pt), n);
}

size_t sdp_summary(const struct sdp *s, char *buf, size_t n)
{
    if (n == 0)
        return 0;
    buf[0] = '\0';
    if (s->nmedia == 0)
        return 0;
    const struct sdp_media *md = &s->media[0];
    char enc[32];
    fmt_name(md, enc, sizeof(enc));
    char ep[64];
    if (md->conn.family != 0) {
        struct net_endpoint e = {md->conn, md->port};
        net_endpoint_fmt(&e, ep, sizeof(ep));
    } else {
        written(snprintf(ep, sizeof(ep), "?:%u", (unsigned)md->port), sizeof(ep));
    }
    return written(snprintf(buf, n, "%s %s %s", enc[0] ? enc : "-", ep, dir_name(md->dir)), n);
}
