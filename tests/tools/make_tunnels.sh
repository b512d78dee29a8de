#!/usr/bin/env bash
# make_tunnels.sh -- make the tunnel captures of tests/data (tun*.pcap) and tests/data/tunnels/.
#
# Usage:  tests/tools/make_tunnels.sh [DATADIR [vxlan] [wrap]]  (default: tests/data, both)
#   vxlan  real kernel VXLAN captures (needs root: ip netns, tcpdump)
#   wrap   real corpus captures wrapped by make_tunnels_wrap.py (no root needed):
#          GRE (options, MPLS, bridging with QinQ inside, over IPv6), ERSPAN I/II/III,
#          IP-in-IP (4in4, 6in4, 4in6, 6in6), GTP-U, and three tunnels nested
#   sctp   real corpus SIP/UDP carried over SCTP by make_sctp.py (no root needed; this kernel has
#          no SCTP, so no real SCTP peer can run here): DATA with fragments and bundling,
#          I-DATA over IPv6, several associations through Kamailio
#   ws     SIP over WebSocket on loopback port 8088 (needs root for tcpdump): make_ws.py server
#          and client (Kamailio here has no websocket module), captured by tcpdump -i lo
#
# Real traffic through real kernel tunnels: two network namespaces created here joined by a
# veth pair (the "underlay", 192.0.2.0/24 and 2001:db8:1::/64), a Linux VXLAN device in each,
# SIPp (Debian sip-tester) UAC/UAS talking over the inner addresses, tcpdump on the outer veth
# (what a tap on the wire sees) and, at the same time, on the inner VXLAN device (the same
# traffic without the tunnel: the reference the tests compare with).
#   tun01_vxlan_udp_rtp   VXLAN/IPv4, UDP 4789; 2 calls + 1 call with G.711 RTP (uac_pcap)
#   tun02_vxlan_tcp       VXLAN/IPv4, UDP 4789; 3 calls over one SIP/TCP connection
#   tunnels/tun03_vxlan6_port8472
#                         VXLAN over IPv6 on UDP 8472 (Linux's historic VXLAN port), inner
#                         IPv6; needs `--vxlan-port 8472` (tshark: -d udp.port==8472,vxlan),
#                         so it lives in a sub-directory the generic truth tests do not scan
# Each has NAME.inner.pcap (the capture on the VXLAN device) beside it in tests/data/tunnels/.
# Only VXLAN is done this way: this machine's kernel has no gre, gretap, ipip, sit, ip6tnl,
# ip6gre or erspan link types (`ip link add ... type gre` says "Unknown device type"), so the
# other encapsulations are made by tests/tools/make_tunnels_wrap.py from real captures.
# Every SIPp run is bounded by -m and timeout(1); only PIDs started here are killed; the
# namespaces are deleted on exit. Truth: tests/tools/make_truth.py (tshark).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(cd "${1:-$HERE/../data}" && pwd)
shift || true
WHAT=${*:-"vxlan wrap sctp ws"}
SUB="$OUT/tunnels"
mkdir -p "$SUB"
WORK=$(mktemp -d /tmp/ss_mktun.XXXXXX)
PIDS=()
NSA=sstunA$$
NSB=sstunB$$
log() { printf '[make_tunnels] %s\n' "$*" >&2; }

cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  ip netns del $NSA 2>/dev/null || true
  ip netns del $NSB 2>/dev/null || true
  if [ -n "${KEEP_WORK:-}" ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT INT TERM
# ---- wrapped captures: NAME=SOURCE:LAYERS (make_tunnels_wrap.py), gzip-compressed, with truth
wrap_all() {
  local spec name src layers
  for spec in \
      tun10_gre_opts_udp_rtp=pub01_udp_basic_rtp:gre \
      tun11_gre_teb_qinq_tcp=pub02_tcp_calls_netns:qinq,gre-teb \
      tun12_gre_mpls_proxy=pub08_proxy_kamailio:gre-mpls \
      tun13_erspan2_tcp=pub02_tcp_calls_netns:erspan2 \
      tun14_erspan3_vlan_rtp=pub06_early_media_hold_vlan:erspan3 \
      tun15_erspan1_register=pub07_register_options_message_subscribe:erspan1 \
      tun16_ipip_6in4=pub03_ipv6_udp:ip4 \
      tun17_ipip_4in6=pub08_proxy_kamailio:ip6 \
      tun18_ipip_6in6_gre6=pub03_ipv6_udp:ip6,gre6 \
      tun19_gtpu_ip_fragments=pub09_udp_ip_fragments:gtpu \
      tun20_nested_gtpu_ipip_vxlan=pub11_rtp_loss_jitter:gtpu,ip4,vxlan; do
    name=${spec%%=*}; src=${spec#*=}; layers=${src#*:}; src=${src%%:*}
    python3 "$HERE/make_tunnels_wrap.py" "$OUT/$src.pcap" "$WORK/$name.pcap" "$layers"
    gzip -n -9 -c "$WORK/$name.pcap" >"$OUT/$name.pcap.gz"
    python3 "$HERE/make_truth.py" "$OUT/$name.pcap.gz" -o "$OUT/$name.truth.json"
  done
}
sctp_all() {
  local spec name src opts
  for spec in \
      sctp01_data_frag_bundle_rtp=pub01_udp_basic_rtp: \
      sctp02_idata_ipv6=pub03_ipv6_udp:--idata \
      sctp03_register_proxy=pub07_register_options_message_subscribe:; do
    name=${spec%%=*}; src=${spec#*=}; opts=${src#*:}; src=${src%%:*}
    python3 "$HERE/make_sctp.py" "$OUT/$src.pcap" "$WORK/$name.pcap" $opts
    gzip -n -9 -c "$WORK/$name.pcap" >"$OUT/$name.pcap.gz"
    python3 "$HERE/make_truth.py" "$OUT/$name.pcap.gz" -o "$OUT/$name.truth.json"
  done
}
case " $WHAT " in *" wrap "*) wrap_all;; esac
case " $WHAT " in *" sctp "*) sctp_all;; esac
case " $WHAT " in *" vxlan "* | *" ws "*) ;; *) exit 0;; esac

