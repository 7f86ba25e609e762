/*
 * dnn_sub.h - int8-activation kernels with 8-, 4- and 2-bit (and ternary) weights and
 * per-output-channel precision groups, for Cortex-M, C99.
 *
 * What this adds to dnn_s8.h
 * --------------------------
 *  - Weights of 4 bits (two's complement, [-8, 7]) and 2 bits ([-2, 1]; ternary
 *    {-1, 0, 1} is the 2-bit case with -2 unused), packed densely, next to int8.
 *    Activations stay int8, NHWC, asymmetric; the requantization, the rounding, the
 *    per-channel record dnn_s8_chan and the bias fold are exactly those of dnn_s8.h,
 *    so every output is bit-identical to "unpack the weights to int8, run dnn_s8".
 *  - Precision groups: the output channels of one layer are split into groups
 *    (dnn_sub_wgroup: a run of channels, one weight precision, its own packed weights
 *    and dnn_s8_chan table). One call computes several groups that share the input
 *    expansion (im2col / the int16 input row), each writing its slice of the same
 *    output tensor: no copy, no concatenation. One group per call works as well (the
 *    compiler may emit one call per group; it then repeats the im2col per call).
 *  - Channel slices of input and output: pixels of x are in_c_stride int8 apart and
 *    the layer reads channels [in_c_offset, in_c_offset + c); pixels of y are
 *    out_c_stride apart and output channel j of the layer is y channel
 *    out_c_offset + j. So a layer can read a slice of a wider tensor (e.g. one part of
 *    a concatenation) and write into a slice of one. With bits == 8 these kernels run
 *    the int8 arithmetic of dnn_s8 on the int8 weight layout of dnn_s8_conv_pack /
 *    dnn_s8_fc_pack (dnn_sub_*_pack with bits = 8 produces the same bytes).
 *
 * Semantics (all of dnn_s8.h's conventions apply: NHWC, folded bias, zero point of the
 * input in the padding, 32-bit wrapping accumulators, exact requantization):
 *   y[n][oh][ow][out_c_offset + m] = clamp(output_zp + requant(bias[m] + sum over the
 *       taps of (x[n][ih][iw][in_c_offset + c] - input_zp) * w[m][c'][kh][kw],
 *       mult[m], shift[m]), act_min, act_max)
 * for the channels m of every group; other y channels are not written. The int32 sum is
 * exact when |bias[m] + sum| < 2^31 (and wraps like dnn_s8 otherwise): the sub-byte
 * kernels accumulate exact partial sums of at most 508 products, see below.
 *
 * Packed weight layouts (bits = 8, 4, 2; K = C/group * KH * KW, Kp = K rounded up to 4)
 * ---------------------------------------------------------------------------------
 * General and pointwise conv, fully connected: a stream of "units", one unit = 4
 * weights (values 0..3 of one group of 4 consecutive k of one output channel), K
 * padded with zeros to Kp (as in dnn_s8). The units of a conv group are in channel
 * order, channel after channel (unit index = m * Kp/4 + k/4), with NO padding between
 * channels; a fully connected group stores blocks of 4 outputs (unit index = block *
 * Kp + (k/4) * 4 + output in block) then each remaining output (Kp/4 units each),
 * like dnn_s8_fc_pack. Units fill 32-bit little-endian words: U = 1 (8-bit), 2 (4-bit)
 * or 4 (2-bit) units per word, unit u of word i being unit i*U + u; the last word is
 * padded with zeros. A unit u holds its values v0..v3 in two int16 lane pairs
 * (pair e = 2u: lanes (v0, v2); pair o = 2u+1: lanes (v1, v3)):
 *     bits = 8:  v_r = byte r of the word (the dnn_s8 layout: pair 0 = SXTB16(word)).
 *     bits = 4, 2: pair k occupies bit fields [16 - b(k+1), 16 - bk) (lane 0) and
 *                [32 - b(k+1), 32 - bk) (lane 1), b = bits: a value's field sits at
 *                the top of its 16-bit lane once the word is shifted left by b*k.
 *     (4-bit: nibble 3 = v0 and nibble 7 = v2 of unit 0, nibble 2 = v1, nibble 6 = v3;
 *      nibbles 1, 5, 0, 4 = v0, v2, v1, v3 of unit 1.)
 *   So  (word << b*k) & 0xF000F000 (4-bit; 0xC000C000 for 2-bit) is pair k as two int16
 *   lanes scaled by 2^(16-b): one AND (with a shifted register operand) per 2 weights,
 *   and SMLAD with the pair of int16 inputs. Bytes: 4 * ceil(units / U): 4-bit weights
 *   take M*Kp/2 bytes (+ at most 3), exactly half of dnn_s8's M*Kp, 2-bit a quarter.
 * Depthwise (group == c == m): a plain dense stream of C*KH*KW values in ONNX order
 *   [C][KH][KW], value i at bits [b*i, b*i + b) of the little-endian byte stream
 *   (bits = 8: the int8 array of dnn_s8_conv_pack), ceil(C*KH*KW*b/8) bytes rounded up
 *   to 4. Depthwise weights are unpacked once per block of 4 channels.
 * Packed weights must be 4-byte aligned.
 *
 * How the kernels compute (Cortex-M4, __ARM_FEATURE_DSP, inline assembly)
 *  - conv: the im2col block of dnn_s8 (int16, blocks of 4-pixel sub-blocks), with the 4
 *    pixels of a sub-block interleaved per pair: one LDM loads pair e (or o) of the 4
 *    pixels, so the micro-kernel holds one unpacked weight pair at a time and has a
 *    register left for the AND mask. Per 32-bit weight word: 1 LDR + per pair 1 AND (or
 *    SXTB16 at 8 bits) + 1 LDM + 4 SMLAD: 25 instructions for 32 MACs at 4 bits, 49 for
 *    64 MACs at 2 bits, 26 for 32 at 8 bits; fused requantization (SMMLA, ASR, SSAT)
 *    per 4 outputs as dnn_s8 (+5 instructions at 4 / 2 bits). Sub-byte lanes hold
 *    2^12 w (4-bit) / 2^14 w (2-bit): a partial sum of up to 508 products is exact
 *    (|sum| < 2^19 / 2^17), so channels with K > 508 run in chunks of at most 126 groups
 *    of 4, each shifted back (ASR) into the 32-bit accumulator. A channel whose units do
 *    not start and end on word boundaries runs whole words against zero groups of the
 *    im2col buffer (3 zero groups follow every sub-block): at most U-1 groups of MACs
 *    per side, only when Kp/4 is not a multiple of U; when that waste costs more than
 *    unpacking the channel to int8 once per im2col block (small K, 2 bits), it runs
 *    from int8 weights instead. The last, partial sub-block of a layer (1 or 2 pixels)
 *    uses a 1-2 pixel loop.
 *  - depthwise: dnn_s8's depthwise kernel (int16 planes, SMLAD on horizontal tap pairs,
 *    fused requantization, same assembly) with the channel strides / offsets above and
 *    the taps of every 4 channels unpacked first (in place at 8 bits).
 *  - fully connected: per 4 outputs and 4 inputs, 1 LDRD (inputs) + 1 LDRD / LDR
 *    (weights) + 8 AND + 8 SMLAD at 4 / 2 bits (18 instructions for 16 MACs; int8 19).
 *  Without the DSP extension (or with -DDNN_S8_NO_DSP) portable C99 computes the same
 *  integers; -DDNN_S8_NO_ASM (and clang, -O0) keeps the DSP intrinsics without the
 *  assembly. All builds are bit-identical (runtime/test/s4 checks every build against
 *  the same int64 reference and compares their output digests under QEMU).
 * Measured (bench/qemu/RESULTS_S4.md, Cortex-M4 instructions per MAC, 4-bit vs int8
 * dnn_s8): whole networks ResNet-8 1.11 vs 1.10, DS-CNN 1.29 vs 1.25, MobileNetV1-0.25
 * 1.49 vs 1.43 (2-bit 1.10, 1.29, 1.48); weights exactly 0.5x (2-bit 0.25x).
 *
 * Mixed precision (the form the compiler emits): reorder the layer's output channels so
 * each precision is contiguous (fixing the consumer's input channel order), pack each
 * run with dnn_sub_conv_pack(p, bits, m0, m, ...), then one call
 *     dnn_sub_wgroup g[3] = {{8, 0, 10, w8, c8}, {4, 10, 20, w4, c4}, {2, 30, 2, w2, c2}};
 *     dnn_sub_conv(&p, x, g, 3, y, scratch);
 * (or three calls with one group each: same results, the im2col repeated per call).
 * With bits = 8 and dense strides the results equal dnn_s8_conv's (and the packed
 * weights dnn_s8_conv_pack's), so an all-int8 layer can keep calling dnn_s8_conv.
 */
