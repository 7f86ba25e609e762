/* test_pool.c - max / average / global pooling against the ONNX definitions. */
#include "test_util.h"

/* Output size along one axis (ONNX; ceil_mode drops a last window that would start in
 * the end padding, as ONNX and PyTorch do). */
static int pool_out(int in, int k, int s, int d, int pb, int pe, int ceil_mode)
{
    const int span = in + pb + pe - ((k - 1) * d + 1);
    int out;
    if (span < 0)
        return 0;
    out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
    if (ceil_mode && (out - 1) * s >= in + pb)
        out--;
    return out;
}

static void run_pool(int is_max, dnn_pool_params *p, const char *tag)
{
    const size_t nx = (size_t)p->n * p->c * p->h * p->w, ny = (size_t)p->n * p->c * p->oh * p->ow;
    float *x = falloc(nx), *y = falloc(ny);
    double *ref = dalloc(ny);
    char name[220];
    int pl, oh, ow, kh, kw;

    rnd_fill(x, nx, -3, 3);
    for (pl = 0; pl < p->n * p->c; pl++)
        for (oh = 0; oh < p->oh; oh++)
            for (ow = 0; ow < p->ow; ow++) {
                double acc = is_max ? -INFINITY : 0.0;
                int valid = 0, padded = 0;
                for (kh = 0; kh < p->kh; kh++)
                    for (kw = 0; kw < p->kw; kw++) {
                        const int ih = oh * p->stride_h - p->pad_t + kh * p->dil_h;
                        const int iw = ow * p->stride_w - p->pad_l + kw * p->dil_w;
                        if (ih >= -p->pad_t && ih < p->h + p->pad_b && iw >= -p->pad_l &&
                            iw < p->w + p->pad_r)
                            padded++;
                        if (ih >= 0 && ih < p->h && iw >= 0 && iw < p->w) {
                            const double v = x[((size_t)pl * p->h + ih) * p->w + iw];
                            valid++;
                            if (is_max)
                                acc = v > acc ? v : acc;
                            else
                                acc += v;
                        }
                    }
                if (!is_max) {
                    const int cnt = p->count_include_pad ? padded : valid;
                    acc = cnt ? acc / cnt : 0.0;
                }
                ref[((size_t)pl * p->oh + oh) * p->ow + ow] = ref_act(acc, p->act_min, p->act_max);
            }
    if (is_max)
        dnn_maxpool_f32(p, x, y);
    else
        dnn_avgpool_f32(p, x, y);
    snprintf(name, sizeof name,
             "%s %s n%d c%d %dx%d k%dx%d s%d,%d d%d,%d pad %d,%d,%d,%d -> %dx%d cip %d", tag,
             is_max ? "maxpool" : "avgpool", (int)p->n, (int)p->c, (int)p->h, (int)p->w,
             (int)p->kh, (int)p->kw, (int)p->stride_h, (int)p->stride_w, (int)p->dil_h,
             (int)p->dil_w, (int)p->pad_t, (int)p->pad_l, (int)p->pad_b, (int)p->pad_r, (int)p->oh,
             (int)p->ow, (int)p->count_include_pad);
    check_f32(name, y, ref, NULL, ny, 1e-6, 1e-6);
    free(x);
    free(y);
    free(ref);
}

