#!/usr/bin/python3
"""Writes the float64 evaluation of each quantized zoo model, a second reference for its outputs.

    /usr/bin/python3 bench/zoo/qdq_f64.py [--dir DIR] [NAME ...]

For each model NAME of DIR (default bench/zoo/qmodels), runs NAME_qdq.onnx on the input of
NAME_qdq.npz by the ONNX operator definitions with float64 tensors instead of float32
(qdq_semantics.py) and writes NAME_qdq_f64.npz: "output" (float32, the dequantized output).
Prints how far it is from the float32 evaluation (output_qdq_ref of NAME_qdq.npz), in output
quantization steps.

Why: a QDQ graph is DequantizeLinear -> float op -> QuantizeLinear. Integer kernels compute the
float op's sum exactly; ONNX with float32 tensors rounds the dequantized values and the sum to
24 bits, and a QuantizeLinear input a few 1e-7 steps above a rounding tie can land on the tie and
round to even, one step off. In a sensitive network that single step grows (MobileNetV1-0.25:
up to 41 output steps from one, qzoo_sensitivity.py). The float64 evaluation keeps such values on
their side of the tie; `dnnopt validate --expected NAME_qdq_f64.npz` compares with it
(test/e2e/CMakeLists.txt). Needs numpy and onnx only. Deterministic.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import qdq_semantics as qs  # noqa: E402


def output_scale(model):
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    (last,) = [n for n in model.graph.node if n.output[0] == model.graph.output[0].name]
    assert last.op_type == "DequantizeLinear"
    return float(inits[last.input[1]])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=os.path.join(HERE, "qmodels"), help="quantized zoo folder")
    ap.add_argument("names", nargs="*", help="models (default: all of DIR/manifest.tsv)")
    args = ap.parse_args()
    names = args.names or qs.qmodel_names(args.dir)
    print("| model | outputs | float64 vs float32 evaluation: max steps | elements differing |")
    print("|---|---:|---:|---:|")
    for name in names:
        base = os.path.join(args.dir, name + "_qdq")
        model = onnx.load(base + ".onnx")
        data = np.load(base + ".npz")
        y64 = qs.qdq_reference(model, data["input"], dtype=np.float64)
        y32 = data["output_qdq_ref"]
        if not np.array_equal(qs.qdq_reference(model, data["input"]), y32):
            raise SystemExit(f"{name}: the float32 evaluation no longer gives output_qdq_ref")
        steps = np.rint(np.abs(y64 - y32.astype(np.float64)) / output_scale(model))
        np.savez(base + "_f64.npz", output=y64.astype(np.float32))
        print(f"| {name} | {y64.size} | {int(steps.max())} | {int((steps > 0).sum())} |")


if __name__ == "__main__":
    sys.exit(main())
