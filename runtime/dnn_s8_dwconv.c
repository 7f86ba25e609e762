/*
 * dnn_s8_dwconv.c - int8 depthwise convolution (group == C == M), NHWC.
 *
 * NHWC stores the channels of a pixel next to each other, but a depthwise MAC pairs
 * taps of ONE channel. So blocks of 4 channels are processed at a time: each input
 * row is transposed once into 4 int16 "planes" (one per channel, padded on both
 * sides with the input zero point). The rows live in a ring of (KH-1)*dil_h + 1
 * slots, or, when all the rows the outputs read fit in DNN_S8_DW_PLANE_BYTES, in one
 * slot each ("plane mode": rows a fixed pitch apart, every output row of a channel in
 * one assembly call). A row of outputs of one channel reads horizontally adjacent
 * taps as int16 pairs:
 *
 *   3x3, stride 1 (4 outputs per step, per kernel row: 3 word loads, 8 MAC instr.):
 *     A = (x0,x1), B = (x2,x3), C = (x4,x5), W01 = (w0,w1), W12 = (w1,w2)
 *     y0 += SMLAD(A,W01) + SMLABT(B,W12)      y1 += SMLATB(A,W01) + SMLAD(B,W12)
 *     y2 += SMLAD(B,W01) + SMLABT(C,W12)      y3 += SMLATB(B,W01) + SMLAD(C,W12)
 *   3x3, stride 2: y_i += SMLAD(X_i, W01) + SMLABT(X_{i+1}, W12), X_i = (x_2i, x_2i+1)
 *   other shapes: one MAC per tap.
 * With shift <= -2, the 3x3 rows run in inline assembly (requantization, clamp and
 * stores fused; any clamp, see S8_CLAMP_ASM); otherwise the same arithmetic in C.
 *
 * The problem is solved transposed (rows <-> columns, same arithmetic) when OW < OH,
 * so the rows are the longer axis (DS-CNN: 25 x 5 outputs run as 5 rows of 25).
 * Padding holds the input zero point, which the packed bias compensates exactly.
 */
#include "dnn_s8_impl.h"

/* The convolution in the orientation it is solved in: r = row axis, q = column axis. */
typedef struct dw_geom {
    int32_t R, Q, OR, OQ;      /* input rows / columns, output rows / columns */
    int32_t KR, KQ;            /* kernel */
    int32_t sr, sq, dr, dq;    /* strides, dilations */
    int32_t pr, pq;            /* leading padding */
    int32_t x_rs, x_qs;        /* input: bytes between rows / columns */
    int32_t y_rs, y_qs;        /* output: bytes between rows / columns */
    int32_t w_rs, w_qs;        /* weights: elements between rows / columns of [KH][KW] */
    int32_t qp;                /* int16 per plane row: padding, data, slack (even) */
    int32_t slots;             /* rows in the ring */
    int32_t plane;             /* 1: the ring holds every padded input row ("plane mode") */
} dw_geom;

/* C / YC: bytes between the pixels of x / y (p->c for dnn_s8_conv) */
static void dw_geometry(const dnn_s8_conv_params *p, int32_t C, int32_t YC, dw_geom *g)
{
    int32_t need;
    if (p->ow >= p->oh) {
        g->R = p->h, g->Q = p->w, g->OR = p->oh, g->OQ = p->ow, g->KR = p->kh, g->KQ = p->kw;
        g->sr = p->stride_h, g->sq = p->stride_w, g->dr = p->dil_h, g->dq = p->dil_w;
        g->pr = p->pad_t, g->pq = p->pad_l;
        g->x_rs = p->w * C, g->x_qs = C, g->y_rs = p->ow * YC, g->y_qs = YC;
        g->w_rs = p->kw, g->w_qs = 1;
    } else {
        g->R = p->w, g->Q = p->h, g->OR = p->ow, g->OQ = p->oh, g->KR = p->kw, g->KQ = p->kh;
        g->sr = p->stride_w, g->sq = p->stride_h, g->dr = p->dil_w, g->dq = p->dil_h;
        g->pr = p->pad_l, g->pq = p->pad_t;
        g->x_rs = C, g->x_qs = p->w * C, g->y_rs = YC, g->y_qs = p->ow * YC;
        g->w_rs = 1, g->w_qs = p->kw;
    }
    /* the 4-output kernels read up to index (OQ4-1)*sq + (KQ-1)*dq + 1, OQ4 = OQ
     * rounded up to 4 */
    need = (((g->OQ + 3) & ~3) - 1) * g->sq + (g->KQ - 1) * g->dq + 2;
    if (need < g->pq + g->Q)
        need = g->pq + g->Q;
    g->qp = (need + 1) & ~1;
    /* plane mode when all the padded rows the outputs read fit in DNN_S8_DW_PLANE_BYTES:
     * each row is loaded once and rows are a fixed pitch apart, so the assembly walks
     * all output rows of a channel in one call; otherwise a ring of the KR rows one
     * output row needs (each input row is still transposed only once) */
    g->slots = (g->OR - 1) * g->sr + (g->KR - 1) * g->dr + 1;
    g->plane = (size_t)g->slots * (4 * (size_t)g->qp * sizeof(int16_t) + sizeof(int32_t)) <=
               DNN_S8_DW_PLANE_BYTES;
    if (!g->plane)
        g->slots = (g->KR - 1) * g->dr + 1;
}

size_t dnn_s8_dw_core_scratch_size(const dnn_s8_conv_params *p, int32_t in_stride,
                                   int32_t out_stride)
{
    dw_geom g;
    dw_geometry(p, in_stride, out_stride, &g);
    /* row tags, then slots x 4 planes x qp int16 */
    return (size_t)g.slots * sizeof(int32_t) + (size_t)g.slots * 4 * (size_t)g.qp * sizeof(int16_t);
}

