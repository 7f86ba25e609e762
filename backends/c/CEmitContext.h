//===- CEmitContext.h - shared state of the C emitter ----------*- C++ -*-===//
//
// What the per-op emitters (Emit*.cpp) use to write C: pointer expressions for
// every tensor (arena offset, caller buffer or weight array), const parameter
// structs, weight arrays, and the statements of NAME_run.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_BACKENDS_C_CEMITCONTEXT_H
#define DNNOPT_BACKENDS_C_CEMITCONTEXT_H

#include "backends/common/StoragePlan.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"

#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace dnnopt {

class CEmitContext {
public:
  CEmitContext(const std::string &name, const StoragePlan &plan) : name(name), plan(plan) {}

  /// CCompileOptions::compactWeights: no int16 pre-expanded int8 conv weights.
  bool compactWeights = false;

  /// C element type of an MLIR element type ("float", "int8_t", ...), or "" if none.
  static std::string cType(mlir::Type elementType);
  /// A typed pointer expression to the data of `v` (const for inputs and weights).
  std::string ptr(mlir::Value v);
  /// Emits (once) the weight array holding constant `v` unchanged; returns its name.
  std::string weight(mlir::Value v);
  /// Emits a weight array with explicit contents (e.g. packed); returns its name.
  std::string floatArray(const std::string &hint, const std::vector<float> &data);
  std::string intArray(const std::string &hint, const std::string &cType,
                       const std::vector<int64_t> &data);
  /// Emits raw bytes (packed int8 weights, per-channel tables) as a 4-byte
  /// aligned `const int32_t` array of little-endian words (the int8 kernels load
  /// them with LDRD); returns its name, to be cast by the caller.
  std::string wordArray(const std::string &hint, const void *data, size_t bytes);
  /// `(void *)` expression of the arena scratch buffer planned for `op`, or "NULL".
  std::string scratch(mlir::Operation *op);
  /// Emits `static const TYPE pN = { INIT };` in NAME.c; returns "&pN".
  std::string params(const std::string &type, const std::string &init);
  /// Emits `static const TYPE nN[] = { INIT };` in NAME.c (tables); returns "nN".
  std::string table(const std::string &type, const std::string &init, int64_t bytes);
  /// Appends one statement to the body of NAME_run.
  void stmt(const std::string &s) { body << "  " << s << "\n"; }
  /// Requests runtime source files (e.g. "dnn_conv") to be copied to the output.
  void useRuntime(const std::string &stem) { runtimeStems.insert(stem); }

  const std::string name;
  const StoragePlan &plan;
  std::ostringstream decls;   ///< file-scope declarations of NAME.c
  std::ostringstream body;    ///< statements of NAME_run
  std::ostringstream weights; ///< NAME_weights.c after its header
  std::ostringstream weightDecls; ///< extern declarations shared by NAME.c
  std::set<std::string> runtimeStems;
  int64_t weightBytes = 0; ///< bytes of const data (weights, tables, parameters)
  int64_t kernelCalls = 0;
  bool failed = false; ///< set when a helper hit an error (already reported)

private:
  std::string freshName(const std::string &hint);
  llvm::DenseMap<mlir::Value, std::string> weightNames;
  int counter = 0;
};

/// Formats a float as a C99 literal that reads back exactly (or INFINITY / NAN).
std::string cFloat(float v);
/// "a, b, c" of integers.
std::string cInts(llvm::ArrayRef<int64_t> v);
/// "{a, b, c}" padded with zeros to `width` entries (C array member initializer).
std::string cIntArray(llvm::ArrayRef<int64_t> v, size_t width);
/// Static shape of a ranked tensor value.
llvm::ArrayRef<int64_t> shapeOf(mlir::Value v);
int64_t numElements(mlir::Value v);

} // namespace dnnopt

#endif
