/*
 * test_s8_conv.c - dnn_s8_conv (general, pointwise, grouped, depthwise, 1-D) and
 * dnn_s8_fc against int64 loop nests written from the ONNX definitions (QLinearConv /
 * QGemm: sum of (x - x_zp) * w over the positions inside the input, plus bias), on
 * the unpacked ONNX weights, then the exact requantization of dnn_s8.h.
 */
#include "test_s8_util.h"

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
static int conv_out(dnn_s8_conv_params *p)
{
    const int eh = p->h + p->pad_t + p->pad_b - p->dil_h * (p->kh - 1) - 1;
    const int ew = p->w + p->pad_l + p->pad_r - p->dil_w * (p->kw - 1) - 1;
    p->oh = eh / p->stride_h + 1;
    p->ow = ew / p->stride_w + 1;
    return eh >= 0 && ew >= 0;
}

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

static void set_conv(dnn_s8_conv_params *p, int n, int c, int h, int w, int m, int kh, int kw,
                     int sh, int sw, int dh, int dw, int pt, int pl, int pb, int pr, int g)
{
    rnd_q q;
    memset(p, 0, sizeof *p);
    p->n = n, p->c = c, p->h = h, p->w = w, p->m = m, p->kh = kh, p->kw = kw;
    p->stride_h = sh, p->stride_w = sw, p->dil_h = dh, p->dil_w = dw;
    p->pad_t = pt, p->pad_l = pl, p->pad_b = pb, p->pad_r = pr, p->group = g;
    rnd_quant(&q);
    p->input_zp = q.in_zp, p->output_zp = q.out_zp, p->act_min = q.lo, p->act_max = q.hi;
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
        /* one draw per statement: the same cases on every compiler (argument evaluation
         * order is unspecified) */
        int d[13], i;
        for (i = 0; i < 13; i++)
            d[i] = rnd_int(0, 1 << 30);
#define D(i, lo, hi) ((lo) + d[i] % ((hi) - (lo) + 1))
        set_conv(&p, D(0, 1, 2), g * cg, one_d ? 1 : D(1, 1, 13), D(2, 1, 15), g * mg,
                 one_d ? 1 : D(3, 1, 5), D(4, 1, 5), one_d ? 1 : D(5, 1, 3), D(6, 1, 3),
                 one_d ? 1 : D(7, 1, 3), D(8, 1, 3), one_d ? 0 : D(9, 0, 3), D(10, 0, 3),
                 one_d ? 0 : D(11, 0, 3), D(12, 0, 3), g);
#undef D
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
    /*        tag                           n  c   h   w   m  kh kw sh sw dh dw pt pl pb pr g */
    conv_case("pointwise",                  1, 16,  5,  7, 12, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    conv_case("pointwise c%4",              1,  6,  4,  5,  9, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    conv_case("pointwise s2",               2, 16,  9,  9, 32, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 1);
    conv_case("pointwise small K, 2 blocks", 1, 4, 20, 20,  5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    conv_case("pointwise 1-D",              1, 32,  1, 37,  8, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    conv_case("pointwise K=8 3 blocks",     2,  8, 23, 29, 16, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    conv_case("pointwise pad 1 (not direct)", 1, 8, 4,  5,  8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    conv_case("conv 3x3 pad 1",             1, 16,  8,  8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    conv_case("conv 3x3 s2 pad 1",          1,  8, 11,  9, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1);
    conv_case("first conv 3->8 s2 pad 0/1", 1,  3, 24, 24,  8, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 1);
    /* 3 rows of 9 bytes (K = 27): the register-assembled im2col */
    conv_case("first conv 3->8 s1 pad 1",   2,  3, 13, 11,  8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    conv_case("conv 3x1 on 9 channels",     1,  9,  7,  6,  5, 3, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    conv_case("conv 3x9 on 1 channel s2",   1,  1, 12, 20,  4, 3, 9, 2, 2, 1, 1, 1, 0, 1, 0, 1);
    conv_case("DS-CNN conv 10x4 s2",        1,  1, 49, 10, 16, 10, 4, 2, 2, 1, 1, 4, 1, 5, 1, 1);
    conv_case("conv 5x5 pad 2 c%4",         2,  5,  9,  7,  7, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1);
    conv_case("conv dilated",               1,  8, 12, 12,  6, 3, 3, 1, 1, 2, 3, 2, 3, 2, 3, 1);
    conv_case("conv pads > kernel",         1,  4,  3,  3,  4, 2, 2, 1, 1, 1, 1, 3, 3, 3, 3, 1);
    conv_case("conv 1-D k5 d4 causal",      1, 32,  1, 40, 16, 1, 5, 1, 1, 1, 4, 0, 16, 0, 0, 1);
    conv_case("grouped",                    1, 12,  6,  6,  9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3);
    conv_case("dw 3x3 s1 pad 1",            1, 16,  8, 12, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 16);
    conv_case("dw 3x3 s1 pad 1 c%4",        2,  7,  9,  9,  7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 7);
    conv_case("dw 3x3 s2 pad 1",            1, 12, 12, 10, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 12);
    conv_case("dw 3x3 s2 pad 0/1",          1,  8,  6,  6,  8, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 8);
    conv_case("dw 3x3 transposed (OW<OH)",  1,  8, 25,  5,  8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8);
    conv_case("dw 3x3 s2 transposed",       1,  4, 17,  6,  4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4);
    conv_case("dw 3x3 stride 2x1",          1,  8, 10, 10,  8, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 8);
    conv_case("dw 3x3 row dilation 2",      1,  8, 10, 11,  8, 3, 3, 1, 1, 2, 1, 2, 1, 2, 1, 8);
    conv_case("dw 3x3 no pad tiny",         1,  4,  3,  3,  4, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 4);
    conv_case("dw 5x5 pad 2",               1,  8,  9,  9,  8, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 8);
    conv_case("dw 3x3 dilated",             1,  4,  9,  9,  4, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 4);
    /* the last input column is never read (stride 2, pad_r 0): plane mode loads only the
     * rows the outputs read (it wrote 24 bytes past the scratch) */
    conv_case("dw 3x3 s2 d1,2 pads 2,1,2,0", 1, 12, 3,  5, 12, 3, 3, 2, 2, 1, 2, 2, 1, 2, 0, 12);
    conv_case("dw 1-D k3",                  1,  8,  1, 20,  8, 1, 3, 1, 1, 1, 1, 0, 2, 0, 0, 8);
    conv_case("dw multiplier 2",            1,  4,  5,  5,  8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4);
    /* planes of 4-8 KB (MobileNet's 24x24 layers): plane mode */
    conv_case("dw 3x3 s1 24x24 plane",      1,  8, 24, 24,  8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8);
    conv_case("dw 3x3 s2 24x24 plane",      1,  8, 24, 24,  8, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 8);
    /* large inputs: the ring (not plane) depthwise mode, several im2col blocks */
    conv_case("dw 3x3 s1 ring",             1,  8, 40, 44,  8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8);
    conv_case("dw 3x3 s2 ring c%4",         1,  6, 61, 37,  6, 3, 3, 2, 2, 1, 1, 0, 1, 1, 0, 6);
    conv_case("dw 3x3 s1 ring transposed",  1,  4, 90,  9,  4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4);
    conv_case("dw 5x5 ring",                1,  4, 36, 40,  4, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 4);
    conv_case("dw 3x3 ring row dilation 2", 1,  8, 40, 40,  8, 3, 3, 1, 1, 3, 1, 3, 1, 3, 1, 8);
    conv_case("pointwise 3 blocks",         1,  8, 40, 40, 12, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    conv_case("first conv 3->8 s2 blocks",  1,  3, 48, 48,  8, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 1);
    conv_case("first conv 3->5 s1 pad 1",   2,  3, 20, 21,  5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    conv_case("DS-CNN conv 10x4 s2 full",   1,  1, 49, 10, 64, 10, 4, 2, 2, 1, 1, 4, 1, 5, 1, 1);
    conv_case("DS-CNN dw 25x5 full",        1, 64, 25,  5, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 64);
    conv_case("conv 3x3 16->16 32x32",      1, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    conv_case("pointwise 9 px (tail 1)",    1, 64,  3,  3, 20, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    /* K = 24 (pair + quads), 40 (pair + 2 quads), 256 with a lone pixel: the wide kernel's
     * group dispatch (run_conv also runs dnn_s8_conv_wide on every pointwise case) */
    conv_case("pointwise 24->12 7x5",       1, 24,  7,  5, 12, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    conv_case("pointwise 40->6 2x7 (tail 2)", 2, 40, 2, 7,  6, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    conv_case("pointwise 256->8 3x3",       1, 256, 3,  3,  8, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    conv_case("pointwise 128->16 6x6",      1, 128, 6,  6, 16, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
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