size_t dnn_s8_dw_scratch_size(const dnn_s8_conv_params *p)
{
    return dnn_s8_dw_core_scratch_size(p, p->c, p->c);
}

/* The transposition of one input row of 4 channels: Q pixels qs bytes apart from x
 * (channel c0 first) into the 4 planes p0, p0 + qp, p0 + 2 qp, p0 + 3 qp. */
static DNN_ALWAYS_INLINE void dw_row4(const int8_t *x, int32_t qs, int32_t Q, int16_t *p0,
                                      int32_t qp)
{
    int16_t *p1 = p0 + qp, *p2 = p1 + qp, *p3 = p2 + qp;
    int32_t q = 0;
#if DNN_S8_ASM
    /* 2 pixels x 4 channels per iteration: 2 LDR, 4 SXTB16, 4 PKH, 4 STR (the same as
     * the C below, with post-incremented plane pointers) */
    if (Q >= 2) {
        int32_t n = Q >> 1;
        int16_t *d0 = p0, *d1 = p1, *d2 = p2, *d3 = p3;
        uint32_t v0, v1, e0, e1, t;
        __asm__ volatile("1:\n\t"
                         "ldr    %[v0], [%[x]]\n\t"
                         "ldr    %[v1], [%[x], %[qs]]\n\t"
                         "add    %[x], %[x], %[qs], lsl #1\n\t"
                         "sxtb16 %[e0], %[v0]\n\t"
                         "sxtb16 %[v0], %[v0], ror #8\n\t"
                         "sxtb16 %[e1], %[v1]\n\t"
                         "sxtb16 %[v1], %[v1], ror #8\n\t"
                         "pkhbt  %[t], %[e0], %[e1], lsl #16\n\t"
                         "str    %[t], [%[d0]], #4\n\t"
                         "pkhtb  %[t], %[e1], %[e0], asr #16\n\t"
                         "str    %[t], [%[d2]], #4\n\t"
                         "pkhbt  %[t], %[v0], %[v1], lsl #16\n\t"
                         "str    %[t], [%[d1]], #4\n\t"
                         "pkhtb  %[t], %[v1], %[v0], asr #16\n\t"
                         "str    %[t], [%[d3]], #4\n\t"
                         "subs   %[n], %[n], #1\n\t"
                         "bne    1b\n\t"
                         : [x] "+r"(x), [n] "+r"(n), [d0] "+r"(d0), [d1] "+r"(d1),
                           [d2] "+r"(d2), [d3] "+r"(d3), [v0] "=&r"(v0), [v1] "=&r"(v1),
                           [e0] "=&r"(e0), [e1] "=&r"(e1), [t] "=&r"(t)
                         : [qs] "r"(qs)
                         : "cc", "memory");
        q = Q & ~1;
    }
#elif DNN_S8_DSP
    /* 2 pixels x 4 channels: 2 LDR, 4 SXTB16, 4 PKH, 4 STR */
    for (; q + 2 <= Q; q += 2, x += 2 * (size_t)qs) {
        const uint32_t v0 = s8_ld32(x), v1 = s8_ld32(x + qs);
        const uint32_t e0 = s8_sxtb16(v0), e1 = s8_sxtb16(v1);
        const uint32_t o0 = s8_sxtb16_ror8(v0), o1 = s8_sxtb16_ror8(v1);
        s8_st32(p0 + q, s8_pack_lo(e0, e1));
        s8_st32(p2 + q, s8_pack_hi(e0, e1));
        s8_st32(p1 + q, s8_pack_lo(o0, o1));
        s8_st32(p3 + q, s8_pack_hi(o0, o1));
    }
#endif
    for (; q < Q; q++, x += qs) {
        p0[q] = x[0];
        p1[q] = x[1];
        p2[q] = x[2];
        p3[q] = x[3];
    }
}

/* Transposes input row r (solved orientation) of channels c0 .. c0+nc-1 (x points at
 * channel c0 of the image) into the data columns [pq, pq + Q) of the 4 planes of a ring
 * slot; rows outside the input get the zero point. The padding and slack columns hold
 * the zero point since the ring was filled at the start of the call. */
static void dw_load_row(const dw_geom *g, const int8_t *x, int32_t r, int32_t nc, int32_t zp,
                        int16_t *slot)
{
    const int32_t qp = g->qp, Q = g->Q, qs = g->x_qs;
    int16_t *p0 = slot + g->pq, *p1 = p0 + qp, *p2 = p1 + qp, *p3 = p2 + qp;
    int32_t j, q;
    if (r < 0 || r >= g->R) {
        for (q = 0; q < Q; q++)
            p0[q] = p1[q] = p2[q] = p3[q] = (int16_t)zp;
        return;
    }
    x += (size_t)r * (size_t)g->x_rs;
    if (nc == 4) {
        dw_row4(x, qs, Q, p0, qp);
        return;
    }
    for (j = 0; j < nc; j++)
        for (q = 0; q < Q; q++)
            p0[j * qp + q] = x[(size_t)q * (size_t)qs + (size_t)j];
}

#if DNN_S8_ASM
/* Plane mode: every input row the outputs read into its slot (slot s holds row s - pr;
 * rows outside the input keep the zero point of the initial fill), the 4-channel rows
 * without a call each. The slots end at the last row read, which can come before the
 * input's last row (stride > 1 with a small trailing pad): rows past it are not loaded. */
