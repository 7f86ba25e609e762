#!/usr/bin/python3
"""Writes the quantized (int8, QDQ) model zoo: PyTorch post-training static quantization of the zoo.

    /usr/bin/python3 bench/zoo/make_qzoo.py [--out DIR] [--only NAME,...]

Needs Debian's python3-torch (1.13), python3-onnx and python3-numpy, like make_zoo.py, whose
models it quantizes: each float model is built exactly as make_zoo.py builds it (same seeds, same
"trained-looking" weights and BatchNorm statistics, same seeded input). For each model NAME it
writes, into DIR (default bench/zoo/qmodels/):

    NAME_qdq.onnx  opset 13, default domain only, batch 1, graph input "input" (float32), output
                   "output" (float32): QuantizeLinear / DequantizeLinear around float Conv, Gemm,
                   Add, AveragePool, Clip, ...; weights int8 per output channel (DequantizeLinear
                   axis 0, zero point 0), biases int32 (scale = input scale x weight scale)
    NAME_qdq.npz   "input": the seeded input of bench/zoo/models/NAME.npz,
                   "output": torch's quantized model on it (dequantized, float32),
                   "output_float": the float model on it (= models/NAME.npz "output"),
                   "output_qdq_ref": this script's numpy evaluation of NAME_qdq.onnx by the ONNX
                   operator definitions (qdq_semantics.py), float32

plus DIR/manifest.tsv, and prints a summary table. Deterministic: same torch, same CPU -> same
bytes (about 10 s for all five, one thread).

How (see qmodels/README.md for the semantics):
1. FX graph mode PTQ: prepare_fx with get_default_qconfig_mapping("onednn") (the quantized engine
   Debian's torch has: it is built without fbgemm) fuses Conv+BN(+ReLU) and Linear+BN(+ReLU) and
   inserts observers: HistogramObserver (per tensor, quint8 asymmetric, full 0..255 range) for
   activations, PerChannelMinMaxObserver (qint8, per_channel_symmetric, axis 0) for weights;
   calibrated on CALIBRATION_N seeded realistic inputs (make_zoo's generators, own seed); then
   convert_fx gives torch's int8 model (quantized::conv2d_relu, quantized::add_relu, ...).
2. torch.onnx.export (opset 13) of the converted model: each quantized op becomes
   DequantizeLinear -> float op -> QuantizeLinear. torch 1.13 cannot export quantized::conv1d
   (its weight-unpacking pass knows only conv2d/linear), so the TCN's Conv1d modules are swapped,
   for the export only, for bit-identical unsqueeze -> quantized Conv2d (1 x k) -> squeeze
   wrappers, and the cleanup below turns them back into 1-D Conv nodes.
3. Cleanup of torch's raw export (all exact rewrites): Constant nodes -> initializers; constant
   subgraphs (the ConstantOfShape/Cast bias zero points, DS-CNN's pads computation) folded; the
   no-op Cast(uint8 -> uint8) torch puts between every QuantizeLinear and DequantizeLinear and
   Identity nodes removed; zero Pad before AveragePool removed; identical initializers shared;
   initializers renamed after their first consumer. onnx.checker (full_check) must pass.
4. Checks: the QDQ graph is run by qdq_reference() (numpy, ONNX operator semantics), free-running
   (-> "output_qdq_ref") and teacher-forced with torch's own integer intermediates, which compares
   every QuantizeLinear output with the matching torch tensor op by op.

manifest.tsv columns: params (weights + biases), int8_weight_bytes, int32_bias_bytes, onnx_bytes,
rel_err = max |output - output_float| / max |output_float|, rms_err = rms(output - output_float) /
rms(output_float), op_steps / op_share = largest difference (in quantization steps) and share of
differing elements between torch and the ONNX semantics per op (teacher-forced), torch_vs_ref_steps
= max |output - output_qdq_ref| in steps of the output scale.
"""
import argparse
import collections
import copy
import hashlib
import io
import os
import sys
import time
import warnings

import numpy as np
import onnx
from onnx import helper, numpy_helper
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_zoo as mz  # noqa: E402  (the float zoo: models, seeds, input generators)
from qdq_semantics import attrs as _attrs, qdq_reference  # noqa: E402  (ONNX semantics in numpy)

