/*
 * dnn_s8_pack.c - compile-time side of the int8 kernels: weight packing, bias folding
 * and the fixed-point multipliers (layouts and definitions in dnn_s8.h). The compiler
 * links this file; firmware does not need it (it uses double precision).
 */
#include "dnn_s8_impl.h"

/* ---- multipliers ---- */

void dnn_s8_quantize_multiplier(double real_scale, int32_t *mult, int32_t *shift)
{
    int e;
    double f;
    int64_t m;

    *mult = 0;
    *shift = 0;
    if (!(real_scale > 0.0))
        return;
    f = frexp(real_scale, &e); /* real_scale = f * 2^e, f in [0.5, 1) */
    m = (int64_t)floor(f * 2147483648.0 + 0.5);
    if (m == ((int64_t)1 << 31)) { /* f rounded up to 1.0 */
        m >>= 1;
        e++;
    }
    if (e > 29) { /* |acc * s| >= 2^29 for every acc != 0: saturate */
        *mult = 0x7FFFFFFF;
        *shift = 29;
        return;
    }
    if (e < -23) { /* keep shift = -23 (no overflow of the rounding constant), drop bits */
        const int d = -23 - e;
        m = d > 62 ? 0 : (m + ((int64_t)1 << (d - 1))) >> d;
        e = -23;
    }
    *mult = (int32_t)m;
    *shift = e;
}

void dnn_s8_add_quantize(double a_scale, double b_scale, double out_scale, int32_t *a_mult,
                         int32_t *b_mult, int32_t *shift)
{
    const double ra = a_scale / out_scale, rb = b_scale / out_scale;
    const double r = ra > rb ? ra : rb;
    int e = 0, s;
    double ma, mb;

    if (r > 0.0)
        (void)frexp(r, &e); /* r in [2^(e-1), 2^e): floor(log2 r) = e - 1 */
    s = 19 - e;
    s = s < 1 ? 1 : (s > 22 ? 22 : s);
    ma = floor(ra * ldexp(1.0, 12 + s) + 0.5);
    mb = floor(rb * ldexp(1.0, 12 + s) + 0.5);
    *a_mult = !(ma > 0.0) ? 0 : (ma >= 2147483647.0 ? 0x7FFFFFFF : (int32_t)ma);
    *b_mult = !(mb > 0.0) ? 0 : (mb >= 2147483647.0 ? 0x7FFFFFFF : (int32_t)mb);
    *shift = s;
}

/* ---- convolution ---- */

static int32_t conv_kp(const dnn_s8_conv_params *p)
{
    return ((p->c / p->group) * p->kh * p->kw + 3) & ~3;
}

size_t dnn_s8_conv_packed_size(const dnn_s8_conv_params *p)
{
    if (dnn_s8_conv_is_depthwise(p))
        return (size_t)p->c * (size_t)p->kh * (size_t)p->kw;
    return (size_t)p->m * (size_t)conv_kp(p);
}

/* the channel record of output channel m: folded bias, multiplier, rounding constant */
static void make_chan(dnn_s8_chan *c, int64_t bias, int64_t wsum, int32_t input_zp,
                      int32_t output_zp, int32_t mult, int32_t shift)
{
    c->bias = (int32_t)(bias - (int64_t)input_zp * wsum);
    c->mult = mult;
    c->rnd = s8_rnd_of(shift, output_zp);
    c->shift = shift;
}

/* the channel records of a convolution from its ONNX weights */
static void conv_chans(const dnn_s8_conv_params *p, const int8_t *src, const int32_t *bias,
                       const int32_t *mult, const int32_t *shift, dnn_s8_chan *chan)
{
    const int32_t K = p->c / p->group * p->kh * p->kw;
    int32_t m, c;
    for (m = 0; m < p->m; m++) {
        const int8_t *wm = src + (size_t)m * (size_t)K; /* ONNX [Cg][KH][KW] */
        int64_t sum = 0;
        for (c = 0; c < K; c++)
            sum += wm[c];
        make_chan(&chan[m], bias ? bias[m] : 0, sum, p->input_zp, p->output_zp, mult[m], shift[m]);
    }
}