static void dw_load_plane(const dw_geom *g, const int8_t *x, int32_t nc, int32_t zp,
                          int16_t *ring)
{
    const size_t slot_sz = 4 * (size_t)g->qp;
    const int32_t Q = g->Q, qs = g->x_qs, xrs = g->x_rs, qp = g->qp;
    const int32_t R = g->R < g->slots - g->pr ? g->R : g->slots - g->pr;
    int16_t *p0 = ring + (size_t)g->pr * slot_sz + g->pq;
    int32_t r;
    if (nc != 4) {
        for (r = 0; r < R; r++)
            dw_load_row(g, x, r, nc, zp, ring + (size_t)(r + g->pr) * slot_sz);
        return;
    }
    for (r = 0; r < R; r++, x += xrs, p0 += slot_sz)
        dw_row4(x, qs, Q, p0, qp);
}
#endif

/* The int16 weight pairs of a 3x3 channel (wc: [3][3] int8, rows w_rs and columns w_qs
 * apart): W01 = (w0, w1) and W12 = (w1, w2) of each kernel row, in t[0..5]. */
static DNN_ALWAYS_INLINE void dw3_weight_pairs(uint32_t *t, const int8_t *wc, int32_t w_rs,
                                               int32_t w_qs)
{
    int32_t kr;
    for (kr = 0; kr < 3; kr++, wc += w_rs, t += 2) {
        const uint32_t b0 = (uint32_t)(int32_t)wc[0], b1 = (uint32_t)(int32_t)wc[w_qs];
        const uint32_t b2 = (uint32_t)(int32_t)wc[2 * w_qs];
        t[0] = s8_pack_lo(b0, b1);
        t[1] = s8_pack_lo(b1, b2);
    }
}

/* One output row of one channel, 3x3 taps, column stride 1: t0..t2 are the plane rows
 * of the 3 kernel rows, wp = {W01, W12} per kernel row. */
static void dw3_s1_row(const int16_t *t0, const int16_t *t1, const int16_t *t2,
                       const uint32_t *wp, int32_t bias, const s8_rq *q, int8_t *y,
                       int32_t ys, int32_t OQ, int full, int32_t lo, int32_t hi)
{
    int32_t oq;
    for (oq = 0; oq < OQ; oq += 4, y += 4 * (size_t)ys) {
        int32_t acc[4];
        int32_t a0 = bias, a1 = bias, a2 = bias, a3 = bias;
        uint32_t A, B, C;
#define S8_DW3_S1_ROW(t, w01, w12)                                                         \
        A = s8_ld32(t + oq);                                                               \
        B = s8_ld32(t + oq + 2);                                                           \
        C = s8_ld32(t + oq + 4);                                                           \
        a0 = s8_smlad(A, w01, a0);                                                         \
        a0 = s8_smlabt(B, w12, a0);                                                        \
        a1 = s8_smlatb(A, w01, a1);                                                        \
        a1 = s8_smlad(B, w12, a1);                                                         \
        a2 = s8_smlad(B, w01, a2);                                                         \
        a2 = s8_smlabt(C, w12, a2);                                                        \
        a3 = s8_smlatb(B, w01, a3);                                                        \
        a3 = s8_smlad(C, w12, a3);
        S8_DW3_S1_ROW(t0, wp[0], wp[1])
        S8_DW3_S1_ROW(t1, wp[2], wp[3])
        S8_DW3_S1_ROW(t2, wp[4], wp[5])
#undef S8_DW3_S1_ROW
        acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
        s8_store4(y, ys, acc, OQ - oq < 4 ? OQ - oq : 4, q, full, lo, hi);
    }
}

/* The same for column stride 2. */
static void dw3_s2_row(const int16_t *t0, const int16_t *t1, const int16_t *t2,
                       const uint32_t *wp, int32_t bias, const s8_rq *q, int8_t *y,
                       int32_t ys, int32_t OQ, int full, int32_t lo, int32_t hi)
{
    int32_t oq;
    for (oq = 0; oq < OQ; oq += 4, y += 4 * (size_t)ys) {
        int32_t acc[4];
        int32_t a0 = bias, a1 = bias, a2 = bias, a3 = bias;
        uint32_t A, B;
#define S8_DW3_S2_ROW(t, w01, w12)                                                         \
        A = s8_ld32(t + 2 * oq);                                                           \
        B = s8_ld32(t + 2 * oq + 2);                                                       \
        a0 = s8_smlad(A, w01, a0);                                                         \
        a0 = s8_smlabt(B, w12, a0);                                                        \
        a1 = s8_smlad(B, w01, a1);                                                         \
        A = s8_ld32(t + 2 * oq + 4);                                                       \
        a1 = s8_smlabt(A, w12, a1);                                                        \
        a2 = s8_smlad(A, w01, a2);                                                         \
        B = s8_ld32(t + 2 * oq + 6);                                                       \
        a2 = s8_smlabt(B, w12, a2);                                                        \
        a3 = s8_smlad(B, w01, a3);                                                         \
        A = s8_ld32(t + 2 * oq + 8);                                                       \
        a3 = s8_smlabt(A, w12, a3);
        S8_DW3_S2_ROW(t0, wp[0], wp[1])
        S8_DW3_S2_ROW(t1, wp[2], wp[3])
        S8_DW3_S2_ROW(t2, wp[4], wp[5])
#undef S8_DW3_S2_ROW
        acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3;
        s8_store4(y, ys, acc, OQ - oq < 4 ? OQ - oq : 4, q, full, lo, hi);
    }
}

