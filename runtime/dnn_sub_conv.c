/*
 * dnn_sub_conv.c - convolution with 8-, 4- or 2-bit weights in precision groups,
 * channel-sliced input and output (general, pointwise, grouped; depthwise is in
 * dnn_sub_dwconv.c). Layouts and semantics: dnn_sub.h.
 *
 * im2col scratch (int16): [3 zero groups] then per sub-block of 4 pixels its Kp/4
 * groups followed by 3 zero groups. A group is 16 int16 = 8 words: the pair
 * (x0, x2) of pixels 0, 1, 2, 3, then the pair (x1, x3) of pixels 0..3 (the two SXTB16
 * of the 4 input bytes). One LDM of 4 words thus feeds the 4 SMLAD of one weight pair
 * (the 4 pixels), so the micro-kernel holds one unpacked weight pair at a time, which
 * leaves a register for the AND mask of the sub-byte unpacking.
 *
 * A channel's weight units start at unit j*Kp/4 of its group's stream (dnn_sub.h); the
 * micro-kernel always consumes whole 32-bit words, so it starts ph = (j*Kp/4) % U
 * groups before the sub-block's data and stops up to U-1 groups after it: those
 * positions are the zero groups, the neighbouring channels' weights there add 0 (or,
 * when cheaper, the channel is unpacked to int8 in the staging buffer first).
 *
 * Micro-kernels: naked Thumb-2 functions (all 14 registers) for whole sub-blocks with the
 * requantization fused (chan_w*), without it (dot_w*: partial sums of long channels, the
 * layer's last sub-block, narrow clamps); C with ACLE intrinsics for the 1-2 pixels of a
 * last sub-block and in builds without the assembly; portable C99 without DSP.
 */
#include "dnn_sub_impl.h"

#define SUB_PAD 3   /* zero groups around each sub-block (the largest U - 1) */
#define SUB_GW 16   /* int16 per group of a sub-block */

/* Largest group count of a channel whose partial sums stay exact in one pass of the
 * scaled sub-byte micro-kernel (508 products: |sum| < 2^19 at 4 bits, < 2^17 at 2). */
#define SUB_ONE_PASS_GROUPS 127

void dnn_sub_conv_params_init(dnn_sub_conv_params *sp, const dnn_s8_conv_params *conv)
{
    sp->conv = *conv;
    sp->in_c_stride = conv->c;
    sp->in_c_offset = 0;
    sp->out_c_stride = conv->m;
    sp->out_c_offset = 0;
}

static int32_t gen_ng(const dnn_s8_conv_params *p)
{
    return ((p->c / p->group) * p->kh * p->kw + 3) / 4;
}

/* sub-blocks per im2col block: at least 1, grown up to DNN_SUB_IM2COL_BYTES, never
 * beyond the pixels of one image */
static int32_t gen_nsub(const dnn_s8_conv_params *p, int32_t ng)
{
    const int32_t need = (p->oh * p->ow + 3) / 4;
    int32_t nsub = DNN_SUB_IM2COL_BYTES / (32 * (ng + SUB_PAD));
    if (nsub > need)
        nsub = need;
    return nsub < 1 ? 1 : nsub;
}

size_t dnn_sub_conv_scratch_size(const dnn_sub_conv_params *sp)
{
    const dnn_s8_conv_params *p = &sp->conv;
    int32_t ng;
    if (dnn_s8_conv_is_depthwise(p))
        return dnn_sub_dw_scratch_size(sp);
    ng = gen_ng(p);
    /* im2col block, then a staging patch of Kp + 4 bytes */
    return ((size_t)SUB_PAD + (size_t)gen_nsub(p, ng) * (size_t)(ng + SUB_PAD)) * SUB_GW * sizeof(int16_t) +
           4 * (size_t)ng + 4;
}

/* ---- im2col ---- */

/* n4 groups of 4 bytes from src (any alignment) into the pixel slot d: the pair
 * (x0, x2) at d, (x1, x3) at d + 8, the next group 16 int16 further. */
static DNN_ALWAYS_INLINE void col_words(int16_t *d, const int8_t *src, int32_t n4)
{
#if DNN_S8_ASM
    /* per group: LDR, 2 SXTB16, 2 STR; two groups per iteration */
    uint32_t v, a, b;
    __asm__ volatile("lsrs   %[n], %[n], #1\n\t"
                     "bcc    1f\n\t"
                     "ldr    %[v], [%[s]], #4\n\t"
                     "sxtb16 %[a], %[v]\n\t"
                     "sxtb16 %[b], %[v], ror #8\n\t"
                     "str    %[b], [%[d], #16]\n\t"
                     "str    %[a], [%[d]], #32\n\t"
                     "1:\n\t"
                     "beq    3f\n\t"
                     "2:\n\t"
                     "ldr    %[v], [%[s]], #4\n\t"
                     "sxtb16 %[a], %[v]\n\t"
                     "sxtb16 %[b], %[v], ror #8\n\t"
                     "str    %[b], [%[d], #16]\n\t"
                     "str    %[a], [%[d]], #32\n\t"
                     "ldr    %[v], [%[s]], #4\n\t"
                     "sxtb16 %[a], %[v]\n\t"
                     "sxtb16 %[b], %[v], ror #8\n\t"
                     "str    %[b], [%[d], #16]\n\t"
                     "str    %[a], [%[d]], #32\n\t"
                     "subs   %[n], %[n], #1\n\t"
                     "bne    2b\n\t"
                     "3:\n\t"
                     : [s] "+r"(src), [d] "+r"(d), [n] "+r"(n4), [v] "=&r"(v), [a] "=&r"(a),
                       [b] "=&r"(b)
                     :
                     : "cc", "memory");
#else
    for (; n4 > 0; n4--, src += 4, d += SUB_GW) {
        d[0] = src[0];
        d[1] = src[2];
        d[8] = src[1];
        d[9] = src[3];
    }
#endif
}

