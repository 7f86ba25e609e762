//===- CostFormulas.h - per-layer cost formulas, once, over T ---*- C++ -*-===//
//
// The hardware cost of one layer on one compute unit: MACs, parameter bytes,
// activation bytes, latency (cycles, ms) and energy. Each formula is written
// once, as a template over the number type T, so that
//   - T = double gives the figures of `dnnopt report`, `-dnnopt-annotate-cost`
//     and the compiler's decisions;
//   - T = a dual number / AD type gives differentiable costs for the searches,
//     with the channel counts `cin` / `cout` as (possibly fractional) variables.
//
// Requirements on T: construction from double (a constant: zero derivative),
// `+ - * /` between two T, and `double primalValue(const T &)` found by ADL
// (the plain value; dialects/hw/Dual.h is an example). Rounding up goes through
// ceilST, which is std::ceil for arithmetic types and straight-through (value
// rounded up, derivative of the identity) for any other T.
//
// No MLIR here: the searches can use this header alone. The op interface
// (CostModelOpInterface) extracts a LayerGeometry from a dnn op; the target
// attribute is turned into UnitModels by dialects/hw/TargetModel.h.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_DIALECTS_HW_COSTFORMULAS_H
#define DNNOPT_DIALECTS_HW_COSTFORMULAS_H

#include "dialects/hw/CortexMModel.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace dnnopt::hw {

//===----------------------------------------------------------------------===//
// Number-type helpers
//===----------------------------------------------------------------------===//

inline double primalValue(double x) { return x; }

/// ceil(x); for non-arithmetic T: value ceil(x), derivative that of x.
template <typename T> T ceilST(const T &x) {
  if constexpr (std::is_arithmetic_v<T>) {
    return std::ceil(x);
  } else {
    double v = primalValue(x);
    return x + T(std::ceil(v) - v);
  }
}

/// 1 when x >= 1, else 0; a constant (zero derivative) for every T.
template <typename T> T gateST(const T &x) { return T(primalValue(x) >= 1.0 ? 1.0 : 0.0); }

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

enum class LayerKind : uint8_t {
  Conv,          ///< dense or grouped convolution (1-D, 2-D, 3-D)
  DepthwiseConv, ///< one input channel per group
  ConvTranspose, ///< transposed convolution
  Linear,        ///< gemm / matmul (fully connected)
  Pool,          ///< max / average / global pooling
  Elementwise,   ///< cheap per-element ops (add, relu, clip, batch norm, (de)quantize, cast)
  Nonlinear,     ///< transcendental / division per element (exp, sigmoid, tanh, softmax, div, pow)
  Reduce,        ///< reductions over axes
  Copy,          ///< data movement (transpose, concat, split, slice, pad, gather, resize)
  View,          ///< no code (reshape, identity, dropout)
};
inline constexpr unsigned kNumLayerKinds = 10;
inline constexpr uint32_t kAllLayerKinds = (1u << kNumLayerKinds) - 1;
inline constexpr uint32_t layerBit(LayerKind k) { return 1u << unsigned(k); }
inline constexpr bool hasWeights(LayerKind k) { return k <= LayerKind::Linear; }

inline const char *layerKindName(LayerKind k) {
  static const char *names[] = {"conv", "depthwise_conv", "conv_transpose", "linear", "pool",
                                "elementwise", "nonlinear", "reduce", "copy", "view"};
  return names[unsigned(k)];
}
inline std::optional<LayerKind> layerKindFromName(std::string_view name) {
  for (unsigned i = 0; i < kNumLayerKinds; ++i)
    if (name == layerKindName(LayerKind(i))) return LayerKind(i);
  return std::nullopt;
}

/// Widths in bits of activations and weights; 32 means float32, 0 (weights)
/// means pruned (costs nothing).
struct Precision {
  int aBits = 8, wBits = 8;
  bool operator==(const Precision &o) const { return aBits == o.aBits && wBits == o.wBits; }
  bool operator!=(const Precision &o) const { return !(*this == o); }
  std::string str() const { return "a" + std::to_string(aBits) + "w" + std::to_string(wBits); }
};

