/* cli_import.c: `sipscope import FILE...`: dissect captures into the history database. */
#include <string.h>

#include "ui/cli.h"

int cmd_import(struct cli *c)
{
    const char *files[CLI_MAX_FILES];
    int n = 0;
    for (int i = 0; i < c->nfiles; i++)
        files[n++] = c->files[i];
    for (int i = 0; i < c->argc; i++) {
        if (c->argv[i][0] == '-' && strcmp(c->argv[i], "-") != 0)
            return cli_usage_error(c, "unknown option %s", c->argv[i]);
        if (n >= CLI_MAX_FILES)
            return cli_usage_error(c, "too many files (max %d)", CLI_MAX_FILES);
        files[n++] = c->argv[i];
    }
    if (n == 0)
        return cli_usage_error(c, "no capture file given (usage: sipscope import FILE...)");
    return cli_import_files(c, files, n, true);
}
