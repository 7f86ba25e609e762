//===- StoragePlan.h - where every tensor of a function lives --*- C++ -*-===//
//
// Decides, for a function of dnn ops about to be emitted as C, the operator
// order and the storage of every tensor value:
//   - graph inputs and outputs live in the caller's buffers (an op that produces
//     a graph output writes straight into it);
//   - constants live in flash;
//   - everything else lives in one static arena, placed by MemoryPlanner.
// Storage is shared without copies where the data is already laid out right:
//   - views: reshape / identity / dropout outputs, and slices or split pieces that
//     are one contiguous byte range of their input;
//   - concat along an axis preceded only by unit dimensions: producers write their
//     piece straight into the concat's buffer;
//   - in place: elementwise ops (activations, binary ops, batch_norm) write over an
//     operand of the output's size that is not read afterwards.
// Among a few candidate topological orders the one with the smallest arena wins.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_BACKENDS_COMMON_STORAGEPLAN_H
#define DNNOPT_BACKENDS_COMMON_STORAGEPLAN_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <functional>
#include <vector>

namespace dnnopt {

struct TensorStorage {
  enum Kind { Input, Output, Arena, Constant };
  Kind kind = Arena;
  int64_t index = 0;  ///< input/output number for Input/Output
  int64_t offset = 0; ///< byte offset: in the arena, or inside the input/output buffer
};

struct StoragePlan {
  /// The ops to emit, in order (constants and pure views excluded).
  std::vector<mlir::Operation *> schedule;
  llvm::DenseMap<mlir::Value, TensorStorage> storage;
  /// Ops whose result needs no code because its storage is shared (views, and
  /// concats whose inputs were written in place).
  llvm::DenseSet<mlir::Operation *> elided;
  /// Graph outputs that must be copied from their storage at the end:
  /// (value, output index).
  std::vector<std::pair<mlir::Value, int64_t>> outputCopies;
  /// Arena offset of the scratch buffer of ops that need one (live only during
  /// their own step).
  llvm::DenseMap<mlir::Operation *, int64_t> scratchOffset;
  int64_t arenaSize = 0;
  int64_t lowerBound = 0; ///< liveness lower bound of the chosen order
  int64_t naiveArena = 0; ///< arena without any sharing, for reports
};

struct StoragePlanOptions {
  int64_t alignment = 8;
  bool allowInPlace = true;
  bool allowViews = true;
  /// Bytes of temporary memory an op's kernel needs while it runs (0: none).
  std::function<int64_t(mlir::Operation *)> scratchBytes;
};

/// Bytes of one element of `type` in generated C (bool is one byte).
int64_t elementBytes(mlir::Type elementType);
/// Bytes of a ranked tensor value (i4 / i2 activations: packed, ceil(n * bits / 8)).
int64_t tensorBytes(mlir::Value v);

mlir::FailureOr<StoragePlan> planStorage(mlir::func::FuncOp func,
                                         const StoragePlanOptions &options = {});

} // namespace dnnopt

#endif
