#!/usr/bin/env bash
# make_captures.sh -- regenerate the captures "made for this project" (see README.md).
#
# Usage (as root):  tests/data/make_captures.sh [OUTDIR] [NAME...]
#   OUTDIR defaults to the directory of this script; NAME limits the run to some of:
#   sll1 tcpmid ipv6frag retrans rewrap   (default: all)
#
# Real traffic: SIPp (Debian sip-tester 3.6) UAC/UAS, captured by tcpdump on the
# loopback interface or on a veth pair between two network namespaces created here.
# Traffic goes only to 127.0.0.0/8 or to the 2001:db8::/32 documentation addresses
# inside our own namespaces. Every SIPp run is bounded by -m (calls) and by timeout(1);
# background processes are recorded by PID and only those PIDs are killed; the
# namespaces created here are deleted on exit. Each capture gets a NAME.truth.json
# made by tests/tools/make_truth.py (tshark). Real traffic has real timing, so a
# regenerated capture is similar, not byte-identical.
#
# Needs: sipp, tcpdump, tshark, python3, iproute2 (ip netns), root.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOOLS=$(cd "$HERE/../tools" && pwd)
OUT=${1:-$HERE}
shift || true
WHAT=${*:-"sll1 tcpmid ipv6frag retrans rewrap"}
OUT=$(cd "$OUT" && pwd)

WORK=$(mktemp -d /tmp/ss_mkcap.XXXXXX)
PIDS=()
NETNS=()

log() { printf '[make_captures] %s\n' "$*" >&2; }

cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  sleep 0.3
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true
  done
  local n
  for n in "${NETNS[@]:-}"; do
    [ -n "$n" ] && ip netns del "$n" 2>/dev/null || true
  done
  if [ -n "${KEEP_WORK:-}" ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT INT TERM

need() { command -v "$1" >/dev/null || { echo "make_captures: $1 is required" >&2; exit 1; }; }
for t in sipp tcpdump tshark python3 ip timeout; do need "$t"; done
[ "$(id -u)" = 0 ] || { echo "make_captures: must run as root (tcpdump, ip netns)" >&2; exit 1; }

# start_tcpdump OUTFILE [ip netns exec NS] -- tcpdump args...; sets TCPDUMP_PID
start_tcpdump() {
  local outfile=$1; shift
  local errf="$WORK/tcpdump.$RANDOM.err"
  "$@" --immediate-mode -U -w "$outfile" 2>"$errf" &
  TCPDUMP_PID=$!
  PIDS+=("$TCPDUMP_PID")
  local i
  for i in $(seq 1 50); do            # at most 5 s for "listening on"
    grep -q "listening on" "$errf" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "make_captures: tcpdump did not start: $(cat "$errf")" >&2
  exit 1
}

forget_pid() {  # drop a reaped PID from PIDS so that cleanup never signals a reused PID
  local p=$1 q keep=()
  for q in "${PIDS[@]:-}"; do [ "$q" != "$p" ] && [ -n "$q" ] && keep+=("$q"); done
  PIDS=("${keep[@]:-}")
}

stop_pid() {   # stop one PID we started, wait for it (bounded), forget it
  local p=$1 i
  sleep 1   # let the capture drain
  kill -INT "$p" 2>/dev/null || true
  for i in $(seq 1 30); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  forget_pid "$p"
}

truth_name() {  # capture path -> truth path (stem without .pcap/.pcapng[.gz])
  local f=$1
  f=${f%.gz}; f=${f%.pcapng}; f=${f%.pcap}
  echo "$f.truth.json"
}

truth() {   # truth CAPTURE: write CAPTURE's truth file with make_truth.py, log a summary
  local t
  t=$(truth_name "$1")
  python3 "$TOOLS/make_truth.py" "$1" -o "$t"
  log "$(basename "$1"): $(python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); print(t["link_type"], t["file_format"], t["packet_count"], "pkts,", t["sip_message_count"], "SIP msgs,", t["call_count"], "calls,", t["sip_retransmissions"], "resent")' "$t")"
}

# ---------------------------------------------------------------------------------------
# 1. LINUX_SLL (v1) from `tcpdump -i any -y LINUX_SLL`; SIPp UDP on ports 5080 / 15060.
cap_sll1() {
  local f="$OUT/new01_sll1_udp_port5080.pcap"
  local uas=127.0.20.2 uac=127.0.20.1
  log "sll1: 4 calls UDP $uac:15060 -> $uas:5080, tcpdump -i any -y LINUX_SLL"
  start_tcpdump "$WORK/sll1.pcap" tcpdump -i any -y LINUX_SLL -n "host $uas and host $uac and udp"
  local cap=$TCPDUMP_PID
  ( cd "$WORK" && exec timeout -k 2 60 sipp -sn uas -i $uas -p 5080 -m 4 -nostdin >"$WORK/uas1.log" 2>&1 ) &
  local s=$!; PIDS+=("$s")
  sleep 0.5
  ( cd "$WORK" && timeout -k 2 30 sipp -sn uac $uas:5080 -i $uac -p 15060 -m 4 -r 2 -rp 1000 -d 800 \
      -nostdin >"$WORK/uac1.log" 2>&1 ) || { log "uac failed"; cat "$WORK/uac1.log" >&2; exit 1; }
  sleep 0.5
  stop_pid "$s"; stop_pid "$cap"
  cp "$WORK/sll1.pcap" "$f"
  truth "$f"
}

# ---------------------------------------------------------------------------------------
# 2. SIP over TCP (one connection, sipp -t t1) on port 5070; the capture starts while the
#    connection is already up and calls are in progress (no SYN, first call(s) missing,
#    one call captured from the middle).
cap_tcpmid() {
  local f="$OUT/new02_tcp_midstream_port5070.pcap"
  local uas=127.0.21.2 uac=127.0.21.1
  log "tcpmid: 8 calls TCP $uac -> $uas:5070, capture starts mid-connection"
  ( cd "$WORK" && exec timeout -k 2 60 sipp -sn uas -t t1 -i $uas -p 5070 -m 8 -nostdin >"$WORK/uas2.log" 2>&1 ) &
  local s=$!; PIDS+=("$s")
  sleep 0.5
  ( cd "$WORK" && exec timeout -k 2 40 sipp -sn uac -t t1 $uas:5070 -i $uac -p 15070 -m 8 -r 2 -rp 1000 -d 1500 \
      -nostdin >"$WORK/uac2.log" 2>&1 ) &
  local c=$!; PIDS+=("$c")
  # wait until the TCP connection is established (at most 5 s), then let 1.3 s of calls pass
  local i
  for i in $(seq 1 50); do
    ss -Htn state established "( sport = :5070 )" 2>/dev/null | grep -q "$uas" && break
    sleep 0.1
  done
  sleep 1.3
  start_tcpdump "$WORK/tcpmid.pcap" tcpdump -i lo -n "host $uas and host $uac and tcp port 5070"
  local cap=$TCPDUMP_PID
  local rc=0
  wait "$c" || rc=$?
  forget_pid "$c"
  [ $rc = 0 ] || { log "uac failed"; cat "$WORK/uac2.log" >&2; exit 1; }
  sleep 0.5
  stop_pid "$s"; stop_pid "$cap"
  cp "$WORK/tcpmid.pcap" "$f"
  truth "$f"
}

# ---------------------------------------------------------------------------------------
# 3. IPv6 fragmentation: veth pair between two namespaces, MTU 1280, SIP over UDP/IPv6 with
#    a ~3 KB INVITE (long SDP + extra headers) -> fragmented by the sending kernel.
cap_ipv6frag() {
  local f="$OUT/new03_ipv6_udp_fragments.pcap"
  local nsa=ss_mkcap_a_$$ nsb=ss_mkcap_b_$$
  local a=2001:db8:5c::10 b=2001:db8:5c::20
  log "ipv6frag: netns $nsa/$nsb, veth MTU 1280, big INVITE over UDP/IPv6"
  ip netns add $nsa; NETNS+=("$nsa")
  ip netns add $nsb; NETNS+=("$nsb")
  ip link add ssva$$ netns $nsa type veth peer name ssvb$$ netns $nsb
  ip -n $nsa link set lo up; ip -n $nsb link set lo up
  ip -n $nsa link set ssva$$ mtu 1280 up; ip -n $nsb link set ssvb$$ mtu 1280 up
  ip -n $nsa addr add $a/64 dev ssva$$ nodad
  ip -n $nsb addr add $b/64 dev ssvb$$ nodad
  sleep 0.5
  write_big_invite_scenario "$WORK/uac_big.xml"
  start_tcpdump "$WORK/v6.pcap" ip netns exec $nsa tcpdump -i ssva$$ -n "ip6"
  local cap=$TCPDUMP_PID
  ( cd "$WORK" && exec timeout -k 2 60 ip netns exec $nsb sipp -sn uas -i $b -p 5062 -m 2 -nostdin \
      >"$WORK/uas3.log" 2>&1 ) &
  local s=$!; PIDS+=("$s")
  sleep 0.5
  ( cd "$WORK" && timeout -k 2 30 ip netns exec $nsa sipp -sf "$WORK/uac_big.xml" "[$b]:5062" -i $a -p 5062 \
      -m 2 -r 1 -d 400 -nostdin >"$WORK/uac3.log" 2>&1 ) || { log "uac failed"; cat "$WORK/uac3.log" >&2; exit 1; }
  sleep 0.5
  stop_pid "$s"; stop_pid "$cap"
  ip netns del $nsa; ip netns del $nsb
  cp "$WORK/v6.pcap" "$f"
  truth "$f"
}

write_big_invite_scenario() {
  python3 - "$1" <<'PYEOF'
import sys
cands = "\n".join(
    f"      a=candidate:{i} 1 UDP {2130706431 - i * 65536} 2001:db8:5c::10 {40000 + 2 * i} typ host"
    for i in range(40))
xh = "\n".join(f"      X-Padding-{i:02d}: {'p' * 60}" for i in range(8))
xml = f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="UAC with an INVITE larger than the IPv6 minimum MTU">
  <send retrans="500">
    <![CDATA[

      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: [service] <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Subject: big INVITE over IPv6
{xh}
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 8 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
      a=ice-ufrag:sipscope
      a=ice-pwd:sipscopesipscopesipscope
{cands}
      a=sendrecv

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true"/>
  <send>
    <![CDATA[

      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause/>
  <send retrans="500">
    <![CDATA[

      BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: [service] <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
"""
open(sys.argv[1], "w").write(xml)
PYEOF
}

# ---------------------------------------------------------------------------------------
# 4. INVITE retransmissions: a UAS that answers only after 1.6 s, so the UAC's INVITE is
#    retransmitted (T1 = 500 ms: copies at +0.5 s and +1.5 s). UDP on ports 7060 / 17060.
#    Captured with nanosecond timestamps (pcap magic a1b23c4d, "nsecpcap").
cap_retrans() {
  local f="$OUT/new04_udp_invite_retrans_port7060.pcap"
  local uas=127.0.23.2 uac=127.0.23.1
  log "retrans: 3 calls UDP $uac:17060 -> $uas:7060, UAS slow to answer"
  write_slow_uas_scenario "$WORK/uas_slow.xml"
  start_tcpdump "$WORK/retrans.pcap" tcpdump -i lo -n --time-stamp-precision=nano "host $uas and host $uac and udp"
  local cap=$TCPDUMP_PID
  ( cd "$WORK" && exec timeout -k 2 60 sipp -sf "$WORK/uas_slow.xml" -i $uas -p 7060 -m 3 -nostdin \
      >"$WORK/uas4.log" 2>&1 ) &
  local s=$!; PIDS+=("$s")
  sleep 0.5
  ( cd "$WORK" && timeout -k 2 40 sipp -sn uac $uas:7060 -i $uac -p 17060 -m 3 -r 1 -rp 1000 -d 300 \
      -nostdin >"$WORK/uac4.log" 2>&1 ) || { log "uac failed"; cat "$WORK/uac4.log" >&2; exit 1; }
  sleep 0.5
  stop_pid "$s"; stop_pid "$cap"
  cp "$WORK/retrans.pcap" "$f"
  truth "$f"
}

write_slow_uas_scenario() {
  cat >"$1" <<'XMLEOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="UAS that answers late (INVITE gets retransmitted)">
  <recv request="INVITE" crlf="true"/>
  <!-- no 100 Trying: the client keeps retransmitting the INVITE until a response -->
  <pause milliseconds="1600"/>
  <send>
    <![CDATA[

      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <send retrans="500">
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000

    ]]>
  </send>
  <recv request="ACK" optional="true" rtd="true" crlf="true"/>
  <recv request="BYE"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="500"/>
</scenario>
XMLEOF
}

# ---------------------------------------------------------------------------------------
# 5. Other link types / formats: re-encapsulations of real Ethernet captures (rewrap.py).
cap_rewrap() {
  local rw="$TOOLS/rewrap.py" SRC=$HERE
  log "rewrap: NULL, RAW, IPV4, QinQ, pcapng-ns, gzip"
  python3 "$rw" null  "$SRC/pub03_ipv6_udp.pcap"          "$OUT/new05_null_bsd_loopback_ipv6.pcap"
  python3 "$rw" raw   "$SRC/pub09_udp_ip_fragments.pcap"  "$OUT/new06_raw_ipv4_fragments.pcap"
  python3 "$rw" ipv4  "$SRC/pub02_tcp_calls_netns.pcap"   "$OUT/new07_linktype_ipv4_tcp.pcap"
  python3 "$rw" qinq  "$SRC/pub08_proxy_kamailio.pcap"    "$OUT/new08_qinq_proxy.pcap"
  python3 "$rw" pcapng-ns "$OUT/new04_udp_invite_retrans_port7060.pcap" "$OUT/new09_pcapng_nsec_retrans.pcapng"
  python3 "$rw" gzip  "$SRC/pub07_register_options_message_subscribe.pcap" "$OUT/new10_gzip_register_options.pcap.gz"
  local f
  for f in new05_null_bsd_loopback_ipv6.pcap new06_raw_ipv4_fragments.pcap new07_linktype_ipv4_tcp.pcap \
           new08_qinq_proxy.pcap new09_pcapng_nsec_retrans.pcapng new10_gzip_register_options.pcap.gz; do
    truth "$OUT/$f"
  done
}

for w in $WHAT; do
  case "$w" in
    sll1) cap_sll1 ;;
    tcpmid) cap_tcpmid ;;
    ipv6frag) cap_ipv6frag ;;
    retrans) cap_retrans ;;
    rewrap) cap_rewrap ;;
    *) echo "make_captures: unknown capture '$w'" >&2; exit 2 ;;
  esac
done
log "done"
