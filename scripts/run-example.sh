#!/usr/bin/env bash
# The main job: set everything up, then import the bundled example model, clean it up
# and print its dnn IR with a one-line summary.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh"
build="${DNNOPT_BUILD_DIR:-$here/build}"
echo "== dnnopt import examples/models/tiny_cnn.onnx"
"$build/bin/dnnopt" import "$here/examples/models/tiny_cnn.onnx"
