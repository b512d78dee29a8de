/* cli_calls.c: `sipscope calls`: the call history as a table, JSON or CSV, with filters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "dissect/diag.h"
#include "store/diag_store.h"
#include "store/query.h"
#include "ui/cli.h"
#include "ui/json.h"
#include "ui/textsafe.h"
#include "ui/timeparse.h"

enum out_format { OUT_TABLE, OUT_JSON, OUT_CSV };

struct calls_out {
    enum out_format fmt;
    FILE *out;
    unsigned n;
    int width; /* table width; 0 = no limit (--wide) */
};

/* Table width: the terminal's (at least 80) when stdout is one; 0 (Call-ID whole) otherwise, so
 * a Call-ID copied from a pipe or file can be pasted into `sipscope ladder`. */
static int table_width(void)
{
    struct winsize ws;
    if (!isatty(STDOUT_FILENO))
        return 0;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 80)
        return ws.ws_col;
    return 80;
}

static int parse_status(struct cli *c, const char *v, struct q_filter *f)
{
    size_t n = strlen(v);
    if (n == 3 && v[0] >= '1' && v[0] <= '6' && (v[1] == 'x' || v[1] == 'X') &&
        (v[2] == 'x' || v[2] == 'X')) {
        f->status_class = v[0] - '0';
        return 0;
    }
    char *end = NULL;
    long s = strtol(v, &end, 10);
    if (n == 3 && *end == '\0' && s >= 100 && s <= 699) {
        f->status = (int)s;
        return 0;
    }
    return cli_usage_error(c, "--status wants a code 100-699 or a class like 4xx, not '%s'", v);
}

static int parse_args(struct cli *c, struct q_filter *f, enum out_format *fmt, bool *wide,
                      const char **match)
{
    for (int i = 0; i < c->argc; i++) {
        const char *v = NULL;
        int r;
        char **a = c->argv;
        if ((r = cli_opt(c, c->argc, a, &i, "--json", false, NULL)) == 1) {
            *fmt = OUT_JSON;
        } else if ((r = cli_opt(c, c->argc, a, &i, "--csv", false, NULL)) == 1) {
            *fmt = OUT_CSV;
        } else if ((r = cli_opt(c, c->argc, a, &i, "--wide", false, NULL)) == 1) {
            *wide = true;
        } else if ((r = cli_opt(c, c->argc, a, &i, "--invite", false, NULL)) == 1) {
            f->invite_only = true;
        } else if ((r = cli_opt(c, c->argc, a, &i, "--from", true, &v)) != 0) {
            f->from = v;
        } else if ((r = cli_opt(c, c->argc, a, &i, "--to", true, &v)) != 0) {
            f->to = v;
        } else if ((r = cli_opt(c, c->argc, a, &i, "--method", true, &v)) != 0) {
            f->method = v;
        } else if ((r = cli_opt(c, c->argc, a, &i, "--agent", true, &v)) != 0) {
            f->agent = v; /* HEP agent name or id (docs/hep.md) */
        } else if ((r = cli_opt(c, c->argc, a, &i, "--status", true, &v)) != 0) {
            if (r > 0 && parse_status(c, v, f) != 0)
                return EXIT_USAGE;
        } else if ((r = cli_opt(c, c->argc, a, &i, "--since", true, &v)) != 0) {
            if (r > 0 && time_parse(v, &f->since_ns) < 0)
                return cli_usage_error(c, "--since: cannot read time '%s' (ISO 8601 or epoch)", v);
        } else if ((r = cli_opt(c, c->argc, a, &i, "--until", true, &v)) != 0) {
            if (r > 0 && time_parse_end(v, &f->until_ns) < 0)
                return cli_usage_error(c, "--until: cannot read time '%s' (ISO 8601 or epoch)", v);
        } else if ((r = cli_opt(c, c->argc, a, &i, "--match", true, &v)) != 0) {
            *match = v;
        } else if ((r = cli_opt(c, c->argc, a, &i, "--has-finding", true, &v)) != 0) {
            if (r > 0 && !diag_rule_known(v))
                return cli_usage_error(
                    c, "--has-finding: unknown rule '%s' (see docs/diagnostics.md)", v);
            f->has_finding = v;
        } else if ((r = cli_opt(c, c->argc, a, &i, "--limit", true, &v)) != 0) {
            char *end = NULL;
            if (r > 0)
                f->limit = strtoll(v, &end, 10);
            if (r > 0 && (*end != '\0' || f->limit <= 0))
                return cli_usage_error(c, "--limit wants a positive number, not '%s'", v);
        } else {
            return cli_usage_error(c, "unknown argument %s", a[i]);
        }
        if (r < 0)
            return EXIT_USAGE;
    }
    return 0;
}

