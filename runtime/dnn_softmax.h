/*
 * dnn_softmax.h - softmax / log-softmax along one axis.
 */
#ifndef DNNOPT_DNN_SOFTMAX_H
#define DNNOPT_DNN_SOFTMAX_H

#include "dnn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The tensor is viewed as outer x axis x inner (axis = size of the normalized axis,
 * outer / inner = products of the dimensions before / after it). For every (o, i):
 *   softmax:     y = exp(x - max) / sum(exp(x - max))
 *   log_softmax: y = x - max - log(sum(exp(x - max)))
 * y may equal x. */
typedef struct dnn_softmax_params {
    int32_t outer, axis, inner;
    int32_t log;   /* 0: softmax, 1: log_softmax */
} dnn_softmax_params;

void dnn_softmax_f32(const dnn_softmax_params *p, const float *x, float *y);

#ifdef __cplusplus
}
#endif

#endif /* DNNOPT_DNN_SOFTMAX_H */
