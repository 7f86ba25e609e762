#!/usr/bin/python3
"""Writes the benchmark model zoo: five float32 TinyML networks as ONNX, plus reference data.

    /usr/bin/python3 bench/zoo/make_zoo.py [--out DIR] [--only NAME,...] [--fold-bn-in-exporter]

Needs Debian's python3-torch, python3-onnx and python3-numpy (apt-get install python3-torch
python3-onnx). For each model NAME it writes, into DIR (default bench/zoo/models/):

    NAME.onnx   opset 13, batch 1, static shapes, graph input "input", output "output"
    NAME.npz    "input": one seeded input in the model's realistic range,
                "output": what torch computes for it (float32)

and prints a table of parameters, MACs and file sizes (also written to DIR/manifest.tsv, which
bench/zoo/run_zoo.sh reads). Everything is deterministic: each model has its own torch seed, so
with the same torch the files are byte-identical from run to run (about 2 s for all five).

The models follow the MLPerf Tiny v1.x reference networks (ResNet-8 for CIFAR-10, DS-CNN for
keyword spotting, MobileNetV1-0.25 for visual wake words, the anomaly-detection dense
autoencoder) plus a TEMPONet-like dilated TCN for PPG heart-rate estimation. None is trained;
they are made "trained-looking" instead:

* conv / linear weights: He-normal (fan-in) init, so every layer keeps its signal;
* every BatchNorm gets a seeded random affine (weight in [0.6, 1.4], bias ~ N(0, 0.15)) and
  running statistics measured on a seeded batch of realistic inputs (then jittered), so its
  running_mean / running_var are far from the 0 / 1 defaults and BN folding has real work,
  while activations stay normalised (the script checks that every intermediate value stays
  below ACTIVATION_LIMIT in magnitude, and below NORMALIZED_LIMIT after BN / ReLU);
* the networks end at the logits (no softmax): outputs are compared value by value.

BatchNormalization nodes are kept in the ONNX graphs (export with TrainingMode.PRESERVE on a
model in eval mode, which is inference semantics: opset 13 BatchNormalization has no training
mode). torch's TrainingMode.EVAL export would fold Conv+BN itself, leaving dnnopt's
fold-batchnorm pass nothing to do for convolutions; --fold-bn-in-exporter gives that variant.

MACs count Conv, Gemm and MatMul multiply-accumulates only (as performance-anchors.md does),
from the module shapes: Conv = output elements x (Cin / groups) x kernel taps, Linear = in x out.
"params" are torch's trainable parameters (BatchNorm weight and bias included); "deployed" are
the weights plus one bias per output channel left after BatchNorm folding. "torch f32 vs f64"
is max |y_f32 - y_f64| / max |y_f64| of torch's own float32 output: compiled code cannot be
expected to agree with torch much better than that (the autoencoder's raw dB-scale input makes it
the worst-conditioned, ~2e-5).
"""
import argparse
import copy
import hashlib
import io
import math
import os
import sys
import time
import warnings

import numpy as np
import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = 13
ACTIVATION_LIMIT = 1000.0   # any module output (convs fed by raw features included)
NORMALIZED_LIMIT = 50.0     # outputs of BatchNorm / ReLU / ReLU6 / residual stacks
CALIBRATION_BATCH = 64


# ----------------------------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------------------------

