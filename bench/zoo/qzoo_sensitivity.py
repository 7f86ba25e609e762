#!/usr/bin/python3
"""How much one integer of a quantized zoo network moves its output, under the ONNX QDQ semantics.

    /usr/bin/python3 bench/zoo/qzoo_sensitivity.py [--trials N] [--seed S] [NAME ...]

For each model (default: the five of bench/zoo/qmodels), N times (default 300, seeded): pick an
activation QuantizeLinear output and one of its elements at random, change that integer by +1 or
-1, run the rest of the graph with qdq_semantics.py, the numpy evaluator of the ONNX operator definitions
(the one that computed output_qdq_ref) and measure the largest output change in output
quantization steps. Prints the histogram. A compiler whose single ops are each within one step of
the ONNX semantics (a one-step difference at an exact or float-rounding tie) can be this far from
the reference at the output; see docs/quantization.md (Accuracy).
"""
import argparse
import copy
import os
import sys
import warnings

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import qdq_semantics as mq  # noqa: E402  (qdq_reference: the ONNX semantics in numpy)


def value_of(model, x, name):
    """Tensor `name` of the free-running evaluation (the graph with that tensor as its output)."""
    m = copy.deepcopy(model)
    del m.graph.output[:]
    m.graph.output.extend([onnx.helper.make_empty_tensor_value_info(name)])
    return mq.qdq_reference(m, x)


def sensitivity(path, npz, trials, seed):
    model = onnx.load(path)
    x = np.load(npz)["input"]
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    producer = {o: n for n in model.graph.node for o in n.output}
    out_scale = float(inits[producer[model.graph.output[0].name].input[1]])
    base = mq.qdq_reference(model, x).astype(np.float64)
    # qdq_reference(forced=[t]) replaces the first per-tensor QuantizeLinear output with t's
    # scale, zero point and size: perturb only tensors that are the first of their kind.
    cands, seen = [], set()
    for n in model.graph.node:
        if n.op_type != "QuantizeLinear" or n.input[0] in inits or n.output[0] == \
                producer[model.graph.output[0].name].input[0]:
            continue
        v = value_of(model, x, n.output[0])
        key = (float(inits[n.input[1]]), int(inits[n.input[2]]), v.size)
        if key not in seen:
            seen.add(key)
            cands.append((key, v))
    rng = np.random.default_rng(seed)
    hist = {}
    for _ in range(trials):
        (scale, zp, size), v = cands[rng.integers(len(cands))]
        t = v.copy()
        info = np.iinfo(t.dtype)
        k = int(rng.integers(size))
        t.flat[k] = np.clip(int(t.flat[k]) + int(rng.choice([-1, 1])), info.min, info.max)
        y, replaced, _ = mq.qdq_reference(model, x, forced=[(scale, zp, t)])
        if len(replaced) != 1:
            raise SystemExit(f"{path}: the changed tensor was not substituted")
        steps = int(np.rint(np.abs(y.astype(np.float64) - base).max() / out_scale))
        hist[steps] = hist.get(steps, 0) + 1
    return len(cands), hist


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("names", nargs="*", default=mq.qmodel_names(os.path.join(HERE, "qmodels")))
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    for name in args.names:
        base = os.path.join(HERE, "qmodels", name + "_qdq")
        n, hist = sensitivity(base + ".onnx", base + ".npz", args.trials, args.seed)
        share = sum(c for s, c in hist.items() if s > 1) / args.trials
        print(f"{name}: {args.trials} single +-1 changes (in {n} tensors); output moves by N steps: "
              + ", ".join(f"{c} x {s}" for s, c in sorted(hist.items()))
              + f"; > 1 step: {share:.0%}, max {max(hist)}")


if __name__ == "__main__":
    sys.exit(main())
