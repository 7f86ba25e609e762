/*
 * dnn_s8.h - int8 inference kernels (quantized convolution, fully connected, add,
 * pooling, requantize / quantize / dequantize) for Cortex-M, C99.
 *
 * Conventions (in addition to those of dnn_common.h)
 * --------------------------------------------------
 *  - ACTIVATION LAYOUT IS NHWC (channels innermost): input N x H x W x C, output
 *    N x OH x OW x M, int8. 1-D tensors are N x 1 x W x C. (The float runtime is NCHW;
 *    the compiler inserts layout changes, e.g. dnn_transpose with DNN_I8, at the
 *    borders of an int8 region.) NHWC puts the reduction axis of a convolution (input
 *    channels) in consecutive bytes, so one 32-bit load feeds two SMLADs.
 *  - Activations are asymmetric int8 with one zero point per tensor; weights are
 *    symmetric int8 (zero point 0) with one scale per output channel; bias is int32
 *    with scale input_scale * weight_scale[m] and zero point 0 (ONNX QLinearConv,
 *    QLinearMatMul / QGemm, TFLite int8).
 *  - Weights are packed at compile time by dnn_s8_*_pack() (dnn_s8_pack.c, linked by
 *    the compiler like dnn_pack.c). The same call turns bias[m], mult[m], shift[m]
 *    into a per-output-channel table dnn_s8_chan (below), folding the input zero
 *    point into the bias: chan[m].bias = bias[m] - input_zp * sum_k w[m][k]. Padding
 *    positions of a convolution hold the input zero point (real 0), so the fold is
 *    exact.
 *  - Accumulators are 32-bit and wrap: the result is exact when the true value
 *    |bias[m] + sum (x - input_zp) * w| is below 2^31 (always for K = C/group*KH*KW
 *    < 2^15 and |bias| < 2^30).
 *  - Little-endian targets (all Cortex-M in practice, x86, AArch64).
 *  - Kernels that take `scratch` need dnn_s8_*_scratch_size(p) bytes of 4-byte
 *    aligned arena memory (8-byte alignment recommended). Outputs must not overlap
 *    inputs unless stated.
 *
 * Requantization (exact definition, shared by every kernel)
 * ---------------------------------------------------------
 * A per-output-channel real scale s = input_scale * weight_scale[m] / output_scale
 * is represented as (mult, shift), TFLite's convention:
 *     s ~= mult * 2^(shift - 31),   mult in [2^30, 2^31) (Q31 in [0.5, 1)) or 0,
 *                                   shift in [-23, 29]
 * (dnn_s8_quantize_multiplier computes them; for s < 2^-24 it keeps shift = -23 and
 * returns a smaller, unnormalized mult, which is allowed when shift <= -2.)
 * An int32 accumulator `acc` becomes the output
 *     y = clamp(output_zp + q, act_min, act_max),
 *     q = floor((acc * mult + 2^(n-1)) / 2^n),   n = 31 - shift   (exact integers)
 * i.e. acc * s rounded half up (towards +infinity), with a single rounding. Compared
 * with ONNX (round half to even of acc * s, with s in double), q differs by at most
 * one step: at exact ties, or by the 31-bit precision of mult (test_s8_quant.c
 * measures the distribution of the differences).
 * How the kernels compute it (bit-identical in every build):
 *     shift <= -2:  q + zp = SMMLA(acc, mult, R) >> rs = (R + ((acc * mult) >> 32)) >> rs,
 *                   rs = -1 - shift, R = 2^(rs-1) + (output_zp << rs) (dnn_s8_chan.rnd)
 *     shift >= -1:  the same with acc' = saturate32(acc * 2^(shift+2)) and rs = 1;
 *                   when acc' saturates, |acc * s| >= 2^28, so y = act_min or act_max
 *                   either way (this is where mult >= 2^30 is needed).
 * No intermediate overflows for shift in [-23, 29]. act_min <= act_max, both in
 * [-128, 127]. The assembly paths need shift <= -2 (s < 0.25; other channels run correct
 * but slower C). With act_min = -128, act_max = 127 (no activation, and the usual ReLU /
 * ReLU6 whose output zero point is -128) they do SMMLA, ASR, SSAT per output; any other
 * clamp (e.g. a ReLU6 left unfused, quantized over its input's range) costs 2 more
 * instructions per output (USAT, UQADD8, ADD with act_min folded into R, see
 * dnn_s8_impl.h).
 *
 * Kernels and weight layouts (K = C/group * KH * KW, Kp = K rounded up to 4)
 * --------------------------------------------------------------------------
 *  conv (general, pointwise, grouped, 1-D): ONNX W[M][C/g][KH][KW] is packed as
 *      [M][Kp] with k = (kh * KW + kw) * C/g + c (the order of an NHWC patch), zeros
 *      for k >= K. The kernel copies the patches of a block of output pixels into an
 *      int16 "im2col" scratch buffer (input zero point in the padding; whole groups of
 *      4 bytes with one 32-bit load + 2 SXTB16, stored as the pairs (x0,x2),(x1,x3)
 *      that SXTB16 of a weight word produces, so weights need no reordering), then
 *      computes 4 output pixels x 1 output channel per inner loop: per 8 values of K,
 *      1 LDRD (weights) + 4 SXTB16 + 4 LDM (4 pixels x 8 int16) + 16 SMLAD (32 MACs),
 *      with the requantization and the 4 stores fused into the same assembly loop,
 *      which also walks the block's output channels (for K <= 8 the expanded weights
 *      stay in registers for all pixels, one channel per call). dnn_s8_conv_wide (below)
 *      takes weights pre-expanded to int16 at compile time: per 8 values 2 LDRD + 4 LDM
 *      + 16 SMLAD. Pointwise (1x1, unpadded) convolutions expand 4 pixels' channels at
 *      a time (4 LDR, 8 SXTB16, one STM per 16 values); interior pixels of other
 *      convolutions copy KH contiguous rows; when a kernel row is not whole groups of 4
 *      (first layers, C = 1 or 3) the patch is gathered as bytes first. The block holds
 *      4 pixels, or more when K is small (up to DNN_S8_IM2COL_BYTES), so per-channel
 *      setup is shared by many pixels.
 *  depthwise (group == C == M, see dnn_s8_conv_is_depthwise): ONNX W[C][1][KH][KW]
 *      packed as [C][KH][KW] (unchanged). For blocks of 4 channels, input rows are
 *      transposed once into int16 channel planes (zero point in the padding): all rows
 *      when they fit in DNN_S8_DW_PLANE_BYTES ("plane mode"), else a ring of
 *      (KH-1)*dil_h+1 rows. A 3x3 stride-1 or stride-2 kernel then computes 4 outputs
 *      per step with SMLAD on pairs of horizontal taps (SMLABT / SMLATB for the odd
 *      tap), requantization and stores fused, a whole channel per assembly call in
 *      plane mode. Other shapes use a generic per-tap loop. When OW < OH the problem
 *      is solved transposed (rows <-> columns, same results) so the inner loop runs
 *      along the longer axis (DS-CNN: 25 x 5 outputs run as 5 rows of 25).
 *  fully connected: B' (K x N, or N x K when transposed) packed as blocks of 4
 *      outputs [Kp/4][4 outputs][4 int8], then each remaining output [Kp]. The input
 *      row is expanded to int16 once (scratch); per 4 values of K and 4 outputs:
 *      1 LDRD (input) + 2 LDRD (weights) + 8 SXTB16 + 8 SMLAD.
 *
 * Builds (results are bit-identical in all of them; the tests check each one)
 * ---------------------------------------------------------------------------
 *  - __ARM_FEATURE_DSP (Cortex-M4/M7/M33/M55...): ACLE intrinsics (SMLAD, SXTB16, ...)
 *    and, in optimized GCC builds, inline assembly for the innermost loops of conv,
 *    depthwise and fully connected layers. -DDNN_S8_NO_ASM keeps the intrinsics but
 *    not the assembly (needed with -fno-omit-frame-pointer); -O0 and clang builds
 *    leave the assembly out by themselves.
 *  - otherwise, or with -DDNN_S8_NO_DSP: portable C99 (host, Cortex-M0/M3).
 * Measured on Cortex-M4 (QEMU, executed instructions per MAC): 0.86-0.92 for 3x3
 * convolutions, 0.79-0.95 for pointwise with >= 32 input channels (wide weights; 1.13 /
 * 1.55 with 16 / 8), 2.0-2.2 for 3x3 stride-1 depthwise on maps >= 12x12 (2.76 on 6x6,
 * 4.8 on 3x3 maps, 3.1-3.8 for stride 2), 1.3-1.4 for fully connected; whole networks
 * ResNet-8 0.95, DS-CNN 1.03, MobileNetV1-0.25 1.10 (1.16 with ReLU6 clamps)
 * (bench/qemu/RESULTS_S8.md).
 */
