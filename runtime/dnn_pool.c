/* dnn_pool.c - pooling kernels (see dnn_pool.h). */
#include "dnn_pool.h"

/* Kernel taps k in [*k0, *k1) with 0 <= i0 + k*d < n. */
static void tap_range(int32_t i0, int32_t d, int32_t k, int32_t n, int32_t *k0, int32_t *k1)
{
    int32_t a = 0, b = k;
    if (i0 < 0)
        a = (-i0 + d - 1) / d;
    if (i0 + (k - 1) * d >= n)
        b = n - i0 <= 0 ? 0 : (n - i0 + d - 1) / d;
    if (a > k)
        a = k;
    if (b < a)
        b = a;
    *k0 = a;
    *k1 = b;
}

void dnn_maxpool_f32(const dnn_pool_params *p, const float *x, float *y)
{
    const int32_t H = p->h, W = p->w, OH = p->oh, OW = p->ow, dh = p->dil_h, dw = p->dil_w;
    const int32_t planes = p->n * p->c;
    const int mode = dnn_act_mode(p->act_min, p->act_max);
    int32_t pl, oh, ow, kh, kw;

    for (pl = 0; pl < planes; pl++) {
        const float *xp = x + (size_t)pl * H * W;
        float *yp = y + (size_t)pl * OH * OW;
        for (oh = 0; oh < OH; oh++) {
            const int32_t ih0 = oh * p->stride_h - p->pad_t;
            int32_t kh0, kh1;
            tap_range(ih0, dh, p->kh, H, &kh0, &kh1);
            for (ow = 0; ow < OW; ow++) {
                const int32_t iw0 = ow * p->stride_w - p->pad_l;
                int32_t kw0, kw1;
                float m = -INFINITY;
                tap_range(iw0, dw, p->kw, W, &kw0, &kw1);
                for (kh = kh0; kh < kh1; kh++) {
                    const float *row = xp + (ih0 + kh * dh) * W + iw0;
                    for (kw = kw0; kw < kw1; kw++) {
                        const float v = row[kw * dw];
                        m = v > m ? v : m;
                    }
                }
                dnn_store_act(yp + oh * OW + ow, m, mode, p->act_min, p->act_max);
            }
        }
    }
}

void dnn_avgpool_f32(const dnn_pool_params *p, const float *x, float *y)
{
    const int32_t H = p->h, W = p->w, OH = p->oh, OW = p->ow, dh = p->dil_h, dw = p->dil_w;
    const int32_t planes = p->n * p->c;
    const int mode = dnn_act_mode(p->act_min, p->act_max);
    int32_t pl, oh, ow, kh, kw;

    for (pl = 0; pl < planes; pl++) {
        const float *xp = x + (size_t)pl * H * W;
        float *yp = y + (size_t)pl * OH * OW;
        for (oh = 0; oh < OH; oh++) {
            const int32_t ih0 = oh * p->stride_h - p->pad_t;
            int32_t kh0, kh1, ph0, ph1;
            tap_range(ih0, dh, p->kh, H, &kh0, &kh1);
            /* taps inside the padded input: ih0 + kh*dh in [-pad_t, H + pad_b) */
            tap_range(ih0 + p->pad_t, dh, p->kh, H + p->pad_t + p->pad_b, &ph0, &ph1);
            for (ow = 0; ow < OW; ow++) {
                const int32_t iw0 = ow * p->stride_w - p->pad_l;
                int32_t kw0, kw1, pw0, pw1, cnt;
                float s = 0.0f;
                tap_range(iw0, dw, p->kw, W, &kw0, &kw1);
                for (kh = kh0; kh < kh1; kh++) {
                    const float *row = xp + (ih0 + kh * dh) * W + iw0;
                    for (kw = kw0; kw < kw1; kw++)
                        s += row[kw * dw];
                }
                if (p->count_include_pad) {
                    tap_range(iw0 + p->pad_l, dw, p->kw, W + p->pad_l + p->pad_r, &pw0, &pw1);
                    cnt = (ph1 - ph0) * (pw1 - pw0);
                } else {
                    cnt = (kh1 - kh0) * (kw1 - kw0);
                }
                dnn_store_act(yp + oh * OW + ow, cnt > 0 ? s / (float)cnt : 0.0f, mode,
                              p->act_min, p->act_max);
            }
        }
    }
}

void dnn_global_avgpool_f32(const dnn_global_pool_params *p, const float *x, float *y)
{
    const int mode = dnn_act_mode(p->act_min, p->act_max);
    const float inv = p->size > 0 ? 1.0f / (float)p->size : 0.0f;
    int32_t i, j;
    for (i = 0; i < p->nc; i++) {
        const float *xp = x + (size_t)i * p->size;
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        for (j = 0; j + 4 <= p->size; j += 4) {
            s0 += xp[j];
            s1 += xp[j + 1];
            s2 += xp[j + 2];
            s3 += xp[j + 3];
        }
        for (; j < p->size; j++)
            s0 += xp[j];
        dnn_store_act(y + i, ((s0 + s1) + (s2 + s3)) * inv, mode, p->act_min, p->act_max);
    }
}

void dnn_global_maxpool_f32(const dnn_global_pool_params *p, const float *x, float *y)
{
    const int mode = dnn_act_mode(p->act_min, p->act_max);
    int32_t i, j;
    for (i = 0; i < p->nc; i++) {
        const float *xp = x + (size_t)i * p->size;
        float m = -INFINITY;
        for (j = 0; j < p->size; j++)
            m = xp[j] > m ? xp[j] : m;
        dnn_store_act(y + i, m, mode, p->act_min, p->act_max);
    }
}
