//===- Pit.h - PIT: pruning in time (channels, receptive field, dilation) -*- C++ -*-===//
//
// PIT as formulated in ../shared/reference/algorithms.md, on an IRGraph built
// from a float dnn function imported WITHOUT the BatchNorm-folding cleanup:
//
//  - every searchable dnn.conv (group 1, whose output channels only flow through
//    BatchNorm / activations / pooling into group-1 convs or a Flatten -> Gemm,
//    never to the network output) gets a channel mask alpha [Cout] (init 1,
//    theta = |alpha|, straight-through binarized, channel 0 kept alive) applied
//    to its output channels after its BatchNorm and activation (the end of its
//    single-use chain of BatchNorm / activation / pooling ops);
//  - every causal 1-D conv (stride 1, pads [(K-1)d, 0], K >= 2) additionally
//    gets beta [K] (receptive field, theta_beta = C_beta |beta|, the current tap
//    kept alive) and gamma [L] (dilation, theta_gamma = C_gamma^T |gamma|, the
//    coarsest-dilation element kept alive); their binarized product masks the
//    weights along time.
//  All mask parameters are in the optimizer group "arch".
//
// Index conventions: time masks are indexed by the tap's delay j (j = 0 is the
// current sample = weight index K-1). C_beta is upper-triangular ones
// (theta_beta_j = sum_{i>=j} |beta_i|, so the oldest taps go first). Row l of
// C_gamma is [j mod 2^(L-1-l) == 0]: gamma_0 covers the coarsest grid (always
// kept), gamma_{L-1} all taps. (algorithms.md's literal row i = [j mod 2^i == 0]
// with gamma_0 kept alive would keep every tap forever; this is the same matrix
// with the rows in reverse order, so that the kept-alive element is meaningful.)
//
// Cost (differentiable, from the continuous sizes): per layer
//   params = Cout_eff * (Cin_eff * k_eff + bias),   macs = params * output length,
// Cout_eff = sum |alpha|, k_eff = sum_j (theta_beta_j / (K - j)) * (theta_gamma_j /
// n_j) with n_j = number of gamma elements covering tap j, Cin_eff = the
// producer's Cout_eff. A Gemm fed by a masked conv through Flatten counts as a
// layer with Cin_eff * T inputs.
//
// Export rewrites the IR into the physically smaller network.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_PASSES_SEARCH_PIT_H
#define DNNOPT_PASSES_SEARCH_PIT_H

#include "passes/search/FromIR.h"

namespace dnnopt::search {

enum class PitCost { Params, Macs };

struct PitLayer {
  std::string name;
  mlir::Operation *op = nullptr;  ///< dnn.conv or dnn.gemm
  bool isGemm = false;
  int64_t cout = 0, cin = 0;      ///< seed sizes (gemm: cin = producer channels)
  int64_t kernel = 1;             ///< seed kernel along time (1-D), or product of kernel dims
  int64_t dilation = 1;           ///< seed dilation (1-D)
  int64_t cinFactor = 1;          ///< gemm after Flatten: columns per input channel
  int64_t outLen = 1;             ///< output positions (MACs = params * outLen)
  bool bias = false;
  int producer = -1;              ///< layer whose output channels feed this one
  ValueId alpha = -1, beta = -1, gamma = -1;
  int64_t L = 0;                  ///< gamma size
  // IR ops the channels flow through (export): pass-through ops and Flatten reshapes.
  std::vector<mlir::Operation *> chain;
};

struct PitDecision {
  std::vector<int64_t> keepOut;   ///< kept output channels
  std::vector<int64_t> taps;      ///< kept weight indices along time (ascending)
  int64_t kernel = 1, dilation = 1; ///< new kernel and total dilation
};

class Pit {
public:
  /// Adds the masks to `g`'s graph. Fails (with a message) when nothing is searchable.
  static llvm::FailureOr<std::unique_ptr<Pit>> attach(IRGraph &g, std::string &error);

  /// The cost of the current masks; when `addGrad`, adds scale * d cost / d mask
  /// into the mask parameters' grads.
  double cost(PitCost kind, bool addGrad = false, double scale = 1.0);
  /// The cost of the binarized (exported) architecture: params or MACs.
  double exportedCost(PitCost kind) const;

  /// Binarized masks -> kept channels, taps, dilation.
  PitDecision decide(int layer) const;
  /// writeBack + rewrite of the IR into the smaller network; verifies the function.
  llvm::LogicalResult exportIR(std::string &error);

  /// One entry per layer: "name:Cout" (and "/k<k>d<d>" for time-searched convs).
  std::string keptSummary() const;

  std::vector<PitLayer> layers;

  // -- The mask math (exposed for tests) --------------------------------------------
  /// theta_beta_j = sum_{i >= j} |beta_i|.
  static std::vector<double> thetaBeta(const std::vector<float> &beta);
  /// theta_gamma_j = sum_l cov(l, j) |gamma_l|, j in [0, K).
  static std::vector<double> thetaGamma(const std::vector<float> &gamma, int64_t K);
  static bool covers(int64_t L, int64_t l, int64_t j) { return j % (int64_t(1) << (L - 1 - l)) == 0; }
  /// k_eff (continuous).
  static double kEff(const std::vector<float> &beta, const std::vector<float> &gamma);
  /// Binarized time mask by delay j (keep-alive applied).
  static std::vector<float> timeMask(const std::vector<float> &beta, const std::vector<float> &gamma);

private:
  explicit Pit(IRGraph &g) : ir(g) {}
  IRGraph &ir;
};

} // namespace dnnopt::search

#endif