/* n4 groups of the constant v */
static DNN_ALWAYS_INLINE void col_fill_words(int16_t *d, int32_t n4, int32_t v)
{
    const uint32_t vv = s8_pair(v, v);
    for (; n4 > 0; n4--, d += SUB_GW) {
        s8_st32(d, vv);
        s8_st32(d + 8, vv);
    }
}

/* Staging patch writes, in whole words (as dnn_s8_conv.c): each may write up to 3 bytes
 * past its end, into bytes a later write of the same patch (or the final zero padding)
 * covers; the staging buffer has 4 bytes of slack. A copy reads whole words only while
 * they stay inside the input (src_end), then single bytes. */
static DNN_ALWAYS_INLINE void st_copy(int8_t *d, const int8_t *s, int32_t n, const int8_t *src_end)
{
    if (s + ((n + 3) & ~3) <= src_end) {
        for (; n > 0; n -= 4, d += 4, s += 4)
            s8_st32(d, s8_ld32(s));
    } else
        for (; n > 0; n--)
            *d++ = *s++;
}

static DNN_ALWAYS_INLINE void st_set(int8_t *d, uint32_t vvvv, int32_t n)
{
    for (; n > 0; n -= 4, d += 4)
        s8_st32(d, vvvv);
}

/* Geometry shared by the im2col routines. */
typedef struct sub_geo {
    const int8_t *img;      /* the image (first pixel, channel 0 of the buffer) */
    const int8_t *img_end;  /* one past the image's last byte */
    const int8_t *xc;       /* img + in_c_offset: channel 0 of the layer */
    int32_t cs;             /* in_c_stride */
    int32_t Cg, K, Kp;
} sub_geo;

/* The patch of output pixel (oh, ow), conv group g, into the pixel slot px: values
 * 0 .. K-1 in NHWC patch order, the input zero point for padding, zeros for K .. Kp-1.
 * Runs of whole groups (C/group a multiple of 4) are expanded directly, otherwise the
 * patch is gathered as bytes into `stage` first. */
static void im2col_pixel(const dnn_s8_conv_params *p, const sub_geo *G, int32_t g, int32_t oh,
                         int32_t ow, int16_t *px, int8_t *stage)
{
    const int32_t Cg = G->Cg, KW = p->kw, zp = p->input_zp, row = KW * Cg;
    const int32_t ih0 = oh * p->stride_h - p->pad_t, iw0 = ow * p->stride_w - p->pad_l;
    const int32_t contiguous = p->dil_w == 1 && Cg == G->cs; /* valid taps of a row: one run */
    const size_t tap = (size_t)p->dil_w * (size_t)G->cs;
    const int8_t *xg = G->xc + g * Cg;
    int32_t kh, kw, kw0, kw1;

    dnn_tap_range(iw0, p->dil_w, KW, p->w, &kw0, &kw1);
    if ((Cg & 3) == 0) {
        const int32_t g0 = kw0 * Cg / 4, g1 = (kw1 - kw0) * Cg / 4, g2 = (KW - kw1) * Cg / 4;
        for (kh = 0; kh < p->kh; kh++, px += (size_t)(row / 4) * SUB_GW) {
            const int32_t ih = ih0 + kh * p->dil_h;
            const int8_t *xr;
            int16_t *d = px;
            if (ih < 0 || ih >= p->h || kw0 == kw1) {
                col_fill_words(d, row / 4, zp);
                continue;
            }
            xr = xg + ((size_t)ih * (size_t)p->w + (size_t)(iw0 + kw0 * p->dil_w)) * (size_t)G->cs;
            if (g0) {
                col_fill_words(d, g0, zp);
                d += (size_t)g0 * SUB_GW;
            }
            if (contiguous) {
                col_words(d, xr, g1);
                d += (size_t)g1 * SUB_GW;
            } else
                for (kw = kw0; kw < kw1; kw++, xr += tap, d += (size_t)(Cg / 4) * SUB_GW)
                    col_words(d, xr, Cg / 4);
            if (g2)
                col_fill_words(d, g2, zp);
        }
        return;
    }
    {
        const uint32_t zpzp = (uint8_t)zp * 0x01010101u;
        int8_t *st = stage;
        for (kh = 0; kh < p->kh; kh++, st += row) {
            const int32_t ih = ih0 + kh * p->dil_h;
            const int8_t *xr;
            if (ih < 0 || ih >= p->h || kw0 == kw1) {
                st_set(st, zpzp, row);
                continue;
            }
            xr = xg + ((size_t)ih * (size_t)p->w + (size_t)(iw0 + kw0 * p->dil_w)) * (size_t)G->cs;
            st_set(st, zpzp, kw0 * Cg);
            if (contiguous)
                st_copy(st + kw0 * Cg, xr, (kw1 - kw0) * Cg, G->img_end);
            else
                for (kw = kw0; kw < kw1; kw++, xr += tap)
                    st_copy(st + kw * Cg, xr, Cg, G->img_end);
            st_set(st + kw1 * Cg, zpzp, (KW - kw1) * Cg);
        }
        s8_st32(stage + G->K, 0); /* zeros for K .. Kp-1 (at most 3) */
        col_words(px, stage, G->Kp / 4);
    }
}