OPSET = 13
ENGINE = "onednn"            # torch.backends.quantized.supported_engines: qnnpack, onednn
CALIBRATION_N = 32
CALIBRATION_SAVED = {"resnet8": 8, "dscnn": 16, "autoencoder": 16, "tcn": 16}  # NAME_calib.npz
CALIBRATION_SEED = 1000      # calibration inputs use torch.Generator(CALIBRATION_SEED + model seed)
QMODELS = ["resnet8", "dscnn", "mobilenetv1_025", "autoencoder", "tcn"]


# ----------------------------------------------------------------------------------------------
# Float model (exactly as make_zoo.build) and torch PTQ
# ----------------------------------------------------------------------------------------------

def build_float(name):
    """The float model and its seeded input, built with make_zoo.build's exact sequence of
    random draws (so weights and input are those of bench/zoo/models/NAME.onnx / .npz)."""
    ctor, shape, make_input, seed = mz.MODELS[name]
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    model = ctor()
    calibration = make_input(g, mz.CALIBRATION_BATCH)
    mz.make_trained_looking(model, calibration, g)
    x = make_input(g, 1).reshape(shape).contiguous()
    return model.eval(), x


def quantize(name, model, x):
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    _, shape, make_input, seed = mz.MODELS[name]
    g = torch.Generator().manual_seed(CALIBRATION_SEED + seed)
    calibration = make_input(g, CALIBRATION_N).reshape((CALIBRATION_N,) + shape[1:]).contiguous()
    qconfig_mapping = get_default_qconfig_mapping(ENGINE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prepared = prepare_fx(copy.deepcopy(model), qconfig_mapping, example_inputs=(x,))
        with torch.no_grad():
            prepared(calibration)
        return convert_fx(prepared), qconfig_mapping.global_qconfig, calibration


class Conv1dAs2d(nn.Module):
    """A quantized Conv1d (or ConvReLU1d) as unsqueeze -> quantized Conv2d with a 1 x k kernel ->
    squeeze: the same integer computation (torch runs quantized conv1d as conv2d), but exportable
    by torch 1.13."""

    def __init__(self, m):
        super().__init__()
        import torch.nn.intrinsic.quantized as nniq
        import torch.nn.quantized as nnq
        cls = nniq.ConvReLU2d if isinstance(m, nniq.ConvReLU1d) else nnq.Conv2d
        conv = cls(m.in_channels, m.out_channels, (1, m.kernel_size[0]), stride=(1, m.stride[0]),
                   padding=(0, m.padding[0]), dilation=(1, m.dilation[0]), groups=m.groups,
                   bias=m.bias() is not None)
        w = m.weight()
        assert w.q_per_channel_axis() == 0 and not w.q_per_channel_zero_points().any()
        w2 = torch._make_per_channel_quantized_tensor(w.int_repr().unsqueeze(2),
                                                      w.q_per_channel_scales(),
                                                      w.q_per_channel_zero_points(), 0)
        conv.set_weight_bias(w2, m.bias())
        conv.scale, conv.zero_point = m.scale, m.zero_point
        self.conv = conv

    def forward(self, x):
        return self.conv(x.unsqueeze(2)).squeeze(2)


def conv1d_as_conv2d(qmodel):
    import torch.nn.quantized as nnq
    n = 0
    for name, m in list(qmodel.named_modules()):
        if isinstance(m, nnq.Conv1d):
            parent, _, leaf = name.rpartition(".")
            setattr(qmodel.get_submodule(parent) if parent else qmodel, leaf, Conv1dAs2d(m))
            n += 1
    return n


_SYMBOLICS_REGISTERED = False


def register_quantized_squeeze():
    """aten::unsqueeze / squeeze on quantized tensors (opset 13): DequantizeLinear -> op ->
    QuantizeLinear with the input's scale and zero point (torch 1.13 has no quantized form)."""
    global _SYMBOLICS_REGISTERED
    if _SYMBOLICS_REGISTERED:
        return
    from torch.onnx import symbolic_helper as sh
    from torch.onnx import symbolic_opset11 as opset11

    @sh.quantized_args(True, False)
    def unsqueeze(g, x, dim):
        return opset11.unsqueeze(g, x, dim)

    @sh.quantized_args(True, False)
    def squeeze(g, x, dim=None):
        return opset11.squeeze(g, x, dim)

    torch.onnx.register_custom_op_symbolic("aten::unsqueeze", unsqueeze, OPSET)
    torch.onnx.register_custom_op_symbolic("aten::squeeze", squeeze, OPSET)
    _SYMBOLICS_REGISTERED = True


def export_raw(qmodel, x):
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "shape inference of prim::TupleConstruct is missing"
        torch.onnx.export(qmodel, x, f, opset_version=OPSET, do_constant_folding=True,
                          input_names=["input"], output_names=["output"])
    return onnx.load_from_string(f.getvalue())


# ----------------------------------------------------------------------------------------------
# Cleanup of torch's QDQ export (exact rewrites only)
# ----------------------------------------------------------------------------------------------

def _fold(node, vals):
    """numpy value of a constant-input node of a foldable type, else None."""
    op, a = node.op_type, _attrs(node)
    if op == "Identity":
        return vals[0]
    if op == "Cast":
        return vals[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]])
    if op == "ConstantOfShape":
        v = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
        return np.full(tuple(vals[0].astype(np.int64)), v.reshape(-1)[0], dtype=v.dtype)
    if op == "Reshape":
        shape = [d if d != 0 else vals[0].shape[i] for i, d in enumerate(vals[1])]
        return vals[0].reshape(shape)
    if op == "Transpose":
        return np.transpose(vals[0], a.get("perm"))
    if op == "Concat":
        return np.concatenate(vals, axis=a["axis"])
    if op == "Slice":
        data, starts, ends = vals[:3]
        axes = vals[3] if len(vals) > 3 else np.arange(len(starts))
        steps = vals[4] if len(vals) > 4 else np.ones(len(starts), np.int64)
        index = [slice(None)] * data.ndim
        for s, e, ax, st in zip(starts, ends, axes, steps):
            n = data.shape[ax]
            s, e = int(s), int(e)
            if st < 0:  # ONNX clamps to [-1, n-1]; python slices need None for "before 0"
                s = min(s + n if s < 0 else s, n - 1)
                e = e + n if e < 0 else e
                index[ax] = slice(s, None if e < 0 else e, int(st))
            else:
                index[ax] = slice(max(min(s, n), -n), max(min(e, n), -n), int(st))
        return data[tuple(index)]
    if op in ("Mul", "Div", "Add", "Sub"):
        f = {"Mul": np.multiply, "Div": np.divide, "Add": np.add, "Sub": np.subtract}[op]
        return f(vals[0], vals[1]).astype(vals[0].dtype)
    if op == "Shape":
        return np.array(vals[0].shape, np.int64)
    if op == "Unsqueeze":
        return np.expand_dims(vals[0], tuple(int(i) for i in vals[1]))
    if op == "Squeeze":
        return np.squeeze(vals[0], tuple(int(i) for i in vals[1]))
    return None


