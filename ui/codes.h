/* codes.h: `sipscope codes`: the SIP response-code table (dissect/sip_codes.h; RFC 3261 §21,
 * §8.1.3.2, the IANA Response Codes registry) for people: a terminal table, one code's entry, and
 * the generated docs/response-codes.md. */
#ifndef SS_CODES_H
#define SS_CODES_H

#include <stdio.h>

struct cli;

/* Writes the whole of docs/response-codes.md (Markdown, UTF-8) to out. */
void codes_markdown(FILE *out);

/* `sipscope codes [CODE]... [--markdown]`: no argument prints the table of every registered code;
 * CODE (100-699) prints that code's entry, or for an unregistered one the entry it is treated as;
 * --markdown prints the docs page. Returns 0, or EXIT_USAGE with the error printed. */
int cmd_codes(struct cli *c);

#endif
