/*
 * dnn_s8_quant.c - requantization helper and the int8 <-> int8 / float conversion
 * kernels (semantics: dnn_s8.h).
 */
#include "dnn_s8_impl.h"

int32_t dnn_s8_requant(int32_t acc, int32_t mult, int32_t shift)
{
    const s8_rq q = s8_rq_make(mult, shift, 0);
    return s8_rq_apply(&q, acc);
}

void dnn_s8_requantize(const dnn_s8_requantize_params *p, const int8_t *x, int8_t *y)
{
    const s8_rq q = s8_rq_make(p->mult, p->shift, p->output_zp);
    const int32_t zp = p->input_zp, lo = p->act_min, hi = p->act_max, full = s8_full_range(lo, hi);
    int32_t i;
    for (i = 0; i < p->n; i++)
        y[i] = s8_out(s8_rq_apply(&q, x[i] - zp), full, lo, hi);
}

/* Single-precision FPU with the Arm VFP instruction set (Cortex-M4F/M7/M33...): VCVTR
 * converts with the FPSCR rounding mode, round to nearest even by default (the C
 * runtime never changes it), saturating to int32 and mapping NaN to 0, so
 * saturate8(QADD(vcvtr(x / scale), zp)) equals the portable code below bit for bit. */
#if DNN_S8_DSP && defined(__ARM_FP) && (__ARM_FP & 4) && defined(__GNUC__) && defined(__OPTIMIZE__)
#define DNN_S8_VCVTR 1
#else
#define DNN_S8_VCVTR 0
#endif

void dnn_s8_quantize_f32(const dnn_s8_quant_params *p, const float *x, int8_t *y)
{
#if DNN_S8_VCVTR
    const float scale = p->scale;
    const int32_t zp = p->zp;
    int8_t *const end = y + p->n;
#if DNN_S8_ASM
    int32_t n4 = p->n >> 2;
    if (n4 > 0) { /* the same per value, 4 values per iteration: 26 instead of 36 instructions */
        uint32_t a, b, c, d;
        __asm__ volatile("1:\n\t"
                         "vldmia        %[x]!, {s0-s3}\n\t"
                         "vdiv.f32      s0, s0, %[sc]\n\t"
                         "vdiv.f32      s1, s1, %[sc]\n\t"
                         "vdiv.f32      s2, s2, %[sc]\n\t"
                         "vdiv.f32      s3, s3, %[sc]\n\t"
                         "vcvtr.s32.f32 s0, s0\n\t"
                         "vcvtr.s32.f32 s1, s1\n\t"
                         "vcvtr.s32.f32 s2, s2\n\t"
                         "vcvtr.s32.f32 s3, s3\n\t"
                         "vmov          %[a], %[b], s0, s1\n\t"
                         "vmov          %[c], %[d], s2, s3\n\t"
                         "qadd          %[a], %[a], %[zp]\n\t"
                         "qadd          %[b], %[b], %[zp]\n\t"
                         "qadd          %[c], %[c], %[zp]\n\t"
                         "qadd          %[d], %[d], %[zp]\n\t"
                         "ssat          %[a], #8, %[a]\n\t"
                         "ssat          %[b], #8, %[b]\n\t"
                         "ssat          %[c], #8, %[c]\n\t"
                         "ssat          %[d], #8, %[d]\n\t"
                         "strb          %[b], [%[y], #1]\n\t"
                         "strb          %[c], [%[y], #2]\n\t"
                         "strb          %[d], [%[y], #3]\n\t"
                         "strb          %[a], [%[y]], #4\n\t"
                         "subs          %[n], %[n], #1\n\t"
                         "bne           1b\n\t"
                         : [x] "+r"(x), [y] "+r"(y), [n] "+r"(n4), [a] "=&r"(a), [b] "=&r"(b),
                           [c] "=&r"(c), [d] "=&r"(d)
                         : [sc] "t"(scale), [zp] "r"(zp)
                         : "cc", "memory", "s0", "s1", "s2", "s3");
    }
#endif
    for (; y < end; y++, x++) {
        float v = *x / scale;
        int32_t q;
        __asm__("vcvtr.s32.f32 %0, %0" : "+t"(v));
        __asm__("vmov %0, %1" : "=r"(q) : "t"(v));
        *y = (int8_t)__ssat(__qadd(q, zp), 8);
    }
#else
    /* Adding and subtracting 1.5 * 2^23 rounds |v| < 2^22 to the nearest integer, ties to
     * even, in the default rounding mode (IEEE single precision, FLT_EVAL_METHOD 0; do
     * not build this file with -ffast-math). v is clamped first, NaN maps to 0. */
    const float magic = 12582912.0f, scale = p->scale;
    const int32_t zp = p->zp;
    int32_t i;
    for (i = 0; i < p->n; i++) {
        float v = x[i] / scale;
        int32_t q;
        if (!(v >= -1024.0f))
            v = v != v ? 0.0f : -1024.0f;
        else if (v > 1024.0f)
            v = 1024.0f;
        v = (v + magic) - magic;
        q = (int32_t)v + zp;
        y[i] = (int8_t)(q < -128 ? -128 : (q > 127 ? 127 : q));
    }
#endif
}

void dnn_s8_dequantize_f32(const dnn_s8_quant_params *p, const int8_t *x, float *y)
{
    const float scale = p->scale;
    const int32_t zp = p->zp;
    int32_t i;
    for (i = 0; i < p->n; i++)
        y[i] = (float)(x[i] - zp) * scale;
}

void dnn_s8_flip_sign(int32_t n, const void *x, void *y)
{
    const uint8_t *s = (const uint8_t *)x;
    uint8_t *d = (uint8_t *)y;
    int32_t i;
    for (i = 0; i < n; i++)
        d[i] = (uint8_t)(s[i] ^ 0x80u);
}
