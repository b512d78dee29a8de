/* cli.h: what the subcommands share: global options (CLI.md), the database, and the import of
 * -r files before a query. Exit codes: 0 ok, 1 runtime error, 2 usage error. */
#ifndef SS_CLI_H
#define SS_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include "store/db.h"

#define CLI_MAX_FILES 256

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

struct cli {
    const char *prog;
    const char *cmd; /* subcommand name */
    const char *db_path;
    char db_buf[4096];
    const char *files[CLI_MAX_FILES];
    int nfiles;
    bool quiet;
    uint16_t vxlan_port; /* --vxlan-port: a UDP port decoded as VXLAN besides 4789 */
    bool store_rtp;      /* --store-rtp (import, capture): keep calls' RTP packets */
    bool rtp_heuristic;  /* --rtp-heuristic: look for RTP on flows no SDP announced */
    int argc;            /* the subcommand's own arguments */
    char **argv;
    struct db *db;
    int64_t captures[CLI_MAX_FILES]; /* capture ids of the -r files, once imported */
    size_t ncaptures;
};

/* Prints "sipscope CMD: message" on stderr; returns EXIT_USAGE. */
int cli_usage_error(const struct cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints "sipscope: message" on stderr; returns EXIT_RUNTIME. */
int cli_runtime_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Opens c->db (the --db path or the default). Returns 0 or an exit code (error printed). */
int cli_open_db(struct cli *c);

/* Imports the files (those of -r, or given) unless already there, filling c->captures.
 * summary: print the import summary line per file (unless -q). Returns 0 or an exit code. */
int cli_import_files(struct cli *c, const char *const *files, int nfiles, bool summary);

/* Matches the option at argv[*i] against name (long "--x" or short "-x"); when it takes a value
 * (has_value), stores it in *value, accepting "--x=v" and "--x v" (advancing *i). Returns 1 on a
 * match, 0 when not this option, -1 when the value is missing (usage error printed). */
int cli_opt(struct cli *c, int argc, char **argv, int *i, const char *name, bool has_value,
            const char **value);

int cmd_import(struct cli *c);
int cmd_calls(struct cli *c);
int cmd_ladder(struct cli *c);
int cmd_codes(struct cli *c);
int cmd_stats(struct cli *c);
int cmd_capture(struct cli *c);
int cmd_ui(struct cli *c);
int cmd_listen(struct cli *c);

int cmd_check(struct cli *c);
/* The findings of the calls of a ladder's messages (messages.id, in ladder order) as a JSON array
 * (docs/diagnostics.md); its "messages" are indexes into that order. 0, or -1 with err. */
int check_json_ladder(FILE *o, struct db *db, const int64_t *msg_ids, size_t n, char *err,
                      size_t errlen);
/* The same findings for the text and html exports: a malloc'd array in *out (free with
 * check_findings_free). 0, or -1 with err. */
struct export_finding;
int check_findings_load(struct db *db, const int64_t *msg_ids, size_t n,
                        struct export_finding **out, size_t *nout, char *err, size_t errlen);
void check_findings_free(struct export_finding *v, size_t n);

#endif
