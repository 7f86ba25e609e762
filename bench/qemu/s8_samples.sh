#!/usr/bin/env bash
# Turns the per-layer table of RESULTS_S8.md (int8 kernels, DSP build, QEMU Cortex-M4) into
# `dnnopt calibrate --samples` lines: kind MACs outputs instructions name. Layers with a narrow
# clamp (the slow-path rows) are left out: generated code uses the full int8 clamp.
#   bench/qemu/s8_samples.sh > s8.samples
#   dnnopt calibrate --precision a8w8 --samples s8.samples
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
awk -F'|' '
  /^## Results: DSP build/ { on = 1; next }
  /^## / { on = 0 }
  on && $2 ~ /^ *[0-9]+ *$/ && NF >= 12 && $3 !~ /clamp/ {
    name = $3; gsub(/^ +| +$/, "", name); gsub(/ /, "_", name)
    macs = $4 + 0; insns = $7 + 0; per_out = $9 + 0
    if (macs == 0 || per_out == 0) next
    kind = (name ~ /(^|_)dw_/) ? "depthwise" : (name ~ /^FC_/) ? "linear" : "conv"
    printf "%s %d %d %d %s\n", kind, macs, int(insns / per_out + 0.5), insns, name
  }' "$here/RESULTS_S8.md"