/* Interior pixel (the whole window inside the input, dilation 1 along W, one conv
 * group): src = the window's first tap, rows rs bytes apart. With dense input rows
 * (in_c_stride == c) a kernel row is one run of KW*C values; otherwise KW runs of C. */
static DNN_ALWAYS_INLINE void im2col_interior(const dnn_s8_conv_params *p, const sub_geo *G,
                                              const int8_t *src, size_t rs, int16_t *px,
                                              int8_t *stage)
{
    const int32_t C = G->Cg, KH = p->kh, KW = p->kw, row = KW * C;
    int32_t kh, kw;
    if (G->cs == C) {
        if ((row & 3) == 0) {
            for (kh = 0; kh < KH; kh++, src += rs, px += (size_t)(row / 4) * SUB_GW)
                col_words(px, src, row / 4);
            return;
        }
        {
            /* the caller checked that reading up to 3 bytes past the last run stays
             * inside the input */
            int8_t *st = stage;
            for (kh = 0; kh < KH; kh++, src += rs, st += row) {
                const int8_t *s = src;
                int8_t *d = st;
                int32_t n;
                for (n = row; n > 0; n -= 4, s += 4, d += 4)
                    s8_st32(d, s8_ld32(s));
            }
            s8_st32(stage + G->K, 0);
            col_words(px, stage, G->Kp / 4);
        }
        return;
    }
    /* C % 4 == 0 here (checked by the caller) */
    for (kh = 0; kh < KH; kh++, src += rs)
        for (kw = 0; kw < KW; kw++, px += (size_t)(C / 4) * SUB_GW)
            col_words(px, src + (size_t)kw * (size_t)G->cs, C / 4);
}

/* ---- micro-kernels: acc_q (q = pixel 0..3 of a sub-block) += sum over nw weight words
 * of the word's pairs times the sub-block's input pairs ---- */

#if DNN_SUB_ASM
/* Naked functions in Thumb-2 assembly, all registers: r0-r3 LDM of 4 pixels' input
 * pair, r4-r7 accumulators of pixels 0..3, r8 input pointer, r9 weight pointer, r10 the
 * weight word, r11 the unpacked weight pair, r12 the mask, lr the word counter. */
#define SUB_UNUSED __attribute__((unused))

/* the pair in r11 times the next pair of the 4 pixels */
#define SUB_PX4                                                                            \
    "ldm    r8!, {r0, r1, r2, r3}\n\t"                                                     \
    "smlad  r4, r0, r11, r4\n\t"                                                           \
    "smlad  r5, r1, r11, r5\n\t"                                                           \
    "smlad  r6, r2, r11, r6\n\t"                                                           \
    "smlad  r7, r3, r11, r7\n\t"

/* one weight word: 8-bit (2 pairs by SXTB16), 4-bit (4 pairs), 2-bit (8 pairs) */
#define SUB_W8                                                                             \
    "ldr    r10, [r9], #4\n\t"                                                             \
    "sxtb16 r11, r10\n\t" SUB_PX4                                                          \
    "sxtb16 r11, r10, ror #8\n\t" SUB_PX4
#define SUB_AND(sh) "and    r11, r12, r10, lsl #" #sh "\n\t" SUB_PX4
#define SUB_W4                                                                             \
    "ldr    r10, [r9], #4\n\t"                                                             \
    "and    r11, r12, r10\n\t" SUB_PX4 SUB_AND(4) SUB_AND(8) SUB_AND(12)
#define SUB_W2                                                                             \
    "ldr    r10, [r9], #4\n\t"                                                             \
    "and    r11, r12, r10\n\t" SUB_PX4 SUB_AND(2) SUB_AND(4) SUB_AND(6) SUB_AND(8)         \
    SUB_AND(10) SUB_AND(12) SUB_AND(14)

/* lr words, two per iteration (the flags of LSRS survive a word: no flag-setting
 * instruction in it) */
#define SUB_LOOP2(W)                                                                       \
    "lsrs   lr, lr, #1\n\t"                                                                \
    "bcc    5f\n\t" W                                                                      \
    "5:\n\t"                                                                               \
    "beq    7f\n\t"                                                                        \
    "6:\n\t" W W                                                                           \
    "subs   lr, lr, #1\n\t"                                                                \
    "bne    6b\n\t"                                                                        \
    "7:\n\t"
#define SUB_LOOP1(W)                                                                       \
    "6:\n\t" W                                                                             \
    "subs   lr, lr, #1\n\t"                                                                \
    "bne    6b\n\t"

#define SUB_ZERO4                                                                          \
    "movs   r4, #0\n\t"                                                                    \
    "movs   r5, #0\n\t"                                                                    \
    "movs   r6, #0\n\t"                                                                    \
    "movs   r7, #0\n\t"

