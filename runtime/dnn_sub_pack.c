/*
 * dnn_sub_pack.c - compile-time side of the sub-byte / precision-group kernels: weight
 * packing (layouts in dnn_sub.h) and the per-channel records. Linked by the compiler
 * and the tests; firmware does not need it.
 */
#include "dnn_sub_impl.h"

static int32_t conv_ng(const dnn_s8_conv_params *p)
{
    return ((p->c / p->group) * p->kh * p->kw + 3) / 4;
}

/* bytes of a unit stream of `units` units */
static size_t stream_bytes(int32_t bits, size_t units)
{
    const size_t u = (size_t)sub_units(bits);
    return 4 * ((units + u - 1) / u);
}

size_t dnn_sub_conv_packed_size(const dnn_sub_conv_params *p, int32_t bits, int32_t m)
{
    if (!sub_bits_ok(bits) || m < 0)
        return 0;
    if (dnn_s8_conv_is_depthwise(&p->conv))
        return ((size_t)m * (size_t)p->conv.kh * (size_t)p->conv.kw * (size_t)bits + 7) / 8;
    return stream_bytes(bits, (size_t)m * (size_t)conv_ng(&p->conv));
}

size_t dnn_sub_fc_packed_size(const dnn_sub_fc_params *p, int32_t bits, int32_t n)
{
    if (!sub_bits_ok(bits) || n < 0)
        return 0;
    return stream_bytes(bits, (size_t)n * (size_t)((p->fc.in_features + 3) / 4));
}

/* saturates v to the range of `bits`, counting saturations */
static int32_t sat_w(int32_t v, int32_t bits, int32_t *nsat)
{
    const int32_t hi = (1 << (bits - 1)) - 1, lo = -hi - 1;
    if (v < lo || v > hi) {
        ++*nsat;
        return v < lo ? lo : hi;
    }
    return v;
}

/* value r (0..3) of unit ui of a unit stream */
static void put_unit_val(uint8_t *s, int32_t bits, size_t ui, int32_t r, int32_t v)
{
    const size_t U = (size_t)sub_units(bits), word = ui / U;
    if (bits == 8) {
        s[4 * word + (size_t)r] = (uint8_t)(int8_t)v;
        return;
    }
    {
        const int32_t pos = sub_field_pos(bits, (int32_t)(ui % U), r);
        const uint32_t mask = (1u << bits) - 1u;
        s[4 * word + (size_t)(pos >> 3)] |= (uint8_t)(((uint32_t)v & mask) << (pos & 7));
    }
}

static void put_dense_val(uint8_t *s, int32_t bits, size_t i, int32_t v)
{
    const size_t bit = i * (size_t)bits;
    const uint32_t mask = bits == 8 ? 0xFFu : (1u << bits) - 1u;
    s[bit >> 3] |= (uint8_t)(((uint32_t)v & mask) << (bit & 7));
}

/* the channel record of dnn_s8_pack.c's make_chan */
static void make_chan(dnn_s8_chan *c, int64_t bias, int64_t wsum, int32_t input_zp,
                      int32_t output_zp, int32_t mult, int32_t shift)
{
    c->bias = (int32_t)(bias - (int64_t)input_zp * wsum);
    c->mult = mult;
    c->rnd = s8_rnd_of(shift, output_zp);
    c->shift = shift;
}

int32_t dnn_sub_conv_pack(const dnn_sub_conv_params *sp, int32_t bits, int32_t m0, int32_t m,
                          const int8_t *onnx_w, const int32_t *bias, const int32_t *mult,
                          const int32_t *shift, void *packed_w, dnn_s8_chan *chan)
{
    const dnn_s8_conv_params *p = &sp->conv;
    const int32_t Cg = p->c / p->group, KH = p->kh, KW = p->kw, K = Cg * KH * KW;
    const int32_t ng = conv_ng(p);
    const int dw = dnn_s8_conv_is_depthwise(p);
    uint8_t *s = (uint8_t *)packed_w;
    int32_t nsat = 0, j, c, kh, kw;

    if (!sub_bits_ok(bits))
        return -1;
    memset(s, 0, dnn_sub_conv_packed_size(sp, bits, m));
    for (j = 0; j < m; j++) {
        const int32_t ml = m0 + j;
        const int8_t *wm = onnx_w + (size_t)ml * (size_t)K; /* ONNX [Cg][KH][KW] */
        int64_t sum = 0;
        for (c = 0; c < Cg; c++)
            for (kh = 0; kh < KH; kh++)
                for (kw = 0; kw < KW; kw++) {
                    const int32_t v = sat_w(wm[(c * KH + kh) * KW + kw], bits, &nsat);
                    const int32_t k = (kh * KW + kw) * Cg + c; /* NHWC patch order */
                    sum += v;
                    if (dw)
                        put_dense_val(s, bits, (size_t)j * (size_t)K + (size_t)(kh * KW + kw), v);
                    else
                        put_unit_val(s, bits, (size_t)j * (size_t)ng + (size_t)(k >> 2), k & 3, v);
                }
        make_chan(&chan[j], bias ? bias[ml] : 0, sum, p->input_zp, p->output_zp, mult[ml],
                  shift[ml]);
    }
    return nsat;
}

int32_t dnn_sub_fc_pack(const dnn_sub_fc_params *sp, int32_t bits, int32_t n0, int32_t n,
                        const int8_t *b, int b_transposed, const int32_t *bias,
                        const int32_t *mult, const int32_t *shift, void *packed_w,
                        dnn_s8_chan *chan)
{
    const dnn_s8_fc_params *p = &sp->fc;
    const int32_t K = p->in_features, N = p->out_features, ng = (K + 3) / 4, nb = n / 4;
    uint8_t *s = (uint8_t *)packed_w;
    int32_t nsat = 0, j, k;

    if (!sub_bits_ok(bits))
        return -1;
    memset(s, 0, dnn_sub_fc_packed_size(sp, bits, n));
    for (j = 0; j < n; j++) {
        const int32_t o = n0 + j;
        int64_t sum = 0;
        for (k = 0; k < K; k++) {
            const int32_t v = sat_w(b_transposed ? b[(size_t)o * K + (size_t)k] : b[(size_t)k * N + (size_t)o],
                                    bits, &nsat);
            size_t ui;
            if (j < 4 * nb)
                ui = (size_t)(j >> 2) * 4 * (size_t)ng + (size_t)(k >> 2) * 4 + (size_t)(j & 3);
            else
                ui = (size_t)nb * 4 * (size_t)ng + (size_t)(j - 4 * nb) * (size_t)ng + (size_t)(k >> 2);
            put_unit_val(s, bits, ui, k & 3, v);
            sum += v;
        }
        make_chan(&chan[j], bias ? bias[o] : 0, sum, p->input_zp, p->output_zp, mult[o], shift[o]);
    }
    return nsat;
}
