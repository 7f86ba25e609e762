/*
 * dnn_s8_impl.h - private helpers of the int8 kernels (not part of the API).
 *
 * Two builds of the same algorithms:
 *   DNN_S8_DSP = 1  when the target has the Armv7E-M DSP extension (__ARM_FEATURE_DSP:
 *                   Cortex-M4/M7/M33/M55 ...): SMLAD, SXTB16, SMMLA, SSAT, PKH.
 *   DNN_S8_DSP = 0  portable C99 (host tests, Cortex-M0/M3); define DNN_S8_NO_DSP to
 *                   force it on a DSP target (the benchmark measures both).
 * Every primitive below has an exact integer definition that both builds implement,
 * so results are bit-identical (the tests run the portable build on the host and the
 * DSP build under QEMU against the same int64 reference). Wrapping sums use uint32_t
 * in the portable code: SMLAD also wraps, and C signed overflow is undefined.
 */
#ifndef DNNOPT_DNN_S8_IMPL_H
#define DNNOPT_DNN_S8_IMPL_H

#include "dnn_s8.h"

#if defined(__ARM_FEATURE_DSP) && !defined(DNN_S8_NO_DSP)
#define DNN_S8_DSP 1
#include <arm_acle.h>
#else
#define DNN_S8_DSP 0
#endif

/* The innermost loops of conv, depthwise conv and fully connected layers are inline
 * assembly (GNU syntax, up to 13 registers plus lr) in optimized GCC builds for DSP
 * targets. Everything else uses the C code with ACLE intrinsics, the same arithmetic
 * with bit-identical results: unoptimized builds (gcc cannot allocate that many
 * registers to an asm statement at -O0 with a hardware FPU), clang (its register
 * allocator gives up on these blocks), and builds with -DDNN_S8_NO_ASM, which
 * -fno-omit-frame-pointer builds need (r7 is then reserved). */
#if DNN_S8_DSP && defined(__OPTIMIZE__) && !defined(DNN_S8_NO_ASM) && defined(__GNUC__) &&  \
    !defined(__clang__)
#define DNN_S8_ASM 1
#else
#define DNN_S8_ASM 0
#endif