#if DNN_S8_ASM
/* Per-channel table of the assembly row kernels (uint32 words):
 *   0..5  W01, W12 of kernel rows 0, 1, 2     6 bias     7 mult    8 rnd    9 rs
 *   10    s8_clamp_k (clamp variant only; 8 then holds the clamp's rnd)
 *   11    output stride (bytes)                        12 outputs after the full groups
 *   13    full groups of 4 per row                        of a row (0..3)
 *   14    output rows left                             15 bytes from the end of a row's
 *   16    output pointer at the current row's start        reads to the next row's start
 *   17    output row stride (bytes)                    18 output pointer of the first row
 * The assembly gets &table[TB_MULT], so one LDM loads mult, rnd, rs and k (into r8-r11,
 * the registers of w0, w1, xa, xb); the other words are at offsets -28 .. +44 from it.
 * The output pointer lives in lr. */
enum { TB_BIAS = 6, TB_MULT = 7, TB_RS = 9, TB_CLAMP = 10, TB_YS = 11, TB_LAST = 12, TB_NQ = 13,
       TB_ROWS = 14, TB_TSTEP = 15, TB_YROW = 16, TB_YRS = 17, TB_Y = 18, TB_WORDS = 19 };

/* one kernel row, stride 1: xa, xb = (x0,x1), (x2,x3); then xa = (x4,x5) */
#define S8_DW_S1_ROW(t)                                                                    \
    "ldrd   %[xa], %[xb], [%[" t "]], #8\n\t"                                              \
    "smlad  %[a0], %[xa], %[w0], %[a0]\n\t"                                                \
    "smlabt %[a0], %[xb], %[w1], %[a0]\n\t"                                                \
    "smlatb %[a1], %[xa], %[w0], %[a1]\n\t"                                                \
    "smlad  %[a1], %[xb], %[w1], %[a1]\n\t"                                                \
    "ldr    %[xa], [%[" t "]]\n\t"                                                         \
    "smlad  %[a2], %[xb], %[w0], %[a2]\n\t"                                                \
    "smlatb %[a3], %[xb], %[w0], %[a3]\n\t"                                                \
    "smlabt %[a2], %[xa], %[w1], %[a2]\n\t"                                                \
    "smlad  %[a3], %[xa], %[w1], %[a3]\n\t"

/* 4 outputs, stride 1; the first kernel row starts the accumulators from the bias */
#define S8_DW_S1_GROUP                                                                     \
    "ldr    %[a0], [%[tb], #-4]\n\t"                                                       \
    "ldrd   %[w0], %[w1], [%[tb], #-28]\n\t"                                                     \
    "ldrd   %[xa], %[xb], [%[t0]], #8\n\t"                                                 \
    "smlatb %[a1], %[xa], %[w0], %[a0]\n\t"                                                \
    "smlad  %[a2], %[xb], %[w0], %[a0]\n\t"                                                \
    "smlatb %[a3], %[xb], %[w0], %[a0]\n\t"                                                \
    "smlad  %[a0], %[xa], %[w0], %[a0]\n\t"                                                \
    "smlabt %[a0], %[xb], %[w1], %[a0]\n\t"                                                \
    "smlad  %[a1], %[xb], %[w1], %[a1]\n\t"                                                \
    "ldr    %[xa], [%[t0]]\n\t"                                                            \
    "smlabt %[a2], %[xa], %[w1], %[a2]\n\t"                                                \
    "smlad  %[a3], %[xa], %[w1], %[a3]\n\t"                                                \
    "ldrd   %[w0], %[w1], [%[tb], #-20]\n\t" S8_DW_S1_ROW("t1")                              \
    "ldrd   %[w0], %[w1], [%[tb], #-12]\n\t" S8_DW_S1_ROW("t2")

/* one kernel row, stride 2: pairs (x0,x1) .. (x8,x9) */
#define S8_DW_S2_ROW(t)                                                                    \
    "ldrd   %[xa], %[xb], [%[" t "]], #8\n\t"                                              \
    "smlad  %[a0], %[xa], %[w0], %[a0]\n\t"                                                \
    "smlabt %[a0], %[xb], %[w1], %[a0]\n\t"                                                \
    "smlad  %[a1], %[xb], %[w0], %[a1]\n\t"                                                \
    "ldrd   %[xa], %[xb], [%[" t "]], #8\n\t"                                              \
    "smlabt %[a1], %[xa], %[w1], %[a1]\n\t"                                                \
    "smlad  %[a2], %[xa], %[w0], %[a2]\n\t"                                                \
    "smlabt %[a2], %[xb], %[w1], %[a2]\n\t"                                                \
    "smlad  %[a3], %[xb], %[w0], %[a3]\n\t"                                                \
    "ldr    %[xa], [%[" t "]]\n\t"                                                         \
    "smlabt %[a3], %[xa], %[w1], %[a3]\n\t"

/* 4 outputs, stride 2 */
#define S8_DW_S2_GROUP                                                                     \
    "ldr    %[a0], [%[tb], #-4]\n\t"                                                       \
    "ldrd   %[w0], %[w1], [%[tb], #-28]\n\t"                                                     \
    "ldrd   %[xa], %[xb], [%[t0]], #8\n\t" /* (x0,x1), (x2,x3) */                          \
    "ldrd   %[a2], %[a3], [%[t0]], #8\n\t" /* (x4,x5), (x6,x7) */                          \
    "smlad  %[a1], %[xb], %[w0], %[a0]\n\t"                                                \
    "smlabt %[a1], %[a2], %[w1], %[a1]\n\t"                                                \
    "smlad  %[a2], %[a2], %[w0], %[a0]\n\t"                                                \
    "smlabt %[a2], %[a3], %[w1], %[a2]\n\t"                                                \
    "smlad  %[a3], %[a3], %[w0], %[a0]\n\t"                                                \
    "smlad  %[a0], %[xa], %[w0], %[a0]\n\t"                                                \
    "smlabt %[a0], %[xb], %[w1], %[a0]\n\t"                                                \
    "ldr    %[xa], [%[t0]]\n\t" /* (x8,x9) */                                              \
    "smlabt %[a3], %[xa], %[w1], %[a3]\n\t"                                                \
    "ldrd   %[w0], %[w1], [%[tb], #-20]\n\t" S8_DW_S2_ROW("t1")                              \
    "ldrd   %[w0], %[w1], [%[tb], #-12]\n\t" S8_DW_S2_ROW("t2")

