/*
 * dnnopt_runtime.h - umbrella header of the dnnopt float32 runtime (C99).
 * Code emitted by the dnnopt compiler includes this header only.
 */
#ifndef DNNOPT_RUNTIME_H
#define DNNOPT_RUNTIME_H

#include "dnn_common.h"
#include "dnn_conv.h"
#include "dnn_linear.h"
#include "dnn_pack.h"

#endif /* DNNOPT_RUNTIME_H */
