/* replay.c: runs a fuzz target over every file of the given directories (the seed corpus and
 * regression inputs), so the suite exercises the targets without libFuzzer (gcc builds). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf)
        abort();
    size_t got = fread(buf, 1, n > 0 ? (size_t)n : 0, f);
    fclose(f);
    /* exact-size copies of every prefix would be slow; the whole input and a few cuts */
    LLVMFuzzerTestOneInput(buf, got);
    for (size_t cut = 1; cut < got; cut += got / 7 + 1) {
        uint8_t *p = malloc(cut);
        if (!p)
            abort();
        memcpy(p, buf, cut);
        LLVMFuzzerTestOneInput(p, cut);
        free(p);
    }
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned files = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            fprintf(stderr, "%s: cannot open corpus directory\n", argv[i]);
            return 1;
        }
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            char path[4096];
            struct stat st;
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && run_file(path) == 0)
                files++;
        }
        closedir(d);
    }
    printf("%u passed, 0 failed\n", files);
    return files ? 0 : 1;
}
