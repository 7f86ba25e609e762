/*
 * test_sub_conv.c - dnn_sub_conv (general, pointwise, grouped, depthwise, 1-D) with
 * 8-, 4-, 2-bit and ternary weights in precision groups and channel-sliced input /
 * output, against an int64 loop nest written from the ONNX definition (QLinearConv on
 * the unpacked weights: sum of (x - x_zp) * w over the taps inside the input, plus
 * bias), then the exact requantization of dnn_s8.h. The output buffer starts filled
 * with a pattern: channels outside the groups must keep it.
 */
#include "test_sub_util.h"
#include "../conv_cases.h"

/* one precision group of a test case: bits, ternary values (bits 2), channels */
typedef struct gspec {
    int bits, tern, m;
} gspec;

#define MAXG 6

/* slicing of a case: extra channels around the layer's in x and y */
typedef struct slicing {
    int in_pre, in_post, out_pre, out_post;
    int skip; /* index of a group that is not passed to the kernel (-1: none) */
} slicing;

static void ref_conv(const dnn_sub_conv_params *sp, const int8_t *x, const int8_t *w,
                     const int32_t *bias, const int32_t *mult, const int32_t *shift,
                     const char *written, int8_t *y)
{
    const dnn_s8_conv_params *p = &sp->conv;
    const int Cg = p->c / p->group, Mg = p->m / p->group, cs = sp->in_c_stride;
    const int ys = sp->out_c_stride;
    int n, m, oh, ow, c, kh, kw;
    for (n = 0; n < p->n; n++)
        for (oh = 0; oh < p->oh; oh++)
            for (ow = 0; ow < p->ow; ow++)
                for (m = 0; m < p->m; m++) {
                    const int g = m / Mg;
                    int64_t acc = bias ? bias[m] : 0;
                    if (!written[m])
                        continue;
                    for (c = 0; c < Cg; c++)
                        for (kh = 0; kh < p->kh; kh++)
                            for (kw = 0; kw < p->kw; kw++) {
                                const int ih = oh * p->stride_h - p->pad_t + kh * p->dil_h;
                                const int iw = ow * p->stride_w - p->pad_l + kw * p->dil_w;
                                if (ih < 0 || ih >= p->h || iw < 0 || iw >= p->w)
                                    continue;
                                acc += (int64_t)(x[(((size_t)n * p->h + ih) * p->w + iw) * cs +
                                                   sp->in_c_offset + g * Cg + c] -
                                                 p->input_zp) *
                                       w[(((size_t)m * Cg + c) * p->kh + kh) * p->kw + kw];
                            }
                    y[(((size_t)n * p->oh + oh) * p->ow + ow) * ys + sp->out_c_offset + m] =
                        ref_out(p->output_zp + ref_requant_q(acc, mult[m], shift[m]), p->act_min,
                                p->act_max);
                }
}

static void describe(char *buf, size_t len, const char *tag, const dnn_sub_conv_params *sp,
                     const gspec *gs, int ng, const slicing *sl)
{
    const dnn_s8_conv_params *p = &sp->conv;
    int k, o;
    o = snprintf(buf, len,
                 "%s n%d c%d %dx%d m%d k%dx%d s%d,%d d%d,%d pad %d,%d,%d,%d g%d -> %dx%d zp %d,%d "
                 "act[%d,%d] x[%d+%d of %d] y[%d+%d of %d] bits",
                 tag, (int)p->n, (int)p->c, (int)p->h, (int)p->w, (int)p->m, (int)p->kh, (int)p->kw,
                 (int)p->stride_h, (int)p->stride_w, (int)p->dil_h, (int)p->dil_w, (int)p->pad_t,
                 (int)p->pad_l, (int)p->pad_b, (int)p->pad_r, (int)p->group, (int)p->oh, (int)p->ow,
                 (int)p->input_zp, (int)p->output_zp, (int)p->act_min, (int)p->act_max,
                 (int)sp->in_c_offset, (int)p->c, (int)sp->in_c_stride, (int)sp->out_c_offset,
                 (int)p->m, (int)sp->out_c_stride);
    for (k = 0; k < ng && o > 0 && (size_t)o < len; k++)
        o += snprintf(buf + o, len - (size_t)o, " %s%d:%d%s", k == sl->skip ? "(skip)" : "",
                      gs[k].bits, gs[k].m, gs[k].tern ? "t" : "");
}

