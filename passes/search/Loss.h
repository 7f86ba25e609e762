//===- Loss.h - training losses and task metrics ---------------*- C++ -*-===//
//
// Losses take the model output `pred` [N, ...] and the targets of the same
// samples, and return the mean loss over the batch and dL/dpred.
//   MSE, MAE (L1), Huber(delta): mean over all elements (PyTorch's "mean");
//     target has the same number of elements per sample as pred.
//   CrossEntropy: softmax cross-entropy of logits pred [N, C], mean over the
//     batch; target is either class indices ([N] or [N, 1], integer values) or
//     one-hot / probabilities [N, C].
// Task metrics: regression MAE, classification accuracy.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_PASSES_SEARCH_LOSS_H
#define DNNOPT_PASSES_SEARCH_LOSS_H

#include "passes/search/Tensor.h"

#include "llvm/Support/LogicalResult.h"

#include <string>

namespace dnnopt::search {

enum class LossKind { MSE, MAE, Huber, CrossEntropy };

struct LossConfig {
  LossKind kind = LossKind::MSE;
  float huberDelta = 1.0f;
};

/// Parses "mse", "mae" / "l1", "huber", "ce" / "cross-entropy".
llvm::FailureOr<LossKind> parseLossKind(const std::string &name);
const char *lossName(LossKind k);
/// "MAE" for regression losses, "accuracy" for cross-entropy.
const char *metricName(LossKind k);
inline bool isClassification(LossKind k) { return k == LossKind::CrossEntropy; }

/// Mean loss over the batch; when `grad` is non-null it is set to dL/dpred
/// (shaped like pred). Fails (error names both shapes) when target does not fit.
llvm::FailureOr<double> computeLoss(const LossConfig &cfg, const Tensor &pred, const Tensor &target,
                                    Tensor *grad, std::string &error);

/// Sum over the batch's samples of the task metric (per-sample MAE over the
/// sample's elements, or 1 / 0 for a correct / wrong class); divide by the sample
/// count for the mean. Call after computeLoss accepted the shapes.
double metricSum(const LossConfig &cfg, const Tensor &pred, const Tensor &target);

} // namespace dnnopt::search

#endif
