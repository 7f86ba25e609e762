/*
 * test_s8_quant.c - the requantization definition and helpers:
 *  - dnn_s8_quantize_multiplier: ranges and precision of (mult, shift);
 *  - dnn_s8_requant (the kernels' arithmetic) equals the exact integer definition
 *    floor((acc*mult + 2^(n-1)) / 2^n) for any acc, mult, shift;
 *  - distance to ONNX's round_half_to_even(acc * real_scale) over many random cases:
 *    at most one step, with the distribution of the differences printed;
 *  - dnn_s8_requantize / dnn_s8_quantize_f32 / dnn_s8_dequantize_f32 kernels.
 */
#include "test_s8_util.h"

static void test_multiplier(void)
{
    const int cases = g_quick ? 2000 : 20000;
    int i, bad = 0;
    for (i = 0; i < cases; i++) {
        const double s0 = rnd_scale(-40, 33);
        const double s = s0 * (rnd_int(0, 9) ? 1.0 : 0.5);
        int32_t m, sh;
        double approx;
        int ok;
        dnn_s8_quantize_multiplier(s, &m, &sh);
        approx = ldexp((double)m, sh - 31);
        if (sh < -23 || sh > 29 || m < 0)
            ok = 0;
        else if (s >= ldexp(1.0, 29))
            ok = m == 0x7FFFFFFF && sh == 29;
        else if (sh > -23 || m >= 0x40000000) /* not reduced: normalized, 2^-31 relative */
            ok = m >= 0x40000000 && fabs(approx - s) <= s * ldexp(1.0, -31);
        else /* reduced (s < 2^-24): absolute error <= 2^-54 */
            ok = fabs(approx - s) <= ldexp(1.0, -54);
        if (!ok && bad++ < 5)
            printf("  multiplier of %.17g: (%ld, %ld)\n", s, (long)m, (long)sh);
    }
    {
        int32_t m, sh;
        dnn_s8_quantize_multiplier(0.0, &m, &sh);
        bad += m != 0 || sh != 0;
        dnn_s8_quantize_multiplier(-1.0, &m, &sh);
        bad += m != 0 || sh != 0;
        dnn_s8_quantize_multiplier(1.0, &m, &sh); /* 1.0 = 2^30 * 2^(1-31) */
        bad += m != 0x40000000 || sh != 1;
        dnn_s8_quantize_multiplier(0.9999999999999, &m, &sh); /* rounds up to 2^31: renormalized */
        bad += m != 0x40000000 || sh != 1;
    }
    record(bad == 0, "quantize_multiplier ranges and precision");
}

static int32_t rnd_acc(void)
{
    const int bits = rnd_int(0, 31);
    const int64_t mag = bits == 31 ? (int64_t)(rnd_u32() & 0x7FFFFFFFu)
                                   : (int64_t)(rnd_u32() & (((uint32_t)1 << bits) - 1u));
    return rnd_int(0, 1) ? (int32_t)mag : (int32_t)(-mag - (bits == 31 && rnd_int(0, 1)));
}

/* dnn_s8_requant == the exact definition (saturation: same int8 after any clamp) */
static void test_requant_definition(void)
{
    const int cases = g_quick ? 20000 : 200000;
    int i, bad = 0;
    for (i = 0; i < cases; i++) {
        const int32_t acc = rnd_acc(), shift = rnd_int(-23, 29);
        int32_t mult = (int32_t)(0x40000000u + (rnd_u32() & 0x3FFFFFFFu));
        int64_t exact, got;
        if (shift <= -2 && rnd_int(0, 3) == 0)
            mult = (int32_t)(rnd_u32() & 0x7FFFFFFFu);
        if (rnd_int(0, 63) == 0)
            mult = 0;
        exact = ref_requant_q(acc, mult, shift);
        got = dnn_s8_requant(acc, mult, shift);
        if (got != exact && !((exact >= 256 && got >= 256) || (exact <= -256 && got <= -256))) {
            if (bad < 5)
                printf("  requant(%ld, %ld, %ld) = %ld, exact %ld\n", (long)acc, (long)mult,
                       (long)shift, (long)got, (long)exact);
            bad++;
        }
    }
    record(bad == 0, "requant arithmetic == exact floor((acc*mult + 2^(n-1)) / 2^n)");
}

/* distance to ONNX rounding (half to even of acc * real_scale) */
static void onnx_distance(const char *what, int pow2_scales)
{
    const int cases = g_quick ? 20000 : 200000;
    long hist[3] = {0, 0, 0}, ties = 0, bad = 0;
    int i;
    char name[160];
    for (i = 0; i < cases; i++) {
        const int e = pow2_scales ? rnd_int(-20, 4) : 0;
        const double s = pow2_scales ? ldexp(1.0, e) : rnd_scale(-25, 6);
        const int32_t acc = rnd_acc();
        const double x = (double)acc * s;
        int32_t m, sh;
        double r;
        long d;
        if (fabs(x) >= ldexp(1.0, 27))
            continue;
        dnn_s8_quantize_multiplier(s, &m, &sh);
        r = nearbyint(x); /* round half to even in the default rounding mode */
        if (pow2_scales) /* acc * 2^e is a tie when its last -e bits are 100..0 */
            ties += e < 0 && ((uint32_t)acc & ((1u << -e) - 1u)) == (1u << (-e - 1));
        else
            ties += x - floor(x) == 0.5;
        d = (long)dnn_s8_requant(acc, m, sh) - (long)r;
        if (d < -1 || d > 1) {
            if (bad < 5)
                printf("  acc %ld scale %.17g: got %ld, round_half_even %.0f\n", (long)acc, s,
                       (long)dnn_s8_requant(acc, m, sh), r);
            bad++;
        } else
            hist[d + 1]++;
    }
    printf("  %s: %ld cases, q - round_half_even(acc*s): -1: %ld, 0: %ld, +1: %ld "
           "(exact ties: %ld)\n",
           what, hist[0] + hist[1] + hist[2] + bad, hist[0], hist[1], hist[2], ties);
    snprintf(name, sizeof name, "requant within 1 step of ONNX rounding, %s", what);
    record(bad == 0, name);
}