#ifndef DNNOPT_DNN_S8_H
#define DNNOPT_DNN_S8_H

#include "dnn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------
 * Requantization helpers
 * ------------------------------------------------------------------------------------ */

/* (mult, shift) for a real scale (see above). real_scale <= 0 or NaN gives (0, 0).
 * real_scale >= 2^29 saturates to (2^31 - 1, 29) (every nonzero accumulator then
 * saturates the int8 output anyway). Compile-time helper (uses double and frexp). */
void dnn_s8_quantize_multiplier(double real_scale, int32_t *mult, int32_t *shift);

/* q of the definition above (no zero point, no clamp): floor((acc * mult + 2^(n-1))
 * / 2^n), n = 31 - shift, computed as the kernels do. */
int32_t dnn_s8_requant(int32_t acc, int32_t mult, int32_t shift);

/* Per-output-channel constants of a convolution / fully connected layer, made by
 * dnn_s8_conv_pack / dnn_s8_fc_pack (the compiler emits the array as const data),
 * 16 bytes per output channel. */
typedef struct dnn_s8_chan {
    int32_t bias;   /* bias[m] - input_zp * sum_k w[m][k]: the accumulator's start value */
    int32_t mult;   /* requantization multiplier */
    int32_t rnd;    /* 2^(rs-1) + (output_zp << rs), rs = -1 - shift (1 when shift >= -1) */
    int32_t shift;  /* requantization shift (TFLite convention, [-23, 29]) */
} dnn_s8_chan;

