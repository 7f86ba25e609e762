/*
 * dnn_s8_linear.c - int8 fully connected layer (layout and semantics: dnn_s8.h).
 *
 * Each input row is expanded once into int16 scratch, 4 values per group stored as
 * (x0, x2), (x1, x3) - the lane order SXTB16 gives the packed weight words. Blocks of
 * 4 outputs then read their interleaved weights [Kp/4][4 outputs][4 int8] with two
 * LDRD per group: each weight is used once, so its 2 SXTB16 + 1/2 load per 4 MACs
 * are the floor (about 1.2 instructions per MAC with the 8 SMLAD).
 */
#include "dnn_s8_impl.h"

static int32_t fc_kp(const dnn_s8_fc_params *p)
{
    return (p->in_features + 3) & ~3;
}

size_t dnn_s8_fc_scratch_size(const dnn_s8_fc_params *p)
{
    return (size_t)fc_kp(p) * sizeof(int16_t);
}

/* x[0..K) -> int16 groups (x0, x2, x1, x3), zeros up to Kp */
static void fc_expand(const int8_t *x, int32_t K, int32_t Kp, int16_t *d)
{
    int32_t k = 0;
#if DNN_S8_DSP
    for (; k + 4 <= K; k += 4) {
        const uint32_t v = s8_ld32(x + k);
        s8_st32(d + k, s8_sxtb16(v));
        s8_st32(d + k + 2, s8_sxtb16_ror8(v));
    }
#endif
    for (; k < Kp; k += 4) {
        d[k] = (int16_t)(k < K ? x[k] : 0);
        d[k + 1] = (int16_t)(k + 2 < K ? x[k + 2] : 0);
        d[k + 2] = (int16_t)(k + 1 < K ? x[k + 1] : 0);
        d[k + 3] = (int16_t)(k + 3 < K ? x[k + 3] : 0);
    }
}

/* acc[j] += sum_k w_j[k] x[k] for a block of 4 outputs, ng groups. */
#if DNN_S8_ASM
/* per group: LDRD (input pairs), 2 LDRD (weights of 4 outputs), 8 SXTB16, 8 SMLAD */
#define S8_FC4_GROUP                                                                       \
    "ldrd   %[xe], %[xo], [%[x]], #8\n\t"                                                  \
    "ldrd   %[wa], %[wb], [%[w]], #8\n\t"                                                  \
    "sxtb16 %[t], %[wa]\n\t"                                                               \
    "smlad  %[c0], %[xe], %[t], %[c0]\n\t"                                                 \
    "sxtb16 %[t], %[wa], ror #8\n\t"                                                       \
    "smlad  %[c0], %[xo], %[t], %[c0]\n\t"                                                 \
    "sxtb16 %[t], %[wb]\n\t"                                                               \
    "smlad  %[c1], %[xe], %[t], %[c1]\n\t"                                                 \
    "sxtb16 %[t], %[wb], ror #8\n\t"                                                       \
    "smlad  %[c1], %[xo], %[t], %[c1]\n\t"                                                 \
    "ldrd   %[wa], %[wb], [%[w]], #8\n\t"                                                  \
    "sxtb16 %[t], %[wa]\n\t"                                                               \
    "smlad  %[c2], %[xe], %[t], %[c2]\n\t"                                                 \
    "sxtb16 %[t], %[wa], ror #8\n\t"                                                       \
    "smlad  %[c2], %[xo], %[t], %[c2]\n\t"                                                 \
    "sxtb16 %[t], %[wb]\n\t"                                                               \
    "smlad  %[c3], %[xe], %[t], %[c3]\n\t"                                                 \
    "sxtb16 %[t], %[wb], ror #8\n\t"                                                       \
    "smlad  %[c3], %[xo], %[t], %[c3]\n\t"