/* x = dot(w, x, nw, acc): acc[q] += (sum) >> SH; returns x advanced */
#define SUB_DOT_BODY(MASK, LOOP, SH)                                                       \
    "push   {r4-r11, lr}\n\t"                                                              \
    "push   {r3}\n\t"                                                                      \
    "mov    r9, r0\n\t"                                                                    \
    "mov    r8, r1\n\t"                                                                    \
    "mov    lr, r2\n\t" MASK SUB_ZERO4 LOOP                                                \
    "ldr    r3, [sp]\n\t"                                                                  \
    "ldrd   r0, r1, [r3]\n\t"                                                              \
    "add    r0, r0, r4" SH "\n\t"                                                          \
    "add    r1, r1, r5" SH "\n\t"                                                          \
    "strd   r0, r1, [r3]\n\t"                                                              \
    "ldrd   r0, r1, [r3, #8]\n\t"                                                          \
    "add    r0, r0, r6" SH "\n\t"                                                          \
    "add    r1, r1, r7" SH "\n\t"                                                          \
    "strd   r0, r1, [r3, #8]\n\t"                                                          \
    "mov    r0, r8\n\t"                                                                    \
    "add    sp, sp, #4\n\t"                                                                \
    "pop    {r4-r11, pc}\n\t"

__attribute__((naked, noinline)) static const int16_t *
dot_w8(const uint32_t *w SUB_UNUSED, const int16_t *x SUB_UNUSED, int32_t nw SUB_UNUSED,
       int32_t *acc SUB_UNUSED)
{
    __asm__ volatile(SUB_DOT_BODY("", SUB_LOOP2(SUB_W8), ""));
}

__attribute__((naked, noinline)) static const int16_t *
dot_w4(const uint32_t *w SUB_UNUSED, const int16_t *x SUB_UNUSED, int32_t nw SUB_UNUSED,
       int32_t *acc SUB_UNUSED)
{
    __asm__ volatile(SUB_DOT_BODY("mov.w  r12, #0xF000F000\n\t", SUB_LOOP2(SUB_W4), ", asr #12"));
}

__attribute__((naked, noinline)) static const int16_t *
dot_w2(const uint32_t *w SUB_UNUSED, const int16_t *x SUB_UNUSED, int32_t nw SUB_UNUSED,
       int32_t *acc SUB_UNUSED)
{
    __asm__ volatile(SUB_DOT_BODY("mov.w  r12, #0xC000C000\n\t", SUB_LOOP1(SUB_W2), ", asr #14"));
}

/* One output channel over nsub sub-blocks with the requantization fused (full int8
 * clamp, shift <= -2, one pass): per sub-block the words, then bias, SMMLA, ASR, SSAT
 * and 4 stores. The loop state lives in this struct, its address on the stack. */
typedef struct sub_chloop {
    int32_t bias;        /*  0 */
    const uint32_t *w;   /*  4: the channel's first weight word */
    int32_t nw;          /*  8: words per sub-block */
    int32_t mult;        /* 12 */
    int32_t rnd;         /* 16 */
    int32_t rs;          /* 20 */
    int8_t *y;           /* 24: output of the sub-block's first pixel (advanced) */
    int32_t ys;          /* 28: output pixel stride */
    int32_t xd;          /* 32: bytes from the end of a sub-block's reads to the next start */
    int32_t nsub;        /* 36: sub-blocks left */
} sub_chloop;

/* offsets used by the assembly (a negative array size when one is wrong) */
typedef char sub_chloop_layout[(offsetof(sub_chloop, w) == 4 && offsetof(sub_chloop, nw) == 8 &&
                                offsetof(sub_chloop, mult) == 12 && offsetof(sub_chloop, rnd) == 16 &&
                                offsetof(sub_chloop, rs) == 20 && offsetof(sub_chloop, y) == 24 &&
                                offsetof(sub_chloop, ys) == 28 && offsetof(sub_chloop, xd) == 32 &&
                                offsetof(sub_chloop, nsub) == 36)
                                   ? 1
                                   : -1];

#define SUB_CHAN_BODY(MASK, INIT, LOOP, COMBINE)                                           \
    "push   {r4-r11, lr}\n\t"                                                              \
    "push   {r0}\n\t"                                                                      \
    "mov    r8, r1\n\t" MASK                                                               \
    "1:\n\t"                                                                               \
    "ldr    r11, [sp]\n\t"                                                                 \
    "ldrd   r9, lr, [r11, #4]\n\t" INIT LOOP                                               \
    "ldr    r11, [sp]\n\t" COMBINE                                                         \
    "ldrd   r0, r1, [r11, #12]\n\t"                                                        \
    "ldr    r2, [r11, #20]\n\t"                                                            \
    "smmla  r4, r4, r0, r1\n\t"                                                            \
    "smmla  r5, r5, r0, r1\n\t"                                                            \
    "smmla  r6, r6, r0, r1\n\t"                                                            \
    "smmla  r7, r7, r0, r1\n\t"                                                            \
    "asr    r4, r4, r2\n\t"                                                                \
    "asr    r5, r5, r2\n\t"                                                                \
    "asr    r6, r6, r2\n\t"                                                                \
    "asr    r7, r7, r2\n\t"                                                                \
    "ssat   r4, #8, r4\n\t"                                                                \
    "ssat   r5, #8, r5\n\t"                                                                \
    "ssat   r6, #8, r6\n\t"                                                                \
    "ssat   r7, #8, r7\n\t"                                                                \
    "ldrd   r0, r1, [r11, #24]\n\t"                                                        \
    "strb   r4, [r0]\n\t"                                                                  \
    "strb   r5, [r0, r1]\n\t"                                                              \
    "add    r0, r0, r1, lsl #1\n\t"                                                        \
    "strb   r6, [r0]\n\t"                                                                  \
    "strb   r7, [r0, r1]\n\t"                                                              \
    "add    r0, r0, r1, lsl #1\n\t"                                                        \
    "str    r0, [r11, #24]\n\t"                                                            \
    "ldrd   r0, r1, [r11, #32]\n\t"                                                        \
    "add    r8, r8, r0\n\t"                                                                \
    "subs   r1, r1, #1\n\t"                                                                \
    "str    r1, [r11, #36]\n\t"                                                            \
    "bne    1b\n\t"                                                                        \
    "add    sp, sp, #4\n\t"                                                                \
    "pop    {r4-r11, pc}\n\t"

