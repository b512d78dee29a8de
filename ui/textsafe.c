/* textsafe.c: terminal-safe copies of wire text (see textsafe.h). */
#include "ui/textsafe.h"

#include <string.h>

static char safe_char(char c)
{
    unsigned char ch = (unsigned char)c;
    return (ch < 0x20 || ch >= 0x7F) ? '?' : c;
}

static size_t copy_safe(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = safe_char(src[i]);
    return n;
}

void text_fit(char *buf, size_t w, const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    size_t k;
    if (n <= w) {
        k = copy_safe(buf, s, n);
    } else if (w == 0) {
        k = 0;
    } else {
        size_t head = (w - 1) / 2, tail = w - 1 - head;
        copy_safe(buf, s, head);
        buf[head] = '~';
        copy_safe(buf + head + 1, s + n - tail, tail);
        k = w;
    }
    buf[k] = '\0';
}

size_t text_utf8_len(const unsigned char *p, size_t n, unsigned *cp_out)
{
    unsigned c = p[0];
    size_t len;
    unsigned min;
    if (c < 0x80) {
        if (cp_out)
            *cp_out = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    if (cp_out)
        *cp_out = cp;
    return len;
}

static int entity_safe(unsigned c, const char *punct)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && c < 0x80 && strchr(punct, (int)c) != NULL);
}

void text_entities(FILE *out, const char *s, const char *punct, const char *ref_prefix)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n > 0) {
        unsigned cp = '?';
        size_t len = text_utf8_len(p, n, &cp);
        if (len == 0) {
            len = 1;
            cp = '?';
        }
        if (entity_safe(cp, punct))
            putc((int)cp, out);
        else
            fprintf(out, "%s%u;", ref_prefix, cp);
        p += len;
        n -= len;
    }
}
