/* cli_check.c: `sipscope check`: flow diagnostics per call (docs/diagnostics.md): findings as text
 * or as one stable JSON array, filtered by --severity, and exit 3 with --fail-on when a finding
 * reaches a level (for CI). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/diag.h"
#include "dissect/xalloc.h"
#include "store/diag_store.h"
#include "ui/cli.h"
#include "ui/export.h"
#include "ui/json.h"
#include "ui/textsafe.h"

#define EXIT_FINDINGS 3 /* --fail-on reached */

struct check {
    bool json;
    int show;    /* minimum severity printed */
    int fail_on; /* 0: never fail */
    FILE *o;
    int64_t last_call;
    size_t nshown, ncalls, by_sev[4];
    int worst;
};

static int parse_level(struct cli *c, const char *opt, const char *v, int *out)
{
    *out = (int)diag_sev_parse(v);
    if (!*out)
        return cli_usage_error(c, "%s: unknown level '%s' (info, warning or error)", opt, v);
    return 0;
}

static int parse_args(struct cli *c, struct check *k)
{
    for (int i = 0; i < c->argc; i++) {
        const char *v = NULL;
        int r;
        char **a = c->argv;
        if ((r = cli_opt(c, c->argc, a, &i, "--json", false, NULL)) == 1) {
            k->json = true;
        } else if ((r = cli_opt(c, c->argc, a, &i, "--severity", true, &v)) != 0) {
            if (r > 0 && parse_level(c, "--severity", v, &k->show) != 0)
                return EXIT_USAGE;
        } else if ((r = cli_opt(c, c->argc, a, &i, "--fail-on", true, &v)) != 0) {
            if (r > 0 && parse_level(c, "--fail-on", v, &k->fail_on) != 0)
                return EXIT_USAGE;
        } else {
            return cli_usage_error(c, "unknown argument %s", a[i]);
        }
        if (r < 0)
            return EXIT_USAGE;
    }
    return 0;
}

/* A "3,5" list as a JSON array of numbers (the text is ours: digits and commas). */
static void json_list(FILE *o, const char *s)
{
    fputc('[', o);
    for (; *s; s++)
        if ((*s >= '0' && *s <= '9') || *s == ',')
            fputc(*s, o);
    fputc(']', o);
}

/* The members every finding object starts with, from its opening brace: call_id, rule,
 * severity and message (`check --json` and the "findings" of `ladder --format json`). */
static void json_finding_head(FILE *o, bool first, const struct ds_finding *f)
{
    fputs(first ? "\n{\"call_id\":" : ",\n{\"call_id\":", o);
    json_cstr(o, f->call_id);
    fputs(",\"rule\":", o);
    json_cstr(o, f->rule);
    fputs(",\"severity\":", o);
    json_cstr(o, diag_sev_name((enum diag_sev)f->severity));
    fputs(",\"message\":", o);
    json_cstr(o, f->message);
}

static int on_finding(void *user, const struct ds_finding *f)
{
    struct check *k = user;
    if (f->severity > k->worst)
        k->worst = f->severity;
    if (f->severity < k->show)
        return 0;
    if (f->severity >= 1 && f->severity <= 3)
        k->by_sev[f->severity]++;
    bool new_call = f->call != k->last_call;
    k->last_call = f->call;
    k->ncalls += new_call;
    FILE *o = k->o;
    if (k->json) {
        json_finding_head(o, k->nshown == 0, f);
        fputs(",\"messages\":", o);
        json_list(o, f->msgs);
        fputs(",\"frames\":", o);
        json_list(o, f->frames);
        fputs(",\"spec\":", o);
        json_cstr(o, f->spec);
        fputc('}', o);
    } else {
        char text[DIAG_TEXT_MAX], cid[121];
        if (new_call) {
            text_fit(cid, sizeof cid - 1, f->call_id);
            fprintf(o, "%scall %s\n", k->nshown ? "\n" : "", cid);
        }
        text_fit(text, sizeof text - 1, f->message);
        fprintf(o, "  %-7s %-20s %s\n", diag_sev_name((enum diag_sev)f->severity), f->rule, text);
        fprintf(o, "  %-7s %-20s messages %s%s(frames %s)  %s\n", "", "", *f->msgs ? f->msgs : "-",
                *f->msgs ? " " : "", *f->frames ? f->frames : "-", f->spec ? f->spec : "");
    }
    k->nshown++;
    return 0;
}

int cmd_check(struct cli *c)
{
    struct check k = {.show = DIAG_INFO, .o = stdout, .last_call = -1};
    int rc = parse_args(c, &k);
    if (rc != 0)
        return rc;
    rc = c->nfiles ? cli_import_files(c, c->files, c->nfiles, false) : cli_open_db(c);
    if (rc != 0)
        return rc;
    char err[1024];
    if (diag_store_update(c->db, NULL, 0, c->captures, c->ncaptures, err, sizeof err) < 0)
        return cli_runtime_error("%s", err);
    if (k.json)
        fputc('[', k.o);
    int min = k.fail_on && k.fail_on < k.show ? k.fail_on : k.show;
    if (diag_store_read(c->db, NULL, 0, c->captures, c->ncaptures, min, on_finding, &k, err,
                        sizeof err) < 0)
        return cli_runtime_error("%s", err);
    if (k.json)
        fputs(k.nshown ? "\n]\n" : "]\n", k.o);
    else if (!c->quiet)
        fprintf(k.o, "%s%zu finding(s) in %zu call(s): %zu error, %zu warning, %zu info\n",
                k.nshown ? "\n" : "", k.nshown, k.ncalls, k.by_sev[DIAG_ERROR],
                k.by_sev[DIAG_WARNING], k.by_sev[DIAG_INFO]);
    if (fflush(stdout) != 0)
        return cli_runtime_error("standard output: write error");
    if (k.fail_on && k.worst >= k.fail_on)
        return EXIT_FINDINGS;
    return 0;
}

