/*
 * test_s8_ops.c - dnn_s8_add, dnn_s8_maxpool, dnn_s8_avgpool, dnn_s8_global_avgpool
 * against loop nests written from the semantics in dnn_s8.h (int64 arithmetic), plus
 * the distance of the add to the exactly rounded real-valued sum.
 */
#include "test_s8_util.h"

static void run_add(int n, int period, int in_place)
{
    dnn_s8_add_params p;
    rnd_q q;
    int8_t *a = (int8_t *)xalloc((size_t)n), *b = (int8_t *)xalloc((size_t)period);
    int8_t *y = in_place ? a : (int8_t *)xalloc((size_t)n), *ref = (int8_t *)xalloc((size_t)n);
    const double sa = rnd_scale(-9, -3), sb = rnd_scale(-9, -3);
    const double so = (sa + sb) * (0.3 + 1.5 * rnd_unit());
    long hist[3] = {0, 0, 0}, far = 0;
    int i;
    char name[200];

    rnd_quant(&q);
    p.n = n, p.b_period = period;
    p.a_zp = q.in_zp, p.b_zp = rnd_int(-128, 127), p.out_zp = q.out_zp;
    p.act_min = q.lo, p.act_max = q.hi;
    dnn_s8_add_quantize(sa, sb, so, &p.a_mult, &p.b_mult, &p.shift);
    rnd_fill_s8(a, (size_t)n, -128, 127);
    rnd_fill_s8(b, (size_t)period, -128, 127);
    for (i = 0; i < n; i++) {
        const int64_t A = (int64_t)(a[i] - p.a_zp) * 1048576, B = (int64_t)(b[i % period] - p.b_zp) * 1048576;
        const int64_t s = A * p.a_mult + B * p.b_mult + ((int64_t)1 << (31 + p.shift));
        const int64_t v = ref_floor_shift(s, 32 + p.shift);
        const double real = (sa * (a[i] - p.a_zp) + sb * (b[i % period] - p.b_zp)) / so;
        const long d = (long)v - (long)nearbyint(real);
        ref[i] = ref_out(p.out_zp + v, q.lo, q.hi);
        if (d < -1 || d > 1)
            far++;
        else
            hist[d + 1]++;
    }
    snprintf(name, sizeof name, "add n %d period %d%s zp %d,%d,%d act[%d,%d]", n, period,
             in_place ? " in place" : "", (int)p.a_zp, (int)p.b_zp, (int)p.out_zp, (int)q.lo, (int)q.hi);
    dnn_s8_add(&p, a, b, y);
    check_s8(name, y, ref, (size_t)n);
    snprintf(name, sizeof name, "add within 1 step of the exact real sum (-1: %ld, 0: %ld, +1: %ld)",
             hist[0], hist[1], hist[2]);
    if (far || g_verbose)
        record(far == 0, name);
    free(a), free(b), free(ref);
    if (!in_place)
        free(y);
}

static void pool_dims(dnn_s8_pool_params *p, int ceil_mode)
{
    const int eh = p->h + p->pad_t + p->pad_b - p->dil_h * (p->kh - 1) - 1;
    const int ew = p->w + p->pad_l + p->pad_r - p->dil_w * (p->kw - 1) - 1;
    p->oh = (eh + (ceil_mode ? p->stride_h - 1 : 0)) / p->stride_h + 1;
    p->ow = (ew + (ceil_mode ? p->stride_w - 1 : 0)) / p->stride_w + 1;
}

