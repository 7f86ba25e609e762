// RUN: dnnopt-opt %s -dnnopt-annotate-cost=target=diana | FileCheck %s

// Mapping on DIANA (host, digital, analog): dnnopt.unit pins a unit,
// dnnopt.precision overrides the default a8w8, otherwise the fastest unit able
// to run the layer at its precision wins. Figures computed by hand (docs/targets.md).

// CHECK-LABEL: func.func @mapping
func.func @mapping(%x: tensor<1x16x16x16xf32>) -> tensor<1x32x16x16xf32> {
  %w = dnn.constant dense<0.5> : tensor<32x16x3x3xf32>
  // Pinned to the analog unit at a8w2: ceil(16*9/1152) ceil(32/512) 16*16
  // + 8*16 ceil(32/512) = 256 + 128 = 384 cycles; 11.31 + 17.43 = 28.74 mW;
  // weights 4608 x 2 bits = 1152 bytes.
  // CHECK: dnn.conv {{.*}}dnnopt.cost = #hw.cost<unit = "analog", a = 8, w = 2, macs = 1179648, param_bytes = 1152, act_bytes = 12288, cycles = 384, latency_ms = 0.00147692307692, energy_uj = 0.0424467692308>
  %a = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dnnopt.unit = "analog", dnnopt.precision = #hw.precision<a = 8, w = 2>} : (tensor<1x16x16x16xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x16x16xf32>
  // Same layer at a8w2 without a pin: only the analog unit runs ternary weights.
  // CHECK: dnn.conv {{.*}}#hw.cost<unit = "analog", a = 8, w = 2, {{.*}}cycles = 384,
  %b = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dnnopt.precision = #hw.precision<a = 8, w = 2>} : (tensor<1x16x16x16xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x16x16xf32>
  // Pinned to the host (1 MAC/cycle): 1179648 cycles although digital is faster.
  // CHECK: dnn.conv {{.*}}#hw.cost<unit = "host", a = 8, w = 8, {{.*}}cycles = 1179648,
  %c = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dnnopt.unit = "host"} : (tensor<1x16x16x16xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x16x16xf32>
  // Elementwise ops only run on the host: 8192 outputs x 3 cycles + 20.
  // CHECK: dnn.add {{.*}}#hw.cost<unit = "host", a = 8, w = 8, macs = 0, param_bytes = 0, act_bytes = 24576, cycles = 24596,
  %s = dnn.add %a, %b : (tensor<1x32x16x16xf32>, tensor<1x32x16x16xf32>) -> tensor<1x32x16x16xf32>
  // CHECK: dnn.add {{.*}}#hw.cost<unit = "host"
  %t = dnn.add %s, %c : (tensor<1x32x16x16xf32>, tensor<1x32x16x16xf32>) -> tensor<1x32x16x16xf32>
  return %t : tensor<1x32x16x16xf32>
}

// A TCN-style dilated 1-D conv (x = the time axis, 64 steps, k = 3) on the
// digital unit: ceil(16/16)*8*ceil(64/16)*1*3 + 64*1*(16+8)/8 = 96 + 192 = 288.
// CHECK-LABEL: func.func @conv1d
// CHECK: dnn.conv {{.*}}#hw.cost<unit = "digital", a = 8, w = 8, macs = 24576, param_bytes = 448, act_bytes = 1536, cycles = 288,
func.func @conv1d(%x: tensor<1x8x64xf32>) -> tensor<1x16x64xf32> {
  %w = dnn.constant dense<0.5> : tensor<16x8x3xf32>
  %b = dnn.constant dense<0.0> : tensor<16xf32>
  %c = dnn.conv %x, %w, %b {strides = array<i64: 1>, dilations = array<i64: 2>, pads = array<i64: 4, 0>} : (tensor<1x8x64xf32>, tensor<16x8x3xf32>, tensor<16xf32>) -> tensor<1x16x64xf32>
  return %c : tensor<1x16x64xf32>
}

// Activation x activation matmul (no parameters: B is read as an activation):
// rows 4, K 8, N 6 on digital: ceil(6/16)*8*4 + 4*(6+8)/8 = 32 + 7 = 39;
// activations 4*(8+6) + 48 = 104 bytes. Softmax on the host: 24 x 30 + 20 = 740.
// CHECK-LABEL: func.func @attention
// CHECK: dnn.matmul {{.*}}#hw.cost<unit = "digital", a = 8, w = 8, macs = 192, param_bytes = 0, act_bytes = 104, cycles = 39,
// CHECK: dnn.softmax {{.*}}#hw.cost<unit = "host", a = 8, w = 8, macs = 0, param_bytes = 0, act_bytes = 48, cycles = 740,
func.func @attention(%q: tensor<1x4x8xf32>, %k: tensor<1x8x6xf32>) -> tensor<1x4x6xf32> {
  %m = dnn.matmul %q, %k : (tensor<1x4x8xf32>, tensor<1x8x6xf32>) -> tensor<1x4x6xf32>
  %s = dnn.softmax %m {axis = 2 : i64} : tensor<1x4x6xf32>
  return %s : tensor<1x4x6xf32>
}
