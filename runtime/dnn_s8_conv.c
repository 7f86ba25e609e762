/*
 * dnn_s8_conv.c - int8 convolution, general kernel (im2col blocks x 4-pixel SMLAD
 * micro-kernel), pointwise fast path, and the dispatch to the depthwise kernel
 * (dnn_s8_dwconv.c). Layouts and semantics: dnn_s8.h.
 *
 * im2col block layout (int16, in scratch): the block's pixels are grouped by 4
 * ("sub-blocks" of Kp*4 values). Inside a sub-block, the values k = 4j..4j+3 of its 4
 * pixels form 16 consecutive int16: pixel 0's (x0, x2, x1, x3), then pixel 1's, ...
 * Each pixel's 4 values are the two SXTB16 results of its 4 input bytes, in the order
 * SXTB16 of the packed weight word produces (w0, w2), (w1, w3); so one LDM of 4 words
 * feeds 4 SMLADs for 2 pixels, and weights stay in plain [M][Kp] order.
 */
#include "dnn_s8_impl.h"

int dnn_s8_conv_is_depthwise(const dnn_s8_conv_params *p)
{
    return p->group == p->c && p->m == p->c;
}

static int32_t gen_kp(const dnn_s8_conv_params *p)
{
    return ((p->c / p->group) * p->kh * p->kw + 3) & ~3;
}

/* Pixels per im2col block: a multiple of 4, at least 4, grown up to
 * DNN_S8_IM2COL_BYTES when K is small (never beyond the pixels of one image). */
static int32_t gen_block(const dnn_s8_conv_params *p, int32_t kp)
{
    const int32_t need = (p->oh * p->ow + 3) / 4;
    int32_t nsub = DNN_S8_IM2COL_BYTES / (8 * kp);
    if (nsub > need)
        nsub = need;
    if (nsub < 1)
        nsub = 1;
    return 4 * nsub;
}

size_t dnn_s8_conv_scratch_size(const dnn_s8_conv_params *p)
{
    int32_t kp;
    if (dnn_s8_conv_is_depthwise(p))
        return dnn_s8_dw_scratch_size(p);
    kp = gen_kp(p);
    /* im2col block, then a staging patch of Kp + 4 bytes (C/group not a multiple of 4) */
    return (size_t)gen_block(p, kp) * (size_t)kp * sizeof(int16_t) + (size_t)kp + 4;
}

/* ---- im2col ---- */

/* n4 groups of 4 bytes from src (any alignment) -> their (x0, x2, x1, x3) int16 slots
 * d, d + 16, ... (one slot per group, 16 int16 apart: 4 pixels interleaved). */
static DNN_ALWAYS_INLINE void col_words(int16_t *d, const int8_t *src, int32_t n4)
{
#if DNN_S8_ASM
    /* per group: LDR, 2 SXTB16, STRD; two groups per iteration */
    uint32_t v, a, b;
    __asm__ volatile("lsrs   %[n], %[n], #1\n\t"
                     "bcc    1f\n\t"
                     "ldr    %[v], [%[s]], #4\n\t"
                     "sxtb16 %[a], %[v]\n\t"
                     "sxtb16 %[b], %[v], ror #8\n\t"
                     "strd   %[a], %[b], [%[d]], #32\n\t"
                     "1:\n\t"
                     "beq    3f\n\t"
                     "2:\n\t"
                     "ldr    %[v], [%[s]], #4\n\t"
                     "sxtb16 %[a], %[v]\n\t"
                     "sxtb16 %[b], %[v], ror #8\n\t"
                     "strd   %[a], %[b], [%[d]], #32\n\t"
                     "ldr    %[v], [%[s]], #4\n\t"
                     "sxtb16 %[a], %[v]\n\t"
                     "sxtb16 %[b], %[v], ror #8\n\t"
                     "strd   %[a], %[b], [%[d]], #32\n\t"
                     "subs   %[n], %[n], #1\n\t"
                     "bne    2b\n\t"
                     "3:\n\t"
                     : [s] "+r"(src), [d] "+r"(d), [n] "+r"(n4), [v] "=&r"(v), [a] "=&r"(a),
                       [b] "=&r"(b)
                     :
                     : "cc", "memory");
#else
    for (; n4 > 0; n4--, src += 4, d += 16) {
        d[0] = src[0];
        d[1] = src[2];
        d[2] = src[1];
        d[3] = src[3];
    }
#endif
}

/* n4 groups of the constant v */
static DNN_ALWAYS_INLINE void col_fill_words(int16_t *d, int32_t n4, int32_t v)
{
#if DNN_S8_ASM
    const uint32_t vv = s8_pair(v, v);
    __asm__ volatile("cmp    %[n], #0\n\t"
                     "beq    2f\n\t"
                     "1:\n\t"
                     "strd   %[v], %[v], [%[d]], #32\n\t"
                     "subs   %[n], %[n], #1\n\t"
                     "bne    1b\n\t"
                     "2:\n\t"
                     : [d] "+r"(d), [n] "+r"(n4)
                     : [v] "r"(vv)
                     : "cc", "memory");
#else
    for (; n4 > 0; n4--, d += 16)
        d[0] = d[1] = d[2] = d[3] = (int16_t)v;
#endif
}

/* Staging patch writes, in whole words: each may write up to 3 bytes past its end,
 * into bytes that a later write of the same patch (or the final zero padding) covers;
 * the staging buffer has 4 bytes of slack. A copy reads whole words only while they
 * stay inside the input (src_end), then single bytes. */
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

/* The patch of output pixel (oh, ow), group g, of image x into the pixel slot px:
 * values 0 .. K-1 in NHWC patch order, input zero point for padding, zeros for
 * K .. Kp-1. When C/group is a multiple of 4 every run is whole groups and is expanded
 * directly; otherwise the patch is gathered as bytes into `stage` (Kp bytes) and
 * expanded from there. */
static void im2col_pixel(const dnn_s8_conv_params *p, const int8_t *x, int32_t g, int32_t oh,
                         int32_t ow, int16_t *px, int32_t K, int32_t Kp, int8_t *stage)
{
    const int32_t C = p->c, Cg = C / p->group, KW = p->kw, zp = p->input_zp, row = KW * Cg;
    const int32_t ih0 = oh * p->stride_h - p->pad_t, iw0 = ow * p->stride_w - p->pad_l;
    const int32_t contiguous = p->dil_w == 1 && Cg == C; /* valid taps of a row: one run */
    const size_t tap = (size_t)p->dil_w * (size_t)C;
    const int8_t *xg = x + g * Cg;
    int32_t kh, kw, kw0, kw1;

    dnn_tap_range(iw0, p->dil_w, KW, p->w, &kw0, &kw1);
    if ((Cg & 3) == 0) {
        const int32_t g0 = kw0 * Cg / 4, g1 = (kw1 - kw0) * Cg / 4, g2 = (KW - kw1) * Cg / 4;
        for (kh = 0; kh < p->kh; kh++, px += (size_t)(row / 4) * 16) {
            const int32_t ih = ih0 + kh * p->dil_h;
            const int8_t *xr;
            int16_t *d = px;
            if (ih < 0 || ih >= p->h || kw0 == kw1) {
                col_fill_words(d, row / 4, zp);
                continue;
            }
            xr = xg + ((size_t)ih * (size_t)p->w + (size_t)(iw0 + kw0 * p->dil_w)) * (size_t)C;
            if (g0) {
                col_fill_words(d, g0, zp);
                d += (size_t)g0 * 16;
            }
            if (contiguous) {
                col_words(d, xr, g1);
                d += (size_t)g1 * 16;
            } else
                for (kw = kw0; kw < kw1; kw++, xr += tap, d += (size_t)(Cg / 4) * 16)
                    col_words(d, xr, Cg / 4);
            if (g2)
                col_fill_words(d, g2, zp);
        }
        return;
    }
    {
        const int8_t *xend = x + (size_t)p->h * (size_t)p->w * (size_t)C;
        const uint32_t zpzp = (uint8_t)zp * 0x01010101u;
        int8_t *st = stage;
        for (kh = 0; kh < p->kh; kh++, st += row) {
            const int32_t ih = ih0 + kh * p->dil_h;
            const int8_t *xr;
            if (ih < 0 || ih >= p->h || kw0 == kw1) {
                st_set(st, zpzp, row);
                continue;
            }
            xr = xg + ((size_t)ih * (size_t)p->w + (size_t)(iw0 + kw0 * p->dil_w)) * (size_t)C;
            st_set(st, zpzp, kw0 * Cg);
            if (contiguous)
                st_copy(st + kw0 * Cg, xr, (kw1 - kw0) * Cg, xend);
            else
                for (kw = kw0; kw < kw1; kw++, xr += tap)
                    st_copy(st + kw * Cg, xr, Cg, xend);
            st_set(st + kw1 * Cg, zpzp, (KW - kw1) * Cg);
        }
        s8_st32(stage + K, 0); /* zeros for K .. Kp-1 (at most 3) */
        col_words(px, stage, Kp / 4);
    }
}

