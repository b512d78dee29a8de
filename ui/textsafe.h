/* textsafe.h: wire text made safe for a terminal: control bytes, DEL and non-ASCII become '?', so
 * an ANSI escape in a header can never reach the screen; long text cut to a column width. */
#ifndef SS_TEXTSAFE_H
#define SS_TEXTSAFE_H

#include <stddef.h>
#include <stdio.h>

/* Copies s (NULL = "") into buf, which holds at least w + 1 bytes, for a column of width w:
 * unsafe bytes become '?'; a text longer than w is cut in the middle with "~" so both ends (a
 * URI's scheme/user and host) stay visible. buf is always NUL-terminated. */
void text_fit(char *buf, size_t w, const char *s);

/* Length of the valid UTF-8 sequence at p (n bytes left: 1 for ASCII), or 0 when invalid
 * (overlong, surrogate, beyond U+10FFFF, cut short); its code point in *cp_out when not NULL. */
size_t text_utf8_len(const unsigned char *p, size_t n, unsigned *cp_out);

/* Writes UTF-8 text s to out, each character outside the safe set (ASCII letters, digits and the
 * characters of punct) as a numeric reference: ref_prefix, its code point, ";" ("#60;" for
 * Mermaid, "&#60;" for PlantUML). An invalid byte is written as the reference of '?'. */
void text_entities(FILE *out, const char *s, const char *punct, const char *ref_prefix);

#endif
