#!/usr/bin/env bash
# ONNX conformance import run over Debian's libonnx-testdata.
#   run_conformance.sh DNNOPT_TRANSLATE [DATA_ROOT]
# Imports every model.onnx under DATA_ROOT/{node,pytorch-converted,pytorch-operator,simple}
# in its own process and classifies it:
#   imported  - exit 0, the module verified
#   rejected  - exit 1 with an "unsupported ..." message naming the op or type
#   error     - exit 1 with any other message (a valid conformance model should not get one)
#   crashed   - killed by a signal, or any other exit code
# Fails when anything crashed or errored. Per-model results go to conformance.log.
set -u
translate="$1"
root="${2:-/usr/share/libonnx-testdata/data}"
log="${CONFORMANCE_LOG:-conformance.log}"
[ -x "$translate" ] || { echo "conformance: $translate is not executable" >&2; exit 2; }
[ -d "$root" ] || { echo "conformance: $root not found (install libonnx-testdata)" >&2; exit 2; }

classify() {
  local model="$1" out rc name
  name="${model#"$root"/}"; name="${name%/model.onnx}"
  out=$(timeout 60 "$2" --import-onnx "$model" -o /dev/null 2>&1)
  rc=$?
  if [ $rc -eq 0 ]; then echo "imported $name"
  elif [ $rc -eq 1 ] && grep -qi 'unsupported' <<<"$out"; then
    echo "rejected $name :: $(head -c 300 <<<"$out" | head -1)"
  elif [ $rc -eq 1 ]; then echo "error $name :: $(head -c 300 <<<"$out" | head -1)"
  else echo "crashed $name :: exit $rc :: $(head -c 300 <<<"$out" | head -1)"
  fi
}
export -f classify
export root

find "$root"/node "$root"/pytorch-converted "$root"/pytorch-operator "$root"/simple \
  -name model.onnx 2>/dev/null | sort |
  xargs -P 2 -I{} bash -c 'classify "$1" "$2"' _ {} "$translate" | sort -k2 > "$log"

imported=$(grep -c '^imported ' "$log")
rejected=$(grep -c '^rejected ' "$log")
errors=$(grep -c '^error ' "$log")
crashed=$(grep -c '^crashed ' "$log")
total=$(wc -l < "$log")
grep -E '^(error|crashed) ' "$log" | head -50
echo "conformance: $total models: $imported imported, $rejected cleanly rejected (unsupported), $errors other errors, $crashed crashed"
echo "rejections by operator:"
grep '^rejected ' "$log" | grep -o 'unsupported operator [A-Za-z0-9_]*' | sort | uniq -c | sort -rn | head -15
[ "$crashed" -eq 0 ] && [ "$errors" -eq 0 ]
