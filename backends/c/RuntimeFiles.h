//===- RuntimeFiles.h - the C runtime, embedded in the compiler -*- C++ -*-===//
#ifndef DNNOPT_BACKENDS_C_RUNTIMEFILES_H
#define DNNOPT_BACKENDS_C_RUNTIMEFILES_H

#include <string>
#include <vector>

namespace dnnopt {

struct EmbeddedFile {
  const char *path;     ///< relative to runtime/, e.g. "dnn_conv.c" or "ports/cortex-m/mps2_an386.ld"
  const char *contents;
};

/// Every file of runtime/ that generated code may need (kernels and ports).
const std::vector<EmbeddedFile> &runtimeFiles();

} // namespace dnnopt

#endif
