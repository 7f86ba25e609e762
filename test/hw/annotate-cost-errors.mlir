// RUN: dnnopt-opt %s -split-input-file -verify-diagnostics -dnnopt-annotate-cost
// RUN: not dnnopt-opt %s -split-input-file -dnnopt-annotate-cost=target=m4 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not dnnopt-opt %s -split-input-file "-dnnopt-annotate-cost=target=stm32l4 precision=8bit" 2>&1 | FileCheck %s --check-prefix=PRECISION

// UNKNOWN: error: unknown target 'm4'; known targets: stm32l4, stm32h7, gap8, diana, mpic (or describe your own with --target-file)
// PRECISION: error: precision '8bit' is not of the form aXwY (e.g. a8w8; a32w32 is float32)

// Errors of -dnnopt-annotate-cost, each located at the op and naming the layer
// (by its NameLoc; these ops have none, so <op>#<index>).

// expected-error @+1 {{no target: give the pass target=NAME (one of stm32l4, stm32h7, gap8, diana, mpic) or target-file=FILE, or set dnnopt.target on the module}}
module {
  func.func @f(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
    %r = dnn.relu %x : tensor<1x4xf32>
    return %r : tensor<1x4xf32>
  }
}

// -----

// expected-error @+1 {{dnnopt.target must be a #hw.target attribute, got "stm32l4"}}
module attributes {dnnopt.target = "stm32l4"} {
}

// -----

// A float layer on an integer-only core.
module attributes {dnnopt.target = #hw.target<name = "mcu", units = [#hw.unit<name = "cpu", kind = cpu, freq_mhz = 100, model = "throughput", precisions = [#hw.precision<a = 8, w = 8, macs_per_cycle = 2>, #hw.precision<a = 8, w = 4, macs_per_cycle = 3>]>], memories = [#hw.memory<name = "sram", kind = ram, size = 65536>]>} {
  func.func @f(%x: tensor<1x8xf32>, %w: tensor<8x4xf32>) -> tensor<1x4xf32> {
    // expected-error @+1 {{layer 'gemm#0' (dnn.gemm): no compute unit of target 'mcu' can run this linear layer at a32w32: unit 'cpu' does not run a32w32 (it runs a8w8, a8w4)}}
    %g = dnn.gemm %x, %w {dnnopt.precision = #hw.precision<a = 32, w = 32>} : (tensor<1x8xf32>, tensor<8x4xf32>) -> tensor<1x4xf32>
    // expected-error @+1 {{layer 'sigmoid#1' (dnn.sigmoid): no compute unit of target 'mcu' can run this nonlinear layer at a16w16: unit 'cpu' does not run a16 activations (it runs a8w8, a8w4)}}
    %s = dnn.sigmoid %g {dnnopt.precision = #hw.precision<a = 16, w = 16>} : tensor<1x4xf32>
    return %s : tensor<1x4xf32>
  }
}

// -----

// Units restricted to some layer kinds, a unit that does not exist, a bad precision attribute.
module attributes {dnnopt.target = #hw.target<name = "soc", units = [#hw.unit<name = "npu", kind = digital_accelerator, freq_mhz = 100, model = "throughput", precisions = [#hw.precision<a = 8, w = 8, macs_per_cycle = 16>], layers = ["conv"]>, #hw.unit<name = "aimc", kind = analog_imc, freq_mhz = 100, model = "diana_analog", precisions = [#hw.precision<a = 8, w = 2>]>], memories = [#hw.memory<name = "sram", kind = ram, size = 65536>]>} {
  func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>, %dw: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
    // expected-error @+1 {{layer 'max_pool#0' (dnn.max_pool): no compute unit of target 'soc' can run this pool layer at a8w8: unit 'npu' (throughput) does not run pool layers; unit 'aimc' (diana_analog) does not run pool layers}}
    %p = dnn.max_pool %x {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
    // expected-error @+1 {{layer 'conv#1' (dnn.conv) cannot run on unit 'aimc' of target 'soc' at a8w2: unit 'aimc' (diana_analog) runs dense convolutions only, not 2 groups}}
    %c = dnn.conv %p, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2, dnnopt.unit = "aimc", dnnopt.precision = #hw.precision<a = 8, w = 2>} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
    // expected-error @+1 {{layer 'conv#2' (dnn.conv): dnnopt.unit "digital" is not a unit of target 'soc' (units: npu, aimc)}}
    %d = dnn.conv %p, %dw {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 4, dnnopt.unit = "digital"} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
    // expected-error @+1 {{layer 'add#3' (dnn.add): dnnopt.precision must be a #hw.precision attribute, got "a8w8"}}
    %s = dnn.add %c, %d {dnnopt.precision = "a8w8"} : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
    return %s : tensor<1x4x6x6xf32>
  }
}
