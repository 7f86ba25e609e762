/*
 * test_s8_conv.c - dnn_s8_conv (general, pointwise, grouped, depthwise, 1-D) and
 * dnn_s8_fc against int64 loop nests written from the ONNX definitions (QLinearConv /
 * QGemm: sum of (x - x_zp) * w over the positions inside the input, plus bias), on
 * the unpacked ONNX weights, then the exact requantization of dnn_s8.h.
 */
#include "test_s8_util.h"
#include "../conv_cases.h"

static void ref_conv(const dnn_s8_conv_params *p, const int8_t *x, const int8_t *w,
                     const int32_t *bias, const int32_t *mult, const int32_t *shift, int8_t *y)
{
    const int Cg = p->c / p->group, Mg = p->m / p->group;
    int n, m, oh, ow, c, kh, kw;
    for (n = 0; n < p->n; n++)
        for (oh = 0; oh < p->oh; oh++)
            for (ow = 0; ow < p->ow; ow++)
                for (m = 0; m < p->m; m++) {
                    const int g = m / Mg;
                    int64_t acc = bias ? bias[m] : 0;
                    for (c = 0; c < Cg; c++)
                        for (kh = 0; kh < p->kh; kh++)
                            for (kw = 0; kw < p->kw; kw++) {
                                const int ih = oh * p->stride_h - p->pad_t + kh * p->dil_h;
                                const int iw = ow * p->stride_w - p->pad_l + kw * p->dil_w;
                                if (ih < 0 || ih >= p->h || iw < 0 || iw >= p->w)
                                    continue;
                                acc += (int64_t)(x[(((size_t)n * p->h + ih) * p->w + iw) * p->c + g * Cg + c] -
                                                 p->input_zp) *
                                       w[(((size_t)m * Cg + c) * p->kh + kh) * p->kw + kw];
                            }
                    y[(((size_t)n * p->oh + oh) * p->ow + ow) * p->m + m] =
                        ref_out(p->output_zp + ref_requant_q(acc, mult[m], shift[m]), p->act_min,
                                p->act_max);
                }
}

static void describe(char *buf, size_t len, const char *tag, const dnn_s8_conv_params *p)
{
    snprintf(buf, len,
             "%s n%d c%d %dx%d m%d k%dx%d s%d,%d d%d,%d pad %d,%d,%d,%d g%d -> %dx%d zp %d,%d act[%d,%d]",
             tag, (int)p->n, (int)p->c, (int)p->h, (int)p->w, (int)p->m, (int)p->kh, (int)p->kw,
             (int)p->stride_h, (int)p->stride_w, (int)p->dil_h, (int)p->dil_w, (int)p->pad_t,
             (int)p->pad_l, (int)p->pad_b, (int)p->pad_r, (int)p->group, (int)p->oh, (int)p->ow,
             (int)p->input_zp, (int)p->output_zp, (int)p->act_min, (int)p->act_max);
}

/* oh / ow from the rest; 0 when the output would be empty */
/* a shift that keeps typical outputs inside the int8 range (sqrt(K)-sized sums) */
static int shift_for(int K)
{
    return (int)floor(log2(60.0 / (sqrt((double)K) * 128.0 * 73.0)) + 0.5) + 1;
}

