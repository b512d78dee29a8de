# formats.sh: the golden ladder variants (sourced by update.sh and tests/it/test_golden):
# "SUFFIX|ARGS" — the output file is ladder/NAME.SUFFIX, made by `sipscope ladder CALL ARGS`.
GOLDEN_VARIANTS=(
  "txt|--format text --width 100"
  "ascii.txt|--format text --ascii --width 80"
  "json|--format json"
  "mmd|--format mermaid"
  "puml|--format plantuml"
  "svg|--format svg"
  "html|--format html"
)

# golden_export SIPSCOPE DATA NAME CAPTURE CALL SUFFIX ARGS OUT: writes one variant to OUT.
golden_export() {
  local s=$1 data=$2 cap=$4 call=$5 args=$7 out=$8
  # shellcheck disable=SC2086
  "$s" ladder -q -r "$data/$cap" --db :memory: "$call" $args -o "$out"
}
