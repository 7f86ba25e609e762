/*
 * dnn_pack.h - compile-time weight packing, shared by the runtime and the compiler.
 *
 * The compiler (C++) links this very C file (and dnn_conv.c, for
 * dnn_conv_is_depthwise) to pack constant weights into the order the kernels' inner
 * loops consume, so each layout has exactly one definition. Firmware does not need
 * dnn_pack.c: every kernel source depends only on its own header and dnn_common.h.
 * Sizes are in floats (elements), not bytes. Packing never reads or writes bias.
 *
 * Convolution (dnn_conv_f32), ONNX weights W[M][C/g][KH][KW], Cg = C/g, Mg = M/g:
 *   depthwise (dnn_conv_is_depthwise(p)): unchanged, [M][KH][KW].
 *   general: for each group g (in order), for each block of 4 output channels
 *     (m0 = g*Mg + 4b, b < Mg/4):     [KH][Cg][KW][4]   element j is channel m0+j
 *     then each remaining channel (Mg % 4 of them, m = g*Mg + 4*(Mg/4) + t):
 *                                     [KH][Cg][KW]
 *   The packed size equals the ONNX size: M * Cg * KH * KW.
 *
 * Fully connected (dnn_fc_f32), y[b][n] = sum_k x[b][k] * B'[k][n]:
 *   for each block of 8 outputs (n0 = 8i, n0 + 8 <= N):  [K][8]
 *   then, if at least 4 outputs remain, one block of 4:  [K][4]
 *   then each remaining output n:                        [K]
 *   The packed size is K * N. `alpha` (ONNX Gemm) is folded into the packed values.
 */
#ifndef DNNOPT_DNN_PACK_H
#define DNNOPT_DNN_PACK_H

#include "dnn_conv.h"
#include "dnn_linear.h"

#ifdef __cplusplus
extern "C" {
#endif

/* dnn_conv_is_depthwise() (dnn_conv.h) decides between the two convolution layouts. */

/* Number of floats of the packed weights (== M * C/group * KH * KW). */
size_t dnn_conv_packed_size(const dnn_conv_params *p);

/* Packs ONNX weights (M x C/group x KH x KW) into `packed`
 * (dnn_conv_packed_size(p) floats). */
void dnn_conv_pack_weights(const dnn_conv_params *p, const float *onnx_weights, float *packed);

/* Number of floats of packed fully connected weights (== K * N). */
size_t dnn_fc_packed_size(const dnn_fc_params *p);

/* Packs the right-hand matrix B' of y = x * B' (scaled by alpha) for dnn_fc_f32.
 * `b` is K x N row-major when b_transposed == 0 (ONNX MatMul / Gemm transB=0), and
 * N x K when b_transposed != 0 (Gemm transB=1, the PyTorch Linear layout). */
void dnn_fc_pack_weights(const dnn_fc_params *p, const float *b, int b_transposed, float alpha,
                         float *packed);

#ifdef __cplusplus
}
#endif

#endif /* DNNOPT_DNN_PACK_H */
