//===- CEmitter.h - dnn IR to a folder of C99 sources ----------*- C++ -*-===//
//
// The C backend. Given a module holding one function of dnn ops (after the
// cleanup pipeline), writes:
//   NAME.h          the API: `int NAME_run(const void *const inputs[], void *const outputs[]);`
//                   plus shape / element-count macros per input and output and
//                   NAME_ARENA_BYTES;
//   NAME.c          the kernel parameters (const structs), the static arena and
//                   NAME_run, one runtime call per scheduled op;
//   NAME_weights.c  the constants as const arrays (flash), packed in the order the
//                   kernels consume them;
//   dnn_*.c/.h      the runtime kernels the model uses (copied from runtime/).
// Everything is deterministic: the same module gives byte-identical files.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_BACKENDS_C_CEMITTER_H
#define DNNOPT_BACKENDS_C_CEMITTER_H

#include "backends/common/OutputFolder.h"
#include "backends/common/StoragePlan.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace dnnopt {

struct CCompileOptions {
  std::string name = "model"; ///< C identifier prefix and file name stem
  std::string target = "host"; ///< host | cortex-m4 | cortex-m7
  bool withExample = false;   ///< also emit example/: a QEMU mps2-an386 firmware (main.c, Makefile)
  /// Raw little-endian bytes of each graph input for the example's main.c (one entry
  /// per input, or empty for a deterministic pseudo-random pattern).
  std::vector<std::string> exampleInputs;
  /// Smallest weights over speed (`dnnopt compile --optimize size`): int8 weights for every
  /// int8 convolution, no int16 pre-expansion of pointwise / small layers (dnn_s8_conv_wide,
  /// twice those weights' flash for ~0.09 fewer instructions per MAC on Cortex-M4).
  bool compactWeights = false;
};

/// One graph input or output as the generated API sees it.
struct CTensorInfo {
  std::string name;        ///< ONNX name
  std::string cType;       ///< float, int8_t, uint8_t, int64_t, ...
  std::string dtype;       ///< float32, int8, uint8, int64, ...
  std::vector<int64_t> shape;
  int64_t numel = 0;
  int64_t bytes = 0;
};

struct CCompileResult {
  FileSet files;
  std::vector<CTensorInfo> inputs, outputs; ///< in graph order
  int64_t arenaBytes = 0;
  int64_t arenaLowerBound = 0;
  int64_t weightBytes = 0; ///< bytes of const weight data emitted
  int64_t kernelCalls = 0;
};

/// Targets `--target` accepts.
const std::vector<std::string> &knownCTargets();

/// Emits the C sources of the single function in `module`. Errors are reported as
/// diagnostics at the offending op's location; returns failure after reporting.
mlir::FailureOr<CCompileResult> emitC(mlir::ModuleOp module, const CCompileOptions &options);

} // namespace dnnopt

#endif