/* ------------------------------------------------------------------------------------
 * Convolution (QLinearConv / TFLite CONV_2D and DEPTHWISE_CONV_2D), NHWC
 * ------------------------------------------------------------------------------------
 * y[n][oh][ow][m] = clamp(output_zp + requant(bias[m] + sum over c in group(m), kh, kw
 *     of (x[n][ih][iw][c] - input_zp) * w[m][c'][kh][kw], mult[m], shift[m]))
 * with ih = oh*stride_h - pad_t + kh*dil_h, iw = ow*stride_w - pad_l + kw*dil_w, and
 * positions outside the input contributing 0 (the kernels read input_zp there and
 * the folded bias cancels it). The caller computes
 * OH/OW; pad_b / pad_r only enter through them. 1-D: h = 1, kh = 1, stride_h = dil_h
 * = 1, pad_t = pad_b = 0. */
typedef struct dnn_s8_conv_params {
    int32_t n, c, h, w;          /* input batch, channels, height, width (NHWC) */
    int32_t m, oh, ow;           /* output channels, height, width (NHWC) */
    int32_t kh, kw;              /* kernel */
    int32_t stride_h, stride_w;  /* >= 1 */
    int32_t dil_h, dil_w;        /* >= 1 */
    int32_t pad_t, pad_l, pad_b, pad_r; /* >= 0 */
    int32_t group;               /* >= 1, divides c and m */
    int32_t input_zp;            /* [-128, 127] */
    int32_t output_zp;           /* [-128, 127] */
    int32_t act_min, act_max;    /* fused clamp in the output's int8 domain */
} dnn_s8_conv_params;

/* 1 when the depthwise kernel (and its [C][KH][KW] weight layout) is used:
 * group == c == m (channel multiplier 1). Other grouped convolutions, including
 * depthwise with a multiplier > 1, take the general kernel per group. */
int dnn_s8_conv_is_depthwise(const dnn_s8_conv_params *p);