def clean_qdq(proto):
    """Exact cleanup of torch's raw quantized export; returns a new ModelProto."""
    graph = proto.graph
    consts = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    alias = {}
    nodes = []

    def res(name):
        while name in alias:
            name = alias[name]
        return name

    producer = {}
    for node in graph.node:
        ins = [res(i) for i in node.input]
        del node.input[:]
        node.input.extend(ins)
        if node.op_type == "Constant":
            consts[node.output[0]] = numpy_helper.to_array(_attrs(node)["value"])
            continue
        if node.op_type == "Identity":
            alias[node.output[0]] = ins[0]
            continue
        if ins and all(i in consts for i in ins if i) and node.op_type not in (
                "QuantizeLinear", "DequantizeLinear"):
            v = _fold(node, [consts[i] for i in ins if i])
            if v is not None:
                consts[node.output[0]] = v
                continue
        if node.op_type == "Cast" and ins[0] in producer and \
                producer[ins[0]].op_type == "QuantizeLinear":
            zp = consts[producer[ins[0]].input[2]]
            if onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[zp.dtype] == _attrs(node)["to"]:
                alias[node.output[0]] = ins[0]  # Cast uint8 -> uint8: no-op
                continue
        if node.op_type == "Pad" and len(ins) > 1 and ins[1] in consts and \
                not consts[ins[1]].any() and _attrs(node).get("mode", b"constant") == b"constant":
            alias[node.output[0]] = ins[0]      # zero padding: no-op
            continue
        for o in node.output:
            producer[o] = node
        nodes.append(node)

    nodes = _conv1d_back(nodes, consts)

    # graph outputs must keep their names: a graph output that became an alias is re-produced
    out_names = [o.name for o in graph.output]
    for o in out_names:
        if res(o) != o:
            raise RuntimeError(f"graph output {o} was removed by the cleanup")

    # dead code elimination
    live = set(out_names)
    kept = []
    for node in reversed(nodes):
        if any(o in live for o in node.output):
            kept.append(node)
            live.update(i for i in node.input if i)
    kept.reverse()

    # share identical constants, name them after their first consumer
    by_content, rename, inits = {}, {}, []
    used = collections.Counter()
    for node in kept:
        for slot, i in enumerate(node.input):
            if i not in consts or i in rename:
                continue
            v = consts[i]
            key = (v.dtype.str, v.shape, v.tobytes())
            if key in by_content:
                rename[i] = by_content[key]
                continue
            role = _input_role(node, slot, kept, consts)
            base = f"{node.name.strip('/').replace('/', '.') or node.op_type}.{role}"
            used[base] += 1
            new = base if used[base] == 1 else f"{base}_{used[base]}"
            by_content[key] = rename[i] = new
            inits.append(numpy_helper.from_array(v, new))
    for node in kept:
        ins = [rename.get(i, i) for i in node.input]
        del node.input[:]
        node.input.extend(ins)

    new_graph = helper.make_graph(kept, graph.name or "torch_jit", list(graph.input),
                                  list(graph.output), inits)
    model = helper.make_model(new_graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name=proto.producer_name,
                              producer_version=proto.producer_version)
    model.ir_version = proto.ir_version
    return model