/* oh / ow from the rest; 0 when the output would be empty */
/* a shift that keeps typical outputs inside the int8 range: sqrt(K)-sized sums of
 * weights of about wrms */
static int shift_for(int K, int bits)
{
    const double wrms = bits == 8 ? 73.0 : (bits == 4 ? 4.6 : 0.9);
    return (int)floor(log2(60.0 / (sqrt((double)K) * 128.0 * wrms)) + 0.5) + 1;
}

/* x / w value generators: 0 random, 1 extreme (accumulator bounds) */
static void run_conv(const char *tag, const dnn_s8_conv_params *p, const gspec *gs, int ngs,
                     const slicing *sl, int with_bias, int extreme)
{
    dnn_sub_conv_params sp;
    dnn_sub_wgroup wg[MAXG];
    const int Cg = p->c / p->group, K = Cg * p->kh * p->kw;
    size_t nx, ny, nw = (size_t)p->m * (size_t)K, nscr, i;
    int8_t *x, *w, *y, *ref, *pw[MAXG];
    char *written = (char *)xalloc((size_t)p->m);
    int32_t *bias = (int32_t *)xalloc(sizeof(int32_t) * p->m);
    int32_t *mult = (int32_t *)xalloc(sizeof(int32_t) * p->m), *shift = (int32_t *)xalloc(sizeof(int32_t) * p->m);
    dnn_s8_chan *chan[MAXG];
    void *scratch;
    char name[400];
    int k, m, m0, nsat = 0, npass = 0;

    sp.conv = *p;
    sp.in_c_offset = sl->in_pre;
    sp.in_c_stride = sl->in_pre + p->c + sl->in_post;
    sp.out_c_offset = sl->out_pre;
    sp.out_c_stride = sl->out_pre + p->m + sl->out_post;
    nx = (size_t)p->n * p->h * p->w * sp.in_c_stride;
    ny = (size_t)p->n * p->oh * p->ow * sp.out_c_stride;
    nscr = dnn_sub_conv_scratch_size(&sp);
    x = (int8_t *)xalloc(nx), w = (int8_t *)xalloc(nw);
    y = (int8_t *)xalloc(ny), ref = (int8_t *)xalloc(ny);
    scratch = xalloc(nscr);

    if (extreme) { /* the largest |sums|: x at -128 / 127, weights at their minimum */
        const int xpos = rnd_int(0, 1);
        for (i = 0; i < nx; i++)
            x[i] = (int8_t)(xpos ? 127 : -128);
        sp.conv.input_zp = 0;
    } else
        rnd_fill_s8(x, nx, -128, 127);
    for (k = 0, m0 = 0; k < ngs; m0 += gs[k].m, k++)
        for (m = m0; m < m0 + gs[k].m; m++) {
            const int bits = gs[k].bits;
            for (i = 0; i < (size_t)K; i++)
                w[(size_t)m * K + i] = (int8_t)(extreme ? -(1 << (bits - 1)) + (bits == 2 && gs[k].tern)
                                                        : rnd_w(bits, gs[k].tern));
            if (!extreme && bits == 8 && rnd_int(0, 3) == 0) /* -128 now and then */
                w[(size_t)m * K + (size_t)rnd_int(0, K - 1)] = -128;
            bias[m] = extreme ? 0 : rnd_int(-40000, 40000);
            if (extreme) {
                /* |sum| = K * 128 * |w|: a scale that maps it to about 100 */
                const double s = 100.0 / ((double)K * 128.0 * (double)(1 << (bits - 1)));
                dnn_s8_quantize_multiplier(s * (0.75 + 0.5 * (double)rnd_int(0, 1000) / 1000.0),
                                           &mult[m], &shift[m]);
            } else
                rnd_mult(&mult[m], &shift[m], shift_for(K, bits));
            written[m] = k != sl->skip;
        }
    for (k = 0, m0 = 0; k < ngs; m0 += gs[k].m, k++) {
        const size_t sz = dnn_sub_conv_packed_size(&sp, gs[k].bits, gs[k].m);
        pw[k] = (int8_t *)xalloc(sz);
        chan[k] = (dnn_s8_chan *)xalloc(sizeof(dnn_s8_chan) * gs[k].m);
        nsat += dnn_sub_conv_pack(&sp, gs[k].bits, m0, gs[k].m, w, with_bias ? bias : NULL, mult,
                                  shift, pw[k], chan[k]);
        if (k != sl->skip) {
            wg[npass].bits = gs[k].bits, wg[npass].m0 = m0, wg[npass].m = gs[k].m;
            wg[npass].w = pw[k], wg[npass].chan = chan[k];
            npass++;
        }
    }
    describe(name, sizeof name, tag, &sp, gs, ngs, sl);
    if (nsat != 0 || nscr == 0) {
        record(0, name);
        printf("  %d weights saturated, scratch %lu\n", nsat, (unsigned long)nscr);
    }
    memset(y, 0x5A, ny);
    memcpy(ref, y, ny);
    dnn_sub_conv(&sp, x, wg, npass, y, scratch);
    ref_conv(&sp, x, w, with_bias ? bias : NULL, mult, shift, written, ref);
    check_s8(name, y, ref, ny);
    digest(y, ny);

    /* all-int8, one group, dense: the same bytes as dnn_s8_conv_pack and the same
     * outputs as dnn_s8_conv */
    if (ngs == 1 && gs[0].bits == 8 && sl->skip < 0 && sp.in_c_stride == p->c && sp.out_c_stride == p->m) {
        const size_t npk = dnn_s8_conv_packed_size(&sp.conv), nsc8 = dnn_s8_conv_scratch_size(&sp.conv);
        int8_t *pk8 = (int8_t *)xalloc(npk), *y8 = (int8_t *)xalloc(ny);
        dnn_s8_chan *ch8 = (dnn_s8_chan *)xalloc(sizeof(dnn_s8_chan) * p->m);
        void *scr8 = xalloc(nsc8);
        char n2[440];
        dnn_s8_conv_pack(&sp.conv, w, with_bias ? bias : NULL, mult, shift, pk8, ch8);
        snprintf(n2, sizeof n2, "%s [int8 pack == dnn_s8_conv_pack]", name);
        record(npk == dnn_sub_conv_packed_size(&sp, 8, p->m) && memcmp(pk8, pw[0], npk) == 0 &&
                   memcmp(ch8, chan[0], sizeof(dnn_s8_chan) * p->m) == 0,
               n2);
        dnn_s8_conv(&sp.conv, x, pk8, ch8, y8, scr8);
        snprintf(n2, sizeof n2, "%s [== dnn_s8_conv]", name);
        check_s8(n2, y, y8, ny);
        free(pk8), free(y8), free(ch8), free(scr8);
    }
    for (k = 0; k < ngs; k++)
        free(pw[k]), free(chan[k]);
    free(x), free(w), free(y), free(ref), free(bias), free(mult), free(shift), free(written);
    free(scratch);
}

