#!/usr/bin/python3
"""PyTorch side of the training-speed benchmark: one epoch of the same ONNX model on the same data.

    /usr/bin/python3 bench/train/torch_epoch.py \
        [--model examples/ppg-heart-rate/seed_tcn.onnx] \
        [--data examples/ppg-heart-rate/data/train.npz] [--val examples/ppg-heart-rate/data/val.npz] \
        [--epochs 2] [--batch 32] [--lr 1e-3] [--threads 2] [--seed 0] [--compare REF.npz] [--json OUT.json]

Needs Debian's python3-torch, python3-onnx and python3-numpy.

1. Reads the ONNX graph generically into a torch.nn.Module. Supported ops: Conv (1-D / 2-D,
   groups, dilations, strides, asymmetric pads), BatchNormalization, Relu, AveragePool, MaxPool,
   GlobalAveragePool, Flatten, Reshape (first dim taken as the batch), Gemm, Add; anything else is
   an error. Trainable parameters: Conv weight/bias, Gemm B/C, BatchNormalization scale/bias;
   BN running mean/var are buffers; any other initializer (e.g. a constant Add operand) is a
   constant buffer.
2. Checks that module's forward (eval mode, BN with running statistics) against an independent
   numpy forward of the ONNX weights on 16 training windows (and, with --compare, against the
   outputs `out` stored with inputs `x` in REF.npz, e.g. written by dnnopt's reference engine).
3. Trains with MSE loss, Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8, no weight decay), batch 32,
   BN in training mode, seeded shuffling, the last partial batch kept (dropped only if it has a
   single sample), torch.set_num_threads(2). Data are loaded into tensors before the clock
   starts; each epoch's time covers shuffling, batch gathering, forward, loss, backward and
   optimizer steps.
Prints per epoch the time, samples/s and train loss (plus the validation MAE, measured outside
the clock), then `torch_epoch_seconds=<first epoch>` and `torch_warm_epoch_seconds=<second epoch>`.
"""
import argparse
import itertools
import json
import os
import sys
import time

import numpy as np
import onnx
from onnx import helper, numpy_helper

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "examples", "ppg-heart-rate")
SUPPORTED = {"Conv", "BatchNormalization", "Relu", "AveragePool", "MaxPool", "GlobalAveragePool",
             "Flatten", "Reshape", "Gemm", "Add"}


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def check_ops(model, path):
    for n in model.graph.node:
        if n.op_type not in SUPPORTED:
            sys.exit(f"{path}: node '{n.name}' ({n.op_type}): op not supported by torch_epoch.py "
                     f"(supported: {', '.join(sorted(SUPPORTED))})")


def conv_pads(a, nsp):
    pads = list(a.get("pads", [0] * (2 * nsp)))
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise ValueError("auto_pad is not supported; use explicit pads")
    return pads[:nsp], pads[nsp:]          # begins, ends per spatial axis


def torch_pad_arg(begins, ends):
    """F.pad wants (last-axis begin, last-axis end, previous-axis begin, ...)."""
    out = []
    for b, e in zip(reversed(begins), reversed(ends)):
        out += [b, e]
    return out


# ------------------------------------------------------------------------------------------
# ONNX -> torch
# ------------------------------------------------------------------------------------------