#define SUB_INIT_BIAS                                                                      \
    "ldr    r4, [r11]\n\t"                                                                 \
    "mov    r5, r4\n\t"                                                                    \
    "mov    r6, r4\n\t"                                                                    \
    "mov    r7, r4\n\t"
#define SUB_COMBINE(sh)                                                                    \
    "ldr    r0, [r11]\n\t"                                                                 \
    "add    r4, r0, r4, asr #" #sh "\n\t"                                                  \
    "add    r5, r0, r5, asr #" #sh "\n\t"                                                  \
    "add    r6, r0, r6, asr #" #sh "\n\t"                                                  \
    "add    r7, r0, r7, asr #" #sh "\n\t"

__attribute__((naked, noinline)) static void chan_w8(sub_chloop *L SUB_UNUSED,
                                                     const int16_t *x SUB_UNUSED)
{
    __asm__ volatile(SUB_CHAN_BODY("", SUB_INIT_BIAS, SUB_LOOP2(SUB_W8), ""));
}

__attribute__((naked, noinline)) static void chan_w4(sub_chloop *L SUB_UNUSED,
                                                     const int16_t *x SUB_UNUSED)
{
    __asm__ volatile(SUB_CHAN_BODY("mov.w  r12, #0xF000F000\n\t", SUB_ZERO4, SUB_LOOP2(SUB_W4),
                                   SUB_COMBINE(12)));
}

__attribute__((naked, noinline)) static void chan_w2(sub_chloop *L SUB_UNUSED,
                                                     const int16_t *x SUB_UNUSED)
{
    __asm__ volatile(SUB_CHAN_BODY("mov.w  r12, #0xC000C000\n\t", SUB_ZERO4, SUB_LOOP1(SUB_W2),
                                   SUB_COMBINE(14)));
}
#endif /* DNN_SUB_ASM */

#if DNN_S8_DSP
/* The same for the first NPX (1 or 2) pixels of a sub-block only (the last, partial
 * sub-block of a layer): per pair 1 AND (or SXTB16), per pixel 1 LDR + 1 SMLAD. BITS
 * and NPX are constants at every call, so the pair loop unrolls with constant shifts. */
static DNN_ALWAYS_INLINE void few_body(const int32_t BITS, const int32_t NPX, const uint32_t *w,
                                       const int16_t *x, int32_t nw, int32_t acc[4])
{
    int32_t i;
    if (BITS == 8) {
        int32_t c0 = acc[0], c1 = acc[1];
        for (i = 0; i < nw; i++, x += 16) {
            const uint32_t wv = s8_ld32(w + i), e = s8_sxtb16(wv), o = s8_sxtb16_ror8(wv);
            c0 = s8_smlad(s8_ld32(x + 8), o, s8_smlad(s8_ld32(x), e, c0));
            if (NPX > 1)
                c1 = s8_smlad(s8_ld32(x + 10), o, s8_smlad(s8_ld32(x + 2), e, c1));
        }
        acc[0] = c0, acc[1] = c1;
        return;
    }
    {
        const int32_t chunk = BITS == 4 ? 63 : 31, np = 32 / BITS / 2, sh = 16 - BITS;
        const uint32_t mask = BITS == 4 ? 0xF000F000u : 0xC000C000u;
        while (nw > 0) {
            const int32_t n = nw < chunk ? nw : chunk;
            int32_t c0 = 0, c1 = 0;
            for (i = 0; i < n; i++, x += 8 * np) {
                const uint32_t wv = s8_ld32(w + i);
                uint32_t t;
#define SUB_FEW_PAIR(k)                                                                    \
                t = (wv << (BITS * (k))) & mask;                                           \
                c0 = s8_smlad(s8_ld32(x + 8 * (k)), t, c0);                                \
                if (NPX > 1)                                                               \
                    c1 = s8_smlad(s8_ld32(x + 8 * (k) + 2), t, c1);
                SUB_FEW_PAIR(0) SUB_FEW_PAIR(1) SUB_FEW_PAIR(2) SUB_FEW_PAIR(3)
                if (np == 8) {
                    SUB_FEW_PAIR(4) SUB_FEW_PAIR(5) SUB_FEW_PAIR(6) SUB_FEW_PAIR(7)
                }
#undef SUB_FEW_PAIR
            }
            acc[0] = (int32_t)((uint32_t)acc[0] + (uint32_t)(c0 >> sh));
            acc[1] = (int32_t)((uint32_t)acc[1] + (uint32_t)(c1 >> sh));
            w += n;
            nw -= n;
        }
    }
}

static void sub_dot_few(int32_t bits, const uint32_t *w, const int16_t *x, int32_t nw,
                        int32_t npx, int32_t acc[4])
{
    if (npx == 1) {
        if (bits == 8)
            few_body(8, 1, w, x, nw, acc);
        else if (bits == 4)
            few_body(4, 1, w, x, nw, acc);
        else
            few_body(2, 1, w, x, nw, acc);
    } else {
        if (bits == 8)
            few_body(8, 2, w, x, nw, acc);
        else if (bits == 4)
            few_body(4, 2, w, x, nw, acc);
        else
            few_body(2, 2, w, x, nw, acc);
    }
}
#endif