/* The call_media keys (docs/schema.md): null where the call has no verdict. */
static void json_media(FILE *o, const struct q_call *c)
{
    fputs(",\"media\":", o);
    json_cstr(o, c->has_media ? c->media : NULL);
    fputs(",\"codec\":", o);
    json_cstr(o, c->has_media ? c->codec : NULL);
    if (c->has_media && c->mos >= 0)
        fprintf(o, ",\"mos\":%.2f", c->mos);
    else
        fputs(",\"mos\":null", o);
    if (c->has_media)
        fprintf(o, ",\"lost\":%lld", (long long)c->lost);
    else
        fputs(",\"lost\":null", o);
}

static void json_call(FILE *o, const struct q_call *c)
{
    fputs("{\"call_id\":", o);
    json_cstr(o, c->call_id);
    fputs(",\"method\":", o);
    json_cstr(o, c->method);
    fputs(",\"from\":", o);
    json_cstr(o, c->from);
    fputs(",\"to\":", o);
    json_cstr(o, c->to);
    fputs(",\"src\":", o);
    json_cstr(o, c->src);
    fputs(",\"dst\":", o);
    json_cstr(o, c->dst);
    fputs(",\"transport\":", o);
    json_cstr(o, c->transport);
    fputs(",\"start\":", o);
    json_epoch(o, c->start_ns);
    fputs(",\"end\":", o);
    json_epoch(o, c->end_ns);
    fprintf(o, ",\"messages\":%lld,\"final_status\":", (long long)c->messages);
    if (c->final_status)
        fprintf(o, "%d", c->final_status);
    else
        fputs("null", o);
    fputs(",\"state\":", o);
    json_cstr(o, c->state);
    fputs(",\"duration\":", o);
    json_secs(o, c->bye_ns - c->answer_ns, c->answer_ns && c->bye_ns >= c->answer_ns);
    fputs(",\"setup_time\":", o);
    json_secs(o, c->ring_ns - c->invite_ns, c->invite_ns && c->ring_ns >= c->invite_ns);
    fprintf(o, ",\"rtp_streams\":%d", c->rtp_streams);
    json_media(o, c);
    putc('}', o);
}

/* CSV field (RFC 4180 quoting); a leading = + - @ is prefixed with ' so spreadsheets do not
 * evaluate it (formula injection); control characters become spaces. */
static void csv_field(FILE *o, const char *s)
{
    if (!s)
        return;
    putc('"', o);
    if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
        putc('\'', o);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"')
            fputs("\"\"", o);
        else if (ch < 0x20 || ch == 0x7F)
            putc(' ', o);
        else
            putc(ch, o);
    }
    putc('"', o);
}

static void csv_secs(FILE *o, int64_t ns, bool ok)
{
    if (ok)
        json_epoch(o, ns);
}

static void csv_call(FILE *o, const struct q_call *c)
{
    csv_field(o, c->call_id);
    putc(',', o);
    csv_field(o, c->method);
    putc(',', o);
    csv_field(o, c->from);
    putc(',', o);
    csv_field(o, c->to);
    putc(',', o);
    csv_field(o, c->src);
    putc(',', o);
    csv_field(o, c->dst);
    putc(',', o);
    csv_field(o, c->transport);
    putc(',', o);
    json_epoch(o, c->start_ns);
    putc(',', o);
    json_epoch(o, c->end_ns);
    fprintf(o, ",%lld,", (long long)c->messages);
    if (c->final_status)
        fprintf(o, "%d", c->final_status);
    putc(',', o);
    csv_field(o, c->state);
    putc(',', o);
    csv_secs(o, c->bye_ns - c->answer_ns, c->answer_ns && c->bye_ns >= c->answer_ns);
    putc(',', o);
    csv_secs(o, c->ring_ns - c->invite_ns, c->invite_ns && c->ring_ns >= c->invite_ns);
    fprintf(o, ",%d,", c->rtp_streams);
    csv_field(o, c->has_media ? c->media : NULL);
    putc(',', o);
    csv_field(o, c->has_media ? c->codec : NULL);
    putc(',', o);
    if (c->has_media && c->mos >= 0)
        fprintf(o, "%.2f", c->mos);
    putc(',', o);
    if (c->has_media)
        fprintf(o, "%lld", (long long)c->lost);
    fputs("\r\n", o);
}

/* The URI without its "sip:"/"sips:" scheme and ";params": what a person reads in a table. */
static const char *short_uri(const char *uri, char *buf, size_t n)
{
    if (!uri)
        return "";
    if (strncmp(uri, "sip:", 4) == 0)
        uri += 4;
    else if (strncmp(uri, "sips:", 5) == 0)
        uri += 5;
    size_t len = strcspn(uri, ";?>");
    const char *at = memchr(uri, '@', len);
    const char *host = at ? at + 1 : uri;
    const char *colon = memchr(host, ':', len - (size_t)(host - uri));
    if (colon && host[0] != '[')
        len = (size_t)(colon - uri); /* the port says little in a table */
    snprintf(buf, n, "%.*s", (int)(len < n ? len : n - 1), uri);
    return buf;
}