#ifndef DNNOPT_DNN_SUB_H
#define DNNOPT_DNN_SUB_H

#include "dnn_s8.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One precision group: output channels [m0, m0 + m) of the layer (conv: output
 * channels; fully connected: output features), their packed weights (bits 8, 4 or 2,
 * made by dnn_sub_conv_pack / dnn_sub_fc_pack for exactly this range) and their m
 * channel records. The groups of one call must not overlap; channels in no group are
 * not written (0-bit, pruned channels are normally removed from the layer instead). */
typedef struct dnn_sub_wgroup {
    int32_t bits;                /* 8, 4 or 2 */
    int32_t m0, m;               /* first output channel (of the layer), count >= 1 */
    const void *w;               /* packed weights, 4-byte aligned */
    const dnn_s8_chan *chan;     /* m records: chan[j] is output channel m0 + j */
} dnn_sub_wgroup;

/* ------------------------------------------------------------------------------------
 * Convolution (general, pointwise, grouped, depthwise, 1-D), NHWC
 * ------------------------------------------------------------------------------------
 * conv: the layer as for dnn_s8_conv (c input channels, m output channels, group,
 * zero points, fused clamp). Grouped convolutions: output channel m reads the input
 * channels of its group, m / (m_total / group); precision groups may cross conv groups.
 * Depthwise (dnn_s8_conv_is_depthwise(&conv): group == c == m): output channel j reads
 * input channel j only, i.e. x channel in_c_offset + j. */
