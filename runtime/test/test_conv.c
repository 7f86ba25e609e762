/* test_conv.c - dnn_conv_f32 / dnn_conv_transpose_f32 against ONNX-formula loops. */
#include "test_util.h"

/* y[n][m][oh][ow] = b[m] + sum_{c in group(m), kh, kw} x[n][c][ih][iw] * w[m][c'][kh][kw],
 * ih = oh*sh - pt + kh*dh, iw = ow*sw - pl + kw*dw, zero outside the input. */
static void ref_conv(const dnn_conv_params *p, const float *x, const float *w, const float *b,
                     double *y, double *mag)
{
    const int Cg = p->c / p->group, Mg = p->m / p->group;
    int n, m, oh, ow, c, kh, kw;
    for (n = 0; n < p->n; n++)
        for (m = 0; m < p->m; m++) {
            const int g = m / Mg;
            for (oh = 0; oh < p->oh; oh++)
                for (ow = 0; ow < p->ow; ow++) {
                    double acc = b ? b[m] : 0.0, mg = b ? fabs(b[m]) : 0.0;
                    for (c = 0; c < Cg; c++)
                        for (kh = 0; kh < p->kh; kh++)
                            for (kw = 0; kw < p->kw; kw++) {
                                const int ih = oh * p->stride_h - p->pad_t + kh * p->dil_h;
                                const int iw = ow * p->stride_w - p->pad_l + kw * p->dil_w;
                                double t;
                                if (ih < 0 || ih >= p->h || iw < 0 || iw >= p->w)
                                    continue;
                                t = (double)x[(((size_t)n * p->c + g * Cg + c) * p->h + ih) * p->w + iw] *
                                    (double)w[(((size_t)m * Cg + c) * p->kh + kh) * p->kw + kw];
                                acc += t;
                                mg += fabs(t);
                            }
                    {
                        const size_t o = (((size_t)n * p->m + m) * p->oh + oh) * p->ow + ow;
                        y[o] = ref_act(acc, p->act_min, p->act_max);
                        mag[o] = mg;
                    }
                }
        }
}

static void describe(char *buf, size_t len, const char *tag, const dnn_conv_params *p, int bias)
{
    snprintf(buf, len,
             "%s n%d c%d %dx%d m%d k%dx%d s%d,%d d%d,%d pad %d,%d,%d,%d g%d -> %dx%d act[%g,%g]%s",
             tag, (int)p->n, (int)p->c, (int)p->h, (int)p->w, (int)p->m, (int)p->kh, (int)p->kw,
             (int)p->stride_h, (int)p->stride_w, (int)p->dil_h, (int)p->dil_w, (int)p->pad_t,
             (int)p->pad_l, (int)p->pad_b, (int)p->pad_r, (int)p->group, (int)p->oh, (int)p->ow,
             (double)p->act_min, (double)p->act_max, bias ? "" : " nobias");
}

/* Fills in oh/ow from the other fields; returns 0 when the output would be empty. */
static int conv_out(dnn_conv_params *p)
{
    p->oh = (p->h + p->pad_t + p->pad_b - p->dil_h * (p->kh - 1) - 1) / p->stride_h + 1;
    p->ow = (p->w + p->pad_l + p->pad_r - p->dil_w * (p->kw - 1) - 1) / p->stride_w + 1;
    return p->h + p->pad_t + p->pad_b - p->dil_h * (p->kh - 1) - 1 >= 0 &&
           p->w + p->pad_l + p->pad_r - p->dil_w * (p->kw - 1) - 1 >= 0;
}

static void run_conv(const char *tag, dnn_conv_params *p, int bias)
{
    const size_t nx = (size_t)p->n * p->c * p->h * p->w;
    const size_t nw = (size_t)p->m * (p->c / p->group) * p->kh * p->kw;
    const size_t ny = (size_t)p->n * p->m * p->oh * p->ow;
    float *x = falloc(nx), *w = falloc(nw), *b = falloc((size_t)p->m), *y = falloc(ny);
    float *pw = falloc(dnn_conv_packed_size(p));
    const size_t scratch_bytes = dnn_conv_scratch_size(p);
    void *scratch = scratch_bytes ? balloc(scratch_bytes) : NULL;
    double *ref = dalloc(ny), *mag = dalloc(ny);
    char name[256];

    rnd_fill(x, nx, -1.0f, 1.0f);
    rnd_fill(w, nw, -1.0f, 1.0f);
    rnd_fill(b, (size_t)p->m, -1.0f, 1.0f);
    if (dnn_conv_packed_size(p) != nw) {
        describe(name, sizeof name, "conv packed size", p, bias);
        record(0, name);
    }
    dnn_conv_pack_weights(p, w, pw);
    dnn_conv_f32(p, x, pw, bias ? b : NULL, y, scratch);
    ref_conv(p, x, w, bias ? b : NULL, ref, mag);
    describe(name, sizeof name, tag, p, bias);
    check_f32(name, y, ref, mag, ny, 1e-5, 1e-6);
    free(x);
    free(w);
    free(b);
    free(y);
    free(pw);
    free(scratch);
    free(ref);
    free(mag);
}