/* SMMLA, ASR of a0..a3, then SAT4 */
#define S8_DW_REQUANT(SAT4)                                                                \
    "ldm    %[tb], {r8, r9, r10, r11}\n\t" /* mult, rnd, rs, clamp k */                 \
    "smmla  %[a0], %[a0], %[w0], %[w1]\n\t"                                                \
    "smmla  %[a1], %[a1], %[w0], %[w1]\n\t"                                                \
    "smmla  %[a2], %[a2], %[w0], %[w1]\n\t"                                                \
    "smmla  %[a3], %[a3], %[w0], %[w1]\n\t"                                                \
    "asr    %[a0], %[a0], %[xa]\n\t"                                                       \
    "asr    %[a1], %[a1], %[xa]\n\t"                                                       \
    "asr    %[a2], %[a2], %[xa]\n\t"                                                       \
    "asr    %[a3], %[a3], %[xa]\n\t" SAT4

/* int8 saturation (full range) or clamp (S8_CLAMP_ASM) of a0..a3 / of a0 */
#define S8_DW_SAT4_FULL                                                                    \
    "ssat   %[a0], #8, %[a0]\n\t"                                                          \
    "ssat   %[a1], #8, %[a1]\n\t"                                                          \
    "ssat   %[a2], #8, %[a2]\n\t"                                                          \
    "ssat   %[a3], #8, %[a3]\n\t"
#define S8_DW_SAT4_CLAMP                                                                   \
    S8_CLAMP_ASM("a0", "%[xb]") S8_CLAMP_ASM("a1", "%[xb]") \
        S8_CLAMP_ASM("a2", "%[xb]") S8_CLAMP_ASM("a3", "%[xb]")
#define S8_DW_SAT2_FULL "ssat   %[a0], #8, %[a0]\n\tssat   %[a1], #8, %[a1]\n\t"
#define S8_DW_SAT2_CLAMP                                                                   \
    S8_CLAMP_ASM("a0", "%[xb]") S8_CLAMP_ASM("a1", "%[xb]")
#define S8_DW_SAT1_FULL "ssat   %[a0], #8, %[a0]\n\t"
#define S8_DW_SAT1_CLAMP S8_CLAMP_ASM("a0", "%[xb]")

/* Two outputs (the tail of a row): a0, a1 from the bias and the taps of t0..t2 (no
 * pointer updates). Stride 1 reads x0..x3 of each kernel row, stride 2 x0..x5. */
#define S8_DW_S1_PAIR_ROW(t, off)                                                          \
    "ldrd   %[w0], %[w1], [%[tb], #" off "]\n\t"                                           \
    "ldrd   %[xa], %[xb], [%[" t "]]\n\t"                                                  \
    "smlad  %[a0], %[xa], %[w0], %[a0]\n\t"                                                \
    "smlabt %[a0], %[xb], %[w1], %[a0]\n\t"                                                \
    "smlatb %[a1], %[xa], %[w0], %[a1]\n\t"                                                \
    "smlad  %[a1], %[xb], %[w1], %[a1]\n\t"
#define S8_DW_S1_PAIR                                                                      \
    "ldr    %[a0], [%[tb], #-4]\n\t"                                                       \
    "mov    %[a1], %[a0]\n\t" S8_DW_S1_PAIR_ROW("t0", "-28") S8_DW_S1_PAIR_ROW("t1", "-20")      \
        S8_DW_S1_PAIR_ROW("t2", "-12")
#define S8_DW_S2_PAIR_ROW(t, off)                                                          \
    "ldrd   %[w0], %[w1], [%[tb], #" off "]\n\t"                                           \
    "ldrd   %[xa], %[xb], [%[" t "]]\n\t"                                                  \
    "ldr    %[a2], [%[" t "], #8]\n\t"                                                     \
    "smlad  %[a0], %[xa], %[w0], %[a0]\n\t"                                                \
    "smlabt %[a0], %[xb], %[w1], %[a0]\n\t"                                                \
    "smlad  %[a1], %[xb], %[w0], %[a1]\n\t"                                                \
    "smlabt %[a1], %[a2], %[w1], %[a1]\n\t"
#define S8_DW_S2_PAIR                                                                      \
    "ldr    %[a0], [%[tb], #-4]\n\t"                                                       \
    "mov    %[a1], %[a0]\n\t" S8_DW_S2_PAIR_ROW("t0", "-28") S8_DW_S2_PAIR_ROW("t1", "-20")      \
        S8_DW_S2_PAIR_ROW("t2", "-12")

/* A whole channel: tb[TB_ROWS] output rows of tb[TB_NQ] groups of 4 outputs plus
 * tb[TB_LAST] more (a single one costs 19 instructions, two 35, three use a full group
 * whose extra reads stay in the planes' slack). t0..t2: the plane rows of the first output
 * row's 3 kernel rows. */
