#!/usr/bin/env bash
# Runs every test: set up and build, then ctest (lit + FileCheck, GoogleTest unit
# tests, ONNX conformance import), then the importer fuzz test in an
# AddressSanitizer + UndefinedBehaviorSanitizer build.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh"
build="${DNNOPT_BUILD_DIR:-$here/build}"
ctest --test-dir "$build" --output-on-failure -j2

asan="${DNNOPT_ASAN_BUILD_DIR:-$here/build-asan}"
if [ ! -f "$asan/build.ninja" ]; then
  cmake -S "$here" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDNNOPT_SANITIZE=ON \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir >/dev/null
fi
cmake --build "$asan" -j "${DNNOPT_JOBS:-2}" --target dnnopt-fuzz-import
ctest --test-dir "$asan" --output-on-failure -L sanitizer
