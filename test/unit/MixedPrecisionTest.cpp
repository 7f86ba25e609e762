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
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <sstream>

using namespace mlir;
using namespace dnnopt;

namespace {

/// `dense<"0x..."> : tensor<SHAPExi8>` of random weights (hex form: any shape);
/// channel m (axis 0) within bits[m] (0: all zero).
std::string weights(std::mt19937 &rng, int64_t channels, int64_t per, const std::vector<int64_t> &bits,
                    const std::string &shape) {
  static const char *hex = "0123456789ABCDEF";
  std::string os = "dense<\"0x";
  for (int64_t m = 0; m < channels; ++m)
    for (int64_t k = 0; k < per; ++k) {
      int64_t b = bits[m], lo = b ? -(int64_t(1) << (b - 1)) : 0,
              hi = b ? (int64_t(1) << (b - 1)) - 1 : 0; // 0 bits: a pruned channel
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

/// A float32 input of `shape`, uniform in [-2, 2).
engine::Tensor randomInput(std::mt19937 &rng, std::vector<int64_t> shape) {
  engine::Tensor x(engine::DType::F32, std::move(shape));
  for (int64_t k = 0; k < x.numel(); ++k) x.f[k] = std::uniform_real_distribution<float>(-2.f, 2.f)(rng);
  return x;
}

/// The generated code built for the host under ASan + UBSan, run on `x`.
FailureOr<std::vector<engine::Tensor>> runSanitized(const CCompileResult &c, const std::string &name,
                                                    const engine::Tensor &x, std::string &err) {
  HostRunOptions host;
  host.extraFlags = hostSanitizerFlags();
  return runOnHost(c, name, {x}, host, err);
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

  engine::Tensor x = randomInput(rng, {1, 4, 4, 6});
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
  auto out = runSanitized(*c, options.name, x, err);
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

/// Output channels (last axis) of the result of the `k`-th op named `name` in `func`.
int64_t outputChannels(func::FuncOp func, StringRef name, int k) {
  int64_t channels = -1;
  func.walk([&](Operation *op) {
    if (op->getName().getStringRef() == name && k-- == 0)
      channels = cast<RankedTensorType>(op->getResult(0).getType()).getShape().back();
  });
  return channels;
}

// Scattered per-channel widths, pruned (0-bit) channels included, through a
// conv -> pointwise conv -> depthwise conv -> residual qadd -> max pool -> flatten ->
// fully connected network. The C backend's lowering pipeline (-dnn-group-precision)
// sorts the channels into contiguous groups and removes the pruned channels it can;
// the generated C (ASan + UBSan) must equal the engine on the IR before the pass.
TEST(MixedPrecision, GroupedAndPrunedChannelsMatchTheUngroupedEngine) {
  std::mt19937 rng(7);
  std::vector<int64_t> b1{4, 0, 8, 2, 0, 8, 4, 2}, b2{2, 8, 0, 4, 8, 2, 0, 4},
      b3{8, 4, 4, 2, 8, 8, 2, 4}, b4{2, 0, 8, 4, 4};
  // c1's pruned channel 1 outputs c2's input zero point (removed exactly), channel 4
  // another constant (removed, folded into c2's bias: c2 has no padding). c2's pruned
  // channel 2 outputs the depthwise conv's input zero point (stays constant through
  // it, the qadd and the pool: removed, folded into the fully connected bias); channel
  // 6 does not, and the depthwise conv pads, so it stays as an all-zero 2-bit channel.
  // The fully connected layer feeds the graph output: left in channel order.
  std::string ir = R"(
func.func @main(%x: tensor<1x6x6x3xf32> {dnn.name = "x"}) -> (tensor<1x5xf32> {dnn.name = "y"}) {
  %s = dnn.constant dense<0.02> : tensor<f32>
  %z = dnn.constant dense<3> : tensor<i8>
  %q = dnn.quantize_linear %x, %s, %z : (tensor<1x6x6x3xf32>, tensor<f32>, tensor<i8>) -> tensor<1x6x6x3xi8>
  %w1 = dnn.constant )" + weights(rng, 8, 3 * 9, b1, "8x3x3x3") + R"(
  %k1 = dnn.constant dense<[100, 0, -50, 20, 3000, 0, 40, -30]> : tensor<8xi32>
  %c1 = dnn.qconv %q, %w1, %k1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, input_zp = 3 : i64, output_zp = -5 : i64, scale = array<f64: 0.011>, weight_bits = array<i64: )" + ints(b1) + R"(>, act_min = -5 : i64} : (tensor<1x6x6x3xi8>, tensor<8x3x3x3xi8>, tensor<8xi32>) -> tensor<1x6x6x8xi8>
  %w2 = dnn.constant )" + weights(rng, 8, 8, b2, "8x8x1x1") + R"(
  %k2 = dnn.constant dense<[10, -20, 0, 30, -40, 50, -2000, 60]> : tensor<8xi32>
  %c2 = dnn.qconv %c1, %w2, %k2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, input_zp = -5 : i64, output_zp = 2 : i64, scale = array<f64: 0.01, 0.02, 0.03, 0.015, 0.01, 0.02, 0.01, 0.025>, weight_bits = array<i64: )" + ints(b2) + R"(>} : (tensor<1x6x6x8xi8>, tensor<8x8x1x1xi8>, tensor<8xi32>) -> tensor<1x6x6x8xi8>
  %w3 = dnn.constant )" + weights(rng, 8, 9, b3, "8x1x3x3") + R"(
  %k3 = dnn.constant dense<[5, -5, 7, 0, 3, -3, 1, 2]> : tensor<8xi32>
  %d = dnn.qconv %c2, %w3, %k3 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 8 : i64, input_zp = 2 : i64, output_zp = -1 : i64, scale = array<f64: 0.05>, weight_bits = array<i64: )" + ints(b3) + R"(>} : (tensor<1x6x6x8xi8>, tensor<8x1x3x3xi8>, tensor<8xi32>) -> tensor<1x6x6x8xi8>
  %a = dnn.qadd %d, %c2 {lhs_zp = -1 : i64, rhs_zp = 2 : i64, lhs_scale = 0.05 : f64, rhs_scale = 0.04 : f64, output_scale = 0.06 : f64, output_zp = 0 : i64} : (tensor<1x6x6x8xi8>, tensor<1x6x6x8xi8>) -> tensor<1x6x6x8xi8>
  %p = dnn.qmax_pool %a {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x6x6x8xi8>) -> tensor<1x3x3x8xi8>
  %f = dnn.reshape %p {shape = array<i64: 1, 72>} : (tensor<1x3x3x8xi8>) -> tensor<1x72xi8>
  %w4 = dnn.constant )" + weights(rng, 5, 72, b4, "5x72") + R"(
  %l = dnn.qfully_connected %f, %w4 {input_zp = 0 : i64, output_zp = 0 : i64, scale = array<f64: 0.003>, weight_bits = array<i64: )" + ints(b4) + R"(>} : (tensor<1x72xi8>, tensor<5x72xi8>) -> tensor<1x5xi8>
  %y = dnn.dequantize_linear %l, %s : (tensor<1x5xi8>, tensor<f32>) -> tensor<1x5xf32>
  return %y : tensor<1x5xf32>
}
)";
  MLIRContext ctx;
  ctx.getOrLoadDialect<dnn::DnnDialect>();
  ctx.getOrLoadDialect<func::FuncDialect>();
  std::vector<std::string> remarks;
  ScopedDiagnosticHandler capture(&ctx, [&](Diagnostic &d) {
    remarks.push_back(d.str());
    return success(d.getSeverity() == DiagnosticSeverity::Remark);
  });
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(ir, &ctx);
  ASSERT_TRUE(module);
  ASSERT_TRUE(succeeded(verify(*module)));
  func::FuncOp func = *module->getOps<func::FuncOp>().begin();

