#!/usr/bin/env bash
# Sub-byte weights on Cortex-M4 (QEMU mps2-an386, -icount shift=0): dnnopt's own
# post-training quantization of the float zoo at 8-, 4- and 2-bit weights (int8
# activations), compiled with the example firmware and run once. Prints a markdown table:
# instructions, instructions / MAC and const bytes (weights + tables) per width, with the
# ratios to int8. A benchmark, not a test.
#
#   bench/zoo/run_wbits.sh            (DNNOPT, OUT, MODELS as for run_zoo.sh)
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DNNOPT="${DNNOPT:-$ROOT/build/bin/dnnopt}"
OUT="${OUT:-$HERE/build-wbits}"
MODELS="${MODELS:-resnet8 dscnn tcn}"
mkdir -p "$OUT"
macs() { awk -F'\t' -v m="$1" '$1 == m { print $5 }' "$HERE/models/manifest.tsv"; }
echo "| model | weights | instructions | instr / MAC | x int8 | const bytes | x int8 |"
echo "|---|---|---:|---:|---:|---:|---:|"
for m in $MODELS; do
  base_i=""; base_b=""
  for bits in 8 4 2; do
    dir="$OUT/$m-w$bits"
    rm -rf "$dir"
    if ! "$DNNOPT" compile "$HERE/models/$m.onnx" -o "$dir" --name "$m" --target cortex-m4 --with-example \
         --example-inputs "$HERE/models/$m.npz" --quantize int8 --weight-bits "$bits" \
         --calibration "$HERE/qmodels/${m}_calib.npz" > "$OUT/$m-w$bits.compile.log" 2>&1; then
      echo "| $m | $bits-bit | compile failed | | | | |"; continue
    fi
    make -s --no-print-directory -C "$dir/example" run > "$OUT/$m-w$bits.run.log" 2>&1 ||
      { echo "| $m | $bits-bit | run failed | | | | |"; continue; }
    instr=$(awk '/^instructions:/ { print $2 }' "$OUT/$m-w$bits.run.log")
    bytes=$(awk '/weights:/ { print $2 }' "$OUT/$m-w$bits.compile.log")
    [ -n "$base_i" ] || { base_i=$instr; base_b=$bytes; }
    awk -v m="$m" -v b="$bits" -v i="$instr" -v mac="$(macs "$m")" -v by="$bytes" -v bi="$base_i" -v bb="$base_b" \
      'BEGIN { printf "| %s | %d-bit | %d | %.2f | %.3f | %d | %.3f |\n", m, b, i, i / mac, i / bi, by, by / bb }'
  done
done