static void run_pool(int avg)
{
    dnn_s8_pool_params p;
    rnd_q q;
    int8_t *x, *y, *ref;
    size_t nx, ny;
    int n, oh, ow, c, kh, kw;
    char name[200];

    memset(&p, 0, sizeof p);
    p.n = rnd_int(1, 2), p.c = rnd_int(1, 13), p.h = rnd_int(1, 12), p.w = rnd_int(1, 12);
    p.kh = rnd_int(1, 4), p.kw = rnd_int(1, 4), p.stride_h = rnd_int(1, 3), p.stride_w = rnd_int(1, 3);
    p.dil_h = rnd_int(0, 3) ? 1 : 2, p.dil_w = rnd_int(0, 3) ? 1 : 2;
    p.pad_t = rnd_int(0, p.kh - 1), p.pad_l = rnd_int(0, p.kw - 1);
    p.pad_b = rnd_int(0, p.kh - 1), p.pad_r = rnd_int(0, p.kw - 1);
    p.count_include_pad = rnd_int(0, 1);
    if (p.h + p.pad_t + p.pad_b - p.dil_h * (p.kh - 1) - 1 < 0 ||
        p.w + p.pad_l + p.pad_r - p.dil_w * (p.kw - 1) - 1 < 0)
        return;
    pool_dims(&p, rnd_int(0, 2) == 0);
    rnd_quant(&q);
    p.zp = q.in_zp, p.act_min = q.lo, p.act_max = q.hi;
    nx = (size_t)p.n * p.h * p.w * p.c, ny = (size_t)p.n * p.oh * p.ow * p.c;
    x = (int8_t *)xalloc(nx), y = (int8_t *)xalloc(ny), ref = (int8_t *)xalloc(ny);
    rnd_fill_s8(x, nx, -128, 127);
    for (n = 0; n < p.n; n++)
        for (oh = 0; oh < p.oh; oh++)
            for (ow = 0; ow < p.ow; ow++)
                for (c = 0; c < p.c; c++) {
                    int64_t s = 0, m = -1000;
                    int cnt = 0, cntp = 0;
                    for (kh = 0; kh < p.kh; kh++)
                        for (kw = 0; kw < p.kw; kw++) {
                            const int ih = oh * p.stride_h - p.pad_t + kh * p.dil_h;
                            const int iw = ow * p.stride_w - p.pad_l + kw * p.dil_w;
                            if (ih >= -p.pad_t && ih < p.h + p.pad_b && iw >= -p.pad_l && iw < p.w + p.pad_r)
                                cntp++;
                            if (ih < 0 || ih >= p.h || iw < 0 || iw >= p.w)
                                continue;
                            {
                                const int v = x[(((size_t)n * p.h + ih) * p.w + iw) * p.c + c];
                                s += v;
                                m = v > m ? v : m;
                                cnt++;
                            }
                        }
                    {
                        int64_t out;
                        if (!avg)
                            out = cnt ? m : p.act_min;
                        else {
                            const int d = p.count_include_pad ? cntp : cnt;
                            if (p.count_include_pad)
                                s += (int64_t)p.zp * (cntp - cnt);
                            /* zp + (s - d * zp) / d rounded half to even, by exact
                             * comparison of 2 * remainder with d */
                            if (d == 0)
                                out = p.zp;
                            else {
                                const int64_t t = s - (int64_t)d * p.zp;
                                int64_t fl = t >= 0 ? t / d : -((-t + d - 1) / d);
                                const int64_t r2 = 2 * (t - fl * d);
                                if (r2 > d || (r2 == d && (fl % 2 != 0)))
                                    fl++;
                                out = fl + p.zp;
                            }
                        }
                        ref[(((size_t)n * p.oh + oh) * p.ow + ow) * p.c + c] = ref_out(out, q.lo, q.hi);
                    }
                }
    if (avg)
        dnn_s8_avgpool(&p, x, y);
    else
        dnn_s8_maxpool(&p, x, y);
    snprintf(name, sizeof name,
             "%s n%d c%d %dx%d k%dx%d s%d,%d d%d,%d pad %d,%d,%d,%d%s -> %dx%d zp %d act[%d,%d]",
             avg ? "avgpool" : "maxpool", (int)p.n, (int)p.c, (int)p.h, (int)p.w, (int)p.kh,
             (int)p.kw, (int)p.stride_h, (int)p.stride_w, (int)p.dil_h, (int)p.dil_w, (int)p.pad_t,
             (int)p.pad_l, (int)p.pad_b, (int)p.pad_r, p.count_include_pad ? " incl" : "",
             (int)p.oh, (int)p.ow, (int)p.zp, (int)q.lo, (int)q.hi);
    check_s8(name, y, ref, ny);
    free(x), free(y), free(ref);
}

static void run_gap(int n, int size, int c)
{
    dnn_s8_global_pool_params p;
    rnd_q q;
    int8_t *x = (int8_t *)xalloc((size_t)n * size * c), *y = (int8_t *)xalloc((size_t)n * c),
           *ref = (int8_t *)xalloc((size_t)n * c);
    int b, i, ch;
    char name[160];
    rnd_quant(&q);
    p.n = n, p.size = size, p.c = c;
    p.input_zp = q.in_zp, p.output_zp = q.out_zp, p.act_min = q.lo, p.act_max = q.hi;
    dnn_s8_quantize_multiplier((0.5 + rnd_unit()) / size, &p.mult, &p.shift);
    rnd_fill_s8(x, (size_t)n * size * c, -128, 127);
    for (b = 0; b < n; b++)
        for (ch = 0; ch < c; ch++) {
            int64_t s = 0;
            for (i = 0; i < size; i++)
                s += x[((size_t)b * size + i) * c + ch] - p.input_zp;
            ref[(size_t)b * c + ch] = ref_out(p.output_zp + ref_requant_q(s, p.mult, p.shift), q.lo, q.hi);
        }
    dnn_s8_global_avgpool(&p, x, y);
    snprintf(name, sizeof name, "global avgpool n%d size %d c%d zp %d,%d act[%d,%d]", n, size, c,
             (int)p.input_zp, (int)p.output_zp, (int)q.lo, (int)q.hi);
    check_s8(name, y, ref, (size_t)n * c);
    free(x), free(y), free(ref);
}

void test_s8_ops(void)
{
    int t;
    run_add(16 * 32 * 32, 16 * 32 * 32, 0);
    run_add(1000, 1000, 1);
    run_add(64 * 12, 12, 0);
    run_add(37, 1, 0);
    for (t = 0; t < (g_quick ? 20 : 100); t++) {
        const int per = rnd_int(1, 40), reps = rnd_int(1, 30);
        const int same = rnd_int(0, 1), in_place = rnd_int(0, 3) == 0;
        run_add(per * reps, same ? per * reps : per, in_place);
    }
    for (t = 0; t < (g_quick ? 40 : 300); t++) {
        run_pool(0);
        run_pool(1);
    }
    run_gap(1, 64, 64);
    run_gap(1, 125, 64);
    run_gap(2, 300, 7);
    run_gap(1, 9, 256);
    for (t = 0; t < (g_quick ? 10 : 50); t++) {
        const int n = rnd_int(1, 2), size = rnd_int(1, 600), c = rnd_int(1, 20);
        run_gap(n, size, c);
    }
}