/// What the formulas need to know about one op. Spatial extents: x is the last
/// axis (the time axis of a 1-D conv), y the one before; a 3-D op folds depth
/// into y (oy = D * H, ky = kD * kH).
struct LayerGeometry {
  LayerKind kind = LayerKind::View;
  int64_t batch = 1;        ///< N; for Linear: the number of rows (M x batch dims)
  int64_t cin = 1, cout = 1; ///< channels (Linear: K and N); other kinds: channels of the output
  int64_t groups = 1;
  int64_t kx = 1, ky = 1;
  int64_t ix = 1, iy = 1, ox = 1, oy = 1;
  bool bias = false;        ///< weighted kinds: a bias (stored as 32 bits)
  bool constWeights = true; ///< Linear: B is a constant (else it is an activation)
  /// Kinds without weights: elements read (non-constant operands), written, the
  /// work the per-element cost multiplies, and elements of constant operands.
  /// Linear with a non-constant B: inElems = elements of B.
  int64_t inElems = 0, outElems = 0, work = 0, constElems = 0;
};

//===----------------------------------------------------------------------===//
// Compute units
//===----------------------------------------------------------------------===//

enum class LatencyModel : uint8_t {
  Throughput,   ///< cycles = MACs / macs_per_cycle of the precision
  CortexM4,     ///< cycles = a MACs + b outputs + c (kCortexM4Rows)
  CortexM7,     ///< same, kCortexM7Rows
  Gap8Cluster,  ///< published GAP8 8-core cluster formulas
  DianaDigital, ///< published DIANA 16x16 digital accelerator formula
  DianaAnalog,  ///< published DIANA 1152x512 AIMC formula
};
inline constexpr unsigned kNumLatencyModels = 6;

inline const char *latencyModelName(LatencyModel m) {
  static const char *names[] = {"throughput",   "cortex_m4",     "cortex_m7",
                                "gap8_cluster", "diana_digital", "diana_analog"};
  return names[unsigned(m)];
}
inline std::optional<LatencyModel> latencyModelFromName(std::string_view name) {
  for (unsigned i = 0; i < kNumLatencyModels; ++i)
    if (name == latencyModelName(LatencyModel(i))) return LatencyModel(i);
  return std::nullopt;
}

/// Layer kinds a latency model has a formula for (View is free everywhere).
inline uint32_t modelLayerKinds(LatencyModel m) {
  switch (m) {
  case LatencyModel::DianaDigital:
    return layerBit(LayerKind::Conv) | layerBit(LayerKind::DepthwiseConv) |
           layerBit(LayerKind::Linear) | layerBit(LayerKind::View);
  case LatencyModel::DianaAnalog:
    return layerBit(LayerKind::Conv) | layerBit(LayerKind::Linear) | layerBit(LayerKind::View);
  default:
    return kAllLayerKinds;
  }
}

inline const CortexMRow *findCortexMRow(LatencyModel m, Precision p, bool activationOnly) {
  auto find = [&](const auto &rows) -> const CortexMRow * {
    for (const CortexMRow &r : rows)
      if (r.aBits == p.aBits && (activationOnly || r.wBits == p.wBits)) return &r;
    return nullptr;
  };
  if (m == LatencyModel::CortexM4) return find(kCortexM4Rows);
  if (m == LatencyModel::CortexM7) return find(kCortexM7Rows);
  return nullptr;
}