#define S8_DW_CHANNEL(GROUP, PAIR, SAT4, SAT2, SAT1)                                       \
    "ldr    lr, [%[tb], #44]\n\t"                                                          \
    "0:\n\t"                                                                               \
    "ldr    %[n], [%[tb], #24]\n\t"                                                        \
    "cmp    %[n], #0\n\t"                                                                  \
    "beq    2f\n\t"                                                                        \
    "1:\n\t" GROUP S8_DW_REQUANT(SAT4)                                                     \
    "ldr    %[w1], [%[tb], #16]\n\t" /* ys */                                              \
    "strb   %[a0], [lr]\n\t"                                                               \
    "strb   %[a1], [lr, %[w1]]\n\t"                                                        \
    "add    lr, lr, %[w1], lsl #1\n\t"                                                     \
    "strb   %[a2], [lr]\n\t"                                                               \
    "strb   %[a3], [lr, %[w1]]\n\t"                                                        \
    "add    lr, lr, %[w1], lsl #1\n\t"                                                     \
    "subs   %[n], %[n], #1\n\t"                                                            \
    "bne    1b\n\t"                                                                        \
    "2:\n\t"                                                                               \
    "ldr    %[xa], [%[tb], #20]\n\t"                                                       \
    "cmp    %[xa], #2\n\t"                                                                 \
    "bgt    3f\n\t"                                                                        \
    "beq    4f\n\t"                                                                        \
    "cmp    %[xa], #1\n\t"                                                                 \
    "blt    8f\n\t"                                                                        \
    /* one output: taps x0..x2 of each kernel row */                                      \
    "ldr    %[a0], [%[tb], #-4]\n\t"                                                       \
    "ldrd   %[w0], %[w1], [%[tb], #-28]\n\t"                                                     \
    "ldrd   %[xa], %[xb], [%[t0]]\n\t"                                                     \
    "smlad  %[a0], %[xa], %[w0], %[a0]\n\t"                                                \
    "smlabt %[a0], %[xb], %[w1], %[a0]\n\t"                                                \
    "ldrd   %[w0], %[w1], [%[tb], #-20]\n\t"                                                 \
    "ldrd   %[xa], %[xb], [%[t1]]\n\t"                                                     \
    "smlad  %[a0], %[xa], %[w0], %[a0]\n\t"                                                \
    "smlabt %[a0], %[xb], %[w1], %[a0]\n\t"                                                \
    "ldrd   %[w0], %[w1], [%[tb], #-12]\n\t"                                                \
    "ldrd   %[xa], %[xb], [%[t2]]\n\t"                                                     \
    "smlad  %[a0], %[xa], %[w0], %[a0]\n\t"                                                \
    "smlabt %[a0], %[xb], %[w1], %[a0]\n\t"                                                \
    "ldm    %[tb], {r8, r9, r10, r11}\n\t"                                                 \
    "smmla  %[a0], %[a0], %[w0], %[w1]\n\t"                                                \
    "asr    %[a0], %[a0], %[xa]\n\t" SAT1                                                  \
    "strb   %[a0], [lr]\n\t"                                                               \
    "b      8f\n\t"                                                                        \
    "4:\n\t" PAIR /* two outputs */                                                        \
    "ldm    %[tb], {r8, r9, r10, r11}\n\t"                                                 \
    "smmla  %[a0], %[a0], %[w0], %[w1]\n\t"                                                \
    "smmla  %[a1], %[a1], %[w0], %[w1]\n\t"                                                \
    "asr    %[a0], %[a0], %[xa]\n\t"                                                       \
    "asr    %[a1], %[a1], %[xa]\n\t" SAT2                                                  \
    "ldr    %[w1], [%[tb], #16]\n\t"                                                       \
    "strb   %[a0], [lr]\n\t"                                                               \
    "strb   %[a1], [lr, %[w1]]\n\t"                                                        \
    "b      8f\n\t"                                                                        \
    "3:\n\t" GROUP S8_DW_REQUANT(SAT4) /* three outputs */                                 \
    "ldr    %[w1], [%[tb], #16]\n\t"                                                       \
    "strb   %[a0], [lr]\n\t"                                                               \
    "strb   %[a1], [lr, %[w1]]\n\t"                                                        \
    "add    %[w0], lr, %[w1], lsl #1\n\t"                                                  \
    "strb   %[a2], [%[w0]]\n\t"                                                            \
    "8:\n\t" /* next output row, if any */                                                 \
    "ldr    %[xa], [%[tb], #28]\n\t"                                                       \
    "subs   %[xa], %[xa], #1\n\t"                                                          \
    "beq    9f\n\t"                                                                        \
    "str    %[xa], [%[tb], #28]\n\t"                                                       \
    "ldr    %[xa], [%[tb], #32]\n\t"                                                       \
    "add    %[t0], %[t0], %[xa]\n\t"                                                       \
    "add    %[t1], %[t1], %[xa]\n\t"                                                       \
    "add    %[t2], %[t2], %[xa]\n\t"                                                       \
    "ldrd   %[w0], %[w1], [%[tb], #36]\n\t"                                                \
    "add    lr, %[w0], %[w1]\n\t"                                                          \
    "str    lr, [%[tb], #36]\n\t"                                                          \
    "b      0b\n\t"                                                                        \
    "9:\n\t"

/* 3x3 taps, column stride 1: per group of 4 outputs 3 x (2 loads + 8 MAC instructions)
 * + bias, weights, requantization (one LDM of its words), 4 stores = 56 instructions for
 * 36 MACs (8 more with a clamp). Column stride 2: the same with 5 loads per kernel row. */
