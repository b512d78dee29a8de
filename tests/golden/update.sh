#!/usr/bin/env bash
# update.sh: regenerates the golden ladder exports (tests/golden/ladder/) from the corpus calls in
# ladder.list. Run it by hand, then read `git diff tests/golden` before committing: the tests never
# call it. Usage: tests/golden/update.sh [path/to/sipscope]   (default: build/sipscope)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
S=${1:-${SIPSCOPE:-$root/build/sipscope}}
[ -x "$S" ] || { echo "update.sh: no sipscope at $S (build first or pass its path)" >&2; exit 2; }
. "$here/formats.sh"
n=0
while read -r name cap call; do
  case "$name" in ''|'#'*) continue ;; esac
  for v in "${GOLDEN_VARIANTS[@]}"; do
    suffix=${v%%|*}
    golden_export "$S" "$root/tests/data" "$name" "$cap" "$call" "$suffix" "${v#*|}" \
      "$here/ladder/$name.$suffix"
    n=$((n + 1))
  done
done <"$here/ladder.list"
echo "update.sh: wrote $n files in $here/ladder; review them with git diff"
