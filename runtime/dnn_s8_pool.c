/*
 * dnn_s8_pool.c - int8 max / average / global average pooling, NHWC (semantics:
 * dnn_s8.h). Channels are innermost, so the DSP build handles 4 channels per 32-bit
 * word: SSUB8 + SEL is a 4-lane max, SXTAB16 a 2 x 2-lane accumulate.
 */
#include "dnn_s8_impl.h"

#if DNN_S8_DSP
/* per byte lane: max(a, b) */
static DNN_ALWAYS_INLINE uint32_t s8_max4(uint32_t a, uint32_t b)
{
    uint32_t r, t;
    __asm__("ssub8 %1, %2, %3\n\t"
            "sel   %0, %2, %3"
            : "=r"(r), "=&r"(t)
            : "r"(a), "r"(b)
            : "cc");
    return r;
}

/* per byte lane: min(a, b) */
static DNN_ALWAYS_INLINE uint32_t s8_min4(uint32_t a, uint32_t b)
{
    uint32_t r, t;
    __asm__("ssub8 %1, %2, %3\n\t"
            "sel   %0, %3, %2"
            : "=r"(r), "=&r"(t)
            : "r"(a), "r"(b)
            : "cc");
    return r;
}
#endif

void dnn_s8_maxpool(const dnn_s8_pool_params *p, const int8_t *x, int8_t *y)
{
    const int32_t C = p->c, lo = p->act_min, hi = p->act_max;
    const size_t row = (size_t)p->w * (size_t)C, rstep = (size_t)p->dil_h * row;
    const size_t tstep = (size_t)p->dil_w * (size_t)C;
    int32_t n, oh, ow, c, kh, kw, kh0, kh1, kw0, kw1;

    for (n = 0; n < p->n; n++) {
        const int8_t *xn = x + (size_t)n * (size_t)p->h * row;
        for (oh = 0; oh < p->oh; oh++) {
            const int32_t ih0 = oh * p->stride_h - p->pad_t;
            dnn_tap_range(ih0, p->dil_h, p->kh, p->h, &kh0, &kh1);
            for (ow = 0; ow < p->ow; ow++, y += C) {
                const int32_t iw0 = ow * p->stride_w - p->pad_l;
                const int8_t *base;
                dnn_tap_range(iw0, p->dil_w, p->kw, p->w, &kw0, &kw1);
                c = 0;
                if (kh0 == kh1 || kw0 == kw1) { /* no input position: act_min */
                    for (; c < C; c++)
                        y[c] = (int8_t)lo;
                    continue;
                }
                base = xn + (size_t)(ih0 + kh0 * p->dil_h) * row + (size_t)(iw0 + kw0 * p->dil_w) * (size_t)C;
#if DNN_S8_DSP
                {
                    const uint32_t lo4 = (uint8_t)lo * 0x01010101u, hi4 = (uint8_t)hi * 0x01010101u;
                    for (; c + 4 <= C; c += 4) { /* 4 channels: SSUB8 + SEL per tap */
                        const int8_t *r = base + c;
                        uint32_t m = lo4; /* max(act_min, window) */
                        for (kh = kh0; kh < kh1; kh++, r += rstep) {
                            const int8_t *t = r;
                            for (kw = kw0; kw < kw1; kw++, t += tstep)
                                m = s8_max4(s8_ld32(t), m);
                        }
                        s8_st32(y + c, s8_min4(m, hi4));
                    }
                }
#endif
                for (; c < C; c++) {
                    const int8_t *r = base + c;
                    int32_t m = lo;
                    for (kh = kh0; kh < kh1; kh++, r += rstep) {
                        const int8_t *t = r;
                        for (kw = kw0; kw < kw1; kw++, t += tstep)
                            m = *t > m ? *t : m;
                    }
                    y[c] = (int8_t)(m > hi ? hi : m);
                }
            }
        }
    }
}

/* number of taps of a window starting at i0 (dilation d, k taps) inside [lo, hi) */
static int32_t taps_inside(int32_t i0, int32_t d, int32_t k, int32_t lo, int32_t hi)
{
    int32_t a, b;
    dnn_tap_range(i0 - lo, d, k, hi - lo, &a, &b);
    return b - a;
}

/* zp + (S - cnt * zp) / cnt rounded half to even (ONNX: dequantize, average,
 * quantize), clamped */
static DNN_ALWAYS_INLINE int8_t avg_out(int32_t s, int32_t cnt, int32_t zp, int32_t lo, int32_t hi)
{
    const int32_t t = s - cnt * zp;
    int32_t d = t / cnt, r = t % cnt; /* C99: truncation toward zero */
    if (r < 0) {                      /* floor division */
        r += cnt;
        d -= 1;
    }
    if (2 * r > cnt || (2 * r == cnt && (d & 1)))
        d += 1;
    return (int8_t)s8_clamp(d + zp, lo, hi);
}

