//===- FirmwareExample.h - a ready-to-run firmware around NAME_run -*- C++ -*-===//
//
// `dnnopt compile --with-example` adds a subfolder example/ to the output: a main.c
// that fills the inputs (given data or a deterministic pattern), runs one inference,
// prints every output value and the instruction / cycle count of the inference, and
// a Makefile that builds it for the QEMU mps2-an386 board (Cortex-M4, picolibc
// semihosting) with the Cortex-M port files of runtime/ports/cortex-m.
//
//===----------------------------------------------------------------------===//
#ifndef DNNOPT_BACKENDS_C_FIRMWAREEXAMPLE_H
#define DNNOPT_BACKENDS_C_FIRMWAREEXAMPLE_H

#include "backends/c/CEmitter.h"

namespace dnnopt {

/// Adds the files of example/ (keys "example/main.c", ...) to `files`.
/// `files` already holds the model's sources (NAME.h, NAME.c, ...).
void addFirmwareExample(FileSet &files, const CCompileOptions &options,
                        const std::vector<CTensorInfo> &inputs,
                        const std::vector<CTensorInfo> &outputs);

} // namespace dnnopt

#endif