/* a random partition of m channels into 1..MAXG-1 groups of random precision; for
 * depthwise any run, for grouped convolutions too (groups may cross conv groups) */
static int rnd_groups(gspec *gs, int m, int fixed_bits)
{
    int ng = 0, left = m;
    const int want = rnd_int(1, m < 4 ? m : 4);
    while (left > 0) {
        int cnt = ng == want - 1 ? left : rnd_int(1, left);
        const int sel = rnd_int(0, 3);
        gs[ng].bits = fixed_bits ? fixed_bits : (sel == 0 ? 8 : (sel == 1 ? 4 : 2));
        gs[ng].tern = gs[ng].bits == 2 && sel == 3;
        gs[ng].m = cnt;
        left -= cnt;
        ng++;
    }
    return ng;
}

static void rnd_slicing(slicing *sl, int ngs)
{
    const int on = rnd_int(0, 2) == 0;
    int d[4], i;
    for (i = 0; i < 4; i++)
        d[i] = rnd_int(0, 5);
    sl->in_pre = on ? d[0] : 0, sl->in_post = on ? d[1] : 0;
    sl->out_pre = on ? d[2] : 0, sl->out_post = on ? d[3] : 0;
    i = rnd_int(0, 5);
    sl->skip = ngs > 1 && i == 0 ? rnd_int(0, ngs - 1) : -1;
}