/* Interior pixel (the whole window inside the input, dilation 1 along W, one group):
 * KH runs of `row` bytes, rs bytes apart, from src. Rows of whole groups are expanded
 * directly; others go through the staging patch (word copies; the caller checked that
 * reading up to 3 bytes past the last run stays inside the input). */
static DNN_ALWAYS_INLINE void im2col_interior(const int8_t *src, int32_t KH, size_t rs,
                                              int32_t row, int16_t *px, int32_t K, int32_t Kp,
                                              int8_t *stage)
{
    int32_t kh;
    if ((row & 3) == 0) {
        for (kh = 0; kh < KH; kh++, src += rs, px += (size_t)(row / 4) * 16)
            col_words(px, src, row / 4);
        return;
    }
    {
        int8_t *st = stage;
        if (row < 12 && row > 8) /* 3 words per row (3x3 kernels on 3 channels) */
            for (kh = 0; kh < KH; kh++, src += rs, st += row) {
                const uint32_t a = s8_ld32(src), b = s8_ld32(src + 4), c = s8_ld32(src + 8);
                s8_st32(st, a);
                s8_st32(st + 4, b);
                s8_st32(st + 8, c);
            }
        else
            for (kh = 0; kh < KH; kh++, src += rs, st += row) {
                const int8_t *s = src;
                int8_t *d = st;
                int32_t n;
                for (n = row; n > 0; n -= 4, s += 4, d += 4)
                    s8_st32(d, s8_ld32(s));
            }
        s8_st32(stage + K, 0);
        col_words(px, stage, Kp / 4);
    }
}

/* slot i of an im2col block: sub-block i / 4, pixel i % 4 */
static DNN_ALWAYS_INLINE int16_t *slot_px(int16_t *buf, int32_t Kp, int32_t i)
{
    return buf + (size_t)(i >> 2) * (size_t)Kp * 4 + (size_t)(i & 3) * 4;
}

/* n interior pixels (im2col_interior) into slots i, i+1, ..., their patches `step`
 * bytes apart in the input. Out of line: the pixel loop of dnn_s8_conv keeps too many
 * values live for a tight copy loop. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void im2col_run(int16_t *buf, int32_t i, int32_t n, const int8_t *src, size_t step,
                       int32_t KH, size_t rs, int32_t row, int32_t K, int32_t Kp, int8_t *stage)
{
    for (; n > 0; n--, i++, src += step)
        im2col_interior(src, KH, rs, row, slot_px(buf, Kp, i), K, Kp, stage);
}

#if DNN_S8_ASM
/* n4 (>= 1) sub-blocks of 4 consecutive pixels of C (a multiple of 4) channels from src:
 * per group of 4 values of the 4 pixels, 4 LDR + 8 SXTB16 + one STM of the 16 int16
 * (the sub-block layout is exactly that order, and sub-blocks follow each other). */
__attribute__((naked, noinline)) static void im2col_pw4(
    int16_t *d __attribute__((unused)), const int8_t *src __attribute__((unused)),
    int32_t C __attribute__((unused)), int32_t n4 __attribute__((unused)))
{
    __asm__ volatile("push   {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n\t"
                     "add    r12, r2, r2, lsl #1\n\t" /* 3C */
                     "1:\n\t"
                     "lsr    lr, r2, #2\n\t"
                     "2:\n\t"
                     "ldr    r11, [r1, r12]\n\t"
                     "ldr    r9, [r1, r2, lsl #1]\n\t"
                     "ldr    r7, [r1, r2]\n\t"
                     "ldr    r5, [r1], #4\n\t"
                     "sxtb16 r4, r5\n\t"
                     "sxtb16 r5, r5, ror #8\n\t"
                     "sxtb16 r6, r7\n\t"
                     "sxtb16 r7, r7, ror #8\n\t"
                     "sxtb16 r8, r9\n\t"
                     "sxtb16 r9, r9, ror #8\n\t"
                     "sxtb16 r10, r11\n\t"
                     "sxtb16 r11, r11, ror #8\n\t"
                     "stm    r0!, {r4, r5, r6, r7, r8, r9, r10, r11}\n\t"
                     "subs   lr, lr, #1\n\t"
                     "bne    2b\n\t"
                     "add    r1, r1, r12\n\t" /* the next 4 pixels */
                     "subs   r3, r3, #1\n\t"
                     "bne    1b\n\t"
                     "pop    {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n\t");
}
#endif

/* Pointwise (1x1, stride 1, no padding, one group, C a multiple of 4, so Kp = C): the
 * block's npx pixels are consecutive in the input, each expanded straight into its slot
 * (no per-pixel window logic). */
static void im2col_pointwise(int16_t *buf, int32_t npx, const int8_t *src, int32_t C)
{
    int32_t i = 0;
#if DNN_S8_ASM
    if (npx >= 4) {
        im2col_pw4(buf, src, C, npx >> 2);
        i = npx & ~3;
        src += (size_t)i * (size_t)C;
    }
#endif
    for (; i < npx; i++, src += C)
        col_words(slot_px(buf, C, i), src, C / 4);
}

#if DNN_S8_DSP
/* im2col_run for 3x3 kernels on 3 channels (K = 27, the RGB input conv): the 7 words of
 * a patch are assembled in registers from the 3 rows of 9 bytes (little-endian words,
 * as SXTB16 reads them; the last word's top byte is value 27, zero) and expanded
 * directly, without the staging patch. Reads 1 byte before the second row, 2 before the
 * third and 1 past the last one, all inside the input (the caller's bound on staged
 * rows covers 3 bytes past). Same slot contents as im2col_run. */
static void im2col_run_rgb3x3(int16_t *buf, int32_t i, int32_t n, const int8_t *src, size_t step,
                              size_t rs)
{
    for (; n > 0; n--, i++, src += step) {
        const int8_t *r1 = src + rs, *r2 = r1 + rs;
        int16_t *d = slot_px(buf, 28, i);
        uint32_t v;
#define S8_RGB_WORD(j, expr)                                                               \
        v = (expr);                                                                        \
        s8_st32(d + 16 * (j), s8_sxtb16(v));                                               \
        s8_st32(d + 16 * (j) + 2, s8_sxtb16_ror8(v));
        S8_RGB_WORD(0, s8_ld32(src))
        S8_RGB_WORD(1, s8_ld32(src + 4))
        S8_RGB_WORD(2, (s8_ld32(r1 - 1) & ~0xFFu) | (uint8_t)src[8])
        S8_RGB_WORD(3, s8_ld32(r1 + 3))
        S8_RGB_WORD(4, (s8_ld32(r2 - 2) & ~0xFFFFu) | (uint32_t)(uint8_t)r1[7] |
                           (uint32_t)(uint8_t)r1[8] << 8)
        S8_RGB_WORD(5, s8_ld32(r2 + 2))
        S8_RGB_WORD(6, s8_ld32(r2 + 6) & 0xFFFFFFu)
#undef S8_RGB_WORD
    }
}
#endif

/* ---- micro-kernel: acc_q += sum_k w[k] * value k of pixel q, 4 pixels, ng groups of 4;
 * returns x advanced past the sub-block (the start of the next one) ---- */

