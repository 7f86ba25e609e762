/*
 * dnn_conv.c - float32 convolution kernels (see dnn_conv.h).
 *
 * Cost model behind the structure (Cortex-M4F, counted in executed instructions):
 * VFMA is one MAC per instruction, so the overhead to amortize is operand loads
 * (VLDR: one float each; VLDR has no post-increment and no register offset) and loop
 * control. The general kernel keeps 4 output channels x 4 output pixels = 16
 * accumulators in registers (s0-s31): per input channel it loads 4 weights and 4
 * inputs for 16 MACs, about (16 + 8 + 4) / 16 = 1.75 instructions per MAC in the
 * channel loop (GCC keeps it at that; unrolling it further only grew the code). The
 * 3x3 stride-1 kernel loads 6 inputs and 12 weights for 48 MACs (~1.45 / MAC).
 * Padding is handled per tap outside the channel loop; kernel-row ranges are clipped
 * per output row. The depthwise 3x3 strips keep the 9 weights in registers and load
 * every input once per 4-column strip.
 *
 * Pointers are only formed to valid elements (or one past), loop bodies never test
 * bounds, and nothing is allocated.
 */
#include "dnn_conv.h"

static const float dnn_zero4[4] = {0.0f, 0.0f, 0.0f, 0.0f};

typedef struct conv_geo {
    int32_t C;            /* input channels per group */
    int32_t H, W, HW;     /* input plane */
    int32_t OW, OHW;      /* output row length, output plane */
    int32_t KH, KW, sh, sw, dh, dw, pt, pl;
    int32_t wkh;          /* floats between kernel rows inside a 4-channel weight block */
    int mode;             /* DNN_ACT_* */
    float lo, hi;
} conv_geo;


static DNN_ALWAYS_INLINE void store4(float *y, float v0, float v1, float v2, float v3, int mode,
                                     float lo, float hi)
{
    if (mode == DNN_ACT_RELU) {
        dnn_store_relu(y + 0, v0);
        dnn_store_relu(y + 1, v1);
        dnn_store_relu(y + 2, v2);
        dnn_store_relu(y + 3, v3);
    } else if (mode == DNN_ACT_RELU_N) {
        dnn_store_relu_n(y + 0, v0, hi);
        dnn_store_relu_n(y + 1, v1, hi);
        dnn_store_relu_n(y + 2, v2, hi);
        dnn_store_relu_n(y + 3, v3, hi);
    } else if (mode == DNN_ACT_CLAMP) {
        y[0] = dnn_clampf(v0, lo, hi);
        y[1] = dnn_clampf(v1, lo, hi);
        y[2] = dnn_clampf(v2, lo, hi);
        y[3] = dnn_clampf(v3, lo, hi);
    } else {
        y[0] = v0;
        y[1] = v1;
        y[2] = v2;
        y[3] = v3;
    }
}

/* Runs BODY(xp, wp) for CNT >= 1 consecutive input channels: input planes are XS
 * floats apart, weight groups WS floats apart. Never forms a pointer past the last
 * channel. */
#define CHAN_LOOP(CNT, XP, WP, XS, WS, BODY)                                                       \
    do {                                                                                           \
        const float *xp_ = (XP), *wp_ = (WP);                                                      \
        int32_t c_ = (CNT);                                                                        \
        for (;;) {                                                                                 \
            BODY(xp_, wp_);                                                                        \
            if (--c_ == 0)                                                                         \
                break;                                                                             \
            xp_ += (XS);                                                                           \
            wp_ += (WS);                                                                           \
        }                                                                                          \
    } while (0)

/* ---------------------------------------------------------------------------------------
 * General convolution: 4 output channels x 4 output pixels.
 * ------------------------------------------------------------------------------------- */

#define FMA4(A0, A1, A2, A3, w, x0, x1, x2, x3)                                                    \
    A0 = DNN_FMA(w, x0, A0);                                                                       \
    A1 = DNN_FMA(w, x1, A1);                                                                       \
    A2 = DNN_FMA(w, x2, A2);                                                                       \
    A3 = DNN_FMA(w, x3, A3)

/* one input channel, P <= 4 pixels S apart, all inside the input (the accumulators
 * of pixels >= P are dead and optimized away) */
#define BODY44(xp, wp)                                                                             \
    do {                                                                                           \
        const float w0_ = (wp)[0], w1_ = (wp)[1], w2_ = (wp)[2], w3_ = (wp)[3];                    \
        const float x0_ = (xp)[0], x1_ = P > 1 ? (xp)[S] : 0.0f;                                   \
        const float x2_ = P > 2 ? (xp)[2 * S] : 0.0f, x3_ = P > 3 ? (xp)[3 * S] : 0.0f;            \
        FMA4(a00, a01, a02, a03, w0_, x0_, x1_, x2_, x3_);                                         \
        FMA4(a10, a11, a12, a13, w1_, x0_, x1_, x2_, x3_);                                         \
        FMA4(a20, a21, a22, a23, w2_, x0_, x1_, x2_, x3_);                                         \
        FMA4(a30, a31, a32, a33, w3_, x0_, x1_, x2_, x3_);                                         \
    } while (0)

/* one input channel, one pixel (accumulators A0..A3 of the 4 channels) */
#define BODY41(xp, wp, A0, A1, A2, A3)                                                             \
    do {                                                                                           \
        const float x_ = (xp)[0];                                                                  \
        A0 = DNN_FMA((wp)[0], x_, A0);                                                             \
        A1 = DNN_FMA((wp)[1], x_, A1);                                                             \
        A2 = DNN_FMA((wp)[2], x_, A2);                                                             \
        A3 = DNN_FMA((wp)[3], x_, A3);                                                             \
    } while (0)
#define BODY41_P0(xp, wp) BODY41(xp, wp, a00, a10, a20, a30)
#define BODY41_P1(xp, wp) BODY41(xp, wp, a01, a11, a21, a31)
#define BODY41_P2(xp, wp) BODY41(xp, wp, a02, a12, a22, a32)
#define BODY41_P3(xp, wp) BODY41(xp, wp, a03, a13, a23, a33)

#define DECLARE_ACC16(b)                                                                           \
    float a00 = (b)[0], a01 = a00, a02 = a00, a03 = a00;                                           \
    float a10 = (b)[1], a11 = a10, a12 = a10, a13 = a10;                                           \
    float a20 = (b)[2], a21 = a20, a22 = a20, a23 = a20;                                           \
    float a30 = (b)[3], a31 = a30, a32 = a30, a33 = a30

