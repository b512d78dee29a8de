/* ws.h: SIP over WebSocket (RFC 7118) inside TCP streams: the HTTP/1.1 Upgrade handshake and
 * RFC 6455 framing. Private to dissect/ (used by tcp.c). */
#ifndef SS_WS_H
#define SS_WS_H

#include "dissect/tcp_stream.h"

#define WS_MAX_HANDSHAKE 8192         /* bytes of an HTTP Upgrade request/response header */
#define WS_MAX_MSG       (256u << 10) /* bytes of one (reassembled) WebSocket message */
#define WS_MAX_FRAGMENTS 1024         /* frames of one fragmented message */

/* Stream modes (struct tcp_stream.ws). */
enum ws_mode {
    WS_NONE = 0,   /* plain SIP framing */
    WS_FRAMES = 1, /* after a SIP WebSocket handshake: RFC 6455 frames */
};

/* When buffered (at a message boundary of a plain stream) starts an HTTP/1.1 WebSocket Upgrade
 * request or its 101 response offering the "sip" subprotocol (RFC 7118 §4, RFC 6455 §4): DIS_OK
 * with *len = the header length; DIS_SHORT when it may be one but is incomplete; else
 * DIS_NOT_MINE. */
enum dis_result ws_handshake(struct slice buffered, size_t *len);

/* Length of the first complete WebSocket frame in buffered (RFC 6455 §5.2): DIS_OK with *len,
 * DIS_SHORT when incomplete, DIS_BAD when it can never be valid (reserved opcode, too long). */
enum dis_result ws_frame_len(struct slice buffered, size_t *len);

/* Handles one complete frame of stream s: control frames are skipped, a whole text/binary message
 * is delivered as NET_T_WS (unmasked into s's message buffer when masked), fragments are
 * collected until FIN. reassembled: the frame itself was rebuilt from several segments. */
void ws_frame(struct net_ctx *n, struct ip_pkt *ip, struct tcp_stream *s, struct slice fr,
              bool reassembled);

/* Frees what s holds for WebSocket (on close). */
void ws_stream_reset(struct tcp_stream *s);

#endif