#if DNN_S8_ASM
/* Per group of 4 values: 1 LDR (weights), 2 SXTB16, 2 LDM (4 pixels x 4 int16),
 * 8 SMLAD = 13 instructions for 16 MACs; two groups per loop iteration, a single one
 * first when ng is odd. LDM loads r0-r3 (clobbered: a register list cannot use
 * operands), the loop counter lives in lr. The flags of LSRS survive the group (no
 * flag-setting instruction in it). */
#define S8_DOT4_GROUP                                                                      \
    "ldr    %[wv], [%[w]], #4\n\t"                                                         \
    "ldm    %[x]!, {r0, r1, r2, r3}\n\t"                                                   \
    "sxtb16 %[wh], %[wv], ror #8\n\t"                                                      \
    "sxtb16 %[wv], %[wv]\n\t"                                                              \
    "smlad  %[c0], r0, %[wv], %[c0]\n\t"                                                   \
    "smlad  %[c0], r1, %[wh], %[c0]\n\t"                                                   \
    "smlad  %[c1], r2, %[wv], %[c1]\n\t"                                                   \
    "smlad  %[c1], r3, %[wh], %[c1]\n\t"                                                   \
    "ldm    %[x]!, {r0, r1, r2, r3}\n\t"                                                   \
    "smlad  %[c2], r0, %[wv], %[c2]\n\t"                                                   \
    "smlad  %[c2], r1, %[wh], %[c2]\n\t"                                                   \
    "smlad  %[c3], r2, %[wv], %[c3]\n\t"                                                   \
    "smlad  %[c3], r3, %[wh], %[c3]\n\t"

/* Two groups with one LDRD of 8 weights (one more register, wb): 25 instructions for
 * 32 MACs. */
#define S8_DOT4_SMLAD8(wl, wu)                                                             \
    "ldm    %[x]!, {r0, r1, r2, r3}\n\t"                                                   \
    "smlad  %[c0], r0, " wl ", %[c0]\n\t"                                                  \
    "smlad  %[c0], r1, " wu ", %[c0]\n\t"                                                  \
    "smlad  %[c1], r2, " wl ", %[c1]\n\t"                                                  \
    "smlad  %[c1], r3, " wu ", %[c1]\n\t"                                                  \
    "ldm    %[x]!, {r0, r1, r2, r3}\n\t"                                                   \
    "smlad  %[c2], r0, " wl ", %[c2]\n\t"                                                  \
    "smlad  %[c2], r1, " wu ", %[c2]\n\t"                                                  \
    "smlad  %[c3], r2, " wl ", %[c3]\n\t"                                                  \
    "smlad  %[c3], r3, " wu ", %[c3]\n\t"
#define S8_DOT4_PAIR                                                                       \
    "ldrd   %[wv], %[wb], [%[w]], #8\n\t"                                                  \
    "sxtb16 %[wh], %[wv], ror #8\n\t"                                                      \
    "sxtb16 %[wv], %[wv]\n\t" S8_DOT4_SMLAD8("%[wv]", "%[wh]")                             \
    "sxtb16 %[wh], %[wb], ror #8\n\t"                                                      \
    "sxtb16 %[wb], %[wb]\n\t" S8_DOT4_SMLAD8("%[wb]", "%[wh]")

static DNN_ALWAYS_INLINE const int16_t *dot4(const int8_t *w, const int16_t *x, int32_t ng,
                                             int32_t *acc0, int32_t *acc1, int32_t *acc2,
                                             int32_t *acc3)
{
    uint32_t wv = (uint32_t)ng, wh;
    int32_t c0 = *acc0, c1 = *acc1, c2 = *acc2, c3 = *acc3;
    __asm__ volatile("lsrs   lr, %[wv], #1\n\t" /* C = odd group, Z = no pairs */
                     "bcc    1f\n\t" S8_DOT4_GROUP
                     "1:\n\t"
                     "beq    3f\n\t"
                     "2:\n\t" S8_DOT4_GROUP S8_DOT4_GROUP
                     "subs   lr, lr, #1\n\t"
                     "bne    2b\n\t"
                     "3:\n\t"
                     : [c0] "+r"(c0), [c1] "+r"(c1), [c2] "+r"(c2), [c3] "+r"(c3), [w] "+r"(w),
                       [x] "+r"(x), [wv] "+r"(wv), [wh] "=&r"(wh)
                     :
                     : "cc", "memory", "r0", "r1", "r2", "r3", "lr");
    *acc0 = c0, *acc1 = c1, *acc2 = c2, *acc3 = c3;
    return x;
}

/* Output channels over nsub full sub-blocks (4 pixels each), fused requantization
 * (shift <= -2). Naked functions with a fixed register plan, so that loads of several
 * loop-state words are single LDM / LDMDB:
 *   r0-r3  4 pixels x 2 words of the sub-block (LDM), later mult, rnd, rs, clamp k
 *   r4-r7  the 4 accumulators           r8  im2col pointer x
 *   r9     weights, later y             r10-r12  weight words, later M, y_end, state
 *   lr     group counter
 * The state pointer P (= &L->mult) is kept on the stack (all registers are busy in the
 * MAC loop). Per sub-block the micro-kernel plus 24 instructions (LDMDB bias x 4,
 * weights, count; LDR P; LDM requantization words; 4 SMMLA, 4 ASR, 4 SSAT; 4 STRB,
 * 2 ADD; STR y; CMP; BNE), 8 more for a clamp narrower than [-128, 127]. The loops run
 * L->nch consecutive channels (their records from L->chan, 23 instructions per channel,
 * 26 with a clamp), each from the start of the im2col block. */
typedef struct s8_chloop {
    int32_t bias[4];    /*  0: the bias, 4 times (LDMDB into r4-r7) */
    const int8_t *w;    /* 16: the channel's packed weights (advanced by wstep) */
    int32_t ng;         /* 20: groups of 4 values (quads of groups for the _q variants) */
    int32_t mult;       /* 24: P points here */
    int32_t rnd;        /* 28: chan.rnd, minus act_min << rs with a clamp */
    int32_t rs;         /* 32 */
    uint32_t clampk;    /* 36: s8_clamp_k(act_min, act_max) (clamp variants only) */
    int8_t *y;          /* 40: output of the sub-block's first pixel (advanced) */
    int32_t M;          /* 44: output pixel stride */
    int8_t *y_end;      /* 48: y after the channel's last sub-block */
    const dnn_s8_chan *chan; /* 52: the record of the next channel */
    int32_t nch;        /* 56: channels left */
    const int16_t *xbuf; /* 60: the im2col block */
    int8_t *ych;        /* 64: the next channel's first output */
    int32_t span;       /* 68: y_end - y of a channel */
    int32_t wstep;      /* 72: bytes of weights per channel */
    int32_t lo;         /* 76: act_min (clamp variants) */
} s8_chloop;

/* channel setup: bias x 4, mult, rnd (minus lo << rs with a clamp: CLAMP_RND), rs, y,
 * y_end from the next channel record; r12 = P */
#define S8_NK_CHAN_SETUP(CLAMP_RND)                                                        \
    "0:\n\t"                                                                               \
    "ldr    r0, [r12, #28]\n\t"                                                            \
    "ldm    r0!, {r4, r5, r6, r7}\n\t" /* bias, mult, rnd, shift */                        \
    "str    r0, [r12, #28]\n\t"                                                            \
    "mvn    r7, r7\n\t" /* rs = -1 - shift */ CLAMP_RND                                     \
    "stm    r12, {r5, r6, r7}\n\t"                                                         \
    "ldrd   r0, r1, [r12, #40]\n\t" /* ych, span */                                        \
    "str    r0, [r12, #16]\n\t"                                                            \
    "add    r1, r1, r0\n\t"                                                                \
    "str    r1, [r12, #24]\n\t"                                                            \
    "add    r0, r0, #1\n\t"                                                                \
    "str    r0, [r12, #40]\n\t"                                                            \
    "mov    r5, r4\n\t"                                                                    \
    "strd   r4, r5, [r12, #-24]\n\t"                                                       \
    "strd   r4, r5, [r12, #-16]\n\t"                                                       \
    "ldr    r8, [r12, #36]\n\t" /* x: the block's start */
