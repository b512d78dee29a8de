/* dis.h: result codes shared by every dissector. Dissectors return these and never log. */
#ifndef SS_DIS_H
#define SS_DIS_H

enum dis_result {
    DIS_OK = 0,   /* parsed */
    DIS_SHORT,    /* need more bytes (TCP stream) */
    DIS_TRUNC,    /* the capture cut the data: parsed what was there */
    DIS_BAD,      /* malformed */
    DIS_NOT_MINE, /* not this protocol */
};

#endif
