//===- PlannerTest.cpp - memory planner and storage plan -------------------===//
#include "backends/common/MemoryPlanner.h"
#include "backends/common/StoragePlan.h"
#include "dialects/dnn/DnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>
#include <random>

using namespace mlir;
using namespace dnnopt;

namespace {
/// No two buffers that are live at the same step share a byte.
void expectNoConflicts(const std::vector<PlannedBuffer> &b) {
  for (size_t i = 0; i < b.size(); ++i)
    for (size_t j = i + 1; j < b.size(); ++j) {
      bool live = b[i].first <= b[j].last && b[j].first <= b[i].last;
      bool overlap = b[i].offset < b[j].offset + b[j].size && b[j].offset < b[i].offset + b[i].size;
      EXPECT_FALSE(live && overlap) << "buffers " << i << " and " << j << " collide";
    }
}
} // namespace

TEST(MemoryPlanner, ChainReusesMemory) {
  // A chain a -> b -> c -> d: only two consecutive buffers are ever live.
  std::vector<PlannedBuffer> b(4);
  for (int i = 0; i < 4; ++i) {
    b[i].size = 1024;
    b[i].first = i;
    b[i].last = i + 1;
  }
  MemoryPlan p = planArena(b);
  expectNoConflicts(b);
  EXPECT_EQ(p.lowerBound, 2048);
  EXPECT_EQ(p.arenaSize, 2048);
}

TEST(MemoryPlanner, RandomIntervalsNeverCollideAndStayNearTheBound) {
  std::mt19937 rng(42);
  double worst = 1.0;
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<PlannedBuffer> b(2 + rng() % 30);
    for (auto &x : b) {
      x.size = 8 * (1 + rng() % 512);
      x.first = rng() % 40;
      x.last = x.first + rng() % 6;
    }
    MemoryPlan p = planArena(b);
    expectNoConflicts(b);
    EXPECT_GE(p.arenaSize, p.lowerBound);
    worst = std::max(worst, (double)p.arenaSize / (double)p.lowerBound);
  }
  // Greedy-by-size is not optimal in general, but stays close on such inputs.
  EXPECT_LT(worst, 1.6);
}

namespace {
struct Storage : ::testing::Test {
  Storage() { ctx.loadDialect<dnn::DnnDialect, func::FuncDialect>(); }
  func::FuncOp parse(const char *ir) {
    module = parseSourceString<ModuleOp>(ir, &ctx);
    EXPECT_TRUE(module);
    func::FuncOp f;
    module->walk([&](func::FuncOp x) { f = x; });
    return f;
  }
  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
};
} // namespace

TEST_F(Storage, ActivationRunsInPlaceAndOutputIsWrittenDirectly) {
  func::FuncOp f = parse(R"(
    func.func @f(%x: tensor<1x4xf32>, %y: tensor<1x4xf32>) -> tensor<4xf32> {
      %a = dnn.add %x, %y : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
      %b = dnn.sigmoid %a : tensor<1x4xf32>
      %c = dnn.mul %b, %x : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
      %d = dnn.reshape %c {shape = array<i64: 4>} : (tensor<1x4xf32>) -> tensor<4xf32>
      return %d : tensor<4xf32>
    })");
  auto plan = planStorage(f);
  ASSERT_TRUE(succeeded(plan));
  // add -> sigmoid (in place) -> mul (in place) -> reshape (view) -> output: no arena at all.
  EXPECT_EQ(plan->arenaSize, 0);
  EXPECT_TRUE(plan->outputCopies.empty());
  EXPECT_EQ(plan->schedule.size(), 3u);
  Value d = f.getBody().front().getTerminator()->getOperand(0);
  EXPECT_EQ(plan->storage[d].kind, TensorStorage::Output);
}

TEST_F(Storage, ConcatInputsAreWrittenIntoTheConcatBuffer) {
  func::FuncOp f = parse(R"(
    func.func @f(%x: tensor<1x2x4xf32>) -> tensor<1x6x4xf32> {
      %a = dnn.relu %x : tensor<1x2x4xf32>
      %b = dnn.sigmoid %x : tensor<1x2x4xf32>
      %c = dnn.tanh %x : tensor<1x2x4xf32>
      %d = dnn.concat %a, %b, %c {axis = 1 : i64} : (tensor<1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>) -> tensor<1x6x4xf32>
      return %d : tensor<1x6x4xf32>
    })");
  auto plan = planStorage(f);
  ASSERT_TRUE(succeeded(plan));
  EXPECT_EQ(plan->arenaSize, 0);
  auto ops = plan->schedule;
  ASSERT_EQ(ops.size(), 3u); // the concat itself is elided
  EXPECT_EQ(plan->storage[ops[0]->getResult(0)].kind, TensorStorage::Output);
  EXPECT_EQ(plan->storage[ops[1]->getResult(0)].offset, 32);
  EXPECT_EQ(plan->storage[ops[2]->getResult(0)].offset, 64);
}

TEST_F(Storage, ValueReadLaterIsNotOverwritten) {
  func::FuncOp f = parse(R"(
    func.func @f(%x: tensor<8xf32>) -> tensor<8xf32> {
      %a = dnn.neg %x : tensor<8xf32>
      %b = dnn.relu %a : tensor<8xf32>
      %c = dnn.add %a, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
      return %c : tensor<8xf32>
    })");
  auto plan = planStorage(f);
  ASSERT_TRUE(succeeded(plan));
  auto ops = plan->schedule;
  ASSERT_EQ(ops.size(), 3u);
  // relu cannot overwrite %a (the add reads it): it gets an arena buffer, while
  // neg and the in-place add use the caller's output buffer.
  EXPECT_EQ(plan->storage[ops[0]->getResult(0)].kind, TensorStorage::Output);
  EXPECT_EQ(plan->storage[ops[1]->getResult(0)].kind, TensorStorage::Arena);
  EXPECT_EQ(plan->storage[ops[2]->getResult(0)].kind, TensorStorage::Output);
  EXPECT_EQ(plan->arenaSize, 32);
  EXPECT_EQ(plan->lowerBound, 32);
}
