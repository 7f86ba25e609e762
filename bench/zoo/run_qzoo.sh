#!/usr/bin/env bash
# Benchmark of the int8 model zoo on Cortex-M4 (QEMU mps2-an386, -icount shift=0): the QDQ
# models PyTorch's post-training quantization exported (bench/zoo/make_qzoo.py, committed in
# bench/zoo/qmodels), compiled by dnnopt to the int8 kernels. Same table as run_zoo.sh; the
# error columns compare with the ONNX QDQ semantics of the model evaluated in float64
# (NAME_qdq_f64.npz, written by bench/zoo/qdq_f64.py), which dnnopt's integer kernels compute
# exactly: a row passes only if every output equals it up to the firmware's printing (RTOL 1e-6,
# far below one quantization step). docs/quantization.md (Accuracy) explains why float64.
#
#   bench/zoo/run_qzoo.sh [RESULTS.md]      (environment as for run_zoo.sh)
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export MODELS_DIR="$HERE/qmodels" SUFFIX=_qdq REF_SUFFIX=_qdq_f64 REF_KEY=output
export OUT="${OUT:-$HERE/build-q}" RTOL="${RTOL:-1e-6}"
export REF_NOTE='max abs / rel err: vs the ONNX QDQ semantics of the model evaluated in float64 (`NAME_qdq_f64.npz`, `bench/zoo/qdq_f64.py`); the check requires max rel err <= 1e-6, i.e. the same integers (the firmware prints 9 significant digits).' 
export TITLE="dnnopt int8 model zoo on Cortex-M4 (QEMU mps2-an386)"
export MODELS_NOTE='Models: `bench/zoo/make_qzoo.py` (PyTorch FX post-training static quantization: uint8 per-tensor activations, int8 per-channel symmetric weights, exported as QDQ ONNX). MACs from the float models.'
exec bash "$HERE/run_zoo.sh" "$@"