#define STORE_ACC16(g, y)                                                                          \
    do {                                                                                           \
        store4((y), a00, a01, a02, a03, (g)->mode, (g)->lo, (g)->hi);                              \
        store4((y) + (g)->OHW, a10, a11, a12, a13, (g)->mode, (g)->lo, (g)->hi);                   \
        store4((y) + 2 * (g)->OHW, a20, a21, a22, a23, (g)->mode, (g)->lo, (g)->hi);               \
        store4((y) + 3 * (g)->OHW, a30, a31, a32, a33, (g)->mode, (g)->lo, (g)->hi);               \
    } while (0)

/* 4 channels x P pixels (P <= 4, compile-time) with input column stride S; input
 * column of pixel 0 is iw0 (may be negative), kernel rows [kh0, kh1) are valid. Taps
 * partly in the padding run per pixel. */
static DNN_ALWAYS_INLINE void conv_4xP_t(const conv_geo *g, const float *wb, const float *x,
                                         int32_t ih0, int32_t iw0, int32_t kh0, int32_t kh1,
                                         const float *bias, float *y, const int32_t S,
                                         const int P)
{
    const int32_t C = g->C, W = g->W, HW = g->HW, KW = g->KW, WS = 4 * KW;
    int32_t kh, kw;
    DECLARE_ACC16(bias);

    for (kh = kh0; kh < kh1; kh++) {
        const float *xrow = x + (ih0 + kh * g->dh) * W;
        const float *wk = wb + kh * g->wkh;
        for (kw = 0; kw < KW; kw++) {
            const int32_t iw = iw0 + kw * g->dw;
            const float *wt = wk + 4 * kw;
            if (iw >= 0 && iw + (P - 1) * S < W) {
                CHAN_LOOP(C, xrow + iw, wt, HW, WS, BODY44);
            } else {
                if (iw >= 0 && iw < W)
                    CHAN_LOOP(C, xrow + iw, wt, HW, WS, BODY41_P0);
                if (P > 1 && iw + S >= 0 && iw + S < W)
                    CHAN_LOOP(C, xrow + iw + S, wt, HW, WS, BODY41_P1);
                if (P > 2 && iw + 2 * S >= 0 && iw + 2 * S < W)
                    CHAN_LOOP(C, xrow + iw + 2 * S, wt, HW, WS, BODY41_P2);
                if (P > 3 && iw + 3 * S >= 0 && iw + 3 * S < W)
                    CHAN_LOOP(C, xrow + iw + 3 * S, wt, HW, WS, BODY41_P3);
            }
        }
    }
    if (P == 4) {
        STORE_ACC16(g, y);
    } else {
#define STORE_P(yj, A0, A1, A2)                                                                    \
    do {                                                                                           \
        dnn_store_act((yj), A0, g->mode, g->lo, g->hi);                                            \
        if (P > 1)                                                                                 \
            dnn_store_act((yj) + 1, A1, g->mode, g->lo, g->hi);                                    \
        if (P > 2)                                                                                 \
            dnn_store_act((yj) + 2, A2, g->mode, g->lo, g->hi);                                    \
    } while (0)
        STORE_P(y, a00, a01, a02);
        STORE_P(y + g->OHW, a10, a11, a12);
        STORE_P(y + 2 * g->OHW, a20, a21, a22);
        STORE_P(y + 3 * g->OHW, a30, a31, a32);
#undef STORE_P
    }
}

static void conv_4x4_s1(const conv_geo *g, const float *wb, const float *x, int32_t ih0,
                        int32_t iw0, int32_t kh0, int32_t kh1, const float *bias, float *y)
{
    conv_4xP_t(g, wb, x, ih0, iw0, kh0, kh1, bias, y, 1, 4);
}

#ifndef DNN_CONV_SMALL
static void conv_4x4_s2(const conv_geo *g, const float *wb, const float *x, int32_t ih0,
                        int32_t iw0, int32_t kh0, int32_t kh1, const float *bias, float *y)
{
    conv_4xP_t(g, wb, x, ih0, iw0, kh0, kh1, bias, y, 2, 4);
}

#endif /* DNN_CONV_SMALL */

static void conv_4x4_sn(const conv_geo *g, const float *wb, const float *x, int32_t ih0,
                        int32_t iw0, int32_t kh0, int32_t kh1, const float *bias, float *y)
{
    conv_4xP_t(g, wb, x, ih0, iw0, kh0, kh1, bias, y, g->sw, 4);
}

/* row tails: 1 to 3 pixels */
static void conv_4x1(const conv_geo *g, const float *wb, const float *x, int32_t ih0,
                     int32_t iw0, int32_t kh0, int32_t kh1, const float *bias, float *y)
{
    const int32_t C = g->C, W = g->W, HW = g->HW, WS = 4 * g->KW;
    int32_t kh, kw, kw0, kw1;
    float a00 = bias[0], a10 = bias[1], a20 = bias[2], a30 = bias[3];

    dnn_tap_range(iw0, g->dw, g->KW, W, &kw0, &kw1);
    for (kh = kh0; kh < kh1; kh++) {
        const float *xrow = x + (ih0 + kh * g->dh) * W;
        const float *wk = wb + kh * g->wkh;
        for (kw = kw0; kw < kw1; kw++)
            CHAN_LOOP(C, xrow + iw0 + kw * g->dw, wk + 4 * kw, HW, WS, BODY41_P0);
    }
    dnn_store_act(y, a00, g->mode, g->lo, g->hi);
    dnn_store_act(y + g->OHW, a10, g->mode, g->lo, g->hi);
    dnn_store_act(y + 2 * g->OHW, a20, g->mode, g->lo, g->hi);
    dnn_store_act(y + 3 * g->OHW, a30, g->mode, g->lo, g->hi);
}

#ifndef DNN_CONV_SMALL
static void conv_4x2(const conv_geo *g, const float *wb, const float *x, int32_t ih0,
                     int32_t iw0, int32_t kh0, int32_t kh1, const float *bias, float *y)
{
    conv_4xP_t(g, wb, x, ih0, iw0, kh0, kh1, bias, y, g->sw, 2);
}

static void conv_4x3(const conv_geo *g, const float *wb, const float *x, int32_t ih0,
                     int32_t iw0, int32_t kh0, int32_t kh1, const float *bias, float *y)
{
    conv_4xP_t(g, wb, x, ih0, iw0, kh0, kh1, bias, y, g->sw, 3);
}

#endif /* DNN_CONV_SMALL */

#ifndef DNN_CONV_SMALL
/* 3x3, stride 1, dilation 1: per input channel and kernel row, the 6 input columns
 * iw0 .. iw0+5 feed all 3 taps of the 4 pixels. xp points at column iw0 + 1 (always
 * inside the row). L0: column iw0 is left padding; R0: column iw0 + 5 is right
 * padding (compile-time flags: the corresponding MACs are dropped). */