/// Whether a latency model can have `p` among its precisions at all; sets `why`.
inline bool modelAcceptsPrecision(LatencyModel m, Precision p, std::string *why) {
  auto fail = [&](const std::string &msg) {
    if (why) *why = msg;
    return false;
  };
  switch (m) {
  case LatencyModel::Throughput:
    return true;
  case LatencyModel::CortexM4:
  case LatencyModel::CortexM7:
    if (!findCortexMRow(m, p, false))
      return fail("has no constants for " + p.str() + " (a8, a4 or a2 with w8, w4 or w2; a32w32)");
    return true;
  case LatencyModel::Gap8Cluster:
    if (p.aBits < 1 || p.aBits > 8 || p.wBits < 1 || p.wBits > 8)
      return fail("runs integers of 1 to 8 bits only (no FPU), not " + p.str());
    return true;
  case LatencyModel::DianaDigital:
    if (p != Precision{8, 8}) return fail("runs a8w8 only, not " + p.str());
    return true;
  case LatencyModel::DianaAnalog:
    if (p.wBits != 2 || p.aBits < 1 || p.aBits > 8)
      return fail("needs ternary weights (w2) and activations of at most 8 bits, not " + p.str());
    return true;
  }
  return true;
}

struct PrecisionRate {
  Precision precision;
  double macsPerCycle = 0; ///< throughput model only
};

/// A compute unit as the formulas see it (built from #hw.unit in its target).
struct UnitModel {
  std::string name;
  LatencyModel model = LatencyModel::Throughput;
  double freqMHz = 1;
  int64_t cores = 1;
  std::vector<PrecisionRate> precisions;
  uint32_t layerKinds = kAllLayerKinds;
  double activeMW = 0;     ///< while this unit computes
  double backgroundMW = 0; ///< target base power + idle power of the other units

  /// The entry for `p` (only the activation width counts for layers without
  /// weights, and pruned weights match any entry of the same activation width).
  const PrecisionRate *findPrecision(Precision p, bool activationOnly) const {
    for (const PrecisionRate &r : precisions)
      if (r.precision.aBits == p.aBits &&
          (activationOnly || p.wBits == 0 || r.precision.wBits == p.wBits))
        return &r;
    return nullptr;
  }
  std::string precisionList() const {
    std::string s;
    for (const PrecisionRate &r : precisions) s += (s.empty() ? "" : ", ") + r.precision.str();
    return s;
  }
};

/// Whether `u` can run the layer `g` at `p`; otherwise `why` says why.
inline bool canRun(const LayerGeometry &g, const UnitModel &u, Precision p, std::string *why) {
  auto fail = [&](const std::string &msg) {
    if (why) *why = msg;
    return false;
  };
  if (g.kind == LayerKind::View) return true;
  if (!(u.layerKinds & layerBit(g.kind)))
    return fail(std::string("unit '") + u.name + "' (" + latencyModelName(u.model) +
                ") does not run " + layerKindName(g.kind) + " layers");
  if (g.kind == LayerKind::Conv && g.groups > 1 && u.model == LatencyModel::DianaAnalog)
    return fail("unit '" + u.name + "' (diana_analog) runs dense convolutions only, not " +
                std::to_string(g.groups) + " groups");
  if (!u.findPrecision(p, !hasWeights(g.kind)))
    return fail("unit '" + u.name + "' does not run " +
                (hasWeights(g.kind) ? p.str() : "a" + std::to_string(p.aBits) + " activations") +
                " (it runs " + u.precisionList() + ")");
  return true;
}

//===----------------------------------------------------------------------===//
// The formulas
//===----------------------------------------------------------------------===//

template <typename T> struct LayerCost {
  T macs{0.0};
  T params{0.0};     ///< parameter elements (layerParams)
  T paramBytes{0.0}; ///< weights at wBits (packed) + 32-bit bias; constants of other layers at aBits
  T actBytes{0.0};   ///< input + output activations at aBits (packed)
  T cycles{0.0};     ///< latency in cycles of the unit's clock
  T latencyMs{0.0};
  T energyUJ{0.0};
};