#define S8_NK_RND_FULL ""
#define S8_NK_RND_CLAMP                                                                    \
    "ldr    r0, [r12, #52]\n\t"                                                            \
    "lsl    r0, r0, r7\n\t"                                                                \
    "sub    r6, r6, r0\n\t"
/* channel end: the next channel's weights, then the next channel if any */
#define S8_NK_CHAN_NEXT                                                                    \
    "ldr    r0, [r12, #-8]\n\t"                                                            \
    "ldr    r1, [r12, #48]\n\t"                                                            \
    "add    r0, r0, r1\n\t"                                                                \
    "str    r0, [r12, #-8]\n\t"                                                            \
    "ldr    r0, [r12, #32]\n\t"                                                            \
    "subs   r0, r0, #1\n\t"                                                                \
    "str    r0, [r12, #32]\n\t"                                                            \
    "bne    0b\n\t"

/* 8 values (one LDRD of weights) x 4 pixels in the fixed registers: 25 instructions */
#define S8_NK_SMLAD8(wl, wu)                                                               \
    "ldm    r8!, {r0, r1, r2, r3}\n\t"                                                     \
    "smlad  r4, r0, " wl ", r4\n\t"                                                        \
    "smlad  r4, r1, " wu ", r4\n\t"                                                        \
    "smlad  r5, r2, " wl ", r5\n\t"                                                        \
    "smlad  r5, r3, " wu ", r5\n\t"                                                        \
    "ldm    r8!, {r0, r1, r2, r3}\n\t"                                                     \
    "smlad  r6, r0, " wl ", r6\n\t"                                                        \
    "smlad  r6, r1, " wu ", r6\n\t"                                                        \
    "smlad  r7, r2, " wl ", r7\n\t"                                                        \
    "smlad  r7, r3, " wu ", r7\n\t"
#define S8_NK_GROUP                                                                        \
    "ldr    r10, [r9], #4\n\t"                                                             \
    "sxtb16 r11, r10, ror #8\n\t"                                                          \
    "sxtb16 r10, r10\n\t" S8_NK_SMLAD8("r10", "r11")
#define S8_NK_PAIR                                                                         \
    "ldrd   r10, r12, [r9], #8\n\t"                                                        \
    "sxtb16 r11, r10, ror #8\n\t"                                                          \
    "sxtb16 r10, r10\n\t" S8_NK_SMLAD8("r10", "r11")                                       \
    "sxtb16 r11, r12, ror #8\n\t"                                                          \
    "sxtb16 r12, r12\n\t" S8_NK_SMLAD8("r12", "r11")

/* the groups of a sub-block: any ng (a single group, a pair, then quads), or ng a
 * multiple of 4 (quads only, the count pre-divided by 4) */
#define S8_MACS_ANY                                                                        \
    "lsrs   lr, lr, #1\n\t" /* C: a single group */                                       \
    "bcc    2f\n\t" S8_NK_GROUP                                                            \
    "2:\n\t"                                                                               \
    "lsrs   lr, lr, #1\n\t" /* C: a pair, Z: no quads */                                   \
    "bcc    5f\n\t" S8_NK_PAIR                                                             \
    "5:\n\t"                                                                               \
    "beq    4f\n\t"                                                                        \
    "3:\n\t" S8_NK_PAIR S8_NK_PAIR                                                         \
    "subs   lr, lr, #1\n\t"                                                                \
    "bne    3b\n\t"                                                                        \
    "4:\n\t"
#define S8_MACS_QUADS                                                                      \
    "3:\n\t" S8_NK_PAIR S8_NK_PAIR                                                         \
    "subs   lr, lr, #1\n\t"                                                                \
    "bne    3b\n\t"

/* saturation of r4-r7 to the int8 range, or their clamp (values minus act_min) to
 * [act_min, act_max] with k in r3 (see S8_CLAMP_ASM) */
#define S8_NK_SAT4_FULL                                                                    \
    "ssat   r4, #8, r4\n\t"                                                                \
    "ssat   r5, #8, r5\n\t"                                                                \
    "ssat   r6, #8, r6\n\t"                                                                \
    "ssat   r7, #8, r7\n\t"
#define S8_NK_CLAMP(v)                                                                     \
    "usat   " v ", #8, " v "\n\t"                                                          \
    "uqadd8 " v ", " v ", r3\n\t"                                                          \
    "add    " v ", " v ", r3, lsr #8\n\t"
#define S8_NK_SAT4_CLAMP S8_NK_CLAMP("r4") S8_NK_CLAMP("r5") S8_NK_CLAMP("r6") S8_NK_CLAMP("r7")

#define S8_CHAN_LOOP(NAME, MACS, SAT4, RND)                                                \
    __attribute__((naked, noinline)) static void NAME(s8_chloop *L __attribute__((unused))) \
    {                                                                                      \
        __asm__ volatile("push   {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n\t"               \
                         "add    r12, r0, #24\n\t" /* P */                                 \
                         "push   {r12}\n\t" S8_NK_CHAN_SETUP(RND)                           \
                         "1:\n\t"                                                          \
                         "ldmdb  r12, {r4, r5, r6, r7, r9, lr}\n\t" /* bias, w, ng */      \
                         MACS                                                              \
                         "ldr    r12, [sp]\n\t"                                            \
                         "ldm    r12, {r0, r1, r2, r3, r9, r10, r11}\n\t"                  \
                         "smmla  r4, r4, r0, r1\n\t"                                       \
                         "smmla  r5, r5, r0, r1\n\t"                                       \
                         "smmla  r6, r6, r0, r1\n\t"                                       \
                         "smmla  r7, r7, r0, r1\n\t"                                       \
                         "asr    r4, r4, r2\n\t"                                           \
                         "asr    r5, r5, r2\n\t"                                           \
                         "asr    r6, r6, r2\n\t"                                           \
                         "asr    r7, r7, r2\n\t" SAT4                                      \
                         "strb   r4, [r9]\n\t"                                             \
                         "strb   r5, [r9, r10]\n\t"                                        \
                         "add    r9, r9, r10, lsl #1\n\t"                                  \
                         "strb   r6, [r9]\n\t"                                             \
                         "strb   r7, [r9, r10]\n\t"                                        \
                         "add    r9, r9, r10, lsl #1\n\t"                                  \
                         "str    r9, [r12, #16]\n\t"                                       \
                         "cmp    r9, r11\n\t"                                              \
                         "bne    1b\n\t" S8_NK_CHAN_NEXT                                   \
                         "add    sp, sp, #4\n\t"                                           \
                         "pop    {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n\t");             \
    }

S8_CHAN_LOOP(chan_loop, S8_MACS_ANY, S8_NK_SAT4_FULL, S8_NK_RND_FULL)
S8_CHAN_LOOP(chan_loop_q, S8_MACS_QUADS, S8_NK_SAT4_FULL, S8_NK_RND_FULL)
S8_CHAN_LOOP(chan_loop_clamp, S8_MACS_ANY, S8_NK_SAT4_CLAMP, S8_NK_RND_CLAMP)
S8_CHAN_LOOP(chan_loop_clamp_q, S8_MACS_QUADS, S8_NK_SAT4_CLAMP, S8_NK_RND_CLAMP)

/* K <= 8 (ng == 2, e.g. pointwise with 8 input channels): the 8 weights stay expanded
 * in r9-r12 for all sub-blocks and lr holds L; per sub-block 4 LDM + 16 SMLAD + 22
 * instructions (30 with a clamp). One channel per call (the C loop sets L up). */
#define S8_K8_SMLAD(wl, wu)                                                                \
    "ldm    r8!, {r0, r1, r2, r3}\n\t"                                                     \
    "smlad  r4, r0, " wl ", r4\n\t"                                                        \
    "smlad  r4, r1, " wu ", r4\n\t"                                                        \
    "smlad  r5, r2, " wl ", r5\n\t"                                                        \
    "smlad  r5, r3, " wu ", r5\n\t"                                                        \
    "ldm    r8!, {r0, r1, r2, r3}\n\t"                                                     \
    "smlad  r6, r0, " wl ", r6\n\t"                                                        \
    "smlad  r6, r1, " wu ", r6\n\t"                                                        \
    "smlad  r7, r2, " wl ", r7\n\t"                                                        \
    "smlad  r7, r3, " wu ", r7\n\t"