static void set_conv(dnn_conv_params *p, int n, int c, int h, int w, int m, int kh, int kw, int sh,
                     int sw, int dh, int dw, int pt, int pl, int pb, int pr, int g)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->c = c;
    p->h = h;
    p->w = w;
    p->m = m;
    p->kh = kh;
    p->kw = kw;
    p->stride_h = sh;
    p->stride_w = sw;
    p->dil_h = dh;
    p->dil_w = dw;
    p->pad_t = pt;
    p->pad_l = pl;
    p->pad_b = pb;
    p->pad_r = pr;
    p->group = g;
    rnd_act(&p->act_min, &p->act_max);
}

static void random_convs(int count)
{
    int t = 0;
    while (t < count) {
        dnn_conv_params p;
        const int kind = rnd_int(0, 9), one_d = rnd_int(0, 4) == 0;
        int g = 1, cg = rnd_int(1, 9), mg = rnd_int(1, 13);
        if (kind >= 7) { /* depthwise, multiplier 1..4 */
            g = rnd_int(1, 12);
            cg = 1;
            mg = rnd_int(1, 4);
        } else if (kind >= 5) { /* grouped */
            g = rnd_int(2, 4);
            cg = rnd_int(1, 5);
            mg = rnd_int(1, 9);
        }
        set_conv(&p, rnd_int(1, 2), g * cg, one_d ? 1 : rnd_int(1, 12), rnd_int(1, 14), g * mg,
                 one_d ? 1 : rnd_int(1, 5), rnd_int(1, 5), one_d ? 1 : rnd_int(1, 3), rnd_int(1, 3),
                 one_d ? 1 : rnd_int(1, 3), rnd_int(1, 3), one_d ? 0 : rnd_int(0, 3), rnd_int(0, 3),
                 one_d ? 0 : rnd_int(0, 3), rnd_int(0, 3), g);
        if (!conv_out(&p))
            continue;
        run_conv(one_d ? "conv1d random" : "conv random", &p, rnd_int(0, 3) != 0);
        t++;
    }
}

