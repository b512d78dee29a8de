#!/usr/bin/env bash
# make_diag_captures.sh: regenerates tests/data/diag_*.pcap, the captures that trigger each rule of
# `sipscope check` (docs/diagnostics.md). Every packet comes from real peers on loopback: SIPp
# scenarios of tests/tools/sipp/ (UAC and UAS, each a separate sipp process), a silent UDP
# listener, and tcpdump capturing. Real timing: a regenerated file is similar, not byte-identical.
# Needs root (tcpdump) and sipp, tcpdump, python3. Usage: make_diag_captures.sh [OUTDIR]
# (default tests/data); DIAG_ONLY="diag_x diag_y" makes only those. Takes about 2 min (the no-final capture waits for timers B and F, 32 s).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SC=$HERE/sipp
OUT=${1:-$HERE/../data}
OUT=$(cd "$OUT" && pwd)
TMP=$(mktemp -d)
UAC=127.0.40.1
UAS=127.0.40.2
TD_PID=
BG_PIDS=()
NS=
cleanup() {
    for p in "${BG_PIDS[@]}" $TD_PID; do kill "$p" 2>/dev/null || true; done
    [ -z "$NS" ] || ip netns del "$NS" 2>/dev/null || true
    [ -n "${DIAG_KEEP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT

# start_cap NAME: tcpdump on lo for the two test addresses into $TMP/NAME.pcap
start_cap() {
    tcpdump -i lo -U -s 0 -w "$TMP/$1.pcap" "host $UAC or host $UAS or host 127.0.40.3" 2>/dev/null &
    TD_PID=$!
    sleep 1
}
# stop_cap NAME: stop tcpdump, keep the file
stop_cap() {
    sleep 1
    kill "$TD_PID"
    wait "$TD_PID" 2>/dev/null || true
    TD_PID=
    cp "$TMP/$1.pcap" "$OUT/$1.pcap"
    echo "wrote $OUT/$1.pcap ($(tcpdump -r "$OUT/$1.pcap" 2>/dev/null | wc -l) packets)"
}
# uas SECONDS ARGS...: a SIPp UAS in the background (bounded by timeout)
uas() {
    local t=$1
    shift
    timeout "$t" sipp -i $UAS -p 5062 -m 1 -nostdin "$@" >"$TMP/uas.log" 2>&1 &
    BG_PIDS+=($!)
    wait_bound $UAS:5062
}
# wait_bound ADDR:PORT [NETNS]: until a UDP socket is bound there (at most 10 s; SIPp starts slowly
# on a loaded machine)
wait_bound() {
    local i
    for i in $(seq 50); do
        ${2:+ip netns exec $2} ss -Huln "src $1" 2>/dev/null | grep -q . && { sleep 0.2; return; }
        sleep 0.2
    done
    echo "warning: nothing listens on $1" >&2
}
# uac SECONDS ARGS...: a SIPp UAC towards the UAS (foreground, bounded); failures are expected
uac() {
    local t=$1
    shift
    timeout "$t" sipp -i $UAC -p 5061 -m 1 -nostdin -s diag -mi $UAC -mp 16000 "$@" $UAS:5062 \
        >"$TMP/uac.log" 2>&1 || true
}
# reject CODE REASON: the uas_reject.xml template with that final response
reject() {
    sed "s/@CODE@/$1/; s/@REASON@/$2/" "$SC/uas_reject.xml" >"$TMP/uas_$1.xml"
    echo "$TMP/uas_$1.xml"
}
wait_bg() {
    for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    BG_PIDS=()
}
call_keys() { # pt codec caddr dir talk_ms
    echo -key pt "$1" -key codec "$2" -key caddr "$3" -key dir "$4" -key talk_ms "$5"
}
want() { [ -z "${DIAG_ONLY:-}" ] || [[ " $DIAG_ONLY " == *" $1 "* ]]; }

# Timer A and post-dial delay: the UAS answers 100 only after 1.7 s (the UAC retransmits the
# INVITE at 0.5 s and 1.5 s) and 180 after 6.2 s.
if want diag_timer_a_pdd; then
    start_cap diag_timer_a_pdd
    uas 20 -sf "$SC/uas_slow.xml"
    uac 20 -sf "$SC/uac_call.xml" $(call_keys 8 PCMA $UAC sendrecv 300)
    wait_bg
    stop_cap diag_timer_a_pdd
fi

# 2xx without ACK: SIPp's built-in UAS retransmits its 200 OK; uac_noack.xml never sends ACK.
if want diag_2xx_no_ack; then
    start_cap diag_2xx_no_ack
    uas 7 -sn uas
    uac 7 -sf "$SC/uac_noack.xml"
    wait_bg
    stop_cap diag_2xx_no_ack
fi

# No common codec, twice: SIPp's built-in UAS answers PCMU whatever is offered (the UAC offers
# PCMA only), and a UAS that rejects a PCMU offer with 488.
if want diag_codec; then
    start_cap diag_codec
    uas 10 -sn uas
    uac 10 -sf "$SC/uac_call.xml" $(call_keys 8 PCMA $UAC sendrecv 300)
    wait_bg
    uas 10 -sf "$(reject 488 'Not Acceptable Here')"
    uac 10 -sf "$SC/uac_call.xml" $(call_keys 0 PCMU $UAC sendrecv 300)
    wait_bg
    stop_cap diag_codec
fi

# No final response: an INVITE and an OPTIONS towards a UDP listener that reads and never answers;
# SIPp retransmits (timers A, E) and gives up after 64*T1 = 32 s (timers B, F).
if want diag_no_final; then
    start_cap diag_no_final
    timeout 40 python3 -c "
import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('$UAS', 5062))
while True: s.recv(65535)" &
    BG_PIDS+=($!)
    wait_bound $UAS:5062
    timeout 38 sipp -i $UAC -p 5063 -m 1 -nostdin -s diag -sf "$SC/uac_options.xml" $UAS:5062 \
        >"$TMP/uac2.log" 2>&1 &
    BG_PIDS+=($!)
    T0=$(date +%s)
    uac 38 -sf "$SC/uac_call.xml" $(call_keys 8 PCMA $UAC sendrecv 300)
    wait_bg
    # the capture goes on past 64*T1: a CRLF keep-alive (RFC 5626 §3.5.1) from the UAC at ~34 s
    while [ $(($(date +%s) - T0)) -lt 34 ]; do sleep 0.5; done
    python3 -c "
import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('$UAC', 5061))
s.sendto(b'\r\n\r\n', ('$UAS', 5062))"
    stop_cap diag_no_final