for t in sipp tcpdump tshark python3 ip timeout; do
  command -v $t >/dev/null || { echo "make_tunnels: $t is required" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "make_tunnels: must run as root (ip netns, tcpdump)" >&2; exit 1; }

# start_tcpdump NS IFACE OUTFILE [FILTER]: background tcpdump in NS; appends its PID to PIDS
start_tcpdump() {
  local errf="$WORK/td.$RANDOM.err" i
  ip netns exec "$1" tcpdump -i "$2" -n -s 0 --immediate-mode -U -w "$3" ${4:-} 2>"$errf" &
  PIDS+=("$!")
  for i in $(seq 1 50); do grep -q "listening on" "$errf" 2>/dev/null && return 0; sleep 0.1; done
  echo "make_tunnels: tcpdump did not start: $(cat "$errf")" >&2; exit 1
}
stop_captures() {  # stops every tcpdump started so far (SIGINT, bounded wait)
  local p i
  sleep 1
  for p in "${PIDS[@]:-}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do
    for i in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  PIDS=()
}

# ---- SIP over WebSocket on loopback (make_ws.py both ends, bounded by timeout)
if [ "${WHAT#*ws}" != "$WHAT" ]; then
  log "ws01: SIP over WebSocket, 127.0.0.1:8088"
  start_tcpdump_lo() {
    local errf="$WORK/tdlo.err" i
    tcpdump -i lo -n -s 0 --immediate-mode -U -w "$1" "tcp port 8088" 2>"$errf" &
    PIDS+=("$!")
    for i in $(seq 1 50); do grep -q "listening on" "$errf" 2>/dev/null && return 0; sleep 0.1; done
    echo "make_tunnels: tcpdump did not start: $(cat "$errf")" >&2; exit 1
  }
  start_tcpdump_lo "$WORK/ws.pcap"
  timeout -k 2 35 python3 "$HERE/make_ws.py" server 127.0.0.1 8088 &
  WSPID=$!
  sleep 0.5
  timeout -k 2 30 python3 "$HERE/make_ws.py" client 127.0.0.1 8088
  sleep 0.5
  kill "$WSPID" 2>/dev/null || true
  wait "$WSPID" 2>/dev/null || true
  stop_captures
  gzip -n -9 -c "$WORK/ws.pcap" >"$OUT/ws01_sip_websocket_port8088.pcap.gz"
  python3 "$HERE/make_truth.py" "$OUT/ws01_sip_websocket_port8088.pcap.gz" -o "$OUT/ws01_sip_websocket_port8088.truth.json"
fi
case " $WHAT " in *" vxlan "*) ;; *) exit 0;; esac