#define S8_DW_ASM_FN(NAME, GROUP, PAIR, SAT4, SAT2, SAT1)                                  \
    static void NAME(const int16_t *t0, const int16_t *t1, const int16_t *t2, uint32_t *tb) \
    {                                                                                      \
        uint32_t a0, a1, a2, a3, n;                                                        \
        register uint32_t w0 __asm__("r8"), w1 __asm__("r9"), xa __asm__("r10"),           \
            xb __asm__("r11"); /* the LDM of the requantization words */                   \
        tb += TB_MULT;                                                                     \
        __asm__ volatile(S8_DW_CHANNEL(GROUP, PAIR, SAT4, SAT2, SAT1)                      \
                         : [t0] "+r"(t0), [t1] "+r"(t1), [t2] "+r"(t2), [n] "=&r"(n),        \
                           [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3),   \
                           [w0] "=&r"(w0), [w1] "=&r"(w1), [xa] "=&r"(xa), [xb] "=&r"(xb)    \
                         : [tb] "r"(tb)                                                    \
                         : "cc", "memory", "lr");                                          \
    }

S8_DW_ASM_FN(dw3_s1_asm, S8_DW_S1_GROUP, S8_DW_S1_PAIR, S8_DW_SAT4_FULL, S8_DW_SAT2_FULL,
             S8_DW_SAT1_FULL)
S8_DW_ASM_FN(dw3_s2_asm, S8_DW_S2_GROUP, S8_DW_S2_PAIR, S8_DW_SAT4_FULL, S8_DW_SAT2_FULL,
             S8_DW_SAT1_FULL)
S8_DW_ASM_FN(dw3_s1_asm_clamp, S8_DW_S1_GROUP, S8_DW_S1_PAIR, S8_DW_SAT4_CLAMP,
             S8_DW_SAT2_CLAMP, S8_DW_SAT1_CLAMP)
S8_DW_ASM_FN(dw3_s2_asm_clamp, S8_DW_S2_GROUP, S8_DW_S2_PAIR, S8_DW_SAT4_CLAMP,
             S8_DW_SAT2_CLAMP, S8_DW_SAT1_CLAMP)

typedef void (*dw3_asm_fn)(const int16_t *t0, const int16_t *t1, const int16_t *t2, uint32_t *tb);

/* the variant for the column stride and the clamp */
static dw3_asm_fn dw3_asm_for(int s2, int full)
{
    if (full)
        return s2 ? dw3_s2_asm : dw3_s1_asm;
    return s2 ? dw3_s2_asm_clamp : dw3_s1_asm_clamp;
}
#endif

