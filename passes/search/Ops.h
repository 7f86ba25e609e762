//===- Ops.h - the search engine's differentiable operations ---*- C++ -*-===//
//
// Factories of the ops a Graph node can hold. Each op's forward follows the dnn
// dialect semantics (DnnOps.td) — conv / gemm / matmul / pooling call the same
// kernels as the reference engine (engine/kernels) — and its backward adds the
// input gradients. Inputs in brackets are optional.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_PASSES_SEARCH_OPS_H
#define DNNOPT_PASSES_SEARCH_OPS_H

#include "passes/search/Graph.h"

namespace dnnopt::search {

// -- Linear (OpsLinear.cpp) ------------------------------------------------------
struct ConvAttrs {
  std::vector<int64_t> strides, dilations, pads; ///< per spatial axis; pads begins then ends; empty = 1/1/0
  int64_t group = 1;
};
/// Inputs x [N,C,spatial...], w [M,C/group,kernel...] [, bias [M]]: 1-D/2-D/3-D.
std::unique_ptr<Op> makeConv(ConvAttrs attrs);

struct GemmAttrs {
  bool transA = false, transB = false;
  float alpha = 1.0f, beta = 1.0f;
};
/// Inputs a, b [, c]: alpha * op(a) * op(b) + beta * c (c broadcasts to the output).
std::unique_ptr<Op> makeGemm(GemmAttrs attrs);
/// Inputs a, b: numpy matmul (batched, broadcasting, 1-D operands promoted).
std::unique_ptr<Op> makeMatMul();

struct BatchNormAttrs {
  float epsilon = 1e-5f;
  float momentum = 0.1f; ///< running = (1 - momentum) * running + momentum * batch statistic
};
/// Inputs x [N,C,...], scale [C], bias [C], mean [C], var [C]. Training mode: batch
/// statistics (biased variance) and, when mean / var are Buffers, the running
/// statistics are updated (unbiased variance, as PyTorch). Inference mode: mean / var.
std::unique_ptr<Op> makeBatchNorm(BatchNormAttrs attrs);

// -- Elementwise (OpsElementwise.cpp) -------------------------------------------------
enum class BinaryKind { Add, Sub, Mul, Div };
/// Inputs a, b with numpy broadcasting.
std::unique_ptr<Op> makeBinary(BinaryKind kind);

enum class UnaryKind { Identity, Relu, Sigmoid, Tanh, Abs, Neg, Exp, Log, Sqrt };
std::unique_ptr<Op> makeUnary(UnaryKind kind);
/// Clamp to [lo, hi] (gradient 1 strictly inside, 0 outside; ReLU6 is [0, 6]).
std::unique_ptr<Op> makeClip(float lo, float hi);
std::unique_ptr<Op> makeLeakyRelu(float alpha);
/// Softmax (or log-softmax) along `axis`.
std::unique_ptr<Op> makeSoftmax(int64_t axis, bool log = false);
/// Straight-through binarizer: forward x > threshold ? 1 : 0, backward identity.
std::unique_ptr<Op> makeBinarizeSTE(float threshold = 0.5f);
/// Multiplication by a constant factor.
std::unique_ptr<Op> makeScale(float factor);

// -- Pooling (OpsPool.cpp) ---------------------------------------------------------------
struct PoolAttrs {
  std::vector<int64_t> kernel, strides, dilations, pads; ///< dilations: max pool only
  bool ceilMode = false, countIncludePad = false;        ///< countIncludePad: avg pool only
};
std::unique_ptr<Op> makeMaxPool(PoolAttrs attrs);
std::unique_ptr<Op> makeAvgPool(PoolAttrs attrs);
/// Mean / maximum over all spatial axes: [N,C,...] -> [N,C,1,...].
std::unique_ptr<Op> makeGlobalPool(bool max);

// -- Layout (OpsLayout.cpp) ----------------------------------------------------------------
/// Reshape to `target`; one entry may be -1 (inferred from the element count, e.g.
/// the batch dimension).
std::unique_ptr<Op> makeReshape(Shape target);
/// Output axis i is input axis perm[i].
std::unique_ptr<Op> makeTranspose(std::vector<int64_t> perm);
/// Concatenates all inputs along `axis`.
std::unique_ptr<Op> makeConcat(int64_t axis);
enum class PadMode { Constant, Edge, Reflect };
/// Pads every axis (pads: begins then ends; negative crops).
std::unique_ptr<Op> makePad(std::vector<int64_t> pads, PadMode mode = PadMode::Constant, float value = 0.0f);
/// Strided slice, one (start, end, step) per axis (dnn.slice's normalized form).
std::unique_ptr<Op> makeSlice(std::vector<int64_t> starts, std::vector<int64_t> ends,
                              std::vector<int64_t> steps);

// -- Custom ops from callbacks (Graph.h's Op contract) -----------------------------------------
using ForwardFn = std::function<llvm::LogicalResult(llvm::ArrayRef<const Tensor *> in, Tensor &out,
                                                    const RunContext &ctx, std::string &error)>;
using BackwardFn = std::function<void(llvm::ArrayRef<const Tensor *> in, const Tensor &out,
                                      const Tensor &gout, llvm::ArrayRef<Tensor *> gin)>;
std::unique_ptr<Op> makeFunctionOp(std::string kind, ForwardFn forward, BackwardFn backward);

} // namespace dnnopt::search

#endif
