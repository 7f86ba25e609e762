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

/* One value of dnn_s8_quantize_f32 (the code its loops share). */
static DNN_ALWAYS_INLINE int8_t quant1(float v, float scale, int32_t zp)
{
#if DNN_S8_VCVTR
    int32_t q;
    v = v / scale;
    __asm__("vcvtr.s32.f32 %0, %0" : "+t"(v));
    __asm__("vmov %0, %1" : "=r"(q) : "t"(v));
    return (int8_t)__ssat(__qadd(q, zp), 8);
#else
    /* Adding and subtracting 1.5 * 2^23 rounds |v| < 2^22 to the nearest integer, ties to
     * even, in the default rounding mode (IEEE single precision, FLT_EVAL_METHOD 0; do
     * not build this file with -ffast-math). v is clamped first, NaN maps to 0. */
    const float magic = 12582912.0f;
    int32_t q;
    v = v / scale;
    if (!(v >= -1024.0f))
        v = v != v ? 0.0f : -1024.0f;
    else if (v > 1024.0f)
        v = 1024.0f;
    v = (v + magic) - magic;
    q = (int32_t)v + zp;
    return (int8_t)(q < -128 ? -128 : (q > 127 ? 127 : q));
#endif
}

#if DNN_S8_VCVTR && DNN_S8_ASM
/* s0..s3 (4 floats) -> %[a] .. %[d]: quant1 of each, 18 instructions */
#define S8_Q4_CVT                                                                          \
    "vdiv.f32      s0, s0, %[sc]\n\t"                                                      \
    "vdiv.f32      s1, s1, %[sc]\n\t"                                                      \
    "vdiv.f32      s2, s2, %[sc]\n\t"                                                      \
    "vdiv.f32      s3, s3, %[sc]\n\t"                                                      \
    "vcvtr.s32.f32 s0, s0\n\t"                                                             \
    "vcvtr.s32.f32 s1, s1\n\t"                                                             \
    "vcvtr.s32.f32 s2, s2\n\t"                                                             \
    "vcvtr.s32.f32 s3, s3\n\t"                                                             \
    "vmov          %[a], %[b], s0, s1\n\t"                                                 \
    "vmov          %[c], %[d], s2, s3\n\t"                                                 \
    "qadd          %[a], %[a], %[zp]\n\t"                                                  \
    "qadd          %[b], %[b], %[zp]\n\t"                                                  \
    "qadd          %[c], %[c], %[zp]\n\t"                                                  \
    "qadd          %[d], %[d], %[zp]\n\t"                                                  \
    "ssat          %[a], #8, %[a]\n\t"                                                     \
    "ssat          %[b], #8, %[b]\n\t"                                                     \
    "ssat          %[c], #8, %[c]\n\t"                                                     \
    "ssat          %[d], #8, %[d]\n\t"
/* ... stored at y + the 4 byte offsets */
#define S8_Q4_STORE(o0, o1, o2, o3)                                                        \
    "strb          %[a], [%[y], #" o0 "]\n\t"                                              \
    "strb          %[b], [%[y], #" o1 "]\n\t"                                              \
    "strb          %[c], [%[y], #" o2 "]\n\t"                                              \
    "strb          %[d], [%[y], #" o3 "]\n\t"
#define S8_Q4_OPERANDS(va, vb, vc, vd) [a] "=&r"(va), [b] "=&r"(vb), [c] "=&r"(vc), [d] "=&r"(vd)
#define S8_Q4_INPUTS [sc] "t"(scale), [zp] "r"(zp)
#define S8_Q4_CLOBBERS "cc", "memory", "s0", "s1", "s2", "s3"
#endif

void dnn_s8_quantize_f32(const dnn_s8_quant_params *p, const float *x, int8_t *y)
{
    const float scale = p->scale;
    const int32_t zp = p->zp;
    int32_t i = 0;
#if DNN_S8_VCVTR && DNN_S8_ASM
    int32_t n4 = p->n >> 2;
    if (n4 > 0) { /* the same per value, 4 values per iteration: 24 instead of 36 instructions */
        const float *xs = x;
        int8_t *yd = y;
        uint32_t a, b, c, d;
        __asm__ volatile("1:\n\t"
                         "vldmia        %[x]!, {s0-s3}\n\t" S8_Q4_CVT
                         "strb          %[b], [%[y], #1]\n\t"
                         "strb          %[c], [%[y], #2]\n\t"
                         "strb          %[d], [%[y], #3]\n\t"
                         "strb          %[a], [%[y]], #4\n\t"
                         "subs          %[n], %[n], #1\n\t"
                         "bne           1b\n\t"
                         : [x] "+r"(xs), [y] "+r"(yd), [n] "+r"(n4), S8_Q4_OPERANDS(a, b, c, d)
                         : S8_Q4_INPUTS
                         : S8_Q4_CLOBBERS);
        i = p->n & ~3;
    }
#endif
    for (; i < p->n; i++)
        y[i] = quant1(x[i], scale, zp);
}

void dnn_s8_quantize_f32_nhwc(const dnn_s8_quant_nhwc_params *p, const float *x, int8_t *y)
{
    const int32_t C = p->c, HW = p->hw, zp = p->zp;
    const float scale = p->scale;
    int32_t n, i, c;
    for (n = 0; n < p->n; n++, x += (size_t)C * (size_t)HW, y += (size_t)C * (size_t)HW) {
        i = 0;
#if DNN_S8_VCVTR && DNN_S8_ASM
        if (C == 3 && HW >= 4) { /* RGB: 4 pixels x 3 channels per step, 72 instructions */
            const float *x0 = x, *x1 = x + HW, *x2 = x + 2 * (size_t)HW;
            int8_t *yd = y;
            int32_t n4 = HW >> 2;
            uint32_t a, b, cc, d;
            __asm__ volatile("1:\n\t"
                             "vldmia        %[x0]!, {s0-s3}\n\t" S8_Q4_CVT
                                 S8_Q4_STORE("0", "3", "6", "9")
                             "vldmia        %[x1]!, {s0-s3}\n\t" S8_Q4_CVT
                                 S8_Q4_STORE("1", "4", "7", "10")
                             "vldmia        %[x2]!, {s0-s3}\n\t" S8_Q4_CVT
                                 S8_Q4_STORE("2", "5", "8", "11")
                             "add           %[y], %[y], #12\n\t"
                             "subs          %[n], %[n], #1\n\t"
                             "bne           1b\n\t"
                             : [x0] "+r"(x0), [x1] "+r"(x1), [x2] "+r"(x2), [y] "+r"(yd),
                               [n] "+r"(n4), S8_Q4_OPERANDS(a, b, cc, d)
                             : S8_Q4_INPUTS
                             : S8_Q4_CLOBBERS);
            i = HW & ~3;
        }
#endif
        /* other channel counts, and the last 1-3 pixels, one value at a time */
        for (; i < HW; i++)
            for (c = 0; c < C; c++)
                y[(size_t)i * (size_t)C + (size_t)c] = quant1(x[(size_t)c * (size_t)HW + (size_t)i], scale, zp);
    }
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
