/* json.c: JSON string escaping (RFC 8259 §7) with UTF-8 validation, and time formatting. */
#include "ui/json.h"
#include "ui/textsafe.h"

#include <string.h>

void json_str(FILE *out, const char *s, size_t n)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    putc('"', out);
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c == '"' || c == '\\') {
            putc('\\', out);
            putc((int)c, out);
        } else if (c == '\n') {
            fputs("\\n", out);
        } else if (c == '\r') {
            fputs("\\r", out);
        } else if (c == '\t') {
            fputs("\\t", out);
        } else if (c < 0x20 || c == 0x7F) {
            fprintf(out, "\\u%04x", c);
        } else if (c >= 0x80) {
            size_t l = text_utf8_len(p + i, n - i, NULL);
            if (l == 0) {
                fputs("\\ufffd", out);
                i++;
                continue;
            }
            fwrite(p + i, 1, l, out);
            i += l;
            continue;
        } else {
            putc((int)c, out);
        }
        i++;
    }
    putc('"', out);
}

void json_cstr(FILE *out, const char *s)
{
    json_str(out, s, s ? strlen(s) : 0);
}

void json_epoch(FILE *out, int64_t ns)
{
    int64_t sec = ns / 1000000000;
    int64_t rem = ns % 1000000000;
    if (rem < 0) {
        rem += 1000000000;
        sec--;
    }
    fprintf(out, "%lld.%06lld", (long long)sec, (long long)(rem / 1000));
}

void json_secs(FILE *out, int64_t ns, int span_ok)
{
    if (!span_ok) {
        fputs("null", out);
        return;
    }
    json_epoch(out, ns);
}