#define S8_CHAN_LOOP_K8(NAME, SAT4)                                                        \
    __attribute__((naked, noinline)) static void NAME(s8_chloop *L __attribute__((unused))) \
    {                                                                                      \
        __asm__ volatile("push   {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n\t"               \
                         "mov    lr, r0\n\t"                                               \
                         "ldr    r8, [lr, #60]\n\t" /* xbuf */                             \
                         "ldr    r9, [lr, #16]\n\t"                                        \
                         "ldrd   r9, r11, [r9]\n\t"                                        \
                         "sxtb16 r10, r9, ror #8\n\t"                                      \
                         "sxtb16 r9, r9\n\t"                                               \
                         "sxtb16 r12, r11, ror #8\n\t"                                     \
                         "sxtb16 r11, r11\n\t"                                             \
                         "1:\n\t"                                                          \
                         "ldm    lr, {r4, r5, r6, r7}\n\t" /* bias */                      \
                         S8_K8_SMLAD("r9", "r10") S8_K8_SMLAD("r11", "r12")                \
                         "ldrd   r0, r1, [lr, #24]\n\t" /* mult, rnd */                    \
                         "ldrd   r2, r3, [lr, #32]\n\t" /* rs, k */                        \
                         "smmla  r4, r4, r0, r1\n\t"                                       \
                         "smmla  r5, r5, r0, r1\n\t"                                       \
                         "smmla  r6, r6, r0, r1\n\t"                                       \
                         "smmla  r7, r7, r0, r1\n\t"                                       \
                         "asr    r4, r4, r2\n\t"                                           \
                         "asr    r5, r5, r2\n\t"                                           \
                         "asr    r6, r6, r2\n\t"                                           \
                         "asr    r7, r7, r2\n\t" SAT4                                      \
                         "ldrd   r0, r1, [lr, #40]\n\t" /* y, M */                         \
                         "strb   r4, [r0]\n\t"                                             \
                         "strb   r5, [r0, r1]\n\t"                                         \
                         "add    r0, r0, r1, lsl #1\n\t"                                   \
                         "strb   r6, [r0]\n\t"                                             \
                         "strb   r7, [r0, r1]\n\t"                                         \
                         "add    r0, r0, r1, lsl #1\n\t"                                   \
                         "ldr    r2, [lr, #48]\n\t"                                        \
                         "str    r0, [lr, #40]\n\t"                                        \
                         "cmp    r0, r2\n\t"                                               \
                         "bne    1b\n\t"                                                   \
                         "pop    {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n\t");             \
    }

S8_CHAN_LOOP_K8(chan_loop_k8, S8_NK_SAT4_FULL)
S8_CHAN_LOOP_K8(chan_loop_k8_clamp, S8_NK_SAT4_CLAMP)

/* Wide weights (dnn_s8_conv_wide: pointwise, weights pre-expanded to int16 pairs in the
 * im2col order, so no SXTB16): per group of 4 values 1 LDRD (weights) + 2 LDM + 8 SMLAD
 * = 11 instructions for 16 MACs. r12 is not needed by the MACs and keeps P, so the
 * state pointer is not reloaded from the stack. */
#define S8_NKW_GROUP                                                                       \
    "ldrd   r10, r11, [r9], #8\n\t" S8_NK_SMLAD8("r10", "r11")
#define S8_MACSW_ANY                                                                       \
    "lsrs   lr, lr, #1\n\t" /* C: a single group */                                       \
    "bcc    2f\n\t" S8_NKW_GROUP                                                           \
    "2:\n\t"                                                                               \
    "lsrs   lr, lr, #1\n\t" /* C: a pair, Z: no quads */                                   \
    "bcc    5f\n\t" S8_NKW_GROUP S8_NKW_GROUP                                              \
    "5:\n\t"                                                                               \
    "beq    4f\n\t"                                                                        \
    "3:\n\t" S8_NKW_GROUP S8_NKW_GROUP S8_NKW_GROUP S8_NKW_GROUP                           \
    "subs   lr, lr, #1\n\t"                                                                \
    "bne    3b\n\t"                                                                        \
    "4:\n\t"
#define S8_MACSW_QUADS                                                                     \
    "3:\n\t" S8_NKW_GROUP S8_NKW_GROUP S8_NKW_GROUP S8_NKW_GROUP                           \
    "subs   lr, lr, #1\n\t"                                                                \
    "bne    3b\n\t"

#define S8_CHAN_LOOP_W(NAME, MACS, SAT4, RND)                                              \
    __attribute__((naked, noinline)) static void NAME(s8_chloop *L __attribute__((unused))) \
    {                                                                                      \
        __asm__ volatile("push   {r4, r5, r6, r7, r8, r9, r10, r11, lr}\n\t"               \
                         "add    r12, r0, #24\n\t" /* P */ S8_NK_CHAN_SETUP(RND)            \
                         "1:\n\t"                                                          \
                         "ldmdb  r12, {r4, r5, r6, r7, r9, lr}\n\t" /* bias, w, ng */      \
                         MACS                                                              \
                         "ldm    r12, {r0, r1, r2, r3, r9, r10, r11}\n\t"                  \
                         "smmla  r4, r4, r0, r1\n\t"                                       \
                         "smmla  r5, r5, r0, r1\n\t"                                       \
                         "smmla  r6, r6, r0, r1\n\t"                                       \
                         "smmla  r7, r7, r0, r1\n\t"                                       \
                         "asr    r4, r4, r2\n\t"                                           \
                         "asr    r5, r5, r2\n\t"                                           \
                         "asr    r6, r6, r2\n\t"                                           \
                         "asr    r7, r7, r2\n\t" SAT4                                      \
                         "strb   r4, [r9]\n\t"                                             \
                         "strb   r5, [r9, r10]\n\t"                                        \
                         "add    r9, r9, r10, lsl #1\n\t"                                  \
                         "strb   r6, [r9]\n\t"                                             \
                         "strb   r7, [r9, r10]\n\t"                                        \
                         "add    r9, r9, r10, lsl #1\n\t"                                  \
                         "str    r9, [r12, #16]\n\t"                                       \
                         "cmp    r9, r11\n\t"                                              \
                         "bne    1b\n\t" S8_NK_CHAN_NEXT                                   \
                         "pop    {r4, r5, r6, r7, r8, r9, r10, r11, pc}\n\t");             \
    }

S8_CHAN_LOOP_W(chan_loop_w, S8_MACSW_ANY, S8_NK_SAT4_FULL, S8_NK_RND_FULL)
S8_CHAN_LOOP_W(chan_loop_w_q, S8_MACSW_QUADS, S8_NK_SAT4_FULL, S8_NK_RND_FULL)
S8_CHAN_LOOP_W(chan_loop_w_clamp, S8_MACSW_ANY, S8_NK_SAT4_CLAMP, S8_NK_RND_CLAMP)
S8_CHAN_LOOP_W(chan_loop_w_clamp_q, S8_MACSW_QUADS, S8_NK_SAT4_CLAMP, S8_NK_RND_CLAMP)
typedef void (*s8_chloop_fn)(s8_chloop *L);

/* the variant for ng, the clamp and the weight width (L->ng as it counts: ng, or ng / 4
 * for the quads-only variants) */