/* Bytes of packed weights: M * Kp (general) or C * KH * KW (depthwise). */
size_t dnn_s8_conv_packed_size(const dnn_s8_conv_params *p);

/* Packs ONNX weights (M x C/group x KH x KW int8) into `packed_w`
 * (dnn_s8_conv_packed_size bytes) and fills chan[0 .. M-1] from bias (M int32, NULL
 * for none), mult and shift (M int32 each, per output channel; repeat the value for
 * per-tensor weight scales) and p's zero points. Compile-time helper. */
void dnn_s8_conv_pack(const dnn_s8_conv_params *p, const int8_t *onnx_w, const int32_t *bias,
                      const int32_t *mult, const int32_t *shift, int8_t *packed_w,
                      dnn_s8_chan *chan);

/* Bytes of scratch dnn_s8_conv needs (> 0): general kernel 2 * Kp * pixels per block
 * + Kp + 4 (a staging patch); depthwise the transposed rows (plane or ring) and one
 * int32 per row. */
size_t dnn_s8_conv_scratch_size(const dnn_s8_conv_params *p);

/* The convolution: x N x H x W x C, y N x OH x OW x M. */
void dnn_s8_conv(const dnn_s8_conv_params *p, const int8_t *x, const int8_t *packed_w,
                 const dnn_s8_chan *chan, int8_t *y, void *scratch);

/* Convolutions with "wide" weights: the same results as dnn_s8_conv, with the weights
 * pre-expanded to int16 at compile time (twice the flash of dnn_s8_conv_pack's int8
 * weights), which saves the SXTB16s of the inner loop (about 0.09 instructions per MAC on
 * Cortex-M4). dnn_s8_conv_wide_ok: 1 for the layers it takes: one group, not depthwise,
 * Kp > 8, and either pointwise (1x1, stride 1, unpadded, C a multiple of 4) or with at
 * most DNN_S8_WIDE_SMALL_BYTES of int8 weights (e.g. a first 3x3 layer on RGB: a few
 * hundred bytes more). The packing fills chan as dnn_s8_conv_pack does; packed_w holds
 * M x Kp int16 (dnn_s8_conv_wide_packed_size bytes, 4-byte aligned), each group of 4 as
 * (w0, w2, w1, w3); the scratch is dnn_s8_conv_scratch_size(p). */
#define DNN_S8_WIDE_SMALL_BYTES 4096
int dnn_s8_conv_wide_ok(const dnn_s8_conv_params *p);
size_t dnn_s8_conv_wide_packed_size(const dnn_s8_conv_params *p);
void dnn_s8_conv_wide_pack(const dnn_s8_conv_params *p, const int8_t *onnx_w, const int32_t *bias,
                           const int32_t *mult, const int32_t *shift, int16_t *packed_w,
                           dnn_s8_chan *chan);
void dnn_s8_conv_wide(const dnn_s8_conv_params *p, const int8_t *x, const int16_t *packed_w,
                      const dnn_s8_chan *chan, int8_t *y, void *scratch);

/* Growth limit of the general kernel's im2col block when K is small (see above): the
 * block holds max(4, 4 * floor(DNN_S8_IM2COL_BYTES / (8 * Kp))) pixels (no more than
 * the output has). Changing it changes dnn_s8_conv_scratch_size: the compiler and the
 * firmware must use the same value. */
#define DNN_S8_IM2COL_BYTES 4096

/* Depthwise: when every padded input row of a 4-channel block fits in this many
 * bytes (as int16 planes), all rows are transposed once and each channel's output
 * rows run in one pass ("plane mode"); larger inputs use a ring of KH rows. It bounds
 * the depthwise scratch (dnn_s8_dw_scratch_size): the compiler and the firmware must
 * use the same value. */
#define DNN_S8_DW_PLANE_BYTES 8192

/* ------------------------------------------------------------------------------------
 * Fully connected (QGemm / QLinearMatMul with constant B, TFLite FULLY_CONNECTED)
 * ------------------------------------------------------------------------------------
 * y[b][n] = clamp(output_zp + requant(bias[n] + sum_k (x[b][k] - input_zp) * B'[k][n],
 *                                     mult[n], shift[n]))
 * x is batch x K, y batch x N. */
