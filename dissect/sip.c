/* sip.c: SIP message parsing: start line, header scan, Content-Length body, TCP framing, methods.
 * RFC 3261 §7.1 (Request-Line), §7.2 (Status-Line), §7.3 (headers, folding), §7.4.1, §7.5
 * (leading CRLF), §18.3 (stream framing), §20.14 (Content-Length); RFC 5626 §3.5.1 (keep-alive). */
#include "dissect/sip.h"
#include "dissect/banned.h"

/* sip_looks_like reads at most this many bytes looking for the end of the request line; a longer
 * line is accepted only when its Request-URI starts with a SIP or tel URI scheme. */
#define SIP_LOOKS_MAX_LINE 1024
/* Longest method token accepted by the cheap checks (the longest standard one has 9 bytes). */
#define SIP_MAX_METHOD_LEN 32
/* Shortest start line: "X x SIP/2.0" or "SIP/2.0 200". */
#define SIP_MIN_START 11
/* sip_frame_len: a start line not complete after this many bytes is not SIP. */
#define SIP_FRAME_MAX_START 8192
/* sip_frame_len: a header section not complete after this many bytes is not SIP. As large as a
 * TCP stream's default buffer (net.h), so a 100 KB header that tshark shows is framed too. */
#define SIP_FRAME_MAX_HDRS (256u * 1024u)
/* Header states while scanning: no header line seen yet, or the last one was not indexed. */
#define SIP_CUR_START (-2)
#define SIP_CUR_NONE  (-1)

static const char *const method_names[SIP_M__COUNT] = {
    [SIP_M_INVITE] = "INVITE",     [SIP_M_ACK] = "ACK",
    [SIP_M_BYE] = "BYE",           [SIP_M_CANCEL] = "CANCEL",
    [SIP_M_REGISTER] = "REGISTER", [SIP_M_OPTIONS] = "OPTIONS",
    [SIP_M_PRACK] = "PRACK",       [SIP_M_SUBSCRIBE] = "SUBSCRIBE",
    [SIP_M_NOTIFY] = "NOTIFY",     [SIP_M_PUBLISH] = "PUBLISH",
    [SIP_M_INFO] = "INFO",         [SIP_M_REFER] = "REFER",
    [SIP_M_MESSAGE] = "MESSAGE",   [SIP_M_UPDATE] = "UPDATE",
};

/* Methods are case-sensitive (RFC 3261 §7.1): an exact match, switched on length. */
enum sip_method sip_method_of(struct slice tok)
{
    static const uint8_t by_len[10][4] = {
        [3] = {SIP_M_ACK, SIP_M_BYE},
        [4] = {SIP_M_INFO},
        [5] = {SIP_M_PRACK, SIP_M_REFER},
        [6] = {SIP_M_INVITE, SIP_M_CANCEL, SIP_M_NOTIFY, SIP_M_UPDATE},
        [7] = {SIP_M_OPTIONS, SIP_M_PUBLISH, SIP_M_MESSAGE},
        [8] = {SIP_M_REGISTER},
        [9] = {SIP_M_SUBSCRIBE},
    };
    if (tok.len >= 10)
        return SIP_M_OTHER;
    for (size_t i = 0; i < 4 && by_len[tok.len][i] != 0; i++) {
        uint8_t id = by_len[tok.len][i];
        const char *name = method_names[id];
        if (tok.p[0] == (uint8_t)name[0] && memcmp(tok.p, name, tok.len) == 0)
            return (enum sip_method)id;
    }
    return SIP_M_OTHER;
}

const char *sip_method_name(enum sip_method m)
{
    if ((unsigned)m >= SIP_M__COUNT)
        return NULL;
    return method_names[m];
}

/* End of the line starting at pos: offset of its '\n', or of a bare CR (one not followed by LF:
 * Wireshark ends lines at CR, LF or CRLF, so "180 end\r\r\n" is a status line followed by an empty
 * line there, and must be here too), or d.len when there is none. */
static size_t line_end(struct slice d, size_t pos)
{
    if (pos >= d.len)
        return d.len;
    const uint8_t *nl = memchr(d.p + pos, '\n', d.len - pos);
    size_t end = nl ? (size_t)(nl - d.p) : d.len;
    size_t span = end - pos;
    if (span > 0)
        span--; /* a CR right before the LF is the usual CRLF; one ending the data may be a
                   CRLF cut in two, so it does not end the line */
    const uint8_t *cr = span ? memchr(d.p + pos, '\r', span) : NULL;
    return cr ? (size_t)(cr - d.p) : end;
}

