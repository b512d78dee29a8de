/* cli_stats.c: `sipscope stats`: response codes (RFC 3261 §21 reason and class), methods, calls by
 * state, answer-seizure ratio, setup-time percentiles and top User-Agents, as text or JSON. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dissect/sip_codes.h"
#include "store/stats.h"
#include "ui/cli.h"
#include "ui/json.h"
#include "ui/textsafe.h"
#include "ui/timeparse.h"

#define TOP_UAS 10

static int parse_time(struct cli *c, const char *opt, const char *v, int64_t *ns)
{
    if (time_parse(v, ns) < 0)
        return cli_usage_error(c, "%s: cannot read time '%s' (ISO 8601 or epoch)", opt, v);
    return 0;
}

static int parse_args(struct cli *c, struct st_scope *s, bool *json)
{
    for (int i = 0; i < c->argc; i++) {
        const char *v = NULL;
        int r;
        char **a = c->argv;
        if ((r = cli_opt(c, c->argc, a, &i, "--json", false, NULL)) == 1) {
            *json = true;
        } else if ((r = cli_opt(c, c->argc, a, &i, "--since", true, &v)) != 0) {
            if (r > 0 && parse_time(c, "--since", v, &s->since_ns) != 0)
                return EXIT_USAGE;
        } else if ((r = cli_opt(c, c->argc, a, &i, "--until", true, &v)) != 0) {
            if (r > 0 && parse_time(c, "--until", v, &s->until_ns) != 0)
                return EXIT_USAGE;
        } else {
            return cli_usage_error(c, "unknown argument %s", a[i]);
        }
        if (r < 0)
            return EXIT_USAGE;
    }
    if (s->since_ns && s->until_ns && s->since_ns > s->until_ns)
        return cli_usage_error(c, "--since is later than --until: the window is empty");
    return 0;
}

/* ---- JSON ---- */

static void json_responses(FILE *o, const struct st_result *r)
{
    bool first = true;
    fputs("\"responses\":[", o);
    for (unsigned code = 0; code < ST_CODES; code++) {
        if (!r->status[code])
            continue;
        const struct sip_code_info *ci = sip_code_lookup(code);
        fprintf(o, "%s{\"code\":%u,\"reason\":", first ? "" : ",", code);
        json_cstr(o, ci ? ci->reason : NULL);
        fputs(",\"class\":", o);
        json_cstr(o, sip_code_class(code));
        fprintf(o, ",\"count\":%" PRId64 "}", r->status[code]);
        first = false;
    }
    fputs("]", o);
}

/* "key":{"a":N,...} from a counted list. */
static void json_map(FILE *o, const char *key, const struct st_count *v, size_t n)
{
    fprintf(o, "\"%s\":{", key);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? "," : "", o);
        json_str(o, v[i].key, v[i].len);
        fprintf(o, ":%" PRId64, v[i].count);
    }
    fputs("}", o);
}

static void json_setup(FILE *o, const struct st_result *r)
{
    bool ok = r->nsetup > 0;
    fprintf(o, "\"setup_time\":{\"calls\":%" PRId64 ",\"p50\":", r->nsetup);
    json_secs(o, r->p50_ns, ok);
    fputs(",\"p90\":", o);
    json_secs(o, r->p90_ns, ok);
    fputs(",\"p99\":", o);
    json_secs(o, r->p99_ns, ok);
    fputs("}", o);
}

static void json_uas(FILE *o, const struct st_result *r)
{
    fputs("\"user_agents\":[", o);
    for (size_t i = 0; i < r->nuas && i < TOP_UAS; i++) {
        fputs(i ? ",{\"value\":" : "{\"value\":", o);
        json_str(o, r->uas[i].key, r->uas[i].len);
        fprintf(o, ",\"count\":%" PRId64 "}", r->uas[i].count);
    }
    fputs("]", o);
}

static void json_window(FILE *o, const struct st_scope *s)
{
    fputs("\"window\":{\"since\":", o);
    json_secs(o, s->since_ns, s->since_ns != 0);
    fputs(",\"until\":", o);
    json_secs(o, s->until_ns, s->until_ns != 0);
    fputs("}", o);
}

