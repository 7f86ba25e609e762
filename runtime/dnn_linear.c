/*
 * dnn_linear.c - fully connected and batched matmul kernels (see dnn_linear.h).
 *
 * Fully connected with one input row is bound by weight loads (every weight is used
 * once): the floor is 1 load + 1 VFMA per MAC. 8 outputs share each loaded input and
 * the K loop is unrolled 4 times, about (32 + 4 + 4) / 32 = 2.25 instructions per MAC.
 * Two input rows at a time share each loaded weight (about 1.7 / MAC).
 */
#include "dnn_linear.h"

#define FMA8(A, w, x)                                                                              \
    A##0 = DNN_FMA((w)[0], x, A##0);                                                               \
    A##1 = DNN_FMA((w)[1], x, A##1);                                                               \
    A##2 = DNN_FMA((w)[2], x, A##2);                                                               \
    A##3 = DNN_FMA((w)[3], x, A##3);                                                               \
    A##4 = DNN_FMA((w)[4], x, A##4);                                                               \
    A##5 = DNN_FMA((w)[5], x, A##5);                                                               \
    A##6 = DNN_FMA((w)[6], x, A##6);                                                               \
    A##7 = DNN_FMA((w)[7], x, A##7)

#define FMA4W(A, w, x)                                                                             \
    A##0 = DNN_FMA((w)[0], x, A##0);                                                               \
    A##1 = DNN_FMA((w)[1], x, A##1);                                                               \
    A##2 = DNN_FMA((w)[2], x, A##2);                                                               \
    A##3 = DNN_FMA((w)[3], x, A##3)

static DNN_ALWAYS_INLINE void store_n(float *y, const float *v, int32_t n, int mode, float lo,
                                      float hi)
{
    int32_t i;
    for (i = 0; i < n; i++)
        dnn_store_act(y + i, v[i], mode, lo, hi);
}

/* 8 outputs, one row. */
static void fc_8x1(int32_t K, const float *x, const float *w, const float *b, float *y, int mode,
                   float lo, float hi)
{
    float a0 = b[0], a1 = b[1], a2 = b[2], a3 = b[3], a4 = b[4], a5 = b[5], a6 = b[6], a7 = b[7];
    float v[8];
    int32_t k;
    for (k = 0; k + 4 <= K; k += 4) {
        const float x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
        FMA8(a, w, x0);
        FMA8(a, w + 8, x1);
        FMA8(a, w + 16, x2);
        FMA8(a, w + 24, x3);
        x += 4;
        w += 32;
    }
    for (; k < K; k++) {
        const float x0 = x[0];
        FMA8(a, w, x0);
        x += 1;
        w += 8;
    }
    v[0] = a0, v[1] = a1, v[2] = a2, v[3] = a3, v[4] = a4, v[5] = a5, v[6] = a6, v[7] = a7;
    store_n(y, v, 8, mode, lo, hi);
}

/* 8 outputs, two rows (x0 and x0 + K). */
static void fc_8x2(int32_t K, const float *x, const float *w, const float *b, float *y,
                   int32_t ystride, int mode, float lo, float hi)
{
    const float *xq = x + K;
    float a0 = b[0], a1 = b[1], a2 = b[2], a3 = b[3], a4 = b[4], a5 = b[5], a6 = b[6], a7 = b[7];
    float c0 = a0, c1 = a1, c2 = a2, c3 = a3, c4 = a4, c5 = a5, c6 = a6, c7 = a7;
    float v[8];
    int32_t k;
    for (k = 0; k + 2 <= K; k += 2) {
        const float x0 = x[0], y0 = xq[0], x1 = x[1], y1 = xq[1];
        FMA8(a, w, x0);
        FMA8(c, w, y0);
        FMA8(a, w + 8, x1);
        FMA8(c, w + 8, y1);
        x += 2;
        xq += 2;
        w += 16;
    }
    if (k < K) {
        const float x0 = x[0], y0 = xq[0];
        FMA8(a, w, x0);
        FMA8(c, w, y0);
    }
    v[0] = a0, v[1] = a1, v[2] = a2, v[3] = a3, v[4] = a4, v[5] = a5, v[6] = a6, v[7] = a7;
    store_n(y, v, 8, mode, lo, hi);
    v[0] = c0, v[1] = c1, v[2] = c2, v[3] = c3, v[4] = c4, v[5] = c5, v[6] = c6, v[7] = c7;
    store_n(y + ystride, v, 8, mode, lo, hi);
}

/* 4 outputs, one row. */
static void fc_4x1(int32_t K, const float *x, const float *w, const float *b, float *y, int mode,
                   float lo, float hi)
{
    float a0 = b[0], a1 = b[1], a2 = b[2], a3 = b[3];
    float v[4];
    int32_t k;
    for (k = 0; k + 4 <= K; k += 4) {
        const float x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
        FMA4W(a, w, x0);
        FMA4W(a, w + 4, x1);
        FMA4W(a, w + 8, x2);
        FMA4W(a, w + 12, x3);
        x += 4;
        w += 16;
    }
    for (; k < K; k++) {
        const float x0 = x[0];
        FMA4W(a, w, x0);
        x += 1;
        w += 4;
    }
    v[0] = a0, v[1] = a1, v[2] = a2, v[3] = a3;
    store_n(y, v, 4, mode, lo, hi);
}

