/*
 * dnnopt_runtime.h - umbrella header of the dnnopt float32 runtime (C99).
 * Code emitted by the dnnopt compiler includes this header only.
 *
 *   dnn_common.h   conventions, fused clamp, DNN_MAX_RANK
 *   dnn_conv.h     dnn_conv_f32 (1-D/2-D, pointwise, grouped, depthwise), conv_transpose
 *   dnn_linear.h   dnn_fc_f32 (packed weights), dnn_matmul_f32 (batched, broadcasting)
 *   dnn_pack.h     weight packing for conv and fc (shared with the compiler)
 *   dnn_eltwise.h  dnn_binary_f32 (broadcasting), dnn_unary_f32
 *   dnn_pool.h     max / avg pooling, global pooling
 *   dnn_softmax.h  softmax / log-softmax along an axis
 *   dnn_reduce.h   one-axis reductions
 *   dnn_layout.h   transpose, strided copy, pad, gather, resize, cast, batch-norm
 */
#ifndef DNNOPT_RUNTIME_H
#define DNNOPT_RUNTIME_H

#include "dnn_common.h"
#include "dnn_conv.h"
#include "dnn_eltwise.h"
#include "dnn_layout.h"
#include "dnn_linear.h"
#include "dnn_pack.h"
#include "dnn_pool.h"
#include "dnn_reduce.h"
#include "dnn_softmax.h"

#endif /* DNNOPT_RUNTIME_H */
