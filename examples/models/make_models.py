#!/usr/bin/python3
"""Writes the small ONNX models bundled with dnnopt's examples and tests.

Deterministic (fixed seeds). Uses only Debian's python3-onnx and python3-numpy:
    /usr/bin/python3 examples/models/make_models.py
The graphs mimic what PyTorch's exporter emits (explicit Pad nodes, BatchNorm after
Conv, a Shape/Gather/Concat/Reshape flatten chain) so the cleanup passes have work.
"""
import os
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def tiny_cnn():
    """A keyword-spotting-like CNN on a 1x1x16x16 input, 10 classes."""
    rng = np.random.default_rng(7)
    f = np.float32
    inits = [
        const("c1.w", rng.normal(0, 0.3, (8, 1, 3, 3)).astype(f)),
        const("c1.b", rng.normal(0, 0.1, (8,)).astype(f)),
        const("bn1.g", rng.uniform(0.5, 1.5, (8,)).astype(f)),
        const("bn1.b", rng.normal(0, 0.1, (8,)).astype(f)),
        const("bn1.m", rng.normal(0, 0.1, (8,)).astype(f)),
        const("bn1.v", rng.uniform(0.5, 1.5, (8,)).astype(f)),
        const("dw.w", rng.normal(0, 0.3, (8, 1, 3, 3)).astype(f)),
        const("pw.w", rng.normal(0, 0.3, (16, 8, 1, 1)).astype(f)),
        const("pw.b", rng.normal(0, 0.1, (16,)).astype(f)),
        const("fc.w", rng.normal(0, 0.3, (10, 16)).astype(f)),
        const("fc.b", rng.normal(0, 0.1, (10,)).astype(f)),
        const("pads", np.array([0, 0, 1, 1, 0, 0, 1, 1], dtype=np.int64)),
        const("zero", np.array(0, dtype=np.int64)),
        const("minus1", np.array([-1], dtype=np.int64)),
        const("six", np.array(6.0, dtype=f)),
        const("zerof", np.array(0.0, dtype=f)),
    ]
    nodes = [
        helper.make_node("Pad", ["x", "pads"], ["p1"], name="/pad1/Pad", mode="constant"),
        helper.make_node("Conv", ["p1", "c1.w", "c1.b"], ["c1"], name="/conv1/Conv",
                         kernel_shape=[3, 3], strides=[2, 2]),
        helper.make_node("BatchNormalization", ["c1", "bn1.g", "bn1.b", "bn1.m", "bn1.v"], ["bn1"],
                         name="/bn1/BatchNormalization", epsilon=1e-5),
        helper.make_node("Relu", ["bn1"], ["r1"], name="/relu1/Relu"),
        helper.make_node("Conv", ["r1", "dw.w"], ["dw"], name="/dw/Conv", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], group=8),
        helper.make_node("Clip", ["dw", "zerof", "six"], ["r2"], name="/relu6/Clip"),
        helper.make_node("Conv", ["r2", "pw.w", "pw.b"], ["pw"], name="/pw/Conv", kernel_shape=[1, 1]),
        helper.make_node("Relu", ["pw"], ["r3"], name="/relu3/Relu"),
        helper.make_node("GlobalAveragePool", ["r3"], ["gap"], name="/pool/GlobalAveragePool"),
        helper.make_node("Shape", ["gap"], ["shape"], name="/flatten/Shape"),
        helper.make_node("Gather", ["shape", "zero"], ["batch"], name="/flatten/Gather", axis=0),
        helper.make_node("Unsqueeze", ["batch", "zero1d"], ["batch1"], name="/flatten/Unsqueeze"),
        helper.make_node("Concat", ["batch1", "minus1"], ["newshape"], name="/flatten/Concat", axis=0),
        helper.make_node("Reshape", ["gap", "newshape"], ["flat"], name="/flatten/Reshape"),
        helper.make_node("Dropout", ["flat"], ["drop"], name="/dropout/Dropout"),
        helper.make_node("Gemm", ["drop", "fc.w", "fc.b"], ["logits"], name="/fc/Gemm", transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], name="/softmax/Softmax", axis=1),
    ]
    inits.append(const("zero1d", np.array([0], dtype=np.int64)))
    graph = helper.make_graph(
        nodes, "tiny_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 16, 16])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", 10])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="dnnopt-examples")
    onnx.checker.check_model(model)
    return model


def tcn():
    """A small dilated causal TCN (TEMPONet-like) on 1x4x64, one regression output."""
    rng = np.random.default_rng(11)
    f = np.float32
    inits, nodes = [], []
    x, cin = "x", 4
    for i, (cout, k, d) in enumerate([(16, 5, 1), (16, 5, 2), (32, 5, 4)]):
        w, b = f"t{i}.w", f"t{i}.b"
        inits += [const(w, rng.normal(0, 0.2, (cout, cin, k)).astype(f)),
                  const(b, rng.normal(0, 0.05, (cout,)).astype(f))]
        nodes += [
            helper.make_node("Conv", [x, w, b], [f"c{i}"], name=f"/tcn{i}/Conv",
                             kernel_shape=[k], dilations=[d], pads=[(k - 1) * d, 0]),
            helper.make_node("Relu", [f"c{i}"], [f"r{i}"], name=f"/tcn{i}/Relu"),
        ]
        x, cin = f"r{i}", cout
    inits += [const("fc.w", rng.normal(0, 0.2, (1, cin)).astype(f)),
              const("fc.b", np.zeros((1,), dtype=f))]
    nodes += [
        helper.make_node("GlobalAveragePool", [x], ["gap"], name="/gap/GlobalAveragePool"),
        helper.make_node("Flatten", ["gap"], ["flat"], name="/flatten/Flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc.w", "fc.b"], ["hr"], name="/fc/Gemm", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "tcn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 64])],
        [helper.make_tensor_value_info("hr", TensorProto.FLOAT, [1, 1])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="dnnopt-examples")
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    for name, build in [("tiny_cnn", tiny_cnn), ("tcn", tcn)]:
        path = os.path.join(HERE, name + ".onnx")
        onnx.save(build(), path)
        print("wrote", path)