def _input_role(node, slot, nodes, consts):
    op = node.op_type
    if op == "DequantizeLinear":
        users = [n for n in nodes if node.output[0] in n.input]
        what = "x"
        if len(users) == 1 and users[0].op_type in ("Conv", "Gemm"):
            what = {1: "weight", 2: "bias"}.get(list(users[0].input).index(node.output[0]), "x")
        return what + ("", "_scale", "_zero_point")[slot]
    if op == "QuantizeLinear":
        return ("x", "y_scale", "y_zero_point")[slot]
    return {("Pad", 1): "pads", ("Pad", 2): "value", ("Clip", 1): "min", ("Clip", 2): "max",
            ("Reshape", 1): "shape"}.get((op, slot), f"in{slot}")


def _conv1d_back(nodes, consts):
    """Undo the TCN's export-only Conv1d -> Conv2d(1 x k) swap.

    torch exported DQ -> Unsqueeze(2) -> Q -> DQ -> Conv(1 x k) [-> Relu] -> Q -> DQ ->
    Squeeze(2) -> Q. Unsqueeze / Squeeze between a DequantizeLinear and a QuantizeLinear with the
    same scale and zero point are exact on the integers, so the pattern is the 1-D
    DQ -> Conv(k) [-> Relu] -> Q with the weight reshaped from (O, I, 1, k) to (O, I, k)."""
    producer = {o: n for n in nodes for o in n.output}
    users = collections.defaultdict(list)
    for n in nodes:
        for i in n.input:
            users[i].append(n)

    def same_qparams(dq, q):
        return all(np.array_equal(consts.get(a), consts.get(b))
                   for a, b in zip(dq.input[1:], q.input[1:]))

    drop, alias = set(), {}
    for conv in nodes:
        if conv.op_type != "Conv" or len(_attrs(conv)["kernel_shape"]) != 2:
            continue
        dq_x = producer.get(conv.input[0])
        q_u = producer.get(dq_x.input[0]) if dq_x is not None else None
        unsq = producer.get(q_u.input[0]) if q_u is not None else None
        if unsq is None or unsq.op_type != "Unsqueeze" or q_u.op_type != "QuantizeLinear":
            continue
        dq_u = producer[unsq.input[0]]
        if dq_u.op_type != "DequantizeLinear" or list(consts[unsq.input[1]]) != [2] or \
                not same_qparams(dq_u, q_u):
            raise RuntimeError(f"unexpected pattern before {conv.name}")
        # output side: [Relu] -> Q -> DQ -> Squeeze(2) -> Q
        last = conv
        if len(users[last.output[0]]) == 1 and users[last.output[0]][0].op_type == "Relu":
            last = users[last.output[0]][0]
        (q_c,) = users[last.output[0]]
        (dq_s,) = users[q_c.output[0]]
        (sq,) = users[dq_s.output[0]]
        (q_s,) = users[sq.output[0]]
        if (q_c.op_type, dq_s.op_type, sq.op_type, q_s.op_type) != (
                "QuantizeLinear", "DequantizeLinear", "Squeeze", "QuantizeLinear") or \
                list(consts[sq.input[1]]) != [2] or not same_qparams(dq_s, q_s) or \
                not same_qparams(dq_s, q_c):
            raise RuntimeError(f"unexpected pattern after {conv.name}")
        # rewire: DQ_x reads the 3-D integer tensor, consumers of q_s read q_c
        dq_x.input[0] = dq_u.input[0]
        drop.update(id(n) for n in (dq_u, unsq, q_u, dq_s, sq, q_s))
        alias[q_s.output[0]] = q_c.output[0]
        w_dq = producer[conv.input[1]]
        w = consts[w_dq.input[0]]
        assert w.ndim == 4 and w.shape[2] == 1
        consts[w_dq.input[0]] = w.reshape(w.shape[0], w.shape[1], w.shape[3])
        a = _attrs(conv)
        del conv.attribute[:]
        conv.attribute.extend([
            helper.make_attribute("dilations", a["dilations"][1:]),
            helper.make_attribute("group", a["group"]),
            helper.make_attribute("kernel_shape", a["kernel_shape"][1:]),
            helper.make_attribute("pads", [a["pads"][1], a["pads"][3]]),
            helper.make_attribute("strides", a["strides"][1:]),
        ])
        assert a["pads"][0] == a["pads"][2] == 0 and a["kernel_shape"][0] == 1
    out = []
    for n in nodes:
        if id(n) in drop:
            continue
        ins = [alias.get(i, i) for i in n.input]
        del n.input[:]
        n.input.extend(ins)
        out.append(n)
    return out