fi

# Dialog and header bugs of one UAC (no Contact, Via branch without z9hG4bK, CSeq going back) to
# a UAS whose 200 OK has no Contact; a callee that sends BYE on an early dialog.
if want diag_dialog; then
    start_cap diag_dialog
    uas 10 -sf "$SC/uas_answer.xml" -key apt 8 -key acodec PCMA -key adir sendrecv -key extra "" \
        -key contact ""
    uac 10 -sf "$SC/uac_dialog.xml"
    wait_bg
    uas 10 -sf "$SC/uas_early_bye.xml"
    uac 10 -sf "$SC/uac_early_bye.xml"
    wait_bg
    stop_cap diag_dialog
fi

# Max-Forwards and loops: a MESSAGE to sip:loop@Kamailio, which forwards it to itself until
# Max-Forwards is 0 and answers 483; a UAS answering 482 Loop Detected; Content-Length larger than
# the body and a request without To / Max-Forwards (sent once, never answered).
if want diag_headers; then
    PROXY=127.0.40.3
    start_cap diag_headers
    kamailio -f "$SC/kamailio_loop.cfg" -DD -E -P "$TMP/k.pid" >"$TMP/kam.log" 2>&1 &
    KPID=$!
    BG_PIDS+=($KPID)
    sleep 1
    timeout 10 sipp -i $UAC -p 5061 -m 1 -nostdin -s loop -sf "$SC/uac_message.xml" -key mf 5 \
        $PROXY:5060 >"$TMP/uac.log" 2>&1 || true
    kill $KPID
    wait $KPID 2>/dev/null || true
    sed "s/@CODE@/482/; s/@REASON@/Loop Detected/" "$SC/uas_message.xml" >"$TMP/uas_482.xml"
    uas 10 -sf "$TMP/uas_482.xml"
    uac 10 -sf "$SC/uac_message.xml" -key mf 70
    wait_bg
    uac 5 -sf "$SC/uac_malformed.xml"
    stop_cap diag_headers
fi

# Authentication and registration: a registrar that challenges every credential (same nonce),
# a UAC that retries four times; a UAC that answers 423 with the same Expires.
if want diag_register; then
    start_cap diag_register
    uas 10 -sf "$SC/uas_auth.xml"
    uac 10 -sf "$SC/uac_auth.xml" -au alice -ap wrong
    wait_bg
    uas 10 -sf "$SC/uas_423.xml"
    uac 10 -sf "$SC/uac_423.xml"
    wait_bg
    stop_cap diag_register