/* "rtp": the quality summary of the streams of the calls in scope. */
static void json_rtp(FILE *o, const struct st_rtp *q)
{
    fprintf(o,
            "\"rtp\":{\"streams\":%" PRId64 ",\"streams_with_loss\":%" PRId64
            ",\"packets\":%" PRId64 ",\"lost\":%" PRId64 ",\"mean_jitter_ms\":",
            q->streams, q->streams_with_loss, q->packets, q->lost);
    if (q->jitter_n)
        fprintf(o, "%.3f", q->jitter_sum / (double)q->jitter_n);
    else
        fputs("null", o);
    fputs(",\"max_jitter_ms\":", o);
    if (q->has_max_jitter)
        fprintf(o, "%.3f", q->max_jitter_ms);
    else
        fputs("null", o);
    fputs(",\"mos\":{", o);
    for (int i = 0; i < ST_MOS_BANDS; i++)
        fprintf(o, "%s\"%s\":%" PRId64, i ? "," : "", st_mos_band_name(i), q->mos[i]);
    fprintf(o,
            "},\"calls_media\":{\"both\":%" PRId64 ",\"one-way\":%" PRId64 ",\"none\":%" PRId64 "}",
            q->calls_both, q->calls_one_way, q->calls_none);
    if (q->has_heur)
        fprintf(o, ",\"heuristic_streams\":{\"call\":%" PRId64 ",\"no_call\":%" PRId64 "}",
                q->heur_call, q->heur_orphan);
    fputs("}", o);
}

static void print_json(FILE *o, const struct st_scope *s, const struct st_result *r)
{
    fprintf(o, "{\"messages\":%" PRId64 ",\"calls\":%" PRId64 ",\n", r->messages, r->calls);
    json_window(o, s);
    fputs(",\n", o);
    json_responses(o, r);
    fputs(",\n", o);
    json_map(o, "requests", r->methods, r->nmethods);
    fputs(",\n", o);
    json_map(o, "calls_by_state", r->states, r->nstates);
    fputs(",\n\"asr\":", o);
    if (r->invite_final)
        fprintf(o, "%.6f", (double)r->invite_answered / (double)r->invite_final);
    else
        fputs("null", o);
    fprintf(o, ",\"asr_calls\":{\"answered\":%" PRId64 ",\"with_final_status\":%" PRId64 "},\n",
            r->invite_answered, r->invite_final);
    json_setup(o, r);
    fputs(",\n", o);
    json_uas(o, r);
    fputs(",\n", o);
    json_rtp(o, &r->rtp);
    fputs("}\n", o);
}

/* ---- text (80 columns; wire text through text_fit) ---- */

