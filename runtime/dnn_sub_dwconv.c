/*
 * dnn_sub_dwconv.c - depthwise convolution (group == C == M), NHWC, with 8-, 4- or 2-bit
 * weights and channel-sliced input / output (dnn_sub.h). It runs dnn_s8_dwconv.c's kernel
 * (dnn_s8_dw_core: the int16 row planes, the 3x3 assembly, the generic loop) with three
 * differences: pixels of x and y are in_c_stride / out_c_stride apart (dnn_s8 uses C for
 * both), a precision group computes its channels [m0, m0 + m) only, and the weights of
 * each block of 4 channels are unpacked from the dense stream into `taps` (scratch after
 * the kernel's own) by the kernel's weight hook; the arithmetic and the results are
 * dnn_s8's.
 */
#include "dnn_sub_impl.h"

size_t dnn_sub_dw_scratch_size(const dnn_sub_conv_params *p)
{
    /* the int8 kernel's scratch, then the unpacked taps of 4 channels */
    return dnn_s8_dw_core_scratch_size(&p->conv, p->in_c_stride, p->out_c_stride) +
           ((4 * (size_t)p->conv.kh * (size_t)p->conv.kw + 3) & ~(size_t)3);
}

/* values [i0, i0 + n) of a dense 4- or 2-bit stream, whole bytes at a time */
static void unpack_dense(const uint8_t *s, int32_t bits, size_t i0, size_t n, int8_t *d)
{
    const size_t per = (size_t)(8 / bits), e = i0 + n;
    size_t i = i0;
    for (; i < e && i % per != 0; i++)
        *d++ = (int8_t)sub_dense_val(s, bits, i);
    for (; i + per <= e; i += per, d += per) {
        const uint32_t b = s[i / per];
        if (bits == 4) {
            d[0] = (int8_t)((int32_t)(b << 28) >> 28);
            d[1] = (int8_t)((int32_t)(b << 24) >> 28);
        } else {
            d[0] = (int8_t)((int32_t)(b << 30) >> 30);
            d[1] = (int8_t)((int32_t)(b << 28) >> 30);
            d[2] = (int8_t)((int32_t)(b << 26) >> 30);
            d[3] = (int8_t)((int32_t)(b << 24) >> 30);
        }
    }
    for (; i < e; i++)
        *d++ = (int8_t)sub_dense_val(s, bits, i);
}

/* the weight hook: channels [c0, c0 + nc) of the call (group channels j0 + c0 ..) of a 4-
 * or 2-bit group, unpacked */
typedef struct sub_taps {
    const uint8_t *w;
    int32_t bits, khw, j0;
    int8_t *buf;
} sub_taps;

static const int8_t *sub_taps_of(void *ctx, int32_t c0, int32_t nc)
{
    const sub_taps *t = (const sub_taps *)ctx;
    unpack_dense(t->w, t->bits, (size_t)(t->j0 + c0) * (size_t)t->khw, (size_t)nc * (size_t)t->khw,
                 t->buf);
    return t->buf;
}

void dnn_sub_dw_conv_range(const dnn_s8_conv_params *p, int32_t in_stride, int32_t out_stride,
                           const int8_t *x, const dnn_sub_wgroup *gw, int32_t j0, int32_t j1,
                           int8_t *y, void *scratch)
{
    dnn_s8_dw_io io;
    sub_taps t;
    t.w = (const uint8_t *)gw->w, t.bits = gw->bits, t.khw = p->kh * p->kw, t.j0 = j0;
    t.buf = (int8_t *)scratch + dnn_s8_dw_core_scratch_size(p, in_stride, out_stride);
    io.in_stride = in_stride, io.out_stride = out_stride, io.c = j1 - j0;
    io.w = (const int8_t *)gw->w + (size_t)j0 * (size_t)t.khw; /* 8 bits: in place */
    io.taps = gw->bits == 8 ? NULL : sub_taps_of;
    io.ctx = &t;
    dnn_s8_dw_core(p, &io, x, gw->chan + j0, y, scratch);
}

void dnn_sub_dw_conv(const dnn_sub_conv_params *sp, const int8_t *x, const dnn_sub_wgroup *gw,
                     int8_t *y, void *scratch)
{
    dnn_sub_dw_conv_range(&sp->conv, sp->in_c_stride, sp->out_c_stride,
                          x + sp->in_c_offset + gw->m0, gw, 0, gw->m,
                          y + sp->out_c_offset + gw->m0, scratch);
}
