#!/usr/bin/env bash
# Idempotent setup for dnnopt on Debian 12: installs every apt package the project
# needs, then configures and builds the project (Ninja, ccache).
#   scripts/setup.sh            install + configure + build
#   scripts/setup.sh --deps     install packages only
#   scripts/setup.sh --bench    also python3-torch (bench/train: training speed vs PyTorch)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

PKGS=(
  # build
  cmake ninja-build ccache g++ make pkg-config
  # clang: its UndefinedBehaviorSanitizer checks the runtime kernels (runtime-kernels-clang-sanitizers)
  clang
  # MLIR / LLVM 22 (only 22: it conflicts with other versions)
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools
  # ONNX + protobuf
  libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
  # math and tests
  libeigen3-dev libgtest-dev libgmock-dev zlib1g-dev
  # python for example/model generation (Debian's python3 only)
  python3-numpy python3-onnx python3-scipy
  # cross toolchains and emulator
  gcc-arm-none-eabi picolibc-arm-none-eabi qemu-system-arm gcc-riscv64-unknown-elf
)
[ "${1:-}" = "--bench" ] && PKGS+=(python3-torch)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all packages present"
fi

[ "${1:-}" = "--deps" ] && exit 0

build="${DNNOPT_BUILD_DIR:-$here/build}"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$here" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir -DLLVM_DIR=/usr/lib/llvm-22/lib/cmake/llvm
fi
cmake --build "$build" -j "${DNNOPT_JOBS:-2}"
