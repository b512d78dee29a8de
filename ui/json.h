/* json.h: JSON output helpers: strings escaped (control characters, quotes, invalid UTF-8
 * replaced by U+FFFD) so wire text can never break the document. */
#ifndef SS_JSON_H
#define SS_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes s (n bytes) as a JSON string literal, or null when s is NULL. */
void json_str(FILE *out, const char *s, size_t n);
/* Same for a NUL-terminated string (NULL -> null). */
void json_cstr(FILE *out, const char *s);
/* Epoch seconds with microseconds, from nanoseconds ("1700000000.123456"). */
void json_epoch(FILE *out, int64_t ns);
/* Seconds with microseconds from a nanosecond span, or null when span_ok is false. */
void json_secs(FILE *out, int64_t ns, int span_ok);

#endif