void dnn_s8_avgpool(const dnn_s8_pool_params *p, const int8_t *x, int8_t *y)
{
    const int32_t C = p->c, lo = p->act_min, hi = p->act_max, zp = p->zp;
    const size_t row = (size_t)p->w * (size_t)C, rstep = (size_t)p->dil_h * row;
    const size_t tstep = (size_t)p->dil_w * (size_t)C;
    int32_t n, oh, ow, c, kh, kw, kh0, kh1, kw0, kw1;

    for (n = 0; n < p->n; n++) {
        const int8_t *xn = x + (size_t)n * (size_t)p->h * row;
        for (oh = 0; oh < p->oh; oh++) {
            const int32_t ih0 = oh * p->stride_h - p->pad_t;
            const int32_t rows_in = p->count_include_pad
                                        ? taps_inside(ih0, p->dil_h, p->kh, -p->pad_t, p->h + p->pad_b)
                                        : 0;
            dnn_tap_range(ih0, p->dil_h, p->kh, p->h, &kh0, &kh1);
            for (ow = 0; ow < p->ow; ow++, y += C) {
                const int32_t iw0 = ow * p->stride_w - p->pad_l;
                int32_t valid, cnt, s0;
                const int8_t *base;
                dnn_tap_range(iw0, p->dil_w, p->kw, p->w, &kw0, &kw1);
                valid = (kh1 - kh0) * (kw1 - kw0);
                cnt = valid;
                if (p->count_include_pad)
                    cnt = rows_in * taps_inside(iw0, p->dil_w, p->kw, -p->pad_l, p->w + p->pad_r);
                c = 0;
                if (cnt == 0) {
                    for (; c < C; c++)
                        y[c] = (int8_t)s8_clamp(zp, lo, hi);
                    continue;
                }
                s0 = zp * (cnt - valid); /* padding positions counted as the zero point */
                base = valid ? xn + (size_t)(ih0 + kh0 * p->dil_h) * row +
                                   (size_t)(iw0 + kw0 * p->dil_w) * (size_t)C
                             : xn;
#if DNN_S8_DSP
                if (valid <= 256) /* 16-bit lane sums cannot overflow */
                    for (; c + 4 <= C; c += 4) { /* 4 channels: 2 SXTAB16 per tap */
                        const int8_t *r = base + c;
                        uint32_t e = 0, o = 0; /* (c0, c2), (c1, c3) */
                        for (kh = kh0; kh < kh1; kh++, r += rstep) {
                            const int8_t *t = r;
                            for (kw = kw0; kw < kw1; kw++, t += tstep) {
                                const uint32_t v = s8_ld32(t);
                                e = (uint32_t)__sxtab16((int32_t)e, (int32_t)v);
                                o = (uint32_t)__sxtab16((int32_t)o, (int32_t)((v >> 8) | (v << 24)));
                            }
                        }
                        y[c] = avg_out(s0 + s8_lo16(e), cnt, zp, lo, hi);
                        y[c + 1] = avg_out(s0 + s8_lo16(o), cnt, zp, lo, hi);
                        y[c + 2] = avg_out(s0 + s8_hi16(e), cnt, zp, lo, hi);
                        y[c + 3] = avg_out(s0 + s8_hi16(o), cnt, zp, lo, hi);
                    }
#endif
                for (; c < C; c++) {
                    const int8_t *r = base + c;
                    int32_t sum = s0;
                    for (kh = kh0; kh < kh1; kh++, r += rstep) {
                        const int8_t *t = r;
                        for (kw = kw0; kw < kw1; kw++, t += tstep)
                            sum += *t;
                    }
                    y[c] = avg_out(sum, cnt, zp, lo, hi);
                }
            }
        }
    }
}

void dnn_s8_global_avgpool(const dnn_s8_global_pool_params *p, const int8_t *x, int8_t *y)
{
    const int32_t C = p->c, size = p->size, lo = p->act_min, hi = p->act_max;
    const int32_t full = s8_full_range(lo, hi), off = -p->input_zp * size;
    const s8_rq q = s8_rq_make(p->mult, p->shift, p->output_zp);
    int32_t n, c, i;

    for (n = 0; n < p->n; n++, x += (size_t)size * (size_t)C, y += C) {
        c = 0;
#if DNN_S8_DSP
        /* 4 channels: 16-bit lane sums of <= 256 pixels, flushed into int32 */
        for (; c + 4 <= C; c += 4) {
            int32_t s0 = off, s1 = off, s2 = off, s3 = off;
            for (i = 0; i < size;) {
                const int32_t end = size - i > 256 ? i + 256 : size;
                uint32_t e = 0, o = 0; /* (c0, c2), (c1, c3) */
                for (; i < end; i++) {
                    const uint32_t v = s8_ld32(x + (size_t)i * (size_t)C + (size_t)c);
                    e = (uint32_t)__sxtab16((int32_t)e, (int32_t)v);
                    o = (uint32_t)__sxtab16((int32_t)o, (int32_t)((v >> 8) | (v << 24)));
                }
                s0 += s8_lo16(e), s2 += s8_hi16(e), s1 += s8_lo16(o), s3 += s8_hi16(o);
            }
            y[c] = s8_out(s8_rq_apply(&q, s0), full, lo, hi);
            y[c + 1] = s8_out(s8_rq_apply(&q, s1), full, lo, hi);
            y[c + 2] = s8_out(s8_rq_apply(&q, s2), full, lo, hi);
            y[c + 3] = s8_out(s8_rq_apply(&q, s3), full, lo, hi);
        }
#endif
        for (; c < C; c++) {
            int32_t s = off;
            for (i = 0; i < size; i++)
                s += x[(size_t)i * (size_t)C + (size_t)c];
            y[c] = s8_out(s8_rq_apply(&q, s), full, lo, hi);
        }
    }
}