/* value k of output channel m in the packed [M][Kp] order: k = (kh * KW + kw) * C/group
 * + c (an NHWC patch) from ONNX W[M][C/group][KH][KW], 0 for k >= K */
static int8_t conv_w_at(const dnn_s8_conv_params *p, const int8_t *src, int32_t m, int32_t k)
{
    const int32_t Cg = p->c / p->group, KH = p->kh, KW = p->kw, K = Cg * KH * KW;
    const int32_t c = k % Cg, kw = k / Cg % KW, kh = k / Cg / KW;
    return k < K ? src[(size_t)m * (size_t)K + (size_t)((c * KH + kh) * KW + kw)] : 0;
}

void dnn_s8_conv_pack(const dnn_s8_conv_params *p, const int8_t *src, const int32_t *bias,
                      const int32_t *mult, const int32_t *shift, int8_t *packed_w,
                      dnn_s8_chan *chan)
{
    const int32_t Kp = conv_kp(p);
    int32_t m, k;

    conv_chans(p, src, bias, mult, shift, chan);
    if (dnn_s8_conv_is_depthwise(p)) {
        memcpy(packed_w, src, dnn_s8_conv_packed_size(p));
        return;
    }
    for (m = 0; m < p->m; m++)
        for (k = 0; k < Kp; k++)
            packed_w[(size_t)m * (size_t)Kp + (size_t)k] = conv_w_at(p, src, m, k);
}

size_t dnn_s8_conv_wide_packed_size(const dnn_s8_conv_params *p)
{
    return (size_t)p->m * (size_t)conv_kp(p) * sizeof(int16_t);
}

void dnn_s8_conv_wide_pack(const dnn_s8_conv_params *p, const int8_t *src, const int32_t *bias,
                           const int32_t *mult, const int32_t *shift, int16_t *packed_w,
                           dnn_s8_chan *chan)
{
    const int32_t Kp = conv_kp(p);
    int32_t m, k;
    conv_chans(p, src, bias, mult, shift, chan);
    for (m = 0; m < p->m; m++)
        for (k = 0; k < Kp; k += 4) { /* (w0, w2, w1, w3): SXTB16's order, as the slots */
            int16_t *d = packed_w + (size_t)m * (size_t)Kp + (size_t)k;
            d[0] = conv_w_at(p, src, m, k), d[1] = conv_w_at(p, src, m, k + 2);
            d[2] = conv_w_at(p, src, m, k + 1), d[3] = conv_w_at(p, src, m, k + 3);
        }
}

/* ---- fully connected ---- */

static int32_t fc_kp(const dnn_s8_fc_params *p)
{
    return (p->in_features + 3) & ~3;
}

size_t dnn_s8_fc_packed_size(const dnn_s8_fc_params *p)
{
    return (size_t)p->out_features * (size_t)fc_kp(p);
}

void dnn_s8_fc_pack(const dnn_s8_fc_params *p, const int8_t *b, int b_transposed,
                    const int32_t *bias, const int32_t *mult, const int32_t *shift,
                    int8_t *packed_w, dnn_s8_chan *chan)
{
    const int32_t K = p->in_features, N = p->out_features, Kp = fc_kp(p);
    int32_t n, k, j;
    size_t o = 0;
#define B(k_, n_) (b_transposed ? b[(size_t)(n_) * K + (size_t)(k_)] : b[(size_t)(k_) * N + (size_t)(n_)])
#define BZ(k_, n_) ((k_) < K ? B(k_, n_) : 0)
    for (n = 0; n < N; n++) {
        int64_t sum = 0;
        for (k = 0; k < K; k++)
            sum += B(k, n);
        make_chan(&chan[n], bias ? bias[n] : 0, sum, p->input_zp, p->output_zp, mult[n], shift[n]);
    }
    for (n = 0; n + 4 <= N; n += 4)
        for (k = 0; k < Kp; k += 4)
            for (j = 0; j < 4; j++) {
                packed_w[o++] = BZ(k, n + j);
                packed_w[o++] = BZ(k + 1, n + j);
                packed_w[o++] = BZ(k + 2, n + j);
                packed_w[o++] = BZ(k + 3, n + j);
            }
    for (; n < N; n++)
        for (k = 0; k < Kp; k++)
            packed_w[o++] = BZ(k, n);
#undef BZ
#undef B
}
