/* dnn_pool.c - pooling kernels (see dnn_pool.h). */
#include "dnn_pool.h"


/* Output columns [*lo, *hi) whose windows lie inside the input horizontally. */
static void interior_cols(const dnn_pool_params *p, int32_t *lo, int32_t *hi)
{
    const int32_t s = p->stride_w, span = (p->kw - 1) * p->dil_w;
    int32_t a = (p->pad_l + s - 1) / s, b;
    /* ow*s - pad_l + span <= W - 1  <=>  ow <= (W - 1 - span + pad_l) / s */
    b = p->w - 1 - span + p->pad_l < 0 ? 0 : (p->w - 1 - span + p->pad_l) / s + 1;
    if (b > p->ow)
        b = p->ow;
    if (a > b)
        a = b;
    *lo = a;
    *hi = b;
}

static DNN_ALWAYS_INLINE float fmax2(float a, float b)
{
    return a > b ? a : b;
}

/* Max over the window rows [kh0, kh1) x columns [kw0, kw1) starting at `row` (the
 * input element of tap (kh0, 0)). */
static DNN_ALWAYS_INLINE float window_max(const float *row, int32_t nkh, int32_t rstep,
                                          int32_t kw0, int32_t kw1, int32_t dw)
{
    float m = -INFINITY;
    int32_t kh, kw;
    for (kh = 0; kh < nkh; kh++, row += rstep)
        for (kw = kw0; kw < kw1; kw++)
            m = fmax2(row[kw * dw], m);
    return m;
}

void dnn_maxpool_f32(const dnn_pool_params *p, const float *x, float *y)
{
    const int32_t H = p->h, W = p->w, OH = p->oh, OW = p->ow, dh = p->dil_h, dw = p->dil_w;
    const int32_t KH = p->kh, KW = p->kw, sh = p->stride_h, sw = p->stride_w;
    const int32_t pt = p->pad_t, pl = p->pad_l;
    const int32_t planes = p->n * p->c;
    const int mode = dnn_act_mode(p->act_min, p->act_max);
    const float lo = p->act_min, hi = p->act_max;
    int32_t c, oh, ow, ow_lo, ow_hi;

    interior_cols(p, &ow_lo, &ow_hi);
    for (c = 0; c < planes; c++) {
        const float *xp = x + (size_t)c * H * W;
        float *yp = y + (size_t)c * OH * OW;
        for (oh = 0; oh < OH; oh++) {
            const int32_t ih0 = oh * sh - pt;
            float *yr = yp + oh * OW;
            int32_t kh0, kh1, nkh;
            const float *r0;
            dnn_tap_range(ih0, dh, KH, H, &kh0, &kh1);
            nkh = kh1 - kh0;
            if (nkh == 0) { /* the whole output row sees only padding */
                for (ow = 0; ow < OW; ow++)
                    dnn_store_act(yr + ow, -INFINITY, mode, lo, hi);
                continue;
            }
            r0 = xp + (ih0 + kh0 * dh) * W; /* first valid window row */
            for (ow = 0; ow < ow_lo; ow++) {
                int32_t kw0, kw1;
                const int32_t iw0 = ow * sw - pl;
                dnn_tap_range(iw0, dw, KW, W, &kw0, &kw1);
                /* row + iw0 + kw0*dw is the first valid column of the window */
                dnn_store_act(yr + ow,
                              kw1 > kw0 ? window_max(r0 + iw0 + kw0 * dw, nkh, dh * W, 0, kw1 - kw0, dw)
                                        : -INFINITY,
                              mode, lo, hi);
            }
            if (KW == 2 && dw == 1 && nkh == 2 && dh == 1) { /* 2x2 windows */
                const float *a = r0 + ow_lo * sw - pl, *b = a + W;
                for (ow = ow_lo; ow < ow_hi; ow++, a += sw, b += sw)
                    dnn_store_act(yr + ow, fmax2(fmax2(a[0], a[1]), fmax2(b[0], b[1])), mode, lo, hi);
            } else if (KW == 3 && dw == 1 && nkh == 3 && dh == 1) { /* 3x3 windows */
                const float *a = r0 + ow_lo * sw - pl, *b = a + W, *d = b + W;
                for (ow = ow_lo; ow < ow_hi; ow++, a += sw, b += sw, d += sw) {
                    const float m0 = fmax2(fmax2(a[0], a[1]), a[2]);
                    const float m1 = fmax2(fmax2(b[0], b[1]), b[2]);
                    const float m2 = fmax2(fmax2(d[0], d[1]), d[2]);
                    dnn_store_act(yr + ow, fmax2(fmax2(m0, m1), m2), mode, lo, hi);
                }
            } else {
                for (ow = ow_lo; ow < ow_hi; ow++)
                    dnn_store_act(yr + ow, window_max(r0 + ow * sw - pl, nkh, dh * W, 0, KW, dw),
                                  mode, lo, hi);
            }
            for (ow = ow_hi; ow < OW; ow++) {
                int32_t kw0, kw1;
                const int32_t iw0 = ow * sw - pl;
                dnn_tap_range(iw0, dw, KW, W, &kw0, &kw1);
                dnn_store_act(yr + ow,
                              kw1 > kw0 ? window_max(r0 + iw0 + kw0 * dw, nkh, dh * W, 0, kw1 - kw0, dw)
                                        : -INFINITY,
                              mode, lo, hi);
            }
        }
    }
}