def torch_intermediates(qmodel, x):
    """Every distinct quantized tensor torch's converted model computes for x, in order:
    [(scale, zero point, integer values)]."""
    from torch.fx import Interpreter
    seen, acts, alive = set(), [], []  # alive: no id reuse while recording (Identity repeats a tensor)

    class Recorder(Interpreter):
        def run_node(self, n):
            r = super().run_node(n)
            if isinstance(r, torch.Tensor) and r.is_quantized and \
                    r.qscheme() == torch.per_tensor_affine and id(r) not in seen:
                seen.add(id(r))
                alive.append(r)
                acts.append((r.q_scale(), r.q_zero_point(), r.int_repr().numpy().copy()))
            return r

    with torch.no_grad():
        Recorder(qmodel).run(x)
    return acts


# ----------------------------------------------------------------------------------------------
# Build one model
# ----------------------------------------------------------------------------------------------

def output_qparams(model):
    """(scale, zero point) of the final DequantizeLinear."""
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    (last,) = [n for n in model.graph.node if n.output[0] == model.graph.output[0].name]
    assert last.op_type == "DequantizeLinear"
    return float(inits[last.input[1]]), int(inits[last.input[2]])


def describe_scheme(model):
    """Activation dtype(s), weight quantization, bias dtype(s) as found in the graph."""
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    users = collections.defaultdict(list)
    for n in model.graph.node:
        for k, i in enumerate(n.input):
            users[i].append((n, k))
    act, wq, bias = set(), set(), set()
    for n in model.graph.node:
        if n.op_type == "QuantizeLinear":
            act.add(inits[n.input[2]].dtype.name)
        if n.op_type != "DequantizeLinear" or n.input[0] not in inits:
            continue
        (u, k), = users[n.output[0]]
        v, s, zp = (inits[i] for i in n.input)
        if k == 1:
            per = f"per-channel(axis {_attrs(n).get('axis', 1)})" if s.ndim else "per-tensor"
            sym = "symmetric" if not zp.any() else "asymmetric"
            wq.add(f"{v.dtype.name} {per} {sym}")
        elif k == 2:
            bias.add(v.dtype.name)
    return "/".join(sorted(act)), ", ".join(sorted(wq)), "/".join(sorted(bias))


