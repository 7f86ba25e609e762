// RUN: dnnopt-opt %s | FileCheck %s
// RUN: dnnopt-opt %s | dnnopt-opt | FileCheck %s

// Sub-byte activations: the result width of the integer ops comes from output_bits
// (qconv, qfully_connected, qadd, qglobal_avg_pool), the pools keep their input's,
// requantize converts widths, an i4 / i2 zero point makes quantize_linear's result
// i4 / i2.

// CHECK-LABEL: func.func @widths
// CHECK: dnn.quantize_linear {{.*}} : (tensor<1x2x2x3xf32>, tensor<f32>, tensor<i4>) -> tensor<1x2x2x3xi4>
// CHECK: dnn.qconv {{.*}} : (tensor<1x2x2x3xi4>, tensor<2x3x1x1xi8>) -> tensor<1x2x2x2xi2>
// CHECK: dnn.qmax_pool {{.*}} : (tensor<1x2x2x2xi2>) -> tensor<1x1x1x2xi2>
// CHECK: dnn.qglobal_avg_pool {{.*}} : (tensor<1x2x2x2xi2>) -> tensor<1x1x1x2xi4>
// CHECK: dnn.requantize {{.*}} : (tensor<1x1x1x2xi2>) -> tensor<1x1x1x2xi8>
// CHECK: dnn.qadd {{.*}} : (tensor<1x1x1x2xi4>, tensor<1x1x1x2xi8>) -> tensor<1x1x1x2xi8>
func.func @widths(%x: tensor<1x2x2x3xf32>) -> tensor<1x1x1x2xi8> {
  %s = dnn.constant dense<0.5> : tensor<f32>
  %z = dnn.constant dense<-3> : tensor<i4>
  %q = dnn.quantize_linear %x, %s, %z {bits = 4 : i64} : (tensor<1x2x2x3xf32>, tensor<f32>, tensor<i4>) -> tensor<1x2x2x3xi4>
  %w = dnn.constant dense<1> : tensor<2x3x1x1xi8>
  %c = dnn.qconv %q, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = -3 : i64, output_zp = -1 : i64, scale = array<f64: 0.1>, output_bits = 2 : i64, act_min = -2 : i64, act_max = 1 : i64} : (tensor<1x2x2x3xi4>, tensor<2x3x1x1xi8>) -> tensor<1x2x2x2xi2>
  %p = dnn.qmax_pool %c {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, act_min = -2 : i64, act_max = 1 : i64} : (tensor<1x2x2x2xi2>) -> tensor<1x1x1x2xi2>
  %g = dnn.qglobal_avg_pool %c {input_zp = -1 : i64, output_zp = 0 : i64, scale = 1.0 : f64, output_bits = 4 : i64, act_min = -8 : i64, act_max = 7 : i64} : (tensor<1x2x2x2xi2>) -> tensor<1x1x1x2xi4>
  %r = dnn.requantize %p {input_zp = -1 : i64, output_zp = 0 : i64, scale = 8.0 : f64} : (tensor<1x1x1x2xi2>) -> tensor<1x1x1x2xi8>
  %y = dnn.qadd %g, %r {lhs_zp = 0 : i64, rhs_zp = 0 : i64, lhs_scale = 1.0 : f64, rhs_scale = 1.0 : f64, output_scale = 1.0 : f64, output_zp = 0 : i64} : (tensor<1x1x1x2xi4>, tensor<1x1x1x2xi8>) -> tensor<1x1x1x2xi8>
  return %y : tensor<1x1x1x2xi8>
}
