#!/usr/bin/env bash
# Benchmark of the int8 model zoo on Cortex-M4 (QEMU mps2-an386, -icount shift=0): the QDQ
# models PyTorch's post-training quantization exported (bench/zoo/make_qzoo.py, committed in
# bench/zoo/qmodels), compiled by dnnopt to the int8 kernels. Same table as run_zoo.sh; the
# error columns compare with the ONNX QDQ semantics of the model ("output_qdq_ref"), which
# dnnopt follows (docs/quantization.md).
#
#   bench/zoo/run_qzoo.sh [RESULTS.md]      (environment as for run_zoo.sh)
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export MODELS_DIR="$HERE/qmodels" SUFFIX=_qdq REF_KEY=output_qdq_ref
export OUT="${OUT:-$HERE/build-q}" RTOL="${RTOL:-0.05}"
export TITLE="dnnopt int8 model zoo on Cortex-M4 (QEMU mps2-an386)"
export MODELS_NOTE='Models: `bench/zoo/make_qzoo.py` (PyTorch FX post-training static quantization: uint8 per-tensor activations, int8 per-channel symmetric weights, exported as QDQ ONNX). MACs from the float models.'
exec bash "$HERE/run_zoo.sh" "$@"
