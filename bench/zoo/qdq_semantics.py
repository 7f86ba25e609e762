"""The ONNX operator definitions of a QDQ graph, evaluated in numpy (no torch needed).

    from qdq_semantics import qdq_reference
    y = qdq_reference(model, x)                      # as ONNX computes it: float32 tensors
    y = qdq_reference(model, x, dtype=np.float64)    # the same definitions in float64

Used by make_qzoo.py (output_qdq_ref, teacher-forced per-op comparison with torch),
qzoo_sensitivity.py and qdq_f64.py.

float32 (default): QuantizeLinear rounds x / scale (float32) half to even and saturates,
DequantizeLinear is (q - zp) * scale in float32, float ops produce float32 (Conv / Gemm / pools
accumulate in float64, then round to float32), as an ONNX runtime with float32 tensors does.

float64: every float tensor is float64 instead. A dequantized value (an 8-bit integer times a
float32 scale) and a convolution sum of such products are then exact or within 2^-53 relative,
so a QuantizeLinear input that lies a few 1e-7 steps from a rounding tie stays on its side of
it instead of landing on the tie as in float32: the values integer kernels compute exactly.
"""
import numpy as np
from onnx import helper, numpy_helper


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _per_axis(x, scale, zp, axis, dtype):
    scale, zp = np.asarray(scale, np.float32).astype(dtype), np.asarray(zp)
    if scale.ndim == 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        scale, zp = scale.reshape(shape), zp.reshape(shape)
    return scale, zp


def quantize(x, scale, zp, axis=1, dtype=np.float32):
    scale, zp = _per_axis(x, scale, zp, axis, dtype)
    info = np.iinfo(zp.dtype)
    y = np.rint(x.astype(dtype) / scale) + zp.astype(dtype)  # rint: half to even
    return np.clip(y, info.min, info.max).astype(zp.dtype)


def dequantize(x, scale, zp, axis=1, dtype=np.float32):
    scale, zp = _per_axis(x, scale, zp, axis, dtype)
    return ((x.astype(np.int64) - zp.astype(np.int64)).astype(dtype) * scale).astype(dtype)


def conv(x, w, b, a, dtype=np.float32):
    """N-d (1-D or 2-D) grouped convolution, accumulated in float64, result in dtype."""
    nsp = x.ndim - 2
    if nsp == 1:
        x, w = x[:, :, None, :], w[:, :, None, :]
        a = dict(a, kernel_shape=[1] + list(a["kernel_shape"]), strides=[1] + list(a["strides"]),
                 dilations=[1] + list(a["dilations"]),
                 pads=[0, a["pads"][0], 0, a["pads"][1]])
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    dh, dw = a.get("dilations", [1, 1])
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    g = a.get("group", 1)
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    win = np.lib.stride_tricks.sliding_window_view(x, ((kh - 1) * dh + 1, (kw - 1) * dw + 1),
                                                   axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    n, c, oh, ow = win.shape[:4]
    o = w.shape[0]
    win = win.reshape(n, g, c // g, oh, ow, kh, kw)
    wg = w.astype(np.float64).reshape(g, o // g, c // g, kh, kw)
    y = np.einsum("ngchwij,gocij->ngohw", win, wg, optimize=True).reshape(n, o, oh, ow)
    if b is not None:
        y = y + b.astype(np.float64).reshape(1, -1, 1, 1)
    y = y.astype(dtype)
    return y[:, :, 0, :] if nsp == 1 else y


def avgpool(x, a, dtype=np.float32):
    k, s = list(a["kernel_shape"]), list(a.get("strides", [1] * len(a["kernel_shape"])))
    assert not any(a.get("pads", [0])) and not a.get("ceil_mode", 0)
    sp = tuple(range(2, x.ndim))
    win = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), k, axis=sp)
    win = win[(slice(None), slice(None)) + tuple(slice(None, None, st) for st in s)]
    return win.mean(axis=tuple(range(x.ndim, win.ndim))).astype(dtype)


def qdq_reference(model, x, forced=None, dtype=np.float32):
    """Runs a QDQ graph by the ONNX operator definitions (opset 13) with float tensors of `dtype`
    (module docstring).

    forced: quantized intermediates of another implementation [(scale, zero point, integer
    array)] in execution order. Each per-tensor QuantizeLinear output is then compared with the
    next one of them that has the same scale, zero point and size, and replaced by it ("teacher
    forcing"): the differences measure each op alone. Returns (output, [(node name, max |diff|,
    share of differing elements, size)], number of QuantizeLinear outputs without a
    counterpart)."""
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    per_op, unmatched, nxt = [], 0, 0
    env[model.graph.input[0].name] = x.astype(dtype)
    for node in model.graph.node:
        a = attrs(node)
        v = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "QuantizeLinear":
            y = quantize(v[0], v[1], v[2], a.get("axis", 1), dtype)
            if forced is not None and np.ndim(v[1]) == 0:
                for j in range(nxt, len(forced)):
                    scale, zp, t = forced[j]
                    if np.float32(scale) == v[1] and zp == int(v[2]) and t.size == y.size:
                        d = np.abs(t.reshape(y.shape).astype(np.int64) - y.astype(np.int64))
                        per_op.append((node.name, int(d.max()), float((d > 0).mean()), d.size))
                        y, nxt = t.reshape(y.shape).astype(y.dtype), j + 1
                        break
                else:
                    unmatched += 1
        elif op == "DequantizeLinear":
            y = dequantize(v[0], v[1], v[2], a.get("axis", 1), dtype)
        elif op == "Conv":
            y = conv(v[0], v[1], v[2] if len(v) > 2 else None, a, dtype)
        elif op == "Gemm":
            A = v[0].T if a.get("transA", 0) else v[0]
            B = v[1].T if a.get("transB", 0) else v[1]
            y = a.get("alpha", 1.0) * (A.astype(np.float64) @ B.astype(np.float64))
            if len(v) > 2:
                y = y + a.get("beta", 1.0) * v[2].astype(np.float64)
            y = y.astype(dtype)
        elif op == "Relu":
            y = np.maximum(v[0], dtype(0))
        elif op == "Clip":
            y = np.clip(v[0], v[1].astype(dtype), v[2].astype(dtype))
        elif op == "Add":
            y = (v[0] + v[1]).astype(dtype)
        elif op == "AveragePool":
            y = avgpool(v[0], a, dtype)
        elif op == "GlobalAveragePool":
            y = v[0].astype(np.float64).mean(axis=tuple(range(2, v[0].ndim)),
                                             keepdims=True).astype(dtype)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = v[0].reshape(int(np.prod(v[0].shape[:ax])), -1)
        elif op == "Pad":
            assert a.get("mode", b"constant") == b"constant"
            p = v[1].reshape(2, -1).T
            y = np.pad(v[0], [tuple(r) for r in p],
                       constant_values=v[2] if len(v) > 2 and v[2] is not None else 0)
        elif op == "Reshape":
            y = v[0].reshape(v[1])
        else:
            raise NotImplementedError(f"qdq_reference: {op}")
        env[node.output[0]] = y
    out = env[model.graph.output[0].name]
    return out if forced is None else (out, per_op, unmatched)


def qmodel_names(qmodels_dir):
    """The models of a quantized zoo folder, in its manifest.tsv order (make_qzoo.py writes it)."""
    with open(f"{qmodels_dir}/manifest.tsv") as f:
        return [line.split("\t", 1)[0] for line in f.read().splitlines()[1:] if line]
