//===- Dual.h - forward-mode dual numbers ----------------------*- C++ -*-===//
//
// The smallest number type the templated cost formulas accept besides double:
// a value and one directional derivative. It documents (and tests) the contract
// of CostFormulas.h; the search engine plugs in its own AD type the same way.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_DIALECTS_HW_DUAL_H
#define DNNOPT_DIALECTS_HW_DUAL_H

namespace dnnopt::hw {

struct Dual {
  double v = 0; ///< value
  double d = 0; ///< derivative along the seeded direction
  Dual() = default;
  Dual(double value) : v(value) {} // constants have zero derivative
  Dual(double value, double derivative) : v(value), d(derivative) {}
  /// A variable: derivative 1.
  static Dual variable(double value) { return {value, 1.0}; }
};

inline Dual operator+(const Dual &a, const Dual &b) { return {a.v + b.v, a.d + b.d}; }
inline Dual operator-(const Dual &a, const Dual &b) { return {a.v - b.v, a.d - b.d}; }
inline Dual operator*(const Dual &a, const Dual &b) { return {a.v * b.v, a.d * b.v + a.v * b.d}; }
inline Dual operator/(const Dual &a, const Dual &b) {
  return {a.v / b.v, (a.d * b.v - a.v * b.d) / (b.v * b.v)};
}
inline double primalValue(const Dual &x) { return x.v; }

} // namespace dnnopt::hw

#endif
