#!/usr/bin/env bash
# End-to-end test of `dnnopt compile --with-example`:
#   1. compile MODEL for cortex-m4 with the example firmware, build it with its own
#      Makefile and run it on QEMU mps2-an386 (`make run`, under a timeout);
#   2. compile MODEL for host and build the same example/main.c against it with
#      -DDNN_EXAMPLE_HOST: it fills the inputs with the same deterministic pattern;
#   3. compare: identical text lines, every value within 1e-4 relative to the largest
#      magnitude of its output (compare_outputs.awk), and a positive `instructions:`;
#   4. the cortex-m7 example builds (`make run` only builds: QEMU has no Cortex-M7).
# Also: compiling again into a folder whose example was built replaces it.
# Usage: firmware_qemu.sh DNNOPT MODEL.onnx WORKDIR [COMPILE OPTION...]
#   COMPILE OPTIONs go to every `dnnopt compile` (e.g. --quantize int8 --calibration C.npz
#   --weight-bits 4: the Cortex-M4 assembly kernels against the portable C ones).
#   Environment: TOL (default 1e-4) for step 3, M7=0 skips step 4.
# Exit code: 0 pass, 1 fail, 77 skipped (qemu-system-arm, arm-none-eabi-gcc, make or cc missing).
set -euo pipefail
dnnopt=$1 model=$2 work=$3
shift 3
opts=("$@")
tol="${TOL:-1e-4}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for tool in qemu-system-arm arm-none-eabi-gcc make cc timeout awk; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not found"
    exit 77
  fi
done
fail() {
  echo "FAIL: $*"
  exit 1
}

rm -rf "$work"
mkdir -p "$work"
name=net

# 1. Firmware on QEMU. The semihosting output is on QEMU's stderr.
"$dnnopt" compile "$model" "${opts[@]}" -o "$work/m4" --name $name --target cortex-m4 --with-example
make -s -j2 -C "$work/m4/example"
make -s -C "$work/m4/example" size
if ! make -s -C "$work/m4/example" run QEMU="timeout -k 5 120 qemu-system-arm" >"$work/qemu.log" 2>&1; then
  cat "$work/qemu.log"
  fail "the firmware did not run to a zero exit code on QEMU"
fi
# Keep the program's output only (QEMU may print warnings first).
sed -n '/^dnnopt example:/,$p' "$work/qemu.log" >"$work/qemu.txt"

# dnnopt replaces a folder whose example was built (the build products are plain files).
"$dnnopt" compile "$model" "${opts[@]}" -o "$work/m4" --name $name --target cortex-m4 --with-example
test ! -e "$work/m4/example/$name.elf" || fail "recompiling did not replace the built example"

# 2. The same main.c on the host, against the model compiled for host. main.c must be
# clean under strict warnings; the model sources are built as a user would.
"$dnnopt" compile "$model" "${opts[@]}" -o "$work/host" --name $name --target host
cc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -DDNN_EXAMPLE_HOST -I"$work/host" \
  -c "$work/m4/example/main.c" -o "$work/host_main.o"
cc -std=c99 -O2 -I"$work/host" "$work/host_main.o" "$work/host"/*.c -lm -o "$work/host_example"
"$work/host_example" >"$work/host.txt" || fail "the host build exited with $?"

# 3. Compare.
echo "--- QEMU output (first lines) ---"
head -n 8 "$work/qemu.txt"
grep -E '^(ticks|instructions|arena):' "$work/qemu.txt"
grep -Eq '^ticks: [1-9][0-9]*$' "$work/qemu.txt" || fail "no positive 'ticks:' line"
grep -Eq '^instructions: [1-9][0-9]*$' "$work/qemu.txt" || fail "no positive 'instructions:' line"
grep -Eq '^arena: [0-9]+ bytes$' "$work/qemu.txt" || fail "no 'arena:' line"
awk -v tol="$tol" -f "$here/compare_outputs.awk" "$work/host.txt" "$work/qemu.txt" ||
  fail "QEMU and host outputs differ"

# 4. Cortex-M7: builds; `make run` explains that QEMU cannot run it.
if [ "${M7:-1}" = 0 ]; then echo "PASS"; exit 0; fi
"$dnnopt" compile "$model" "${opts[@]}" -o "$work/m7" --name $name --target cortex-m7 --with-example
make -s -j2 -C "$work/m7/example" run >"$work/m7.log" 2>&1 || { cat "$work/m7.log"; fail "cortex-m7 example build"; }
grep -q 'Cortex-M7' "$work/m7.log" || fail "cortex-m7 'make run' does not say why it does not run"
test -f "$work/m7/example/$name.elf" || fail "cortex-m7 example: no $name.elf"
echo "PASS"
