/* reader.h: offline capture input: pcap and pcapng files through libpcap, gzip-compressed files
 * and stdin ("-"), with the file's content hash computed on the way (for idempotent import). */
#ifndef SS_READER_H
#define SS_READER_H

#include <stdint.h>
#include <stdio.h>

#include "dissect/frame.h"

struct cap_reader;

/* Opens path ("-" = stdin; gzip detected by content). On failure returns NULL and writes one line
 * "PATH: reason" into err. */
struct cap_reader *cap_open(const char *path, uint32_t source, char *err, size_t errlen);

/* Reads the next frame into *f (data valid until the next call). Returns 1 for a frame, 0 at the
 * end of the file, -1 on an error (a truncated or corrupt record), with "PATH: reason" in err. */
int cap_next(struct cap_reader *r, struct frame *f, char *err, size_t errlen);

/* The link type of the file (for pcapng, of the first interface). */
int cap_linktype(const struct cap_reader *r);

/* Bytes consumed so far (of the decompressed stream) and the file size (0 when unknown). */
uint64_t cap_bytes_read(const struct cap_reader *r);
uint64_t cap_file_size(const struct cap_reader *r);

/* Hex content hash (32 chars + NUL) of all bytes read so far; complete once cap_next returned 0. */
void cap_hash_hex(const struct cap_reader *r, char out[33]);

void cap_close(struct cap_reader *r);

/* Hashes a whole file without parsing it (same value cap_hash_hex gives after a full read).
 * Returns 0, or -1 with "PATH: reason" in err. */
int cap_hash_file(const char *path, char out[33], char *err, size_t errlen);

#endif