def conv_bn_relu(cin, cout, k, stride=1, padding=0, groups=1, bias=False, act=nn.ReLU):
    layers = [nn.Conv2d(cin, cout, k, stride=stride, padding=padding, groups=groups, bias=bias),
              nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class ResidualStack(nn.Module):
    """MLPerf Tiny ResNet-8 stack: conv3x3-BN-ReLU, conv3x3-BN, + shortcut, ReLU.
    The shortcut is the identity when shapes match, else a strided 1x1 conv (no BN, as in the
    MLPerf reference)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv_bn_relu(cin, cout, 3, stride=stride, padding=1)
        self.conv2 = conv_bn_relu(cout, cout, 3, padding=1, act=None)
        self.shortcut = (nn.Conv2d(cin, cout, 1, stride=stride) if (cin != cout or stride != 1)
                         else nn.Identity())
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.conv2(self.conv1(x)) + self.shortcut(x))


class ResNet8(nn.Module):
    """MLPerf Tiny image classification: 32x32x3 CIFAR-10, 10 classes."""

    def __init__(self):
        super().__init__()
        self.stem = conv_bn_relu(3, 16, 3, padding=1)
        self.stack1 = ResidualStack(16, 16, 1)
        self.stack2 = ResidualStack(16, 32, 2)
        self.stack3 = ResidualStack(32, 64, 2)
        self.pool = nn.AvgPool2d(8)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.stack3(self.stack2(self.stack1(self.stem(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


class DSCNN(nn.Module):
    """MLPerf Tiny keyword spotting DS-CNN (small): 49x10 MFCC, 12 classes.
    The first conv is 10x4 stride 2 with TensorFlow 'same' padding (top 4, bottom 5, left 1,
    right 1): an explicit Pad node before the Conv. Convolutions keep their biases (Keras
    default) in front of BatchNorm."""

    def __init__(self, channels=64, blocks=4):
        super().__init__()
        self.pad = nn.ZeroPad2d((1, 1, 4, 5))
        self.conv = conv_bn_relu(1, channels, (10, 4), stride=2, bias=True)
        layers = []
        for _ in range(blocks):
            layers.append(conv_bn_relu(channels, channels, 3, padding=1, groups=channels, bias=True))
            layers.append(conv_bn_relu(channels, channels, 1, bias=True))
        self.blocks = nn.Sequential(*layers)
        self.pool = nn.AvgPool2d((25, 5))
        self.fc = nn.Linear(channels, 12)

    def forward(self, x):
        x = self.blocks(self.conv(self.pad(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


class MobileNetV1(nn.Module):
    """MobileNetV1 (ReLU6, BN after every conv), width multiplier alpha; MLPerf Tiny visual wake
    words uses alpha 0.25 at 96x96x3 with 2 classes."""

    # (output channels at alpha 1, stride) of the 13 depthwise-separable blocks
    BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
              (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]

    def __init__(self, alpha=0.25, classes=2):
        super().__init__()
        c = int(32 * alpha)
        layers = [conv_bn_relu(3, c, 3, stride=2, padding=1, act=nn.ReLU6)]
        for cout, stride in self.BLOCKS:
            cout = int(cout * alpha)
            layers.append(conv_bn_relu(c, c, 3, stride=stride, padding=1, groups=c, act=nn.ReLU6))
            layers.append(conv_bn_relu(c, cout, 1, act=nn.ReLU6))
            c = cout
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)  # GlobalAveragePool
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


class AutoEncoder(nn.Module):
    """MLPerf Tiny anomaly detection (ToyADMOS): 5 frames x 128 log-mel bins = 640 in and out;
    FC+BN+ReLU 128 x4, bottleneck 8, FC+BN+ReLU 128 x4, FC 640."""

    def __init__(self, dim=640, hidden=128, bottleneck=8):
        super().__init__()
        sizes = [dim, hidden, hidden, hidden, hidden, bottleneck, hidden, hidden, hidden, hidden]
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.BatchNorm1d(b), nn.ReLU()]
        layers.append(nn.Linear(hidden, dim))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def conv1d_bn_relu(cin, cout, k, dilation=1, stride=1):
    pad = dilation * (k - 1) // 2  # non-causal 'same' padding, as TEMPONet
    return nn.Sequential(nn.Conv1d(cin, cout, k, stride=stride, padding=pad, dilation=dilation,
                                   bias=False),
                         nn.BatchNorm1d(cout), nn.ReLU())


class TCN(nn.Module):
    """TEMPONet-like dilated TCN for PPG heart rate (PPG-Dalia: 4 channels = PPG + 3-axis
    acceleration, 8 s windows at 32 Hz = 256 samples). Three blocks, each two dilated k=3
    convolutions (dilation 2, 4, 8) and one k=5 (block 3: k=3 stride 4) convolution, all
    Conv1d+BN+ReLU, with 2-wide average pooling after each block; then FC+BN+ReLU 512->128->64
    and a linear neuron giving the heart rate (one output)."""

    def __init__(self):
        super().__init__()
        self.block1 = nn.Sequential(conv1d_bn_relu(4, 32, 3, dilation=2),
                                    conv1d_bn_relu(32, 32, 3, dilation=2),
                                    conv1d_bn_relu(32, 64, 5), nn.AvgPool1d(2))        # 256 -> 128
        self.block2 = nn.Sequential(conv1d_bn_relu(64, 64, 3, dilation=4),
                                    conv1d_bn_relu(64, 64, 3, dilation=4),
                                    conv1d_bn_relu(64, 128, 5), nn.AvgPool1d(2))       # 128 -> 64
        self.block3 = nn.Sequential(conv1d_bn_relu(128, 128, 3, dilation=8),
                                    conv1d_bn_relu(128, 128, 3, dilation=8),
                                    conv1d_bn_relu(128, 64, 3, stride=4), nn.AvgPool1d(2))  # 64 -> 8
        self.regressor = nn.Sequential(nn.Linear(64 * 8, 128), nn.BatchNorm1d(128), nn.ReLU(),
                                       nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(),
                                       nn.Linear(64, 1))

    def forward(self, x):
        x = self.block3(self.block2(self.block1(x)))
        return self.regressor(torch.flatten(x, 1))


# ----------------------------------------------------------------------------------------------
# Realistic inputs (g: a torch.Generator; n: batch size)
# ----------------------------------------------------------------------------------------------

def smooth_images(g, n, size):
    """Natural-looking RGB images in [0, 1]: low-frequency noise plus a little pixel noise."""
    coarse = torch.rand(n, 3, size // 8, size // 8, generator=g)
    img = nn.functional.interpolate(coarse, size=(size, size), mode="bilinear", align_corners=False)
    img = img + 0.05 * torch.randn(n, 3, size, size, generator=g)
    return img.clamp(0.0, 1.0)


def mfcc_features(g, n):
    """49 frames x 10 MFCCs: coefficient 0 (log energy) large and mostly negative, higher
    coefficients smaller, slowly varying over time."""
    scale = torch.tensor([12.0, 6.0, 4.0, 3.0, 2.5, 2.0, 1.7, 1.5, 1.3, 1.2])
    offset = torch.zeros(10)
    offset[0] = -20.0
    base = torch.randn(n, 1, 13, 10, generator=g)
    base = nn.functional.interpolate(base, size=(49, 10), mode="bilinear", align_corners=False)
    return base * scale + offset + 0.3 * torch.randn(n, 1, 49, 10, generator=g)


def logmel_frames(g, n):
    """5 consecutive frames of 128 log-mel bins (dB-like, mostly between -60 and 0)."""
    spectrum = -35.0 + 12.0 * torch.randn(n, 1, 128, generator=g)
    spectrum = nn.functional.avg_pool1d(spectrum, 5, stride=1, padding=2, count_include_pad=False)
    frames = spectrum.expand(n, 5, 128) + 3.0 * torch.randn(n, 5, 128, generator=g)
    return frames.reshape(n, 640)


def ppg_windows(g, n):
    """8 s at 32 Hz: a normalised PPG wave at 1-3 Hz with its harmonic, and three accelerometer
    axes in g (gravity plus motion)."""
    t = torch.arange(256, dtype=torch.float32) / 32.0
    hr = 1.0 + 2.0 * torch.rand(n, 1, generator=g)
    phase = 2 * math.pi * torch.rand(n, 1, generator=g)
    ppg = torch.sin(2 * math.pi * hr * t + phase) + 0.3 * torch.sin(4 * math.pi * hr * t + 2 * phase)
    ppg = ppg + 0.1 * torch.randn(n, 256, generator=g)
    gravity = nn.functional.normalize(torch.randn(n, 3, 1, generator=g), dim=1)
    step = 1.0 + torch.rand(n, 1, 1, generator=g)
    motion = 0.3 * torch.rand(n, 3, 1, generator=g) * torch.sin(2 * math.pi * step * t)
    acc = gravity + motion + 0.02 * torch.randn(n, 3, 256, generator=g)
    return torch.cat([ppg.unsqueeze(1), acc], dim=1)


MODELS = {
    # name: (constructor, input shape, input generator, seed)
    "resnet8": (ResNet8, (1, 3, 32, 32), lambda g, n: smooth_images(g, n, 32), 1),
    "dscnn": (DSCNN, (1, 1, 49, 10), mfcc_features, 2),
    "mobilenetv1_025": (MobileNetV1, (1, 3, 96, 96), lambda g, n: smooth_images(g, n, 96), 3),
    "autoencoder": (AutoEncoder, (1, 640), logmel_frames, 4),
    "tcn": (TCN, (1, 4, 256), ppg_windows, 5),
}


# ----------------------------------------------------------------------------------------------
# Weights, statistics, export
# ----------------------------------------------------------------------------------------------

def make_trained_looking(model, calibration, g):
    """He-normal weights, small biases, random BN affine, BN running stats measured on
    `calibration` (train-mode forward, cumulative average) and then jittered."""
    bns = []
    for m in model.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Linear)):
            fan_in = m.weight[0].numel()
            with torch.no_grad():
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * math.sqrt(2.0 / fan_in))
                if m.bias is not None:
                    m.bias.copy_(0.05 * torch.randn(m.bias.shape, generator=g))
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            with torch.no_grad():
                m.weight.copy_(0.6 + 0.8 * torch.rand(m.weight.shape, generator=g))
                m.bias.copy_(0.15 * torch.randn(m.bias.shape, generator=g))
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the calibration forward
            bns.append(m)
    model.train()
    with torch.no_grad():
        model(calibration)
    model.eval()
    with torch.no_grad():
        for m in bns:
            m.running_var.clamp_(min=1e-3)
            m.running_var.mul_(torch.exp(0.1 * torch.randn(m.running_var.shape, generator=g)))
            m.running_mean.add_(0.05 * m.running_var.sqrt() * torch.randn(m.running_mean.shape, generator=g))
            m.momentum = 0.1


def count(model, x):
    """(MACs of Conv/Linear, largest |value| of any module output, largest |value| after
    normalisation: BN, ReLU, ReLU6, residual stacks) for one forward."""
    macs = [0]
    peak = [0.0]
    peak_normalized = [0.0]
    normalizing = (nn.BatchNorm1d, nn.BatchNorm2d, nn.ReLU, nn.ReLU6, ResidualStack)

    def hook(m, inputs, out):
        if isinstance(m, (nn.Conv1d, nn.Conv2d)):
            macs[0] += out.numel() * (m.in_channels // m.groups) * math.prod(m.kernel_size)
        elif isinstance(m, nn.Linear):
            macs[0] += out.numel() // m.out_features * m.in_features * m.out_features
        if isinstance(out, torch.Tensor):
            peak[0] = max(peak[0], out.abs().max().item())
            if isinstance(m, normalizing):
                peak_normalized[0] = max(peak_normalized[0], out.abs().max().item())

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return macs[0], peak[0], peak_normalized[0]


def deployed_params(model):
    n = 0
    for m in model.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Linear)):
            n += m.weight.numel() + m.weight.shape[0]
    return n


def export(model, x, fold_bn):
    f = io.BytesIO()
    mode = torch.onnx.TrainingMode.EVAL if fold_bn else torch.onnx.TrainingMode.PRESERVE
    with warnings.catch_warnings():
        # PRESERVE + constant folding warns about training-mode models; ours is in eval mode.
        warnings.simplefilter("ignore")
        torch.onnx.export(model, x, f, opset_version=OPSET, do_constant_folding=True, training=mode,
                          input_names=["input"], output_names=["output"])
    proto = onnx.load_from_string(f.getvalue())
    onnx.checker.check_model(proto, full_check=True)
    return f.getvalue(), proto


def build(name, out_dir, fold_bn):
    ctor, shape, make_input, seed = MODELS[name]
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    model = ctor()
    calibration = make_input(g, CALIBRATION_BATCH)
    make_trained_looking(model, calibration, g)
    x = make_input(g, 1).reshape(shape).contiguous()
    macs, peak, peak_normalized = count(model, x)
    with torch.no_grad():
        y = model(x)
    if not torch.isfinite(y).all() or peak > ACTIVATION_LIMIT or peak_normalized > NORMALIZED_LIMIT:
        raise SystemExit(f"{name}: activations out of range (peak |a| = {peak:.3g}, "
                         f"after normalisation {peak_normalized:.3g})")
    with torch.no_grad():  # float32 rounding in torch itself: a floor for the comparisons
        y64 = copy.deepcopy(model).double()(x.double())
    f32_err = ((y.double() - y64).abs().max() / y64.abs().max()).item()
    data, proto = export(model, x, fold_bn)
    assert [i.name for i in proto.graph.input] == ["input"], "unexpected graph inputs"
    assert [o.name for o in proto.graph.output] == ["output"], "unexpected graph outputs"
    onnx_path = os.path.join(out_dir, name + ".onnx")
    with open(onnx_path, "wb") as f:
        f.write(data)
    np.savez(os.path.join(out_dir, name + ".npz"), input=x.numpy().astype(np.float32),
             output=y.numpy().astype(np.float32))
    return {
        "name": name,
        "input": "x".join(map(str, shape)),
        "params": sum(p.numel() for p in model.parameters()),
        "deployed": deployed_params(model),
        "macs": macs,
        "bytes": len(data),
        "nodes": len(proto.graph.node),
        "peak": peak,
        "peak_normalized": peak_normalized,
        "out_absmax": y.abs().max().item(),
        "f32_err": f32_err,
        "sha": hashlib.sha256(data).hexdigest()[:12],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "models"), help="output folder")
    ap.add_argument("--only", default="", help="comma-separated model names (default: all)")
    ap.add_argument("--fold-bn-in-exporter", action="store_true",
                    help="export with TrainingMode.EVAL: torch folds Conv+BN itself")
    args = ap.parse_args()
    names = [n for n in args.only.split(",") if n] or list(MODELS)
    for n in names:
        if n not in MODELS:
            ap.error(f"unknown model '{n}' (known: {', '.join(MODELS)})")
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    print("| model | input | params | deployed params | MACs | ONNX bytes | nodes | peak abs activation "
          "(after BN/ReLU) | max abs output | torch f32 vs f64 | sha256 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    total, t0, rows = 0, time.monotonic(), []
    for n in names:
        r = build(n, args.out, args.fold_bn_in_exporter)
        total += r["bytes"]
        rows.append(r)
        print(f"| {r['name']} | {r['input']} | {r['params']:,} | {r['deployed']:,} | {r['macs']:,} "
              f"| {r['bytes']:,} | {r['nodes']} | {r['peak']:.3g} ({r['peak_normalized']:.3g}) "
              f"| {r['out_absmax']:.3g} | {r['f32_err']:.2g} | {r['sha']} |",
              flush=True)
    # Exact counts for run_zoo.sh (dnnopt's own summary rounds them).
    manifest = os.path.join(args.out, "manifest.tsv")
    keys = ["name", "input", "params", "deployed", "macs", "bytes", "f32_err"]
    lines = {r["name"]: "\t".join(f"{r[k]:.3g}" if k == "f32_err" else str(r[k]) for k in keys)
             for r in rows}
    if os.path.exists(manifest):  # --only: keep the other models' rows
        with open(manifest) as f:
            for line in f.read().splitlines()[1:]:
                lines.setdefault(line.split("\t")[0], line)
    with open(manifest, "w") as f:
        f.write("\t".join(keys) + "\n")
        for n in [n for n in MODELS if n in lines]:
            f.write(lines[n] + "\n")
    print(f"\n{len(names)} models, {total:,} ONNX bytes in {args.out} ({time.monotonic() - t0:.1f} s)")


if __name__ == "__main__":
    sys.exit(main())
