#!/usr/bin/env bash
# The PPG heart-rate example end to end, in one command:
#   data -> seed trained -> PIT search -> C for Cortex-M4 -> QEMU on the test windows -> table
#
#   bash examples/ppg-heart-rate/run.sh [OUT_DIR]          (default: build/ppg-example)
#
# Needs the packages and the build of scripts/setup.sh (dnnopt in build/bin, or DNNOPT=...).
# Environment (defaults in brackets):
#   LAMBDA [1e-3]        PIT's lambda (cost = parameters; loss = MAE in BPM)
#   EPOCHS [10,30,20]    warm-up, search, fine-tune epochs of the search
#   SEED_EPOCHS [60]     epochs of the reference seed (as many as the whole search)
#   WINDOWS [0 = all]    test windows run on QEMU
#   SHUFFLE_SEED [0]     training shuffling seed (both the reference seed and the search)
#   DNNOPT_NUM_THREADS   training threads (default: all cores)
# Writes OUT_DIR/{seed,found}.onnx, the C folders {seed,found,found-int8}-c, the logs
# and results.md (the table printed at the end). Deterministic for a given machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DNNOPT="${DNNOPT:-$root/build/bin/dnnopt}"
PY=/usr/bin/python3
LAMBDA="${LAMBDA:-1e-3}"
EPOCHS="${EPOCHS:-10,30,20}"
SEED_EPOCHS="${SEED_EPOCHS:-60}"
WINDOWS="${WINDOWS:-0}"
SHUFFLE_SEED="${SHUFFLE_SEED:-0}"
out="${1:-$root/build/ppg-example}"

[ -x "$DNNOPT" ] || { echo "run.sh: $DNNOPT not found: run scripts/setup.sh first (or set DNNOPT)" >&2; exit 1; }
for tool in arm-none-eabi-gcc qemu-system-arm make; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found: run scripts/setup.sh first" >&2; exit 1; }
done
mkdir -p "$out"
log() { echo "== $*"; }
now() { date +%s; }

# 1. Data (deterministic; ~5 s).
if [ ! -f "$here/data/test.npz" ]; then
  log "data: examples/ppg-heart-rate/make_data.py"
  "$PY" "$here/make_data.py"
fi
"$PY" "$here/firmware/export_windows.py" "$here/data/test.npz" "$out/windows.bin" --count "$WINDOWS"

common=(--data "$here/data/train.npz" --val "$here/data/val.npz" --cost params --lr 1e-3 --arch-lr 1e-2
        --batch 32 --seed "$SHUFFLE_SEED" --loss mae)

# 2. The reference: the seed trained as long as the whole search (lambda 0, no search epochs).
log "seed: training for $SEED_EPOCHS epochs"
t0=$(now)
"$DNNOPT" search pit "$here/seed_tcn.onnx" "${common[@]}" --lambda 0 --epochs "$SEED_EPOCHS,0,0" \
  -o "$out/seed.onnx" | tee "$out/seed.log"
seed_s=$(( $(now) - t0 ))

# 3. The PIT search.
log "PIT search: lambda $LAMBDA, epochs $EPOCHS"
t0=$(now)
"$DNNOPT" search pit "$here/seed_tcn.onnx" "${common[@]}" --lambda "$LAMBDA" --epochs "$EPOCHS" \
  -o "$out/found.onnx" | tee "$out/search.log"
search_s=$(( $(now) - t0 ))

# 4. C for Cortex-M4, the heart-rate firmware, QEMU on the test windows.
deploy() { # name model [compile options...]
  local name=$1 model=$2; shift 2
  log "deploy $name"
  "$DNNOPT" compile "$model" -o "$out/$name-c" --name ppg --target cortex-m4 --with-example "$@" \
    > "$out/$name-compile.log"
  cp "$here/firmware/hr_main.c" "$out/$name-c/example/main.c"
  make -s -C "$out/$name-c/example" clean >/dev/null
  make -s -C "$out/$name-c/example" EXTRA_CFLAGS="-DHR_WINDOWS_FILE='\"$out/windows.bin\"'" >/dev/null
  (cd "$out/$name-c/example" && make -s run 2>&1) | tee "$out/$name-qemu.log"
  arm-none-eabi-size "$out/$name-c/example/ppg.elf" | tail -1 > "$out/$name-size.txt"
}
deploy seed "$out/seed.onnx"
deploy found "$out/found.onnx"
deploy found-int8 "$out/found.onnx" --quantize int8 --calibration "$here/data/train.npz" --calibration-samples 512

# 5. The table. Summary rows of `dnnopt search pit`: "params (deployed) SEED FOUND (r)",
# "MACs SEED FOUND (r)", "val MAE SEED FOUND" (seed column: after warm-up).
row() { # label search-log deploy-name
  local mae ins arena text data params macs
  params=$(grep -E '^params \(deployed\)' "$2" | awk '{print $4}')
  macs=$(grep -E '^MACs ' "$2" | awk '{print $3}')
  mae=$(sed -n 's/^hr: .* MAE \([0-9.]*\) BPM.*/\1/p' "$out/$3-qemu.log")
  ins=$(sed -n 's/^cost: \([0-9]*\) instructions.*/\1/p' "$out/$3-qemu.log")
  arena=$(sed -n 's/.*arena \([0-9]*\) bytes/\1/p' "$out/$3-qemu.log")
  read -r text data _ < "$out/$3-size.txt"
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$params" "$macs" "$((text + data))" "$arena" "$ins" "$mae"
}
val() { grep -E '^val MAE ' "$1" | awk '{print $4}'; }
n=$(sed -n 's/^hr: \([0-9]*\) windows.*/\1/p' "$out/found-qemu.log")
{
  echo "PPG heart rate on Cortex-M4 (QEMU mps2-an386, -icount shift=0): $n test windows"
  echo
  echo "| network | params | MACs | flash B | arena B | instructions / window | test MAE on device (BPM) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  row "seed, $SEED_EPOCHS epochs, float32" "$out/seed.log" seed
  row "PIT found (lambda $LAMBDA), float32" "$out/search.log" found
  row "PIT found, int8 (dnnopt PTQ)" "$out/search.log" found-int8
  echo
  echo "Validation MAE (float, dnnopt's engine): seed $(val "$out/seed.log"), found $(val "$out/search.log") BPM."
  echo "Wall time: seed training ${seed_s} s, PIT search ${search_s} s (epochs $EPOCHS)."
} | tee "$out/results.md"