/* ---- unaligned 32-bit access (one LDR / STR on Cortex-M3 and up) ---- */
static DNN_ALWAYS_INLINE uint32_t s8_ld32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static DNN_ALWAYS_INLINE void s8_st32(void *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

/* ---- lanes: a 32-bit word holds two int16 lanes, lo = bits 0..15, hi = 16..31 ---- */
static DNN_ALWAYS_INLINE int32_t s8_lo16(uint32_t v)
{
    return (int32_t)(int16_t)(uint16_t)(v & 0xFFFFu);
}

static DNN_ALWAYS_INLINE int32_t s8_hi16(uint32_t v)
{
    return (int32_t)(int16_t)(uint16_t)(v >> 16);
}

static DNN_ALWAYS_INLINE uint32_t s8_pair(int32_t lo, int32_t hi) /* (lo, hi) -> word */
{
    return ((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16);
}

/* SXTB16: bytes 0 and 2 sign-extended to the two lanes: (b0, b2). */
static DNN_ALWAYS_INLINE uint32_t s8_sxtb16(uint32_t v)
{
#if DNN_S8_DSP
    return (uint32_t)__sxtb16((int32_t)v);
#else
    return s8_pair((int8_t)(uint8_t)(v & 0xFFu), (int8_t)(uint8_t)((v >> 16) & 0xFFu));
#endif
}

/* SXTB16 with ROR #8: bytes 1 and 3: (b1, b3). */
static DNN_ALWAYS_INLINE uint32_t s8_sxtb16_ror8(uint32_t v)
{
#if DNN_S8_DSP
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
#else
    return s8_pair((int8_t)(uint8_t)((v >> 8) & 0xFFu), (int8_t)(uint8_t)(v >> 24));
#endif
}

/* SMLAD: acc + a.lo * b.lo + a.hi * b.hi (wrapping). */
static DNN_ALWAYS_INLINE int32_t s8_smlad(uint32_t a, uint32_t b, int32_t acc)
{
#if DNN_S8_DSP
    return __smlad((int32_t)a, (int32_t)b, acc);
#else
    return (int32_t)((uint32_t)acc + (uint32_t)(s8_lo16(a) * s8_lo16(b)) +
                     (uint32_t)(s8_hi16(a) * s8_hi16(b)));
#endif
}

/* SMLAxy: acc + a.x * b.y, x, y in {B = lo, T = hi} (wrapping). */
static DNN_ALWAYS_INLINE int32_t s8_smlabb(uint32_t a, uint32_t b, int32_t acc)
{
#if DNN_S8_DSP
    return __smlabb((int32_t)a, (int32_t)b, acc);
#else
    return (int32_t)((uint32_t)acc + (uint32_t)(s8_lo16(a) * s8_lo16(b)));
#endif
}

static DNN_ALWAYS_INLINE int32_t s8_smlabt(uint32_t a, uint32_t b, int32_t acc)
{
#if DNN_S8_DSP
    return __smlabt((int32_t)a, (int32_t)b, acc);
#else
    return (int32_t)((uint32_t)acc + (uint32_t)(s8_lo16(a) * s8_hi16(b)));
#endif
}

static DNN_ALWAYS_INLINE int32_t s8_smlatb(uint32_t a, uint32_t b, int32_t acc)
{
#if DNN_S8_DSP
    return __smlatb((int32_t)a, (int32_t)b, acc);
#else
    return (int32_t)((uint32_t)acc + (uint32_t)(s8_hi16(a) * s8_lo16(b)));
#endif
}

/* PKHBT / PKHTB: (a.lo, b.lo) and (a.hi, b.hi). */
static DNN_ALWAYS_INLINE uint32_t s8_pack_lo(uint32_t a, uint32_t b)
{
#if DNN_S8_DSP
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
    return r;
#else
    return (a & 0xFFFFu) | (b << 16);
#endif
}

static DNN_ALWAYS_INLINE uint32_t s8_pack_hi(uint32_t a, uint32_t b)
{
#if DNN_S8_DSP
    uint32_t r;
    __asm__("pkhtb %0, %2, %1, asr #16" : "=r"(r) : "r"(a), "r"(b));
    return r;
#else
    return (a >> 16) | (b & 0xFFFF0000u);
#endif
}

/* SMMLA: c + floor(a * b / 2^32). Callers guarantee that the sum does not overflow. */
static DNN_ALWAYS_INLINE int32_t s8_smmla(int32_t a, int32_t b, int32_t c)
{
#if DNN_S8_DSP
    int32_t r;
    __asm__("smmla %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
    return r;
#else
    /* >> of a negative int64_t is an arithmetic shift on every supported compiler */
    return c + (int32_t)(((int64_t)a * (int64_t)b) >> 32);
#endif
}

/* SSAT #8: clamp to [-128, 127]. */
static DNN_ALWAYS_INLINE int32_t s8_sat8(int32_t v)
{
#if DNN_S8_DSP
    return __ssat(v, 8);
#else
    return v < -128 ? -128 : (v > 127 ? 127 : v);
#endif
}

static DNN_ALWAYS_INLINE int32_t s8_clamp(int32_t v, int32_t lo, int32_t hi)
{
    v = v < lo ? lo : v;
    return v > hi ? hi : v;
}

/* ---- requantization (the definition is in dnn_s8.h) ---- */

/* Per-channel constants derived from (mult, shift, output_zp). */
typedef struct s8_rq {
    int32_t mult;
    int32_t rnd;   /* 2^(rs-1) + (zp << rs) */
    int32_t rs;    /* right shift >= 1 */
    int32_t ls;    /* saturating left shift of the accumulator, 0 when shift <= -2 */
} s8_rq;

static DNN_ALWAYS_INLINE int32_t s8_rs_of(int32_t shift)
{
    return shift <= -2 ? -1 - shift : 1;
}

static DNN_ALWAYS_INLINE int32_t s8_rnd_of(int32_t shift, int32_t zp)
{
    const int32_t rs = s8_rs_of(shift);
    return (int32_t)((1u << (rs - 1)) + ((uint32_t)zp << rs));
}

static DNN_ALWAYS_INLINE s8_rq s8_rq_make(int32_t mult, int32_t shift, int32_t zp)
{
    s8_rq q;
    q.mult = mult;
    q.rs = s8_rs_of(shift);
    q.ls = shift <= -2 ? 0 : shift + 2;
    q.rnd = s8_rnd_of(shift, zp);
    return q;
}

/* the same from a packed channel record (rnd already holds the zero point) */
static DNN_ALWAYS_INLINE s8_rq s8_rq_chan(const dnn_s8_chan *c)
{
    s8_rq q;
    q.mult = c->mult;
    q.rs = s8_rs_of(c->shift);
    q.ls = c->shift <= -2 ? 0 : c->shift + 2;
    q.rnd = c->rnd;
    return q;
}

/* saturate32(acc * 2^ls), 1 <= ls <= 31 */
static DNN_ALWAYS_INLINE int32_t s8_sat_shl(int32_t acc, int32_t ls)
{
    const int32_t lim = (int32_t)(0x7FFFFFFF >> ls);
    if (acc > lim)
        return 0x7FFFFFFF;
    if (acc < -lim - 1)
        return (int32_t)(-0x7FFFFFFF - 1);
    return (int32_t)((uint32_t)acc << ls);
}

/* output_zp + q (not clamped; |result| < 2^30) */
static DNN_ALWAYS_INLINE int32_t s8_rq_apply(const s8_rq *q, int32_t acc)
{
    if (q->ls)
        acc = s8_sat_shl(acc, q->ls);
    return s8_smmla(acc, q->mult, q->rnd) >> q->rs;
}

/* the same for a channel known to have ls == 0 */
static DNN_ALWAYS_INLINE int32_t s8_rq_apply_fast(const s8_rq *q, int32_t acc)
{
    return s8_smmla(acc, q->mult, q->rnd) >> q->rs;
}

/* Clamp to [lo, hi] where full != 0 means [-128, 127]. */
static DNN_ALWAYS_INLINE int8_t s8_out(int32_t v, int full, int32_t lo, int32_t hi)
{
    return (int8_t)(full ? s8_sat8(v) : s8_clamp(v, lo, hi));
}

static DNN_ALWAYS_INLINE int s8_full_range(int32_t lo, int32_t hi)
{
    return lo <= -128 && hi >= 127;
}

/* ---- clamp to [lo, hi] in the assembly kernels (any lo <= hi) ----
 * A saturating instruction clamps to a power-of-two window only, so with rnd' =
 * s8_clamp_rnd(rnd, rs, lo) the requantization yields v - lo instead of v (exact: lo is
 * added in units of 2^rs) and per output
 *     USAT   u, #8, u        u = clamp(v - lo, 0, 255)                (lower bound)
 *     UQADD8 u, u, k         byte 0: min(u + 255 - (hi - lo), 255)    (upper bound)
 *     ADD    u, u, k, lsr #8 byte 0: + hi + 1, i.e. clamp(v, lo, hi) mod 256
 * with k = s8_clamp_k(lo, hi) = (255 - (hi - lo)) | ((hi + 1) & 255) << 8; STRB stores
 * byte 0 (the other bytes are don't-care). 2 instructions more than SSAT per output. */
static DNN_ALWAYS_INLINE int32_t s8_clamp_rnd(int32_t rnd, int32_t rs, int32_t lo)
{
    return (int32_t)((uint32_t)rnd - ((uint32_t)lo << rs));
}

static DNN_ALWAYS_INLINE uint32_t s8_clamp_k(int32_t lo, int32_t hi)
{
    return (uint32_t)(255 - (hi - lo)) | (((uint32_t)(hi + 1) & 0xFFu) << 8);
}

#define S8_CLAMP_ASM(v, k)                                                                 \
    "usat   %[" v "], #8, %[" v "]\n\t"                                                    \
    "uqadd8 %[" v "], %[" v "], " k "\n\t"                                                 \
    "add    %[" v "], %[" v "], " k ", lsr #8\n\t"

/* Requantizes nv (1..4) accumulators of one channel and stores them `stride` apart. */
static DNN_ALWAYS_INLINE void s8_store4(int8_t *y, int32_t stride, const int32_t *acc, int32_t nv,
                                        const s8_rq *q, int full, int32_t lo, int32_t hi)
{
    int32_t i;
    if (q->ls == 0 && full && nv == 4) {
        y[0] = (int8_t)s8_sat8(s8_rq_apply_fast(q, acc[0]));
        y[stride] = (int8_t)s8_sat8(s8_rq_apply_fast(q, acc[1]));
        y += 2 * stride;
        y[0] = (int8_t)s8_sat8(s8_rq_apply_fast(q, acc[2]));
        y[stride] = (int8_t)s8_sat8(s8_rq_apply_fast(q, acc[3]));
        return;
    }
    for (i = 0; i < nv; i++)
        y[i * stride] = s8_out(s8_rq_apply(q, acc[i]), full, lo, hi);
}

/* ---- depthwise convolution (dnn_s8_dwconv.c), dispatched from dnn_s8_conv ---- */
size_t dnn_s8_dw_scratch_size(const dnn_s8_conv_params *p);
void dnn_s8_dw_conv(const dnn_s8_conv_params *p, const int8_t *x, const int8_t *packed_w,
                    const dnn_s8_chan *chan, int8_t *y, void *scratch);

/* The same kernel for io->c channels whose pixels are in_stride (x) and out_stride (y)
 * bytes apart (x, y: channel 0 of the range; dnn_sub's channel slices and precision
 * groups). The int8 weights of channels c0 .. c0 + nc - 1 (nc <= 4), [nc][KH][KW], are
 * io->w + c0 * KH * KW, or, when io->taps is set, what it returns for (io->ctx, c0, nc)
 * (e.g. unpacked from 4- or 2-bit weights); valid until its next call. The scratch is
 * dnn_s8_dw_core_scratch_size bytes (the caller's own memory may follow it). */
typedef struct dnn_s8_dw_io {
    int32_t in_stride, out_stride, c;
    const int8_t *w;
    const int8_t *(*taps)(void *ctx, int32_t c0, int32_t nc);
    void *ctx;
} dnn_s8_dw_io;

size_t dnn_s8_dw_core_scratch_size(const dnn_s8_conv_params *p, int32_t in_stride,
                                   int32_t out_stride);
void dnn_s8_dw_core(const dnn_s8_conv_params *p, const dnn_s8_dw_io *io, const int8_t *x,
                    const dnn_s8_chan *chan, int8_t *y, void *scratch);

#endif /* DNNOPT_DNN_S8_IMPL_H */