static void test_requantize_kernel(void)
{
    int t;
    for (t = 0; t < 40; t++) {
        dnn_s8_requantize_params p;
        rnd_q q;
        const int32_t n = rnd_int(1, 300);
        int8_t *x = (int8_t *)xalloc((size_t)n), *y = (int8_t *)xalloc((size_t)n),
               *ref = (int8_t *)xalloc((size_t)n);
        int32_t i;
        rnd_quant(&q);
        p.n = n;
        p.input_zp = q.in_zp;
        p.output_zp = q.out_zp;
        rnd_mult(&p.mult, &p.shift, rnd_int(-2, 4) - 3 + 2 * (t & 1));
        p.act_min = q.lo;
        p.act_max = q.hi;
        rnd_fill_s8(x, (size_t)n, -128, 127);
        for (i = 0; i < n; i++)
            ref[i] = ref_out(p.output_zp + ref_requant_q(x[i] - p.input_zp, p.mult, p.shift), q.lo, q.hi);
        dnn_s8_requantize(&p, x, y);
        check_s8("requantize", y, ref, (size_t)n);
        free(x);
        free(y);
        free(ref);
    }
}

static void test_float_conversions(void)
{
    const int32_t n = 4000;
    float *x = (float *)xalloc(sizeof(float) * (size_t)n), *back = (float *)xalloc(sizeof(float) * (size_t)n);
    int8_t *y = (int8_t *)xalloc((size_t)n), *ref = (int8_t *)xalloc((size_t)n);
    dnn_s8_quant_params p;
    int32_t i, bad = 0;
    p.n = n;
    p.scale = 0.0371f;
    p.zp = -17;
    for (i = 0; i < n; i++) {
        /* values around the ties k + 0.5 of x / scale, and far out of range */
        const float k0 = (float)rnd_int(-200, 200);
        const float k = k0 + (rnd_int(0, 1) ? 0.5f : (float)rnd_unit());
        x[i] = k * p.scale;
        if (i % 97 == 0)
            x[i] = i % 2 ? 1e30f : -1e30f;
    }
    x[1] = NAN;
    x[2] = INFINITY;
    x[3] = -INFINITY;
    for (i = 0; i < n; i++) {
        const float v = x[i] / p.scale;
        long q = v != v ? p.zp : (long)fmax(-1000.0, fmin(1000.0, (double)nearbyintf(v))) + p.zp;
        ref[i] = (int8_t)(q < -128 ? -128 : (q > 127 ? 127 : q));
    }
    for (i = 0; i < 4; i++) { /* any count: groups of 4 values and a tail of 0..3 */
        memset(y, 0x55, (size_t)n);
        p.n = n - i;
        dnn_s8_quantize_f32(&p, x, y);
        bad += y[n - 1] != (i ? 0x55 : ref[n - 1]); /* nothing written past p.n */
        check_s8("quantize_f32 (round half to even, saturate, NaN -> zp)", y, ref, (size_t)(n - i));
    }
    p.n = n;
    record(bad == 0, "quantize_f32 writes p.n values");
    bad = 0;
    dnn_s8_dequantize_f32(&p, y, back);
    for (i = 0; i < n; i++)
        bad += back[i] != (float)(y[i] - p.zp) * p.scale;
    record(bad == 0, "dequantize_f32");
    { /* the fused quantize + NCHW -> NHWC transpose against dnn_s8_quantize_f32 and a
       * transpose: batches, channel counts 1..5, pixel counts with tails of 0..3 */
        static const int32_t shapes[][3] = {{1, 3, 96}, {2, 3, 13}, {1, 1, 7}, {2, 5, 6},
                                            {1, 4, 1}, {3, 2, 9}, {1, 3, 0}};
        int8_t *yf = (int8_t *)xalloc((size_t)n), *yt = (int8_t *)xalloc((size_t)n + 1);
        size_t s;
        for (s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            dnn_s8_quant_nhwc_params q;
            const int32_t nb = shapes[s][0], nc = shapes[s][1], hw = shapes[s][2];
            const int32_t tot = nb * nc * hw;
            int32_t b, c, j;
            char name[96];
            q.n = nb, q.c = nc, q.hw = hw, q.scale = p.scale, q.zp = p.zp;
            p.n = tot;
            dnn_s8_quantize_f32(&p, x, y); /* x is NCHW here */
            for (b = 0; b < nb; b++)
                for (c = 0; c < nc; c++)
                    for (j = 0; j < hw; j++)
                        yt[(b * hw + j) * nc + c] = y[(b * nc + c) * hw + j];
            memset(yf, 0x55, (size_t)n);
            dnn_s8_quantize_f32_nhwc(&q, x, yf);
            snprintf(name, sizeof name, "quantize_f32_nhwc n %d c %d hw %d", (int)nb, (int)nc, (int)hw);
            check_s8(name, yf, yt, (size_t)tot);
            record(yf[tot] == 0x55, "quantize_f32_nhwc writes n * c * hw values");
        }
        p.n = n;
        free(yf);
        free(yt);
    }
    free(x);
    free(back);
    free(y);
    free(ref);
}

void test_s8_quant(void)
{
    test_multiplier();
    test_requant_definition();
    onnx_distance("random scales", 0);
    onnx_distance("power-of-two scales", 1);
    test_requantize_kernel();
    test_float_conversions();
}