static const slicing k_dense = {0, 0, 0, 0, -1};

/* a fixed shape at every precision (one group each), then mixed groups with slicing */
static void conv_case(const char *tag, int n, int c, int h, int w, int m, int kh, int kw, int sh,
                      int sw, int dh, int dw, int pt, int pl, int pb, int pr, int g)
{
    static const int bits[4] = {8, 4, 2, 2};
    dnn_s8_conv_params p;
    gspec gs[MAXG];
    slicing sl;
    int i, ngs;
    set_conv(&p, n, c, h, w, m, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, g);
    if (!conv_out(&p))
        return;
    for (i = 0; i < 4; i++) {
        gs[0].bits = bits[i], gs[0].tern = i == 3, gs[0].m = m;
        run_conv(tag, &p, gs, 1, &k_dense, 1, 0);
    }
    ngs = rnd_groups(gs, m, 0);
    rnd_slicing(&sl, ngs);
    sl.in_pre += 1, sl.out_post += 2; /* always sliced here */
    run_conv(tag, &p, gs, ngs, &sl, 1, 0);
}

static void random_convs(int count)
{
    int t = 0;
    while (t < count) {
        dnn_s8_conv_params p;
        gspec gs[MAXG];
        slicing sl;
        const int kind = rnd_int(0, 11), one_d = rnd_int(0, 4) == 0;
        int g = 1, cg = rnd_int(1, 20), mg = rnd_int(1, 13), ngs;
        if (kind >= 9) { /* depthwise (multiplier 1) */
            g = rnd_int(1, 13);
            cg = 1;
            mg = 1;
        } else if (kind == 8) { /* depthwise with a channel multiplier: a grouped conv */
            g = rnd_int(1, 6);
            cg = 1;
            mg = rnd_int(2, 4);
        } else if (kind >= 6) { /* grouped */
            g = rnd_int(2, 4);
            cg = rnd_int(1, 9);
            mg = rnd_int(1, 9);
        } else if (kind == 5) /* wide input: several chunks of 126 groups */
            cg = rnd_int(100, 160);
        rnd_conv_shape(&p, one_d, g, cg, mg);
        if (kind == 5) /* keep the wide case small */
            p.h = p.h > 4 ? 4 : p.h, p.w = p.w > 5 ? 5 : p.w;
        if (!conv_out(&p))
            continue;
        ngs = rnd_groups(gs, p.m, 0);
        rnd_slicing(&sl, ngs);
        run_conv(one_d ? "conv1d random" : (kind >= 9 ? "dwconv random" : "conv random"), &p, gs,
                 ngs, &sl, rnd_int(0, 3) != 0, 0);
        t++;
    }
}

