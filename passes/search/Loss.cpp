//===- Loss.cpp - training losses and task metrics ------------------------===//
#include "passes/search/Loss.h"

#include <cmath>

using llvm::failure;

namespace dnnopt::search {

llvm::FailureOr<LossKind> parseLossKind(const std::string &name) {
  if (name == "mse") return LossKind::MSE;
  if (name == "mae" || name == "l1") return LossKind::MAE;
  if (name == "huber") return LossKind::Huber;
  if (name == "ce" || name == "cross-entropy" || name == "crossentropy") return LossKind::CrossEntropy;
  return failure();
}

const char *lossName(LossKind k) {
  switch (k) {
  case LossKind::MSE: return "mse";
  case LossKind::MAE: return "mae";
  case LossKind::Huber: return "huber";
  case LossKind::CrossEntropy: return "cross-entropy";
  }
  return "?";
}

const char *metricName(LossKind k) { return isClassification(k) ? "accuracy" : "MAE"; }

namespace {
/// Classes of a cross-entropy target: true when it holds indices.
bool classIndices(const Tensor &pred, const Tensor &target) {
  int64_t n = pred.shape[0];
  return target.numel() == n && !(pred.numel() == n); // [N] or [N,1] indices (C == 1 is not a classifier)
}
} // namespace

llvm::FailureOr<double> computeLoss(const LossConfig &cfg, const Tensor &pred, const Tensor &target,
                                    Tensor *grad, std::string &error) {
  if (pred.rank() < 1 || target.rank() < 1 || target.shape[0] != pred.shape[0]) {
    error = "targets " + shapeStr(target.shape) + " do not match the model output " + shapeStr(pred.shape);
    return failure();
  }
  int64_t n = pred.shape[0], total = pred.numel();
  if (grad) grad->reshape(pred.shape, 0.0f);
  if (cfg.kind == LossKind::CrossEntropy) {
    int64_t c = n ? total / n : 0;
    bool indices = classIndices(pred, target);
    if (c < 2 || (!indices && target.numel() != total)) {
      error = "cross-entropy needs logits [N,C] (C >= 2) and class indices [N] or one-hot targets [N,C]; got "
              "output " + shapeStr(pred.shape) + " and targets " + shapeStr(target.shape);
      return failure();
    }
    double loss = 0;
    for (int64_t s = 0; s < n; ++s) {
      const float *z = pred.ptr() + s * c;
      double mx = -INFINITY, sum = 0;
      for (int64_t j = 0; j < c; ++j) mx = std::fmax(mx, z[j]);
      for (int64_t j = 0; j < c; ++j) sum += std::exp(z[j] - mx);
      double lse = mx + std::log(sum);
      if (indices) {
        int64_t label = (int64_t)std::llround(target[s]);
        if (label < 0 || label >= c) {
          error = "class index " + std::to_string(label) + " out of range for " + std::to_string(c) + " classes";
          return failure();
        }
        loss += lse - z[label];
        if (grad)
          for (int64_t j = 0; j < c; ++j)
            (*grad)[s * c + j] = (float)((std::exp(z[j] - lse) - (j == label ? 1.0 : 0.0)) / n);
      } else {
        const float *t = target.ptr() + s * c;
        double tsum = 0;
        for (int64_t j = 0; j < c; ++j) {
          loss -= t[j] * (z[j] - lse);
          tsum += t[j];
        }
        if (grad)
          for (int64_t j = 0; j < c; ++j)
            (*grad)[s * c + j] = (float)((tsum * std::exp(z[j] - lse) - t[j]) / n);
      }
    }
    return n ? loss / n : 0.0;
  }
  if (target.numel() != total) {
    error = "targets " + shapeStr(target.shape) + " do not match the model output " + shapeStr(pred.shape);
    return failure();
  }
  double loss = 0, inv = total ? 1.0 / total : 0.0, delta = cfg.huberDelta;
  for (int64_t k = 0; k < total; ++k) {
    double d = (double)pred[k] - target[k], g;
    switch (cfg.kind) {
    case LossKind::MSE:
      loss += d * d;
      g = 2 * d;
      break;
    case LossKind::MAE:
      loss += std::fabs(d);
      g = d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0;
      break;
    default: // Huber
      if (std::fabs(d) <= delta) {
        loss += 0.5 * d * d;
        g = d;
      } else {
        loss += delta * (std::fabs(d) - 0.5 * delta);
        g = d > 0 ? delta : -delta;
      }
    }
    if (grad) (*grad)[k] = (float)(g * inv);
  }
  return loss * inv;
}

double metricSum(const LossConfig &cfg, const Tensor &pred, const Tensor &target) {
  int64_t n = pred.shape.empty() ? 0 : pred.shape[0];
  if (n == 0) return 0;
  int64_t per = pred.numel() / n;
  double sum = 0;
  if (isClassification(cfg.kind)) {
    bool indices = classIndices(pred, target);
    for (int64_t s = 0; s < n; ++s) {
      const float *z = pred.ptr() + s * per;
      int64_t best = 0;
      for (int64_t j = 1; j < per; ++j)
        if (z[j] > z[best]) best = j;
      int64_t label = 0;
      if (indices) label = (int64_t)std::llround(target[s]);
      else
        for (int64_t j = 1; j < per; ++j)
          if (target[s * per + j] > target[s * per + label]) label = j;
      sum += best == label;
    }
    return sum;
  }
  for (int64_t s = 0; s < n; ++s) {
    double e = 0;
    for (int64_t j = 0; j < per; ++j) e += std::fabs((double)pred[s * per + j] - target[s * per + j]);
    sum += e / per;
  }
  return sum;
}

} // namespace dnnopt::search
