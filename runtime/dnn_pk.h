/* dnn_pk.h - integer kernels on densely packed sub-byte activations (4 and 2 bits).
 *
 * A tensor of `bits`-wide activations (bits 4 or 2; signed two's complement, ranges
 * [-8, 7] and [-2, 1], one zero point per tensor) is stored packed: element k (flat,
 * row-major, i.e. NHWC order for the integer ops) occupies bits [(k*bits) % 8,
 * (k*bits) % 8 + bits) of byte (k*bits) / 8, so a tensor of n values takes
 * ceil(n * bits / 8) bytes and rows need not start on a byte. bits 8 is plain int8.
 *
 * Every kernel here takes the width of each tensor it reads and writes (8, 4 or 2)
 * and runs the int8 kernel of dnn_s8.h / dnn_sub.h on small int8 pieces: it unpacks
 * a band of the input into scratch (a 4-bit value becomes an int8 lane), calls the
 * int8 kernel on the band, and packs the band's int8 outputs two or four per byte
 * (an int8 side is read or written in place, without a copy). The arithmetic is
 * therefore exactly that of the int8 kernels (engine/EvalInt.cpp defines it), and
 * the arena holds only packed tensors; the scratch each call needs is given by its
 * *_scratch_size function (a band of input rows, a band of output rows and the int8
 * kernel's own scratch for that band). Portable C99.
 *
 * Bands (dnn_pk_conv, pools): a 2-D op is cut into bands of `band` output rows, whose
 * input rows are one contiguous range of the input (padding rows become the band's
 * pad_t / pad_b); a 1-D op (h == 1, oh == 1) into bands of `band` output columns; a
 * pointwise op (1x1 window, stride 1, no padding) into bands of `band` pixels. A dilated
 * stride-1 convolution with both sides packed runs by phases (outputs r, r + d, ...:
 * a dilation-1 convolution over every d-th input row, so a band unpacks no row its
 * windows skip); a depthwise convolution may run by bands of channels over the whole
 * map (by_channels; with sub-byte weights each precision group computes its channels of
 * the band). dnn_pk_conv_plan / dnn_pk_pool_plan pick the band from a byte budget for
 * the unpacked rows. A non-depthwise convolution with sub-byte weights and a packed
 * output runs dnn_sub_conv with the full int8 clamp (its fused requantization is for
 * that range) and clamps the band to [act_min, act_max] before packing it: the same
 * values.
 *
 * Unpack / pack go 32 bits at a time (8 nibbles or 16 2-bit values per word, SWAR
 * masks and shifts, the same C on every target).
 */
#ifndef DNN_PK_H
#define DNN_PK_H

#include <stddef.h>
#include <stdint.h>

#include "dnn_s8.h"
#include "dnn_sub.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of n values of `bits` bits (8, 4, 2). */
size_t dnn_pk_bytes(int32_t bits, int32_t n);

/* y[i] = element k0 + i of packed x, i < n (sign-extended to int8). */
void dnn_pk_unpack(int32_t bits, const void *x, int32_t k0, int32_t n, int8_t *y);

/* Element k0 + i of packed y = x[i] (its low `bits` bits), i < n; the other elements
 * sharing the first and last bytes are kept. */
void dnn_pk_pack(int32_t bits, const int8_t *x, int32_t n, void *y, int32_t k0);

/* ---- convolution (dnn_s8_conv / dnn_sub_conv on bands) ---- */
typedef struct dnn_pk_conv_params {
    dnn_s8_conv_params conv;  /* the whole layer, as for dnn_s8_conv */
    int32_t in_bits, out_bits; /* 8, 4 or 2 */
    int32_t band;              /* output rows (2-D), columns (1-D), pixels (pointwise) or
                                  channels (by_channels) per int8 kernel call, >= 1 */
    int32_t by_channels;       /* 1: depthwise, bands of channels (whole map) */
} dnn_pk_conv_params;

/* Sets band and by_channels: the largest band whose unpacked input and output (an
 * 8-bit side is used in place, except by channels) fit `budget` bytes, at least one
 * output row; by channels (blocks of 4) when a depthwise layer's rows do not all fit
 * and 4 channels of the whole map do. The band then grows while the scratch stays within
 * the int8 kernel's scratch for the whole layer (with sub-byte weights: plus `budget`,
 * and rows preferably in whole blocks of 4 output pixels). */
void dnn_pk_conv_plan(dnn_pk_conv_params *p, int sub_weights, size_t budget);

/* Scratch of dnn_pk_conv (sub_weights == 0) / dnn_pk_sub_conv (sub_weights != 0). */
size_t dnn_pk_conv_scratch_size(const dnn_pk_conv_params *p, int sub_weights);

