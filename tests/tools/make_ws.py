#!/usr/bin/env python3
"""A small SIP-over-WebSocket (RFC 7118, RFC 6455) server and client, for the WS captures.

Usage: make_ws.py server HOST PORT      (answers at most 20 connections, exits after 30 s)
       make_ws.py client HOST PORT      (one connection, 2 calls + a MESSAGE, then closes)

Why hand-written: Debian's Kamailio here has no websocket module (only xhttp) and python has
no WebSocket library installed, so both ends are written here from RFC 6455: the HTTP/1.1
Upgrade handshake (Sec-WebSocket-Key/Accept, Sec-WebSocket-Protocol: sip), frames with FIN,
opcodes text/binary/continuation/ping/pong/close, client frames masked, server frames not,
7-, 16- and 64-bit payload lengths. The traffic is real TCP on loopback (captured by tcpdump in
make_tunnels.sh); it exercises on purpose: several frames in one TCP segment (100 Trying and
180 Ringing sent together), a message split into a text frame and two continuation frames with
a ping in between, a binary frame, a MESSAGE whose 70,000-byte body needs the 64-bit length, and
pings/pongs and a close handshake. The server answers INVITE with 100/180/200 (SDP), BYE and
MESSAGE with 200, and ignores ACK. Standard library only; every loop and wait is bounded.
"""
import base64
import hashlib
import os
import socket
import struct
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
DEADLINE = time.monotonic() + 30


def recv_until(sock, buf, marker, limit=65536):
    while marker not in buf:
        if len(buf) > limit or time.monotonic() > DEADLINE:
            raise SystemExit("make_ws: handshake too long or too slow")
        d = sock.recv(4096)
        if not d:
            raise SystemExit("make_ws: connection closed during the handshake")
        buf += d
    i = buf.index(marker) + len(marker)
    return buf[:i], buf[i:]


def frame(opcode, payload, fin=True, mask=False, force64=False):
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    mbit = 0x80 if mask else 0
    if force64 or n > 65535:
        h = struct.pack(">BBQ", b0, mbit | 127, n)
    elif n > 125:
        h = struct.pack(">BBH", b0, mbit | 126, n)
    else:
        h = struct.pack(">BB", b0, mbit | n)
    if not mask:
        return h + payload
    key = os.urandom(4)
    return h + key + bytes(c ^ key[i % 4] for i, c in enumerate(payload))


class Reader:
    """Reads frames; returns whole messages (text/binary after continuations), answers pings."""

    def __init__(self, sock, buf, mask_replies):
        self.sock, self.buf, self.mask = sock, buf, mask_replies
        self.parts, self.closed = [], False

    def _need(self, n):
        while len(self.buf) < n:
            if time.monotonic() > DEADLINE:
                raise SystemExit("make_ws: timed out")
            d = self.sock.recv(65536)
            if not d:
                raise EOFError
            self.buf += d

    def message(self):
        for _ in range(1000):
            self._need(2)
            b0, b1 = self.buf[0], self.buf[1]
            n, off = b1 & 127, 2
            if n == 126:
                self._need(4)
                n, off = struct.unpack(">H", self.buf[2:4])[0], 4
            elif n == 127:
                self._need(10)
                n, off = struct.unpack(">Q", self.buf[2:10])[0], 10
            key = None
            if b1 & 0x80:
                self._need(off + 4)
                key, off = self.buf[off:off + 4], off + 4
            self._need(off + n)
            data = self.buf[off:off + n]
            self.buf = self.buf[off + n:]
            if key:
                data = bytes(c ^ key[i % 4] for i, c in enumerate(data))
            op = b0 & 15
            if op == 9:
                self.sock.sendall(frame(10, data, mask=self.mask))
                continue
            if op == 10:
                continue
            if op == 8:
                if not self.closed:
                    self.sock.sendall(frame(8, data[:2], mask=self.mask))
                self.closed = True
                raise EOFError
            self.parts.append(data)
            if b0 & 0x80:
                msg, self.parts = b"".join(self.parts), []
                return msg
        raise SystemExit("make_ws: too many frames")


def header(msg, name):
    for line in msg.split(b"\r\n"):
        if line.lower().startswith(name.lower() + b":"):
            return line.split(b":", 1)[1].strip()
    return b""


def response(req, code, reason, body=b"", to_tag=b";tag=ws-uas"):
    lines = [b"SIP/2.0 %d %s" % (code, reason)]
    for h in (b"Via", b"From", b"To", b"Call-ID", b"CSeq"):
        v = header(req, h)
        if h == b"To" and code > 100 and b"tag=" not in v:
            v += to_tag
        lines.append(h + b": " + v)
    lines.append(b"Contact: <sip:uas@df7jal23ls0d.invalid;transport=ws>")
    if body:
        lines.append(b"Content-Type: application/sdp")
    lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


