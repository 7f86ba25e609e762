//===- HwDialect.h - the hw dialect ----------------------------*- C++ -*-===//
#ifndef DNNOPT_DIALECTS_HW_HWDIALECT_H
#define DNNOPT_DIALECTS_HW_HWDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/hw/HwDialect.h.inc"

#endif