# ---- namespaces, underlay, VXLAN devices
ip netns add $NSA
ip netns add $NSB
ip link add ssua$$ netns $NSA type veth peer name ssub$$ netns $NSB
ip -n $NSA link set lo up
ip -n $NSB link set lo up
ip -n $NSA addr add 192.0.2.1/24 dev ssua$$
ip -n $NSB addr add 192.0.2.2/24 dev ssub$$
ip -n $NSA addr add 2001:db8:1::1/64 dev ssua$$ nodad
ip -n $NSB addr add 2001:db8:1::2/64 dev ssub$$ nodad
ip -n $NSA link set ssua$$ up
ip -n $NSB link set ssub$$ up
# VXLAN 42 over IPv4, IANA port; VXLAN 7 over IPv6 on port 8472
ip -n $NSA link add vx4 type vxlan id 42 local 192.0.2.1 remote 192.0.2.2 dstport 4789 dev ssua$$
ip -n $NSB link add vx4 type vxlan id 42 local 192.0.2.2 remote 192.0.2.1 dstport 4789 dev ssub$$
ip -n $NSA link add vx6 type vxlan id 7 local 2001:db8:1::1 remote 2001:db8:1::2 dstport 8472 dev ssua$$
ip -n $NSB link add vx6 type vxlan id 7 local 2001:db8:1::2 remote 2001:db8:1::1 dstport 8472 dev ssub$$
ip -n $NSA addr add 198.51.100.1/24 dev vx4
ip -n $NSB addr add 198.51.100.2/24 dev vx4
ip -n $NSA addr add 2001:db8:7::1/64 dev vx6 nodad
ip -n $NSB addr add 2001:db8:7::2/64 dev vx6 nodad
for ns in $NSA $NSB; do ip -n $ns link set vx4 up; ip -n $ns link set vx6 up; done
sleep 1
mkdir -p "$WORK/pcap"
ln -s /usr/share/sip-tester/g711a.pcap "$WORK/pcap/g711a.pcap"
ln -s /usr/share/sip-tester/dtmf_2833_1.pcap "$WORK/pcap/dtmf_2833_1.pcap"

# uas NS ARGS...: a bounded SIPp UAS in the background (PID in PIDS)
uas() {
  local ns=$1; shift
  ( cd "$WORK" && exec timeout -k 2 60 ip netns exec "$ns" sipp -nostdin "$@" >>"$WORK/uas.log" 2>&1 ) &
  PIDS+=("$!")
  sleep 0.5
}
uac() {  # uac ARGS...: a bounded SIPp UAC in the foreground, in namespace A
  ( cd "$WORK" && timeout -k 2 40 ip netns exec $NSA sipp -nostdin "$@" >>"$WORK/uac.log" 2>&1 ) ||
    { echo "make_tunnels: sipp uac failed: $(tail -5 "$WORK/uac.log")" >&2; exit 1; }
}
finish() {  # finish NAME OUTER_FILE INNER_FILE DEST_DIR [make_truth args]: move, truth
  local name=$1 outer=$2 inner=$3 dir=$4
  cp "$outer" "$dir/$name.pcap"
  cp "$inner" "$SUB/$name.inner.pcap"
  python3 "$HERE/make_truth.py" "$dir/$name.pcap" -o "$dir/$name.truth.json" ${5:-}
  log "$name: $(python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); print(t["packet_count"], "pkts,", t["sip_message_count"], "SIP msgs,", t["call_count"], "calls")' "$dir/$name.truth.json")"
}

# ---- tun01: VXLAN/IPv4, SIP/UDP, with and without RTP
log "tun01: VXLAN 4789, UDP calls"
start_tcpdump $NSA ssua$$ "$WORK/t1.pcap" "udp port 4789"
start_tcpdump $NSA vx4 "$WORK/t1i.pcap" "udp"
uas $NSB -sn uas -i 198.51.100.2 -p 5060 -m 3
uac -sn uac 198.51.100.2:5060 -i 198.51.100.1 -p 15060 -m 2 -r 2 -d 300
uac -sn uac_pcap 198.51.100.2:5060 -i 198.51.100.1 -p 15060 -m 1 -mp 16000
stop_captures
finish tun01_vxlan_udp_rtp "$WORK/t1.pcap" "$WORK/t1i.pcap" "$OUT"

# ---- tun02: VXLAN/IPv4, SIP/TCP on one connection
log "tun02: VXLAN 4789, TCP calls"
start_tcpdump $NSA ssua$$ "$WORK/t2.pcap" "udp port 4789"
start_tcpdump $NSA vx4 "$WORK/t2i.pcap" "tcp"
uas $NSB -sn uas -t t1 -i 198.51.100.2 -p 5070 -m 3
uac -sn uac -t t1 198.51.100.2:5070 -i 198.51.100.1 -p 15070 -m 3 -r 3 -d 300
stop_captures
finish tun02_vxlan_tcp "$WORK/t2.pcap" "$WORK/t2i.pcap" "$OUT"

# ---- tun03: VXLAN over IPv6 on port 8472, inner IPv6
log "tun03: VXLAN/IPv6 8472, UDP/IPv6 calls"
start_tcpdump $NSA ssua$$ "$WORK/t3.pcap" "udp port 8472"
start_tcpdump $NSA vx6 "$WORK/t3i.pcap" "udp"
uas $NSB -sn uas -i 2001:db8:7::2 -p 5060 -m 2
uac -sn uac "[2001:db8:7::2]:5060" -i 2001:db8:7::1 -p 15060 -m 2 -r 2 -d 300
stop_captures
finish tun03_vxlan6_port8472 "$WORK/t3.pcap" "$WORK/t3i.pcap" "$SUB" "--decode-as udp.port==8472,vxlan"
log "done"
