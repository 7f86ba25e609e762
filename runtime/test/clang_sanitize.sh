#!/usr/bin/env bash
# The runtime's kernel tests built with clang -fsanitize=address,undefined (the CMake
# *-asan tests use the C compiler CMake found, gcc: clang's UndefinedBehaviorSanitizer
# also reports pointer arithmetic that leaves an object, e.g. the address of a padded
# window's first element computed before the bounds check). Float kernels, int8 (s8),
# sub-byte weights (s4) and packed activations (pk), portable C paths, default seeds.
#   runtime/test/clang_sanitize.sh [WORKDIR]     exit 0 pass, 1 fail, 77 no clang
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rt="$here/.."
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
command -v clang >/dev/null || { echo "SKIP: clang not found"; exit 77; }
flags=(-std=c99 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
       -I"$rt")
float=("$rt"/dnn_conv.c "$rt"/dnn_eltwise.c "$rt"/dnn_layout.c "$rt"/dnn_linear.c "$rt"/dnn_pack.c
       "$rt"/dnn_pool.c "$rt"/dnn_reduce.c "$rt"/dnn_softmax.c)
s8=("$rt"/dnn_s8*.c)
sub=("$rt"/dnn_sub*.c)
rc=0
run() {  # NAME SOURCES...
  local name=$1; shift
  if ! clang "${flags[@]}" "$@" -lm -o "$work/$name" 2> "$work/$name.build.log"; then
    cat "$work/$name.build.log"; echo "FAIL: $name does not build"; rc=1; return
  fi
  if "$work/$name" > "$work/$name.log" 2>&1; then
    echo "$name: $(tail -n 1 "$work/$name.log")"
  else
    grep -m 5 'runtime error\|ERROR\|FAIL' "$work/$name.log"; echo "FAIL: $name"; rc=1
  fi
}
run float "$here"/test_*.c "${float[@]}"
run s8 "$here"/s8/*.c "${s8[@]}"
run s4 "$here"/s4/*.c "${s8[@]}" "${sub[@]}"
run pk "$here"/pk/*.c "${s8[@]}" "${sub[@]}" "$rt"/dnn_pk.c
exit $rc