#if !DNN_SUB_ASM
/* The C micro-kernel for BITS (a constant at every call: the pair loop unrolls with
 * constant shifts). DSP: the pairs of the assembly (AND of the shifted word, SMLAD,
 * chunks of 126 groups). Portable: each pair's two values decoded exactly, int32
 * products, wrapping sums. */
static DNN_ALWAYS_INLINE void dot_body(const int32_t BITS, const uint32_t *w, const int16_t *x,
                                       int32_t nw, int32_t acc[4])
{
    int32_t i;
#if DNN_S8_DSP
    if (BITS == 8) {
        int32_t c0 = acc[0], c1 = acc[1], c2 = acc[2], c3 = acc[3];
        for (i = 0; i < nw; i++, x += 16) {
            const uint32_t wv = s8_ld32(w + i), e = s8_sxtb16(wv), o = s8_sxtb16_ror8(wv);
            c0 = s8_smlad(s8_ld32(x), e, c0);
            c1 = s8_smlad(s8_ld32(x + 2), e, c1);
            c2 = s8_smlad(s8_ld32(x + 4), e, c2);
            c3 = s8_smlad(s8_ld32(x + 6), e, c3);
            c0 = s8_smlad(s8_ld32(x + 8), o, c0);
            c1 = s8_smlad(s8_ld32(x + 10), o, c1);
            c2 = s8_smlad(s8_ld32(x + 12), o, c2);
            c3 = s8_smlad(s8_ld32(x + 14), o, c3);
        }
        acc[0] = c0, acc[1] = c1, acc[2] = c2, acc[3] = c3;
        return;
    }
    {
        const int32_t chunk = BITS == 4 ? 63 : 31, np = 32 / BITS / 2, sh = 16 - BITS;
        const uint32_t mask = BITS == 4 ? 0xF000F000u : 0xC000C000u;
        while (nw > 0) {
            const int32_t n = nw < chunk ? nw : chunk;
            int32_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
            for (i = 0; i < n; i++, x += 8 * np) {
                const uint32_t wv = s8_ld32(w + i);
                uint32_t t;
#define SUB_DOT_PAIR(k)                                                                    \
                t = (wv << (BITS * (k))) & mask;                                           \
                c0 = s8_smlad(s8_ld32(x + 8 * (k)), t, c0);                                \
                c1 = s8_smlad(s8_ld32(x + 8 * (k) + 2), t, c1);                            \
                c2 = s8_smlad(s8_ld32(x + 8 * (k) + 4), t, c2);                            \
                c3 = s8_smlad(s8_ld32(x + 8 * (k) + 6), t, c3);
                SUB_DOT_PAIR(0) SUB_DOT_PAIR(1) SUB_DOT_PAIR(2) SUB_DOT_PAIR(3)
                if (np == 8) {
                    SUB_DOT_PAIR(4) SUB_DOT_PAIR(5) SUB_DOT_PAIR(6) SUB_DOT_PAIR(7)
                }
#undef SUB_DOT_PAIR
            }
            acc[0] = (int32_t)((uint32_t)acc[0] + (uint32_t)(c0 >> sh));
            acc[1] = (int32_t)((uint32_t)acc[1] + (uint32_t)(c1 >> sh));
            acc[2] = (int32_t)((uint32_t)acc[2] + (uint32_t)(c2 >> sh));
            acc[3] = (int32_t)((uint32_t)acc[3] + (uint32_t)(c3 >> sh));
            w += n;
            nw -= n;
        }
    }
#else
    /* a word as quads of 4 pairs (2-bit: 2 quads, the word shifted by 8 bits for the
     * second; an 8-pair body makes gcc spill) */
    const int32_t nq = BITS == 2 ? 2 : 1, np = BITS == 8 ? 2 : 4;
    uint32_t c0 = (uint32_t)acc[0], c1 = (uint32_t)acc[1], c2 = (uint32_t)acc[2], c3 = (uint32_t)acc[3];
    for (i = 0; i < nq * nw; i++, x += 8 * np) {
        const uint32_t wv = BITS == 2 ? s8_ld32(w + (i >> 1)) << ((i & 1) * 8) : s8_ld32(w + i);
        int32_t lo, hi;
#define SUB_DOT_PAIR(k)                                                                    \
        if (BITS == 8) {                                                                   \
            lo = (int8_t)(uint8_t)(wv >> ((8 * (k)) & 31));                                \
            hi = (int8_t)(uint8_t)(wv >> ((8 * (k) + 16) & 31));                           \
        } else { /* (& 31: the shifts of the unused pairs of other widths stay valid) */  \
            lo = (int32_t)(wv << ((16 + BITS * (k)) & 31)) >> (32 - BITS);                 \
            hi = (int32_t)(wv << ((BITS * (k)) & 31)) >> (32 - BITS);                      \
        }                                                                                  \
        c0 += (uint32_t)(x[8 * (k)] * lo) + (uint32_t)(x[8 * (k) + 1] * hi);               \
        c1 += (uint32_t)(x[8 * (k) + 2] * lo) + (uint32_t)(x[8 * (k) + 3] * hi);           \
        c2 += (uint32_t)(x[8 * (k) + 4] * lo) + (uint32_t)(x[8 * (k) + 5] * hi);           \
        c3 += (uint32_t)(x[8 * (k) + 6] * lo) + (uint32_t)(x[8 * (k) + 7] * hi);
        SUB_DOT_PAIR(0) SUB_DOT_PAIR(1)
        if (np == 4) {
            SUB_DOT_PAIR(2) SUB_DOT_PAIR(3)
        }
#undef SUB_DOT_PAIR
    }
    acc[0] = (int32_t)c0, acc[1] = (int32_t)c1, acc[2] = (int32_t)c2, acc[3] = (int32_t)c3;
#endif
}
#endif /* !DNN_SUB_ASM */