static DNN_ALWAYS_INLINE void fc_dot4(const int8_t *w, const int16_t *x, int32_t ng,
                                      int32_t acc[4])
{
    int32_t c0 = acc[0], c1 = acc[1], c2 = acc[2], c3 = acc[3];
    uint32_t xe, xo, wa, wb, t;
    __asm__ volatile("lsrs   %[n], %[n], #1\n\t"
                     "bcc    1f\n\t" S8_FC4_GROUP
                     "1:\n\t"
                     "beq    3f\n\t"
                     "2:\n\t" S8_FC4_GROUP S8_FC4_GROUP
                     "subs   %[n], %[n], #1\n\t"
                     "bne    2b\n\t"
                     "3:\n\t"
                     : [c0] "+r"(c0), [c1] "+r"(c1), [c2] "+r"(c2), [c3] "+r"(c3), [w] "+r"(w),
                       [x] "+r"(x), [n] "+r"(ng), [xe] "=&r"(xe), [xo] "=&r"(xo), [wa] "=&r"(wa),
                       [wb] "=&r"(wb), [t] "=&r"(t)
                     :
                     : "cc", "memory");
    acc[0] = c0, acc[1] = c1, acc[2] = c2, acc[3] = c3;
}
#elif DNN_S8_DSP
/* the same with ACLE intrinsics (clang, -O0, DNN_S8_NO_ASM) */
static DNN_ALWAYS_INLINE void fc_dot4(const int8_t *w, const int16_t *x, int32_t ng,
                                      int32_t acc[4])
{
    int32_t c0 = acc[0], c1 = acc[1], c2 = acc[2], c3 = acc[3];
    for (; ng > 0; ng--, x += 4, w += 16) {
        const uint32_t xe = s8_ld32(x), xo = s8_ld32(x + 2);
        uint32_t w0 = s8_ld32(w), w1 = s8_ld32(w + 4);
        c0 = s8_smlad(xo, s8_sxtb16_ror8(w0), s8_smlad(xe, s8_sxtb16(w0), c0));
        c1 = s8_smlad(xo, s8_sxtb16_ror8(w1), s8_smlad(xe, s8_sxtb16(w1), c1));
        w0 = s8_ld32(w + 8), w1 = s8_ld32(w + 12);
        c2 = s8_smlad(xo, s8_sxtb16_ror8(w0), s8_smlad(xe, s8_sxtb16(w0), c2));
        c3 = s8_smlad(xo, s8_sxtb16_ror8(w1), s8_smlad(xe, s8_sxtb16(w1), c3));
    }
    acc[0] = c0, acc[1] = c1, acc[2] = c2, acc[3] = c3;
}
#else
static DNN_ALWAYS_INLINE void fc_dot4(const int8_t *w, const int16_t *x, int32_t ng,
                                      int32_t acc[4])
{
    uint32_t c[4];
    int32_t j;
    for (j = 0; j < 4; j++)
        c[j] = (uint32_t)acc[j];
    for (; ng > 0; ng--, x += 4, w += 16)
        for (j = 0; j < 4; j++)
            c[j] += (uint32_t)(x[0] * w[4 * j] + x[1] * w[4 * j + 2] + x[2] * w[4 * j + 1] +
                               x[3] * w[4 * j + 3]);
    for (j = 0; j < 4; j++)
        acc[j] = (int32_t)c[j];
}
#endif

/* one output: weights [Kp] */
static DNN_ALWAYS_INLINE int32_t fc_dot1(const int8_t *w, const int16_t *x, int32_t ng,
                                         int32_t acc)
{
#if DNN_S8_DSP
    for (; ng > 0; ng--, x += 4, w += 4) {
        const uint32_t wv = s8_ld32(w);
        acc = s8_smlad(s8_ld32(x), s8_sxtb16(wv), acc);
        acc = s8_smlad(s8_ld32(x + 2), s8_sxtb16_ror8(wv), acc);
    }
    return acc;
#else
    uint32_t c = (uint32_t)acc;
    for (; ng > 0; ng--, x += 4, w += 4)
        c += (uint32_t)(x[0] * w[0] + x[1] * w[2] + x[2] * w[1] + x[3] * w[3]);
    return (int32_t)c;
#endif
}

void dnn_s8_fc(const dnn_s8_fc_params *p, const int8_t *x, const int8_t *packed_w,
               const dnn_s8_chan *chan, int8_t *y, void *scratch)
{
    const int32_t K = p->in_features, N = p->out_features, Kp = fc_kp(p), ng = Kp / 4;
    const int32_t lo = p->act_min, hi = p->act_max, full = s8_full_range(lo, hi);
    int16_t *xb = (int16_t *)scratch;
    int32_t b, n, j;

    for (b = 0; b < p->batch; b++, x += K, y += N) {
        const int8_t *w = packed_w;
        fc_expand(x, K, Kp, xb);
        for (n = 0; n + 4 <= N; n += 4, w += 4 * (size_t)Kp) {
            int32_t acc[4];
            for (j = 0; j < 4; j++)
                acc[j] = chan[n + j].bias;
            fc_dot4(w, xb, ng, acc);
            for (j = 0; j < 4; j++) {
                const dnn_s8_chan *c = &chan[n + j];
                if (full && c->shift <= -2) /* SMMLA, ASR, SSAT */
                    y[n + j] = (int8_t)s8_sat8(s8_smmla(acc[j], c->mult, c->rnd) >> (-1 - c->shift));
                else {
                    const s8_rq q = s8_rq_chan(c);
                    y[n + j] = s8_out(s8_rq_apply(&q, acc[j]), full, lo, hi);
                }
            }
        }
        for (; n < N; n++, w += Kp) {
            const s8_rq q = s8_rq_chan(&chan[n]);
            y[n] = s8_out(s8_rq_apply(&q, fc_dot1(w, xb, ng, chan[n].bias)), full, lo, hi);
        }
    }
}