static void run_conv(const char *tag, dnn_s8_conv_params *p, int with_bias)
{
    const int Cg = p->c / p->group, K = Cg * p->kh * p->kw;
    const size_t nx = (size_t)p->n * p->h * p->w * p->c, nw = (size_t)p->m * K;
    const size_t ny = (size_t)p->n * p->oh * p->ow * p->m, npk = dnn_s8_conv_packed_size(p);
    const size_t nscr = dnn_s8_conv_scratch_size(p);
    int8_t *x = (int8_t *)xalloc(nx), *w = (int8_t *)xalloc(nw), *pw = (int8_t *)xalloc(npk);
    int8_t *y = (int8_t *)galloc(ny), *ref = (int8_t *)xalloc(ny);
    int32_t *bias = (int32_t *)xalloc(sizeof(int32_t) * p->m);
    dnn_s8_chan *pb = (dnn_s8_chan *)xalloc(sizeof(dnn_s8_chan) * p->m);
    int32_t *mult = (int32_t *)xalloc(sizeof(int32_t) * p->m), *shift = (int32_t *)xalloc(sizeof(int32_t) * p->m);
    void *scratch = galloc(nscr); /* guarded: a write outside fails the case */
    const int sc = shift_for(K);
    char name[256];
    int m;

    rnd_fill_s8(x, nx, -128, 127);
    rnd_fill_s8(w, nw, rnd_int(0, 3) ? -127 : -128, 127);
    for (m = 0; m < p->m; m++) {
        bias[m] = rnd_int(-40000, 40000);
        rnd_mult(&mult[m], &shift[m], sc);
    }
    describe(name, sizeof name, tag, p);
    if (nscr == 0 || npk < nw) {
        record(0, name);
        printf("  scratch %lu, packed %lu\n", (unsigned long)nscr, (unsigned long)npk);
    }
    dnn_s8_conv_pack(p, w, with_bias ? bias : NULL, mult, shift, pw, pb);
    dnn_s8_conv(p, x, pw, pb, y, scratch);
    ref_conv(p, x, w, with_bias ? bias : NULL, mult, shift, ref);
    check_s8(name, y, ref, ny);
    gcheck(name, "scratch", scratch), gcheck(name, "y", y);
    if (dnn_s8_conv_wide_ok(p)) { /* the wide-weight pointwise kernel: same channel records
                                   * and outputs */
        const size_t nwp = dnn_s8_conv_wide_packed_size(p);
        int16_t *pw16 = (int16_t *)xalloc(nwp);
        dnn_s8_chan *pb16 = (dnn_s8_chan *)xalloc(sizeof(dnn_s8_chan) * p->m);
        char n2[300];
        dnn_s8_conv_wide_pack(p, w, with_bias ? bias : NULL, mult, shift, pw16, pb16);
        snprintf(n2, sizeof n2, "%s [wide: size, channel records]", name);
        record(nwp == 2 * npk && memcmp(pb, pb16, sizeof(dnn_s8_chan) * p->m) == 0, n2);
        memset(y, 0x5A, ny);
        dnn_s8_conv_wide(p, x, pw16, pb16, y, scratch);
        snprintf(n2, sizeof n2, "%s [wide]", name);
        check_s8(n2, y, ref, ny);
        gcheck(n2, "scratch", scratch), gcheck(n2, "y", y);
        free(pw16), free(pb16);
    }
    free(x), free(w), free(pw), free(ref), free(bias), free(pb), free(mult), free(shift);
    gfree(y), gfree(scratch);
}

static void conv_case(const char *tag, int n, int c, int h, int w, int m, int kh, int kw, int sh,
                      int sw, int dh, int dw, int pt, int pl, int pb, int pr, int g)
{
    dnn_s8_conv_params p;
    set_conv(&p, n, c, h, w, m, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, g);
    if (conv_out(&p))
        run_conv(tag, &p, 1);
}

/* The same with a fused clamp narrower than [-128, 127] (the clamp variants of the
 * assembly kernels): mode 0 ReLU6-like [zp, zp + 70], 1 ReLU [zp, 127], 2 upper bound
 * only [-128, 40], 3 a single value [5, 5]. */
static void clamp_case(const char *tag, int n, int c, int h, int w, int m, int kh, int kw, int sh,
                       int sw, int pt, int pl, int pb, int pr, int g)
{
    int mode;
    for (mode = 0; mode < 4; mode++) {
        dnn_s8_conv_params p;
        char name[96];
        set_conv(&p, n, c, h, w, m, kh, kw, sh, sw, 1, 1, pt, pl, pb, pr, g);
        switch (mode) {
        case 0:
            p.act_min = p.output_zp;
            p.act_max = p.output_zp + 70 > 127 ? 127 : p.output_zp + 70;
            break;
        case 1: p.act_min = p.output_zp; p.act_max = 127; break;
        case 2: p.act_min = -128; p.act_max = 40; break;
        default: p.act_min = 5; p.act_max = 5; break;
        }
        snprintf(name, sizeof name, "%s, clamp mode %d", tag, mode);
        if (conv_out(&p))
            run_conv(name, &p, 1);
    }
}

