/*
 * dnn_sub_impl.h - private helpers of the sub-byte / precision-group kernels
 * (dnn_sub_*.c; not part of the API). Builds as in dnn_s8_impl.h: DNN_S8_DSP (ACLE
 * intrinsics), DNN_S8_ASM (inline assembly in optimized GCC builds for DSP targets),
 * portable C otherwise; all bit-identical.
 */
#ifndef DNNOPT_DNN_SUB_IMPL_H
#define DNNOPT_DNN_SUB_IMPL_H

#include "dnn_s8_impl.h"
#include "dnn_sub.h"

/* The naked Thumb-2 micro-kernels of dnn_sub_conv.c / dnn_sub_fc.c (Thumb-2 modified
 * immediates such as 0xF000F000): where dnn_s8 uses its assembly, in Thumb-2 code. */
#if DNN_S8_ASM && defined(__thumb2__)
#define DNN_SUB_ASM 1
#else
#define DNN_SUB_ASM 0
#endif

/* Units (groups of 4 weights) per 32-bit word: 1, 2, 4 for 8, 4, 2 bits. */
static DNN_ALWAYS_INLINE int32_t sub_units(int32_t bits)
{
    return 32 / (4 * bits);
}

static DNN_ALWAYS_INLINE int sub_bits_ok(int32_t bits)
{
    return bits == 8 || bits == 4 || bits == 2;
}

/* Bit position of the lowest bit of value r (0..3) of unit u in its word (bits 4, 2):
 * pair k = 2u + (r & 1), lane r >> 1, field [16*lane + 16 - b(k+1), +b). */
static DNN_ALWAYS_INLINE int32_t sub_field_pos(int32_t bits, int32_t u, int32_t r)
{
    const int32_t k = 2 * u + (r & 1);
    return 16 * (r >> 1) + 16 - bits * (k + 1);
}

/* Value r of unit u of word wv. */
static DNN_ALWAYS_INLINE int32_t sub_unit_val(uint32_t wv, int32_t bits, int32_t u, int32_t r)
{
    if (bits == 8)
        return (int32_t)(int8_t)(uint8_t)(wv >> (8 * r));
    {
        const int32_t pos = sub_field_pos(bits, u, r);
        /* >> of a negative int32_t is an arithmetic shift on every supported compiler */
        return (int32_t)(wv << (32 - bits - pos)) >> (32 - bits);
    }
}

/* Value i of a dense depthwise stream (value i at bits [b*i, b*i + b), little-endian). */
static DNN_ALWAYS_INLINE int32_t sub_dense_val(const uint8_t *s, int32_t bits, size_t i)
{
    if (bits == 8)
        return (int8_t)s[i];
    {
        const size_t bit = i * (size_t)bits;
        const uint32_t byte = s[bit >> 3];
        const int32_t sh = (int32_t)(bit & 7); /* fields never cross a byte */
        return (int32_t)(byte << (32 - bits - sh)) >> (32 - bits);
    }
}

/* ---- depthwise (dnn_sub_dwconv.c), dispatched from dnn_sub_conv ---- */
size_t dnn_sub_dw_scratch_size(const dnn_sub_conv_params *p);
void dnn_sub_dw_conv(const dnn_sub_conv_params *p, const int8_t *x, const dnn_sub_wgroup *g,
                     int8_t *y, void *scratch);
/* Channels [j0, j1) of group g of the depthwise layer p: x / y point at the input / output
 * channel of group channel j0, pixels in_stride / out_stride apart (p->c, p->m and
 * p->group are not read: the call computes j1 - j0 channels). Scratch:
 * dnn_sub_dw_scratch_size of the layer with these strides. dnn_pk_sub_conv runs a
 * packed layer by blocks of channels with it. */
void dnn_sub_dw_conv_range(const dnn_s8_conv_params *p, int32_t in_stride, int32_t out_stride,
                           const int8_t *x, const dnn_sub_wgroup *g, int32_t j0, int32_t j1,
                           int8_t *y, void *scratch);

#endif /* DNNOPT_DNN_SUB_IMPL_H */