namespace detail {
template <typename T> T k(double v) { return T(v); }

/// Channel scaling of layers without weights: cout / native channels.
template <typename T> T channelScale(const LayerGeometry &g, const T &cout) {
  return g.cout > 0 ? cout / k<T>(double(g.cout)) : k<T>(1.0);
}

template <typename T> T outputElements(const LayerGeometry &g, const T &cout) {
  if (g.kind == LayerKind::Linear) return k<T>(double(g.batch)) * cout;
  return k<T>(double(g.batch * g.ox * g.oy)) * cout;
}

/// Cycles of a layer without MACs from a per-element table.
template <typename T>
T auxCycles(const LayerGeometry &g, const AuxCycles &a, double parallel, const T &cout) {
  double perElement = 0;
  switch (g.kind) {
  case LayerKind::Pool: perElement = a.pool; break;
  case LayerKind::Elementwise: perElement = a.elementwise; break;
  case LayerKind::Nonlinear: perElement = a.nonlinear; break;
  case LayerKind::Reduce: perElement = a.reduce; break;
  case LayerKind::Copy: perElement = a.copy; break;
  default: return k<T>(0.0);
  }
  return k<T>(double(g.work) * perElement / parallel) * channelScale(g, cout) + k<T>(a.perCall);
}

template <typename T>
T cortexMCycles(const LayerGeometry &g, const UnitModel &u, Precision p, const T &macs,
                const T &cout) {
  const CortexMRow *row = findCortexMRow(u.model, p, !hasWeights(g.kind));
  if (!row) return k<T>(0.0); // rejected by canRun / the target verifier
  if (!hasWeights(g.kind)) return auxCycles(g, row->aux, 1.0, cout);
  const LinearCycles &c = g.kind == LayerKind::DepthwiseConv ? row->depthwise
                          : g.kind == LayerKind::Linear      ? row->linear
                                                             : row->conv;
  return k<T>(c.perMac) * macs + k<T>(c.perOutput) * outputElements(g, cout) + k<T>(c.perCall);
}

/// GAP8 cluster, dense conv (one group): iter = ceil(ox/2) ceil(oy/8);
/// lat = iter (2 kx ky Cin + ceil(Cout/4) (5 + 14 ceil(kx ky Cin / 4) + 10)).
template <typename T>
T gap8Conv(double ox, double oy, double kxky, const T &cin, const T &cout) {
  T iter = k<T>(std::ceil(ox / 2) * std::ceil(oy / 8));
  T inner = k<T>(2 * kxky) * cin +
            ceilST(cout / k<T>(4.0)) *
                (k<T>(5.0) + k<T>(14.0) * ceilST(k<T>(kxky) * cin / k<T>(4.0)) + k<T>(10.0));
  return iter * inner;
}

template <typename T>
T gap8ClusterCycles(const LayerGeometry &g, const UnitModel &u, const T &cin, const T &cout) {
  double kxky = double(g.kx * g.ky), batch = double(g.batch);
  switch (g.kind) {
  case LayerKind::Conv:
  case LayerKind::ConvTranspose: {
    // A transposed conv is costed as the conv over its input extent; a grouped
    // conv as `groups` dense convs of Cin/g -> Cout/g.
    double ox = g.kind == LayerKind::Conv ? double(g.ox) : double(g.ix);
    double oy = g.kind == LayerKind::Conv ? double(g.oy) : double(g.iy);
    if (g.groups == 1) return k<T>(batch) * gap8Conv(ox, oy, kxky, cin, cout);
    T groups = k<T>(double(g.groups));
    return k<T>(batch) * groups * gap8Conv(ox, oy, kxky, cin / groups, cout / groups);
  }
  case LayerKind::DepthwiseConv: // 4 ceil(C/4) ox oy kx ky
    return k<T>(4.0 * batch * double(g.ox * g.oy) * kxky) * ceilST(cout / k<T>(4.0));
  case LayerKind::Linear: // ceil(Cin/2) ceil(Cout/4)
    return k<T>(batch) * ceilST(cin / k<T>(2.0)) * ceilST(cout / k<T>(4.0));
  default:
    return auxCycles(g, kGap8ClusterAuxCycles, double(u.cores), cout);
  }
}

/// DIANA digital: ceil((Cout/g)/16) Cin ceil(ox/16) oy kx ky + gate ox oy (Cout + Cin)/8,
/// gate = 1[Cout >= 1]. Linear: a 1x1 conv with ox = 1, oy = rows.
template <typename T>
T dianaDigitalCycles(const LayerGeometry &g, const T &cin, const T &cout) {
  double ox = double(g.ox), oy = double(g.oy), kxky = double(g.kx * g.ky), batch = double(g.batch);
  if (g.kind == LayerKind::Linear) ox = 1, oy = double(g.batch), kxky = 1, batch = 1;
  // Depthwise: the channel multiplier is fixed whatever the channel count.
  T coutPerGroup = g.kind == LayerKind::DepthwiseConv
                       ? k<T>(double(g.cout / g.groups))
                       : cout / k<T>(double(g.groups));
  T compute = ceilST(coutPerGroup / k<T>(16.0)) * cin * k<T>(std::ceil(ox / 16) * oy * kxky);
  T io = gateST(cout) * k<T>(ox * oy) * (cout + cin) / k<T>(8.0);
  return k<T>(batch) * (compute + io);
}

/// DIANA analog: ceil(Cin kx ky / 1152) ceil(Cout/512) ox oy + 8 Cin ceil(Cout/512).
template <typename T>
T dianaAnalogCycles(const LayerGeometry &g, const T &cin, const T &cout) {
  double pixels = g.kind == LayerKind::Linear ? double(g.batch) : double(g.batch * g.ox * g.oy);
  double kxky = g.kind == LayerKind::Linear ? 1.0 : double(g.kx * g.ky);
  T colTiles = ceilST(cout / k<T>(512.0));
  return ceilST(cin * k<T>(kxky) / k<T>(1152.0)) * colTiles * k<T>(pixels) +
         k<T>(8.0) * cin * colTiles;
}
} // namespace detail

