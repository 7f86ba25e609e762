/* dnn_pack.c - weight packing (see dnn_pack.h for the layouts). */
#include "dnn_pack.h"

size_t dnn_conv_packed_size(const dnn_conv_params *p)
{
    return (size_t)p->m * (size_t)(p->c / p->group) * (size_t)p->kh * (size_t)p->kw;
}

void dnn_conv_pack_weights(const dnn_conv_params *p, const float *src, float *dst)
{
    const size_t total = dnn_conv_packed_size(p);
    const int32_t Cg = p->c / p->group, Mg = p->m / p->group, KH = p->kh, KW = p->kw;
    int32_t g, b, j, kh, c, kw;
    size_t o = 0;

    if (dnn_conv_is_depthwise(p)) {
        memcpy(dst, src, total * sizeof *dst);
        return;
    }
#define SRC(m, c_, kh_, kw_) src[(((size_t)(m) * Cg + (size_t)(c_)) * KH + (size_t)(kh_)) * KW + (size_t)(kw_)]
    for (g = 0; g < p->group; g++) {
        const int32_t m0 = g * Mg;
        for (b = 0; b + 4 <= Mg; b += 4)
            for (kh = 0; kh < KH; kh++)
                for (c = 0; c < Cg; c++)
                    for (kw = 0; kw < KW; kw++)
                        for (j = 0; j < 4; j++)
                            dst[o++] = SRC(m0 + b + j, c, kh, kw);
        for (; b < Mg; b++)
            for (kh = 0; kh < KH; kh++)
                for (c = 0; c < Cg; c++)
                    for (kw = 0; kw < KW; kw++)
                        dst[o++] = SRC(m0 + b, c, kh, kw);
    }
#undef SRC
}

size_t dnn_fc_packed_size(const dnn_fc_params *p)
{
    return (size_t)p->in_features * (size_t)p->out_features;
}

void dnn_fc_pack_weights(const dnn_fc_params *p, const float *b, int b_transposed, float alpha,
                         float *dst)
{
    const int32_t K = p->in_features, N = p->out_features;
    int32_t n, k, j;
    size_t o = 0;
#define B(k_, n_) (b_transposed ? b[(size_t)(n_) * K + (size_t)(k_)] : b[(size_t)(k_) * N + (size_t)(n_)])
    for (n = 0; n + 8 <= N; n += 8)
        for (k = 0; k < K; k++)
            for (j = 0; j < 8; j++)
                dst[o++] = alpha * B(k, n + j);
    if (n + 4 <= N) {
        for (k = 0; k < K; k++)
            for (j = 0; j < 4; j++)
                dst[o++] = alpha * B(k, n + j);
        n += 4;
    }
    for (; n < N; n++)
        for (k = 0; k < K; k++)
            dst[o++] = alpha * B(k, n);
#undef B
}
