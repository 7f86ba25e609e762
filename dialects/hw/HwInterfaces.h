//===- HwInterfaces.h - cost model op interface ----------------*- C++ -*-===//
#ifndef DNNOPT_DIALECTS_HW_HWINTERFACES_H
#define DNNOPT_DIALECTS_HW_HWINTERFACES_H

#include "dialects/hw/CostFormulas.h"
#include "mlir/IR/OpDefinition.h"

#include "dialects/hw/HwInterfaces.h.inc"

#endif