/* acc[q] += the exact int32 (wrapping) dot product of nw words with the sub-block at x */
static void sub_dot(int32_t bits, const uint32_t *w, const int16_t *x, int32_t nw, int32_t acc[4])
{
#if DNN_SUB_ASM
    if (bits == 8) {
        dot_w8(w, x, nw, acc);
        return;
    }
    {
        /* chunks of at most 126 groups: exact scaled partial sums */
        const int32_t chunk = bits == 4 ? 63 : 31;
        while (nw > 0) {
            const int32_t n = nw < chunk ? nw : chunk;
            x = bits == 4 ? dot_w4(w, x, n, acc) : dot_w2(w, x, n, acc);
            w += n;
            nw -= n;
        }
    }
#else
    if (bits == 8)
        dot_body(8, w, x, nw, acc);
    else if (bits == 4)
        dot_body(4, w, x, nw, acc);
    else
        dot_body(2, w, x, nw, acc);
#endif
}

/* Local channels [j0, j1) of precision group gw for the npx pixels of an im2col block
 * (sub0: the first sub-block's data, S groups per sub-block); y: the block's first
 * pixel at the y channel of local channel 0, pixels ys apart; stage: 4 * ng bytes,
 * 4-byte aligned, free during the call. Out of line so the register allocator of the
 * caller does not see the assembly. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void sub_channels(const dnn_sub_wgroup *gw, int32_t j0, int32_t j1, int32_t ng,
                         const int16_t *sub0, int32_t S, int32_t npx, int8_t *y, int32_t ys,
                         int32_t lo, int32_t hi, int8_t *stage)
{
    const int32_t nfull = npx >> 2, rem = npx & 3;
    const int full = s8_full_range(lo, hi);
    const size_t sstep = (size_t)S * SUB_GW;
    int32_t j, s, q;
    for (j = j0; j < j1; j++) {
        const dnn_s8_chan *c = &gw->chan[j];
        const int32_t ub = j * ng;
        int32_t bits = gw->bits, U = sub_units(bits), ph = ub % U, nw = (ph + ng + U - 1) / U;
        const uint32_t *w = (const uint32_t *)gw->w + ub / U;
        const int16_t *xs;
        int8_t *ym = y + j;
        /* A channel whose units are not whole words also runs nw*U - ng zero groups per
         * sub-block of 4 pixels (about 12 instructions each). When the sub-byte kernel
         * (12 per unit it runs) costs more over the block's sub-blocks than the int8
         * kernel (13 per unit) plus unpacking the channel to int8 once (about 20 per
         * unit), the channel runs from int8 weights in `stage`. (Measured: it pays for
         * 2-bit pointwise layers with 8 inputs; without zero groups the sub-byte kernel
         * is the faster one.) */
        if (nw * U != ng && (nfull + (rem != 0)) * (12 * nw * U - 13 * ng) > 20 * ng) {
            int8_t *d = stage;
            int32_t g, r;
            for (g = 0; g < ng; g++, d += 4) {
                const int32_t ui = ph + g, u = ui % U;
                const uint32_t wv = s8_ld32(w + ui / U);
                for (r = 0; r < 4; r++)
                    d[r] = (int8_t)sub_unit_val(wv, bits, u, r);
            }
            w = (const uint32_t *)stage;
            bits = 8, U = 1, ph = 0, nw = ng;
        }
        xs = sub0 - (size_t)ph * SUB_GW;
        s = 0;
#if DNN_SUB_ASM
        if (full && c->shift <= -2 && nfull && (bits == 8 || ng <= SUB_ONE_PASS_GROUPS)) {
            sub_chloop L;
            L.bias = c->bias, L.w = w, L.nw = nw, L.mult = c->mult, L.rnd = c->rnd;
            L.rs = -1 - c->shift, L.y = ym, L.ys = ys, L.nsub = nfull;
            L.xd = (S - nw * U) * SUB_GW * (int32_t)sizeof(int16_t);
            if (bits == 8)
                chan_w8(&L, xs);
            else if (bits == 4)
                chan_w4(&L, xs);
            else
                chan_w2(&L, xs);
            s = nfull;
        }
#endif
        {
            const s8_rq rq = s8_rq_chan(c);
            for (; s < nfull + (rem != 0); s++) {
                const int32_t nv = s < nfull ? 4 : rem;
                int32_t acc[4] = {0, 0, 0, 0};
                int8_t *yq = ym + (size_t)s * 4 * (size_t)ys;
#if DNN_S8_DSP
                if (nv <= 2)
                    sub_dot_few(bits, w, xs + (size_t)s * sstep, nw, nv, acc);
                else
#endif
                    sub_dot(bits, w, xs + (size_t)s * sstep, nw, acc);
                for (q = 0; q < nv; q++)
                    yq[(size_t)q * (size_t)ys] =
                        s8_out(s8_rq_apply(&rq, (int32_t)((uint32_t)acc[q] + (uint32_t)c->bias)),
                               full, lo, hi);
            }
        }
    }
}

/* ---- the general convolution ---- */

