//===- CortexMModel.h - Cortex-M cycle model constants ---------*- C++ -*-===//
//
// The one table of constants of the `cortex_m4` / `cortex_m7` latency models.
// The Cortex-M4 float32 row and the int8 conv / linear rows are CALIBRATED on measured
// per-layer instruction counts (bench/zoo/calibrate.sh). Every other figure is DERIVED FROM FIRST PRINCIPLES
// (instruction counts of the CMSIS-NN style inner loops, see docs/targets.md
// "Cortex-M") until the int8 kernels and a Cortex-M7 can be measured.
//
// Calibration hook: when the C backend's QEMU benchmark (bench/) produces
// per-layer instruction/cycle counts, fit each row with
//   hw::fitLinearCycles(samples)            (dialects/hw/Calibration.h)
// on samples {MACs, outputs, measured cycles} of one (core, precision, layer
// class), and paste the fitted {perMac, perOutput, perCall} here; the fit also
// returns R^2 and the worst relative error per layer, which the calibration
// note must quote. Elementwise / pooling rows are fitted the same way with
// `perMac` standing for cycles per element of work and `perOutput` = 0.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_DIALECTS_HW_CORTEXMMODEL_H
#define DNNOPT_DIALECTS_HW_CORTEXMMODEL_H

namespace dnnopt::hw {

/// cycles = perMac * MACs + perOutput * output elements + perCall.
struct LinearCycles {
  double perMac = 0, perOutput = 0, perCall = 0;
};

/// Ops without MACs: cycles = perElement[kind] * work / parallel + perCall, where
/// work is the op's element count (pooling: output elements x window size).
struct AuxCycles {
  double pool = 0;        ///< per window element read
  double elementwise = 0; ///< per output element (add, relu, clip, batch norm, quantize...)
  double nonlinear = 0;   ///< per output element (exp, sigmoid, tanh, softmax, div...)
  double reduce = 0;      ///< per input element
  double copy = 0;        ///< per element moved (transpose, concat, slice, pad, resize...)
  double perCall = 0;     ///< per op
};

/// One precision of one core. `aBits` = 32 with `wBits` = 32 is float32.
struct CortexMRow {
  int aBits, wBits;
  LinearCycles conv, depthwise, linear;
  AuxCycles aux;
};

// Cortex-M4 (STM32L4, 120 MHz; 3-stage pipeline, no dual issue, single-cycle
// SMLAD, 2-cycle LDR, FPU VFMA 3 cycles, zero-wait flash through the ART cache).
//  int8: SMLAD peaks at 2 MAC/cycle (0.5 cycle/MAC); operand loads plus the
//    SXTB16 unpacking of int8 weights and the im2col copy cost about 1 more
//    cycle per MAC -> 1.5 (conv), 1.0 (fully connected: no im2col, one
//    activation word reused over 2 rows), 2.5 (depthwise: no reuse across
//    output channels, short inner loops). perOutput: bias + requantization
//    (SMULL, rounding shift, clamp, store) ~ 12 cycles. perCall: function entry,
//    argument checks, loop setup.
//  int8 activations with 4 / 2-bit weights: + 0.5 / + 0.75 cycle per MAC for
//    the shift-and-mask unpacking of packed weights.
//  float32 (first-principles estimate, replaced by the calibrated row below):
//    VFMA 3 cycles + 2 VLDR -> 5 cycles/MAC conv and depthwise, 4.5 fully connected.
inline constexpr CortexMRow kCortexM4Rows[] = {
    // int8: conv and linear CALIBRATED on the generated int8 code of the PyTorch-quantized
    // zoo (`MODELS_DIR=bench/zoo/qmodels SUFFIX=_qdq PRECISION=a8w8 bench/zoo/calibrate.sh`:
    // conv R2 0.963 over 37 layers, linear 1.000 over 16); depthwise and the aux costs keep
    // their first-principles values (their fits were worse, see docs/targets.md). 4 / 2-bit
    // weights: the int8 fit times the measured unpacking overhead of the dnn_sub kernels
    // (1.01-1.09x and up to 1.10x for conv, bench/zoo/run_bits.sh), plus the derived
    // +0.5 / +0.75 cycle per MAC for depthwise.
    {8, 8, {0.923, 18.22, 0}, {2.5, 12, 200}, {1.291, 29.01, 411}, {2.0, 3.0, 20.0, 2.0, 1.0, 50}},
    {8, 4, {0.97, 18.22, 0}, {3.0, 12, 200}, {1.36, 29.01, 411}, {2.0, 3.0, 20.0, 2.0, 1.0, 50}},
    {8, 2, {1.02, 18.22, 0}, {3.25, 12, 200}, {1.42, 29.01, 411}, {2.0, 3.0, 20.0, 2.0, 1.0, 50}},
    // Packed 4 / 2-bit activations (runtime/dnn_pk.c: a band of rows unpacked, the int8 or
    // sub-byte-weight kernel run on it, the outputs packed): the rows above times factors
    // DERIVED from whole-network instruction ratios (`bench/zoo/run_bits.sh`, 2026-12-06):
    // a4w8 / a8w8 = 1.18 (ResNet-8), 1.09 (TCN), 1.42 (DS-CNN, whose depthwise layers
    // take 1.77x); a4w4 / a8w4 = 1.32, 1.22, 2.2 -> conv x1.15 (8-bit weights) / x1.3,
    // depthwise x1.8 / x2.5, fully connected x1.1; per-output and per-call costs unchanged.
    {4, 8, {1.061, 18.22, 0}, {4.5, 12, 200}, {1.42, 29.01, 411}, {2.0, 3.0, 20.0, 2.0, 1.0, 50}},
    {4, 4, {1.261, 18.22, 0}, {7.5, 12, 200}, {1.496, 29.01, 411}, {2.0, 3.0, 20.0, 2.0, 1.0, 50}},
    {4, 2, {1.326, 18.22, 0}, {8.125, 12, 200}, {1.562, 29.01, 411}, {2.0, 3.0, 20.0, 2.0, 1.0, 50}},
    {2, 8, {1.061, 18.22, 0}, {4.5, 12, 200}, {1.42, 29.01, 411}, {2.0, 3.0, 20.0, 2.0, 1.0, 50}},
    {2, 4, {1.261, 18.22, 0}, {7.5, 12, 200}, {1.496, 29.01, 411}, {2.0, 3.0, 20.0, 2.0, 1.0, 50}},
    {2, 2, {1.326, 18.22, 0}, {8.125, 12, 200}, {1.562, 29.01, 411}, {2.0, 3.0, 20.0, 2.0, 1.0, 50}},
    // float32: CALIBRATED (bench/zoo/calibrate.sh, 79 layers of the five zoo models,
    // relative least squares): executed instructions of dnnopt's generated code under
    // QEMU -icount shift=0 (see docs/targets.md for the fit quality and for why these
    // are instructions, a lower bound on silicon cycles). Nonlinear / reduce / copy had
    // no samples in the zoo and keep their first-principles values.
    {32, 32, {1.635, 10.12, 29417}, {2.177, 0, 46272}, {2.329, 15.72, 263}, {10.27, 7.75, 60.0, 3.0, 1.0, 257}},
};

// Cortex-M7 (STM32H7, 480 MHz; 6-stage dual-issue pipeline, 64-bit loads,
// pipelined FPU with 1 VFMA per cycle, L1 I/D caches, weights in flash behind
// the D-cache): loads dual-issue with SMLAD, so int8 approaches 1.25 MAC/cycle.
inline constexpr CortexMRow kCortexM7Rows[] = {
    {8, 8, {0.8, 8, 150}, {1.5, 8, 150}, {0.6, 6, 80}, {1.0, 1.5, 10.0, 1.0, 0.5, 40}},
    {8, 4, {1.1, 8, 150}, {1.8, 8, 150}, {0.9, 6, 80}, {1.0, 1.5, 10.0, 1.0, 0.5, 40}},
    {8, 2, {1.3, 8, 150}, {2.0, 8, 150}, {1.1, 6, 80}, {1.0, 1.5, 10.0, 1.0, 0.5, 40}},
    // packed 4 / 2-bit activations: the Cortex-M4 factors above, not measured on an M7
    {4, 8, {0.92, 8, 150}, {2.7, 8, 150}, {0.66, 6, 80}, {1.0, 1.5, 10.0, 1.0, 0.5, 40}},
    {4, 4, {1.43, 8, 150}, {4.5, 8, 150}, {0.99, 6, 80}, {1.0, 1.5, 10.0, 1.0, 0.5, 40}},
    {4, 2, {1.69, 8, 150}, {5.0, 8, 150}, {1.21, 6, 80}, {1.0, 1.5, 10.0, 1.0, 0.5, 40}},
    {2, 8, {0.92, 8, 150}, {2.7, 8, 150}, {0.66, 6, 80}, {1.0, 1.5, 10.0, 1.0, 0.5, 40}},
    {2, 4, {1.43, 8, 150}, {4.5, 8, 150}, {0.99, 6, 80}, {1.0, 1.5, 10.0, 1.0, 0.5, 40}},
    {2, 2, {1.69, 8, 150}, {5.0, 8, 150}, {1.21, 6, 80}, {1.0, 1.5, 10.0, 1.0, 0.5, 40}},
    {32, 32, {1.5, 4, 120}, {2.0, 4, 120}, {1.25, 4, 80}, {1.5, 2.0, 25.0, 1.5, 0.5, 40}},
};

// Models without a published cost for ops other than conv / linear: per-core
// estimates for RISC-V (RI5CY-class) cores, used by `throughput` units and the
// GAP8 cluster (divided by the unit's cores). Not measured either.
inline constexpr AuxCycles kRiscvAuxCycles = {2.0, 3.0, 30.0, 2.0, 1.0, 20};
inline constexpr AuxCycles kGap8ClusterAuxCycles = {2.0, 3.0, 30.0, 2.0, 1.0, 100};

} // namespace dnnopt::hw

#endif