/* s without trailing CR, SP, HTAB. */
static struct slice rtrim(struct slice s)
{
    while (s.len > 0 && (s.p[s.len - 1] == '\r' || s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
        s.len--;
    return s;
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* Length of the run of token characters at the start of s. */
static size_t token_len(struct slice s)
{
    size_t i = 0;
    while (i < s.len && sip_token_char(s.p[i]))
        i++;
    return i;
}

/* The 7 bytes at p are "SIP/2.0", letters in any case. */
static inline bool is_version(const uint8_t *p)
{
    return (p[0] | 0x20) == 's' && (p[1] | 0x20) == 'i' && (p[2] | 0x20) == 'p' && p[3] == '/' &&
           p[4] == '2' && p[5] == '.' && p[6] == '0';
}

/* True when s ends with " SIP/2.0" (version compared ignoring case). */
static bool ends_with_version(struct slice s)
{
    return s.len >= 8 && s.p[s.len - 8] == ' ' && is_version(s.p + s.len - 7);
}

/* True when s starts with "SIP/2.0 " (version compared ignoring case). */
static bool starts_with_version(struct slice s)
{
    return s.len >= 8 && is_version(s.p) && s.p[7] == ' ';
}

/* "SIP/2.0 " then three digits. */
static bool looks_like_status(struct slice d)
{
    return d.len >= SIP_MIN_START && starts_with_version(d) && is_digit(d.p[8]) &&
           is_digit(d.p[9]) && is_digit(d.p[10]);
}

bool sip_looks_like(struct slice d)
{
    if (d.len < SIP_MIN_START)
        return false;
    uint8_t c = d.p[0];
    if (c == 'S' || c == 's') {
        if (looks_like_status(d))
            return true;
    }
    if (c < 'A' || c > 'Z')
        return false;
    size_t mlen = token_len(slice_sub(d, 0, SIP_MAX_METHOD_LEN + 1));
    if (mlen > SIP_MAX_METHOD_LEN || mlen >= d.len || d.p[mlen] != ' ')
        return false;
    size_t win = d.len < SIP_LOOKS_MAX_LINE ? d.len : SIP_LOOKS_MAX_LINE;
    const uint8_t *nl = memchr(d.p, '\n', win);
    if (nl)
        return ends_with_version(rtrim(slice_make(d.p, (size_t)(nl - d.p))));
    if (ends_with_version(rtrim(slice_make(d.p, win))))
        return true;
    struct slice uri = slice_sub(d, mlen + 1, win);
    return SLICE_ISTARTS(uri, "sip:") || SLICE_ISTARTS(uri, "sips:") || SLICE_ISTARTS(uri, "tel:");
}

/* Status-Line: "SIP/2.0 SP 3DIGIT SP Reason-Phrase" (the reason may be empty or missing). */
static enum dis_result parse_status(struct sip_msg *m, struct slice line)
{
    struct slice rest = slice_sub(line, 8, line.len);
    m->is_request = false;
    if (rest.len < 3 || !is_digit(rest.p[0]) || !is_digit(rest.p[1]) || !is_digit(rest.p[2]) ||
        (rest.len > 3 && rest.p[3] != ' ' && rest.p[3] != '\t')) {
        m->flags |= SIP_F_BAD_START;
        m->reason = slice_trim(rest);
        return DIS_OK;
    }
    m->status = (unsigned)((rest.p[0] - '0') * 100 + (rest.p[1] - '0') * 10 + (rest.p[2] - '0'));
    if (m->status < 100 || m->status > 699)
        m->flags |= SIP_F_BAD_START;
    m->reason = slice_trim(slice_sub(rest, 3, rest.len));
    return DIS_OK;
}

/* Request-Line: "Method SP Request-URI SP SIP-Version"; DIS_NOT_MINE when it is not one. */
static enum dis_result parse_request(struct sip_msg *m, struct slice line)
{
    size_t mlen = token_len(line);
    if (mlen == 0 || mlen >= line.len || line.p[mlen] != ' ' || !ends_with_version(line))
        return DIS_NOT_MINE;
    m->is_request = true;
    m->method = slice_make(line.p, mlen);
    m->method_id = (uint8_t)sip_method_of(m->method);
    size_t last_sp = line.len - 8; /* the SP of " SIP/2.0" */
    if (last_sp <= mlen) {
        m->flags |= SIP_F_BAD_START;
        return DIS_OK;
    }
    m->ruri = slice_trim(slice_make(line.p + mlen + 1, last_sp - mlen - 1));
    if (m->ruri.len == 0)
        m->flags |= SIP_F_BAD_START;
    return DIS_OK;
}

static enum dis_result parse_start(struct sip_msg *m, struct slice line)
{
    line = rtrim(line);
    if (starts_with_version(line))
        return parse_status(m, line);
    return parse_request(m, line);
}

/* A slot in m->hdr[] for a new header of this id, or -1 when it is not indexed. Past
 * SIP_MAX_HEADERS only the first header of a well-known id is kept: it replaces the last slot that
 * is not the first of its id (always exists: there are fewer ids than slots), so first[] stays
 * valid while hdr[] loses wire order for those late entries. */
static int hdr_slot(struct sip_msg *m, uint8_t id)
{
    if (m->nhdr < SIP_MAX_HEADERS)
        return (int)m->nhdr++;
    m->flags |= SIP_F_TOO_MANY_HDRS;
    if (id == SIP_H_OTHER || m->first[id] != 0)
        return SIP_CUR_NONE;
    for (unsigned i = SIP_MAX_HEADERS; i-- > 0;) {
        uint8_t old = m->hdr[i].id;
        if (old == SIP_H_OTHER || m->first[old] != i + 1)
            return (int)i;
    }
    return SIP_CUR_NONE;
}

/* A continuation line (starts with SP/HTAB): the current header value now spans it. */
static int fold_line(struct sip_msg *m, const uint8_t *end, int cur)
{
    if (cur == SIP_CUR_START) {
        m->flags |= SIP_F_BAD_HDR;
        return SIP_CUR_NONE;
    }
    if (cur < 0)
        return cur;
    struct sip_hdr *h = &m->hdr[cur];
    h->value = slice_trim(slice_make(h->value.p, (size_t)(end - h->value.p)));
    return cur;
}

/* [p, p+n) without leading and trailing SP/HTAB. */
static struct slice trim_sp(const uint8_t *p, size_t n)
{
    while (n > 0 && (p[0] == ' ' || p[0] == '\t')) {
        p++;
        n--;
    }
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return slice_make(p, n);
}

/* One header line [p, p+n), n > 0, without its line end; returns the new current header.
 * header-name is a token, then optional SP/HTAB, then ':' (RFC 3261 §7.3.1, HCOLON). */
static int header_line(struct sip_msg *m, const uint8_t *p, size_t n, int cur)
{
    if (p[0] == ' ' || p[0] == '\t')
        return fold_line(m, p + n, cur);
    size_t i = 0;
    while (i < n && sip_token_char(p[i]))
        i++;
    size_t c = i;
    while (c < n && (p[c] == ' ' || p[c] == '\t'))
        c++;
    if (i == 0 || c == n || p[c] != ':') {
        m->flags |= SIP_F_BAD_HDR;
        return SIP_CUR_NONE;
    }
    struct slice name = slice_make(p, i);
    uint8_t id = (uint8_t)sip_hdr_id_of(name);
    int slot = hdr_slot(m, id);
    if (slot < 0)
        return SIP_CUR_NONE;
    struct sip_hdr *h = &m->hdr[slot];
    h->name = name;
    h->value = trim_sp(p + c + 1, n - c - 1);
    h->id = id;
    if (id != SIP_H_OTHER && m->first[id] == 0)
        m->first[id] = (uint16_t)(slot + 1);
    return slot;
}

/* Scans header lines from pos; returns the offset just past the empty line that ends them, or
 * d.len with SIP_F_NO_BODY_SEP when there is none. */
static size_t scan_headers(struct sip_msg *m, struct slice d, size_t pos)
{
    int cur = SIP_CUR_START;
    while (pos < d.len) {
        size_t eol = line_end(d, pos);
        size_t end = eol;
        if (end > pos && d.p[end - 1] == '\r')
            end--;
        if (end == pos) {
            if (eol < d.len)
                return eol + 1;
            break;
        }
        cur = header_line(m, d.p + pos, end - pos, cur);
        pos = eol < d.len ? eol + 1 : d.len;
    }
    m->flags |= SIP_F_NO_BODY_SEP;
    return d.len;
}

/* Body after the header section, bounded by Content-Length (RFC 3261 §18.3, §20.14). */
static void set_body(struct sip_msg *m, struct slice d, size_t off)
{
    size_t avail = d.len - off;
    m->body = slice_make(d.p + off, avail);
    if (m->first[SIP_H_CONTENT_LENGTH] == 0)
        return;
    uint64_t cl;
    if (!slice_u64(sip_hdr_get(m, SIP_H_CONTENT_LENGTH), UINT32_MAX, &cl)) {
        m->flags |= SIP_F_BAD_CL;
        return;
    }
    m->has_cl = true;
    m->content_length = (uint32_t)cl;
    if (cl > avail) {
        m->flags |= SIP_F_CL_LONG;
    } else if (cl < avail) {
        m->flags |= SIP_F_CL_SHORT;
        m->body.len = (size_t)cl;
    }
}

/* Flags for missing Call-ID and bad CSeq; a response takes its method from CSeq. Caches CSeq,
 * the To tag and the top Via branch (read again by the dialog table and the store). */
static void check_headers(struct sip_msg *m)
{
    if (sip_call_id(m).len == 0)
        m->flags |= SIP_F_NO_CALL_ID;
    m->to_tag = sip_param(sip_hdr_get(m, SIP_H_TO), "tag", 3, NULL);
    m->via_branch = sip_param(sip_hdr_get(m, SIP_H_VIA), "branch", 6, NULL);
    uint32_t num;
    struct slice meth;
    if (!sip_cseq_parse(sip_hdr_get(m, SIP_H_CSEQ), &num, &meth)) {
        m->flags |= SIP_F_BAD_CSEQ;
        return;
    }
    m->cseq_ok = true;
    m->cseq_num = num;
    m->cseq_method = meth;
    if (!m->is_request)
        m->method_id = (uint8_t)sip_method_of(meth);
}

/* Resets what the parser fills; hdr[] entries past nhdr are left as they were (never read). */
static void msg_init(struct sip_msg *m, struct slice data)
{
    m->raw = data;
    m->is_request = false;
    m->method_id = SIP_M_NONE;
    m->method = SLICE_NULL;
    m->ruri = SLICE_NULL;
    m->status = 0;
    m->reason = SLICE_NULL;
    m->flags = 0;
    m->nhdr = 0;
    memset(m->first, 0, sizeof(m->first));
    m->body = SLICE_NULL;
    m->cseq_ok = false;
    m->cseq_num = 0;
    m->cseq_method = SLICE_NULL;
    m->to_tag = SLICE_NULL;
    m->via_branch = SLICE_NULL;
    m->has_cl = false;
    m->content_length = 0;
}

enum dis_result sip_parse(struct sip_msg *m, struct slice data)
{
    msg_init(m, data);
    size_t pos = 0;
    while (pos < data.len && (data.p[pos] == '\r' || data.p[pos] == '\n'))
        pos++; /* RFC 3261 §7.5: CRLFs before the start line are ignored */
    if (pos == data.len)
        return DIS_NOT_MINE;
    size_t eol = line_end(data, pos);
    enum dis_result r = parse_start(m, slice_make(data.p + pos, eol - pos));
    if (r != DIS_OK)
        return r;
    if (eol == data.len) {
        m->flags |= SIP_F_NO_BODY_SEP | SIP_F_NO_CALL_ID | SIP_F_BAD_CSEQ;
        m->body = slice_make(data.p + data.len, 0);
        return DIS_BAD;
    }
    size_t body_off = scan_headers(m, data, eol + 1);
    if (memchr(data.p, 0, body_off))
        m->flags |= SIP_F_NUL;
    set_body(m, data, body_off);
    check_headers(m);
    return DIS_OK;
}

/* A prefix (no line end yet) that can still grow into a status or request line. */
static bool start_prefix_ok(struct slice b)
{
    size_t k = b.len < 8 ? b.len : 8;
    if (slice_ieq(slice_make(b.p, k), "SIP/2.0 ", k)) {
        struct slice rest = slice_sub(b, 8, b.len);
        size_t i = 0;
        while (i < rest.len && i < 3 && is_digit(rest.p[i]))
            i++;
        return i == rest.len || (i == 3 && (rest.p[3] == ' ' || rest.p[3] == '\r'));
    }
    size_t mlen = token_len(b);
    if (b.p[0] < 'A' || b.p[0] > 'Z' || mlen > SIP_MAX_METHOD_LEN)
        return false;
    if (mlen == b.len)
        return true;
    if (b.p[mlen] != ' ')
        return false;
    size_t last = b.len;
    for (size_t i = mlen + 1; i < b.len; i++) {
        if (b.p[i] < 0x20 && b.p[i] != '\t' && !(b.p[i] == '\r' && i + 1 == b.len))
            return false;
        if (b.p[i] == ' ')
            last = i;
    }
    if (last == b.len)
        return true;
    struct slice ver = rtrim(slice_sub(b, last + 1, b.len));
    return slice_ieq(ver, "SIP/2.0", ver.len);
}

/* Whether buffered starts a SIP message: DIS_OK (a whole start line that is SIP), DIS_SHORT. */
static enum dis_result frame_start(struct slice b)
{
    size_t win = b.len < SIP_FRAME_MAX_START ? b.len : SIP_FRAME_MAX_START;
    if (memchr(b.p, '\n', win))
        return sip_looks_like(b) ? DIS_OK : DIS_NOT_MINE;
    if (b.len >= SIP_FRAME_MAX_START)
        return DIS_NOT_MINE;
    return start_prefix_ok(b) ? DIS_SHORT : DIS_NOT_MINE;
}

/* Offset just past the empty line ending the header section, searched in the first lim bytes. */
static bool find_hdr_end(struct slice b, size_t lim, size_t *off)
{
    size_t pos = 0;
    while (pos < lim) {
        const uint8_t *nl = memchr(b.p + pos, '\n', lim - pos);
        if (!nl)
            return false;
        size_t i = (size_t)(nl - b.p) + 1;
        if (i < b.len && b.p[i] == '\n') {
            *off = i + 1;
            return true;
        }
        if (i + 1 < b.len && b.p[i] == '\r' && b.p[i + 1] == '\n') {
            *off = i + 2;
            return true;
        }
        pos = i;
    }
    return false;
}

/* Content-Length ("l" compact) of a complete header section; 0 when absent, false when bad. */
static bool frame_cl(struct slice hs, uint64_t *cl)
{
    *cl = 0;
    size_t pos = line_end(hs, 0);
    while (pos < hs.len) {
        pos++;
        size_t eol = line_end(hs, pos);
        struct slice line = slice_make(hs.p + pos, eol - pos);
        size_t colon = slice_chr(line, ':');
        struct slice name = rtrim(slice_make(line.p, colon));
        if (colon < line.len && (SLICE_IEQ(name, "Content-Length") || SLICE_IEQ(name, "l")))
            return slice_u64(slice_sub(line, colon + 1, line.len), UINT32_MAX, cl);
        pos = eol;
    }
    return true;
}

enum dis_result sip_frame_len(struct slice b, size_t *len)
{
    *len = 0;
    if (b.len == 0)
        return DIS_SHORT;
    size_t n = 0;
    while (n < b.len && (b.p[n] == '\r' || b.p[n] == '\n'))
        n++;
    if (n > 0) {
        *len = n;
        return DIS_OK;
    }
    enum dis_result r = frame_start(b);
    if (r != DIS_OK)
        return r;
    size_t hend;
    size_t lim = b.len < SIP_FRAME_MAX_HDRS ? b.len : SIP_FRAME_MAX_HDRS;
    if (!find_hdr_end(b, lim, &hend))
        return b.len > SIP_FRAME_MAX_HDRS ? DIS_NOT_MINE : DIS_SHORT;
    uint64_t cl;
    if (!frame_cl(slice_make(b.p, hend), &cl))
        return DIS_NOT_MINE;
    if (hend > SIP_MAX_MESSAGE || cl > SIP_MAX_MESSAGE - hend)
        return DIS_NOT_MINE;
    if (cl > b.len - hend)
        return DIS_SHORT;
    *len = hend + (size_t)cl;
    return DIS_OK;
}
