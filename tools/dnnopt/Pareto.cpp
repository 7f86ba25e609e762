//===- Pareto.cpp - Pareto front of a lambda sweep: CSV and SVG ------------===//
#include "Pareto.h"
#include "TextOutput.h"

#include "llvm/Support/Format.h"

#include <algorithm>
#include <cmath>

using namespace dnnopt::driver;

namespace {
double xOf(const ParetoPoint &p, bool byMacs) { return double(byMacs ? p.macs : p.params); }
} // namespace

void dnnopt::driver::markPareto(std::vector<ParetoPoint> &points, bool byMacs) {
  for (ParetoPoint &p : points) {
    p.pareto = false;
    if (p.seed) continue;
    bool dominated = false;
    for (const ParetoPoint &q : points) {
      if (&q == &p || q.seed) continue;
      bool noWorse = xOf(q, byMacs) <= xOf(p, byMacs) && q.metric <= p.metric;
      bool better = xOf(q, byMacs) < xOf(p, byMacs) || q.metric < p.metric;
      if (noWorse && better) dominated = true;
    }
    p.pareto = !dominated && std::isfinite(p.metric);
  }
}

void dnnopt::driver::writeParetoCsv(llvm::raw_ostream &os, const std::vector<ParetoPoint> &points,
                                    llvm::StringRef metric) {
  os << "label,lambda,params,macs,val_" << metric << ",pareto,model\n";
  for (const ParetoPoint &p : points)
    os << p.label << "," << llvm::format("%g", p.lambda) << "," << p.params << "," << p.macs << ","
       << llvm::format("%.6g", p.metric) << "," << (p.seed ? "" : p.pareto ? "1" : "0") << "," << p.model << "\n";
}

void dnnopt::driver::writeParetoSvg(llvm::raw_ostream &os, const std::vector<ParetoPoint> &points, bool byMacs,
                                    llvm::StringRef metric, llvm::StringRef title) {
  const int W = 640, H = 420, left = 70, right = 30, top = 40, bottom = 55;
  double xMax = 1, yMin = INFINITY, yMax = -INFINITY;
  for (const ParetoPoint &p : points) {
    xMax = std::max(xMax, xOf(p, byMacs));
    if (std::isfinite(p.metric)) {
      yMin = std::min(yMin, p.metric);
      yMax = std::max(yMax, p.metric);
    }
  }
  if (!std::isfinite(yMin)) yMin = 0, yMax = 1;
  double pad = std::max(1e-9, (yMax - yMin) * 0.1);
  yMin = std::max(0.0, yMin - pad);
  yMax += pad;
  xMax *= 1.08;
  auto px = [&](double x) { return left + double(W - left - right) * x / xMax; };
  auto py = [&](double y) { return H - bottom - double(H - top - bottom) * (y - yMin) / (yMax - yMin); };
  const char *xName = byMacs ? "MACs" : "parameters";

  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
     << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << "<text x=\"" << left << "\" y=\"22\" font-size=\"14\" font-weight=\"bold\">" << xmlEscape(title)
     << "</text>\n";
  // Axes with 5 ticks each.
  os << "<path d=\"M" << left << " " << top << " V" << H - bottom << " H" << W - right
     << "\" stroke=\"black\" fill=\"none\"/>\n";
  for (int t = 0; t <= 5; ++t) {
    double x = xMax * t / 5, y = yMin + (yMax - yMin) * t / 5;
    os << "<text x=\"" << fixed(px(x), 1) << "\" y=\"" << H - bottom + 16 << "\" text-anchor=\"middle\">"
       << llvm::format("%.0f", x) << "</text>\n";
    os << "<text x=\"" << left - 6 << "\" y=\"" << fixed(py(y) + 4, 1) << "\" text-anchor=\"end\">"
       << llvm::format("%.3g", y) << "</text>\n";
  }
  os << "<text x=\"" << (left + W - right) / 2 << "\" y=\"" << H - 14 << "\" text-anchor=\"middle\">" << xName
     << " (deployed)</text>\n";
  os << "<text x=\"16\" y=\"" << (top + H - bottom) / 2 << "\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
     << (top + H - bottom) / 2 << ")\">validation " << xmlEscape(metric) << " (lower is better)</text>\n";
  // The front as a staircase through the Pareto points sorted by x.
  std::vector<const ParetoPoint *> front;
  for (const ParetoPoint &p : points)
    if (p.pareto) front.push_back(&p);
  std::sort(front.begin(), front.end(),
            [&](const ParetoPoint *a, const ParetoPoint *b) { return xOf(*a, byMacs) < xOf(*b, byMacs); });
  if (!front.empty()) {
    os << "<path d=\"M" << fixed(px(xOf(*front[0], byMacs)), 1) << " " << fixed(py(front[0]->metric), 1);
    for (size_t i = 1; i < front.size(); ++i)
      os << " H" << fixed(px(xOf(*front[i], byMacs)), 1) << " V" << fixed(py(front[i]->metric), 1);
    os << "\" stroke=\"#1f77b4\" stroke-width=\"1.5\" fill=\"none\"/>\n";
  }
  for (const ParetoPoint &p : points) {
    if (!std::isfinite(p.metric)) continue;
    const char *color = p.seed ? "#d62728" : p.pareto ? "#1f77b4" : "#999999";
    double x = px(xOf(p, byMacs)), y = py(p.metric);
    os << "<circle cx=\"" << fixed(x, 1) << "\" cy=\"" << fixed(y, 1) << "\" r=\"4\" fill=\"" << color
       << "\"><title>" << xmlEscape(p.label) << ": " << p.params << " params, " << p.macs << " MACs, val "
       << xmlEscape(metric) << " " << llvm::format("%.4g", p.metric) << "</title></circle>\n";
    os << "<text x=\"" << fixed(x + 6, 1) << "\" y=\"" << fixed(y - 6, 1) << "\" fill=\"" << color << "\">"
       << xmlEscape(p.label) << "</text>\n";
  }
  os << "</svg>\n";
}
