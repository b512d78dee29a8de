/* main.c: sipscope entry point: global options (CLI.md) and dispatch to the subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/cli.h"

struct command {
    const char *name;
    int (*run)(struct cli *c);
    const char *usage;
};

static const struct command commands[] = {
    {"import", cmd_import,
     "import FILE... [--db DB] [--store-rtp] [--hep udp:HOST:PORT]  dissect captures into the "
     "history"},
    {"calls", cmd_calls,
     "calls [-r FILE]... [--json|--csv] [--invite] [--from T] [--to T] [--method M]\n"
     "        [--status CODE|CLASS] [--since TIME] [--until TIME] [--limit N]\n"
     "        [--has-finding RULE]"},
    {"ladder", cmd_ladder,
     "ladder CALL[,CALL...] [-r FILE]... [--format F] [-o OUT] [--ascii] [--related]\n"
     "        [--all -o DIR]  F: text json mermaid plantuml html svg pcap"},
    {"stats", cmd_stats,
     "stats [-r FILE]... [--since T] [--until T] [--json]  response codes, methods, states, ASR"},
    {"capture", cmd_capture,
     "capture -i IFACE [-w OUT.pcap] [--duration S] [-c N] [-Z USER] [FILTER]  live monitor"},
    {"check", cmd_check,
     "check [-r FILE]... [--json] [--severity LEVEL] [--fail-on LEVEL]  flow diagnostics per call"},
    {"ui", cmd_ui,
     "ui [-r FILE]... [-i IFACE] [-L PROTO:ADDR:PORT]...  the interactive call list and ladders "
     "(default)"},
    {"listen", cmd_listen,
     "listen --hep udp|tcp:ADDR:PORT... [--password P] [--keep-duplicates]  HEP collector"},
    {"codes", cmd_codes,
     "codes [CODE]... [--markdown]  what SIP response codes mean and what to do"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: sipscope [--db DB] [-r FILE]... [-q] COMMAND [ARGS]\n\n"
                 "Captures SIP calls from pcap/pcapng files into a history database and shows "
                 "them.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %s\n", commands[i].usage);
    fprintf(out, "\nglobal options:\n"
                 "  --db PATH   history database (default $SIPSCOPE_DB, else\n"
                 "              $XDG_DATA_HOME/sipscope/history.db); \":memory:\" keeps nothing\n"
                 "  -r FILE     read a pcap/pcapng (.gz too; \"-\" = stdin); repeatable\n"
                 "  -q          quiet: no progress, no summary\n"
                 "  --vxlan-port N  decode UDP port N as VXLAN too (4789 always)\n"
                 "  --rtp-heuristic  find RTP on UDP flows no SDP announced too\n"
                 "  -h, --help  this help; --version  the version\n");
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

/* A decimal port 1-65535 into *port; returns 0, or -1 when s is not one. */
static int parse_port(const char *s, uint16_t *port)
{
    unsigned long v = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9' && i < 6; i++)
        v = v * 10 + (unsigned long)(s[i] - '0');
    if (i == 0 || s[i] != '\0' || v == 0 || v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

/* Pulls the global options out of argv (anywhere), leaving the rest in order in c->argv. */
static int parse_globals(struct cli *c, int argc, char **argv, bool *help)
{
    c->argv = calloc((size_t)argc + 1, sizeof *c->argv);
    if (!c->argv)
        abort();
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int r;
        if (strcmp(argv[i], "--") == 0) {
            while (i < argc)
                c->argv[c->argc++] = argv[i++];
            break;
        }
        if ((r = cli_opt(c, argc, argv, &i, "--db", true, &v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            c->db_path = v;
        } else if ((r = cli_opt(c, argc, argv, &i, "-r", true, &v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            if (c->nfiles >= CLI_MAX_FILES)
                return cli_usage_error(c, "too many -r files (max %d)", CLI_MAX_FILES);
            c->files[c->nfiles++] = v;
        } else if ((r = cli_opt(c, argc, argv, &i, "--vxlan-port", true, &v)) != 0) {
            if (r < 0 || parse_port(v, &c->vxlan_port) != 0)
                return cli_usage_error(c, "--vxlan-port wants a UDP port 1-65535");
        } else if (strcmp(argv[i], "--rtp-heuristic") == 0) {
            c->rtp_heuristic = true;
        } else if (strcmp(argv[i], "-q") == 0) {
            c->quiet = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            *help = true;
        } else {
            c->argv[c->argc++] = argv[i];
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct cli c = {.prog = "sipscope"};
    bool help = false;
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("sipscope %s\n", SIPSCOPE_VERSION);
        return EXIT_OK;
    }
    int rc = parse_globals(&c, argc, argv, &help);
    char **argv_base = c.argv; /* c.argv moves past the command name below */
    if (rc != 0) {
        free(argv_base);
        return rc;
    }
    const struct command *cmd = NULL;
    if (c.argc > 0 && strcmp(c.argv[0], "help") == 0) {
        help = true;
        c.argc--;
        c.argv++;
    }
    if (c.argc > 0)
        cmd = find_command(c.argv[0]);
    bool default_ui = !cmd && !help && (c.argc == 0 || c.argv[0][0] == '-');
    if (help) {
        if (cmd)
            printf("usage: sipscope %s\n", cmd->usage);
        else
            usage(stdout);
        free(argv_base);
        return EXIT_OK;
    }
    if (default_ui)
        cmd = find_command("ui");
    if (!cmd) {
        if (c.argc > 0)
            fprintf(stderr, "sipscope: unknown command '%s' (try sipscope --help)\n", c.argv[0]);
        else
            usage(stderr);
        free(argv_base);
        return EXIT_USAGE;
    }
    c.cmd = cmd->name;
    if (!default_ui) {
        c.argc--;
        c.argv++;
    }
    rc = cmd->run(&c);
    db_close(c.db);
    free(argv_base);
    return rc;
}