typedef struct dnn_s8_fc_params {
    int32_t batch;          /* rows of x */
    int32_t in_features;    /* K */
    int32_t out_features;   /* N */
    int32_t input_zp, output_zp;
    int32_t act_min, act_max;
} dnn_s8_fc_params;

/* Bytes of packed weights: N * Kp. */
size_t dnn_s8_fc_packed_size(const dnn_s8_fc_params *p);

/* `b` is K x N (b_transposed == 0: ONNX MatMul) or N x K (b_transposed != 0: Gemm
 * transB=1, PyTorch Linear), int8, zero point 0. bias: N int32 or NULL; mult, shift:
 * N int32 each. Fills chan[0 .. N-1]. */
void dnn_s8_fc_pack(const dnn_s8_fc_params *p, const int8_t *b, int b_transposed,
                    const int32_t *bias, const int32_t *mult, const int32_t *shift,
                    int8_t *packed_w, dnn_s8_chan *chan);

/* Bytes of scratch dnn_s8_fc needs: 2 * Kp (one input row as int16). */
size_t dnn_s8_fc_scratch_size(const dnn_s8_fc_params *p);

void dnn_s8_fc(const dnn_s8_fc_params *p, const int8_t *x, const int8_t *packed_w,
               const dnn_s8_chan *chan, int8_t *y, void *scratch);

/* ------------------------------------------------------------------------------------
 * Elementwise add of two int8 tensors with their own scales (QLinearAdd, TFLite ADD)
 * ------------------------------------------------------------------------------------
 * y[i] = clamp(out_zp + floor((A * a_mult + B * b_mult + 2^(31+shift)) / 2^(32+shift)),
 *              act_min, act_max)
 *   A = (a[i] - a_zp) * 2^20,  B = (b[i % b_period] - b_zp) * 2^20   (exact, 64-bit)
 * i.e. a_scale/out_scale * (a - a_zp) + b_scale/out_scale * (b - b_zp) rounded half up,
 * with a_mult / b_mult in [0, 2^31) and shift in [1, 22] from dnn_s8_add_quantize.
 * b_period: n (same shape), C (a per-channel vector broadcast over an NHWC tensor)
 * or 1 (a scalar); it must divide n. y may be the same array as a (in-place residual
 * add); also b when b_period == n. */
typedef struct dnn_s8_add_params {
    int32_t n;              /* elements */
    int32_t b_period;       /* elements of b, repeated */
    int32_t a_zp, b_zp, out_zp;
    int32_t a_mult, b_mult;
    int32_t shift;
    int32_t act_min, act_max;
} dnn_s8_add_params;

/* Multipliers and shift for dnn_s8_add from the three scales (compile-time helper).
 * With r = max(a_scale, b_scale) / out_scale: shift = clamp(18 - floor(log2 r), 1, 22),
 * x_mult = round(x_scale / out_scale * 2^(12 + shift)) (saturated to 2^31 - 1). The
 * result is within one step of the exactly rounded real sum (error <= 0.02 step). */
void dnn_s8_add_quantize(double a_scale, double b_scale, double out_scale, int32_t *a_mult,
                         int32_t *b_mult, int32_t *shift);

void dnn_s8_add(const dnn_s8_add_params *p, const int8_t *a, const int8_t *b, int8_t *y);

/* ------------------------------------------------------------------------------------
 * Pooling, NHWC
 * ------------------------------------------------------------------------------------
 * Windows as in dnn_pool.h (ceil mode through OH/OW; positions outside the input are
 * ignored). Input and output share scale and zero point (the compiler adds
 * dnn_s8_requantize otherwise). `zp` is used by average pooling only.
 *   max: maximum over the positions inside the input (act_min if there are none),
 *        then the clamp.
 *   avg: zp + round_half_to_even((S - cnt * zp) / cnt): dequantize -> average ->
 *        quantize with one scale, rounded exactly (ONNX's float32 evaluation of the
 *        same agrees except at exact ties, where its float roundings can pick the
 *        other side: one step, see docs/quantization.md), S = sum over the
 *        positions inside the input, plus zp for every padding position when
 *        count_include_pad; cnt = number of positions inside the padded input
 *        [-pad_t, H + pad_b) x [-pad_l, W + pad_r) (count_include_pad) or inside the
 *        input; output zp when cnt == 0. Windows of at most 2^16 positions. */