/// Multiply-accumulates.
template <typename T> T layerMacs(const LayerGeometry &g, const T &cin, const T &cout) {
  using detail::k;
  double kxky = double(g.kx * g.ky);
  switch (g.kind) {
  case LayerKind::Conv:
    return k<T>(double(g.batch * g.ox * g.oy) * kxky) * (cin / k<T>(double(g.groups))) * cout;
  case LayerKind::DepthwiseConv:
    return k<T>(double(g.batch * g.ox * g.oy) * kxky) * cout;
  case LayerKind::ConvTranspose:
    return k<T>(double(g.batch * g.ix * g.iy) * kxky) * cin * (cout / k<T>(double(g.groups)));
  case LayerKind::Linear:
    return k<T>(double(g.batch)) * cin * cout;
  default:
    return k<T>(0.0);
  }
}

/// Parameters (weights + bias elements) of a layer with weights; elements of
/// constant operands otherwise.
template <typename T> T layerParams(const LayerGeometry &g, const T &cin, const T &cout) {
  using detail::k;
  T groups = k<T>(double(g.groups)), kxky = k<T>(double(g.kx * g.ky));
  T bias = g.bias ? cout : k<T>(0.0);
  switch (g.kind) {
  case LayerKind::Conv: return cout * (cin / groups) * kxky + bias;
  case LayerKind::DepthwiseConv: return cout * kxky + bias;
  case LayerKind::ConvTranspose: return cin * (cout / groups) * kxky + bias;
  case LayerKind::Linear: return (g.constWeights ? cin * cout : k<T>(0.0)) + bias;
  case LayerKind::View: return k<T>(0.0);
  default: return k<T>(double(g.constElems));
  }
}