/* weights outside the range of the precision: saturated, counted, and used saturated */
static void saturation(void)
{
    dnn_s8_conv_params p;
    dnn_sub_conv_params sp;
    static const int8_t w[2 * 8] = {9, -9, 7, -8, 100, -100, 0, 1, 2, -3, 1, -1, 0, 0, -2, 5};
    uint32_t pk[4];
    dnn_s8_chan ch[2];
    int32_t mult[2] = {1 << 30, 1 << 30}, shift[2] = {-10, -10};
    set_conv(&p, 1, 8, 1, 1, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    p.ow = p.oh = 1;
    dnn_sub_conv_params_init(&sp, &p);
    record(dnn_sub_conv_pack(&sp, 4, 0, 2, w, NULL, mult, shift, pk, ch) == 4,
           "4-bit pack saturates and counts (9, -9, 100, -100 of channel 0; none of channel 1)");
    record(dnn_sub_conv_pack(&sp, 2, 0, 2, w, NULL, mult, shift, pk, ch) == 9,
           "2-bit pack saturates and counts");
    record(dnn_sub_conv_pack(&sp, 8, 0, 2, w, NULL, mult, shift, pk, ch) == 0,
           "8-bit pack: nothing to saturate");
    record(dnn_sub_conv_pack(&sp, 3, 0, 2, w, NULL, mult, shift, pk, ch) < 0 &&
               dnn_sub_conv_packed_size(&sp, 3, 2) == 0,
           "bits 3 rejected");
}

/* the bit positions documented in dnn_sub.h */
static void layout(void)
{
    static const int8_t w8[8] = {0, 1, 2, 3, 4, 5, 6, -1};
    static const int8_t w16[16] = {0, 1, -2, -1, 1, 0, -1, -2, -2, 1, 0, 1, -1, -1, 1, 0};
    static const uint8_t want4[4] = {0x45, 0x01, 0x6F, 0x23}, want_dw4[4] = {0x10, 0x32, 0x54, 0xF6};
    dnn_s8_conv_params p;
    dnn_sub_conv_params sp;
    uint8_t pk[8];
    dnn_s8_chan ch[2];
    int32_t mult[2] = {1 << 30, 1 << 30}, shift[2] = {-10, -10};
    int ok, u, r;
    uint32_t wv;
    /* 4-bit, one channel of K = 8: unit 0 = (0, 1, 2, 3) in nibbles 3, 2, 7, 6; unit 1 =
     * (4, 5, 6, -1) in nibbles 1, 0, 5, 4: word 0x236F0145 */
    set_conv(&p, 1, 8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    conv_out(&p);
    dnn_sub_conv_params_init(&sp, &p);
    memset(pk, 0, sizeof pk);
    dnn_sub_conv_pack(&sp, 4, 0, 1, w8, NULL, mult, shift, pk, ch);
    record(memcmp(pk, want4, 4) == 0, "4-bit unit layout (dnn_sub.h)");
    /* 2-bit, K = 16: value r of unit u at bits 16*(r>>1) + 16 - 2*(2u + (r&1) + 1) */
    set_conv(&p, 1, 16, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    conv_out(&p);
    dnn_sub_conv_params_init(&sp, &p);
    dnn_sub_conv_pack(&sp, 2, 0, 1, w16, NULL, mult, shift, pk, ch);
    wv = (uint32_t)pk[0] | (uint32_t)pk[1] << 8 | (uint32_t)pk[2] << 16 | (uint32_t)pk[3] << 24;
    ok = 1;
    for (u = 0; u < 4; u++)
        for (r = 0; r < 4; r++) {
            const int pos = 16 * (r >> 1) + 16 - 2 * (2 * u + (r & 1) + 1);
            const int v = (int)((wv >> pos) & 3u);
            ok &= (v >= 2 ? v - 4 : v) == w16[4 * u + r];
        }
    record(ok, "2-bit unit layout (dnn_sub.h)");
    /* depthwise 4-bit: value i at bits 4i of the byte stream */
    set_conv(&p, 1, 1, 3, 3, 1, 2, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1); /* c = m = group = 1, 8 taps */
    conv_out(&p);
    dnn_sub_conv_params_init(&sp, &p);
    memset(pk, 0, sizeof pk);
    {
        static const int8_t wd[8] = {0, 1, 2, 3, 4, 5, 6, -1};
        dnn_sub_conv_pack(&sp, 4, 0, 1, wd, NULL, mult, shift, pk, ch);
    }
    record(dnn_s8_conv_is_depthwise(&p) && memcmp(pk, want_dw4, 4) == 0,
           "depthwise 4-bit dense layout (dnn_sub.h)");
}

/* packed sizes: 4-bit half of int8 (+ <= 3 bytes), 2-bit a quarter */
static void sizes(void)
{
    dnn_s8_conv_params p;
    dnn_sub_conv_params sp;
    int ok = 1;
    set_conv(&p, 1, 3, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1); /* K = 27, Kp = 28 */
    dnn_sub_conv_params_init(&sp, &p);
    ok &= dnn_sub_conv_packed_size(&sp, 8, 16) == 16 * 28;
    ok &= dnn_sub_conv_packed_size(&sp, 4, 16) == 16 * 14;
    ok &= dnn_sub_conv_packed_size(&sp, 2, 16) == 16 * 7;
    ok &= dnn_sub_conv_packed_size(&sp, 4, 1) == 16; /* 7 units -> 4 words */
    set_conv(&p, 1, 8, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8); /* depthwise, 9 taps */
    dnn_sub_conv_params_init(&sp, &p);
    ok &= dnn_sub_conv_packed_size(&sp, 8, 8) == 72 && dnn_sub_conv_packed_size(&sp, 4, 8) == 36 &&
          dnn_sub_conv_packed_size(&sp, 2, 8) == 18 && dnn_sub_conv_packed_size(&sp, 4, 3) == 14;
    record(ok, "packed sizes (4-bit = int8 / 2, 2-bit = int8 / 4, no per-channel padding)");
}

/* the largest sums (x at -128 or 127, weights at their minimum) around the one-pass
 * limit of 127 groups and beyond (chunks) */
static void extremes(void)
{
    static const int cs[] = {126, 127, 128, 252, 256, 511, 512, 1000};
    dnn_s8_conv_params p;
    gspec gs[MAXG];
    int i, b;
    for (i = 0; i < (int)(sizeof cs / sizeof cs[0]); i++)
        for (b = 0; b < 4; b++) {
            set_conv(&p, 1, 4 * cs[i], 3, 4, 6, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
            p.act_min = -128, p.act_max = 127, p.output_zp = 0;
            if (!conv_out(&p))
                continue;
            gs[0].bits = b == 0 ? 8 : (b == 1 ? 4 : 2), gs[0].tern = b == 3, gs[0].m = 6;
            run_conv("pointwise extreme sums", &p, gs, 1, &k_dense, 0, 1);
        }
    for (b = 1; b < 3; b++) { /* 3x3 with K = 9 * 64 = 576 (5 chunks of words at 2 bits) */
        set_conv(&p, 1, 64, 5, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        p.act_min = -128, p.act_max = 127, p.output_zp = 0;
        conv_out(&p);
        gs[0].bits = b == 1 ? 4 : 2, gs[0].tern = 0, gs[0].m = 5;
        run_conv("conv 3x3 extreme sums", &p, gs, 1, &k_dense, 0, 1);
    }
}

void test_sub_conv(void)
{
    saturation();
    layout();
    sizes();
    extremes();
    /* the shapes of ../conv_cases.h this suite runs */
#define X(suites, ...) if ((suites) & IN_S4) conv_case(__VA_ARGS__);
    CONV_CASES(X)
#undef X
    random_convs(g_quick ? 60 : 400);
}