class OnnxModule(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        g = model.graph
        self.inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
        self.input_name = [i.name for i in g.input if i.name not in self.inits][0]
        self.output_name = g.output[0].name
        self.nodes = list(g.node)
        self.node_attrs = [attrs(n) for n in self.nodes]
        self.params = torch.nn.ParameterDict()
        self.consts = {}
        self.bns = torch.nn.ModuleDict()
        used = set()
        for k, n in enumerate(self.nodes):
            if n.op_type == "Conv":
                trainable = n.input[1:3]
            elif n.op_type == "Gemm":
                trainable = n.input[1:3]
            elif n.op_type == "BatchNormalization":
                _, scale, bias, mean, var = n.input
                a = attrs(n)
                c = self.inits[scale].shape[0]
                bn = torch.nn.BatchNorm1d(c, eps=a.get("epsilon", 1e-5),
                                          momentum=1.0 - a.get("momentum", 0.9))
                with torch.no_grad():
                    bn.weight.copy_(torch.from_numpy(self.inits[scale].astype(np.float32)))
                    bn.bias.copy_(torch.from_numpy(self.inits[bias].astype(np.float32)))
                    bn.running_mean.copy_(torch.from_numpy(self.inits[mean].astype(np.float32)))
                    bn.running_var.copy_(torch.from_numpy(self.inits[var].astype(np.float32)))
                self.bns[str(k)] = bn
                used.update(n.input[1:])
                continue
            else:
                trainable = []
            for name in trainable:
                if name and name in self.inits and name not in used:
                    self.params[self._key(name)] = torch.nn.Parameter(
                        torch.from_numpy(self.inits[name].astype(np.float32).copy()))
                    used.add(name)
        for name, arr in self.inits.items():
            if name not in used:
                t = torch.from_numpy(np.array(arr))
                self.register_buffer(self._key(name), t)
                self.consts[name] = self._key(name)

    @staticmethod
    def _key(name):
        return "p_" + "".join(ch if ch.isalnum() else "_" for ch in name)

    def value(self, env, name):
        if name in env:
            return env[name]
        if self._key(name) in self.params:
            return self.params[self._key(name)]
        return getattr(self, self.consts[name])

    def forward(self, x):
        env = {self.input_name: x}
        for k, n in enumerate(self.nodes):
            a = self.node_attrs[k]
            op = n.op_type
            names = n.input[:1] if op == "BatchNormalization" else n.input
            ins = [self.value(env, i) if i else None for i in names]
            if op == "Conv":
                xi, w = ins[0], ins[1]
                b = ins[2] if len(ins) > 2 else None
                nsp = w.dim() - 2
                begins, ends = conv_pads(a, nsp)
                if any(begins) or any(ends):
                    xi = F.pad(xi, torch_pad_arg(begins, ends))
                conv = F.conv1d if nsp == 1 else F.conv2d
                y = conv(xi, w, b, stride=tuple(a.get("strides", [1] * nsp)),
                         dilation=tuple(a.get("dilations", [1] * nsp)), groups=a.get("group", 1))
            elif op == "BatchNormalization":
                bn = self.bns[str(k)]
                xi = ins[0]
                if xi.dim() == 4:                # BatchNorm1d's parameters work on [N,C,H*W] too
                    y = bn(xi.flatten(2)).view_as(xi)
                else:
                    y = bn(xi)
            elif op == "Relu":
                y = F.relu(ins[0])
            elif op in ("AveragePool", "MaxPool"):
                xi = ins[0]
                ks = a["kernel_shape"]
                nsp = len(ks)
                begins, ends = conv_pads(a, nsp)
                strides = a.get("strides", [1] * nsp)
                if a.get("ceil_mode", 0) or any(d != 1 for d in a.get("dilations", [1] * nsp)):
                    raise ValueError(f"node '{n.name}': ceil_mode / dilations not supported")
                if op == "MaxPool":
                    if any(begins) or any(ends):
                        xi = F.pad(xi, torch_pad_arg(begins, ends), value=float("-inf"))
                    pool = F.max_pool1d if nsp == 1 else F.max_pool2d
                    y = pool(xi, ks, strides)
                else:
                    if any(begins) or any(ends):
                        if not a.get("count_include_pad", 0):
                            raise ValueError(f"node '{n.name}': padded AveragePool needs "
                                             "count_include_pad=1 here")
                        xi = F.pad(xi, torch_pad_arg(begins, ends))
                    pool = F.avg_pool1d if nsp == 1 else F.avg_pool2d
                    y = pool(xi, ks, strides)
            elif op == "GlobalAveragePool":
                y = ins[0].mean(dim=tuple(range(2, ins[0].dim())), keepdim=True)
            elif op == "Flatten":
                ax = a.get("axis", 1)
                y = ins[0].reshape(int(np.prod(ins[0].shape[:ax])), -1)
            elif op == "Reshape":
                shape = [int(s) for s in ins[1].tolist()]
                shape = [ins[0].shape[i] if s == 0 else s for i, s in enumerate(shape)]
                shape[0] = ins[0].shape[0]
                y = ins[0].reshape(shape)
            elif op == "Gemm":
                A, B = ins[0], ins[1]
                C = ins[2] if len(ins) > 2 else None
                if (a.get("transB", 0) and not a.get("transA", 0) and a.get("alpha", 1.0) == 1.0
                        and a.get("beta", 1.0) == 1.0 and (C is None or C.dim() == 1)):
                    env[n.output[0]] = F.linear(A, B, C)        # one fused addmm, as nn.Linear
                    continue
                if a.get("transA", 0):
                    A = A.t()
                y = A @ (B.t() if a.get("transB", 0) else B)
                if a.get("alpha", 1.0) != 1.0:
                    y = y * a["alpha"]
                if C is not None:
                    y = y + (C * a["beta"] if a.get("beta", 1.0) != 1.0 else C)
            elif op == "Add":
                y = ins[0] + ins[1]
            env[n.output[0]] = y
        return env[self.output_name]


# ------------------------------------------------------------------------------------------
# Independent numpy forward (float64, BN with running statistics)
# ------------------------------------------------------------------------------------------

def numpy_forward(model, x):
    env = {i.name: numpy_helper.to_array(i).astype(np.float64) for i in model.graph.initializer}
    inp = [i.name for i in model.graph.input if i.name not in env][0]
    env[inp] = x.astype(np.float64)
    for n in model.graph.node:
        a = attrs(n)
        ins = [env[i] if i else None for i in n.input]
        op = n.op_type
        if op == "Conv":
            xi, w = ins[0], ins[1]
            nsp = w.ndim - 2
            begins, ends = conv_pads(a, nsp)
            st = a.get("strides", [1] * nsp)
            dl = a.get("dilations", [1] * nsp)
            grp = a.get("group", 1)
            xp = np.pad(xi, [(0, 0), (0, 0)] + list(zip(begins, ends)))
            out_sp = [(xp.shape[2 + i] - dl[i] * (w.shape[2 + i] - 1) - 1) // st[i] + 1
                      for i in range(nsp)]
            cin_g, cout_g = w.shape[1], w.shape[0] // grp
            y = np.zeros((xi.shape[0], w.shape[0]) + tuple(out_sp))
            for gi in range(grp):
                xg = xp[:, gi * cin_g:(gi + 1) * cin_g]
                wg = w[gi * cout_g:(gi + 1) * cout_g]
                for kidx in itertools.product(*[range(s) for s in w.shape[2:]]):
                    sl = tuple(slice(kidx[i] * dl[i], kidx[i] * dl[i] + st[i] * (out_sp[i] - 1) + 1, st[i])
                               for i in range(nsp))
                    y[:, gi * cout_g:(gi + 1) * cout_g] += np.einsum(
                        "oc,nc...->no...", wg[(slice(None), slice(None)) + kidx], xg[(Ellipsis,) + sl])
            if len(ins) > 2 and ins[2] is not None:
                y += ins[2].reshape((1, -1) + (1,) * nsp)
        elif op == "BatchNormalization":
            xi, g, b, m, v = ins
            sh = (1, -1) + (1,) * (xi.ndim - 2)
            y = (xi - m.reshape(sh)) / np.sqrt(v.reshape(sh) + a.get("epsilon", 1e-5)) * g.reshape(sh) \
                + b.reshape(sh)
        elif op == "Relu":
            y = np.maximum(ins[0], 0.0)
        elif op in ("AveragePool", "MaxPool"):
            xi = ins[0]
            ks = a["kernel_shape"]
            nsp = len(ks)
            begins, ends = conv_pads(a, nsp)
            st = a.get("strides", [1] * nsp)
            fill = -np.inf if op == "MaxPool" else 0.0
            xp = np.pad(xi, [(0, 0), (0, 0)] + list(zip(begins, ends)), constant_values=fill)
            out_sp = [(xp.shape[2 + i] - ks[i]) // st[i] + 1 for i in range(nsp)]
            parts = [xp[(Ellipsis,) + tuple(slice(k[i], k[i] + st[i] * (out_sp[i] - 1) + 1, st[i])
                                            for i in range(nsp))]
                     for k in itertools.product(*[range(s) for s in ks])]
            y = np.max(parts, axis=0) if op == "MaxPool" else np.mean(parts, axis=0)
        elif op == "GlobalAveragePool":
            y = ins[0].mean(axis=tuple(range(2, ins[0].ndim)), keepdims=True)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = ins[0].reshape(int(np.prod(ins[0].shape[:ax])), -1)
        elif op == "Reshape":
            shape = [int(s) for s in ins[1]]
            shape = [ins[0].shape[i] if s == 0 else s for i, s in enumerate(shape)]
            shape[0] = ins[0].shape[0]
            y = ins[0].reshape(shape)
        elif op == "Gemm":
            A = ins[0].T if a.get("transA", 0) else ins[0]
            B = ins[1].T if a.get("transB", 0) else ins[1]
            y = a.get("alpha", 1.0) * (A @ B)
            if len(ins) > 2 and ins[2] is not None:
                y = y + a.get("beta", 1.0) * ins[2]
        elif op == "Add":
            y = ins[0] + ins[1]
        env[n.output[0]] = y
    return env[model.graph.output[0].name]


def compare(name, got, ref):
    err = float(np.abs(got - ref).max())
    scale = float(np.abs(ref).max())
    ok = err <= 1e-4 * max(scale, 1.0)
    print(f"forward check vs {name}: max abs err {err:.2e} (max |ref| {scale:.3g}) "
          f"{'PASS' if ok else 'FAIL'}")
    if not ok:
        sys.exit(1)


# ------------------------------------------------------------------------------------------
# Training
# ------------------------------------------------------------------------------------------

def load_xy(path):
    d = np.load(path)
    if "x" not in d or "y" not in d:
        sys.exit(f"{path}: needs arrays 'x' and 'y' (has {', '.join(d.files)})")
    return torch.from_numpy(d["x"].astype(np.float32)), torch.from_numpy(d["y"].astype(np.float32))


def evaluate_mae(net, x, y, batch=256):
    net.eval()
    with torch.no_grad():
        pred = torch.cat([net(x[i:i + batch]) for i in range(0, len(x), batch)])
    net.train()
    return float((pred - y).abs().mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=os.path.join(EXAMPLE, "seed_tcn.onnx"))
    ap.add_argument("--data", default=os.path.join(EXAMPLE, "data", "train.npz"))
    ap.add_argument("--val", default=os.path.join(EXAMPLE, "data", "val.npz"),
                    help="validation npz for the MAE printed after each epoch ('' to skip)")
    ap.add_argument("--epochs", type=int, default=2, help="0: only check the forward")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--compare", help="npz with inputs 'x' and expected outputs 'out'")
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = onnx.load(args.model)
    check_ops(model, args.model)
    net = OnnxModule(model)
    x, y = load_xy(args.data)
    in_shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    if list(x.shape[1:]) != in_shape[1:]:
        sys.exit(f"{args.data}: x has shape {list(x.shape)}, model input is {in_shape}")
    n_params = sum(p.numel() for p in net.parameters())
    print(f"model {args.model}: {len(model.graph.node)} nodes, {n_params} trainable parameters; "
          f"data {args.data}: x {list(x.shape)}, y {list(y.shape)}")

    net.eval()
    with torch.no_grad():
        compare("numpy ONNX forward", net(x[:16]).numpy(), numpy_forward(model, x[:16].numpy()))
        if args.compare:
            ref = np.load(args.compare)
            compare(args.compare, net(torch.from_numpy(ref["x"].astype(np.float32))).numpy(), ref["out"])
    net.train()
    if args.epochs <= 0:
        return                              # --epochs 0: forward checks only

    xv = yv = None
    if args.val and os.path.exists(args.val):
        xv, yv = load_xy(args.val)
        print(f"val MAE before training (BN running stats of the seed): {evaluate_mae(net, xv, yv):.2f} BPM")

    load = os.getloadavg()[0]
    print(f"load average before timing: {load:.2f} on {os.cpu_count()} CPUs"
          + ("  WARNING: the machine is busy; OpenMP threads that share cores with other jobs make "
             "torch several times slower, so this timing is not a valid baseline"
             if load > 0.5 else ""), flush=True)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed)
    n = len(x)
    times = []
    for epoch in range(args.epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        total, seen = 0.0, 0
        for i in range(0, n, args.batch):
            idx = perm[i:i + args.batch]
            if len(idx) < 2:
                break                       # BatchNorm in training mode needs > 1 sample
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            loss = F.mse_loss(net(xb), yb)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
            seen += len(idx)
        dt = time.perf_counter() - t0
        times.append(dt)
        line = (f"epoch {epoch + 1}: {dt:.2f} s, {seen / dt:.0f} samples/s, "
                f"train MSE {total / seen:.1f}")
        if xv is not None:
            line += f", val MAE {evaluate_mae(net, xv, yv):.2f} BPM"
        print(line, flush=True)

    print(f"torch {torch.__version__}, {args.threads} threads, batch {args.batch}, {seen} samples/epoch, "
          f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"torch_epoch_seconds={times[0]:.3f}")
    print(f"torch_samples_per_second={seen / times[0]:.1f}")
    if len(times) > 1:
        print(f"torch_warm_epoch_seconds={times[1]:.3f}")
        print(f"torch_warm_samples_per_second={seen / times[1]:.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"torch_version": torch.__version__, "threads": args.threads,
                       "batch": args.batch, "lr": args.lr, "samples_per_epoch": seen,
                       "model": args.model, "data": args.data, "epoch_seconds": times,
                       "load_average_before": load}, f, indent=1)


if __name__ == "__main__":
    main()
