//===- Npy.h - numpy .npy / .npz files --------------------------*- C++ -*-===//
//
// Reads and writes numpy's array format (version 1-3 headers, little-endian,
// C order) and .npz archives (zip, stored or deflated, zip64 aware). Supported
// dtypes: float32, float64, int8, uint8, int16, int32, int64, bool.
// Every error names the file and the array.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_ENGINE_NPY_H
#define DNNOPT_ENGINE_NPY_H

#include "engine/Tensor.h"

#include <map>
#include <string>

namespace dnnopt::engine {

/// Parses the bytes of one .npy file; `what` names it in errors.
mlir::FailureOr<Tensor> parseNpy(llvm::StringRef bytes, const std::string &what, std::string &error);

/// Reads a .npz archive into name -> array (the ".npy" suffix stripped).
mlir::FailureOr<std::map<std::string, Tensor>> readNpz(const std::string &path, std::string &error);

/// Reads a single .npy file.
mlir::FailureOr<Tensor> readNpy(const std::string &path, std::string &error);

/// Serializes `t` as a version-1 .npy file.
std::string serializeNpy(const Tensor &t);

/// Writes an uncompressed .npz archive (deterministic: fixed timestamps, sorted names).
bool writeNpz(const std::string &path, const std::map<std::string, Tensor> &arrays, std::string &error);

} // namespace dnnopt::engine

#endif