static void when(char *buf, size_t n, int64_t ns)
{
    time_t t = (time_t)(ns / 1000000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static void text_head(FILE *o, const struct st_scope *s, const struct st_result *r)
{
    char a[32] = "(open)", b[32] = "(open)";
    fprintf(o, "SIP messages %" PRId64 ", calls %" PRId64 "\n", r->messages, r->calls);
    if (s->since_ns)
        when(a, sizeof a, s->since_ns);
    if (s->until_ns)
        when(b, sizeof b, s->until_ns);
    if (s->since_ns || s->until_ns)
        fprintf(o, "window %s .. %s UTC\n", a, b);
}

static void text_responses(FILE *o, const struct st_result *r)
{
    bool any = false;
    fprintf(o, "\nResponses%*s\n", 62, "messages");
    for (unsigned code = 0; code < ST_CODES; code++) {
        if (!r->status[code])
            continue;
        const struct sip_code_info *ci = sip_code_lookup(code);
        const char *cls = sip_code_class(code), *name = sip_code_class_name(code);
        const char *reason = ci ? ci->reason : cls ? "(not registered)" : "(invalid code)";
        fprintf(o, "  %3u %-34.34s %-3s %-14s %11" PRId64 "\n", code, reason, cls ? cls : "-",
                name ? name : "", r->status[code]);
        any = true;
    }
    if (!any)
        fputs("  (none)\n", o);
}

/* A titled list "name  count" of at most max entries; names are wire text. */
static void text_list(FILE *o, const char *title, const struct st_count *v, size_t n, size_t max)
{
    fprintf(o, "\n%s%*s\n", title, (int)(71 - strlen(title)), "messages");
    char name[57];
    for (size_t i = 0; i < n && i < max; i++) {
        text_fit(name, sizeof name - 1, v[i].key);
        fprintf(o, "  %-56s %12" PRId64 "\n", name, v[i].count);
    }
    if (n == 0)
        fputs("  (none)\n", o);
}

static void text_calls(FILE *o, const struct st_result *r)
{
    fprintf(o, "\nCalls by state%*s\n", 57, "calls");
    for (size_t i = 0; i < r->nstates; i++)
        fprintf(o, "  %-56s %12" PRId64 "\n", r->states[i].key, r->states[i].count);
    if (r->nstates == 0)
        fputs("  (none)\n", o);
    fputs("\nAnswer-seizure ratio (INVITE calls answered 2xx / with a final status):\n  ", o);
    if (r->invite_final)
        fprintf(o, "%.1f %%  (%" PRId64 " / %" PRId64 ")\n",
                100.0 * (double)r->invite_answered / (double)r->invite_final, r->invite_answered,
                r->invite_final);
    else
        fputs("-  (no INVITE call with a final status)\n", o);
    fputs("Setup time (first INVITE to its first 18x/2xx):\n  ", o);
    if (r->nsetup)
        fprintf(o, "p50 %.3f s   p90 %.3f s   p99 %.3f s  (%" PRId64 " calls)\n",
                (double)r->p50_ns / 1e9, (double)r->p90_ns / 1e9, (double)r->p99_ns / 1e9,
                r->nsetup);
    else
        fputs("-  (no INVITE call rang or was answered)\n", o);
}

static void text_rtp(FILE *o, const struct st_rtp *q)
{
    static const char *const bands[ST_MOS_BANDS] = {
        ">= 4.34 (very satisfied)",         "4.03 - 4.34 (satisfied)",
        "3.60 - 4.03 (some dissatisfied)",  "3.10 - 3.60 (many dissatisfied)",
        "< 3.10 (nearly all dissatisfied)", "no MOS"};
    fprintf(o, "\nRTP quality%*s\n", 61, "streams");
    fprintf(o, "  %-56s %12" PRId64 "\n", "streams", q->streams);
    fprintf(o, "  %-56s %12" PRId64 "\n", "streams with loss", q->streams_with_loss);
    fprintf(o, "  %-56s %12" PRId64 "\n", "packets lost", q->lost);
    if (q->jitter_n)
        fprintf(o, "  %-56s %12.3f\n", "mean jitter (ms, mean of the streams')",
                q->jitter_sum / (double)q->jitter_n);
    if (q->has_max_jitter)
        fprintf(o, "  %-56s %12.3f\n", "max jitter (ms)", q->max_jitter_ms);
    for (int i = 0; i < ST_MOS_BANDS; i++) {
        char name[64];
        snprintf(name, sizeof name, "MOS %s", bands[i]);
        fprintf(o, "  %-56s %12" PRId64 "\n", name, q->mos[i]);
    }
    fprintf(o, "  %-56s %12" PRId64 "\n", "answered calls with media both ways", q->calls_both);
    fprintf(o, "  %-56s %12" PRId64 "\n", "answered calls with one-way media", q->calls_one_way);
    fprintf(o, "  %-56s %12" PRId64 "\n", "answered calls without media", q->calls_none);
    if (!q->has_heur)
        return;
    fprintf(o, "  %-56s %12" PRId64 "\n", "--rtp-heuristic streams tied to a call", q->heur_call);
    fprintf(o, "  %-56s %12" PRId64 "\n", "--rtp-heuristic streams of no call", q->heur_orphan);
}

static void print_text(FILE *o, const struct st_scope *s, const struct st_result *r)
{
    text_head(o, s, r);
    text_responses(o, r);
    text_list(o, "Requests", r->methods, r->nmethods, (size_t)-1);
    text_calls(o, r);
    text_list(o, "Top User-Agent / Server values", r->uas, r->nuas, TOP_UAS);
    text_rtp(o, &r->rtp);
}

int cmd_stats(struct cli *c)
{
    struct st_scope s = {0};
    bool json = false;
    int rc = parse_args(c, &s, &json);
    if (rc != 0)
        return rc;
    rc = c->nfiles ? cli_import_files(c, c->files, c->nfiles, false) : cli_open_db(c);
    if (rc != 0)
        return rc;
    s.captures = c->captures;
    s.ncaptures = c->ncaptures;
    struct st_result r;
    char err[1024];
    if (st_collect(c->db, &s, &r, err, sizeof err) < 0) {
        st_result_free(&r);
        return cli_runtime_error("%s", err);
    }
    if (json)
        print_json(stdout, &s, &r);
    else
        print_text(stdout, &s, &r);
    st_result_free(&r);
    if (fflush(stdout) != 0)
        return cli_runtime_error("standard output: write error");
    return 0;
}