#define BODY33(xp, wp)                                                                             \
    do {                                                                                           \
        const float x1_ = (xp)[0], x2_ = (xp)[1], x3_ = (xp)[2], x4_ = (xp)[3];                    \
        float w0_ = (wp)[0], w1_ = (wp)[1], w2_ = (wp)[2], w3_ = (wp)[3];                          \
        if (!L0) {                                                                                 \
            const float x0_ = (xp)[-1];                                                            \
            a00 = DNN_FMA(w0_, x0_, a00);                                                          \
            a10 = DNN_FMA(w1_, x0_, a10);                                                          \
            a20 = DNN_FMA(w2_, x0_, a20);                                                          \
            a30 = DNN_FMA(w3_, x0_, a30);                                                          \
        }                                                                                          \
        a01 = DNN_FMA(w0_, x1_, a01);                                                              \
        a02 = DNN_FMA(w0_, x2_, a02);                                                              \
        a03 = DNN_FMA(w0_, x3_, a03);                                                              \
        a11 = DNN_FMA(w1_, x1_, a11);                                                              \
        a12 = DNN_FMA(w1_, x2_, a12);                                                              \
        a13 = DNN_FMA(w1_, x3_, a13);                                                              \
        a21 = DNN_FMA(w2_, x1_, a21);                                                              \
        a22 = DNN_FMA(w2_, x2_, a22);                                                              \
        a23 = DNN_FMA(w2_, x3_, a23);                                                              \
        a31 = DNN_FMA(w3_, x1_, a31);                                                              \
        a32 = DNN_FMA(w3_, x2_, a32);                                                              \
        a33 = DNN_FMA(w3_, x3_, a33);                                                              \
        w0_ = (wp)[4];                                                                             \
        w1_ = (wp)[5];                                                                             \
        w2_ = (wp)[6];                                                                             \
        w3_ = (wp)[7];                                                                             \
        FMA4(a00, a01, a02, a03, w0_, x1_, x2_, x3_, x4_);                                         \
        FMA4(a10, a11, a12, a13, w1_, x1_, x2_, x3_, x4_);                                         \
        FMA4(a20, a21, a22, a23, w2_, x1_, x2_, x3_, x4_);                                         \
        FMA4(a30, a31, a32, a33, w3_, x1_, x2_, x3_, x4_);                                         \
        w0_ = (wp)[8];                                                                             \
        w1_ = (wp)[9];                                                                             \
        w2_ = (wp)[10];                                                                            \
        w3_ = (wp)[11];                                                                            \
        a00 = DNN_FMA(w0_, x2_, a00);                                                              \
        a01 = DNN_FMA(w0_, x3_, a01);                                                              \
        a02 = DNN_FMA(w0_, x4_, a02);                                                              \
        a10 = DNN_FMA(w1_, x2_, a10);                                                              \
        a11 = DNN_FMA(w1_, x3_, a11);                                                              \
        a12 = DNN_FMA(w1_, x4_, a12);                                                              \
        a20 = DNN_FMA(w2_, x2_, a20);                                                              \
        a21 = DNN_FMA(w2_, x3_, a21);                                                              \
        a22 = DNN_FMA(w2_, x4_, a22);                                                              \
        a30 = DNN_FMA(w3_, x2_, a30);                                                              \
        a31 = DNN_FMA(w3_, x3_, a31);                                                              \
        a32 = DNN_FMA(w3_, x4_, a32);                                                              \
        if (!R0) {                                                                                 \
            const float x5_ = (xp)[4];                                                             \
            a03 = DNN_FMA(w0_, x5_, a03);                                                          \
            a13 = DNN_FMA(w1_, x5_, a13);                                                          \
            a23 = DNN_FMA(w2_, x5_, a23);                                                          \
            a33 = DNN_FMA(w3_, x5_, a33);                                                          \
        }                                                                                          \
    } while (0)

static DNN_ALWAYS_INLINE void conv3x3s1_4x4_t(const conv_geo *g, const float *wb,
                                              const float *x, int32_t ih0, int32_t iw0,
                                              int32_t kh0, int32_t kh1, const float *bias,
                                              float *y, const int L0, const int R0)
{
    const int32_t C = g->C, W = g->W, HW = g->HW;
    int32_t kh;
    DECLARE_ACC16(bias);

    for (kh = kh0; kh < kh1; kh++)
        CHAN_LOOP(C, x + (ih0 + kh * g->dh) * W + iw0 + 1, wb + kh * g->wkh, HW, 12, BODY33);
    STORE_ACC16(g, y);
}

static void conv3x3s1_4x4_in(const conv_geo *g, const float *wb, const float *x, int32_t ih0,
                             int32_t iw0, int32_t kh0, int32_t kh1, const float *bias, float *y)
{
    conv3x3s1_4x4_t(g, wb, x, ih0, iw0, kh0, kh1, bias, y, 0, 0);
}

static void conv3x3s1_4x4_l(const conv_geo *g, const float *wb, const float *x, int32_t ih0,
                            int32_t iw0, int32_t kh0, int32_t kh1, const float *bias, float *y)
{
    conv3x3s1_4x4_t(g, wb, x, ih0, iw0, kh0, kh1, bias, y, 1, 0);
}

static void conv3x3s1_4x4_r(const conv_geo *g, const float *wb, const float *x, int32_t ih0,
                            int32_t iw0, int32_t kh0, int32_t kh1, const float *bias, float *y)
{
    conv3x3s1_4x4_t(g, wb, x, ih0, iw0, kh0, kh1, bias, y, 0, 1);
}

static void conv3x3s1_4x4_lr(const conv_geo *g, const float *wb, const float *x, int32_t ih0,
                             int32_t iw0, int32_t kh0, int32_t kh1, const float *bias, float *y)
{
    conv3x3s1_4x4_t(g, wb, x, ih0, iw0, kh0, kh1, bias, y, 1, 1);
}

#endif /* DNN_CONV_SMALL */

/* Single output channel (channel tails): 4 pixels, weights [KH][C][KW]. */
#define BODY14(xp, wp)                                                                             \
    do {                                                                                           \
        const float w_ = (wp)[0];                                                                  \
        FMA4(a0, a1, a2, a3, w_, (xp)[0], (xp)[S], (xp)[2 * S], (xp)[3 * S]);                      \
    } while (0)
#define BODY11(xp, wp) a0 = DNN_FMA((wp)[0], (xp)[0], a0)
#define BODY11_P1(xp, wp) a1 = DNN_FMA((wp)[0], (xp)[0], a1)
#define BODY11_P2(xp, wp) a2 = DNN_FMA((wp)[0], (xp)[0], a2)
#define BODY11_P3(xp, wp) a3 = DNN_FMA((wp)[0], (xp)[0], a3)

