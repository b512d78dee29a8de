/* frame.h: one captured frame as handed from capture/ to dissect/ (the only type they share). */
#ifndef SS_FRAME_H
#define SS_FRAME_H

#include <stdint.h>

struct frame {
    int64_t ts_ns;       /* capture time, nanoseconds since the epoch */
    uint32_t caplen;     /* bytes present at data */
    uint32_t wirelen;    /* bytes on the wire (>= caplen) */
    int linktype;        /* LINKTYPE_* number of the interface */
    uint32_t source;     /* which input it came from (index of the -r file / capture) */
    uint64_t index;      /* 1-based frame number within its source, as Wireshark numbers them */
    const uint8_t *data; /* borrowed: valid only during the call that receives the frame */
};

#endif
