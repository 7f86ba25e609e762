//===- DatasetTest.cpp - .npz / .npy / CSV input and shape checks ---------===//
#include "passes/search/Dataset.h"

#include "engine/Npy.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace dnnopt;
using namespace dnnopt::search;

namespace {
engine::Tensor arr(engine::DType d, std::vector<int64_t> shape) {
  engine::Tensor t(d, shape);
  for (int64_t k = 0; k < t.numel(); ++k) t.set(k, (double)k * (engine::isFloat(d) ? 0.5 : 1.0));
  return t;
}
std::string tmp(const std::string &name) { return ::testing::TempDir() + "/" + name; }
} // namespace

TEST(SearchData, NpzWithValidationAndDtypes) {
  std::string path = tmp("search_data.npz"), err;
  std::map<std::string, engine::Tensor> a;
  a["x"] = arr(engine::DType::F64, {5, 2, 3});
  a["y"] = arr(engine::DType::I64, {5});
  a["x_val"] = arr(engine::DType::F32, {2, 2, 3});
  a["y_val"] = arr(engine::DType::I64, {2});
  ASSERT_TRUE(engine::writeNpz(path, a, err)) << err;
  auto files = loadNpz(path, err);
  ASSERT_TRUE(succeeded(files)) << err;
  EXPECT_EQ(files->train.x.shape, (Shape{5, 2, 3}));
  EXPECT_EQ(files->train.x[7], 3.5f);
  EXPECT_TRUE(files->train.integerTargets);
  EXPECT_EQ(files->train.y[4], 4.0f);
  ASSERT_TRUE(files->val.has_value());
  EXPECT_EQ(files->val->size(), 2);
  EXPECT_TRUE(succeeded(checkFits(files->train, "train", {2, 3}, "input", {4}, LossKind::CrossEntropy, err)));
  // Shape mismatch names both shapes.
  EXPECT_TRUE(failed(checkFits(files->train, "train", {2, 4}, "input", {1}, LossKind::MSE, err)));
  EXPECT_EQ(err, "train x has shape [5,2,3], the model input 'input' expects [N,2,4]");
  EXPECT_TRUE(failed(checkFits(files->train, "train", {2, 3}, "input", {3}, LossKind::MSE, err)));
  EXPECT_EQ(err, "train y has shape [5], the model output is [N,3]");
  std::remove(path.c_str());

  std::map<std::string, engine::Tensor> bad;
  bad["inputs"] = arr(engine::DType::F32, {2});
  ASSERT_TRUE(engine::writeNpz(path, bad, err));
  EXPECT_TRUE(failed(loadNpz(path, err)));
  EXPECT_NE(err.find("needs arrays 'x' and 'y' (has: inputs)"), std::string::npos) << err;
  std::remove(path.c_str());
}

TEST(SearchData, NpyPair) {
  std::string xp = tmp("search_x.npy"), yp = tmp("search_y.npy"), err;
  {
    std::ofstream(xp, std::ios::binary) << engine::serializeNpy(arr(engine::DType::F32, {4, 3}));
    std::ofstream(yp, std::ios::binary) << engine::serializeNpy(arr(engine::DType::F32, {3, 1}));
  }
  EXPECT_TRUE(failed(loadNpyPair(xp, yp, err)));
  EXPECT_NE(err.find("same number of samples"), std::string::npos) << err;
  {
    std::ofstream(yp, std::ios::binary) << engine::serializeNpy(arr(engine::DType::F64, {4, 1}));
  }
  auto d = loadNpyPair(xp, yp, err);
  ASSERT_TRUE(succeeded(d)) << err;
  EXPECT_FALSE(d->integerTargets);
  EXPECT_EQ(d->y[3], 1.5f);
  std::remove(xp.c_str());
  std::remove(yp.c_str());
}

TEST(SearchData, CsvRowsAndHeader) {
  std::string path = tmp("search_data.csv"), err;
  {
    std::ofstream f(path);
    f << "a0,a1,b0,b1,target\n1,2,3,4,10\n\n5,6,7,8,20\n";
  }
  auto d = loadCsv(path, {2, 2}, err);
  ASSERT_TRUE(succeeded(d)) << err;
  EXPECT_EQ(d->x.shape, (Shape{2, 2, 2}));
  EXPECT_EQ(d->x.data, (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(d->y.shape, (Shape{2, 1}));
  EXPECT_EQ(d->y[1], 20.0f);
  EXPECT_TRUE(failed(loadCsv(path, {2, 3}, err)));
  EXPECT_NE(err.find("needs 6 input columns"), std::string::npos) << err;
  {
    std::ofstream f(path);
    f << "1,2,3\n4,x,6\n";
  }
  EXPECT_TRUE(failed(loadCsv(path, {2}, err)));
  EXPECT_NE(err.find(":2: not a number"), std::string::npos) << err;
  std::remove(path.c_str());
}

TEST(SearchData, SeededSplitAndBatches) {
  Dataset d;
  d.x = Tensor({10, 1});
  d.y = Tensor({10, 1});
  for (int i = 0; i < 10; ++i) d.x[i] = d.y[i] = (float)i;
  auto [t1, v1] = splitTrainVal(d, 0.3, 42);
  auto [t2, v2] = splitTrainVal(d, 0.3, 42);
  EXPECT_EQ(t1.size(), 7);
  EXPECT_EQ(v1.size(), 3);
  EXPECT_EQ(t1.x.data, t2.x.data);
  EXPECT_EQ(v1.x.data, v2.x.data);
  EXPECT_EQ(t1.x.data, t1.y.data); // pairs stay together
  EXPECT_EQ(seededPermutation(5, 1), seededPermutation(5, 1));
  EXPECT_NE(seededPermutation(50, 1), seededPermutation(50, 2));
  Dataset s = d.slice(2, 5);
  EXPECT_EQ(s.x.data, (std::vector<float>{2, 3, 4}));
}