static void conv_1x4(const conv_geo *g, const float *wb, const float *x, int32_t ih0,
                     int32_t iw0, int32_t kh0, int32_t kh1, float bias, float *y)
{
    const int32_t C = g->C, W = g->W, HW = g->HW, KW = g->KW, S = g->sw;
    int32_t kh, kw;
    float a0 = bias, a1 = bias, a2 = bias, a3 = bias;

    for (kh = kh0; kh < kh1; kh++) {
        const float *xrow = x + (ih0 + kh * g->dh) * W;
        const float *wk = wb + kh * C * KW;
        for (kw = 0; kw < KW; kw++) {
            const int32_t iw = iw0 + kw * g->dw;
            if (iw >= 0 && iw + 3 * S < W) {
                CHAN_LOOP(C, xrow + iw, wk + kw, HW, KW, BODY14);
            } else {
                if (iw >= 0 && iw < W)
                    CHAN_LOOP(C, xrow + iw, wk + kw, HW, KW, BODY11);
                if (iw + S >= 0 && iw + S < W)
                    CHAN_LOOP(C, xrow + iw + S, wk + kw, HW, KW, BODY11_P1);
                if (iw + 2 * S >= 0 && iw + 2 * S < W)
                    CHAN_LOOP(C, xrow + iw + 2 * S, wk + kw, HW, KW, BODY11_P2);
                if (iw + 3 * S >= 0 && iw + 3 * S < W)
                    CHAN_LOOP(C, xrow + iw + 3 * S, wk + kw, HW, KW, BODY11_P3);
            }
        }
    }
    store4(y, a0, a1, a2, a3, g->mode, g->lo, g->hi);
}

static void conv_1x1(const conv_geo *g, const float *wb, const float *x, int32_t ih0,
                     int32_t iw0, int32_t kh0, int32_t kh1, float bias, float *y)
{
    const int32_t C = g->C, W = g->W, HW = g->HW, KW = g->KW;
    int32_t kh, kw, kw0, kw1;
    float a0 = bias;

    dnn_tap_range(iw0, g->dw, KW, W, &kw0, &kw1);
    for (kh = kh0; kh < kh1; kh++) {
        const float *xrow = x + (ih0 + kh * g->dh) * W;
        const float *wk = wb + kh * C * KW;
        for (kw = kw0; kw < kw1; kw++)
            CHAN_LOOP(C, xrow + iw0 + kw * g->dw, wk + kw, HW, KW, BODY11);
    }
    dnn_store_act(y, a0, g->mode, g->lo, g->hi);
}

typedef void (*conv_block_fn)(const conv_geo *, const float *, const float *, int32_t, int32_t,
                              int32_t, int32_t, const float *, float *);

/* Pointwise (1x1, no padding): all output rows of a block of 4 output channels in one
 * call, no tap loop, no border tests; 4-pixel blocks along each row, input column
 * stride S (a stride-1 pointwise conv arrives here as one row of H*W pixels). */
static DNN_ALWAYS_INLINE void pw_block4_t(const conv_geo *g, int32_t OH, const float *wb,
                                          const float *x, const float *bias, float *y,
                                          const int32_t S)
{
    const int32_t C = g->C, HW = g->HW, OW = g->OW;
    int32_t oh, ow;
    for (oh = 0; oh < OH; oh++) {
        const float *xr = x + oh * g->sh * g->W;
        float *yr = y + oh * OW;
        for (ow = 0; ow + 4 <= OW; ow += 4) {
            const int P = 4;
            DECLARE_ACC16(bias);
            CHAN_LOOP(C, xr + ow * S, wb, HW, 4, BODY44);
            STORE_ACC16(g, yr + ow);
        }
        if (ow < OW) {
#ifdef DNN_CONV_SMALL
            for (; ow < OW; ow++)
                conv_4x1(g, wb, x, oh * g->sh, ow * S, 0, 1, bias, yr + ow);
#else
            static const conv_block_fn tails[3] = {conv_4x1, conv_4x2, conv_4x3};
            tails[OW - ow - 1](g, wb, x, oh * g->sh, ow * S, 0, 1, bias, yr + ow);
#endif
        }
    }
}

static void pw_block4_s1(const conv_geo *g, int32_t OH, const float *wb, const float *x,
                         const float *bias, float *y)
{
    pw_block4_t(g, OH, wb, x, bias, y, 1);
}

#ifndef DNN_CONV_SMALL
static void pw_block4_s2(const conv_geo *g, int32_t OH, const float *wb, const float *x,
                         const float *bias, float *y)
{
    pw_block4_t(g, OH, wb, x, bias, y, 2);
}

#endif /* DNN_CONV_SMALL */

/* All output rows of one block of 4 output channels. y: output plane of the first. */
static void conv_block4(const conv_geo *g, int32_t OH, const float *wb, const float *x,
                        const float *bias, float *y)
{
    int32_t oh, ow;
#ifdef DNN_CONV_SMALL
    const int slide3 = 0;
    conv_block_fn generic = g->sw == 1 ? conv_4x4_s1 : conv_4x4_sn;
    if (g->KH == 1 && g->KW == 1 && g->pt == 0 && g->pl == 0 && g->sw == 1 &&
        (OH - 1) * g->sh < g->H && g->OW - 1 < g->W) {
        pw_block4_s1(g, OH, wb, x, bias, y);
        return;
    }
#else
    const int slide3 = g->KW == 3 && g->sw == 1 && g->dw == 1;
    conv_block_fn generic = g->sw == 1 ? conv_4x4_s1 : g->sw == 2 ? conv_4x4_s2 : conv_4x4_sn;
    if (g->KH == 1 && g->KW == 1 && g->pt == 0 && g->pl == 0 && (g->sw == 1 || g->sw == 2) &&
        (OH - 1) * g->sh < g->H && (g->OW - 1) * g->sw < g->W) {
        (g->sw == 1 ? pw_block4_s1 : pw_block4_s2)(g, OH, wb, x, bias, y);
        return;
    }
#endif

    for (oh = 0; oh < OH; oh++) {
        const int32_t ih0 = oh * g->sh - g->pt;
        int32_t kh0, kh1;
        float *yr = y + oh * g->OW;
        dnn_tap_range(ih0, g->dh, g->KH, g->H, &kh0, &kh1);
        for (ow = 0; ow + 4 <= g->OW; ow += 4) {
            const int32_t iw0 = ow * g->sw - g->pl;
            conv_block_fn fn = generic;
            (void)slide3;
#ifndef DNN_CONV_SMALL
            if (slide3 && iw0 >= -1 && iw0 + 5 <= g->W && g->W >= 4) {
                const int l = iw0 == -1, r = iw0 + 5 == g->W;
                fn = l ? (r ? conv3x3s1_4x4_lr : conv3x3s1_4x4_l)
                       : (r ? conv3x3s1_4x4_r : conv3x3s1_4x4_in);
            }
#endif
            fn(g, wb, x, ih0, iw0, kh0, kh1, bias, yr + ow);
        }
        if (ow < g->OW) {
#ifdef DNN_CONV_SMALL
            for (; ow < g->OW; ow++)
                conv_4x1(g, wb, x, ih0, ow * g->sw - g->pl, kh0, kh1, bias, yr + ow);
#else
            static const conv_block_fn tails[3] = {conv_4x1, conv_4x2, conv_4x3};
            tails[g->OW - ow - 1](g, wb, x, ih0, ow * g->sw - g->pl, kh0, kh1, bias, yr + ow);
#endif
        }
    }
}

