# results_common.sh - sourced by make_results_s8.sh and make_results_s4.sh (which keep their
# own RESULTS text): builds and runs a kernel benchmark under QEMU in its three variants
# and extracts what the RESULTS files quote.
QEMU="qemu-system-arm -M mps2-an386 -nographic -semihosting-config enable=on,target=native -icount shift=0,align=off,sleep=off -kernel"

# bench_variants B: builds bench_B.c (B = s8 | s4) as the DSP build (build/B), the portable C
# build (build/B-nodsp, NODSP=1) and the DSP intrinsics build without the inline assembly
# (build-noasm/B, -DDNN_S8_NO_ASM), runs them and sets OUT, RC and DETAIL (the DSP build, and
# its `-append -1` run), OUT_I, RC_I (intrinsics), OUT_C, RC_C (portable C).
bench_variants() {
  local b=$1
  make -s "build/$b/bench_$b.elf" >/dev/null
  make -s "build/$b-nodsp/bench_$b.elf" NODSP=1 >/dev/null
  make -s "build-noasm/$b/bench_$b.elf" BUILD=build-noasm EXTRA_CFLAGS=-DDNN_S8_NO_ASM >/dev/null
  set +e
  OUT="$($QEMU "build/$b/bench_$b.elf" 2>&1)"
  RC=$?
  DETAIL="$($QEMU "build/$b/bench_$b.elf" -append -1 2>&1)"
  OUT_I="$($QEMU "build-noasm/$b/bench_$b.elf" 2>&1)"
  RC_I=$?
  OUT_C="$($QEMU "build/$b-nodsp/bench_$b.elf" 2>&1)"
  RC_C=$?
  set -e
  GCC_VER="$(arm-none-eabi-gcc --version | head -1)"
  QEMU_VER="$(qemu-system-arm --version | head -1)"
  PICO_VER="$(dpkg-query -W -f='${Version}' picolibc-arm-none-eabi 2>/dev/null || echo unknown)"
  CALIB="$(printf '%s\n' "$OUT" | grep '^calibration' || true)"
}

# the markdown tables of a run, a blank line before each new one
tables() { printf '%s\n' "$1" | grep -E '^\|' | awk 'NR > 1 && /^\|  # |^\| network/{print ""} {print}' || true; }
# the PASSED / FAILED line of a run
verdict() { printf '%s\n' "$1" | grep -E '^(PASSED|FAILED)' || true; }
# "name bytes, ... total N bytes": .text of the given objects
text_sizes() { arm-none-eabi-size "$@" | awk 'NR>1 {n=$6; sub(/.*\//, "", n); printf "%s %s, ", n, $1; t += $1} END {printf "total %d bytes", t}'; }

# ---- text both RESULTS files share ----
# the compile command of the benchmark builds
gcc_command() {
  cat <<TXT
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2 -std=c99 \\
        --specs=picolibc.specs --oslib=semihost --crt0=semihost -T runtime/ports/cortex-m/mps2_an386.ld
TXT
}
# run_command B: the exact QEMU command of the DSP build, its exit code and the toolchain
run_command() {
  cat <<TXT
    cd bench/qemu && $QEMU build/$1/bench_$1.elf

(exit code $RC: 0 when the counter calibration and every result check pass; \`-append N\` runs
layer N only, \`-append -1\` the networks with per-layer figures).
Toolchain: $GCC_VER, picolibc $PICO_VER, $QEMU_VER.
TXT
}
# dsp_results PACK_OBJECT: the DSP build's section (its tables, verdict, per-layer network
# figures NETS and kernel code size SIZE; PACK_OBJECT is the compile-time packing code)
dsp_results() {
  cat <<TXT
## Results: DSP build (SMLAD, SXTB16, SMMLA, SSAT; inline assembly inner loops)

$(tables "$OUT")

$VERDICT

Per layer of the networks (\`-append -1\`):

\`\`\`
$NETS
\`\`\`

Kernel code size (arm-none-eabi, -O2, .text of each object; \`$1\` is compile-time
code the firmware does not link): $SIZE.
TXT
}
