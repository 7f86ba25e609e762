//===- DnnDialect.h - the dnn dialect --------------------------*- C++ -*-===//
#ifndef DNNOPT_DIALECTS_DNN_DNNDIALECT_H
#define DNNOPT_DIALECTS_DNN_DNNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/dnn/DnnDialect.h.inc"

#endif
