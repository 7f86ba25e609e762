//===- Calibration.cpp - least-squares fit of the linear cycle model -------===//
#include "dialects/hw/Calibration.h"

#include <array>
#include <cmath>

using namespace dnnopt::hw;

namespace {
/// Solves the normal equations on the columns in `use` (0 MACs, 1 outputs,
/// 2 constant); false when they are singular.
bool solve(const std::vector<CycleSample> &s, std::array<bool, 3> use, std::array<double, 3> &x) {
  std::array<int, 3> cols{};
  int n = 0;
  for (int c = 0; c < 3; ++c)
    if (use[c]) cols[n++] = c;
  auto col = [](const CycleSample &p, int c) { return c == 0 ? p.macs : c == 1 ? p.outputs : 1.0; };
  double a[3][4] = {};
  for (const CycleSample &p : s)
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) a[i][j] += p.weight * col(p, cols[i]) * col(p, cols[j]);
      a[i][n] += p.weight * col(p, cols[i]) * p.cycles;
    }
  // Gaussian elimination with partial pivoting, relative singularity check.
  double scale = 0;
  for (int i = 0; i < n; ++i) scale = std::fmax(scale, std::fabs(a[i][i]));
  for (int i = 0; i < n; ++i) {
    int piv = i;
    for (int r = i + 1; r < n; ++r)
      if (std::fabs(a[r][i]) > std::fabs(a[piv][i])) piv = r;
    if (std::fabs(a[piv][i]) <= 1e-12 * scale) return false;
    for (int c = 0; c <= n; ++c) std::swap(a[i][c], a[piv][c]);
    for (int r = 0; r < n; ++r) {
      if (r == i) continue;
      double f = a[r][i] / a[i][i];
      for (int c = i; c <= n; ++c) a[r][c] -= f * a[i][c];
    }
  }
  x = {0, 0, 0};
  for (int i = 0; i < n; ++i) x[cols[i]] = a[i][n] / a[i][i];
  return true;
}
} // namespace

std::optional<CycleFit> dnnopt::hw::fitLinearCycles(const std::vector<CycleSample> &samples) {
  if (samples.empty()) return std::nullopt;
  // Column subsets, richest first. A cost cannot be negative: the first subset whose
  // solution has no negative coefficient wins; if none has, the first solvable one.
  std::array<double, 3> x{}, first{};
  const std::array<std::array<bool, 3>, 5> attempts = {{{true, true, true},
                                                        {true, true, false},
                                                        {true, false, true},
                                                        {true, false, false},
                                                        {false, false, true}}};
  bool solved = false, anySolved = false;
  for (const auto &use : attempts) {
    if (!solve(samples, use, x)) continue;
    if (!anySolved) first = x;
    anySolved = true;
    if ((solved = x[0] >= 0 && x[1] >= 0 && x[2] >= 0)) break;
  }
  if (!anySolved) return std::nullopt;
  if (!solved) x = first;
  CycleFit fit;
  fit.coefficients = {x[0], x[1], x[2]};
  double mean = 0;
  for (const CycleSample &s : samples) mean += s.cycles;
  mean /= double(samples.size());
  double ssRes = 0, ssTot = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const CycleSample &s = samples[i];
    double pred = x[0] * s.macs + x[1] * s.outputs + x[2];
    ssRes += (pred - s.cycles) * (pred - s.cycles);
    ssTot += (s.cycles - mean) * (s.cycles - mean);
    double rel = s.cycles != 0 ? std::fabs(pred - s.cycles) / std::fabs(s.cycles) : std::fabs(pred);
    if (rel > fit.worstRelativeError) fit.worstRelativeError = rel, fit.worstSample = i;
  }
  fit.r2 = ssTot > 0 ? 1 - ssRes / ssTot : (ssRes <= 1e-12 ? 1.0 : 0.0);
  return fit;
}
