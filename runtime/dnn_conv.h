/*
 * dnn_conv.h - float32 convolution kernels (dnn.conv, dnn.conv_transpose).
 *
 * One entry point covers 1-D and 2-D convolutions, pointwise (1x1), grouped and
 * depthwise convolutions; it picks the inner kernel from the parameters:
 *
 *   depthwise  (C/group == 1 and M/group < 4, see dnn_conv_is_depthwise()):
 *              per-channel kernels. 3x3 stride 1 and 2 (dilation 1): "strips" of up
 *              to 4 output columns walk down the input rows with the 9 weights in
 *              registers, each loaded input row segment feeding every output row
 *              that uses it (one padding column per side handled by compile-time
 *              variants). A generic per-tap kernel takes every other shape and the
 *              columns the strips cannot (left padding > 1).
 *   general    (everything else, incl. pointwise): 4 output channels x 4 output
 *              pixels are accumulated in 16 registers while the innermost loop runs
 *              over the input channels; each loaded weight is used 4 times, each
 *              loaded input 4 times. Taps that fall into the padding are skipped
 *              per tap outside the channel loop (border blocks), never tested in
 *              it. 3x3 stride-1 dilation-1 windows reuse the 6 loaded inputs of a
 *              row across the 3 horizontal taps. 1x1 unpadded convs (stride 1 or
 *              2) run without tap loops; at stride 1 as one long row of H*W pixels.
 *
 * Code size: compiling with -DDNN_CONV_SMALL keeps only the general 4x4 kernel (stride 1
 * and any), the stride-1 pointwise kernel and the generic depthwise kernel (about a third
 * of the code; slower 3x3, stride-2 and depthwise layers). Results and weight layouts
 * are the same.
 *
 * Layouts
 *   input   N x C x H x W          (1-D: H = 1, KH = 1, stride_h = dil_h = 1, pads 0)
 *   weights packed by dnn_conv_pack_weights() (dnn_pack.h) from ONNX M x C/g x KH x KW
 *   bias    M floats, or NULL for none
 *   output  N x M x OH x OW
 *
 * Semantics (ONNX Conv): y[n][m][oh][ow] = bias[m] + sum over c in group(m), kh, kw of
 *   x[n][c][oh*stride_h - pad_t + kh*dil_h][ow*stride_w - pad_l + kw*dil_w] * w[m][c][kh][kw]
 * with out-of-range input positions reading as 0, then the fused clamp
 * [act_min, act_max]. The caller computes OH/OW (pad_b/pad_r only enter through them).
 */
#ifndef DNNOPT_DNN_CONV_H
#define DNNOPT_DNN_CONV_H

#include "dnn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnn_conv_params {
    int32_t n, c, h, w;          /* input batch, channels, height, width */
    int32_t m, oh, ow;           /* output channels, height, width */
    int32_t kh, kw;              /* kernel height, width */
    int32_t stride_h, stride_w;  /* >= 1 */
    int32_t dil_h, dil_w;        /* >= 1 */
    int32_t pad_t, pad_l, pad_b, pad_r; /* >= 0; ONNX pads = {t, l, b, r} */
    int32_t group;               /* >= 1, divides c and m */
    float act_min, act_max;      /* fused clamp; -INFINITY / INFINITY for none */
} dnn_conv_params;

/* 1 when dnn_conv_f32 uses the depthwise kernels and the [M][KH][KW] weight layout:
 * C/group == 1 and M/group < 4 (channel multiplier 1..3). Otherwise 0. */
int dnn_conv_is_depthwise(const dnn_conv_params *p);

/* Bytes of scratch memory dnn_conv_f32 needs (the compiler reserves them in the
 * arena). Currently always 0: no kernel uses an im2col buffer. */
size_t dnn_conv_scratch_size(const dnn_conv_params *p);

/* Convolution. `packed_w` comes from dnn_conv_pack_weights(p, ...); `scratch` may be
 * NULL when dnn_conv_scratch_size(p) == 0. */
void dnn_conv_f32(const dnn_conv_params *p, const float *input, const float *packed_w,
                  const float *bias, float *output, void *scratch);

/* Transposed convolution (ONNX ConvTranspose). Parameters reuse dnn_conv_params:
 * (n, c, h, w) is the input, (m, oh, ow) the output, pads/strides/dilations/group as
 * in ONNX; output_padding only enters through OH/OW, computed by the caller as
 * stride*(in-1) + output_padding + (k-1)*dil + 1 - pad_begin - pad_end.
 * Weights are ONNX's C x M/group x KH x KW, unpacked. Not register-blocked: a
 * straightforward gather loop (no scratch). */
void dnn_conv_transpose_f32(const dnn_conv_params *p, const float *input, const float *weights,
                            const float *bias, float *output);

#ifdef __cplusplus
}
#endif

#endif /* DNNOPT_DNN_CONV_H */