typedef struct dnn_s8_pool_params {
    int32_t n, c, h, w;
    int32_t oh, ow;
    int32_t kh, kw;
    int32_t stride_h, stride_w;
    int32_t dil_h, dil_w;
    int32_t pad_t, pad_l, pad_b, pad_r;
    int32_t count_include_pad;   /* average pooling only */
    int32_t zp;                  /* zero point of input and output (avg, count_include_pad) */
    int32_t act_min, act_max;
} dnn_s8_pool_params;

void dnn_s8_maxpool(const dnn_s8_pool_params *p, const int8_t *x, int8_t *y);
void dnn_s8_avgpool(const dnn_s8_pool_params *p, const int8_t *x, int8_t *y);

/* Global average pooling (GlobalAveragePool, TFLite MEAN over H, W), NHWC:
 *   y[n][c] = clamp(output_zp + requant(sum_i (x[n][i][c] - input_zp), mult, shift))
 * with (mult, shift) = dnn_s8_quantize_multiplier(input_scale / (output_scale * size));
 * size = H * W < 2^23. */
typedef struct dnn_s8_global_pool_params {
    int32_t n, size, c;
    int32_t input_zp, output_zp;
    int32_t mult, shift;
    int32_t act_min, act_max;
} dnn_s8_global_pool_params;

void dnn_s8_global_avgpool(const dnn_s8_global_pool_params *p, const int8_t *x, int8_t *y);

/* ------------------------------------------------------------------------------------
 * Conversions
 * ------------------------------------------------------------------------------------ */

/* int8 -> int8 with another scale / zero point (also fuses a clamp):
 *   y[i] = clamp(output_zp + requant(x[i] - input_zp, mult, shift), act_min, act_max).
 * y may be x. */
typedef struct dnn_s8_requantize_params {
    int32_t n;
    int32_t input_zp, output_zp;
    int32_t mult, shift;
    int32_t act_min, act_max;
} dnn_s8_requantize_params;

void dnn_s8_requantize(const dnn_s8_requantize_params *p, const int8_t *x, int8_t *y);

/* float <-> int8 (ONNX QuantizeLinear / DequantizeLinear, per tensor):
 *   quantize:   y = saturate(round_half_to_even(x / scale) + zp)  (NaN -> zp)
 *   dequantize: y = (float)(x - zp) * scale
 * Layout-agnostic (the compiler transposes NCHW <-> NHWC around them). */
typedef struct dnn_s8_quant_params {
    int32_t n;
    float scale;     /* > 0 */
    int32_t zp;      /* [-128, 127] */
} dnn_s8_quant_params;

void dnn_s8_quantize_f32(const dnn_s8_quant_params *p, const float *x, int8_t *y);

/* dnn_s8_quantize_f32 and the channels-first to channels-last transpose in one pass (a
 * float NCHW input of an int8 NHWC network): y[b][i][c] = quantize(x[b][c][i]) for b < n,
 * c < c, i < hw (hw = the product of the spatial dimensions). y must not overlap x. */
typedef struct dnn_s8_quant_nhwc_params {
    int32_t n, c, hw;
    float scale;     /* > 0 */
    int32_t zp;      /* [-128, 127] */
} dnn_s8_quant_nhwc_params;

void dnn_s8_quantize_f32_nhwc(const dnn_s8_quant_nhwc_params *p, const float *x, int8_t *y);

/* uint8 <-> int8 with the same real values: y = x ^ 0x80 (x - 128 read as int8, or
 * the reverse), zero point moved by 128 (ONNX uint8 tensors at the graph's edges).
 * y may be x. */
void dnn_s8_flip_sign(int32_t n, const void *x, void *y);
void dnn_s8_dequantize_f32(const dnn_s8_quant_params *p, const int8_t *x, float *y);

#ifdef __cplusplus
}
#endif

#endif /* DNNOPT_DNN_S8_H */