SDP = (b"v=0\r\no=uas 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       b"m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")


def serve_one(conn):
    head, rest = recv_until(conn, b"", b"\r\n\r\n")
    key = header(head, b"Sec-WebSocket-Key")
    acc = base64.b64encode(hashlib.sha1(key + GUID).digest())
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Accept: " + acc + b"\r\nSec-WebSocket-Protocol: sip\r\n\r\n")
    r = Reader(conn, rest, False)
    try:
        for _ in range(100):
            m = r.message()
            method = m.split(b" ", 1)[0]
            if method == b"INVITE":
                conn.sendall(frame(1, response(m, 100, b"Trying")) + frame(1, response(m, 180, b"Ringing")))
                time.sleep(0.05)
                ok = response(m, 200, b"OK", SDP)
                cut = len(ok) // 3
                conn.sendall(frame(1, ok[:cut], fin=False))       # text, FIN=0
                conn.sendall(frame(9, b"srv-ping"))                # control frame in between
                conn.sendall(frame(0, ok[cut:2 * cut], fin=False) + frame(0, ok[2 * cut:]))
            elif method in (b"BYE", b"MESSAGE", b"OPTIONS", b"REGISTER"):
                conn.sendall(frame(2 if method == b"MESSAGE" else 1, response(m, 200, b"OK")))
    except EOFError:
        pass
    conn.close()


def server(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(4)
    s.settimeout(30)
    for _ in range(20):
        try:
            conn, _ = s.accept()
        except socket.timeout:
            break
        conn.settimeout(10)
        serve_one(conn)
    s.close()


def request(method, cid, cseq, lport, body=b"", ctype=b"application/sdp", to_tag=b""):
    return (b"%s sip:uas@127.0.0.1 SIP/2.0\r\n"
            b"Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK-%s-%d\r\n"
            b"Max-Forwards: 70\r\nFrom: <sip:uac@127.0.0.1>;tag=ws-uac-%s\r\n"
            b"To: <sip:uas@127.0.0.1>%s\r\nCall-ID: %s\r\nCSeq: %d %s\r\n"
            b"Contact: <sip:uac@df7jal23ls0d.invalid;transport=ws>\r\n%s"
            b"Content-Length: %d\r\n\r\n" % (method, cid, cseq, cid, to_tag, cid, cseq, method,
                                             (b"Content-Type: " + ctype + b"\r\n") if body else b"",
                                             len(body))) + body


def client(host, port):
    c = socket.create_connection((host, port), timeout=10)
    key = base64.b64encode(os.urandom(16))
    c.sendall(b"GET /sip HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
              b"Sec-WebSocket-Protocol: sip\r\n\r\n" % (host.encode(), port, key))
    head, rest = recv_until(c, b"", b"\r\n\r\n")
    if b" 101 " not in head.split(b"\r\n")[0]:
        raise SystemExit("make_ws: no 101 from the server")
    r = Reader(c, rest, True)
    lport = c.getsockname()[1]
    for n in range(2):
        cid = b"ws-call-%d-%d" % (n, os.getpid())
        inv = request(b"INVITE", cid, 1, lport, SDP)
        if n == 0:
            c.sendall(frame(1, inv, mask=True))
        else:  # fragmented: text + continuation + continuation, a ping in between
            k = len(inv) // 3
            c.sendall(frame(1, inv[:k], fin=False, mask=True) + frame(9, b"cli-ping", mask=True))
            c.sendall(frame(0, inv[k:2 * k], fin=False, mask=True))
            c.sendall(frame(0, inv[2 * k:], mask=True))
        for _ in range(3):
            r.message()  # 100, 180, 200
        ack = request(b"ACK", cid, 1, lport, to_tag=b";tag=ws-uas")
        time.sleep(0.1)
        bye = request(b"BYE", cid, 2, lport, to_tag=b";tag=ws-uas")
        c.sendall(frame(1, ack, mask=True) + frame(2, bye, mask=True))  # two frames, one segment
        r.message()  # 200 to BYE
        time.sleep(0.1)
    big = request(b"MESSAGE", b"ws-msg-%d" % os.getpid(), 1, lport, b"x" * 70000, b"text/plain")
    c.sendall(frame(1, big, mask=True))  # 64-bit length
    r.message()
    c.sendall(frame(1, request(b"OPTIONS", b"ws-opt-%d" % os.getpid(), 1, lport), mask=True,
                    force64=False))
    r.message()
    c.sendall(frame(8, b"\x03\xe8", mask=True))
    try:
        r.message()
    except EOFError:
        pass
    c.close()


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("server", "client"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    (server if sys.argv[1] == "server" else client)(sys.argv[2], int(sys.argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
