#!/usr/bin/env bash
# The main job: set everything up, then compile the bundled example model end to end:
#   1. import + clean up (prints the dnn IR summary),
#   2. `dnnopt compile` to C99 for Cortex-M4 with the example firmware,
#   3. build and run the generated code on this machine,
#   4. build the firmware and run it on QEMU's Cortex-M4 board (instruction count),
#   5. `dnnopt validate`: the generated C against dnnopt's reference interpreter.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh"
build="${DNNOPT_BUILD_DIR:-$here/build}"
model="$here/examples/models/tiny_cnn.onnx"
out="$build/example/tiny_cnn"
dnnopt="$build/bin/dnnopt"

echo "== 1. dnnopt import $model"
"$dnnopt" import "$model" >/dev/null

echo "== 2. dnnopt compile -> $out"
"$dnnopt" compile "$model" -o "$out" --name tiny_cnn --target cortex-m4 --with-example
ls "$out" "$out/example"

echo "== 3. host build and run of the generated code"
cc -std=c99 -O2 -Wall -Werror -DDNN_EXAMPLE_HOST -I"$out" "$out"/example/main.c "$out"/*.c -lm \
  -o "$build/example/tiny_cnn_host"
"$build/example/tiny_cnn_host"

echo "== 4. Cortex-M4 firmware on QEMU mps2-an386"
make -s -C "$out/example" run

if "$dnnopt" validate --help >/dev/null 2>&1; then
  echo "== 5. dnnopt validate (generated C vs the reference interpreter)"
  "$dnnopt" validate "$model"
fi
