/* export.h: call ladder exports (docs/exports.md): one function per format, each writing a
 * ladder layout (ui/ladder.h) to a FILE*; every text that came from the wire is escaped for the
 * target format. JSON is written by cli_ladder.c (its shape is fixed by CLI.md). */
#ifndef SS_EXPORT_H
#define SS_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ui/ladder.h"

enum export_format {
    EXPORT_TEXT,
    EXPORT_JSON,
    EXPORT_MERMAID,
    EXPORT_PLANTUML,
    EXPORT_HTML,
    EXPORT_SVG,
    EXPORT_PCAP,
};

/* The raw bytes of a message (m->id) for the html and pcap exports: returns a malloc'd buffer the
 * caller frees and its length in *len, or NULL when unavailable. */
typedef char *(*export_raw_fn)(void *user, const struct ladder_msg *m, size_t *len);

/* A kept RTP/RTCP packet (--store-rtp) for the pcap export: its UDP payload and addresses. */
struct export_pkt {
    int64_t ts_ns;
    const char *src, *dst; /* "ip:port" / "[v6]:port" */
    const uint8_t *data;
    size_t len;
};

/* One diagnostics finding shown by the text and html exports (docs/diagnostics.md); its
 * strings are ours or wire text (escaped by the exporters). */
struct export_finding {
    const char *rule, *severity, *message, *spec;
    int64_t *ids; /* messages.id it points at (ladder_msg.id), nids of them */
    size_t nids;
};

struct export_ctx {
    const struct ladder_layout *layout;
    const char *title; /* e.g. the Call-IDs joined by ", " (wire text; escaped by the exporters) */
    bool ascii;        /* text: plain ASCII instead of UTF-8 box drawing */
    int width;         /* text: columns to fit (0 = 100) */
    export_raw_fn raw; /* may be NULL: html then shows no raw text, pcap writes nothing */
    void *raw_user;
    const struct export_pkt *media; /* pcap: kept RTP/RTCP in capture order, merged by time */
    size_t nmedia;
    const struct export_finding *findings; /* may be NULL: no Findings section */
    size_t nfindings;
};

/* Parses a format name ("text", "json", "mermaid", "plantuml", "html", "svg", "pcap").
 * Returns 0, or -1 when unknown. */
int export_format_parse(const char *name, enum export_format *f);
/* The usual file extension of a format, without the dot ("txt", "mmd", "puml"...). */
const char *export_format_ext(enum export_format f);

/* Writes the ladder in format f (not EXPORT_JSON) to out. Returns 0, or -1 on a write error,
 * an unknown format or JSON. */
int export_write(enum export_format f, const struct export_ctx *x, FILE *out);

/* The exporters, each 0 or -1 (write error). */
int export_text(const struct export_ctx *x, FILE *out);
int export_mermaid(const struct export_ctx *x, FILE *out);
int export_plantuml(const struct export_ctx *x, FILE *out);
int export_svg(const struct export_ctx *x, FILE *out);
int export_html(const struct export_ctx *x, FILE *out);
/* The call's SIP messages as a pcap (nanosecond timestamps, Ethernet) synthesized from the raw
 * bytes: IPv4/IPv6, UDP (valid checksums) or TCP (handshake, seq numbers per direction). */
int export_pcap(const struct export_ctx *x, FILE *out);

/* Shared by svg and html: XML/HTML text escaping of wire text (& < > " ' escaped, control bytes
 * and invalid UTF-8 as U+FFFD; keep_newlines keeps \n and \t, else they become '?'). */
void export_xml_text(FILE *out, const char *s, size_t n, bool keep_newlines);
/* The ladder as an <svg> element; interactive adds data-i indexes and ids used by the html
 * page's script. */
void export_svg_element(const struct export_ctx *x, FILE *out, bool interactive);
/* The colour of a row class (enum ladder_class), "#rrggbb". */
const char *export_class_color(int cls);

#endif
