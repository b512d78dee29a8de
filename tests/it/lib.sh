# lib.sh: shared helpers for the shell integration tests (sourced). Counts checks and prints the
# closing "N passed, N failed" line; a test script exits non-zero when any check failed.
set -u
: "${SIPSCOPE:?SIPSCOPE must point at the binary}"
: "${SS_TEST_DATA:?SS_TEST_DATA must point at tests/data}"
PASS=0
FAIL=0
TMP=$(mktemp -d /tmp/sipscope-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }

# expect_rc WANT DESC -- CMD...: runs CMD, checks its exit status, keeps stdout/stderr in
# $TMP/out and $TMP/err.
expect_rc() {
  local want=$1 desc=$2; shift 3
  "$@" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else bad "$desc: exit $rc, wanted $want ($(head -c 300 "$TMP/err"))"; fi
}

# expect_err_line REGEX DESC: stderr is exactly one line and matches REGEX.
expect_err_line() {
  local re=$1 desc=$2
  local n
  n=$(wc -l <"$TMP/err")
  if [ "$n" -eq 1 ] && grep -Eq -- "$re" "$TMP/err"; then ok; else bad "$desc: stderr was: $(cat "$TMP/err")"; fi
}

# private_tmux: every later `tmux` of the script talks to a server of its own (socket in $TMP),
# kept alive by an idle session. Killing a test's last session then never races the start of
# the next one (tmux: "server exited unexpectedly"), and tests running in parallel do not share
# a server. The script's EXIT trap must call `tmux kill-server`.
private_tmux() {
  unset TMUX
  tmux() { command tmux -S "$TMP/tmux.sock" "$@"; }
  tmux new-session -d -s keepalive -x 20 -y 5 'sleep 3600'
}

finish() {
  echo "$PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
}