fi

# Retry-After ignored: 503 with Retry-After: 30, the UAC sends the INVITE again after 1 s.
if want diag_retry_after; then
    start_cap diag_retry_after
    uas 10 -sf "$SC/uas_503.xml"
    uac 10 -sf "$SC/uac_retry.xml"
    wait_bg
    stop_cap diag_retry_after
fi

# SDP offer/answer: a sendonly PCMA offer answered sendonly with an extra (rejected) video line.
if want diag_sdp; then
    start_cap diag_sdp
    uas 10 -sf "$SC/uas_answer.xml" -mp 17000 -key apt 8 -key acodec PCMA -key adir sendonly \
        -key extra "m=video 0 RTP/AVP 31" -key contact "Contact: <sip:$UAS:5062>"
    uac 10 -sf "$SC/uac_call.xml" $(call_keys 8 PCMA $UAC sendonly 300)
    wait_bg
    stop_cap diag_sdp
fi

# Media: RTP one way only (the UAC plays PCMA, the UAS sends nothing); a call held with
# c=0.0.0.0; a call answered that carries no RTP for 2.5 s.
if want diag_media; then
    start_cap diag_media
    ANS=(-mp 17000 -key apt 8 -key acodec PCMA -key adir sendrecv -key extra ""
        -key contact "Contact: <sip:$UAS:5062>")
    uas 12 -sf "$SC/uas_answer.xml" "${ANS[@]}"
    uac 12 -sf "$SC/uac_rtp.xml" $(call_keys 8 PCMA $UAC sendrecv 3000)
    wait_bg
    uas 10 -sf "$SC/uas_answer.xml" "${ANS[@]}"
    uac 10 -sf "$SC/uac_call.xml" $(call_keys 8 PCMA 0.0.0.0 sendrecv 300)
    wait_bg
    uas 10 -sf "$SC/uas_answer.xml" "${ANS[@]}"
    uac 10 -sf "$SC/uac_call.xml" $(call_keys 8 PCMA $UAC sendrecv 2500)
    wait_bg
    stop_cap diag_media
fi

# Transactions: a CANCEL sent after the 200 OK; an ACK for a 486 on a new branch.
if want diag_txn; then
    start_cap diag_txn
    uas 10 -sf "$SC/uas_cancel.xml" -key apt 8 -key acodec PCMA -key adir sendrecv -key extra "" \
        -key contact "Contact: <sip:$UAS:5062>"
    uac 10 -sf "$SC/uac_cancel_late.xml" $(call_keys 8 PCMA $UAC sendrecv 300)
    wait_bg
    uas 10 -sf "$(reject 486 'Busy Here')"
    uac 10 -sf "$SC/uac_badack.xml" $(call_keys 8 PCMA $UAC sendrecv 300)
    wait_bg
    stop_cap diag_txn
fi

# Private media address across a public path: in a network namespace of its own whose loopback
# holds two documentation (non-private) addresses, a UAC behind a NAT that does not fix SDP
# announces c=192.168.1.50.
if want diag_private; then
    NS=sipscope-diag-$$
    ip netns add "$NS"
    ip netns exec "$NS" ip link set lo up
    ip netns exec "$NS" ip addr add 203.0.113.10/32 dev lo
    ip netns exec "$NS" ip addr add 198.51.100.20/32 dev lo
    ip netns exec "$NS" tcpdump -i lo -U -s 0 -w "$TMP/diag_private.pcap" udp 2>/dev/null &
    TD_PID=$!
    sleep 1
    ip netns exec "$NS" timeout 10 sipp -i 198.51.100.20 -p 5062 -m 1 -nostdin -mp 17000 \
        -sf "$SC/uas_answer.xml" -key apt 8 -key acodec PCMA -key adir sendrecv -key extra "" \
        -key contact "Contact: <sip:198.51.100.20:5062>" >"$TMP/uas.log" 2>&1 &
    BG_PIDS+=($!)
    wait_bound 198.51.100.20:5062 "$NS"
    ip netns exec "$NS" timeout 10 sipp -i 203.0.113.10 -p 5061 -m 1 -nostdin -s diag \
        -sf "$SC/uac_call.xml" $(call_keys 8 PCMA 192.168.1.50 sendrecv 300) 198.51.100.20:5062 \
        >"$TMP/uac.log" 2>&1 || true
    wait_bg
    stop_cap diag_private
    ip netns del "$NS"
    NS=
fi
