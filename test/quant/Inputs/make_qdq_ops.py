#!/usr/bin/python3
"""Writes small QDQ ONNX models, one op (or 2-3) each: tests of the integer lowering (issue 5).

    /usr/bin/python3 make_qdq_ops.py OUTDIR [--group ops,fallback,bug] [--only NAME,...] [--list]

For every case NAME it writes into OUTDIR
    NAME.onnx           the model (opset 13, input(s) "x" or "a", "b"; output "y")
    NAME.npz            its inputs, {input name: array}
    NAME.expected.npz   {"y": the model's output on them}, evaluated here with numpy by the
                        ONNX operator definitions (float ops between DequantizeLinear and
                        QuantizeLinear, x / scale in float32, round half to even): a
                        reference independent of dnnopt's engine, for validate --expected
and, per group written, cases-GROUP.txt (the names, one a line). Deterministic: each case
draws its values from numpy.random.default_rng(crc32(NAME)).

The models follow the pattern that quantizers (PyTorch, ONNX Runtime) export:

    x (float32) -> QuantizeLinear (int8 or uint8, per tensor, nonzero zero point)
                -> DequantizeLinear -> OP [-> Relu / Clip] -> QuantizeLinear -> DequantizeLinear -> y

with weights as an int8 initializer -> DequantizeLinear (per output channel: axis 0 for Conv
and Gemm transB=1, axis 1 for K x N B of MatMul / Gemm transB=0; zero point 0; a few cases
per tensor, or uint8 with zero point 128) and biases as an int32 initializer ->
DequantizeLinear (scale x_scale * w_scale[m], float32) or a float initializer. Output
quantization parameters come from the float output on the model's own input (min / max,
widened to contain 0), so outputs use most of the 8-bit range.

Groups:
  ops       ops with an integer form: conv_* (2-D: 3x3 pad 1, stride 2, dilation 2, 1x1,
            depthwise (group = C, also stride 2, 5x5 dilated, multiplier 2, TF "SAME" pads),
            grouped, first layer C = 3, asymmetric pads, odd channel counts, no / float bias,
            per-tensor and uint8 weights, uint8 activations, fused Relu / Clip(0, 6), int8 /
            uint8 graph inputs and outputs, requantization scales >= 0.25), conv1d_* (dilated
            causal pads [(k-1)*d, 0], strided), gemm_* (transB 1 / 0, int32 / float / no
            bias, batch 3), matmul_* (constant B per column / per tensor), add_* (two
            quantized tensors with different scales, fused Relu, scalar broadcast, quantized
            constant), maxpool_*, avgpool_* (padding, count_include_pad 0 / 1, ceil_mode,
            other output scale), gap_*, flatten_* / reshape_* (same / other parameters),
            relu_* / clip_* (between DQ and Q with another output scale), requant_pair
            (DQ -> Q with other parameters), chain_* (2-4 quantized ops).
  fallback  QDQ-wrapped ops without an integer form (Sigmoid, Tanh, 3-D MatMul, per-channel
            broadcast Add, Gemm alpha, asymmetric uint8 weights): kept in float with a
            warning naming the node (its name starts with "the_").
  bug       minimal reproducers of known differences of more than one step (see
            test/quant/qdq-bug-*.test).
"""
import argparse
import os
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13

# ---------------------------------------------------------------------------------------
# numpy float evaluation (output quantization parameters and NAME.expected.npz)
# ---------------------------------------------------------------------------------------