  engine::Tensor x = randomInput(rng, {1, 6, 6, 3});
  std::string err;
  auto ref = engine::runFunction(func, {x}, err);
  ASSERT_TRUE(succeeded(ref)) << err;

  OwningOpRef<ModuleOp> copy = module->clone();
  CCompileOptions options;
  options.name = "grouped";
  auto c = emitC(*copy, options);
  ASSERT_TRUE(succeeded(c));
  // The pass ran: pruned channels gone (c1: 1 and 4; c2: 2), widths sorted.
  func::FuncOp lowered = *copy->getOps<func::FuncOp>().begin();
  EXPECT_EQ(outputChannels(lowered, "dnn.qconv", 0), 6);
  EXPECT_EQ(outputChannels(lowered, "dnn.qconv", 1), 7);
  EXPECT_EQ(outputChannels(lowered, "dnn.qconv", 2), 7);
  lowered.walk([&](dnn::QConvOp op) {
    ArrayRef<int64_t> bits = *op.getWeightBits();
    if (op.getGroup() == 1) { // the depthwise conv follows c2's order
      EXPECT_TRUE(std::is_sorted(bits.rbegin(), bits.rend())) << "widths not grouped";
    }
    EXPECT_FALSE(llvm::is_contained(bits, 0)) << "0 bits left for the C backend";
  });
  std::string remarkText;
  for (const std::string &r : remarks) remarkText += r + "\n";
  EXPECT_NE(remarkText.find("pruned channels 6 kept as all-zero 2-bit channels: its value varies "
                            "after 'dnn.qconv'"),
            std::string::npos)
      << remarkText;
  EXPECT_NE(remarkText.find("reach 'dnn.dequantize_linear', which cannot take them permuted; "
                            "pruned channels 1 kept"),
            std::string::npos)
      << remarkText;

  auto after = engine::runFunction(lowered, {x}, err);
  ASSERT_TRUE(succeeded(after)) << err;
  auto out = runSanitized(*c, options.name, x, err);
  ASSERT_TRUE(succeeded(out)) << err;
  ASSERT_EQ(out->size(), 1u);
  ASSERT_EQ((*out)[0].numel(), 5);
  std::set<float> distinct;
  for (int64_t k = 0; k < 5; ++k) {
    EXPECT_EQ((*out)[0].f[k], (*ref)[0].f[k]) << "output " << k;
    EXPECT_EQ((*after)[0].f[k], (*ref)[0].f[k]) << "engine after the pass, output " << k;
    distinct.insert((*ref)[0].f[k]);
  }
  EXPECT_GE(distinct.size(), 3u) << "outputs this uniform would prove little";
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
