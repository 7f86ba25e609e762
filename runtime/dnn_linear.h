/*
 * dnn_linear.h - fully connected layers (dnn.gemm with constant B, dnn.matmul with a
 * constant right operand) and batched matrix products of two activations.
 */
#ifndef DNNOPT_DNN_LINEAR_H
#define DNNOPT_DNN_LINEAR_H

#include "dnn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fully connected: y[b][n] = act(bias[n] + sum_k x[b][k] * B'[k][n]), b < batch.
 * `packed_w` comes from dnn_fc_pack_weights() (dnn_pack.h), which folds Gemm's alpha
 * in; `bias` is N floats or NULL (the compiler folds beta * C into it when C
 * broadcasts along the rows). x is batch x K row-major (a transposed A is
 * transposed by a separate dnn_transpose call), y is batch x N.
 * Kernel: 8 outputs x up to 2 rows accumulate in registers, K innermost (unrolled). */
typedef struct dnn_fc_params {
    int32_t batch;         /* rows of x (product of all leading dimensions) */
    int32_t in_features;   /* K */
    int32_t out_features;  /* N */
    float act_min, act_max;
} dnn_fc_params;

void dnn_fc_f32(const dnn_fc_params *p, const float *x, const float *packed_w, const float *bias,
                float *y);

/* Batched matrix product of two activation tensors with numpy broadcasting of the
 * batch dimensions (ONNX MatMul with 2-D or higher operands; the compiler reshapes
 * 1-D operands). y is [batch_shape...][m][n], contiguous. For output batch index
 * (i0, .., i{r-1}) the operands are
 *   a + sum_d i_d * a_batch_stride[d]   (an m x k row-major matrix)
 *   b + sum_d i_d * b_batch_stride[d]   (a k x n row-major matrix)
 * with stride 0 on broadcast dimensions. */
#define DNN_MATMUL_MAX_BATCH_RANK 4
typedef struct dnn_matmul_params {
    int32_t batch_rank;                                 /* 0 .. 4 */
    int32_t batch_shape[DNN_MATMUL_MAX_BATCH_RANK];
    int32_t a_batch_stride[DNN_MATMUL_MAX_BATCH_RANK];  /* elements */
    int32_t b_batch_stride[DNN_MATMUL_MAX_BATCH_RANK];  /* elements */
    int32_t m, k, n;
    float act_min, act_max;
} dnn_matmul_params;

void dnn_matmul_f32(const dnn_matmul_params *p, const float *a, const float *b, float *y);

#ifdef __cplusplus
}
#endif

#endif /* DNNOPT_DNN_LINEAR_H */