void dnn_s8_dw_core(const dnn_s8_conv_params *p, const dnn_s8_dw_io *io, const int8_t *x,
                    const dnn_s8_chan *chan, int8_t *y, void *scratch)
{
    const int32_t C = io->c, KHW = p->kh * p->kw, zp = p->input_zp;
    const int32_t lo = p->act_min, hi = p->act_max, full = s8_full_range(lo, hi);
    dw_geom g;
    int32_t *tags = (int32_t *)scratch;
    int16_t *ring;
    size_t slot_sz;
    int32_t n, c0, j, orow, kr, kq, s;
    int k3;

    dw_geometry(p, io->in_stride, io->out_stride, &g);
    ring = (int16_t *)(tags + g.slots);
    slot_sz = 4 * (size_t)g.qp;
    /* the 3x3 kernels: 3 kernel rows of 3 taps, dilation 1 along columns, column stride
     * 1 or 2 (any row stride / row dilation) */
    k3 = g.KR == 3 && g.KQ == 3 && g.dq == 1 && (g.sq == 1 || g.sq == 2);

    { /* padding and slack columns of every plane row: the zero point, once */
        const uint32_t zz = s8_pair(zp, zp);
        const size_t words = (size_t)g.slots * slot_sz / 2;
        size_t i;
        for (i = 0; i < words; i++)
            s8_st32(ring + 2 * i, zz);
    }
#if DNN_S8_ASM
    /* the channel tables of a block of 4 channels; first the words common to all */
    uint32_t tb[4][TB_WORDS];
    const dw3_asm_fn dw3_asm = dw3_asm_for(g.sq == 2, full);
    for (j = 0; j < 4; j++) {
        tb[j][TB_CLAMP] = s8_clamp_k(lo, hi);
        tb[j][TB_YS] = (uint32_t)g.y_qs;
        tb[j][TB_LAST] = (uint32_t)(g.OQ & 3);
        tb[j][TB_NQ] = (uint32_t)(g.OQ >> 2);
        tb[j][TB_ROWS] = 1; /* one row per call in ring mode (a call leaves it at 1) */
        /* the row's reads advanced t0..t2 by 8 * sq bytes per group of 4, including a
         * 3-output tail group */
        tb[j][TB_TSTEP] = (uint32_t)((int32_t)(g.sr * slot_sz * 2) -
                                     ((g.OQ >> 2) + ((g.OQ & 3) == 3)) * 8 * g.sq);
        tb[j][TB_YRS] = (uint32_t)g.y_rs;
    }
#endif
    for (n = 0; n < p->n; n++) {
        const int8_t *xn = x + (size_t)n * (size_t)p->h * (size_t)p->w * (size_t)io->in_stride;
        int8_t *yn = y + (size_t)n * (size_t)p->oh * (size_t)p->ow * (size_t)io->out_stride;
        for (c0 = 0; c0 < C; c0 += 4) {
            const int32_t nc = C - c0 < 4 ? C - c0 : 4;
            /* the block's weights tp[j * KHW + t]: in place, or from the hook */
            const int8_t *tp = io->taps ? io->taps(io->ctx, c0, nc)
                                        : io->w + (size_t)c0 * (size_t)KHW;
            s8_rq rq[4];
            uint32_t wp[4][6];
#if DNN_S8_ASM
            int fast[4], all_fast = 1;
#endif
            for (j = 0; j < nc; j++) {
                const int8_t *wc = tp + (size_t)j * (size_t)KHW;
                const dnn_s8_chan *ch = &chan[c0 + j];
#if DNN_S8_ASM
                fast[j] = k3 && ch->shift <= -2;
                if (fast[j]) { /* the assembly's table only */
                    const int32_t rs = -1 - ch->shift;
                    dw3_weight_pairs(tb[j], wc, g.w_rs, g.w_qs);
                    tb[j][TB_BIAS] = (uint32_t)ch->bias;
                    tb[j][TB_MULT] = (uint32_t)ch->mult;
                    tb[j][TB_MULT + 1] = (uint32_t)(full ? ch->rnd : s8_clamp_rnd(ch->rnd, rs, lo));
                    tb[j][TB_RS] = (uint32_t)rs;
                    continue;
                }
                all_fast = 0;
#endif
                rq[j] = s8_rq_chan(ch);
                if (k3)
                    dw3_weight_pairs(wp[j], wc, g.w_rs, g.w_qs);
            }
            for (s = 0; s < g.slots; s++)
                tags[s] = INT32_MIN;
#if DNN_S8_ASM
            if (g.plane && all_fast) { /* load every row, then each channel in one call */
                const size_t pitch = (size_t)g.dr * slot_sz;
                dw_load_plane(&g, xn + c0, nc, zp, ring);
                for (j = 0; j < nc; j++) {
                    const int16_t *t0 = ring + (size_t)j * (size_t)g.qp;
                    int8_t *yr = yn + (size_t)(c0 + j);
                    tb[j][TB_Y] = tb[j][TB_YROW] = (uint32_t)(uintptr_t)yr;
                    tb[j][TB_ROWS] = (uint32_t)g.OR;
                    dw3_asm(t0, t0 + pitch, t0 + 2 * pitch, tb[j]);
                }
                continue;
            }
#endif
            for (orow = 0; orow < g.OR; orow++) {
                const int32_t base = orow * g.sr, sb = base % g.slots;
                const int16_t *rp[3] = {NULL, NULL, NULL}; /* plane 0 rows of a 3-row kernel */
                /* make sure the input rows of this output row are in the ring; input row
                 * r = base - pr + kr*dr lives in slot (base + kr*dr) % slots */
                for (kr = 0, s = sb; kr < g.KR; kr++) {
                    const int32_t r = base - g.pr + kr * g.dr;
                    int16_t *slot = ring + (size_t)s * slot_sz;
                    if (tags[s] != r) {
                        dw_load_row(&g, xn + c0, r, nc, zp, slot);
                        tags[s] = r;
                    }
                    if (kr < 3)
                        rp[kr] = slot;
                    s += g.dr;
                    if (s >= g.slots)
                        s -= g.slots;
                }
                for (j = 0; j < nc; j++) {
                    int8_t *yr = yn + (size_t)orow * (size_t)g.y_rs + (size_t)(c0 + j);
                    const int32_t b = chan[c0 + j].bias;
                    const size_t pj = (size_t)j * (size_t)g.qp; /* plane j in a slot */
                    if (k3) {
#if DNN_S8_ASM
                        if (fast[j]) { /* the whole row in assembly */
                            tb[j][TB_Y] = (uint32_t)(uintptr_t)yr;
                            dw3_asm(rp[0] + pj, rp[1] + pj, rp[2] + pj, tb[j]);
                            continue;
                        }
#endif
                        if (g.sq == 1)
                            dw3_s1_row(rp[0] + pj, rp[1] + pj, rp[2] + pj, wp[j], b, &rq[j], yr,
                                       g.y_qs, g.OQ, full, lo, hi);
                        else
                            dw3_s2_row(rp[0] + pj, rp[1] + pj, rp[2] + pj, wp[j], b, &rq[j], yr,
                                       g.y_qs, g.OQ, full, lo, hi);
                    } else {
                        const int8_t *wc = tp + (size_t)j * (size_t)KHW;
                        int32_t oq;
                        for (oq = 0; oq < g.OQ; oq++) {
                            uint32_t acc = (uint32_t)b;
                            int32_t sl = sb;
                            for (kr = 0; kr < g.KR; kr++) {
                                const int16_t *t = ring + (size_t)sl * slot_sz + pj + (size_t)oq * (size_t)g.sq;
                                const int8_t *wr = wc + kr * g.w_rs;
                                for (kq = 0; kq < g.KQ; kq++)
                                    acc += (uint32_t)(t[kq * g.dq] * wr[kq * g.w_qs]);
                                sl += g.dr;
                                if (sl >= g.slots)
                                    sl -= g.slots;
                            }
                            yr[(size_t)oq * (size_t)g.y_qs] =
                                s8_out(s8_rq_apply(&rq[j], (int32_t)acc), full, lo, hi);
                        }
                    }
                }
            }
        }
    }
}

void dnn_s8_dw_conv(const dnn_s8_conv_params *p, const int8_t *x, const int8_t *packed_w,
                    const dnn_s8_chan *chan, int8_t *y, void *scratch)
{
    dnn_s8_dw_io io;
    io.in_stride = io.out_stride = io.c = p->c;
    io.w = packed_w, io.taps = NULL, io.ctx = NULL;
    dnn_s8_dw_core(p, &io, x, chan, y, scratch);
}