static void clamp_cases(void)
{
    /*         tag                          n  c   h   w   m  kh kw sh sw pt pl pb pr g */
    clamp_case("conv 3x3 16->16",           1, 16,  8,  8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1);
    clamp_case("first conv 3->8 s2",        1,  3, 24, 24,  8, 3, 3, 2, 2, 0, 0, 1, 1, 1);
    clamp_case("pointwise 8->16 (K 8)",     1,  8, 13, 11, 16, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    clamp_case("pointwise 6->5 (K 8)",      1,  6,  4,  5,  5, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    clamp_case("pointwise 16->32 9 px",     1, 16,  3,  3, 32, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    clamp_case("pointwise 20->8 5 px",      1, 20,  1,  5,  8, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    clamp_case("pointwise 64->24 6x6",      1, 64,  6,  6, 24, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    clamp_case("pointwise 24->16 7x3",      1, 24,  7,  3, 16, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    clamp_case("pointwise 128->8 3x3",      1, 128, 3,  3,  8, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    clamp_case("dw 3x3 s1 6x6",             1, 12,  6,  6, 12, 3, 3, 1, 1, 1, 1, 1, 1, 12);
    clamp_case("dw 3x3 s1 3x3 c%4",         1,  9,  3,  3,  9, 3, 3, 1, 1, 1, 1, 1, 1, 9);
    clamp_case("dw 3x3 s1 5x5",             1,  8,  5,  5,  8, 3, 3, 1, 1, 1, 1, 1, 1, 8);
    clamp_case("dw 3x3 s1 7x7",             1,  4,  7,  7,  4, 3, 3, 1, 1, 1, 1, 1, 1, 4);
    clamp_case("dw 3x3 s2 6x6 -> 3x3",      1,  8,  6,  6,  8, 3, 3, 2, 2, 1, 1, 1, 1, 8);
    clamp_case("dw 3x3 s2 12x12 -> 6x6",    1,  8, 12, 12,  8, 3, 3, 2, 2, 1, 1, 1, 1, 8);
    clamp_case("dw 3x3 s2 pad 0/1 10x10",   1,  4, 10, 10,  4, 3, 3, 2, 2, 0, 0, 1, 1, 4);
    clamp_case("dw 3x3 25x5 (transposed)",  1,  8, 25,  5,  8, 3, 3, 1, 1, 1, 1, 1, 1, 8);
    clamp_case("dw 3x3 s1 ring",            1,  8, 40, 42,  8, 3, 3, 1, 1, 1, 1, 1, 1, 8);
    clamp_case("dw 3x3 s2 ring",            1,  4, 61, 38,  4, 3, 3, 2, 2, 1, 1, 1, 1, 4);
}

static void random_convs(int count)
{
    int t = 0;
    while (t < count) {
        dnn_s8_conv_params p;
        const int kind = rnd_int(0, 11), one_d = rnd_int(0, 4) == 0;
        int g = 1, cg = rnd_int(1, 20), mg = rnd_int(1, 13);
        if (kind >= 8) { /* depthwise (multiplier 1) */
            g = rnd_int(1, 13);
            cg = 1;
            mg = 1;
        } else if (kind == 7) { /* depthwise with a channel multiplier */
            g = rnd_int(1, 6);
            cg = 1;
            mg = rnd_int(2, 4);
        } else if (kind >= 5) { /* grouped */
            g = rnd_int(2, 4);
            cg = rnd_int(1, 9);
            mg = rnd_int(1, 9);
        }
        rnd_conv_shape(&p, one_d, g, cg, mg);
        if (!conv_out(&p))
            continue;
        run_conv(one_d ? "conv1d random" : (kind >= 8 ? "dwconv random" : "conv random"), &p,
                 rnd_int(0, 3) != 0);
        t++;
    }
}

/* Random 3x3 depthwise on small maps (the assembly kernels' geometry, plane mode):
 * strides 1-3, dilations 1-3, each pad 0-3 on its own (input rows / columns past the
 * last one read, rows before the first), 1-20 channels (partial blocks of 4), both
 * orientations (OW < OH runs transposed). */
static void random_dw3(int count)
{
    int t = 0;
    while (t < count) {
        dnn_s8_conv_params p;
        int d[12], i, c;
        for (i = 0; i < 12; i++)
            d[i] = rnd_int(0, 1 << 30);
#define D(i, lo, hi) ((lo) + d[i] % ((hi) - (lo) + 1))
        c = D(0, 1, 20);
        set_conv(&p, 1, c, D(1, 1, 9), D(2, 1, 9), c, 3, 3, D(3, 1, 3), D(4, 1, 3), D(5, 1, 3),
                 D(6, 1, 3), D(7, 0, 3), D(8, 0, 3), D(9, 0, 3), D(10, 0, 3), c);
#undef D
        if (!conv_out(&p))
            continue;
        run_conv("dw 3x3 small random", &p, d[11] % 4 != 0);
        t++;
    }
}

void test_s8_conv(void)
{
    /* the shapes of ../conv_cases.h this suite runs */
#define X(suites, ...) if ((suites) & IN_S8) conv_case(__VA_ARGS__);
    CONV_CASES(X)
#undef X
    clamp_cases();
    random_convs(g_quick ? 60 : 400);
    random_dw3(g_quick ? 60 : 300);
}

/* ---- fully connected ---- */

static void run_fc(int batch, int K, int N, int transposed, int with_bias)
{
    dnn_s8_fc_params p;
    rnd_q q;
    const size_t nx = (size_t)batch * K, nw = (size_t)K * N, ny = (size_t)batch * N;
    int8_t *x, *w, *pw, *y, *ref;
    int32_t *bias, *mult, *shift;
    dnn_s8_chan *pb;
    void *scratch;
    int b, n, k;
    char name[160];

    rnd_quant(&q);
    p.batch = batch, p.in_features = K, p.out_features = N;
    p.input_zp = q.in_zp, p.output_zp = q.out_zp, p.act_min = q.lo, p.act_max = q.hi;
    x = (int8_t *)xalloc(nx), w = (int8_t *)xalloc(nw), pw = (int8_t *)xalloc(dnn_s8_fc_packed_size(&p));
    y = (int8_t *)galloc(ny), ref = (int8_t *)xalloc(ny);
    bias = (int32_t *)xalloc(sizeof(int32_t) * N), pb = (dnn_s8_chan *)xalloc(sizeof(dnn_s8_chan) * N);
    mult = (int32_t *)xalloc(sizeof(int32_t) * N), shift = (int32_t *)xalloc(sizeof(int32_t) * N);
    scratch = galloc(dnn_s8_fc_scratch_size(&p));
    rnd_fill_s8(x, nx, -128, 127);
    rnd_fill_s8(w, nw, -127, 127);
    for (n = 0; n < N; n++) {
        bias[n] = rnd_int(-40000, 40000);
        rnd_mult(&mult[n], &shift[n], (int)floor(log2(60.0 / (sqrt((double)K) * 9344.0)) + 0.5) + 1);
    }
    dnn_s8_fc_pack(&p, w, transposed, with_bias ? bias : NULL, mult, shift, pw, pb);
    dnn_s8_fc(&p, x, pw, pb, y, scratch);
    for (b = 0; b < batch; b++)
        for (n = 0; n < N; n++) {
            int64_t acc = with_bias ? bias[n] : 0;
            for (k = 0; k < K; k++)
                acc += (int64_t)(x[(size_t)b * K + k] - p.input_zp) *
                       (transposed ? w[(size_t)n * K + k] : w[(size_t)k * N + n]);
            ref[(size_t)b * N + n] = ref_out(p.output_zp + ref_requant_q(acc, mult[n], shift[n]), q.lo, q.hi);
        }
    snprintf(name, sizeof name, "fc batch %d K %d N %d%s%s zp %d,%d act[%d,%d]", batch, K, N,
             transposed ? " transB" : "", with_bias ? "" : " nobias", (int)p.input_zp,
             (int)p.output_zp, (int)q.lo, (int)q.hi);
    check_s8(name, y, ref, ny);
    gcheck(name, "scratch", scratch), gcheck(name, "y", y);
    free(x), free(w), free(pw), free(ref), free(bias), free(pb), free(mult), free(shift);
    gfree(y), gfree(scratch);
}

void test_s8_fc(void)
{
    int t;
    run_fc(1, 256, 64, 1, 1);
    run_fc(1, 64, 10, 0, 1);
    run_fc(4, 37, 13, 1, 0);
    run_fc(1, 1, 1, 0, 1);
    for (t = 0; t < (g_quick ? 20 : 100); t++) {
        const int batch = rnd_int(1, 5), K = rnd_int(1, 300), N = rnd_int(1, 21);
        const int tr = rnd_int(0, 1), bias = rnd_int(0, 3) != 0;
        run_fc(batch, K, N, tr, bias);
    }
}