/* ---- the "findings" member of `ladder --format json` ---- */

struct lad {
    FILE *o;
    const int64_t *ids;
    size_t n, shown;
};

static int on_ladder_finding(void *user, const struct ds_finding *f)
{
    struct lad *l = user;
    FILE *o = l->o;
    json_finding_head(o, l->shown++ == 0, f);
    fputs(",\"messages\":[", o);
    const char *p = f->ids;
    bool first = true;
    while (*p) {
        char *end;
        long long id = strtoll(p, &end, 10);
        if (end == p)
            break;
        for (size_t i = 0; i < l->n; i++)
            if (l->ids[i] == id) {
                fprintf(o, "%s%zu", first ? "" : ",", i);
                first = false;
                break;
            }
        p = *end == ',' ? end + 1 : end;
    }
    fputs("],\"spec\":", o);
    json_cstr(o, f->spec);
    fputc('}', o);
    return 0;
}

/* The calls of the given messages (distinct), malloc'd in *calls. 0, or -1 with err. */
static int calls_of(struct db *db, const int64_t *msg_ids, size_t n, int64_t **calls_out,
                    size_t *ncalls_out, char *err, size_t errlen)
{
    int64_t *calls = malloc((n ? n : 1) * sizeof *calls);
    size_t ncalls = 0;
    sqlite3_stmt *st = db_prepare(db, "SELECT call FROM messages WHERE id=?", err, errlen);
    if (!calls || !st) {
        free(calls);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, msg_ids[i]);
        if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL)
            continue;
        int64_t call = sqlite3_column_int64(st, 0);
        size_t k = 0;
        while (k < ncalls && calls[k] != call)
            k++;
        if (k == ncalls)
            calls[ncalls++] = call;
    }
    sqlite3_finalize(st);
    *calls_out = calls;
    *ncalls_out = ncalls;
    return 0;
}

int check_json_ladder(FILE *o, struct db *db, const int64_t *msg_ids, size_t n, char *err,
                      size_t errlen)
{
    int64_t *calls;
    size_t ncalls;
    if (calls_of(db, msg_ids, n, &calls, &ncalls, err, errlen) < 0)
        return -1;
    struct lad l = {.o = o, .ids = msg_ids, .n = n};
    int rc = 0;
    fputs("[", o);
    if (ncalls && (diag_store_update(db, calls, ncalls, NULL, 0, err, errlen) < 0 ||
                   diag_store_read(db, calls, ncalls, NULL, 0, DIAG_INFO, on_ladder_finding, &l,
                                   err, errlen) < 0))
        rc = -1;
    fputs(l.shown ? "\n]" : "]", o);
    free(calls);
    return rc;
}

/* ---- findings for the text and html exports ---- */

struct load {
    struct export_finding *v;
    size_t n, cap;
};

static int on_load(void *user, const struct ds_finding *f)
{
    struct load *ld = user;
    if (ld->n == ld->cap) {
        ld->cap = ld->cap ? ld->cap * 2 : 8;
        ld->v = realloc(ld->v, ld->cap * sizeof *ld->v);
        if (!ld->v)
            abort();
    }
    struct export_finding *e = &ld->v[ld->n++];
    *e = (struct export_finding){.rule = xstrdup(f->rule ? f->rule : ""),
                                 .severity = xstrdup(diag_sev_name((enum diag_sev)f->severity)),
                                 .message = xstrdup(f->message ? f->message : ""),
                                 .spec = xstrdup(f->spec ? f->spec : "")};
    size_t commas = 1;
    for (const char *p = f->ids; *p; p++)
        commas += *p == ',';
    e->ids = malloc(commas * sizeof *e->ids);
    if (!e->ids)
        abort();
    for (const char *p = f->ids; *p && e->nids < commas;) {
        char *end;
        long long id = strtoll(p, &end, 10);
        if (end == p)
            break;
        e->ids[e->nids++] = id;
        p = *end == ',' ? end + 1 : end;
    }
    return 0;
}

void check_findings_free(struct export_finding *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)v[i].rule);
        free((char *)v[i].severity);
        free((char *)v[i].message);
        free((char *)v[i].spec);
        free(v[i].ids);
    }
    free(v);
}

int check_findings_load(struct db *db, const int64_t *msg_ids, size_t n,
                        struct export_finding **out, size_t *nout, char *err, size_t errlen)
{
    int64_t *calls;
    size_t ncalls;
    *out = NULL;
    *nout = 0;
    if (calls_of(db, msg_ids, n, &calls, &ncalls, err, errlen) < 0)
        return -1;
    struct load ld = {0};
    int rc = 0;
    if (ncalls &&
        (diag_store_update(db, calls, ncalls, NULL, 0, err, errlen) < 0 ||
         diag_store_read(db, calls, ncalls, NULL, 0, DIAG_INFO, on_load, &ld, err, errlen) < 0))
        rc = -1;
    free(calls);
    if (rc < 0) {
        check_findings_free(ld.v, ld.n);
        return -1;
    }
    *out = ld.v;
    *nout = ld.n;
    return 0;
}
