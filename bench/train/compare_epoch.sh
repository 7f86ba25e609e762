#!/bin/sh
# Training-epoch time of dnnopt vs PyTorch on the same model, data and threads.
#
#   bench/train/compare_epoch.sh [-n RUNS] [--threads T] [--epochs E] [--model M.onnx]
#                                [--data TRAIN.npz] [--bench PATH/dnnopt-search-bench]
#
# Runs bench/train/torch_epoch.py and dnnopt-search-bench back to back RUNS times
# (default 3; each run trains E epochs, default 2), takes the fastest epoch of
# each side over all runs, and prints
#   torch_best_epoch_seconds=...  dnnopt_best_epoch_seconds=...  ratio=dnnopt/torch
# Timing is only valid on a quiet machine (bench/train/README.md): the 1-minute
# load average is checked before every run and a warning is printed when it
# exceeds 0.5. Defaults: the PPG example's seed_tcn.onnx and train.npz, 2 threads,
# $DNNOPT_BUILD_DIR/bin/dnnopt-search-bench (DNNOPT_BUILD_DIR defaults to build).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=3
threads=2
epochs=2
model="$root/examples/ppg-heart-rate/seed_tcn.onnx"
data="$root/examples/ppg-heart-rate/data/train.npz"
bench="${DNNOPT_BUILD_DIR:-$root/build}/bin/dnnopt-search-bench"
python=/usr/bin/python3

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    -n|--runs) runs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --bench) bench=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "compare_epoch.sh: unknown argument '$1'" >&2; usage 1 >&2 ;;
  esac
done
for f in "$model" "$data" "$bench"; do
  [ -e "$f" ] || { echo "compare_epoch.sh: $f does not exist" >&2; exit 1; }
done

# Smallest "epoch N: SECONDS s" figure printed by a command (both tools print it).
best_epoch() { awk '/^epoch [0-9]+: [0-9.]+ s/ { s = $3 + 0; if (best == "" || s < best) best = s }
                    END { if (best == "") exit 1; print best }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
load1() { cut -d' ' -f1 /proc/loadavg; }

torch_best= dnnopt_best= max_load=0 log=$(mktemp)
trap 'rm -f "$log"' EXIT
i=1
while [ "$i" -le "$runs" ]; do
  l=$(load1)
  max_load=$(awk -v a="$max_load" -v b="$l" 'BEGIN { print (b + 0 > a + 0) ? b : a }')
  if awk -v l="$l" 'BEGIN { exit !(l > 0.5) }'; then
    echo "WARNING: load average $l > 0.5 before run $i: the machine is busy, timings are not valid" >&2
  fi
  "$python" "$here/torch_epoch.py" --model "$model" --data "$data" --val '' --epochs "$epochs" \
    --threads "$threads" > "$log" 2>&1 || { cat "$log" >&2; exit 1; }
  t=$(best_epoch < "$log") || { cat "$log" >&2; exit 1; }
  "$bench" "$model" --data "$data" --epochs "$epochs" --threads "$threads" > "$log" 2>&1 ||
    { cat "$log" >&2; exit 1; }
  d=$(best_epoch < "$log") || { cat "$log" >&2; exit 1; }
  echo "run $i: load $l  torch $t s  dnnopt $d s"
  torch_best=$(min "$torch_best" "$t")
  dnnopt_best=$(min "$dnnopt_best" "$d")
  i=$((i + 1))
done

echo "threads=$threads runs=$runs epochs_per_run=$epochs max_load_before_runs=$max_load"
echo "torch_best_epoch_seconds=$torch_best"
echo "dnnopt_best_epoch_seconds=$dnnopt_best"
awk -v d="$dnnopt_best" -v t="$torch_best" 'BEGIN { printf "ratio=%.3f\n", d / t }'
if awk -v l="$max_load" 'BEGIN { exit !(l > 0.5) }'; then
  echo "WARNING: the load average reached $max_load (> 0.5) during the comparison; measure again on a quiet machine" >&2
fi
