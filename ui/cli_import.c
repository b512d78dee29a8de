/* cli_import.c: `sipscope import FILE...`: dissect captures into the history database; with
 * --hep PROTO:HOST:PORT, replay their SIP messages to a HEP collector instead (docs/hep.md). */
#include <stdlib.h>
#include <string.h>

#include "ui/cli.h"
#include "ui/cli_hep.h"

int cmd_import(struct cli *c)
{
    const char *files[CLI_MAX_FILES];
    int n = 0;
    struct cli_hep_agent hep = {0};
    double rate = 0;
    for (int i = 0; i < c->nfiles; i++)
        files[n++] = c->files[i];
    for (int i = 0; i < c->argc; i++) {
        const char *v = NULL;
        int r = cli_hep_agent_opt(c, &i, &hep);
        if (r == 1)
            continue;
        if (r != 0)
            return r;
        if ((r = cli_opt(c, c->argc, c->argv, &i, "--hep-rate", true, &v)) != 0) {
            char *end = NULL;
            if (r < 0)
                return EXIT_USAGE;
            rate = strtod(v, &end);
            if (!*v || *end || !(rate >= 0 && rate <= 1e9))
                return cli_usage_error(c, "--hep-rate '%s': expected messages per second", v);
            continue;
        }
        if (strcmp(c->argv[i], "--store-rtp") == 0) {
            c->store_rtp = true;
            continue;
        }
        if (c->argv[i][0] == '-' && strcmp(c->argv[i], "-") != 0)
            return cli_usage_error(c, "unknown option %s", c->argv[i]);
        if (n >= CLI_MAX_FILES)
            return cli_usage_error(c, "too many files (max %d)", CLI_MAX_FILES);
        files[n++] = c->argv[i];
    }
    if (n == 0)
        return cli_usage_error(c, "no capture file given (usage: sipscope import FILE...)");
    if (hep.o.url && c->store_rtp)
        return cli_usage_error(c, "--store-rtp cannot be used with --hep");
    if (hep.o.url)
        return cli_hep_replay(c, files, n, &hep, rate);
    if (rate > 0)
        return cli_usage_error(c, "--hep-rate needs --hep");
    return cli_import_files(c, files, n, true);
}
