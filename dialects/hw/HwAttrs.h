//===- HwAttrs.h - hw dialect attributes -----------------------*- C++ -*-===//
#ifndef DNNOPT_DIALECTS_HW_HWATTRS_H
#define DNNOPT_DIALECTS_HW_HWATTRS_H

#include "dialects/hw/HwDialect.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/Hashing.h"

#include <cstring>

#include "dialects/hw/HwEnums.h.inc"

namespace dnnopt::hw {
/// A real-valued attribute parameter (hashable, unlike a plain double).
struct Real {
  double value = 0;
  Real(double v = 0) : value(v) {}
  operator double() const { return value; }
  bool operator==(const Real &o) const { return value == o.value; }
};
inline llvm::hash_code hash_value(Real r) {
  uint64_t bits;
  static_assert(sizeof bits == sizeof r.value);
  std::memcpy(&bits, &r.value, sizeof bits);
  return llvm::hash_value(bits);
}
} // namespace dnnopt::hw

namespace dnnopt::hw::detail {
/// A real number: an integer or decimal literal, optionally negative.
mlir::FailureOr<Real> parseReal(mlir::AsmParser &parser);
/// Shortest decimal form that parses back to the same double, at most 12
/// significant digits.
void printReal(mlir::AsmPrinter &printer, Real value);
std::string formatReal(double value);
} // namespace dnnopt::hw::detail

#define GET_ATTRDEF_CLASSES
#include "dialects/hw/HwAttrs.h.inc"

#endif