static void random_pools(int count)
{
    int t = 0;
    while (t < count) {
        dnn_pool_params p;
        const int is_max = rnd_int(0, 1), one_d = rnd_int(0, 4) == 0, ceil_mode = rnd_int(0, 1);
        memset(&p, 0, sizeof p);
        p.n = rnd_int(1, 2);
        p.c = rnd_int(1, 4);
        p.h = one_d ? 1 : rnd_int(1, 10);
        p.w = rnd_int(1, 12);
        p.kh = one_d ? 1 : rnd_int(1, 4);
        p.kw = rnd_int(1, 4);
        p.stride_h = one_d ? 1 : rnd_int(1, 3);
        p.stride_w = rnd_int(1, 3);
        p.dil_h = (is_max && !one_d) ? rnd_int(1, 2) : 1;
        p.dil_w = is_max ? rnd_int(1, 2) : 1;
        p.pad_t = one_d ? 0 : rnd_int(0, p.kh - 1);
        p.pad_b = one_d ? 0 : rnd_int(0, p.kh - 1);
        p.pad_l = rnd_int(0, p.kw - 1);
        p.pad_r = rnd_int(0, p.kw - 1);
        p.count_include_pad = rnd_int(0, 1);
        rnd_act(&p.act_min, &p.act_max);
        p.oh = pool_out(p.h, p.kh, p.stride_h, p.dil_h, p.pad_t, p.pad_b, ceil_mode);
        p.ow = pool_out(p.w, p.kw, p.stride_w, p.dil_w, p.pad_l, p.pad_r, ceil_mode);
        if (p.oh <= 0 || p.ow <= 0)
            continue;
        run_pool(is_max, &p, ceil_mode ? "ceil" : "floor");
        t++;
    }
}

static void global_pools(void)
{
    int i;
    for (i = 0; i < 20; i++) {
        dnn_global_pool_params p;
        const int is_max = i & 1;
        size_t n, k, j;
        float *x, *y;
        double *ref;
        char name[100];
        memset(&p, 0, sizeof p);
        p.nc = rnd_int(1, 9);
        p.size = rnd_int(1, 70);
        rnd_act(&p.act_min, &p.act_max);
        n = (size_t)p.nc * p.size;
        x = falloc(n);
        y = falloc((size_t)p.nc);
        ref = dalloc((size_t)p.nc);
        rnd_fill(x, n, -3, 3);
        for (k = 0; k < (size_t)p.nc; k++) {
            double acc = is_max ? -INFINITY : 0.0;
            for (j = 0; j < (size_t)p.size; j++) {
                const double v = x[k * p.size + j];
                acc = is_max ? (v > acc ? v : acc) : acc + v;
            }
            if (!is_max)
                acc /= p.size;
            ref[k] = ref_act(acc, p.act_min, p.act_max);
        }
        if (is_max)
            dnn_global_maxpool_f32(&p, x, y);
        else
            dnn_global_avgpool_f32(&p, x, y);
        snprintf(name, sizeof name, "global %s nc %d size %d", is_max ? "maxpool" : "avgpool",
                 (int)p.nc, (int)p.size);
        check_f32(name, y, ref, NULL, (size_t)p.nc, 1e-6, 1e-6);
        free(x);
        free(y);
        free(ref);
    }
}

void test_pool(void)
{
    const int before = g_pass + g_fail;
    dnn_pool_params p;
    random_pools(250);
    /* classic 2x2 / 3x3 stride-2 pools, ceil mode with count_include_pad */
    memset(&p, 0, sizeof p);
    p.n = 1;
    p.c = 3;
    p.h = 7;
    p.w = 9;
    p.kh = p.kw = 3;
    p.stride_h = p.stride_w = 2;
    p.dil_h = p.dil_w = 1;
    p.pad_t = p.pad_l = p.pad_b = p.pad_r = 1;
    p.count_include_pad = 1;
    p.act_min = -INFINITY;
    p.act_max = INFINITY;
    p.oh = pool_out(7, 3, 2, 1, 1, 1, 1);
    p.ow = pool_out(9, 3, 2, 1, 1, 1, 1);
    run_pool(0, &p, "ceil");
    run_pool(1, &p, "ceil");
    p.kh = p.kw = 2;
    p.pad_t = p.pad_l = p.pad_b = p.pad_r = 0;
    p.oh = pool_out(7, 2, 2, 1, 0, 0, 1);
    p.ow = pool_out(9, 2, 2, 1, 0, 0, 1);
    run_pool(1, &p, "ceil 2x2");
    run_pool(0, &p, "ceil 2x2");
    global_pools();
    printf("pool: %d checks\n", g_pass + g_fail - before);
}