static s8_chloop_fn chan_loop_for(int32_t ng, int full, int wide, int32_t *count)
{
    *count = ng == 2 || (ng & 3) ? ng : ng >> 2;
    if (wide) {
        if (ng & 3)
            return full ? chan_loop_w : chan_loop_w_clamp;
        return full ? chan_loop_w_q : chan_loop_w_clamp_q;
    }
    if (ng == 2)
        return full ? chan_loop_k8 : chan_loop_k8_clamp;
    if (ng & 3)
        return full ? chan_loop : chan_loop_clamp;
    return full ? chan_loop_q : chan_loop_clamp_q;
}
#elif DNN_S8_DSP
/* the same with ACLE intrinsics (clang, -O0, DNN_S8_NO_ASM) */
static DNN_ALWAYS_INLINE const int16_t *dot4(const int8_t *w, const int16_t *x, int32_t ng,
                                             int32_t *acc0, int32_t *acc1, int32_t *acc2,
                                             int32_t *acc3)
{
    int32_t c0 = *acc0, c1 = *acc1, c2 = *acc2, c3 = *acc3;
    for (; ng > 0; ng--, w += 4, x += 16) {
        const uint32_t wv = s8_ld32(w), we = s8_sxtb16(wv), wo = s8_sxtb16_ror8(wv);
        c0 = s8_smlad(s8_ld32(x + 2), wo, s8_smlad(s8_ld32(x), we, c0));
        c1 = s8_smlad(s8_ld32(x + 6), wo, s8_smlad(s8_ld32(x + 4), we, c1));
        c2 = s8_smlad(s8_ld32(x + 10), wo, s8_smlad(s8_ld32(x + 8), we, c2));
        c3 = s8_smlad(s8_ld32(x + 14), wo, s8_smlad(s8_ld32(x + 12), we, c3));
    }
    *acc0 = c0, *acc1 = c1, *acc2 = c2, *acc3 = c3;
    return x;
}
#else
static DNN_ALWAYS_INLINE const int16_t *dot4(const int8_t *w, const int16_t *x, int32_t ng,
                                             int32_t *acc0, int32_t *acc1, int32_t *acc2,
                                             int32_t *acc3)
{
    uint32_t c0 = (uint32_t)*acc0, c1 = (uint32_t)*acc1, c2 = (uint32_t)*acc2,
             c3 = (uint32_t)*acc3;
    for (; ng > 0; ng--, w += 4, x += 16) {
        const int32_t w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
        c0 += (uint32_t)(x[0] * w0 + x[1] * w2 + x[2] * w1 + x[3] * w3);
        c1 += (uint32_t)(x[4] * w0 + x[5] * w2 + x[6] * w1 + x[7] * w3);
        c2 += (uint32_t)(x[8] * w0 + x[9] * w2 + x[10] * w1 + x[11] * w3);
        c3 += (uint32_t)(x[12] * w0 + x[13] * w2 + x[14] * w1 + x[15] * w3);
    }
    *acc0 = (int32_t)c0, *acc1 = (int32_t)c1, *acc2 = (int32_t)c2, *acc3 = (int32_t)c3;
    return x;
}
#endif

/* acc += sum_k w[k] * value k of the first pixel of a sub-block (a lone last pixel):
 * per group 1 weight load, 2 SXTB16, 2 input loads, 2 SMLAD (assembly: 13 instructions
 * per 2 groups, one LDRD for 8 weights and one per pixel group). */
static DNN_ALWAYS_INLINE int32_t dot1(const int8_t *w, const int16_t *x, int32_t ng, int32_t acc)
{
#if DNN_S8_ASM
    uint32_t wa, wb, wh, xa, xb;
    __asm__ volatile("lsrs   %[n], %[n], #1\n\t" /* C = odd group, Z = no pairs */
                     "bcc    1f\n\t"
                     "ldr    %[wa], [%[w]], #4\n\t"
                     "ldrd   %[xa], %[xb], [%[x]], #32\n\t"
                     "sxtb16 %[wh], %[wa], ror #8\n\t"
                     "sxtb16 %[wa], %[wa]\n\t"
                     "smlad  %[c], %[xa], %[wa], %[c]\n\t"
                     "smlad  %[c], %[xb], %[wh], %[c]\n\t"
                     "1:\n\t"
                     "beq    3f\n\t"
                     "2:\n\t"
                     "ldrd   %[wa], %[wb], [%[w]], #8\n\t"
                     "ldrd   %[xa], %[xb], [%[x]], #32\n\t"
                     "sxtb16 %[wh], %[wa], ror #8\n\t"
                     "sxtb16 %[wa], %[wa]\n\t"
                     "smlad  %[c], %[xa], %[wa], %[c]\n\t"
                     "smlad  %[c], %[xb], %[wh], %[c]\n\t"
                     "ldrd   %[xa], %[xb], [%[x]], #32\n\t"
                     "sxtb16 %[wh], %[wb], ror #8\n\t"
                     "sxtb16 %[wb], %[wb]\n\t"
                     "smlad  %[c], %[xa], %[wb], %[c]\n\t"
                     "smlad  %[c], %[xb], %[wh], %[c]\n\t"
                     "subs   %[n], %[n], #1\n\t"
                     "bne    2b\n\t"
                     "3:\n\t"
                     : [c] "+r"(acc), [w] "+r"(w), [x] "+r"(x), [n] "+r"(ng), [wa] "=&r"(wa),
                       [wb] "=&r"(wb), [wh] "=&r"(wh), [xa] "=&r"(xa), [xb] "=&r"(xb)
                     :
                     : "cc", "memory");
    return acc;
#elif DNN_S8_DSP
    for (; ng > 0; ng--, w += 4, x += 16) {
        const uint32_t wv = s8_ld32(w);
        acc = s8_smlad(s8_ld32(x), s8_sxtb16(wv), acc);
        acc = s8_smlad(s8_ld32(x + 2), s8_sxtb16_ror8(wv), acc);
    }
    return acc;
#else
    uint32_t c = (uint32_t)acc;
    for (; ng > 0; ng--, w += 4, x += 16)
        c += (uint32_t)(x[0] * w[0] + x[1] * w[2] + x[2] * w[1] + x[3] * w[3]);
    return (int32_t)c;
#endif
}

/* The same two for wide weights (int16, in the slots' (x0, x2, x1, x3) order, so a
 * plain dot product of the two int16 sequences), and the choice by weight width. */
static DNN_ALWAYS_INLINE const int16_t *dot4w(const int16_t *w, const int16_t *x, int32_t ng,
                                              int32_t *acc0, int32_t *acc1, int32_t *acc2,
                                              int32_t *acc3)
{
#if DNN_S8_DSP
    int32_t c0 = *acc0, c1 = *acc1, c2 = *acc2, c3 = *acc3;
    for (; ng > 0; ng--, w += 4, x += 16) {
        const uint32_t wa = s8_ld32(w), wb = s8_ld32(w + 2);
        c0 = s8_smlad(s8_ld32(x + 2), wb, s8_smlad(s8_ld32(x), wa, c0));
        c1 = s8_smlad(s8_ld32(x + 6), wb, s8_smlad(s8_ld32(x + 4), wa, c1));
        c2 = s8_smlad(s8_ld32(x + 10), wb, s8_smlad(s8_ld32(x + 8), wa, c2));
        c3 = s8_smlad(s8_ld32(x + 14), wb, s8_smlad(s8_ld32(x + 12), wa, c3));
    }
    *acc0 = c0, *acc1 = c1, *acc2 = c2, *acc3 = c3;
#else
    uint32_t c0 = (uint32_t)*acc0, c1 = (uint32_t)*acc1, c2 = (uint32_t)*acc2,
             c3 = (uint32_t)*acc3;
    for (; ng > 0; ng--, w += 4, x += 16) {
        const int32_t w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
        c0 += (uint32_t)(x[0] * w0 + x[1] * w1 + x[2] * w2 + x[3] * w3);
        c1 += (uint32_t)(x[4] * w0 + x[5] * w1 + x[6] * w2 + x[7] * w3);
        c2 += (uint32_t)(x[8] * w0 + x[9] * w1 + x[10] * w2 + x[11] * w3);
        c3 += (uint32_t)(x[12] * w0 + x[13] * w1 + x[14] * w2 + x[15] * w3);
    }
    *acc0 = (int32_t)c0, *acc1 = (int32_t)c1, *acc2 = (int32_t)c2, *acc3 = (int32_t)c3;
#endif
    return x;
}

