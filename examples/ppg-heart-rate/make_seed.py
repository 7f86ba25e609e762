#!/usr/bin/python3
"""Writes seed_tcn.onnx, the untrained TEMPONet-like dilated TCN of the ppg-heart-rate example.

    /usr/bin/python3 examples/ppg-heart-rate/make_seed.py [-o seed_tcn.onnx] [--seed 0]

Needs only Debian's python3-onnx and python3-numpy. Input x [1,4,256] (PPG + 3-axis
accelerometer, 8 s at 32 Hz), output hr [1,1] in BPM. The batch dimension is 1 as the example
deploys it; Flatten (axis 1) keeps the graph valid for any batch size, so trainers may re-batch.

Layers (all Conv are 1-D, no bias, causal: pads = [(k-1)*d, 0]; each followed by
BatchNormalization (training-ready: gamma 1, beta 0, mean 0, var 1, eps 1e-5, momentum 0.9)
and Relu):

  block1 @256: conv 4->32 k5 d1, conv 32->32 k5 d2, AveragePool 2      -> 32x128
  block2 @128: conv 32->32 k5 d2, conv 32->32 k5 d4, AveragePool 2     -> 32x64
  block3 @64:  conv 32->64 k5 d4, conv 64->64 k5 d8, AveragePool 16    -> 64x4
  head:        Flatten 256 -> Gemm 256->32 + BatchNormalization + Relu -> Gemm 32->1

Receptive field of the last conv: 256 input samples (the whole window).
Weights: He-normal (std sqrt(2/fan_in)) from --seed. Output scale: the last Gemm is
initialized with bias 110 BPM and weights N(0, 1/32) * 30 BPM, i.e. it already maps unit-size
features to heart rates around 110 +- 30 BPM, so the labels stay in BPM (no label
normalization) and Adam's fixed step size suits every layer. It is an ordinary trainable Gemm.
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
IN_CH, IN_LEN = 4, 256
K = 5
# (block, [(cout, kernel, dilation), ...], avg-pool after the block)
BLOCKS = [
    ("block1", [(32, K, 1), (32, K, 2)], 2),
    ("block2", [(32, K, 2), (32, K, 4)], 2),
    ("block3", [(64, K, 4), (64, K, 8)], 16),
]
HIDDEN = 32
HR_OFFSET, HR_SCALE = 110.0, 30.0


def build(seed):
    rng = np.random.default_rng(seed)
    f = np.float32
    inits, nodes, table = [], [], []

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr, dtype=f), name))
        return name

    def bn(prefix, x, c):
        out = f"{prefix}/bn"
        q = prefix.replace("/", ".")
        nodes.append(helper.make_node(
            "BatchNormalization",
            [x, init(f"{q}.bn.weight", np.ones(c)), init(f"{q}.bn.bias", np.zeros(c)),
             init(f"{q}.bn.running_mean", np.zeros(c)),
             init(f"{q}.bn.running_var", np.ones(c))],
            [out], name=f"/{prefix}/bn/BatchNormalization", epsilon=1e-5, momentum=0.9))
        relu = f"{prefix}/relu"
        nodes.append(helper.make_node("Relu", [out], [relu], name=f"/{prefix}/relu/Relu"))
        return relu

    x, c, t = "x", IN_CH, IN_LEN
    for block, convs, pool in BLOCKS:
        for i, (cout, k, d) in enumerate(convs):
            p = f"{block}.conv{i + 1}".replace(".", "/")
            w = init(f"{block}.conv{i + 1}.weight",
                     rng.normal(0.0, np.sqrt(2.0 / (c * k)), (cout, c, k)))
            nodes.append(helper.make_node("Conv", [x, w], [f"{p}/conv"], name=f"/{p}/Conv",
                                          kernel_shape=[k], dilations=[d], strides=[1],
                                          pads=[(k - 1) * d, 0], group=1))
            x = bn(p, f"{p}/conv", cout)
            table.append((f"{block}.conv{i + 1}", f"Conv1d {c}->{cout} k{k} d{d} causal + BN + ReLU",
                          f"{cout}x{t}", cout * c * k, 2 * cout, cout * c * k * t))
            c = cout
        nodes.append(helper.make_node("AveragePool", [x], [f"{block}/pool"],
                                      name=f"/{block}/pool/AveragePool",
                                      kernel_shape=[pool], strides=[pool], pads=[0, 0]))
        x, t = f"{block}/pool", t // pool
        table.append((f"{block}.pool", f"AveragePool {pool}", f"{c}x{t}", 0, 0, 0))
    nodes.append(helper.make_node("Flatten", [x], ["flat"], name="/flatten/Flatten", axis=1))
    flat = c * t
    w = init("fc1.weight", rng.normal(0.0, np.sqrt(2.0 / flat), (HIDDEN, flat)))
    b = init("fc1.bias", np.zeros(HIDDEN))
    nodes.append(helper.make_node("Gemm", ["flat", w, b], ["fc1/gemm"], name="/fc1/Gemm", transB=1))
    x = bn("fc1", "fc1/gemm", HIDDEN)
    table.append(("fc1", f"Flatten + Gemm {flat}->{HIDDEN} + BN + ReLU", f"{HIDDEN}",
                  flat * HIDDEN + HIDDEN, 2 * HIDDEN, flat * HIDDEN))
    w = init("fc2.weight", HR_SCALE * rng.normal(0.0, np.sqrt(1.0 / HIDDEN), (1, HIDDEN)))
    b = init("fc2.bias", [HR_OFFSET])
    nodes.append(helper.make_node("Gemm", [x, w, b], ["hr"], name="/fc2/Gemm", transB=1))
    table.append(("fc2", f"Gemm {HIDDEN}->1 (HR, BPM)", "1", HIDDEN + 1, 0, HIDDEN))

    graph = helper.make_graph(
        nodes, "ppg_seed_tcn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, IN_CH, IN_LEN])],
        [helper.make_tensor_value_info("hr", TensorProto.FLOAT, [1, 1])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="dnnopt-examples")
    model.doc_string = (f"TEMPONet-like causal dilated TCN seed for PPG heart rate, "
                        f"random He init (seed {seed}); output in BPM")
    onnx.checker.check_model(model, full_check=True)
    return model, table


# ------------------------------------------------------------------------------------------
# A tiny numpy reference for the ops above (python3-onnx 1.12 has no onnx.reference)
# ------------------------------------------------------------------------------------------

def numpy_forward(model, x):
    env = {i.name: numpy_helper.to_array(i).astype(np.float64) for i in model.graph.initializer}
    env["x"] = x.astype(np.float64)
    for n in model.graph.node:
        a = {at.name: helper.get_attribute_value(at) for at in n.attribute}
        ins = [env[i] for i in n.input]
        if n.op_type == "Conv":
            xi, w = ins[0], ins[1]
            (k,), (d,), (s,), (pl, pr) = a["kernel_shape"], a["dilations"], a["strides"], a["pads"]
            xp = np.pad(xi, ((0, 0), (0, 0), (pl, pr)))
            tout = (xp.shape[2] - d * (k - 1) - 1) // s + 1
            y = sum(np.einsum("oc,nct->not", w[:, :, j], xp[:, :, j * d:j * d + s * (tout - 1) + 1:s])
                    for j in range(k))
            if len(ins) > 2:
                y = y + ins[2][None, :, None]
        elif n.op_type == "BatchNormalization":
            xi, g, b, m, v = ins
            sh = (1, -1) + (1,) * (xi.ndim - 2)
            y = (xi - m.reshape(sh)) / np.sqrt(v.reshape(sh) + a.get("epsilon", 1e-5)) * g.reshape(sh) \
                + b.reshape(sh)
        elif n.op_type == "Relu":
            y = np.maximum(ins[0], 0.0)
        elif n.op_type == "AveragePool":
            (k,), (s,) = a["kernel_shape"], a["strides"]
            xi = ins[0]
            tout = (xi.shape[2] - k) // s + 1
            y = np.stack([xi[:, :, i * s:i * s + k].mean(axis=2) for i in range(tout)], axis=2)
        elif n.op_type == "Flatten":
            y = ins[0].reshape(ins[0].shape[0], -1)
        elif n.op_type == "Gemm":
            y = ins[0] @ (ins[1].T if a.get("transB", 0) else ins[1]) + ins[2]
        else:
            raise ValueError(f"numpy_forward: unsupported op {n.op_type}")
        env[n.output[0]] = y
    return env[model.graph.output[0].name]


def main():
    ap = argparse.ArgumentParser(description="write the PPG example's seed TCN")
    ap.add_argument("-o", "--output", default=os.path.join(HERE, "seed_tcn.onnx"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    model, table = build(args.seed)
    onnx.save(model, args.output)

    print(f"{'layer':14} {'op':42} {'out':>7} {'weights':>8} {'bn':>4} {'MACs':>10}")
    for row in table:
        print(f"{row[0]:14} {row[1]:42} {row[2]:>7} {row[3]:8d} {row[4]:4d} {row[5]:10d}")
    w = sum(r[3] for r in table)
    bnp = sum(r[4] for r in table)
    macs = sum(r[5] for r in table)
    n_init = sum(int(np.prod(i.dims)) for i in model.graph.initializer)
    print(f"trainable parameters: {w + bnp} ({w} conv/gemm weights+biases, {bnp} BN gamma/beta; "
          f"{n_init - w - bnp} BN running statistics); MACs per sample: {macs} ({macs / 1e6:.2f} M)")

    rng = np.random.default_rng(1)
    x = rng.standard_normal((8, IN_CH, IN_LEN))
    y = numpy_forward(model, x)
    assert y.shape == (8, 1) and np.all(np.isfinite(y)), y.shape
    try:
        from onnx.reference import ReferenceEvaluator        # onnx >= 1.13
        ref = np.concatenate([ReferenceEvaluator(model).run(None, {"x": x[i:i + 1].astype(np.float32)})[0]
                              for i in range(len(x))])
        print(f"onnx.reference vs numpy: max abs diff {np.abs(ref - y).max():.2e}")
    except ImportError:
        print("onnx.reference not available (python3-onnx < 1.13): numpy forward only")
    print("onnx.checker: ok; forward on 8 random windows: hr = "
          + " ".join(f"{v:.1f}" for v in y[:, 0]))
    print("wrote", args.output)


if __name__ == "__main__":
    main()
