#!/usr/bin/env bash
# Calibration data for the Cortex-M latency model (issue 6): compiles every zoo model
# for cortex-m4 with the example firmware, runs it under QEMU (-icount shift=0) with the
# per-op profile on (make run PROFILE=1: one `op<TAB>index<TAB>op<TAB>node<TAB>instructions`
# line per kernel call) and fits the model with `dnnopt calibrate`.
#
#   bench/zoo/calibrate.sh [--per-layer]
#
# Environment: DNNOPT (default <repo>/build/bin/dnnopt), OUT (default bench/zoo/build/calibrate),
# MODELS (default: all five). The int8 zoo: MODELS_DIR=bench/zoo/qmodels SUFFIX=_qdq PRECISION=a8w8
# (the QDQ models compile to the int8 kernels; profiles are matched by ONNX node as for float).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DNNOPT="${DNNOPT:-$ROOT/build/bin/dnnopt}"
OUT="${OUT:-$HERE/build/calibrate}"
MODELS="${MODELS:-resnet8 dscnn mobilenetv1_025 autoencoder tcn}"
MODELS_DIR="${MODELS_DIR:-$HERE/models}"
SUFFIX="${SUFFIX:-}"
PRECISION="${PRECISION:-a32w32}"
mkdir -p "$OUT"
pairs=()
for m in $MODELS; do
  echo "== $m: compile, build, profile under QEMU" >&2
  rm -rf "$OUT/$m"
  "$DNNOPT" compile "$MODELS_DIR/$m$SUFFIX.onnx" -o "$OUT/$m" --name "$m" --target cortex-m4 --with-example \
    --example-inputs "$MODELS_DIR/$m$SUFFIX.npz" 2>"$OUT/$m.compile.log"
  make -s -C "$OUT/$m/example" run PROFILE=1 >"$OUT/$m.profile" 2>&1
  pairs+=("$MODELS_DIR/$m$SUFFIX.onnx=$OUT/$m.profile")
done
"$DNNOPT" calibrate --target stm32l4 --precision "$PRECISION" "$@" "${pairs[@]}"