def out_size(n, k, s, d, pb, pe, ceil=False):
    eff = (k - 1) * d + 1
    num = n + pb + pe - eff
    o = (-(-num // s) if ceil else num // s) + 1
    if ceil and (o - 1) * s >= n + pb:  # last window must start inside input or left pad
        o -= 1
    return o


def np_conv(x, w, b, strides, pads, dils, group):
    """x N x C x spatial..., w M x C/g x k..., pads [begin..., end...]; 1-D or 2-D."""
    one_d = x.ndim == 3
    if one_d:
        x, w = x[:, :, None, :], w[:, :, None, :]
        strides, dils = [1] + list(strides), [1] + list(dils)
        pads = [0, pads[0], 0, pads[1]]
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    oh = out_size(h, kh, strides[0], dils[0], pads[0], pads[2])
    ow = out_size(wd, kw, strides[1], dils[1], pads[1], pads[3])
    xp = np.zeros((n, c, h + pads[0] + pads[2], wd + pads[1] + pads[3]), np.float64)
    xp[:, :, pads[0]:pads[0] + h, pads[1]:pads[1] + wd] = x
    y = np.zeros((n, m, oh, ow), np.float64)
    mg = m // group
    for g in range(group):
        xs = xp[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                r0, c0 = i * dils[0], j * dils[1]
                patch = xs[:, :, r0:r0 + (oh - 1) * strides[0] + 1:strides[0],
                           c0:c0 + (ow - 1) * strides[1] + 1:strides[1]]
                wk = w[g * mg:(g + 1) * mg, :, i, j]  # mg x cg
                y[:, g * mg:(g + 1) * mg] += np.einsum("nchw,mc->nmhw", patch, wk)
    if b is not None:
        y += b.reshape(1, m, 1, 1)
    return y[:, :, 0, :] if one_d else y


def np_pool(x, kind, k, strides, pads, ceil=False, include_pad=False, dil=None):
    one_d = x.ndim == 3
    dil = list(dil or [1] * len(k))
    if one_d:
        x = x[:, :, None, :]
        k, strides, pads = [1] + list(k), [1] + list(strides), [0, pads[0], 0, pads[1]]
        dil = [1] + dil
    n, c, h, w = x.shape
    oh = out_size(h, k[0], strides[0], dil[0], pads[0], pads[2], ceil)
    ow = out_size(w, k[1], strides[1], dil[1], pads[1], pads[3], ceil)
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * strides[0] - pads[0], j * strides[1] - pads[1]
            r1, c1 = r0 + k[0], c0 + k[1]
            if kind == "max" and dil != [1, 1]:
                rows = [r for r in range(r0, r0 + (k[0] - 1) * dil[0] + 1, dil[0]) if 0 <= r < h]
                cols = [q for q in range(c0, c0 + (k[1] - 1) * dil[1] + 1, dil[1]) if 0 <= q < w]
                y[:, :, i, j] = x[:, :, rows][:, :, :, cols].max(axis=(2, 3))
                continue
            win = x[:, :, max(r0, 0):min(r1, h), max(c0, 0):min(c1, w)]
            if kind == "max":
                y[:, :, i, j] = win.max(axis=(2, 3))
            else:
                if include_pad:
                    cnt = (min(r1, h + pads[2]) - r0) * (min(c1, w + pads[3]) - c0)
                else:
                    cnt = win.shape[2] * win.shape[3]
                y[:, :, i, j] = win.sum(axis=(2, 3)) / cnt
    return y[:, :, 0, :] if one_d else y


# ---------------------------------------------------------------------------------------
# quantization helpers
# ---------------------------------------------------------------------------------------


def qdq(v, s, z, dt):
    lo, hi = (-128, 127) if dt == "int8" else (0, 255)
    q = np.clip(np.rint(np.float32(v) / np.float32(s)) + z, lo, hi)
    return (q - z).astype(np.float32) * np.float32(s)


def act_params(lo, hi, dt):
    """Per-tensor (scale, zero point) covering [lo, hi] widened to contain 0 (min / max
    calibration): the zero point is nonzero (int8) unless the range is symmetric, and the
    storage minimum when the range starts at 0 (after a Relu)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo < 1e-6:
        hi = lo + 1.0
    scale = np.float32((hi - lo) / 255.0)
    qmin = -128 if dt == "int8" else 0
    zp = int(np.clip(np.rint(qmin - lo / scale), qmin, qmin + 255))
    return scale, zp


class Builder:
    def __init__(self, name):
        self.name = name
        self.rng = np.random.default_rng(zlib.crc32(name.encode()))
        self.nodes, self.inits, self.inputs, self.outputs, self.feeds = [], [], [], [], {}
        self.count = 0
        self.expected = None  # the numpy evaluation of the model (ONNX semantics), if set

    def fresh(self, base):
        self.count += 1
        return "%s_%d" % (base, self.count)

    def init(self, base, arr):
        n = self.fresh(base)
        self.inits.append(numpy_helper.from_array(arr, n))
        return n

    def node(self, op, ins, base=None, node_name=None, **attrs):
        out = self.fresh(base or op.lower())
        self.nodes.append(helper.make_node(op, ins, [out], name=node_name or self.fresh(op), **attrs))
        return out

    def quant_input(self, shape, lo, hi, dt="int8", name="x", spread=1.0, int_in=False):
        """Float graph input -> Q -> DQ (int_in: an int8 / uint8 graph input -> DQ).
        Returns (dq output, real values seen by the op, scale, zp). Inputs are uniform in
        [lo, hi] * spread (spread > 1 saturates some)."""
        x = self.rng.uniform(lo * spread, hi * spread, size=shape).astype(np.float32)
        s, z = act_params(lo, hi, dt)
        if int_in:
            lo_q, hi_q = (-128, 127) if dt == "int8" else (0, 255)
            q = np.clip(np.rint(x / s) + z, lo_q, hi_q).astype(np.int8 if dt == "int8" else np.uint8)
            self.feeds[name] = q
            self.inputs.append(helper.make_tensor_value_info(
                name, TensorProto.INT8 if dt == "int8" else TensorProto.UINT8, list(shape)))
            sn = self.init("scale", np.array(s, np.float32))
            zn = self.init("zp", np.array(z, q.dtype))
            d = self.node("DequantizeLinear", [name, sn, zn], "dq")
            return d, (q.astype(np.float32) - z) * s, s, z
        self.feeds[name] = x
        self.inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape)))
        d = self.qdq_node(name, s, z, dt)
        return d, qdq(x, s, z, dt), s, z

    def qdq_node(self, v, s, z, dt):
        self.last_q = (s, z, dt)
        npdt = np.int8 if dt == "int8" else np.uint8
        sn, zn = self.init("scale", np.array(s, np.float32)), self.init("zp", np.array(z, npdt))
        q = self.node("QuantizeLinear", [v, sn, zn], "q")
        return self.node("DequantizeLinear", [q, sn, zn], "dq")

    def requant(self, v, real, dt="int8", shrink=1.0):
        """Q -> DQ of v with parameters from its real values (range times `shrink`: < 1
        saturates the extremes); returns (dq, new real, scale)."""
        s, z = act_params(float(real.min()) * shrink, float(real.max()) * shrink, dt)
        out = self.qdq_node(v, s, z, dt)
        return out, qdq(real, s, z, dt), s

    def weights(self, w, axis, per_channel=True, w_zp=None):
        """int8 symmetric weights -> DequantizeLinear; returns (dq name, real weights,
        per-channel scales broadcastable along axis). w_zp (per tensor only): uint8
        weights with that zero point (ONNX Runtime's per-tensor uint8 weights: 128)."""
        red = tuple(a for a in range(w.ndim) if a != axis)
        if per_channel:
            amax = np.abs(w).max(axis=red)
        else:
            amax = np.array(np.abs(w).max())
        s = np.maximum(amax, 1e-3).astype(np.float32) / np.float32(127)
        bshape = [1] * w.ndim
        if per_channel:
            bshape[axis] = -1
        q = np.clip(np.rint(w / s.reshape(bshape)), -127, 127)
        if w_zp is None:
            zq, qt = np.zeros(s.shape, np.int8), q.astype(np.int8)
        else:
            assert not per_channel
            zq, qt = np.array(w_zp, np.uint8), np.clip(q + w_zp, 0, 255).astype(np.uint8)
            q = qt.astype(np.float32) - w_zp
        sn = self.init("w_scale", s.astype(np.float32))
        zn = self.init("w_zp", zq)
        qn = self.init("w", qt)
        attrs = {"axis": axis} if per_channel else {}
        d = self.node("DequantizeLinear", [qn, sn, zn], "w_dq", **attrs)
        return d, q.astype(np.float32) * s.reshape(bshape), s

    def bias(self, b, x_scale, w_scale, as_int32=True):
        if not as_int32:
            n = self.init("bias", b.astype(np.float32))
            return n, b.astype(np.float32)
        bs = (np.float32(x_scale) * w_scale.astype(np.float32)).astype(np.float32)
        bs = np.broadcast_to(bs, b.shape).astype(np.float32)
        q = np.rint(b / bs).astype(np.int32)
        qn = self.init("b", q)
        sn = self.init("b_scale", bs)
        zn = self.init("b_zp", np.zeros(b.shape, np.int32))
        d = self.node("DequantizeLinear", [qn, sn, zn], "b_dq", axis=0)
        return d, q.astype(np.float32) * bs

    def finish(self, y, shape, outdir, expected=None, int_out=False):
        """The last DequantizeLinear writes the graph output "y" directly (validate reads
        the output's quantization step from it); int_out: the DequantizeLinear is dropped
        and the int8 / uint8 result of the last QuantizeLinear is the output."""
        self.expected = expected
        last = self.nodes[-1]
        assert last.output[0] == y and last.op_type == "DequantizeLinear"
        if int_out:
            self.nodes.pop()
            q = self.nodes[-1]
            assert q.op_type == "QuantizeLinear" and q.output[0] == last.input[0]
            q.output[0] = "y"
            s, z, dt = self.last_q
            lo_q, hi_q = (-128, 127) if dt == "int8" else (0, 255)
            if expected is not None:
                self.expected = np.clip(np.rint(np.asarray(expected, np.float64) / s) + z, lo_q, hi_q)
            etype = TensorProto.INT8 if dt == "int8" else TensorProto.UINT8
        else:
            last.output[0] = "y"
            etype = TensorProto.FLOAT
        self.outputs.append(helper.make_tensor_value_info("y", etype, list(shape)))
        g = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="make_qdq_ops.py")
        m.ir_version = 7
        onnx.checker.check_model(m, full_check=True)
        onnx.save(m, os.path.join(outdir, self.name + ".onnx"))
        np.savez(os.path.join(outdir, self.name + ".npz"), **self.feeds)
        if self.expected is not None:
            npdt = {TensorProto.FLOAT: np.float32, TensorProto.INT8: np.int8,
                    TensorProto.UINT8: np.uint8}[etype]
            np.savez(os.path.join(outdir, self.name + ".expected.npz"),
                     y=np.asarray(self.expected).astype(npdt).reshape(shape))


# ---------------------------------------------------------------------------------------
# cases
# ---------------------------------------------------------------------------------------

CASES = {}    # name -> (group, function); groups: ops, fallback, bug
GROUPS = ("ops", "fallback", "bug")


def case(fn=None, group="ops"):
    def register(f):
        CASES[f.__name__] = (group, f)
        return f
    return register(fn) if fn else register


def make_conv(name, outdir, shape, m, k, strides=None, pads=None, dils=None, group=1,
              bias="int32", act=None, dt="int8", per_channel=True, w_zp=None, shrink=1.0,
              int_in=False, int_out=False, calib_pre_act=False):
    bld = Builder(name)
    nd = len(shape) - 2
    k = [k] * nd if isinstance(k, int) else list(k)
    strides = strides or [1] * nd
    dils = dils or [1] * nd
    pads = pads if pads is not None else [0] * (2 * nd)
    lo, hi = (-1.0, 2.0) if dt == "int8" else (-0.5, 3.0)
    xd, xr, xs, _ = bld.quant_input(shape, lo, hi, dt, spread=1.05, int_in=int_in)
    c = shape[1]
    w = bld.rng.normal(0, 1.0 / np.sqrt(c // group * np.prod(k)), size=[m, c // group] + k)
    wd, wr, ws = bld.weights(w.astype(np.float32), 0, per_channel, w_zp)
    ins = [xd, wd]
    br = None
    if bias:
        bd, br = bld.bias(bld.rng.normal(0, 0.3, size=m), xs, ws, bias == "int32")
        ins.append(bd)
    y = bld.node("Conv", ins, "conv", kernel_shape=k, strides=strides, pads=pads,
                 dilations=dils, group=group)
    yr = np_conv(xr.astype(np.float64), wr.astype(np.float64), br, strides, pads, dils, group)
    pre = yr
    if act == "relu":
        y = bld.node("Relu", [y])
        yr = np.maximum(yr, 0)
    elif act == "relu6":
        lo6, hi6 = bld.init("clip_min", np.array(0, np.float32)), bld.init("clip_max", np.array(6, np.float32))
        y = bld.node("Clip", [y, lo6, hi6])
        yr = np.clip(yr, 0, 6)
    if calib_pre_act:  # output parameters from the range before the activation
        s, z = act_params(float(pre.min()) * shrink, float(pre.max()) * shrink, dt)
        y, yr = bld.qdq_node(y, s, z, dt), qdq(yr, s, z, dt)
    else:
        y, yr, _ = bld.requant(y, yr, dt, shrink)
    bld.finish(y, yr.shape, outdir, yr, int_out)


@case
def conv_3x3_pad1(o):  # C=4 -> M=5, bias int32, fused Relu
    make_conv("conv_3x3_pad1", o, [1, 4, 8, 8], 5, 3, pads=[1, 1, 1, 1], act="relu")


@case
def conv_3x3_pad1_odd(o):  # odd channels and sizes, no activation
    make_conv("conv_3x3_pad1_odd", o, [1, 7, 9, 7], 11, 3, pads=[1, 1, 1, 1])


@case
def conv_3x3_stride2(o):
    make_conv("conv_3x3_stride2", o, [1, 6, 9, 9], 8, 3, strides=[2, 2], pads=[1, 1, 1, 1], act="relu")


@case
def conv_3x3_stride2_nopad(o):
    make_conv("conv_3x3_stride2_nopad", o, [1, 5, 10, 11], 3, 3, strides=[2, 2])


@case
def conv_3x3_dil2(o):
    make_conv("conv_3x3_dil2", o, [1, 5, 10, 10], 6, 3, pads=[2, 2, 2, 2], dils=[2, 2])


@case
def conv_3x3_dil2_stride2(o):
    make_conv("conv_3x3_dil2_stride2", o, [1, 3, 12, 9], 4, 3, strides=[2, 2], pads=[1, 2, 2, 1], dils=[2, 2])


@case
def conv_1x1(o):
    make_conv("conv_1x1", o, [1, 7, 5, 6], 9, 1, act="relu")


@case
def conv_1x1_wide(o):  # K = 64 (the packed 4-byte path), M = 13
    make_conv("conv_1x1_wide", o, [1, 64, 4, 4], 13, 1)


@case
def conv_1x1_stride2(o):
    make_conv("conv_1x1_stride2", o, [1, 8, 7, 7], 5, 1, strides=[2, 2])


@case
def conv_dw3x3(o):  # depthwise, group = C = M
    make_conv("conv_dw3x3", o, [1, 6, 7, 7], 6, 3, pads=[1, 1, 1, 1], group=6, act="relu6")


@case
def conv_dw3x3_odd(o):
    make_conv("conv_dw3x3_odd", o, [1, 5, 9, 6], 5, 3, pads=[1, 1, 1, 1], group=5)


@case
def conv_dw3x3_stride2(o):
    make_conv("conv_dw3x3_stride2", o, [1, 9, 11, 11], 9, 3, strides=[2, 2], pads=[1, 1, 1, 1], group=9, act="relu")


@case
def conv_dw5x5_dil2(o):
    make_conv("conv_dw5x5_dil2", o, [1, 4, 12, 12], 4, 5, pads=[4, 4, 4, 4], dils=[2, 2], group=4)


@case
def conv_dw_mult2(o):  # depthwise with channel multiplier 2 (group = C, M = 2C)
    make_conv("conv_dw_mult2", o, [1, 3, 8, 8], 6, 3, pads=[1, 1, 1, 1], group=3)


@case
def conv_grouped(o):  # group = 2, C = 6, M = 4
    make_conv("conv_grouped", o, [1, 6, 6, 6], 4, 3, pads=[1, 1, 1, 1], group=2)


@case
def conv_first_c3(o):  # first layer: C = 3, 16x16, stride 2
    make_conv("conv_first_c3", o, [1, 3, 16, 16], 8, 3, strides=[2, 2], pads=[1, 1, 1, 1], act="relu")


@case
def conv_first_c3_5x5(o):
    make_conv("conv_first_c3_5x5", o, [1, 3, 13, 13], 5, 5, pads=[2, 2, 2, 2])


@case
def conv_asym_pads(o):  # pads [top, left, bottom, right] = [0, 1, 2, 0]
    make_conv("conv_asym_pads", o, [1, 4, 7, 8], 5, 3, pads=[0, 1, 2, 0])


@case
def conv_asym_pads_kernel(o):  # non-square kernel 2x3, pads [1, 0, 0, 2]
    make_conv("conv_asym_pads_kernel", o, [1, 3, 6, 9], 7, [2, 3], pads=[1, 0, 0, 2], strides=[1, 2])


@case
def conv_nobias(o):
    make_conv("conv_nobias", o, [1, 4, 6, 6], 6, 3, pads=[1, 1, 1, 1], bias=None)


@case
def conv_float_bias(o):
    make_conv("conv_float_bias", o, [1, 4, 6, 6], 6, 3, pads=[1, 1, 1, 1], bias="float")


@case
def conv_per_tensor_w(o):
    make_conv("conv_per_tensor_w", o, [1, 4, 6, 6], 5, 3, pads=[1, 1, 1, 1], per_channel=False)


@case
def conv_uint8_weights(o):  # per-tensor uint8 weights, zero point 128 (w - 128 is int8)
    make_conv("conv_uint8_weights", o, [1, 4, 6, 6], 5, 3, pads=[1, 1, 1, 1], per_channel=False, w_zp=128)


@case
def conv_fine_out_scale(o):
    """Requantization scales >= 0.25 (the kernels' general path, shift >= -1): 1x1 conv,
    per-tensor weights whose channels differ in magnitude (x 1, 1/40, 1/200), output range
    calibrated on the weak channels: the strong one saturates, the weak ones do not."""
    bld = Builder("conv_fine_out_scale")
    xd, xr, xs, _ = bld.quant_input([1, 2, 8, 8], -1.0, 2.0, spread=1.05)
    w = bld.rng.uniform(-1, 1, size=[3, 2, 1, 1]).astype(np.float32)
    w[0, 0, 0, 0] = 1.0
    w[1] *= 1 / 40
    w[2] *= 1 / 200
    wd, wr, ws = bld.weights(w, 0, per_channel=False)
    bd, br = bld.bias(bld.rng.normal(0, 0.01, size=3), xs, ws)
    y = bld.node("Conv", [xd, wd, bd], "conv", kernel_shape=[1, 1])
    yr = np_conv(xr.astype(np.float64), wr.astype(np.float64), br, [1, 1], [0, 0, 0, 0], [1, 1], 1)
    s, z = act_params(float(yr[:, 1:].min()), float(yr[:, 1:].max()), "int8")
    y, yr = bld.qdq_node(y, s, z, "int8"), qdq(yr, s, z, "int8")
    bld.finish(y, yr.shape, o, yr)


@case
def conv_uint8(o):  # uint8 activations (input and output)
    make_conv("conv_uint8", o, [1, 5, 8, 8], 7, 3, pads=[1, 1, 1, 1], dt="uint8")


@case
def conv_uint8_relu(o):
    make_conv("conv_uint8_relu", o, [1, 3, 9, 9], 6, 3, strides=[2, 2], pads=[1, 1, 1, 1], dt="uint8", act="relu")


@case
def conv_uint8_dw(o):
    make_conv("conv_uint8_dw", o, [1, 6, 7, 7], 6, 3, pads=[1, 1, 1, 1], group=6, dt="uint8")


@case
def conv_relu_signed_out(o):  # Relu, but the output range was calibrated before it (zp > -128)
    make_conv("conv_relu_signed_out", o, [1, 4, 6, 6], 5, 3, pads=[1, 1, 1, 1], act="relu", calib_pre_act=True)


@case
def conv_relu6_uint8_signed_out(o):
    make_conv("conv_relu6_uint8_signed_out", o, [1, 3, 6, 6], 4, 3, pads=[1, 1, 1, 1], act="relu6",
              dt="uint8", calib_pre_act=True, shrink=3.0)


@case
def conv_dw_same_s2(o):  # TF-style SAME padding on an even input: pads [0, 0, 1, 1]
    make_conv("conv_dw_same_s2", o, [1, 8, 8, 8], 8, 3, strides=[2, 2], pads=[0, 0, 1, 1], group=8)


@case
def conv_batch2(o):
    make_conv("conv_batch2", o, [2, 3, 5, 5], 4, 3, pads=[1, 1, 1, 1], act="relu")


@case
def conv_int8_io(o):  # int8 graph input (-> DQ) and int8 graph output (Q ->)
    make_conv("conv_int8_io", o, [1, 3, 6, 6], 5, 3, pads=[1, 1, 1, 1], int_in=True, int_out=True)


@case
def conv_uint8_io(o):
    make_conv("conv_uint8_io", o, [1, 4, 5, 5], 3, 3, pads=[1, 1, 1, 1], dt="uint8", int_in=True, int_out=True)


@case
def conv1d_causal_k3_d2(o):  # pads [(k-1)*d, 0]
    make_conv("conv1d_causal_k3_d2", o, [1, 4, 20], 6, 3, pads=[4, 0], dils=[2], act="relu")


@case
def conv1d_causal_k2_d4(o):
    make_conv("conv1d_causal_k2_d4", o, [1, 5, 17], 5, 2, pads=[4, 0], dils=[4])


@case
def conv1d_causal_k3_d1(o):
    make_conv("conv1d_causal_k3_d1", o, [1, 3, 15], 7, 3, pads=[2, 0])


@case
def conv1d_causal_k5_d8(o):
    make_conv("conv1d_causal_k5_d8", o, [1, 8, 40], 8, 5, pads=[32, 0], dils=[8])


@case
def conv1d_stride2(o):
    make_conv("conv1d_stride2", o, [1, 6, 21], 9, 3, strides=[2], pads=[1, 1])


@case
def conv1d_dw_causal(o):
    make_conv("conv1d_dw_causal", o, [1, 7, 16], 7, 3, pads=[4, 0], dils=[2], group=7)


@case
def conv1d_stride2_dil2(o):
    make_conv("conv1d_stride2_dil2", o, [1, 5, 25], 6, 3, strides=[2], pads=[4, 0], dils=[2])


@case
def conv1d_uint8(o):
    make_conv("conv1d_uint8", o, [1, 4, 18], 5, 3, pads=[2, 0], dt="uint8")


def make_fc(name, outdir, batch, k, n, kind="gemm", bias="int32", act=None, per_channel=True, dt="int8",
            trans_b=1):
    bld = Builder(name)
    xd, xr, xs, _ = bld.quant_input([batch, k], -1.5, 1.0, dt, spread=1.05)
    nk = kind == "gemm" and trans_b  # B is N x K
    w = bld.rng.normal(0, 1.0 / np.sqrt(k), size=[n, k] if nk else [k, n]).astype(np.float32)
    wd, wr, ws = bld.weights(w, 0 if nk else 1, per_channel)
    if not nk:
        wr = wr.T
    if kind == "gemm":
        ins = [xd, wd]
        br = None
        if bias:
            bd, br = bld.bias(bld.rng.normal(0, 0.3, size=n), xs, ws, bias == "int32")
            ins.append(bd)
        y = bld.node("Gemm", ins, "gemm", transB=trans_b)
        yr = xr.astype(np.float64) @ wr.T.astype(np.float64) + (0 if br is None else br)
    else:
        y = bld.node("MatMul", [xd, wd], "matmul")
        yr = xr.astype(np.float64) @ wr.T.astype(np.float64)
    if act == "relu":
        y = bld.node("Relu", [y])
        yr = np.maximum(yr, 0)
    y, yr, _ = bld.requant(y, yr, dt)
    bld.finish(y, yr.shape, outdir, yr)


@case
def gemm_bias(o):
    make_fc("gemm_bias", o, 1, 17, 10)


@case
def gemm_bias_batch3_relu(o):
    make_fc("gemm_bias_batch3_relu", o, 3, 32, 7, act="relu")


@case
def gemm_float_bias(o):
    make_fc("gemm_float_bias", o, 2, 9, 5, bias="float")


@case
def gemm_transb0(o):  # Gemm with B as K x N (per-column scales, axis 1)
    make_fc("gemm_transb0", o, 2, 11, 6, trans_b=0)


@case
def gemm_nobias(o):
    make_fc("gemm_nobias", o, 1, 40, 3, bias=None)


@case
def gemm_uint8(o):
    make_fc("gemm_uint8", o, 1, 23, 6, dt="uint8")


@case
def matmul_const_b(o):  # per column (axis 1) weight scales
    make_fc("matmul_const_b", o, 2, 13, 7, kind="matmul")


@case
def matmul_const_b_per_tensor(o):
    make_fc("matmul_const_b_per_tensor", o, 1, 24, 5, kind="matmul", per_channel=False)


def make_add(name, outdir, shape, shape_b=None, act=None, swap=False):
    bld = Builder(name)
    ad, ar, _, _ = bld.quant_input(shape, -1.0, 1.5, name="a", spread=1.05)
    bd, br, _, _ = bld.quant_input(shape_b or shape, -3.0, 2.0, name="b", spread=1.05)
    y = bld.node("Add", [bd, ad] if swap else [ad, bd], "add")
    yr = ar.astype(np.float64) + br
    if act == "relu":
        y = bld.node("Relu", [y])
        yr = np.maximum(yr, 0)
    y, yr, _ = bld.requant(y, yr)
    bld.finish(y, yr.shape, outdir, yr)


@case
def add_two_scales(o):
    make_add("add_two_scales", o, [1, 5, 4, 4])


@case
def add_two_scales_relu(o):
    make_add("add_two_scales_relu", o, [1, 3, 7, 5], act="relu")


@case
def add_1d(o):
    make_add("add_1d", o, [1, 3, 13])


@case
def add_scalar(o):  # broadcast of a quantized scalar
    make_add("add_scalar", o, [1, 4, 3, 3], shape_b=[1])


def make_pool(name, outdir, shape, kind, k=None, strides=None, pads=None, ceil=0,
              include_pad=0, new_scale=False, dt="int8", dil=None):
    bld = Builder(name)
    xd, xr, xs, xz = bld.quant_input(shape, -2.0, 1.0, dt, spread=1.05)
    nd = len(shape) - 2
    if kind == "gap":
        y = bld.node("GlobalAveragePool", [xd], "gap")
        yr = xr.astype(np.float64).mean(axis=tuple(range(2, len(shape))), keepdims=True)
    else:
        strides = strides or [1] * nd
        pads = pads or [0] * (2 * nd)
        attrs = dict(kernel_shape=k, strides=strides, pads=pads, ceil_mode=ceil)
        if kind == "avg":
            attrs["count_include_pad"] = include_pad
        if dil:
            attrs["dilations"] = dil
        y = bld.node("MaxPool" if kind == "max" else "AveragePool", [xd], kind + "pool", **attrs)
        yr = np_pool(xr.astype(np.float64), kind, k, strides, pads, ceil, include_pad, dil)
    if new_scale:
        y, yr, _ = bld.requant(y, yr, dt)
    else:  # same parameters as the input (what quantizers emit for pools)
        npdt = np.int8 if dt == "int8" else np.uint8
        sn, zn = bld.init("scale", np.array(xs, np.float32)), bld.init("zp", np.array(xz, npdt))
        q = bld.node("QuantizeLinear", [y, sn, zn], "q")
        y = bld.node("DequantizeLinear", [q, sn, zn], "dq")
        yr = qdq(yr, xs, xz, dt)
    bld.finish(y, yr.shape, outdir, yr)


@case
def add_scalar_lhs(o):  # Add(scalar, tensor)
    make_add("add_scalar_lhs", o, [1, 3, 2, 5], shape_b=[1], swap=True)


@case
def add_const(o):
    """Add of a quantized activation and a quantized constant (int8 initializer -> DQ)."""
    bld = Builder("add_const")
    ad, ar, _, _ = bld.quant_input([1, 4, 3, 3], -1.0, 1.5, spread=1.05)
    c = bld.rng.uniform(-0.5, 0.8, size=[1, 4, 3, 3]).astype(np.float32)
    cs, cz = act_params(float(c.min()), float(c.max()), "int8")
    cq = np.clip(np.rint(c / cs) + cz, -128, 127).astype(np.int8)
    cd = bld.node("DequantizeLinear", [bld.init("c", cq), bld.init("c_scale", np.array(cs, np.float32)),
                                       bld.init("c_zp", np.array(cz, np.int8))], "c_dq")
    y = bld.node("Add", [ad, cd], "add")
    yr = ar.astype(np.float64) + (cq.astype(np.float32) - cz) * cs
    y, yr, _ = bld.requant(y, yr)
    bld.finish(y, yr.shape, o, yr)


@case
def maxpool_2x2(o):
    make_pool("maxpool_2x2", o, [1, 5, 8, 8], "max", [2, 2], [2, 2])


@case
def maxpool_3x3_s2_pad1(o):
    make_pool("maxpool_3x3_s2_pad1", o, [1, 3, 9, 9], "max", [3, 3], [2, 2], [1, 1, 1, 1])


@case
def maxpool_ceil(o):
    make_pool("maxpool_ceil", o, [1, 4, 7, 7], "max", [2, 2], [2, 2], ceil=1)


@case
def maxpool_dil2(o):
    make_pool("maxpool_dil2", o, [1, 3, 9, 9], "max", [2, 2], [1, 1], [1, 1, 0, 0], dil=[2, 2])


@case
def maxpool_new_scale(o):
    make_pool("maxpool_new_scale", o, [1, 3, 6, 6], "max", [2, 2], [2, 2], new_scale=True)


@case
def maxpool_1d(o):
    make_pool("maxpool_1d", o, [1, 5, 15], "max", [3], [2], [1, 1])


@case
def avgpool_2x2(o):
    make_pool("avgpool_2x2", o, [1, 5, 8, 8], "avg", [2, 2], [2, 2])


@case
def avgpool_3x3_pad_exclude(o):  # count_include_pad = 0
    make_pool("avgpool_3x3_pad_exclude", o, [1, 3, 7, 7], "avg", [3, 3], [1, 1], [1, 1, 1, 1])


@case
def avgpool_3x3_pad_include(o):  # count_include_pad = 1
    make_pool("avgpool_3x3_pad_include", o, [1, 3, 7, 7], "avg", [3, 3], [1, 1], [1, 1, 1, 1], include_pad=1)


@case
def avgpool_asym_pad_include(o):
    make_pool("avgpool_asym_pad_include", o, [1, 4, 6, 7], "avg", [3, 2], [2, 2], [1, 0, 0, 1], include_pad=1)


@case
def avgpool_ceil(o):
    make_pool("avgpool_ceil", o, [1, 3, 7, 7], "avg", [2, 2], [2, 2], ceil=1)


@case(group="fallback")
def avgpool_new_scale(o):  # kept in float: two roundings would exceed a step
    make_pool("avgpool_new_scale", o, [1, 5, 6, 6], "avg", [3, 3], [3, 3], new_scale=True)


@case
def avgpool_uint8(o):
    make_pool("avgpool_uint8", o, [1, 3, 6, 6], "avg", [2, 2], [2, 2], dt="uint8")


@case
def avgpool_1d(o):
    make_pool("avgpool_1d", o, [1, 4, 16], "avg", [4], [4])


@case
def avgpool_1d_pad_include(o):
    make_pool("avgpool_1d_pad_include", o, [1, 3, 11], "avg", [3], [2], [1, 1], include_pad=1)


@case
def avgpool_ceil_pad_include(o):  # ceil_mode windows that run past the padded input
    make_pool("avgpool_ceil_pad_include", o, [1, 3, 8, 8], "avg", [3, 3], [2, 2], [1, 1, 1, 1], ceil=1, include_pad=1)


@case
def gap_uint8(o):
    make_pool("gap_uint8", o, [1, 5, 3, 4], "gap", new_scale=True, dt="uint8")


@case
def gap_same_scale(o):
    make_pool("gap_same_scale", o, [1, 7, 5, 5], "gap")


@case
def gap_new_scale(o):
    make_pool("gap_new_scale", o, [1, 9, 4, 6], "gap", new_scale=True)


@case
def gap_1d(o):
    make_pool("gap_1d", o, [1, 6, 10], "gap", new_scale=True)


def make_shape_op(name, outdir, shape, op, new_scale):
    bld = Builder(name)
    xd, xr, xs, xz = bld.quant_input(shape, -1.0, 1.0, spread=1.1)
    if op == "flatten":
        y = bld.node("Flatten", [xd], "flatten", axis=1)
        yr = xr.reshape(shape[0], -1)
    else:
        tgt = [shape[0], -1, shape[-1]]
        sh = bld.init("shape", np.array(tgt, np.int64))
        y = bld.node("Reshape", [xd, sh], "reshape")
        yr = xr.reshape(tgt)
    if new_scale:
        y, yr, _ = bld.requant(y, yr, shrink=0.7)  # narrower output range: some saturate
    else:
        sn, zn = bld.init("scale", np.array(xs, np.float32)), bld.init("zp", np.array(xz, np.int8))
        q = bld.node("QuantizeLinear", [y, sn, zn], "q")
        y = bld.node("DequantizeLinear", [q, sn, zn], "dq")
    bld.finish(y, yr.shape, outdir, yr)


@case
def flatten_same(o):
    make_shape_op("flatten_same", o, [1, 3, 4, 5], "flatten", False)


@case
def flatten_new_scale(o):
    make_shape_op("flatten_new_scale", o, [1, 5, 3, 3], "flatten", True)


@case
def reshape_same(o):
    make_shape_op("reshape_same", o, [1, 4, 3, 5], "reshape", False)


@case
def reshape_new_scale(o):
    make_shape_op("reshape_new_scale", o, [1, 2, 3, 7], "reshape", True)


def make_act(name, outdir, shape, op, ratio, clip=(0.0, 6.0), dt="int8"):
    """DQ -> Relu / Clip -> Q with output scale = input scale * ratio (another zero point)."""
    bld = Builder(name)
    xd, xr, xs, _ = bld.quant_input(shape, -3.0, 8.0, dt, spread=1.05)
    if op == "relu":
        y = bld.node("Relu", [xd])
        yr = np.maximum(xr, 0)
    else:
        lo, hi = bld.init("clip_min", np.array(clip[0], np.float32)), bld.init("clip_max", np.array(clip[1], np.float32))
        y = bld.node("Clip", [xd, lo, hi])
        yr = np.clip(xr, *clip)
    s = np.float32(xs * ratio)
    qmin = -128 if dt == "int8" else 0
    z = int(np.clip(qmin + bld.rng.integers(3, 40), qmin, qmin + 255))
    y = bld.qdq_node(y, s, z, dt)
    bld.finish(y, yr.shape, outdir, qdq(yr, s, z, dt))


@case
def relu_finer_scale(o):  # output scale 0.37 x input: up-scaling by 2.7
    make_act("relu_finer_scale", o, [1, 4, 5, 5], "relu", 0.37)


@case
def relu_coarser_scale(o):
    make_act("relu_coarser_scale", o, [1, 3, 6, 6], "relu", 1.9)


@case
def clip6_finer_scale(o):
    make_act("clip6_finer_scale", o, [1, 4, 5, 5], "clip", 0.4)


@case
def clip6_coarser_scale(o):
    make_act("clip6_coarser_scale", o, [1, 5, 4, 4], "clip", 1.3)


@case
def clip_neg_range(o):  # Clip(-1, 2)
    make_act("clip_neg_range", o, [1, 3, 5, 5], "clip", 0.8, clip=(-1.0, 2.0))


@case
def clip_min_only(o):  # Clip(x, -0.5) with no max input
    bld = Builder("clip_min_only")
    xd, xr, xs, _ = bld.quant_input([1, 2, 5, 5], -2.0, 3.0, spread=1.05)
    y = bld.node("Clip", [xd, bld.init("clip_min", np.array(-0.5, np.float32))])
    yr = np.maximum(xr, -0.5)
    y, yr, _ = bld.requant(y, yr)
    bld.finish(y, yr.shape, o, yr)


@case
def relu_uint8(o):
    make_act("relu_uint8", o, [1, 3, 5, 5], "relu", 0.6, dt="uint8")


@case
def requant_pair(o):
    """x -> Q -> DQ -> Q (other scale and zero point) -> DQ: a bare requantization."""
    bld = Builder("requant_pair")
    xd, xr, _, _ = bld.quant_input([1, 3, 5, 5], -2.0, 2.5, spread=1.05)
    y, yr, _ = bld.requant(xd, xr, shrink=0.45)
    bld.finish(y, yr.shape, o, yr)


@case
def chain_conv_pool_gemm(o):
    """Conv (relu) -> Q/DQ -> MaxPool -> Q/DQ -> Flatten -> Q/DQ -> Gemm -> Q/DQ."""
    bld = Builder("chain_conv_pool_gemm")
    xd, xr, xs, _ = bld.quant_input([1, 3, 8, 8], -1.0, 1.0, spread=1.05)
    w = bld.rng.normal(0, 1 / np.sqrt(27), size=[6, 3, 3, 3]).astype(np.float32)
    wd, wr, ws = bld.weights(w, 0)
    bd, br = bld.bias(bld.rng.normal(0, 0.2, size=6), xs, ws)
    y = bld.node("Conv", [xd, wd, bd], "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    y = bld.node("Relu", [y])
    yr = np.maximum(np_conv(xr.astype(np.float64), wr.astype(np.float64), br, [1, 1], [1, 1, 1, 1], [1, 1], 1), 0)
    y, yr, s1 = bld.requant(y, yr)
    y = bld.node("MaxPool", [y], "maxpool", kernel_shape=[2, 2], strides=[2, 2])
    yr = np_pool(yr.astype(np.float64), "max", [2, 2], [2, 2], [0, 0, 0, 0])
    y, yr, _ = bld.requant(y, yr)
    y = bld.node("Flatten", [y], "flatten", axis=1)
    yr = yr.reshape(1, -1)
    y, yr, s3 = bld.requant(y, yr)
    w2 = bld.rng.normal(0, 1 / np.sqrt(96), size=[4, 96]).astype(np.float32)
    wd2, wr2, ws2 = bld.weights(w2, 0)
    bd2, br2 = bld.bias(bld.rng.normal(0, 0.2, size=4), s3, ws2)
    y = bld.node("Gemm", [y, wd2, bd2], "gemm", transB=1)
    yr = yr.astype(np.float64) @ wr2.T + br2
    y, yr, _ = bld.requant(y, yr)
    bld.finish(y, yr.shape, o, yr)


@case
def chain_residual(o):
    """Conv -> Q/DQ, then Add(that, the block input) -> Relu -> Q/DQ: a residual block."""
    bld = Builder("chain_residual")
    xd, xr, xs, _ = bld.quant_input([1, 4, 6, 6], -1.0, 2.0, spread=1.05)
    w = bld.rng.normal(0, 1 / np.sqrt(36), size=[4, 4, 3, 3]).astype(np.float32)
    wd, wr, ws = bld.weights(w, 0)
    bd, br = bld.bias(bld.rng.normal(0, 0.2, size=4), xs, ws)
    y = bld.node("Conv", [xd, wd, bd], "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    yr = np_conv(xr.astype(np.float64), wr.astype(np.float64), br, [1, 1], [1, 1, 1, 1], [1, 1], 1)
    y, yr, _ = bld.requant(y, yr)
    a = bld.node("Add", [y, xd], "add")
    a = bld.node("Relu", [a])
    ar = np.maximum(yr + xr, 0)
    a, ar, _ = bld.requant(a, ar)
    bld.finish(a, ar.shape, o, ar)


# ---------------------------------------------------------------------------------------
# fallback: QDQ-wrapped ops without an integer form stay float, with a warning
# ---------------------------------------------------------------------------------------


def make_unary_fallback(name, outdir, op):
    bld = Builder(name)
    xd, xr, xs, _ = bld.quant_input([1, 3, 4, 4], -4.0, 4.0, spread=1.05)
    y = bld.node(op, [xd], op.lower(), node_name="the_" + op.lower())
    yr = 1 / (1 + np.exp(-xr.astype(np.float64))) if op == "Sigmoid" else np.tanh(xr.astype(np.float64))
    y, yr, _ = bld.requant(y, yr)
    bld.finish(y, yr.shape, outdir, yr)


@case(group="fallback")
def fallback_sigmoid(o):
    make_unary_fallback("fallback_sigmoid", o, "Sigmoid")


@case(group="fallback")
def fallback_tanh(o):
    make_unary_fallback("fallback_tanh", o, "Tanh")


@case(group="fallback")
def fallback_sigmoid_uint8(o):
    bld = Builder("fallback_sigmoid_uint8")
    xd, xr, _, _ = bld.quant_input([1, 2, 3, 5], -3.0, 5.0, "uint8", spread=1.05)
    y = bld.node("Sigmoid", [xd], "sigmoid", node_name="the_sigmoid")
    yr = 1 / (1 + np.exp(-xr.astype(np.float64)))
    y, yr, _ = bld.requant(y, yr, "uint8")
    bld.finish(y, yr.shape, o, yr)


@case(group="fallback")
def fallback_matmul_3d(o):
    """MatMul [1, T, K] x [K, N]: only 2-D matrix products have integer kernels."""
    bld = Builder("fallback_matmul_3d")
    xd, xr, xs, _ = bld.quant_input([1, 5, 8], -1.0, 1.0, spread=1.05)
    wd, wr, _ = bld.weights(bld.rng.normal(0, 0.35, size=[8, 4]).astype(np.float32), 1)
    y = bld.node("MatMul", [xd, wd], "matmul", node_name="the_matmul")
    yr = xr.astype(np.float64) @ wr
    y, yr, _ = bld.requant(y, yr)
    bld.finish(y, yr.shape, o, yr)


@case(group="fallback")
def fallback_add_bcast(o):
    """Add [1, C, H, W] + [1, C, 1, 1]: integer sums need equal shapes or a scalar."""
    bld = Builder("fallback_add_bcast")
    ad, ar, _, _ = bld.quant_input([1, 3, 4, 4], -1.0, 1.5, name="a", spread=1.05)
    bd, br, _, _ = bld.quant_input([1, 3, 1, 1], -2.0, 1.0, name="b", spread=1.05)
    y = bld.node("Add", [ad, bd], "add", node_name="the_add")
    yr = ar.astype(np.float64) + br
    y, yr, _ = bld.requant(y, yr)
    bld.finish(y, yr.shape, o, yr)


@case(group="fallback")
def fallback_gemm_alpha(o):
    """Gemm alpha = 0.5: no integer form."""
    bld = Builder("fallback_gemm_alpha")
    xd, xr, xs, _ = bld.quant_input([1, 12], -1.0, 1.0, spread=1.05)
    wd, wr, ws = bld.weights(bld.rng.normal(0, 0.3, size=[5, 12]).astype(np.float32), 0)
    y = bld.node("Gemm", [xd, wd], "gemm", node_name="the_gemm", transB=1, alpha=0.5)
    yr = 0.5 * (xr.astype(np.float64) @ wr.T)
    y, yr, _ = bld.requant(y, yr)
    bld.finish(y, yr.shape, o, yr)


@case(group="fallback")
def fallback_asym_weights(o):
    """Asymmetric per-tensor uint8 weights (min/max over [0, 255], zero point 64):
    w - 64 reaches 191, beyond int8."""
    bld = Builder("fallback_asym_weights")
    xd, xr, xs, _ = bld.quant_input([1, 2, 5, 5], -1.0, 1.0, spread=1.05)
    w = bld.rng.uniform(-0.2, 0.6, size=[3, 2, 3, 3]).astype(np.float32)
    w[0, 0, 0, :2] = [-0.2, 0.6]
    ws = np.float32(0.8 / 255)
    wz = int(np.rint(0.2 / ws))
    wq = np.clip(np.rint(w / ws) + wz, 0, 255).astype(np.uint8)
    wd = bld.node("DequantizeLinear", [bld.init("w", wq), bld.init("w_scale", np.array(ws, np.float32)),
                                       bld.init("w_zp", np.array(wz, np.uint8))], "w_dq")
    wr = (wq.astype(np.float32) - wz) * ws
    y = bld.node("Conv", [xd, wd], "conv", node_name="the_conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    yr = np_conv(xr.astype(np.float64), wr.astype(np.float64), None, [1, 1], [1, 1, 1, 1], [1, 1], 1)
    y, yr, _ = bld.requant(y, yr)
    bld.finish(y, yr.shape, o, yr)


# ---------------------------------------------------------------------------------------
# known bugs (see test/quant/qdq-known-bugs.test)
# ---------------------------------------------------------------------------------------


@case(group="bug")
def bug_avgpool_requant(o):
    """AveragePool 2x2 whose output scale is 1/8 of the input's: the integer form rounds
    the average to the input's grid (dnn.qavg_pool), then requantizes (x 8): two
    roundings. x = [0.1, 0.1, 0.1, 0] (scale 0.1): ONNX: avg 0.075 / 0.0125 = 6;
    integer: round(0.75) = 1 input step = 8 output steps (2 steps off)."""
    bld = Builder("bug_avgpool_requant")
    x = np.array([0.1, 0.1, 0.1, 0.0], np.float32).reshape(1, 1, 2, 2)
    bld.feeds["x"] = x
    bld.inputs.append(helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 2, 2]))
    d = bld.qdq_node("x", np.float32(0.1), 0, "int8")
    y = bld.node("AveragePool", [d], "avgpool", kernel_shape=[2, 2], strides=[2, 2])
    y = bld.qdq_node(y, np.float32(0.0125), 0, "int8")
    bld.finish(y, [1, 1, 1, 1], o, qdq(np.float32(0.075), np.float32(0.0125), 0, "int8").reshape(1, 1, 1, 1))


@case(group="bug")
def bug_quantize_ties(o):
    """Relu with output scale 0.37 x input scale (relu_finer_scale) on inputs at float32
    ties of the input QuantizeLinear: x = float32((k + 0.5) * s). ONNX (float32 x / s)
    and the C code round k + 0.5 to even; the reference engine divides in double and
    rounds some of them the other way: 1 input step = 2.7 output steps."""
    bld = Builder("bug_quantize_ties")
    s, z = np.float32(0.043137256), -58
    k = (np.arange(100) % 60 - 10).reshape(1, 4, 5, 5)
    x = ((k + 0.5) * np.float64(s)).astype(np.float32)
    bld.feeds["x"] = x
    bld.inputs.append(helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape)))
    d = bld.qdq_node("x", s, z, "int8")
    y = bld.node("Relu", [d])
    s1, z1 = np.float32(0.015960785), -100
    y = bld.qdq_node(y, s1, z1, "int8")
    bld.finish(y, x.shape, o, qdq(np.maximum(qdq(x, s, z, "int8"), 0), s1, z1, "int8") + 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--group", default=",".join(GROUPS),
                    help="comma-separated groups to write (default: all of %s)" % ", ".join(GROUPS))
    ap.add_argument("--only", default="", help="comma-separated case names")
    ap.add_argument("--list", action="store_true", help="print the case names and exit")
    a = ap.parse_args()
    groups = a.group.split(",")
    if set(groups) - set(GROUPS):
        sys.exit("unknown group(s): " + ", ".join(sorted(set(groups) - set(GROUPS))))
    only = set(filter(None, a.only.split(",")))
    if only - set(CASES):
        sys.exit("unknown case(s): " + ", ".join(sorted(only - set(CASES))))
    names = [n for n, (g, _) in CASES.items() if g in groups and (not only or n in only)]
    if a.list:
        print("\n".join(names))
        return 0
    os.makedirs(a.outdir, exist_ok=True)
    for n in names:
        CASES[n][1](a.outdir)
    for g in groups:  # cases-GROUP.txt: the names written, one a line
        with open(os.path.join(a.outdir, "cases-%s.txt" % g), "w") as f:
            f.write("".join(n + "\n" for n in names if CASES[n][0] == g))
    return 0


if __name__ == "__main__":
    sys.exit(main())