/* A From/To for a column of width w: the user part stays whole when it fits, the host is cut at
 * its end ("alice@192.0~"); otherwise cut in the middle like any text. */
static void fit_party(char *out, size_t w, const char *party)
{
    size_t n = strlen(party);
    const char *at = strchr(party, '@');
    if (n > w && at && (size_t)(at - party) + 3 <= w) {
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%.*s~", (int)(w - 1), party);
        text_fit(out, w, tmp);
        return;
    }
    text_fit(out, w, party);
}

/* Table columns: start, method, from, to, code, state, messages (fixed, 70 columns with the
 * separators), then the Call-ID in the rest of the width (whole when the width is 0). */
#define TABLE_FIXED 70

static void table_header(FILE *o)
{
    fprintf(o, "%-14s %-9s %-12s %-12s %3s %-9s %4s %s\n", "START (UTC)", "METHOD", "FROM", "TO",
            "SIP", "STATE", "MSGS", "CALL-ID");
}

static void table_call(FILE *o, const struct q_call *c, int width)
{
    char from[13], to[13], method[10], state[10], tmp[512], cid[1024];
    time_t t = (time_t)(c->start_ns / 1000000000);
    struct tm tm;
    char when[16];
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%m-%d %H:%M:%S", &tm);
    fit_party(from, 12, short_uri(c->from, tmp, sizeof tmp));
    fit_party(to, 12, short_uri(c->to, tmp, sizeof tmp));
    text_fit(method, 9, c->method);
    text_fit(state, 9, c->state);
    size_t cw = width > TABLE_FIXED ? (size_t)(width - TABLE_FIXED) : sizeof cid - 1;
    text_fit(cid, cw < 8 ? 8 : (cw > sizeof cid - 1 ? sizeof cid - 1 : cw), c->call_id);
    char code[8] = "-";
    if (c->final_status)
        snprintf(code, sizeof code, "%d", c->final_status);
    fprintf(o, "%-14s %-9s %-12s %-12s %3s %-9s %4lld %s\n", when, method, from, to, code, state,
            (long long)c->messages, cid);
}

static int on_call(void *user, const struct q_call *c)
{
    struct calls_out *co = user;
    co->n++;
    if (co->fmt == OUT_JSON) {
        fputs(co->n > 1 ? ",\n" : "\n", co->out);
        json_call(co->out, c);
    } else if (co->fmt == OUT_CSV) {
        csv_call(co->out, c);
    } else {
        table_call(co->out, c, co->width);
    }
    return 0;
}

int cmd_calls(struct cli *c)
{
    struct q_filter f = {0};
    enum out_format fmt = OUT_TABLE;
    bool wide = false;
    const char *match = NULL;
    int rc = parse_args(c, &f, &fmt, &wide, &match);
    if (rc != 0)
        return rc;
    char err[1024];
    if (match) {
        /* compile before importing anything: a bad pattern is a usage error */
        struct db *scratch = db_open(":memory:", false, err, sizeof err);
        struct q_match *probe = scratch ? q_match_new(scratch, match, err, sizeof err) : NULL;
        q_match_free(probe);
        db_close(scratch);
        if (!probe)
            return cli_usage_error(c, "--match: %s", err);
    }
    rc = c->nfiles ? cli_import_files(c, c->files, c->nfiles, false) : cli_open_db(c);
    if (rc != 0)
        return rc;
    f.captures = c->captures;
    f.ncaptures = c->ncaptures;
    if (f.has_finding &&
        diag_store_update(c->db, NULL, 0, f.captures, f.ncaptures, err, sizeof err) < 0)
        return cli_runtime_error("%s", err);
    if (match && !(f.match = q_match_new(c->db, match, err, sizeof err)))
        return cli_runtime_error("%s", err);
    struct calls_out co = {.fmt = fmt, .out = stdout, .width = wide ? 0 : table_width()};
    if (fmt == OUT_JSON)
        fputs("[", stdout);
    else if (fmt == OUT_CSV)
        fputs("call_id,method,from,to,src,dst,transport,start,end,messages,final_status,state,"
              "duration,setup_time,rtp_streams,media,codec,mos,lost\r\n",
              stdout);
    else
        table_header(stdout);
    rc = q_calls(c->db, &f, on_call, &co, err, sizeof err);
    q_match_free(f.match);
    if (rc < 0)
        return cli_runtime_error("%s", err);
    if (fmt == OUT_JSON)
        fputs(co.n ? "\n]\n" : "]\n", stdout);
    if (fflush(stdout) != 0)
        return cli_runtime_error("standard output: write error");
    return 0;
}
