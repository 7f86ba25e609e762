/*
 * dnn_s8_eltwise.c - int8 elementwise add with requantization (semantics: dnn_s8.h).
 *
 * Per element: (a - a_zp) << 20 and (b - b_zp) << 20, one SMULL + one SMLAL give the
 * exact 64-bit sum of both scaled inputs, its high word plus the rounding constant
 * (which carries the output zero point) is shifted right once, then SSAT.
 */
#include "dnn_s8_impl.h"

static DNN_ALWAYS_INLINE int32_t s8_add1(int32_t a, int32_t b, int32_t a_zp, int32_t b_zp,
                                         int32_t am, int32_t bm, int32_t rnd, int32_t rs)
{
    const int32_t A = (int32_t)((uint32_t)(a - a_zp) << 20), B = (int32_t)((uint32_t)(b - b_zp) << 20);
    const int64_t s = (int64_t)A * am + (int64_t)B * bm; /* |s| < 2^60 */
    return ((int32_t)(s >> 32) + rnd) >> rs;
}

void dnn_s8_add(const dnn_s8_add_params *p, const int8_t *a, const int8_t *b, int8_t *y)
{
    const int32_t n = p->n, per = p->b_period, rs = p->shift;
    const int32_t rnd = (int32_t)((1u << (rs - 1)) + ((uint32_t)p->out_zp << rs));
    const int32_t az = p->a_zp, bz = p->b_zp, am = p->a_mult, bm = p->b_mult;
    const int32_t lo = p->act_min, hi = p->act_max, full = s8_full_range(lo, hi);
    int32_t i0, j;

    for (i0 = 0; i0 < n; i0 += per) {
        const int8_t *ai = a + i0;
        int8_t *yi = y + i0;
        if (full)
            for (j = 0; j < per; j++)
                yi[j] = (int8_t)s8_sat8(s8_add1(ai[j], b[j], az, bz, am, bm, rnd, rs));
        else
            for (j = 0; j < per; j++)
                yi[j] = (int8_t)s8_clamp(s8_add1(ai[j], b[j], az, bz, am, bm, rnd, rs), lo, hi);
        if (per == n)
            break;
    }
}
