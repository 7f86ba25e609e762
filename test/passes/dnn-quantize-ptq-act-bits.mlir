// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 %dnnopt_src_root/test/driver/Inputs/write_npz.py %t/cal.npz x:float32:4x2x3x3
// RUN: dnnopt-opt %s -dnn-quantize-ptq="calibration=%t/cal.npz act-bits=4" | FileCheck %s --check-prefix=QDQ4
// RUN: dnnopt-opt %s -dnn-quantize-ptq="calibration=%t/cal.npz act-bits=2" -dnn-lower-quant | FileCheck %s --check-prefix=INT2
// RUN: not dnnopt-opt %s -dnn-quantize-ptq="calibration=%t/cal.npz act-bits=3" 2>&1 | FileCheck %s --check-prefix=BAD

// Sub-byte activations from PTQ: the hidden tensors (the relu-fused conv's output and
// the max pool sharing its parameters) get act-bits bits: scale (hi - lo) / (2^N - 1),
// an i4 / i2 zero point (relu: lo = 0, so the zero point is -2^(N-1)); the model's
// input and output stay int8. Calibration values: ((k * 7) % 13 - 6) / 8, so the
// conv output (2 x0 + x1, relu) spans [0, 2.0]: 4 bits: scale 2 / 15.
// QDQ4-LABEL: func.func @two_convs
// QDQ4: dnn.quantize_linear %arg0, %{{.*}}, %{{.*}} : (tensor<1x2x3x3xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x3x3xi8>
// QDQ4: %[[CS:.*]] = dnn.constant dense<0.13333334> : tensor<f32>
// QDQ4: %[[CZ:.*]] = dnn.constant dense<-8> : tensor<i4>
// QDQ4: %[[CQ:.*]] = dnn.quantize_linear %{{.*}}, %[[CS]], %[[CZ]] {bits = 4 : i64} : (tensor<1x2x3x3xf32>, tensor<f32>, tensor<i4>) -> tensor<1x2x3x3xi4>
// QDQ4: dnn.dequantize_linear %[[CQ]], %[[CS]], %[[CZ]] {bits = 4 : i64} : (tensor<1x2x3x3xi4>, tensor<f32>, tensor<i4>) -> tensor<1x2x3x3xf32>
// QDQ4: dnn.max_pool
// QDQ4: dnn.quantize_linear {{.*}} {bits = 4 : i64} : (tensor<1x2x3x3xf32>, tensor<f32>, tensor<i4>) -> tensor<1x2x3x3xi4>
// QDQ4: dnn.conv
// QDQ4: dnn.quantize_linear {{.*}} : (tensor<1x1x3x3xf32>, tensor<f32>, tensor<i8>) -> tensor<1x1x3x3xi8>

// Lowered at 2 bits: the first conv reads int8 and writes i2 (clamp [-2, 1]), the pool
// keeps i2, the last conv reads i2 and writes int8.
// INT2-LABEL: func.func @two_convs
// INT2: dnn.qconv {{.*}}act_max = 1 : i64, act_min = -2 : i64{{.*}}output_bits = 2 : i64, output_zp = -2 : i64{{.*}} -> tensor<1x3x3x2xi2>
// INT2: dnn.qmax_pool {{.*}}act_max = 1 : i64, act_min = -2 : i64{{.*}} : (tensor<1x3x3x2xi2>) -> tensor<1x3x3x2xi2>
// INT2: dnn.qconv {{.*}}input_zp = -2 : i64{{.*}} : (tensor<1x3x3x2xi2>, tensor<1x2x1x1xi8>) -> tensor<1x3x3x1xi8>

// BAD: dnn-quantize-ptq: act-bits must be 8, 4 or 2, got 3
func.func @two_convs(%x: tensor<1x2x3x3xf32> {dnn.name = "x"}) -> tensor<1x1x3x3xf32> {
  %w = dnn.constant dense<[[[[2.0]], [[1.0]]], [[[-1.0]], [[1.0]]]]> : tensor<2x2x1x1xf32>
  %c = dnn.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, clip_min = 0.0 : f32} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %p = dnn.max_pool %c {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %w2 = dnn.constant dense<[[[[1.0]], [[-0.5]]]]> : tensor<1x2x1x1xf32>
  %y = dnn.conv %p, %w2 {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}
