//===- Pareto.h - Pareto front of a lambda sweep: CSV and SVG ------*- C++ -*-===//
//
// `dnnopt search pit --lambda-sweep a,b,c` runs one search per lambda and keeps
// the found networks whose (cost, validation metric) no other point beats in
// both (lower is better in both). The table is written as CSV and plotted as SVG
// (cost on x, metric on y, the front as a staircase, the seed as a reference).
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_TOOLS_DNNOPT_PARETO_H
#define DNNOPT_TOOLS_DNNOPT_PARETO_H

#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace dnnopt::driver {

struct ParetoPoint {
  std::string label;       ///< e.g. "lambda 1e-3" or "seed"
  double lambda = 0;
  int64_t params = 0, macs = 0;
  double metric = 0;       ///< validation metric (lower is better)
  std::string model;       ///< file written for this point ("" for the seed)
  bool seed = false;       ///< the reference point, not a candidate
  bool pareto = false;     ///< filled by markPareto
};

/// Sets `pareto` on every non-seed point that no other non-seed point dominates
/// on (x, metric), x = params or MACs.
void markPareto(std::vector<ParetoPoint> &points, bool byMacs);
/// CSV: label,lambda,params,macs,val_<metric>,pareto,model (one row per point).
void writeParetoCsv(llvm::raw_ostream &os, const std::vector<ParetoPoint> &points, llvm::StringRef metric);
/// SVG scatter plot of the points with the front drawn as a staircase.
void writeParetoSvg(llvm::raw_ostream &os, const std::vector<ParetoPoint> &points, bool byMacs,
                    llvm::StringRef metric, llvm::StringRef title);

} // namespace dnnopt::driver

#endif