static void edge_convs(void)
{
    dnn_conv_params p;
    int w, h, m, c, s, pad, k, d, L, mult;
    static const int pads3[6][4] = {{1, 1, 1, 1}, {0, 0, 0, 0}, {2, 2, 2, 2},
                                    {1, 1, 0, 0}, {0, 0, 1, 1}, {0, 1, 2, 0}};

    /* 3x3 stride 1 (sliding-window kernel and its border variants) */
    for (w = 1; w <= 13; w++)
        for (h = 1; h <= 5; h += 2) {
            const int *pd = pads3[(w + h) % 6];
            set_conv(&p, 1, rnd_int(1, 5), h, w, (w % 4 == 0) ? 8 : (w % 3 == 0 ? 5 : 4), 3, 3, 1,
                     1, 1, 1, pd[0], pd[1], pd[2], pd[3], 1);
            if (conv_out(&p))
                run_conv("conv3x3 s1", &p, 1);
        }
    /* 3x3 with dilation 2 in height only (sliding kernel with dilated rows) */
    set_conv(&p, 1, 3, 9, 10, 8, 3, 3, 1, 1, 2, 1, 2, 1, 2, 1, 1);
    if (conv_out(&p))
        run_conv("conv3x3 dh2", &p, 1);
    /* long channel loops, channel tails */
    for (m = 1; m <= 9; m++) {
        set_conv(&p, 1, 16 + m, 6, 7, m, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        if (conv_out(&p))
            run_conv("conv3x3 long C", &p, 1);
    }
    /* first layers: few input channels, stride 1 and 2 */
    for (s = 1; s <= 2; s++)
        for (c = 1; c <= 3; c++) {
            set_conv(&p, 1, c, 11, 13, 8, 3, 3, s, s, 1, 1, 1, 1, 1, 1, 1);
            if (conv_out(&p))
                run_conv("conv first", &p, 1);
        }
    /* pointwise, stride 1 (flattened) and 2 */
    for (m = 1; m <= 9; m++)
        for (s = 1; s <= 2; s++) {
            set_conv(&p, 2, rnd_int(1, 12), rnd_int(1, 7), rnd_int(1, 9), m, 1, 1, s, s, 1, 1, 0, 0,
                     0, 0, 1);
            if (conv_out(&p))
                run_conv("conv1x1", &p, 1);
        }
    /* grouped pointwise (ShuffleNet-like), padded and stride-3 pointwise (general path) */
    for (s = 1; s <= 3; s++) {
        set_conv(&p, 1, 12, 5, 7, 8, 1, 1, s, s, 1, 1, 0, 0, 0, 0, 2);
        if (conv_out(&p))
            run_conv("conv1x1 grouped", &p, 1);
        set_conv(&p, 1, 6, 5, 7, 9, 1, 1, s, s, 1, 1, 1, 0, 0, 1, 1);
        if (conv_out(&p))
            run_conv("conv1x1 padded", &p, 1);
    }
    /* depthwise 3x3 with every left/right padding pair (strip edge variants) */
    for (s = 1; s <= 2; s++)
        for (pad = 0; pad <= 8; pad++)
            for (w = 1; w <= 13; w += 3) {
                set_conv(&p, 1, 2, rnd_int(2, 7), w, 2, 3, 3, s, s, 1, 1, pad % 3, pad / 3, pad % 3,
                         (pad + 1) % 3, 2);
                if (conv_out(&p))
                    run_conv("dwconv3x3 pads", &p, 1);
            }
    /* padding wider than the kernel: output rows/columns that only see padding */
    set_conv(&p, 1, 2, 3, 4, 5, 1, 1, 1, 1, 1, 1, 2, 3, 2, 1, 1);
    if (conv_out(&p))
        run_conv("conv pad>k", &p, 1);
    set_conv(&p, 1, 2, 3, 4, 4, 2, 2, 1, 1, 1, 1, 3, 3, 3, 3, 1);
    if (conv_out(&p))
        run_conv("conv pad>k", &p, 0);
    /* depthwise 3x3 stride 1 / 2 (strip kernels), multipliers 1 and 2 */
    for (s = 1; s <= 2; s++)
        for (pad = 0; pad <= 2; pad++)
            for (w = 1; w <= 17; w += (w < 9 ? 1 : 4))
                for (mult = 1; mult <= 2; mult++) {
                    c = rnd_int(1, 3);
                    h = rnd_int(1, 9);
                    set_conv(&p, 1, c, h, w, c * mult, 3, 3, s, s, 1, 1, pad, pad, pad,
                             pad == 1 ? rnd_int(0, 1) : pad, c);
                    if (conv_out(&p))
                        run_conv("dwconv3x3", &p, rnd_int(0, 4) != 0);
                }
    /* depthwise asymmetric pads / other kernels */
    for (k = 1; k <= 5; k += 2) {
        set_conv(&p, 1, 4, 8, 9, 4, k, k, 1, 1, 1, 1, 0, 1, 1, 0, 4);
        if (conv_out(&p))
            run_conv("dwconv asym", &p, 1);
        set_conv(&p, 1, 4, 8, 9, 4, k, k, 2, 2, 2, 2, 2, 0, 0, 2, 4);
        if (conv_out(&p))
            run_conv("dwconv dilated", &p, 1);
    }
    /* 1-D causal dilated convolutions (TCN): pad_l = (k-1)*d, pad_r = 0 */
    for (k = 2; k <= 5; k++)
        for (d = 1; d <= 4; d++) {
            L = rnd_int(1, 40);
            set_conv(&p, 1, rnd_int(1, 9), 1, L, rnd_int(1, 9), 1, k, 1, 1, 1, d, 0, (k - 1) * d,
                     0, 0, 1);
            if (conv_out(&p))
                run_conv("conv1d causal", &p, 1);
            set_conv(&p, 1, 4, 1, L, 4, 1, k, 1, 1, 1, d, 0, (k - 1) * d, 0, 0, 4);
            if (conv_out(&p))
                run_conv("dwconv1d causal", &p, 1);
        }
    /* strided 1-D (audio front ends) */
    set_conv(&p, 1, 1, 1, 200, 8, 1, 20, 1, 5, 1, 1, 0, 0, 0, 0, 1);
    if (conv_out(&p))
        run_conv("conv1d k20 s5", &p, 1);
    /* every fused activation mode on one layer */
    {
        static const float acts[5][2] = {{-INFINITY, INFINITY}, {0.0f, INFINITY}, {0.0f, 6.0f},
                                         {-0.25f, 0.25f}, {-INFINITY, 0.0f}};
        int a;
        for (a = 0; a < 5; a++) {
            set_conv(&p, 1, 5, 6, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            p.act_min = acts[a][0];
            p.act_max = acts[a][1];
            if (conv_out(&p))
                run_conv("conv act", &p, 1);
            set_conv(&p, 1, 5, 6, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5);
            p.act_min = acts[a][0];
            p.act_max = acts[a][1];
            if (conv_out(&p))
                run_conv("dwconv act", &p, 1);
        }
    }
}

/* ConvTranspose as a scatter: every input element adds x * w into the outputs its
 * kernel taps reach (independent of the kernel's gather formulation). */
static void ref_conv_transpose(const dnn_conv_params *p, const float *x, const float *w,
                               const float *b, double *y, double *mag)
{
    const int Cg = p->c / p->group, Mg = p->m / p->group;
    int n, c, ih, iw, mm, kh, kw, m, i;
    const size_t ny = (size_t)p->n * p->m * p->oh * p->ow;
    for (i = 0; i < (int)ny; i++) {
        const int m_ = (int)((i / (p->oh * p->ow)) % p->m);
        y[i] = b ? b[m_] : 0.0;
        mag[i] = b ? fabs(b[m_]) : 0.0;
    }
    for (n = 0; n < p->n; n++)
        for (c = 0; c < p->c; c++) {
            const int g = c / Cg;
            for (ih = 0; ih < p->h; ih++)
                for (iw = 0; iw < p->w; iw++)
                    for (mm = 0; mm < Mg; mm++)
                        for (kh = 0; kh < p->kh; kh++)
                            for (kw = 0; kw < p->kw; kw++) {
                                const int oh = ih * p->stride_h - p->pad_t + kh * p->dil_h;
                                const int ow = iw * p->stride_w - p->pad_l + kw * p->dil_w;
                                size_t o;
                                double t;
                                if (oh < 0 || oh >= p->oh || ow < 0 || ow >= p->ow)
                                    continue;
                                m = g * Mg + mm;
                                o = (((size_t)n * p->m + m) * p->oh + oh) * p->ow + ow;
                                t = (double)x[(((size_t)n * p->c + c) * p->h + ih) * p->w + iw] *
                                    (double)w[(((size_t)c * Mg + mm) * p->kh + kh) * p->kw + kw];
                                y[o] += t;
                                mag[o] += fabs(t);
                            }
        }
    for (i = 0; i < (int)ny; i++)
        y[i] = ref_act(y[i], p->act_min, p->act_max);
}

static void conv_transposes(int count)
{
    int t = 0;
    while (t < count) {
        dnn_conv_params p;
        const int g = rnd_int(1, 3), one_d = rnd_int(0, 3) == 0;
        int oph, opw;
        size_t nx, nw, ny;
        float *x, *w, *b, *y;
        double *ref, *mag;
        char name[256];
        set_conv(&p, rnd_int(1, 2), g * rnd_int(1, 4), one_d ? 1 : rnd_int(1, 6), rnd_int(1, 7),
                 g * rnd_int(1, 4), one_d ? 1 : rnd_int(1, 4), rnd_int(1, 4),
                 one_d ? 1 : rnd_int(1, 3), rnd_int(1, 3), one_d ? 1 : rnd_int(1, 2), rnd_int(1, 2),
                 one_d ? 0 : rnd_int(0, 2), rnd_int(0, 2), one_d ? 0 : rnd_int(0, 2), rnd_int(0, 2), g);
        oph = rnd_int(0, p.stride_h - 1);
        opw = rnd_int(0, p.stride_w - 1);
        p.oh = p.stride_h * (p.h - 1) + oph + (p.kh - 1) * p.dil_h + 1 - p.pad_t - p.pad_b;
        p.ow = p.stride_w * (p.w - 1) + opw + (p.kw - 1) * p.dil_w + 1 - p.pad_l - p.pad_r;
        if (p.oh <= 0 || p.ow <= 0)
            continue;
        nx = (size_t)p.n * p.c * p.h * p.w;
        nw = (size_t)p.c * (p.m / p.group) * p.kh * p.kw;
        ny = (size_t)p.n * p.m * p.oh * p.ow;
        x = falloc(nx);
        w = falloc(nw);
        b = falloc((size_t)p.m);
        y = falloc(ny);
        ref = dalloc(ny);
        mag = dalloc(ny);
        rnd_fill(x, nx, -1, 1);
        rnd_fill(w, nw, -1, 1);
        rnd_fill(b, (size_t)p.m, -1, 1);
        dnn_conv_transpose_f32(&p, x, w, t % 4 ? b : NULL, y);
        ref_conv_transpose(&p, x, w, t % 4 ? b : NULL, ref, mag);
        describe(name, sizeof name, "conv_transpose", &p, t % 4 != 0);
        check_f32(name, y, ref, mag, ny, 1e-5, 1e-6);
        free(x);
        free(w);
        free(b);
        free(y);
        free(ref);
        free(mag);
        t++;
    }
}

void test_conv(void)
{
    const int before = g_pass + g_fail;
    random_convs(400);
    edge_convs();
    conv_transposes(60);
    printf("conv: %d checks\n", g_pass + g_fail - before);
}
