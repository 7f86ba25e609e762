/*
 * dnn_reduce.h - reductions over one axis (the compiler chains calls for several axes).
 */
#ifndef DNNOPT_DNN_REDUCE_H
#define DNNOPT_DNN_REDUCE_H

#include "dnn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dnn_reduce_op {
    DNN_RED_SUM = 0,
    DNN_RED_MEAN = 1,
    DNN_RED_MAX = 2,
    DNN_RED_MIN = 3,
    DNN_RED_PROD = 4
} dnn_reduce_op;

/* x is outer x axis x inner, y is outer x inner (keepdims only changes the shape):
 * y[o][i] = op over a < axis of x[o][a][i]. An empty axis gives the identity
 * (0, NaN for mean, -inf / +inf, 1). y must not overlap x. */
typedef struct dnn_reduce_params {
    int32_t op;   /* dnn_reduce_op */
    int32_t outer, axis, inner;
} dnn_reduce_params;

void dnn_reduce_f32(const dnn_reduce_params *p, const float *x, float *y);

#ifdef __cplusplus
}
#endif

#endif /* DNNOPT_DNN_REDUCE_H */