typedef struct dnn_sub_conv_params {
    dnn_s8_conv_params conv;
    int32_t in_c_stride;   /* int8 values between neighbouring pixels of x, >= in_c_offset + c */
    int32_t in_c_offset;   /* x channel of input channel 0 */
    int32_t out_c_stride;  /* int8 values between neighbouring pixels of y, >= out_c_offset + m */
    int32_t out_c_offset;  /* y channel of output channel 0 */
} dnn_sub_conv_params;

/* sp->conv = *conv, dense input and output (strides c and m, offsets 0). */
void dnn_sub_conv_params_init(dnn_sub_conv_params *sp, const dnn_s8_conv_params *conv);

/* Bytes of the packed weights of a group of m output channels (bits 8, 4, 2; 0 for
 * other bits). */
size_t dnn_sub_conv_packed_size(const dnn_sub_conv_params *p, int32_t bits, int32_t m);

/* Packs output channels [m0, m0 + m) of the layer's ONNX weights onnx_w
 * (M x C/group x KH x KW int8, the whole layer) into packed_w
 * (dnn_sub_conv_packed_size bytes) and fills chan[0 .. m-1] from bias[m0 ..] (NULL
 * for none), mult[m0 ..], shift[m0 ..] (per layer channel, as dnn_s8_conv_pack) and
 * the zero points of p. Weights outside the range of `bits` are saturated; the
 * return value is their count (0 when the weights fit). Compile-time helper. */
int32_t dnn_sub_conv_pack(const dnn_sub_conv_params *p, int32_t bits, int32_t m0, int32_t m,
                          const int8_t *onnx_w, const int32_t *bias, const int32_t *mult,
                          const int32_t *shift, void *packed_w, dnn_s8_chan *chan);

/* Bytes of scratch dnn_sub_conv needs (> 0, 4-byte aligned memory, any precision). */
size_t dnn_sub_conv_scratch_size(const dnn_sub_conv_params *p);

/* The convolution for the ngroups groups: x N x H x W x in_c_stride, y N x OH x OW x
 * out_c_stride. */
void dnn_sub_conv(const dnn_sub_conv_params *p, const int8_t *x, const dnn_sub_wgroup *groups,
                  int32_t ngroups, int8_t *y, void *scratch);

/* im2col block limit (as DNN_S8_IM2COL_BYTES): the compiler and the firmware must
 * agree on it (it enters dnn_sub_conv_scratch_size). */
#define DNN_SUB_IM2COL_BYTES 4096

/* ------------------------------------------------------------------------------------
 * Fully connected, y[b][out_offset + n] for the outputs n of every group
 * ------------------------------------------------------------------------------------
 * fc: as dnn_s8_fc_params (x is batch x in_features, contiguous); out_features is the
 * layer's total. Rows of y are out_stride values apart. */
typedef struct dnn_sub_fc_params {
    dnn_s8_fc_params fc;
    int32_t out_stride;    /* >= out_offset + out_features */
    int32_t out_offset;
} dnn_sub_fc_params;

void dnn_sub_fc_params_init(dnn_sub_fc_params *sp, const dnn_s8_fc_params *fc);

size_t dnn_sub_fc_packed_size(const dnn_sub_fc_params *p, int32_t bits, int32_t n);

/* Packs outputs [n0, n0 + n) of b (the whole layer: K x N, or N x K when b_transposed;
 * see dnn_s8_fc_pack); bias / mult / shift indexed by layer output, chan[0 .. n-1].
 * Returns the number of saturated weights. */
int32_t dnn_sub_fc_pack(const dnn_sub_fc_params *p, int32_t bits, int32_t n0, int32_t n,
                        const int8_t *b, int b_transposed, const int32_t *bias,
                        const int32_t *mult, const int32_t *shift, void *packed_w,
                        dnn_s8_chan *chan);

size_t dnn_sub_fc_scratch_size(const dnn_sub_fc_params *p);

void dnn_sub_fc(const dnn_sub_fc_params *p, const int8_t *x, const dnn_sub_wgroup *groups,
                int32_t ngroups, int8_t *y, void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* DNNOPT_DNN_SUB_H */