static DNN_ALWAYS_INLINE int32_t dot1w(const int16_t *w, const int16_t *x, int32_t ng, int32_t acc)
{
#if DNN_S8_ASM
    /* per group LDRD (pixel), LDRD (weights), 2 SMLAD; two groups per iteration */
    uint32_t wa, wb, xa, xb;
    __asm__ volatile("lsrs   %[n], %[n], #1\n\t" /* C = odd group, Z = no pairs */
                     "bcc    1f\n\t"
                     "ldrd   %[xa], %[xb], [%[x]], #32\n\t"
                     "ldrd   %[wa], %[wb], [%[w]], #8\n\t"
                     "smlad  %[c], %[xa], %[wa], %[c]\n\t"
                     "smlad  %[c], %[xb], %[wb], %[c]\n\t"
                     "1:\n\t"
                     "beq    3f\n\t"
                     "2:\n\t"
                     "ldrd   %[xa], %[xb], [%[x]], #32\n\t"
                     "ldrd   %[wa], %[wb], [%[w]], #8\n\t"
                     "smlad  %[c], %[xa], %[wa], %[c]\n\t"
                     "smlad  %[c], %[xb], %[wb], %[c]\n\t"
                     "ldrd   %[xa], %[xb], [%[x]], #32\n\t"
                     "ldrd   %[wa], %[wb], [%[w]], #8\n\t"
                     "smlad  %[c], %[xa], %[wa], %[c]\n\t"
                     "smlad  %[c], %[xb], %[wb], %[c]\n\t"
                     "subs   %[n], %[n], #1\n\t"
                     "bne    2b\n\t"
                     "3:\n\t"
                     : [c] "+r"(acc), [w] "+r"(w), [x] "+r"(x), [n] "+r"(ng), [wa] "=&r"(wa),
                       [wb] "=&r"(wb), [xa] "=&r"(xa), [xb] "=&r"(xb)
                     :
                     : "cc", "memory");
    return acc;
#elif DNN_S8_DSP
    for (; ng > 0; ng--, w += 4, x += 16)
        acc = s8_smlad(s8_ld32(x + 2), s8_ld32(w + 2), s8_smlad(s8_ld32(x), s8_ld32(w), acc));
    return acc;
#else
    uint32_t c = (uint32_t)acc;
    for (; ng > 0; ng--, w += 4, x += 16)
        c += (uint32_t)(x[0] * w[0] + x[1] * w[1] + x[2] * w[2] + x[3] * w[3]);
    return (int32_t)c;
#endif
}

static DNN_ALWAYS_INLINE const int16_t *dot4_of(const int8_t *w, int wide, const int16_t *x,
                                                int32_t ng, int32_t *a0, int32_t *a1,
                                                int32_t *a2, int32_t *a3)
{
    if (wide)
        return dot4w((const int16_t *)(const void *)w, x, ng, a0, a1, a2, a3);
    return dot4(w, x, ng, a0, a1, a2, a3);
}

static DNN_ALWAYS_INLINE int32_t dot1_of(const int8_t *w, int wide, const int16_t *x, int32_t ng,
                                         int32_t acc)
{
    return wide ? dot1w((const int16_t *)(const void *)w, x, ng, acc) : dot1(w, x, ng, acc);
}

/* The last 1-3 pixels of a block for one channel: x is the last sub-block (the unused
 * slots are zero), y the output of its first pixel. */
static void gen_rem(const int8_t *wm, int wide, const int16_t *x, int32_t ng,
                    const dnn_s8_chan *c, int8_t *y, int32_t M, int32_t rem, int full,
                    int32_t lo, int32_t hi)
{
    const s8_rq q = s8_rq_chan(c);
    int32_t acc[4], s;
    if (rem == 1) { /* a lone last pixel */
        y[0] = s8_out(s8_rq_apply(&q, dot1_of(wm, wide, x, ng, c->bias)), full, lo, hi);
        return;
    }
    acc[0] = acc[1] = acc[2] = acc[3] = c->bias;
    dot4_of(wm, wide, x, ng, &acc[0], &acc[1], &acc[2], &acc[3]);
    for (s = 0; s < rem; s++)
        y[(size_t)s * (size_t)M] = s8_out(s8_rq_apply(&q, acc[s]), full, lo, hi);
}

/* Output channels [m0, m1) for the npx pixels of an im2col block; y points at the
 * block's first pixel, channel 0 (pixels M bytes apart). Called through the out-of-line
 * gen_channels_w8 / _w16 below, so the register allocator only juggles this loop. */
static DNN_ALWAYS_INLINE void gen_channels(const int8_t *w, int32_t Kp, int wide,
                                           const int16_t *buf, int32_t npx,
                                           const dnn_s8_chan *chan, int32_t m0, int32_t m1,
                                           int8_t *y, int32_t M, int32_t lo, int32_t hi,
                                           int all_fast)
{
    const int32_t ng = Kp >> 2, nfull = npx >> 2, rem = npx & 3;
    const int full = s8_full_range(lo, hi);
    const size_t wstep = (size_t)Kp << wide; /* weight bytes per channel (int16 when wide) */
    const int16_t *xrem = buf + (size_t)nfull * 4 * (size_t)Kp; /* the last sub-block */
    int32_t m, s;
#if DNN_S8_ASM
    /* the loop state words common to all channels are set once */
    const size_t span = (size_t)nfull * 4 * (size_t)M; /* output bytes of the full sub-blocks */
    int32_t count;
    const s8_chloop_fn loop = chan_loop_for(ng, full, wide, &count);
    const int k8 = ng == 2 && !wide; /* one channel per call */
    s8_chloop L;
    L.ng = count, L.M = M, L.clampk = s8_clamp_k(lo, hi);
    L.xbuf = buf, L.span = (int32_t)span, L.wstep = (int32_t)wstep, L.lo = lo;
#endif
    for (m = m0; m < m1; m++) {
        const dnn_s8_chan *c = &chan[m];
        const int8_t *wm = w + (size_t)m * wstep;
        const int16_t *x = buf;
        int8_t *ym = y + m;
#if DNN_S8_ASM
        if (c->shift <= -2 && nfull) { /* SMMLA, ASR, SSAT (or clamp), STRB per output */
            /* the run of channels m .. m_end - 1 with shift <= -2 (all when all_fast) */
            int32_t m_end = m + 1;
            if (!k8) {
                if (all_fast)
                    m_end = m1;
                else
                    while (m_end < m1 && chan[m_end].shift <= -2)
                        m_end++;
            }
            L.chan = c, L.nch = m_end - m, L.w = wm, L.ych = ym;
            if (k8) { /* the channel's words, as chan_loop's setup makes them */
                const int32_t rs = -1 - c->shift;
                L.bias[0] = L.bias[1] = L.bias[2] = L.bias[3] = c->bias;
                L.mult = c->mult, L.rs = rs;
                L.rnd = full ? c->rnd : s8_clamp_rnd(c->rnd, rs, lo);
                L.y = ym, L.y_end = ym + span;
            }
            loop(&L);
            for (; m < m_end; m++) /* the last 1-3 pixels of each channel */
                if (rem)
                    gen_rem(w + (size_t)m * wstep, wide, xrem, ng, &chan[m], y + m + span, M,
                            rem, full, lo, hi);
            m--;
            continue;
        }
#endif
        if (full && c->shift <= -2) { /* fast path: SMMLA, ASR, SSAT, STRB per output */
#if !DNN_S8_ASM
            const int32_t b = c->bias, mult = c->mult, rnd = c->rnd, rs = -1 - c->shift;
            for (s = 0; s < nfull; s++, ym += 4 * (size_t)M) {
                int32_t a0 = b, a1 = b, a2 = b, a3 = b;
                x = dot4_of(wm, wide, x, ng, &a0, &a1, &a2, &a3);
                ym[0] = (int8_t)s8_sat8(s8_smmla(a0, mult, rnd) >> rs);
                ym[M] = (int8_t)s8_sat8(s8_smmla(a1, mult, rnd) >> rs);
                ym[2 * M] = (int8_t)s8_sat8(s8_smmla(a2, mult, rnd) >> rs);
                ym[3 * M] = (int8_t)s8_sat8(s8_smmla(a3, mult, rnd) >> rs);
            }
#endif
        } else {
            const s8_rq q = s8_rq_chan(c);
            for (s = 0; s < nfull; s++, ym += 4 * (size_t)M) {
                int32_t a0 = c->bias, a1 = a0, a2 = a0, a3 = a0;
                x = dot4_of(wm, wide, x, ng, &a0, &a1, &a2, &a3);
                ym[0] = s8_out(s8_rq_apply(&q, a0), full, lo, hi);
                ym[M] = s8_out(s8_rq_apply(&q, a1), full, lo, hi);
                ym[2 * M] = s8_out(s8_rq_apply(&q, a2), full, lo, hi);
                ym[3 * M] = s8_out(s8_rq_apply(&q, a3), full, lo, hi);
            }
        }
        if (rem)
            gen_rem(wm, wide, xrem, ng, c, ym, M, rem, full, lo, hi);
    }
    (void)all_fast;
}

