//===- Calibration.h - fit the Cortex-M cycle model on measurements -*- C++ -*-===//
//
// The hook for calibrating kCortexM4Rows / kCortexM7Rows (CortexMModel.h): the
// C backend's QEMU benchmark reports, per layer, the MACs, output elements and
// measured cycles (or instructions); fitLinearCycles gives the least-squares
// {perMac, perOutput, perCall}, R^2 and the worst relative error, for one
// (core, precision, layer class) at a time.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_DIALECTS_HW_CALIBRATION_H
#define DNNOPT_DIALECTS_HW_CALIBRATION_H

#include "dialects/hw/CortexMModel.h"

#include <cstddef>
#include <optional>
#include <vector>

namespace dnnopt::hw {

struct CycleSample {
  double macs = 0, outputs = 0, cycles = 0;
  /// Least-squares weight; 1 / cycles^2 fits relative errors (small layers count
  /// as much as large ones).
  double weight = 1;
};

struct CycleFit {
  LinearCycles coefficients;
  double r2 = 0;                 ///< 1 - SS_res / SS_tot (1 when all samples are equal and fitted)
  double worstRelativeError = 0; ///< max |predicted - measured| / measured
  size_t worstSample = 0;
};

/// Least squares of cycles = perMac MACs + perOutput outputs + perCall. When the
/// columns are collinear (e.g. every sample has the same MACs per output) the
/// redundant coefficients are left at 0; a fit with a negative coefficient gives way
/// to the best fit over fewer columns that has none (a cost is never negative).
/// Nullopt when there are no samples.
std::optional<CycleFit> fitLinearCycles(const std::vector<CycleSample> &samples);

} // namespace dnnopt::hw

#endif
