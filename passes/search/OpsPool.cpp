//===- OpsPool.cpp - max / average / global pooling ------------------------===//
#include "passes/search/Ops.h"

#include "dialects/dnn/DnnOps.h"
#include "engine/kernels/Parallel.h"
#include "engine/kernels/Pool.h"

using llvm::ArrayRef;
using llvm::failure;
using llvm::LogicalResult;
using llvm::success;

namespace dnnopt::search {
namespace {

class PoolOp : public Op {
public:
  PoolOp(PoolAttrs a, bool max) : attrs(std::move(a)), max(max) {}
  std::string kind() const override { return max ? "max_pool" : "avg_pool"; }

  LogicalResult forward(ArrayRef<const Tensor *> in, Tensor &out, const RunContext &,
                        std::string &error) override {
    const Tensor &x = *in[0];
    size_t s = attrs.kernel.size();
    if (x.rank() < 3 || (size_t)x.rank() != s + 2 || s > 3)
      return error = "pooling kernel rank does not match the input", failure();
    Shape y{x.shape[0], x.shape[1]};
    for (size_t i = 0; i < s; ++i) {
      int64_t o = dnn::windowOutputSize(
          x.shape[2 + i], attrs.kernel[i], attrs.strides.empty() ? 1 : attrs.strides[i],
          attrs.dilations.empty() ? 1 : attrs.dilations[i], attrs.pads.empty() ? 0 : attrs.pads[i],
          attrs.pads.empty() ? 0 : attrs.pads[s + i], attrs.ceilMode);
      if (o < 1) return error = "the pooling window does not fit the input", failure();
      y.push_back(o);
    }
    out.reshape(y);
    geom = kernels::poolGeometry(x.shape, y, attrs.kernel, attrs.strides, max ? attrs.dilations : Shape(),
                                 attrs.pads);
    if (max) {
      argmax.resize(out.numel());
      kernels::maxPoolForward(geom, x.ptr(), out.ptr(), argmax.data());
    } else {
      kernels::avgPoolForward(geom, attrs.countIncludePad, x.ptr(), out.ptr());
    }
    return success();
  }

  void backward(ArrayRef<const Tensor *>, const Tensor &, const Tensor &gout, ArrayRef<Tensor *> gin) override {
    if (!gin[0]) return;
    if (max) kernels::maxPoolBackward(geom, argmax.data(), gout.ptr(), gin[0]->ptr());
    else kernels::avgPoolBackward(geom, attrs.countIncludePad, gout.ptr(), gin[0]->ptr());
  }

private:
  PoolAttrs attrs;
  bool max;
  kernels::PoolGeometry geom;
  std::vector<int64_t> argmax;
};

class GlobalPoolOp : public Op {
public:
  explicit GlobalPoolOp(bool max) : max(max) {}
  std::string kind() const override { return max ? "global_max_pool" : "global_avg_pool"; }

  LogicalResult forward(ArrayRef<const Tensor *> in, Tensor &out, const RunContext &,
                        std::string &error) override {
    const Tensor &x = *in[0];
    if (x.rank() < 3) return error = "global pooling expects rank >= 3", failure();
    Shape y(x.shape.size(), 1);
    y[0] = x.shape[0];
    y[1] = x.shape[1];
    out.reshape(y);
    planes = x.shape[0] * x.shape[1];
    plane = planes ? x.numel() / planes : 0;
    if (plane == 0) return error = "global pooling of an empty plane", failure();
    if (max) {
      argmax.resize(planes);
      kernels::globalMaxPoolForward(planes, plane, x.ptr(), out.ptr(), argmax.data());
    } else {
      kernels::globalAvgPoolForward(planes, plane, x.ptr(), out.ptr());
    }
    return success();
  }

  void backward(ArrayRef<const Tensor *>, const Tensor &, const Tensor &gout, ArrayRef<Tensor *> gin) override {
    if (!gin[0]) return;
    float *gx = gin[0]->ptr();
    const float *g = gout.ptr();
    kernels::parallelFor(planes, [&](int64_t p) {
      if (max) {
        gx[p * plane + argmax[p]] += g[p];
        return;
      }
      float v = g[p] / (float)plane;
      for (int64_t k = 0; k < plane; ++k) gx[p * plane + k] += v;
    });
  }

private:
  bool max;
  int64_t planes = 0, plane = 0;
  std::vector<int64_t> argmax;
};

} // namespace

std::unique_ptr<Op> makeMaxPool(PoolAttrs attrs) { return std::make_unique<PoolOp>(std::move(attrs), true); }
std::unique_ptr<Op> makeAvgPool(PoolAttrs attrs) { return std::make_unique<PoolOp>(std::move(attrs), false); }
std::unique_ptr<Op> makeGlobalPool(bool max) { return std::make_unique<GlobalPoolOp>(max); }

} // namespace dnnopt::search