/* int8 weights packed by dnn_s8_conv_pack for p->conv. */
void dnn_pk_conv(const dnn_pk_conv_params *p, const void *x, const int8_t *packed_w,
                 const dnn_s8_chan *chan, void *y, void *scratch);

/* Sub-byte weight groups packed by dnn_sub_conv_pack for p->conv (dnn_sub_conv_params_init). */
void dnn_pk_sub_conv(const dnn_pk_conv_params *p, const void *x, const dnn_sub_wgroup *groups,
                     int32_t ngroups, void *y, void *scratch);

/* ---- fully connected (one batch row per int8 kernel call) ---- */
typedef struct dnn_pk_fc_params {
    dnn_s8_fc_params fc;
    int32_t in_bits, out_bits;
} dnn_pk_fc_params;

size_t dnn_pk_fc_scratch_size(const dnn_pk_fc_params *p, int sub_weights);
void dnn_pk_fc(const dnn_pk_fc_params *p, const void *x, const int8_t *packed_w,
               const dnn_s8_chan *chan, void *y, void *scratch);
void dnn_pk_sub_fc(const dnn_pk_fc_params *p, const void *x, const dnn_sub_wgroup *groups,
                   int32_t ngroups, void *y, void *scratch);

/* ---- elementwise: add, requantize, quantize / dequantize (chunks of DNN_PK_CHUNK) ---- */
#define DNN_PK_CHUNK 256

typedef struct dnn_pk_add_params {
    dnn_s8_add_params add;
    int32_t a_bits, b_bits, out_bits;
} dnn_pk_add_params;

/* 3 * DNN_PK_CHUNK bytes. y may be a (or b when b_period == n) if of the same width. */
size_t dnn_pk_add_scratch_size(const dnn_pk_add_params *p);
void dnn_pk_add(const dnn_pk_add_params *p, const void *a, const void *b, void *y, void *scratch);

typedef struct dnn_pk_requantize_params {
    dnn_s8_requantize_params rq;
    int32_t in_bits, out_bits;
} dnn_pk_requantize_params;

/* 2 * DNN_PK_CHUNK bytes. y may be x if of the same width. */
size_t dnn_pk_requantize_scratch_size(const dnn_pk_requantize_params *p);
void dnn_pk_requantize(const dnn_pk_requantize_params *p, const void *x, void *y, void *scratch);

typedef struct dnn_pk_quant_params {
    dnn_s8_quant_params q; /* zp within the `bits` range */
    int32_t bits;
} dnn_pk_quant_params;

/* DNN_PK_CHUNK bytes. Quantize saturates to the `bits` range (ONNX QuantizeLinear
 * into a bits-wide integer). */
size_t dnn_pk_quant_scratch_size(const dnn_pk_quant_params *p);
void dnn_pk_quantize_f32(const dnn_pk_quant_params *p, const float *x, void *y, void *scratch);
void dnn_pk_dequantize_f32(const dnn_pk_quant_params *p, const void *x, float *y, void *scratch);

/* ---- pooling (same width in and out) ---- */
typedef struct dnn_pk_pool_params {
    dnn_s8_pool_params pool;
    int32_t bits;
    int32_t band; /* output rows (2-D), columns (1-D) or pixels per int8 kernel call, >= 1 */
} dnn_pk_pool_params;

/* Sets band from `budget` as dnn_pk_conv_plan does. */
void dnn_pk_pool_plan(dnn_pk_pool_params *p, size_t budget);

size_t dnn_pk_pool_scratch_size(const dnn_pk_pool_params *p);
void dnn_pk_maxpool(const dnn_pk_pool_params *p, const void *x, void *y, void *scratch);
void dnn_pk_avgpool(const dnn_pk_pool_params *p, const void *x, void *y, void *scratch);

typedef struct dnn_pk_global_pool_params {
    dnn_s8_global_pool_params gp;
    int32_t in_bits, out_bits;
} dnn_pk_global_pool_params;

/* Blocks of up to 4 channels over all positions: size * 4 + 4 bytes. */
size_t dnn_pk_global_pool_scratch_size(const dnn_pk_global_pool_params *p);
void dnn_pk_global_avgpool(const dnn_pk_global_pool_params *p, const void *x, void *y,
                           void *scratch);

/* ---- layout ---- */
/* y = transpose(x, perm) of a rank <= 6 packed tensor (element by element, no scratch). */
void dnn_pk_transpose(int32_t bits, int32_t rank, const int32_t *shape, const int32_t *perm,
                      const void *x, void *y);

#ifdef __cplusplus
}
#endif

#endif