def build(name, out_dir):
    torch.manual_seed(0)
    model, x = build_float(name)
    with torch.no_grad():
        y_float = model(x)
    qmodel, qconfig, calibration = quantize(name, model, x)
    with torch.no_grad():
        y_q = qmodel(x)
    acts = torch_intermediates(qmodel, x)
    swapped = conv1d_as_conv2d(qmodel)
    if swapped:
        with torch.no_grad():
            if not torch.equal(qmodel(x), y_q):
                raise SystemExit(f"{name}: Conv1d -> Conv2d swap changed torch's output")
    raw = export_raw(qmodel, x)
    proto = clean_qdq(raw)
    onnx.checker.check_model(proto, full_check=True)
    proto = onnx.shape_inference.infer_shapes(proto, check_type=True, strict_mode=True)
    assert [i.name for i in proto.graph.input] == ["input"]
    assert [o.name for o in proto.graph.output] == ["output"]
    domains = {n.domain for n in proto.graph.node}
    if domains - {""}:
        raise SystemExit(f"{name}: non-standard domains {domains - {''}}")
    data = proto.SerializeToString()

    x_np = x.numpy().astype(np.float32)
    y_q_np = y_q.numpy().astype(np.float32)
    y_f_np = y_float.numpy().astype(np.float32)
    y_ref = qdq_reference(proto, x_np)
    out_scale, _ = output_qparams(proto)
    steps_torch_ref = np.abs(y_q_np.astype(np.float64) - y_ref) / out_scale
    _, per_op, unmatched = qdq_reference(proto, x_np, forced=acts)
    n_q = sum(n.op_type == "QuantizeLinear" for n in proto.graph.node)
    if unmatched or len(per_op) != n_q:
        raise SystemExit(f"{name}: {unmatched} of {n_q} QuantizeLinear outputs have no torch "
                         "counterpart")
    op_steps = max(d for _, d, _, _ in per_op)
    op_share = sum(f * n for _, _, f, n in per_op) / sum(n for _, _, _, n in per_op)

    base = name + "_qdq"
    with open(os.path.join(out_dir, base + ".onnx"), "wb") as f:
        f.write(data)
    # The first calibration inputs, for dnnopt's own PTQ of the float model
    # (`dnnopt compile --quantize int8 --calibration NAME_calib.npz`); kept small.
    n_cal = CALIBRATION_SAVED.get(name, 0)
    if n_cal:
        np.savez(os.path.join(out_dir, name + "_calib.npz"),
                 input=calibration[:n_cal].numpy().astype(np.float32))
    np.savez(os.path.join(out_dir, base + ".npz"), input=x_np, output=y_q_np,
             output_float=y_f_np, output_qdq_ref=y_ref.astype(np.float32))

    # the float zoo's files, when present, must hold the same input and float output
    zoo_npz = os.path.join(HERE, "models", name + ".npz")
    same_as_zoo = "-"
    if os.path.exists(zoo_npz):
        z = np.load(zoo_npz)
        same_as_zoo = "yes" if (np.array_equal(z["input"], x_np)
                                and np.array_equal(z["output"], y_f_np)) else "NO"

    inits = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    weight_bytes = bias_bytes = params = 0
    for n in proto.graph.node:
        if n.op_type == "DequantizeLinear" and n.input[0] in inits:
            v = inits[n.input[0]]
            params += v.size
            if v.dtype == np.int8:
                weight_bytes += v.nbytes
            else:
                bias_bytes += v.nbytes
    ops = collections.Counter(n.op_type for n in proto.graph.node)
    act, wq, bias = describe_scheme(proto)
    qa = qconfig.activation()
    return {
        "name": name,
        "file": base + ".onnx",
        "ops": ",".join(f"{k}:{v}" for k, v in sorted(ops.items())),
        "params": params,
        "int8_weight_bytes": weight_bytes,
        "int32_bias_bytes": bias_bytes,
        "onnx_bytes": len(data),
        "nodes": len(proto.graph.node),
        "rel_err": float(np.abs(y_q_np - y_f_np).max() / np.abs(y_f_np).max()),
        "torch_vs_ref_steps": float(steps_torch_ref.max()),
        "torch_vs_ref_mismatch": float((np.rint(steps_torch_ref) > 0).mean()),
        "op_steps": op_steps,
        "op_share": op_share,
        "rms_err": float(np.sqrt(np.mean((y_q_np - y_f_np) ** 2) / np.mean(y_f_np ** 2))),
        "out_scale": out_scale,
        "scheme": f"act {act} ({qa.qscheme}, reduce_range={qa.reduce_range}); w {wq}; bias {bias}",
        "swapped": swapped,
        "same_as_zoo": same_as_zoo,
        "sha": hashlib.sha256(data).hexdigest()[:12],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "qmodels"), help="output folder")
    ap.add_argument("--only", default="", help="comma-separated model names (default: all)")
    args = ap.parse_args()
    names = [n for n in args.only.split(",") if n] or list(QMODELS)
    for n in names:
        if n not in QMODELS:
            ap.error(f"unknown model '{n}' (known: {', '.join(QMODELS)})")
    if ENGINE not in torch.backends.quantized.supported_engines:
        raise SystemExit(f"torch has no '{ENGINE}' quantized engine "
                         f"({torch.backends.quantized.supported_engines})")
    torch.backends.quantized.engine = ENGINE
    torch.set_num_threads(1)
    register_quantized_squeeze()
    os.makedirs(args.out, exist_ok=True)
    t0, rows = time.monotonic(), []
    print("| model | QDQ ONNX bytes | nodes | params | int8 weight bytes | int32 bias bytes "
          "| max abs(q - f) / max abs(f) | rms(q - f) / rms(f) | torch vs ONNX-ref per op: max "
          "steps (share of elements) | torch vs ONNX-ref output: max steps (share) "
          "| same input/float output as models/ | sha256 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for n in names:
        r = build(n, args.out)
        rows.append(r)
        print(f"| {n} | {r['onnx_bytes']:,} | {r['nodes']} | {r['params']:,} "
              f"| {r['int8_weight_bytes']:,} | {r['int32_bias_bytes']:,} | {r['rel_err']:.3g} "
              f"| {r['rms_err']:.3g} | {r['op_steps']} ({r['op_share']:.2%}) "
              f"| {r['torch_vs_ref_steps']:.3g} ({r['torch_vs_ref_mismatch']:.0%}) "
              f"| {r['same_as_zoo']} | {r['sha']} |", flush=True)
    print()
    for r in rows:
        print(f"{r['name']}: {r['ops']}")
    schemes = sorted({r["scheme"] for r in rows})
    print("\nscheme:", *schemes, sep="\n  ")

    manifest = os.path.join(args.out, "manifest.tsv")
    keys = ["name", "file", "ops", "params", "int8_weight_bytes", "int32_bias_bytes",
            "onnx_bytes", "rel_err", "rms_err", "op_steps", "op_share", "torch_vs_ref_steps"]
    fmt = {"rel_err": "{:.3g}", "rms_err": "{:.3g}", "op_share": "{:.3g}",
           "torch_vs_ref_steps": "{:.3g}"}
    lines = {r["name"]: "\t".join(fmt.get(k, "{}").format(r[k]) for k in keys) for r in rows}
    if os.path.exists(manifest):  # --only: keep the other models' rows
        with open(manifest) as f:
            for line in f.read().splitlines()[1:]:
                lines.setdefault(line.split("\t")[0], line)
    with open(manifest, "w") as f:
        f.write("\t".join(keys) + "\n")
        for n in [n for n in QMODELS if n in lines]:
            f.write(lines[n] + "\n")
    print(f"\n{len(rows)} models in {args.out} ({time.monotonic() - t0:.1f} s)")


if __name__ == "__main__":
    sys.exit(main())
