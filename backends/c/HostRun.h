//===- HostRun.h - build and run generated C on the host -------*- C++ -*-===//
//
// Checks the C backend's output by running it: the generated folder is written to
// a fresh temporary directory next to a harness (harness.c) that reads every
// input from a raw file, calls NAME_run and writes every output to a raw file;
// the host C compiler builds it
//   $CC -std=c99 -O2 -Wall -Werror [extra flags] -I model model/*.c harness.c -o harness -lm
// and the outputs come back as engine Tensors. `dnnopt validate` and the
// conformance test (--through-c) compare them with the reference engine / the ONNX
// test data.
//
// The harness depends on the model only through NAME.h's macros (NAME_NUM_INPUTS,
// NAME_INPUTi_TYPE/RANK/SHAPE/SIZE/BYTES, ...), so it also checks the header: it
// prints each tensor's macros, which must agree with the CTensorInfo the
// compiler returned. Beyond the numbers, it checks what a sanitizer may miss:
// NAME_run returns 0; no byte is written past the end of an output buffer; the
// inputs are not modified; a second call, with the outputs pre-filled with a
// different pattern, gives bit-identical outputs (so every output element is
// written and nothing depends on what a previous inference left in the arena).
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_BACKENDS_C_HOSTRUN_H
#define DNNOPT_BACKENDS_C_HOSTRUN_H

#include "backends/c/CEmitter.h"
#include "engine/Tensor.h"

#include <functional>
#include <string>
#include <vector>

namespace dnnopt {

struct HostRunOptions {
  /// The compiler command; empty: $CC, else `cc`. May hold arguments ("ccache gcc").
  std::string cc;
  std::string optLevel = "-O2";
  /// Appended to the compile command (e.g. hostSanitizerFlags()).
  std::vector<std::string> extraFlags;
  /// Build in this folder and keep it (created; an existing folder must be an
  /// earlier HostRun folder, i.e. hold harness.c, and is replaced). Empty: a fresh
  /// temporary folder, removed afterwards.
  std::string keepDir;
  /// If set, the runtime sources (every .c but NAME.c and NAME_*.c) are compiled
  /// separately (`-c`, same flags) into this folder, once per distinct source,
  /// included headers, compiler and flags, and linked from there: a test running
  /// hundreds of models compiles the kernels once. Safe for concurrent processes.
  std::string objectCacheDir;
  unsigned buildTimeoutSeconds = 300;
  unsigned runTimeoutSeconds = 120;
  /// Called before each step with a short description ("building with cc", "running").
  std::function<void(const std::string &)> progress;
};

/// -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g
const std::vector<std::string> &hostSanitizerFlags();

/// Builds the folder `files` (as emitC returns it; "example/..." entries are
/// ignored) whose API is `name`_run, runs it once on `inputs` (one per graph
/// input, dtype and shape as in `inputInfos`) and returns the outputs in graph
/// order. On failure returns failure and sets `error` (with the compiler's or the
/// program's diagnostics).
mlir::FailureOr<std::vector<engine::Tensor>>
runOnHost(const FileSet &files, const std::string &name, const std::vector<CTensorInfo> &inputInfos,
          const std::vector<CTensorInfo> &outputInfos, const std::vector<engine::Tensor> &inputs,
          const HostRunOptions &options, std::string &error);

inline mlir::FailureOr<std::vector<engine::Tensor>>
runOnHost(const CCompileResult &result, const std::string &name, const std::vector<engine::Tensor> &inputs,
          const HostRunOptions &options, std::string &error) {
  return runOnHost(result.files, name, result.inputs, result.outputs, inputs, options, error);
}

/// The engine dtype of a CTensorInfo::dtype ("float32", "int8", "bool", ...).
mlir::FailureOr<engine::DType> engineDType(const std::string &cDtype);
/// numpy's name of `d` ("float32", ...), the spelling CTensorInfo::dtype uses.
const char *numpyName(engine::DType d);
/// "float32 [1x3x32x32]" for messages.
std::string describeTensor(engine::DType d, const std::vector<int64_t> &shape);

/// Checks that `t` has the dtype and shape `info` declares; "" or an error naming
/// the input.
std::string checkInput(const engine::Tensor &t, const CTensorInfo &info);

/// The deterministic input `dnnopt validate` uses without --inputs, for graph input
/// number `index`: element k is drawn from a 32-bit xorshift generator seeded with
/// 0x9E3779B9 * (index + 1), one draw u (uniform in [0, 2^32)) per element:
///   float types      u / 2^31 - 1                  (uniform in [-1, 1))
///   signed integers  (u >> 28) - 8                 (uniform in [-8, 8))
///   unsigned         u >> 28                       (uniform in [0, 16))
///   bool             u >> 31
mlir::FailureOr<engine::Tensor> patternInput(const CTensorInfo &info, size_t index);

/// How far `got` is from `want`. A float element passes when
///   |got - want| <= atol * scale + rtol * |want|,   scale = max_k |want_k|
/// (so atol is relative to the output's largest magnitude), NaN matches only NaN and
/// an infinity only itself; integer elements may differ by at most `intSteps`
/// (0: equal; 1 for quantized outputs, which may differ by one quantization step).
struct OutputDiff {
  double maxAbs = 0; ///< max |got - want| over the elements where both are finite
  double maxRel = 0; ///< maxAbs / max(scale, FLT_MIN)
  double scale = 0;  ///< max |want| over the finite elements
  int64_t bad = 0;   ///< elements out of tolerance
  bool pass = true;
  std::string problem; ///< when !pass: shape/dtype mismatch, or the worst element
};
OutputDiff compareOutput(const engine::Tensor &got, const engine::Tensor &want, double rtol, double atol,
                         int64_t intSteps = 0);

} // namespace dnnopt

#endif
