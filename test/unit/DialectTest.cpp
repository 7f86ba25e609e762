//===- DialectTest.cpp - unit tests of the dnn dialect ---------------------===//
#include "dialects/dnn/DnnOps.h"
#include "dialects/dnn/DnnStats.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace dnnopt::dnn;

namespace {
struct Dnn : ::testing::Test {
  Dnn() {
    ctx.loadDialect<DnnDialect, func::FuncDialect>();
    ctx.printOpOnDiagnostic(false);
  }
  /// Parses and verifies `ir`; returns the diagnostics joined, empty on success.
  std::string check(const std::string &ir) {
    std::string errors;
    ScopedDiagnosticHandler h(&ctx, [&](Diagnostic &d) {
      errors += d.str() + "\n";
      return success();
    });
    OwningOpRef<ModuleOp> m = parseSourceString<ModuleOp>(ir, &ctx);
    if (m && failed(verify(*m)) && errors.empty()) errors = "verify failed";
    if (!m && errors.empty()) errors = "parse failed";
    module = std::move(m);
    return errors;
  }
  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
};
} // namespace

TEST(Shapes, BroadcastFollowsNumpy) {
  auto r = broadcastShapes({8, 1, 6, 1}, {7, 1, 5});
  ASSERT_TRUE(succeeded(r));
  EXPECT_EQ(*r, (SmallVector<int64_t>{8, 7, 6, 5}));
  EXPECT_TRUE(failed(broadcastShapes({3, 4}, {2, 4})));
  auto s = broadcastShapes({}, {2, 3});
  ASSERT_TRUE(succeeded(s));
  EXPECT_EQ(*s, (SmallVector<int64_t>{2, 3}));
}

TEST(Shapes, WindowOutputSize) {
  // 32 wide, k3 s1 p1: same size.
  EXPECT_EQ(windowOutputSize(32, 3, 1, 1, 1, 1, false), 32);
  // k3 s2 no pad on 32: floor((32-3)/2)+1 = 15; ceil mode: 16.
  EXPECT_EQ(windowOutputSize(32, 3, 2, 1, 0, 0, false), 15);
  EXPECT_EQ(windowOutputSize(32, 3, 2, 1, 0, 0, true), 16);
  // Dilation 4, k5: effective kernel 17 on 64 causal-padded by 16 -> 64.
  EXPECT_EQ(windowOutputSize(64, 5, 1, 4, 16, 0, false), 64);
  // Ceil mode never starts a window in the end padding (PyTorch rule): 5, k2, s2, pad 1,1.
  EXPECT_EQ(windowOutputSize(5, 2, 2, 1, 1, 1, true), 3);
  // Kernel larger than the padded input.
  EXPECT_LT(windowOutputSize(2, 5, 1, 1, 0, 0, false), 1);
}

TEST_F(Dnn, ConvInfersAndVerifies) {
  EXPECT_EQ(check(R"(
    func.func @f(%x: tensor<1x8x16x16xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x8x8xf32> {
      %y = dnn.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
                            pads = array<i64: 1, 1, 1, 1>, group = 8 : i64}
           : (tensor<1x8x16x16xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x8x8xf32>
      return %y : tensor<1x8x8x8xf32>
    })"),
            "");
}

TEST_F(Dnn, ConvRejectsChannelMismatchWithMessage) {
  std::string err = check(R"(
    func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
      %y = dnn.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
                            pads = array<i64: 0, 0, 0, 0>}
           : (tensor<1x4x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
      return %y : tensor<1x8x6x6xf32>
    })");
  EXPECT_NE(err.find("expects 3 input channels"), std::string::npos) << err;
}

TEST_F(Dnn, WrongResultTypeIsRejected) {
  std::string err = check(R"(
    func.func @f(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x4xf32> {
      %y = dnn.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x4xf32>
      return %y : tensor<2x4xf32>
    })");
  EXPECT_NE(err.find("incompatible"), std::string::npos) << err;
}

TEST_F(Dnn, StatsCountMacsAndParameters) {
  ASSERT_EQ(check(R"(
    func.func @f(%x: tensor<1x16xf32>) -> tensor<1x10xf32> {
      %w = dnn.constant dense<1.0> : tensor<10x16xf32>
      %b = dnn.constant dense<0.0> : tensor<10xf32>
      %y = dnn.gemm %x, %w, %b {trans_b = true} : (tensor<1x16xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<1x10xf32>
      %z = dnn.relu %y : tensor<1x10xf32>
      return %z : tensor<1x10xf32>
    })"),
            "");
  ModelStats s = computeModelStats(*module);
  EXPECT_EQ(s.macs, 160);
  EXPECT_EQ(s.parameters, 170);
  EXPECT_EQ(s.parameterBytes, 680);
  EXPECT_EQ(s.ops, 2);
  EXPECT_EQ(s.constants, 2);
}

TEST_F(Dnn, ConstantFoldersComputeValues) {
  ASSERT_EQ(check(R"(
    func.func @f() -> tensor<2x3xf32> {
      %a = dnn.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
      %b = dnn.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
      %y = dnn.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
      return %y : tensor<2x3xf32>
    })"),
            "");
  Operation *add = nullptr;
  module->walk([&](AddOp op) { add = op; });
  ASSERT_NE(add, nullptr);
  SmallVector<Attribute> operands;
  for (Value v : add->getOperands()) operands.push_back(cast<ConstantOp>(v.getDefiningOp()).getValue());
  SmallVector<OpFoldResult> results;
  ASSERT_TRUE(succeeded(add->fold(operands, results)));
  auto dense = cast<DenseElementsAttr>(cast<Attribute>(results[0]));
  std::vector<float> got(dense.getValues<float>().begin(), dense.getValues<float>().end());
  EXPECT_EQ(got, (std::vector<float>{11, 22, 33, 14, 25, 36}));
}