/* One output: a dot product with two partial sums. */
static float dot(int32_t K, const float *x, const float *w, float acc)
{
    float acc2 = 0.0f;
    int32_t k;
    for (k = 0; k + 4 <= K; k += 4) {
        acc = DNN_FMA(x[0], w[0], acc);
        acc2 = DNN_FMA(x[1], w[1], acc2);
        acc = DNN_FMA(x[2], w[2], acc);
        acc2 = DNN_FMA(x[3], w[3], acc2);
        x += 4;
        w += 4;
    }
    for (; k < K; k++) {
        acc = DNN_FMA(x[0], w[0], acc);
        x += 1;
        w += 1;
    }
    return acc + acc2;
}

void dnn_fc_f32(const dnn_fc_params *p, const float *x, const float *packed_w, const float *bias,
                float *y)
{
    static const float zeros[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    const int32_t K = p->in_features, N = p->out_features, R = p->batch;
    const int mode = dnn_act_mode(p->act_min, p->act_max);
    const float lo = p->act_min, hi = p->act_max;
    int32_t n = 0, r;
    const float *w = packed_w;

    for (; n + 8 <= N; n += 8, w += (size_t)8 * K) {
        const float *b = bias ? bias + n : zeros;
        for (r = 0; r + 2 <= R; r += 2)
            fc_8x2(K, x + (size_t)r * K, w, b, y + (size_t)r * N + n, N, mode, lo, hi);
        if (r < R)
            fc_8x1(K, x + (size_t)r * K, w, b, y + (size_t)r * N + n, mode, lo, hi);
    }
    if (n + 4 <= N) {
        const float *b = bias ? bias + n : zeros;
        for (r = 0; r < R; r++)
            fc_4x1(K, x + (size_t)r * K, w, b, y + (size_t)r * N + n, mode, lo, hi);
        n += 4;
        w += (size_t)4 * K;
    }
    for (; n < N; n++, w += K)
        for (r = 0; r < R; r++)
            dnn_store_act(y + (size_t)r * N + n, dot(K, x + (size_t)r * K, w, bias ? bias[n] : 0.0f),
                          mode, lo, hi);
}

/* y (m x n) = a (m x k) * b (k x n), one row at a time, 8 columns per block. */
static void matmul_2d(int32_t M, int32_t K, int32_t N, const float *a, const float *b, float *y,
                      int mode, float lo, float hi)
{
    int32_t i, j, k;
    for (i = 0; i < M; i++) {
        const float *ar = a + (size_t)i * K;
        float *yr = y + (size_t)i * N;
        for (j = 0; K > 0 && j + 8 <= N; j += 8) {
            float c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
            float v[8];
            const float *bp = b + j;
            for (k = 0;;) { /* K >= 1; bp never moves past the last row */
                const float av = ar[k];
                FMA8(c, bp, av);
                if (++k == K)
                    break;
                bp += N;
            }
            v[0] = c0, v[1] = c1, v[2] = c2, v[3] = c3, v[4] = c4, v[5] = c5, v[6] = c6, v[7] = c7;
            store_n(yr + j, v, 8, mode, lo, hi);
        }
        for (; j < N; j++) {
            float c0 = 0;
            for (k = 0; k < K; k++)
                c0 = DNN_FMA(ar[k], b[(size_t)k * N + j], c0);
            dnn_store_act(yr + j, c0, mode, lo, hi);
        }
    }
}

void dnn_matmul_f32(const dnn_matmul_params *p, const float *a, const float *b, float *y)
{
    const int mode = dnn_act_mode(p->act_min, p->act_max);
    const size_t mat = (size_t)p->m * p->n;
    int32_t idx[DNN_MATMUL_MAX_BATCH_RANK] = {0, 0, 0, 0};
    size_t total = 1, t;
    int32_t d;

    for (d = 0; d < p->batch_rank; d++)
        total *= (size_t)p->batch_shape[d];
    for (t = 0; t < total; t++) {
        size_t ao = 0, bo = 0;
        for (d = 0; d < p->batch_rank; d++) {
            ao += (size_t)idx[d] * (size_t)p->a_batch_stride[d];
            bo += (size_t)idx[d] * (size_t)p->b_batch_stride[d];
        }
        matmul_2d(p->m, p->k, p->n, a + ao, b + bo, y + t * mat, mode, p->act_min, p->act_max);
        for (d = p->batch_rank - 1; d >= 0; d--) { /* next batch index, last axis fastest */
            if (++idx[d] < p->batch_shape[d])
                break;
            idx[d] = 0;
        }
    }
}