/* All output rows of one single output channel (channel tail). */
static void conv_block1(const conv_geo *g, int32_t OH, const float *wb, const float *x,
                        float bias, float *y)
{
    int32_t oh, ow;
    for (oh = 0; oh < OH; oh++) {
        const int32_t ih0 = oh * g->sh - g->pt;
        int32_t kh0, kh1;
        float *yr = y + oh * g->OW;
        dnn_tap_range(ih0, g->dh, g->KH, g->H, &kh0, &kh1);
        for (ow = 0; ow + 4 <= g->OW; ow += 4)
            conv_1x4(g, wb, x, ih0, ow * g->sw - g->pl, kh0, kh1, bias, yr + ow);
        for (; ow < g->OW; ow++)
            conv_1x1(g, wb, x, ih0, ow * g->sw - g->pl, kh0, kh1, bias, yr + ow);
    }
}

/* ---------------------------------------------------------------------------------------
 * Depthwise convolution (C/group == 1): each output channel reads one input plane.
 * ------------------------------------------------------------------------------------- */

#ifndef DNN_CONV_SMALL
/* 3x3 depthwise "strips": a strip is P <= 4 adjacent output columns over all output
 * rows. The kernel walks down the input rows with the 9 weights in registers; each
 * input row segment it loads (stride 1: columns c1-1 .. c1+P, stride 2: c1-1 .. c1+2P-1)
 * feeds every output row that uses it, so each input is loaded once per strip. Only
 * the first column (LPAD) and the last column (RPAD) of the segment may be padding;
 * their MACs are dropped. LPAD/RPAD/P are compile-time in the 4-column variants; rp
 * points at column c1 (always inside the row). XJ(j) is segment column j. */
#define XJ1(j)                                                                                     \
    ((j) == 0 ? (LPAD ? 0.0f : rp[-1])                                                             \
              : (j) <= P ? rp[(j)-1] : (j) == P + 1 ? (RPAD ? 0.0f : rp[(j)-1]) : 0.0f)
#define XJ2(j)                                                                                     \
    ((j) == 0 ? (LPAD ? 0.0f : rp[-1])                                                             \
              : (j) < 2 * P ? rp[(j)-1] : (j) == 2 * P ? (RPAD ? 0.0f : rp[(j)-1]) : 0.0f)

/* output pixel p of a row: A += k0*x[p*S] + k1*x[p*S+1] + k2*x[p*S+2], S = 1 or 2 */
#define DW_PIX(A, p, S_, k0, k1, k2, xa, xb, xc)                                                   \
    do {                                                                                           \
        if (P > (p)) {                                                                             \
            if (!((p) == 0 && LPAD))                                                               \
                A = DNN_FMA(k0, xa, A);                                                            \
            A = DNN_FMA(k1, xb, A);                                                                \
            if (!((p) == P - 1 && RPAD))                                                           \
                A = DNN_FMA(k2, xc, A);                                                            \
        }                                                                                          \
    } while (0)

#define DW_S1_LOAD(row)                                                                            \
    const float *rp = (row) + c1;                                                                  \
    const float x0 = XJ1(0), x1 = XJ1(1), x2 = XJ1(2), x3 = XJ1(3), x4 = XJ1(4), x5 = XJ1(5)
