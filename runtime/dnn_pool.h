/*
 * dnn_pool.h - max / average pooling (1-D and 2-D) and global pooling.
 */
#ifndef DNNOPT_DNN_POOL_H
#define DNNOPT_DNN_POOL_H

#include "dnn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Input N x C x H x W, output N x C x OH x OW (1-D: H = OH = KH = 1, pads t/b 0).
 * Window of output (oh, ow): rows oh*stride_h - pad_t + kh*dil_h, kh < KH (columns
 * alike). OH/OW are computed by the caller, including ceil_mode (windows may then run
 * past the end padding; those positions are ignored like padding).
 *   max: maximum over the positions inside the input (-INFINITY if there are none).
 *   avg: sum over the positions inside the input divided by
 *        count_include_pad ? the number of positions inside the padded input
 *                            [-pad_t, H + pad_b) x [-pad_l, W + pad_r)
 *                          : the number of positions inside the input
 *        (0 when the divisor is 0). ONNX AveragePool has no dilation before opset 19;
 *        use 1 there.
 * Both apply the fused clamp. */
typedef struct dnn_pool_params {
    int32_t n, c, h, w;
    int32_t oh, ow;
    int32_t kh, kw;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_t, pad_l, pad_b, pad_r;
    int32_t count_include_pad;   /* average pooling only */
    float act_min, act_max;
} dnn_pool_params;

void dnn_maxpool_f32(const dnn_pool_params *p, const float *x, float *y);
void dnn_avgpool_f32(const dnn_pool_params *p, const float *x, float *y);

/* Global pooling: y[i] = mean / max of x[i*size .. i*size + size-1], i < nc
 * (nc = N*C, size = product of the spatial dimensions). */
typedef struct dnn_global_pool_params {
    int32_t nc;
    int32_t size;
    float act_min, act_max;
} dnn_global_pool_params;

void dnn_global_avgpool_f32(const dnn_global_pool_params *p, const float *x, float *y);
void dnn_global_maxpool_f32(const dnn_global_pool_params *p, const float *x, float *y);

#ifdef __cplusplus
}
#endif

#endif /* DNNOPT_DNN_POOL_H */