void dnn_sub_conv(const dnn_sub_conv_params *sp, const int8_t *x, const dnn_sub_wgroup *groups,
                  int32_t ngroups, int8_t *y, void *scratch)
{
    const dnn_s8_conv_params *p = &sp->conv;
    const int32_t C = p->c, M = p->m, G = p->group, Cg = C / G, Mg = M / G;
    const int32_t ng = gen_ng(p), Kp = 4 * ng, S = ng + SUB_PAD;
    const int32_t P = p->oh * p->ow, nsubB = gen_nsub(p, ng), B = 4 * nsubB;
    const int32_t cs = sp->in_c_stride, ys = sp->out_c_stride;
    const int pointwise = p->kh == 1 && p->kw == 1 && G == 1 && p->pad_t == 0 &&
                          p->pad_l == 0 && p->pad_b == 0 && p->pad_r == 0;
    int16_t *buf = (int16_t *)scratch;
    int16_t *sub0 = buf + SUB_PAD * SUB_GW; /* data of sub-block 0 */
    int8_t *stage = (int8_t *)(buf + ((size_t)SUB_PAD + (size_t)nsubB * (size_t)S) * SUB_GW);
    sub_geo geo;
    int32_t n, p0, g, i, k;

    if (dnn_s8_conv_is_depthwise(p)) {
        for (k = 0; k < ngroups; k++)
            dnn_sub_dw_conv(sp, x, &groups[k], y, scratch);
        return;
    }
    /* the zero groups before and after every sub-block (im2col never writes them) */
    for (i = 0; i <= nsubB; i++)
        memset(buf + (size_t)i * (size_t)S * SUB_GW, 0, SUB_PAD * SUB_GW * sizeof(int16_t));

    /* interior output pixels: oh in [oh0, oh1), ow in [ow0, ow1) (fast im2col) */
    const int fast_rows = G == 1 && p->dil_w == 1 && ((C & 3) == 0 || cs == C);
    const int32_t oh0 = (p->pad_t + p->stride_h - 1) / p->stride_h;
    const int32_t ow0 = (p->pad_l + p->stride_w - 1) / p->stride_w;
    const int32_t eh = p->h + p->pad_t - (p->kh - 1) * p->dil_h, ew = p->w + p->pad_l - (p->kw - 1);
    const int32_t oh1 = eh <= 0 ? 0 : (eh - 1) / p->stride_h + 1;
    const int32_t ow1 = ew <= 0 ? 0 : (ew - 1) / p->stride_w + 1;
    const size_t rs = (size_t)p->dil_h * (size_t)p->w * (size_t)cs, row = (size_t)p->kw * (size_t)C;
    const size_t img = (size_t)p->h * (size_t)p->w * (size_t)cs;

    geo.cs = cs, geo.Cg = Cg, geo.K = Cg * p->kh * p->kw, geo.Kp = Kp;
    for (n = 0; n < p->n; n++) {
        int8_t *yn = y + (size_t)n * (size_t)P * (size_t)ys + sp->out_c_offset;
        geo.img = x + (size_t)n * img;
        geo.img_end = geo.img + img;
        geo.xc = geo.img + sp->in_c_offset;
        for (p0 = 0; p0 < P; p0 += B) {
            const int32_t npx = P - p0 < B ? P - p0 : B, nslot = (npx + 3) & ~3;
            for (g = 0; g < G; g++) {
                int32_t oh = p0 / p->ow, ow = p0 % p->ow;
                /* im2col of the block's pixels; unused slots of the last sub-block are
                 * zeroed (their outputs are computed and dropped) */
                for (i = 0; i < nslot; i++) {
                    int16_t *px = sub0 + (size_t)(i >> 2) * (size_t)S * SUB_GW + (size_t)(i & 3) * 2;
                    if (i >= npx)
                        col_fill_words(px, ng, 0);
                    else if (pointwise && (C & 3) == 0)
                        col_words(px, geo.xc + ((size_t)oh * p->stride_h * p->w + (size_t)ow * p->stride_w) * cs,
                                  C / 4);
                    else {
                        /* only an interior pixel's window starts inside x */
                        const int interior = fast_rows && oh >= oh0 && oh < oh1 && ow >= ow0 && ow < ow1;
                        const int8_t *src =
                            interior ? geo.xc + ((size_t)(oh * p->stride_h - p->pad_t) * p->w +
                                                 (size_t)(ow * p->stride_w - p->pad_l)) * cs
                                     : geo.xc;
                        if (interior && ((row & 3) == 0 || cs != C ||
                                         src + (size_t)(p->kh - 1) * rs + row + 3 <= geo.img_end))
                            im2col_interior(p, &geo, src, rs, px, stage);
                        else
                            im2col_pixel(p, &geo, g, oh, ow, px, stage);
                    }
                    if (++ow == p->ow) {
                        ow = 0;
                        oh++;
                    }
                }
                /* every precision group's channels of conv group g */
                for (k = 0; k < ngroups; k++) {
                    const dnn_sub_wgroup *gw = &groups[k];
                    const int32_t a = gw->m0 > g * Mg ? gw->m0 : g * Mg;
                    const int32_t b = gw->m0 + gw->m < (g + 1) * Mg ? gw->m0 + gw->m : (g + 1) * Mg;
                    if (a < b)
                        sub_channels(gw, a - gw->m0, b - gw->m0, ng, sub0, S, npx,
                                     yn + (size_t)p0 * (size_t)ys + gw->m0, ys, p->act_min,
                                     p->act_max, stage);
                }
            }
        }
    }
}