#define DW_S1_ROW(A, k0, k1, k2)                                                                   \
    do {                                                                                           \
        DW_PIX(A##0, 0, 1, k0, k1, k2, x0, x1, x2);                                                \
        DW_PIX(A##1, 1, 1, k0, k1, k2, x1, x2, x3);                                                \
        DW_PIX(A##2, 2, 1, k0, k1, k2, x2, x3, x4);                                                \
        DW_PIX(A##3, 3, 1, k0, k1, k2, x3, x4, x5);                                                \
    } while (0)

#define DW_S2_LOAD(row)                                                                            \
    const float *rp = (row) + c1;                                                                  \
    const float x0 = XJ2(0), x1 = XJ2(1), x2 = XJ2(2), x3 = XJ2(3), x4 = XJ2(4), x5 = XJ2(5),       \
                x6 = XJ2(6), x7 = XJ2(7), x8 = XJ2(8)
#define DW_S2_ROW(A, k0, k1, k2)                                                                   \
    do {                                                                                           \
        DW_PIX(A##0, 0, 2, k0, k1, k2, x0, x1, x2);                                                \
        DW_PIX(A##1, 1, 2, k0, k1, k2, x2, x3, x4);                                                \
        DW_PIX(A##2, 2, 2, k0, k1, k2, x4, x5, x6);                                                \
        DW_PIX(A##3, 3, 2, k0, k1, k2, x6, x7, x8);                                                \
    } while (0)

/* stores the P values of a set of accumulators to output row `row` */
#define DW_STORE(A, row)                                                                           \
    do {                                                                                           \
        float *yo_ = y + (row)*OW;                                                                 \
        if (P == 4) {                                                                              \
            store4(yo_, A##0, A##1, A##2, A##3, mode, lo, hi);                                     \
        } else {                                                                                   \
            dnn_store_act(yo_, A##0, mode, lo, hi);                                                \
            if (P > 1)                                                                             \
                dnn_store_act(yo_ + 1, A##1, mode, lo, hi);                                        \
            if (P > 2)                                                                             \
                dnn_store_act(yo_ + 2, A##2, mode, lo, hi);                                        \
        }                                                                                          \
    } while (0)

#define DW_SET(A)                                                                                  \
    do {                                                                                           \
        A##0 = bias;                                                                               \
        A##1 = bias;                                                                               \
        A##2 = bias;                                                                               \
        A##3 = bias;                                                                               \
    } while (0)

/* Stride 1: step t loads input row t - pad_t, which feeds output rows t (kernel row 0),
 * t-1 (row 1) and t-2 (row 2), then output row t-2 is complete. The 3 accumulator sets
 * rotate (loop unrolled 3 times). */
#define DWV_STEP(N, M, O)                                                                          \
    {                                                                                              \
        DW_SET(N);                                                                                 \
        if ((uint32_t)r < (uint32_t)H) {                                                           \
            DW_S1_LOAD(xr + ro);                                                                   \
            DW_S1_ROW(N, k00, k01, k02);                                                           \
            DW_S1_ROW(M, k10, k11, k12);                                                           \
            DW_S1_ROW(O, k20, k21, k22);                                                           \
        }                                                                                          \
        if (t >= 2)                                                                                \
            DW_STORE(O, t - 2);                                                                    \
        r++;                                                                                       \
        ro += W;                                                                                   \
        if (++t == tend)                                                                           \
            break;                                                                                 \
    }

#define DW_STRIP_PROLOGUE                                                                          \
    const int32_t W = g->W, H = g->H, OW = g->OW, OH = g->OHW / g->OW;                             \
    const int mode = g->mode;                                                                      \
    const float lo = g->lo, hi = g->hi;                                                            \
    const float k00 = k[0], k01 = k[1], k02 = k[2], k10 = k[3], k11 = k[4], k12 = k[5];            \
    const float k20 = k[6], k21 = k[7], k22 = k[8];                                                \
    float a0 = bias, a1 = bias, a2 = bias, a3 = bias;                                              \
    float b0 = bias, b1 = bias, b2 = bias, b3 = bias;                                              \
    int32_t r = -g->pt, ro = -g->pt * W

static DNN_ALWAYS_INLINE void dw3s1_strip_t(const conv_geo *g, const float *xr, const float *k,
                                            int32_t c1, float bias, float *y, const int LPAD,
                                            const int RPAD, const int P)
{
    DW_STRIP_PROLOGUE;
    float d0 = bias, d1 = bias, d2 = bias, d3 = bias;
    const int32_t tend = OH + 2;
    int32_t t = 0;

    for (;;) {
        DWV_STEP(a, b, d) /* a: row t, b: row t-1, d: row t-2 (stored, then reused) */
        DWV_STEP(d, a, b)
        DWV_STEP(b, d, a)
    }
}

/* Stride 2: input row q - pad_t with q even feeds output row q/2 (kernel row 0) and
 * completes output row q/2 - 1 (kernel row 2); with q odd it feeds output row (q-1)/2
 * (kernel row 1). Two accumulator sets alternate (loop unrolled 4 times). */
#define DWV2_EVEN(N, O)                                                                            \
    {                                                                                              \
        DW_SET(N);                                                                                 \
        if ((uint32_t)r < (uint32_t)H) {                                                           \
            DW_S2_LOAD(xr + ro);                                                                   \
            DW_S2_ROW(N, k00, k01, k02);                                                           \
            DW_S2_ROW(O, k20, k21, k22);                                                           \
        }                                                                                          \
        if (q >= 2)                                                                                \
            DW_STORE(O, q / 2 - 1);                                                                \
        r++;                                                                                       \
        ro += W;                                                                                   \
        if (++q == qend)                                                                           \
            break;                                                                                 \
    }
#define DWV2_ODD(N)                                                                                \
    {                                                                                              \
        if ((uint32_t)r < (uint32_t)H) {                                                           \
            DW_S2_LOAD(xr + ro);                                                                   \
            DW_S2_ROW(N, k10, k11, k12);                                                           \
        }                                                                                          \
        r++;                                                                                       \
        ro += W;                                                                                   \
        if (++q == qend)                                                                           \
            break;                                                                                 \
    }

static DNN_ALWAYS_INLINE void dw3s2_strip_t(const conv_geo *g, const float *xr, const float *k,
                                            int32_t c1, float bias, float *y, const int LPAD,
                                            const int RPAD, const int P)
{
    DW_STRIP_PROLOGUE;
    const int32_t qend = 2 * OH + 1;
    int32_t q = 0;

    for (;;) {
        DWV2_EVEN(a, b) /* a: output row q/2, b: q/2 - 1 (stored) */
        DWV2_ODD(a)
        DWV2_EVEN(b, a)
        DWV2_ODD(b)
    }
}

typedef void (*dw_strip_fn)(const conv_geo *, const float *, const float *, int32_t, float,
                            float *, int, int);

/* 4-column strips with compile-time pads (one function each); 1..3-column strips (row
 * tails) with run-time pads. */
#define DW3_STRIP_VARIANTS(NAME, T)                                                                \
    static void NAME##_4in(const conv_geo *g, const float *xr, const float *k, int32_t c1,         \
                           float bias, float *y, int l, int r)                                     \
    {                                                                                              \
        (void)l, (void)r;                                                                          \
        T(g, xr, k, c1, bias, y, 0, 0, 4);                                                         \
    }                                                                                              \
    static void NAME##_4l(const conv_geo *g, const float *xr, const float *k, int32_t c1,          \
                          float bias, float *y, int l, int r)                                      \
    {                                                                                              \
        (void)l, (void)r;                                                                          \
        T(g, xr, k, c1, bias, y, 1, 0, 4);                                                         \
    }                                                                                              \
    static void NAME##_4r(const conv_geo *g, const float *xr, const float *k, int32_t c1,          \
                          float bias, float *y, int l, int r)                                      \
    {                                                                                              \
        (void)l, (void)r;                                                                          \
        T(g, xr, k, c1, bias, y, 0, 1, 4);                                                         \
    }                                                                                              \
    static void NAME##_4lr(const conv_geo *g, const float *xr, const float *k, int32_t c1,         \
                           float bias, float *y, int l, int r)                                     \
    {                                                                                              \
        (void)l, (void)r;                                                                          \
        T(g, xr, k, c1, bias, y, 1, 1, 4);                                                         \
    }                                                                                              \
    static void NAME##_1(const conv_geo *g, const float *xr, const float *k, int32_t c1,           \
                         float bias, float *y, int l, int r)                                       \
    {                                                                                              \
        T(g, xr, k, c1, bias, y, l, r, 1);                                                         \
    }                                                                                              \
    static void NAME##_2(const conv_geo *g, const float *xr, const float *k, int32_t c1,           \
                         float bias, float *y, int l, int r)                                       \
    {                                                                                              \
        T(g, xr, k, c1, bias, y, l, r, 2);                                                         \
    }                                                                                              \
    static void NAME##_3(const conv_geo *g, const float *xr, const float *k, int32_t c1,           \
                         float bias, float *y, int l, int r)                                       \
    {                                                                                              \
        T(g, xr, k, c1, bias, y, l, r, 3);                                                         \
    }

DW3_STRIP_VARIANTS(dw3s1_strip, dw3s1_strip_t)
DW3_STRIP_VARIANTS(dw3s2_strip, dw3s2_strip_t)

#endif /* DNN_CONV_SMALL */

/* Generic depthwise: pixels [ow0, ow1) of output row oh, 4 at a time, input column
 * stride S. Taps partly in the padding run per pixel. */
static DNN_ALWAYS_INLINE void dw_row_t(const conv_geo *g, const float *xr, const float *k,
                                       int32_t oh, int32_t ow0, int32_t ow1, float bias, float *y,
                                       const int32_t S)
{
    const int32_t W = g->W, KW = g->KW, dw = g->dw;
    const int32_t ih0 = oh * g->sh - g->pt;
    float *yr = y + oh * g->OW;
    int32_t kh0, kh1, kh, kw, ow;

    dnn_tap_range(ih0, g->dh, g->KH, g->H, &kh0, &kh1);
    for (ow = ow0; ow + 4 <= ow1; ow += 4) {
        const int32_t iw0 = ow * S - g->pl;
        float a0 = bias, a1 = bias, a2 = bias, a3 = bias;
        for (kh = kh0; kh < kh1; kh++) {
            const float *xrow = xr + (ih0 + kh * g->dh) * W;
            const float *kk = k + kh * KW;
            for (kw = 0; kw < KW; kw++) {
                const int32_t iw = iw0 + kw * dw;
                const float w = kk[kw];
                if (iw >= 0 && iw + 3 * S < W) {
                    const float *xp = xrow + iw;
                    FMA4(a0, a1, a2, a3, w, xp[0], xp[S], xp[2 * S], xp[3 * S]);
                } else {
                    if (iw >= 0 && iw < W)
                        a0 = DNN_FMA(w, xrow[iw], a0);
                    if (iw + S >= 0 && iw + S < W)
                        a1 = DNN_FMA(w, xrow[iw + S], a1);
                    if (iw + 2 * S >= 0 && iw + 2 * S < W)
                        a2 = DNN_FMA(w, xrow[iw + 2 * S], a2);
                    if (iw + 3 * S >= 0 && iw + 3 * S < W)
                        a3 = DNN_FMA(w, xrow[iw + 3 * S], a3);
                }
            }
        }
        store4(yr + ow, a0, a1, a2, a3, g->mode, g->lo, g->hi);
    }
    for (; ow < ow1; ow++) {
        const int32_t iw0 = ow * S - g->pl;
        int32_t kw0, kw1;
        float a0 = bias;
        dnn_tap_range(iw0, dw, KW, W, &kw0, &kw1);
        for (kh = kh0; kh < kh1; kh++) {
            const float *xrow = xr + (ih0 + kh * g->dh) * W;
            const float *kk = k + kh * KW;
            for (kw = kw0; kw < kw1; kw++)
                a0 = DNN_FMA(kk[kw], xrow[iw0 + kw * dw], a0);
        }
        dnn_store_act(yr + ow, a0, g->mode, g->lo, g->hi);
    }
}

static void dw_row_s1(const conv_geo *g, const float *xr, const float *k, int32_t oh, int32_t ow0,
                      int32_t ow1, float bias, float *y)
{
    dw_row_t(g, xr, k, oh, ow0, ow1, bias, y, 1);
}
#ifndef DNN_CONV_SMALL
static void dw_row_s2(const conv_geo *g, const float *xr, const float *k, int32_t oh, int32_t ow0,
                      int32_t ow1, float bias, float *y)
{
    dw_row_t(g, xr, k, oh, ow0, ow1, bias, y, 2);
}
#endif /* DNN_CONV_SMALL */

static void dw_row_sn(const conv_geo *g, const float *xr, const float *k, int32_t oh, int32_t ow0,
                      int32_t ow1, float bias, float *y)
{
    dw_row_t(g, xr, k, oh, ow0, ow1, bias, y, g->sw);
}

typedef void (*dw_row_fn)(const conv_geo *, const float *, const float *, int32_t, int32_t,
                          int32_t, float, float *);

/* How the output columns of every depthwise channel are split (computed once per call):
 * columns [ow_a, ow_b) are covered by 3x3 strips (4 columns each, the last one 1..3),
 * the others by the generic row kernel. */
#ifdef DNN_CONV_SMALL
typedef struct dw_plan {
    dw_row_fn generic;
} dw_plan;

static void dw_make_plan(const conv_geo *g, dw_plan *pl)
{
    pl->generic = g->sw == 1 ? dw_row_s1 : dw_row_sn;
}

static void dw_channel(const conv_geo *g, const dw_plan *pl, int32_t OH, const float *xr,
                       const float *k, float bias, float *y)
{
    int32_t oh;
    for (oh = 0; oh < OH; oh++)
        pl->generic(g, xr, k, oh, 0, g->OW, bias, y);
}
#else
typedef struct dw_plan {
    dw_row_fn generic;
    dw_strip_fn strip[4]; /* 1..3 columns, run-time pads */
    dw_strip_fn strip4[4]; /* 4 columns, [2 * left pad + right pad]; NULL: no strips */
    int32_t ow_a, ow_b;
} dw_plan;

static void dw_make_plan(const conv_geo *g, dw_plan *pl)
{
    const int32_t S = g->sw;
    int32_t n;
    pl->generic = S == 1 ? dw_row_s1 : S == 2 ? dw_row_s2 : dw_row_sn;
    pl->strip4[0] = NULL;
    pl->ow_a = pl->ow_b = 0;
    if (g->KH == 3 && g->KW == 3 && g->dh == 1 && g->dw == 1 && g->sh == S && (S == 1 || S == 2)) {
        /* a strip of n columns from ow: first input column ow*S - pl >= -1, last input
         * column (ow + n - 1)*S - pl + 2 <= W */
        pl->ow_a = g->pl <= 1 ? 0 : (g->pl - 1 + S - 1) / S;
        pl->ow_b = pl->ow_a;
        while (pl->ow_b + 4 <= g->OW && (pl->ow_b + 3) * S - g->pl + 2 <= g->W)
            pl->ow_b += 4;
        for (n = 3; n >= 1; n--)
            if (pl->ow_b + n <= g->OW && (pl->ow_b + n - 1) * S - g->pl + 2 <= g->W) {
                pl->ow_b += n;
                break;
            }
        pl->strip[0] = NULL;
        if (S == 1) {
            pl->strip[1] = dw3s1_strip_1;
            pl->strip[2] = dw3s1_strip_2;
            pl->strip[3] = dw3s1_strip_3;
            pl->strip4[0] = dw3s1_strip_4in;
            pl->strip4[1] = dw3s1_strip_4r;
            pl->strip4[2] = dw3s1_strip_4l;
            pl->strip4[3] = dw3s1_strip_4lr;
        } else {
            pl->strip[1] = dw3s2_strip_1;
            pl->strip[2] = dw3s2_strip_2;
            pl->strip[3] = dw3s2_strip_3;
            pl->strip4[0] = dw3s2_strip_4in;
            pl->strip4[1] = dw3s2_strip_4r;
            pl->strip4[2] = dw3s2_strip_4l;
            pl->strip4[3] = dw3s2_strip_4lr;
        }
    }
}

/* One output channel of a depthwise convolution. */
static void dw_channel(const conv_geo *g, const dw_plan *pl, int32_t OH, const float *xr,
                       const float *k, float bias, float *y)
{
    const int32_t OW = g->OW, S = g->sw;
    int32_t oh, ow;

    if (pl->ow_b == pl->ow_a) {
        for (oh = 0; oh < OH; oh++)
            pl->generic(g, xr, k, oh, 0, OW, bias, y);
        return;
    }
    for (ow = pl->ow_a; ow < pl->ow_b; ow += 4) {
        const int32_t n = pl->ow_b - ow < 4 ? pl->ow_b - ow : 4;
        const int32_t c1 = ow * S - g->pl + 1;
        const int l = c1 == 0, r = c1 + (n - 1) * S + 1 == g->W;
        (n == 4 ? pl->strip4[2 * l + r] : pl->strip[n])(g, xr, k, c1, bias, y + ow, l, r);
    }
    if (pl->ow_a > 0 || pl->ow_b < OW) {
        for (oh = 0; oh < OH; oh++) {
            if (pl->ow_a > 0)
                pl->generic(g, xr, k, oh, 0, pl->ow_a, bias, y);
            if (pl->ow_b < OW)
                pl->generic(g, xr, k, oh, pl->ow_b, OW, bias, y);
        }
    }
}

#endif /* DNN_CONV_SMALL */

/* ---------------------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------------------- */

int dnn_conv_is_depthwise(const dnn_conv_params *p)
{
    return p->group > 0 && p->c == p->group && p->m % p->group == 0 && p->m / p->group < 4;
}

size_t dnn_conv_scratch_size(const dnn_conv_params *p)
{
    (void)p;
    return 0;
}

void dnn_conv_f32(const dnn_conv_params *p, const float *input, const float *packed_w,
                  const float *bias, float *output, void *scratch)
{
    const int32_t Cg = p->c / p->group, Mg = p->m / p->group;
    const int32_t in_plane = p->h * p->w;
    int32_t OH = p->oh, n, grp, b;
    conv_geo g;

    (void)scratch;
    g.C = Cg;
    g.H = p->h;
    g.W = p->w;
    g.HW = in_plane;
    g.OW = p->ow;
    g.OHW = p->oh * p->ow;
    g.KH = p->kh;
    g.KW = p->kw;
    g.sh = p->stride_h;
    g.sw = p->stride_w;
    g.dh = p->dil_h;
    g.dw = p->dil_w;
    g.pt = p->pad_t;
    g.pl = p->pad_l;
    g.wkh = Cg * p->kw * 4;
    g.mode = dnn_act_mode(p->act_min, p->act_max);
    g.lo = p->act_min;
    g.hi = p->act_max;

    /* A pointwise conv without stride or padding is one long row of H*W pixels. */
    if (p->kh == 1 && p->kw == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_t == 0 &&
        p->pad_l == 0 && p->oh == p->h && p->ow == p->w) {
        g.H = 1;
        g.W = in_plane;
        g.OW = g.OHW;
        OH = 1;
    }

    if (dnn_conv_is_depthwise(p)) {
        const int32_t ksz = p->kh * p->kw;
        dw_plan plan;
        dw_make_plan(&g, &plan);
        for (n = 0; n < p->n; n++) {
            const float *xn = input + (size_t)n * p->c * in_plane;
            float *yn = output + (size_t)n * p->m * g.OHW;
            int32_t m;
            for (m = 0; m < p->m; m++)
                dw_channel(&g, &plan, OH, xn + (size_t)(m / Mg) * in_plane, packed_w + (size_t)m * ksz,
                           bias ? bias[m] : 0.0f, yn + (size_t)m * g.OHW);
        }
        return;
    }

    for (n = 0; n < p->n; n++) {
        for (grp = 0; grp < p->group; grp++) {
            const float *x = input + ((size_t)n * p->c + (size_t)grp * Cg) * in_plane;
            const float *w = packed_w + (size_t)grp * Mg * Cg * p->kh * p->kw;
            const int32_t m0 = grp * Mg;
            float *y = output + ((size_t)n * p->m + m0) * g.OHW;
            const size_t wblk = (size_t)Cg * p->kh * p->kw;
            for (b = 0; b + 4 <= Mg; b += 4)
                conv_block4(&g, OH, w + (size_t)b * wblk, x, bias ? bias + m0 + b : dnn_zero4,
                            y + (size_t)b * g.OHW);
            for (; b < Mg; b++)
                conv_block1(&g, OH, w + (size_t)b * wblk, x, bias ? bias[m0 + b] : 0.0f,
                            y + (size_t)b * g.OHW);
        }
    }
}

/* ConvTranspose as a gather: y[m][oh][ow] = bias[m] + sum over c in group, kh, kw with
 * oh + pad_t - kh*dil_h = ih*stride_h (ih in range), same for columns, of
 * x[c][ih][iw] * w[c][m - group offset][kh][kw]. */
void dnn_conv_transpose_f32(const dnn_conv_params *p, const float *input, const float *weights,
                            const float *bias, float *output)
{
    const int32_t Cg = p->c / p->group, Mg = p->m / p->group;
    const int32_t KH = p->kh, KW = p->kw, H = p->h, W = p->w, OH = p->oh, OW = p->ow;
    const int mode = dnn_act_mode(p->act_min, p->act_max);
    int32_t n, m, oh, ow, c, kh, kw;

    for (n = 0; n < p->n; n++) {
        for (m = 0; m < p->m; m++) {
            const int32_t grp = m / Mg, mg = m - grp * Mg;
            const float *x = input + ((size_t)n * p->c + (size_t)grp * Cg) * H * W;
            float *y = output + ((size_t)n * p->m + m) * OH * OW;
            const float b = bias ? bias[m] : 0.0f;
            for (oh = 0; oh < OH; oh++) {
                for (ow = 0; ow < OW; ow++) {
                    float acc = b;
                    for (kh = 0; kh < KH; kh++) {
                        const int32_t th = oh + p->pad_t - kh * p->dil_h;
                        int32_t ih;
                        if (th < 0 || th % p->stride_h != 0)
                            continue;
                        ih = th / p->stride_h;
                        if (ih >= H)
                            continue;
                        for (kw = 0; kw < KW; kw++) {
                            const int32_t tw = ow + p->pad_l - kw * p->dil_w;
                            const float *xp;
                            const float *wp;
                            int32_t iw;
                            if (tw < 0 || tw % p->stride_w != 0)
                                continue;
                            iw = tw / p->stride_w;
                            if (iw >= W)
                                continue;
                            xp = x + (size_t)ih * W + iw;
                            wp = weights + (((size_t)grp * Cg * Mg + mg) * KH + kh) * KW + kw;
                            for (c = 0; c < Cg; c++)
                                acc = DNN_FMA(xp[(size_t)c * H * W], wp[(size_t)c * Mg * KH * KW],
                                              acc);
                        }
                    }
                    dnn_store_act(y + (size_t)oh * OW + ow, acc, mode, p->act_min, p->act_max);
                }
            }
        }
    }
}