/// Latency in cycles of unit `u` (which must be able to run the layer: canRun).
template <typename T>
T layerCycles(const LayerGeometry &g, const UnitModel &u, Precision p, const T &cin,
              const T &cout) {
  using detail::k;
  if (g.kind == LayerKind::View) return k<T>(0.0);
  if (hasWeights(g.kind) && p.wBits == 0) return k<T>(0.0);
  switch (u.model) {
  case LatencyModel::Throughput: {
    if (!hasWeights(g.kind)) return detail::auxCycles(g, kRiscvAuxCycles, double(u.cores), cout);
    const PrecisionRate *r = u.findPrecision(p, false);
    double rate = r && r->macsPerCycle > 0 ? r->macsPerCycle : 1.0;
    return layerMacs(g, cin, cout) / k<T>(rate);
  }
  case LatencyModel::CortexM4:
  case LatencyModel::CortexM7:
    return detail::cortexMCycles(g, u, p, layerMacs(g, cin, cout), cout);
  case LatencyModel::Gap8Cluster:
    return detail::gap8ClusterCycles(g, u, cin, cout);
  case LatencyModel::DianaDigital:
    return detail::dianaDigitalCycles(g, cin, cout);
  case LatencyModel::DianaAnalog:
    return detail::dianaAnalogCycles(g, cin, cout);
  }
  return k<T>(0.0);
}

/// Everything about one layer on one unit, with `cin` / `cout` input / output
/// channels (the geometry's own counts for plain figures; fractional effective
/// counts during a search).
template <typename T>
LayerCost<T> layerCost(const LayerGeometry &g, const UnitModel &u, Precision p, const T &cin,
                       const T &cout) {
  using detail::k;
  LayerCost<T> c;
  double aBytes = p.aBits / 8.0, wBytes = p.wBits / 8.0;
  bool pruned = hasWeights(g.kind) && p.wBits == 0;
  T bias = g.bias ? cout : k<T>(0.0);
  c.params = layerParams(g, cin, cout);
  switch (g.kind) {
  case LayerKind::Conv:
  case LayerKind::DepthwiseConv:
  case LayerKind::ConvTranspose:
    // Weights at wBits (packed), bias at 32 bits.
    c.paramBytes = (layerParams(g, cin, cout) - bias) * k<T>(wBytes) + bias * k<T>(4.0);
    c.actBytes = (k<T>(double(g.batch * g.ix * g.iy)) * cin +
                  k<T>(double(g.batch * g.ox * g.oy)) * cout) *
                 k<T>(aBytes);
    break;
  case LayerKind::Linear: {
    T acts = k<T>(double(g.batch)) * (cin + cout);
    if (!g.constWeights && g.cin > 0 && g.cout > 0) // B is an activation: scales with both
      acts = acts + k<T>(double(g.inElems)) * cin / k<T>(double(g.cin)) * cout /
                        k<T>(double(g.cout));
    c.paramBytes = (layerParams(g, cin, cout) - bias) * k<T>(wBytes) + bias * k<T>(4.0);
    c.actBytes = acts * k<T>(aBytes);
    break;
  }
  case LayerKind::View:
    return c;
  default:
    c.paramBytes = k<T>(double(g.constElems) * aBytes);
    c.actBytes = k<T>(double(g.inElems + g.outElems) * aBytes) * detail::channelScale(g, cout);
    break;
  }
  if (pruned) {
    c.params = c.paramBytes = k<T>(0.0);
    return c;
  }
  c.macs = layerMacs(g, cin, cout);
  c.cycles = layerCycles(g, u, p, cin, cout);
  c.latencyMs = c.cycles / k<T>(u.freqMHz * 1e3);
  c.energyUJ = k<T>(u.activeMW + u.backgroundMW) * c.latencyMs;
  return c;
}

/// Plain figures at the layer's own channel counts.
inline LayerCost<double> layerCost(const LayerGeometry &g, const UnitModel &u, Precision p) {
  return layerCost<double>(g, u, p, double(g.cin), double(g.cout));
}

} // namespace dnnopt::hw

#endif
