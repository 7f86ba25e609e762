// RUN: dnnopt-opt %s -dnnopt-annotate-cost=target=stm32l4 | FileCheck %s --check-prefix=L4
// RUN: dnnopt-opt %s -dnnopt-annotate-cost=target=stm32h7 | FileCheck %s --check-prefix=H7
// RUN: dnnopt-opt %s -dnnopt-annotate-cost=target=gap8 | FileCheck %s --check-prefix=GAP8
// RUN: dnnopt-opt %s -dnnopt-annotate-cost=target=diana | FileCheck %s --check-prefix=DIANA
// RUN: dnnopt-opt %s "-dnnopt-annotate-cost=target=mpic precision=a4w2" | FileCheck %s --check-prefix=MPIC
// RUN: dnnopt-opt %s "-dnnopt-annotate-cost=target-file=%S/Inputs/tiny_mcu.hwt" | FileCheck %s --check-prefix=FILE
// The annotated IR parses back (the module now carries its target).
// RUN: dnnopt-opt %s -dnnopt-annotate-cost=target=gap8 | dnnopt-opt -dnnopt-annotate-cost | FileCheck %s --check-prefix=GAP8

// Every figure below is computed by hand in the comments from the formulas of
// docs/targets.md. Layers: conv 16->32 3x3 on 16x16 (MACs 16*16*9*16*32 =
// 1179648, 4608 weights, activations 4096 + 8192 bytes at a8); depthwise 3x3
// on 32 channels (MACs 73728, 288 weights); 2x2 max pool (work 2048 outputs x 4
// = 8192); fc 2048 -> 10 with bias (MACs 20480, 20480 weights + 10 x 4-byte bias).

// Cortex-M4 a8w8 (conv and fc rows calibrated): conv 0.923 MAC + 18.22 out =
// 1088815.104 + 149258.24; dw 2.5 MAC + 12 out + 200; pool 2 per window element + 50;
// fc 1.291 MAC + 29.01 out + 411 = 26439.68 + 290.1 + 411. 12.3 mW at 120 MHz.
// Total: (1238073.344 + 282824 + 16434 + 27140.78) / 120000 = 13.0372677 ms.
// L4: module attributes {dnnopt.cost_summary = #hw.summary<layers = 4, macs = 1273856, param_bytes = 25416, latency_ms = 13.0372677, energy_uj = 160.35839271>, dnnopt.target = #hw.target<name = "stm32l4"
// L4: dnn.conv {{.*}}dnnopt.cost = #hw.cost<unit = "cpu", a = 8, w = 8, macs = 1179648, param_bytes = 4608, act_bytes = 12288, cycles = 1238073.344, latency_ms = 10.3172778667, energy_uj = 126.90251776>
// L4: dnn.conv {{.*}}dnnopt.cost = #hw.cost<unit = "cpu", a = 8, w = 8, macs = 73728, param_bytes = 288, act_bytes = 16384, cycles = 282824,
// L4: dnn.max_pool {{.*}}dnnopt.cost = #hw.cost<unit = "cpu", a = 8, w = 8, macs = 0, param_bytes = 0, act_bytes = 10240, cycles = 16434,
// L4-NOT: dnn.reshape {{.*}}dnnopt.cost
// L4: dnn.gemm {{.*}}dnnopt.cost = #hw.cost<unit = "cpu", a = 8, w = 8, macs = 20480, param_bytes = 20520, act_bytes = 2058, cycles = 27140.78,

// Cortex-M7 a8w8: conv 0.8 MAC + 8 out + 150; dw 1.5 MAC; pool 1.0 + 40; fc 0.6 MAC + 6 out + 80.
// H7: dnn.conv {{.*}}#hw.cost<unit = "cpu", a = 8, w = 8, macs = 1179648, {{.*}}cycles = 1009404.4,
// H7: dnn.conv {{.*}}#hw.cost<unit = "cpu", {{.*}}cycles = 176278,
// H7: dnn.max_pool {{.*}}#hw.cost<unit = "cpu", {{.*}}cycles = 8232,
// H7: dnn.gemm {{.*}}#hw.cost<unit = "cpu", {{.*}}cycles = 12428,

// GAP8. conv on the cluster: iter = ceil(16/2) ceil(16/8) = 16; per iter
// 2*9*16 + ceil(32/4) (5 + 14 ceil(144/4) + 10) = 288 + 8*519 = 4440 -> 71040
// cycles at 175 MHz (the FC at 2 MAC/cycle would need 589824 at 250 MHz).
// dw: cluster 4 ceil(32/4) 16*16*9 = 73728 cycles at 175 MHz = 0.42 ms; the FC,
// 73728/2 = 36864 cycles at 250 MHz = 0.147 ms, is faster. pool on the cluster:
// 8192 * 2 / 8 cores + 100 = 2148. fc: ceil(2048/2) ceil(10/4) = 3072.
// GAP8: dnn.conv {{.*}}#hw.cost<unit = "cluster", a = 8, w = 8, macs = 1179648, {{.*}}cycles = 71040, latency_ms = 0.405942857143, energy_uj = 32.4754285714>
// GAP8: dnn.conv {{.*}}#hw.cost<unit = "fc", {{.*}}cycles = 36864, latency_ms = 0.147456,
// GAP8: dnn.max_pool {{.*}}#hw.cost<unit = "cluster", {{.*}}cycles = 2148,
// GAP8: dnn.gemm {{.*}}#hw.cost<unit = "cluster", {{.*}}cycles = 3072,

