#!/usr/bin/env bash
# hep_bench.sh RATE [udp|tcp]: the HEP collector benchmark of BENCHMARKS.md (not a test): two
# agents (`sipscope import --hep`, --hep-rate RATE messages/s each, 0 = unlimited) replay two
# different 5000-call SIP-only captures of ../shared/bench/make_big_pcap.py into one
# `sipscope listen`; prints messages sent, stored, lost, and the collector's CPU.
# Needs SIPSCOPE (the binary) and python3; files go to ${BENCH_DIR:-/tmp/sipscope-hep-bench}.
set -u
S=${SIPSCOPE:?SIPSCOPE must point at the binary}
R=${1:?RATE}
P=${2:-udp}
B=${BENCH_DIR:-/tmp/sipscope-hep-bench}
GEN=$(dirname "$0")/../../../shared/bench/make_big_pcap.py
mkdir -p "$B"
for s in 1 2; do
  [ -f "$B/b$s.pcap" ] || python3 "$GEN" --calls 5000 --rtp-per-call 0 --seed $s \
    --start $((1700000000 + s * 100000)) -o "$B/b$s.pcap" >/dev/null
done
D="$B/run_${R}_$P"
rm -rf "$D"
mkdir -p "$D"
/usr/bin/time -f "collector cpu %U user %S sys" "$S" listen --hep "$P:127.0.0.1:19395" \
  --db "$D/c.db" >"$D/l.out" 2>"$D/l.time" &
T=$!
for _ in $(seq 100); do grep -q listening "$D/l.out" 2>/dev/null && break; sleep 0.1; done
L=$(pgrep -P "$T")
t0=$(date +%s.%N)
"$S" import "$B/b1.pcap" --hep "$P:127.0.0.1:19395" --hep-name a1 --hep-rate "$R" >"$D/a1.out" &
A1=$!
"$S" import "$B/b2.pcap" --hep "$P:127.0.0.1:19395" --hep-name a2 --hep-rate "$R" >"$D/a2.out" &
A2=$!
wait "$A1" "$A2"
t1=$(date +%s.%N)
sleep 2
kill -INT "$L"
wait "$T"
sent=$(awk '/^hep to/{s += $7} END {print s}' "$D/a1.out" "$D/a2.out")
stored=$(grep -o '[0-9]* sip messages stored$' "$D/l.out" | awk '{print $1}')
echo "rate/agent=$R $P sent=$sent stored=$stored lost=$((sent - stored))" \
  "agents_wall=$(echo "$t1 - $t0" | bc) s $(cat "$D/l.time")"