void dnn_avgpool_f32(const dnn_pool_params *p, const float *x, float *y)
{
    const int32_t H = p->h, W = p->w, OH = p->oh, OW = p->ow, dh = p->dil_h, dw = p->dil_w;
    const int32_t KW = p->kw, sw = p->stride_w;
    const int32_t planes = p->n * p->c;
    const int mode = dnn_act_mode(p->act_min, p->act_max);
    int32_t pl, oh, ow, kh, kw, ow_lo, ow_hi;

    interior_cols(p, &ow_lo, &ow_hi);
    for (pl = 0; pl < planes; pl++) {
        const float *xp = x + (size_t)pl * H * W;
        float *yp = y + (size_t)pl * OH * OW;
        for (oh = 0; oh < OH; oh++) {
            const int32_t ih0 = oh * p->stride_h - p->pad_t;
            float *yr = yp + oh * OW;
            int32_t kh0, kh1, ph0, ph1;
            dnn_tap_range(ih0, dh, p->kh, H, &kh0, &kh1);
            /* taps inside the padded input: ih0 + kh*dh in [-pad_t, H + pad_b) */
            dnn_tap_range(ih0 + p->pad_t, dh, p->kh, H + p->pad_t + p->pad_b, &ph0, &ph1);
            for (ow = 0; ow < OW; ow++) {
                const int32_t iw0 = ow * sw - p->pad_l;
                int32_t kw0, kw1, pw0, pw1, cnt;
                float s = 0.0f;
                if (ow == ow_lo && ow_hi > ow_lo) { /* interior columns: the count is fixed */
                    const int32_t icnt = (p->count_include_pad ? ph1 - ph0 : kh1 - kh0) * KW;
                    const float inv = icnt > 0 ? 1.0f / (float)icnt : 0.0f;
                    for (; ow < ow_hi; ow++) {
                        const float *base = xp + (ih0 + kh0 * dh) * W + ow * sw - p->pad_l;
                        s = 0.0f;
                        for (kh = kh0; kh < kh1; kh++, base += dh * W)
                            for (kw = 0; kw < KW; kw++)
                                s += base[kw * dw];
                        dnn_store_act(yr + ow, s * inv, mode, p->act_min, p->act_max);
                    }
                    ow--;
                    continue;
                }
                dnn_tap_range(iw0, dw, KW, W, &kw0, &kw1);
                for (kh = kh0; kh < kh1; kh++) {
                    const float *row = xp + (ih0 + kh * dh) * W + iw0;
                    for (kw = kw0; kw < kw1; kw++)
                        s += row[kw * dw];
                }
                if (p->count_include_pad) {
                    dnn_tap_range(iw0 + p->pad_l, dw, KW, W + p->pad_l + p->pad_r, &pw0, &pw1);
                    cnt = (ph1 - ph0) * (pw1 - pw0);
                } else {
                    cnt = (kh1 - kh0) * (kw1 - kw0);
                }
                dnn_store_act(yr + ow, cnt > 0 ? s / (float)cnt : 0.0f, mode, p->act_min,
                              p->act_max);
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