// DIANA digital, a8w8: conv ceil(32/16)*16*ceil(16/16)*16*9 + 16*16*(32+16)/8
// = 4608 + 1536 = 6144 cycles; at 260 MHz with 11.31 + 13.65 = 24.96 mW.
// dw (one output channel per group): ceil(1/16)*32*1*16*9 + 256*(32+32)/8 = 6656.
// pool on the host: 8192 * 2 + 20 = 16404. fc: ceil(10/16)*2048 + (10+2048)/8 = 2305.25.
// DIANA: dnn.conv {{.*}}#hw.cost<unit = "digital", a = 8, w = 8, macs = 1179648, {{.*}}cycles = 6144, latency_ms = 0.0236307692308, energy_uj = 0.589824>
// DIANA: dnn.conv {{.*}}#hw.cost<unit = "digital", {{.*}}cycles = 6656,
// DIANA: dnn.max_pool {{.*}}#hw.cost<unit = "host", {{.*}}cycles = 16404,
// DIANA: dnn.gemm {{.*}}#hw.cost<unit = "digital", {{.*}}cycles = 2305.25,

// MPIC at a4w2: MACs / 3.9; pool 8192 * 2 + 20; activations at 4 bits, weights at 2.
// MPIC: dnn.conv {{.*}}#hw.cost<unit = "cpu", a = 4, w = 2, macs = 1179648, param_bytes = 1152, act_bytes = 6144, cycles = 302473.846154,
// MPIC: dnn.conv {{.*}}#hw.cost<unit = "cpu", a = 4, w = 2, macs = 73728, param_bytes = 72, act_bytes = 8192, cycles = 18904.6153846,
// MPIC: dnn.max_pool {{.*}}#hw.cost<unit = "cpu", a = 4, w = 2, macs = 0, param_bytes = 0, act_bytes = 5120, cycles = 16404,
// MPIC: dnn.gemm {{.*}}#hw.cost<unit = "cpu", a = 4, w = 2, macs = 20480, param_bytes = 5160, act_bytes = 1029, cycles = 5251.28205128,

// User target file: the npu (16 MAC/cycle, conv and linear only) takes the
// dense conv (1179648 / 16 = 73728) and the fc (1280); the Cortex-M4 core the
// rest. Energy adds base 0.5 mW and the idle npu's 0.1 mW while the cpu works.
// FILE: dnnopt.target = #hw.target<name = "tiny_mcu"
// FILE: dnn.conv {{.*}}#hw.cost<unit = "npu", {{.*}}cycles = 73728,
// FILE: dnn.conv {{.*}}#hw.cost<unit = "cpu", {{.*}}cycles = 282824, latency_ms = 5.89216666667, energy_uj = 21.2118>
// FILE: dnn.max_pool {{.*}}#hw.cost<unit = "cpu", {{.*}}cycles = 16434,
// FILE: dnn.gemm {{.*}}#hw.cost<unit = "npu", {{.*}}cycles = 1280,

func.func @net(%x: tensor<1x16x16x16xf32>) -> tensor<1x10xf32> {
  %w = dnn.constant dense<0.5> : tensor<32x16x3x3xf32>
  %c = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, clip_min = 0.0 : f32} : (tensor<1x16x16x16xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x16x16xf32> loc("conv")
  %dw = dnn.constant dense<0.5> : tensor<32x1x3x3xf32>
  %d = dnn.conv %c, %dw {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 32} : (tensor<1x32x16x16xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x16x16xf32> loc("dw")
  %p = dnn.max_pool %d {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x32x16x16xf32>) -> tensor<1x32x8x8xf32> loc("pool")
  %r = dnn.reshape %p {shape = array<i64: 1, 2048>} : (tensor<1x32x8x8xf32>) -> tensor<1x2048xf32>
  %fw = dnn.constant dense<0.5> : tensor<10x2048xf32>
  %fb = dnn.constant dense<0.0> : tensor<10xf32>
  %g = dnn.gemm %r, %fw, %fb {trans_b = true} : (tensor<1x2048xf32>, tensor<10x2048xf32>, tensor<10xf32>) -> tensor<1x10xf32> loc("fc")
  return %g : tensor<1x10xf32>
}
