//===- MixedPrecisionTest.cpp - per-channel weight widths through C --------===//
//
// A layer whose output channels carry different weight widths (the form the
// mixed-precision searches produce: `weight_bits` per output channel) is compiled to
// C (dnn_sub kernels, one precision group per run of equal width), built with the
// host compiler, run, and compared bit for bit with the reference engine on the same
// integer IR. Random weights within each channel's width, seeded.
//
//===----------------------------------------------------------------------===//
#include "backends/c/CEmitter.h"
#include "backends/c/HostRun.h"
#include "dialects/dnn/DnnDialect.h"
#include "dialects/dnn/DnnOps.h"
#include "engine/Interpreter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

using namespace mlir;
using namespace dnnopt;

namespace {

/// `dense<"0x..."> : tensor<SHAPExi8>` of random weights (hex form: any shape);
/// channel m (axis 0) within bits[m].
std::string weights(std::mt19937 &rng, int64_t channels, int64_t per, const std::vector<int64_t> &bits,
                    const std::string &shape) {
  static const char *hex = "0123456789ABCDEF";
  std::string os = "dense<\"0x";
  for (int64_t m = 0; m < channels; ++m)
    for (int64_t k = 0; k < per; ++k) {
      int64_t b = bits[m], lo = -(int64_t(1) << (b - 1)), hi = (int64_t(1) << (b - 1)) - 1;
      auto v = (uint8_t)(int8_t)std::uniform_int_distribution<int64_t>(lo, hi)(rng);
      os += hex[v >> 4];
      os += hex[v & 15];
    }
  return os + "\"> : tensor<" + shape + "xi8>";
}

std::string ints(const std::vector<int64_t> &v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s;
}

TEST(MixedPrecision, ConvAndFullyConnectedMatchTheEngineThroughC) {
  std::mt19937 rng(42);
  // conv 3x3, 6 -> 10 channels, widths in runs 8,8,4,4,4,2,8,2,2,4; then a pointwise
  // conv 10 -> 5 at 4 bits; then a fully connected layer 5*4*4 -> 7 with mixed widths.
  std::vector<int64_t> b1{8, 8, 4, 4, 4, 2, 8, 2, 2, 4}, b2(5, 4), b3{2, 8, 4, 4, 8, 2, 2};
  std::string ir = R"(
func.func @main(%x: tensor<1x4x4x6xf32> {dnn.name = "x"}) -> (tensor<1x7xf32> {dnn.name = "y"}) {
  %s = dnn.constant dense<0.02> : tensor<f32>
  %z = dnn.constant dense<3> : tensor<i8>
  %q = dnn.quantize_linear %x, %s, %z : (tensor<1x4x4x6xf32>, tensor<f32>, tensor<i8>) -> tensor<1x4x4x6xi8>
  %w1 = dnn.constant )" + weights(rng, 10, 6 * 9, b1, "10x6x3x3") + R"(
  %c1 = dnn.qconv %q, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, input_zp = 3 : i64, output_zp = -5 : i64, scale = array<f64: 0.011>, weight_bits = array<i64: )" + ints(b1) + R"(>, act_min = -5 : i64} : (tensor<1x4x4x6xi8>, tensor<10x6x3x3xi8>) -> tensor<1x4x4x10xi8>
  %w2 = dnn.constant )" + weights(rng, 5, 10, b2, "5x10x1x1") + R"(
  %b2 = dnn.constant dense<[100, -200, 300, -400, 500]> : tensor<5xi32>
  %c2 = dnn.qconv %c1, %w2, %b2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = -5 : i64, output_zp = 1 : i64, scale = array<f64: 0.03, 0.02, 0.05, 0.04, 0.01>, weight_bits = array<i64: 4>} : (tensor<1x4x4x10xi8>, tensor<5x10x1x1xi8>, tensor<5xi32>) -> tensor<1x4x4x5xi8>
  %f = dnn.reshape %c2 {shape = array<i64: 1, 80>} : (tensor<1x4x4x5xi8>) -> tensor<1x80xi8>
  %w3 = dnn.constant )" + weights(rng, 7, 80, b3, "7x80") + R"(
  %l = dnn.qfully_connected %f, %w3 {input_zp = 1 : i64, output_zp = 0 : i64, scale = array<f64: 0.004>, weight_bits = array<i64: )" + ints(b3) + R"(>} : (tensor<1x80xi8>, tensor<7x80xi8>) -> tensor<1x7xi8>
  %y = dnn.dequantize_linear %l, %s : (tensor<1x7xi8>, tensor<f32>) -> tensor<1x7xf32>
  return %y : tensor<1x7xf32>
}
)";
  MLIRContext ctx;
  ctx.getOrLoadDialect<dnn::DnnDialect>();
  ctx.getOrLoadDialect<func::FuncDialect>();
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(ir, &ctx);
  ASSERT_TRUE(module);
  ASSERT_TRUE(succeeded(verify(*module)));
  func::FuncOp func = *module->getOps<func::FuncOp>().begin();

  engine::Tensor x(engine::DType::F32, {1, 4, 4, 6});
  for (int64_t k = 0; k < x.numel(); ++k) x.f[k] = std::uniform_real_distribution<float>(-2.f, 2.f)(rng);
  std::string err;
  auto ref = engine::runFunction(func, {x}, err);
  ASSERT_TRUE(succeeded(ref)) << err;

  OwningOpRef<ModuleOp> copy = module->clone();
  CCompileOptions options;
  options.name = "mixed";
  auto c = emitC(*copy, options);
  ASSERT_TRUE(succeeded(c));
  EXPECT_TRUE(c->files.count("dnn_sub_conv.c")) << "the sub-byte kernels are used";
  EXPECT_NE(c->files.at("mixed.c").find("dnn_sub_fc("), std::string::npos);
  HostRunOptions host;
  host.extraFlags = hostSanitizerFlags();
  auto out = runOnHost(*c, options.name, {x}, host, err);
  ASSERT_TRUE(succeeded(out)) << err;
  ASSERT_EQ(out->size(), 1u);
  ASSERT_EQ((*out)[0].numel(), 7);
  int64_t nonzero = 0;
  for (int64_t k = 0; k < 7; ++k) {
    EXPECT_EQ((*out)[0].f[k], (*ref)[0].f[k]) << "output " << k;
    nonzero += (*ref)[0].f[k] != 0.0f;
  }
  EXPECT_GT(nonzero, 0) << "a test whose outputs are all zero would prove little";
}

TEST(MixedPrecision, WeightsOutsideTheirWidthAreRejected) {
  MLIRContext ctx;
  ctx.getOrLoadDialect<dnn::DnnDialect>();
  ctx.getOrLoadDialect<func::FuncDialect>();
  std::string err;
  ScopedDiagnosticHandler capture(&ctx, [&](Diagnostic &d) {
    err = d.str();
    return success();
  });
  const char *ir = R"(
func.func @main(%x: tensor<1x2xi8>) -> tensor<1x2xi8> {
  %w = dnn.constant dense<[[7, -8], [2, -3]]> : tensor<2x2xi8>
  %y = dnn.qfully_connected %x, %w {input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.1>, weight_bits = array<i64: 4, 2>} : (tensor<1x2xi8>, tensor<2x2xi8>) -> tensor<1x2xi8>
  return %y : tensor<1x2xi8>
}
)";
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(ir, &ctx);
  EXPECT_FALSE(module && succeeded(verify(*module)));
  EXPECT_NE(err.find("weight 2 of output channel 1 does not fit 2 bits"), std::string::npos) << err;
}

} // namespace