/* gen_channels for each weight width (a constant there, so the C fallbacks keep one
 * inner loop each) */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void gen_channels_w8(const int8_t *w, int32_t Kp, const int16_t *buf, int32_t npx,
                            const dnn_s8_chan *chan, int32_t m0, int32_t m1, int8_t *y,
                            int32_t M, int32_t lo, int32_t hi, int all_fast)
{
    gen_channels(w, Kp, 0, buf, npx, chan, m0, m1, y, M, lo, hi, all_fast);
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void gen_channels_w16(const int8_t *w, int32_t Kp, const int16_t *buf, int32_t npx,
                             const dnn_s8_chan *chan, int32_t m0, int32_t m1, int8_t *y,
                             int32_t M, int32_t lo, int32_t hi, int all_fast)
{
    gen_channels(w, Kp, 1, buf, npx, chan, m0, m1, y, M, lo, hi, all_fast);
}

/* ---- the general convolution ---- */

/* 1x1, stride 1, unpadded, one group, C a multiple of 4: the pointwise im2col */
static int conv_pointwise(const dnn_s8_conv_params *p)
{
    return p->group == 1 && p->kh == 1 && p->kw == 1 && p->stride_h == 1 && p->stride_w == 1 &&
           p->pad_t == 0 && p->pad_l == 0 && p->oh == p->h && p->ow == p->w && (p->c & 3) == 0;
}

int dnn_s8_conv_wide_ok(const dnn_s8_conv_params *p)
{
    /* Kp == 8 keeps its 8 expanded weights in registers anyway (chan_loop_k8) */
    const int32_t kp = gen_kp(p);
    return p->group == 1 && !dnn_s8_conv_is_depthwise(p) && kp > 8 &&
           (conv_pointwise(p) || (size_t)kp * (size_t)p->m <= DNN_S8_WIDE_SMALL_BYTES);
}

/* wide: packed_w holds dnn_s8_conv_wide_pack's int16 weights */
static void conv_run(const dnn_s8_conv_params *p, const int8_t *x, const int8_t *packed_w,
                     int wide, const dnn_s8_chan *chan, int8_t *y, void *scratch)
{
    const int32_t C = p->c, M = p->m, G = p->group, Cg = C / G, Mg = M / G;
    const int32_t K = Cg * p->kh * p->kw, Kp = gen_kp(p);
    const int32_t P = p->oh * p->ow, B = gen_block(p, Kp);
    int16_t *buf = (int16_t *)scratch;
    int8_t *stage = (int8_t *)(buf + (size_t)B * (size_t)Kp);
    int32_t n, p0, g, i;
    int all_fast = 1; /* every channel takes the assembly (shift <= -2) */

    for (i = 0; i < M; i++)
        all_fast &= chan[i].shift <= -2;
    /* interior output pixels: oh in [oh0, oh1), ow in [ow0, ow1) (fast im2col) */
    const int fast_rows = G == 1 && p->dil_w == 1;
    const int32_t oh0 = (p->pad_t + p->stride_h - 1) / p->stride_h;
    const int32_t ow0 = (p->pad_l + p->stride_w - 1) / p->stride_w;
    const int32_t eh = p->h + p->pad_t - (p->kh - 1) * p->dil_h, ew = p->w + p->pad_l - (p->kw - 1);
    const int32_t oh1 = eh <= 0 ? 0 : (eh - 1) / p->stride_h + 1;
    const int32_t ow1 = ew <= 0 ? 0 : (ew - 1) / p->stride_w + 1;
    const size_t rs = (size_t)p->dil_h * (size_t)p->w * (size_t)C, row = (size_t)p->kw * (size_t)C;
    const size_t img = (size_t)p->h * (size_t)p->w * (size_t)C;
    const size_t step = (size_t)p->stride_w * (size_t)C; /* between interior pixels */
    const int pointwise = conv_pointwise(p);

    for (n = 0; n < p->n; n++) {
        const int8_t *xn = x + (size_t)n * img;
        int8_t *yn = y + (size_t)n * (size_t)P * (size_t)M;
        for (p0 = 0; p0 < P; p0 += B) {
            const int32_t npx = P - p0 < B ? P - p0 : B, nslot = (npx + 3) & ~3;
            for (g = 0; g < G; g++) {
                int32_t oh = p0 / p->ow, ow = p0 % p->ow;
                /* im2col of the block's pixels; unused slots of the last sub-block are
                 * zeroed (their outputs are computed and dropped) */
                i = 0;
                if (pointwise) {
                    im2col_pointwise(buf, npx, xn + (size_t)p0 * (size_t)C, C);
                    i = npx;
                }
                while (i < nslot) {
                    int32_t run = 1;
                    if (i >= npx)
                        col_fill_words(slot_px(buf, Kp, i), Kp / 4, 0);
                    else {
                        const int8_t *src = xn;
                        run = 0;
                        if (fast_rows && oh >= oh0 && oh < oh1 && ow >= ow0 && ow < ow1) {
                            /* interior pixels up to the end of the row or of the block;
                             * staged rows read up to 3 bytes past the last run. Only an
                             * interior pixel's window starts inside x (the address of a
                             * padded one would point before it). */
                            src = xn + ((size_t)(oh * p->stride_h - p->pad_t) * p->w +
                                        (size_t)(ow * p->stride_w - p->pad_l)) * C;
                            run = ow1 - ow < npx - i ? ow1 - ow : npx - i;
                            if ((row & 3) != 0)
                                while (run > 0 && src + (size_t)(run - 1) * step +
                                                          (size_t)(p->kh - 1) * rs + row + 3 >
                                                      xn + img)
                                    run--;
                        }
                        if (run > 0) {
#if DNN_S8_DSP
                            if (p->kh == 3 && row == 9)
                                im2col_run_rgb3x3(buf, i, run, src, step, rs);
                            else
#endif
                                im2col_run(buf, i, run, src, step, p->kh, rs, (int32_t)row, K,
                                           Kp, stage);
                        }
                        else {
                            im2col_pixel(p, xn, g, oh, ow, slot_px(buf, Kp, i), K, Kp, stage);
                            run = 1;
                        }
                    }
                    i += run;
                    ow += run;
                    if (ow == p->ow) {
                        ow = 0;
                        oh++;
                    }
                }
                (wide ? gen_channels_w16 : gen_channels_w8)(
                    packed_w, Kp, buf, npx, chan, g * Mg, (g + 1) * Mg,
                    yn + (size_t)p0 * (size_t)M, M, p->act_min, p->act_max, all_fast);
            }
        }
    }
}

void dnn_s8_conv(const dnn_s8_conv_params *p, const int8_t *x, const int8_t *packed_w,
                 const dnn_s8_chan *chan, int8_t *y, void *scratch)
{
    if (dnn_s8_conv_is_depthwise(p))
        dnn_s8_dw_conv(p, x, packed_w, chan, y, scratch);
    else
        conv_run(p, x, packed_w, 0, chan, y, scratch);
}

void dnn_s8_conv_wide(const dnn_s8_conv_params *p, const int8_t *x, const int16_t *packed_w,
                      const dnn_s8_chan *chan, int8_t *y, void *scratch)
{
    conv_run(p, x, (const int8_t *)(const void *)packed_w, 1, chan, y, scratch);
}
