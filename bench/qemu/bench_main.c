/*
 * bench_main.c - Cortex-M4 kernel benchmark, run under QEMU mps2-an386 with
 * `-icount shift=0` (see Makefile). For each representative layer it runs a naive
 * reference loop nest (one loop per ONNX index, padding test in the MAC loop, the way
 * onnx2c emits it) and the dnnopt runtime kernel on the same data, checks that both
 * agree, and prints executed instructions per MAC (1 SysTick tick = 40 instructions).
 * Exit code: 0 when the counter calibration and every comparison pass.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnnopt_runtime.h"
#include "bench_harness.h"

#define BUF 32768
#define WBUF 81920

static float g_x[BUF], g_w[WBUF], g_wp[WBUF], g_b[256], g_y[BUF], g_ref[BUF];
static int g_only;    /* run only layer number g_only (1-based) when > 0 */
static int g_layer;   /* number of the current layer */

static float frand(void) /* uniform in [-1, 1) */
{
    return (float)rnd() * (2.0f / 16777216.0f) - 1.0f;
}
static void fill(float *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = frand();
}

/* ---- naive references (onnx2c style) ---- */
static void ref_conv(const dnn_conv_params *p, const float *x, const float *w, const float *b,
                     float *y)
{
    const int Cg = p->c / p->group, Mg = p->m / p->group;
    int m, oh, ow, c, kh, kw;
    for (m = 0; m < p->m; m++) {
        const int g = m / Mg;
        for (oh = 0; oh < p->oh; oh++)
            for (ow = 0; ow < p->ow; ow++) {
                float acc = b[m];
                for (c = 0; c < Cg; c++)
                    for (kh = 0; kh < p->kh; kh++)
                        for (kw = 0; kw < p->kw; kw++) {
                            const int ih = oh * p->stride_h - p->pad_t + kh * p->dil_h;
                            const int iw = ow * p->stride_w - p->pad_l + kw * p->dil_w;
                            if (ih >= 0 && ih < p->h && iw >= 0 && iw < p->w)
                                acc = DNN_FMA(x[((g * Cg + c) * p->h + ih) * p->w + iw],
                                              w[((m * Cg + c) * p->kh + kh) * p->kw + kw], acc);
                        }
                if (acc < p->act_min)
                    acc = p->act_min;
                if (acc > p->act_max)
                    acc = p->act_max;
                y[(m * p->oh + oh) * p->ow + ow] = acc;
            }
    }
}

static void ref_fc(const dnn_fc_params *p, const float *x, const float *w /* N x K */,
                   const float *b, float *y)
{
    int n, k, r;
    for (r = 0; r < p->batch; r++)
        for (n = 0; n < p->out_features; n++) {
            float acc = b[n];
            for (k = 0; k < p->in_features; k++)
                acc = DNN_FMA(x[r * p->in_features + k], w[n * p->in_features + k], acc);
            if (acc < p->act_min)
                acc = p->act_min;
            if (acc > p->act_max)
                acc = p->act_max;
            y[r * p->out_features + n] = acc;
        }
}

static double max_rel_err(const float *a, const float *ref, size_t n)
{
    double maxabs = 1e-6, maxdiff = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        const double d = fabs((double)a[i] - (double)ref[i]);
        if (fabs((double)ref[i]) > maxabs)
            maxabs = fabs((double)ref[i]);
        if (d > maxdiff || d != d)
            maxdiff = d != d ? 1e30 : d;
    }
    return maxdiff / maxabs;
}

static void report(const char *name, double macs, size_t outputs, uint64_t ref_i, uint64_t opt_i,
                   double err)
{
    const int ok = err <= 1e-5;
    printf("| %2d | %-40s | %9.0f | %11llu | %6.2f | %10llu | %5.2f | %6.1f | %7.1f | %s |\n", g_layer,
           name, macs,
           (unsigned long long)ref_i, (double)ref_i / macs, (unsigned long long)opt_i,
           (double)opt_i / macs, (double)opt_i / (double)outputs, (double)ref_i / (double)opt_i,
           ok ? "ok" : "FAIL");
    if (!ok) {
        printf("  max relative error %g\n", err);
        g_failures++;
    }
}

static void bench_conv(const char *name, int c, int h, int w, int m, int k_h, int k_w, int s,
                       int d, int pt, int pl, int pb, int pr, int group, float lo, float hi)
{
    dnn_conv_params p;
    uint64_t t0, t1, t2, t3;
    size_t nin, nw, nout;
    double macs;

    if (++g_layer, g_only > 0 && g_layer != g_only)
        return;
    p.n = 1;
    p.c = c;
    p.h = h;
    p.w = w;
    p.m = m;
    p.kh = k_h;
    p.kw = k_w;
    p.stride_h = h == 1 ? 1 : s;
    p.stride_w = s;
    p.dil_h = h == 1 ? 1 : d;
    p.dil_w = d;
    p.pad_t = pt;
    p.pad_l = pl;
    p.pad_b = pb;
    p.pad_r = pr;
    p.group = group;
    p.oh = (h + pt + pb - p.dil_h * (k_h - 1) - 1) / p.stride_h + 1;
    p.ow = (w + pl + pr - d * (k_w - 1) - 1) / s + 1;
    p.act_min = lo;
    p.act_max = hi;
    nin = (size_t)c * h * w;
    nw = (size_t)m * (c / group) * k_h * k_w;
    nout = (size_t)m * p.oh * p.ow;
    if (nin > BUF || nw > WBUF || nout > BUF) {
        printf("%s: buffers too small\n", name);
        g_failures++;
        return;
    }
    fill(g_x, nin);
    fill(g_w, nw);
    fill(g_b, (size_t)m);
    dnn_conv_pack_weights(&p, g_w, g_wp);
    macs = (double)nout * (c / group) * k_h * k_w;

    t0 = dnn_port_ticks();
    ref_conv(&p, g_x, g_w, g_b, g_ref);
    t1 = dnn_port_ticks();
    t2 = dnn_port_ticks();
    dnn_conv_f32(&p, g_x, g_wp, g_b, g_y, NULL);
    t3 = dnn_port_ticks();
    report(name, macs, nout, insns(t0, t1), insns(t2, t3), max_rel_err(g_y, g_ref, nout));
}

static void bench_fc(const char *name, int batch, int k, int n, float lo, float hi)
{
    dnn_fc_params p;
    uint64_t t0, t1, t2, t3;
    if (++g_layer, g_only > 0 && g_layer != g_only)
        return;
    p.batch = batch;
    p.in_features = k;
    p.out_features = n;
    p.act_min = lo;
    p.act_max = hi;
    fill(g_x, (size_t)batch * k);
    fill(g_w, (size_t)n * k);
    fill(g_b, (size_t)n);
    dnn_fc_pack_weights(&p, g_w, 1, 1.0f, g_wp);
    t0 = dnn_port_ticks();
    ref_fc(&p, g_x, g_w, g_b, g_ref);
    t1 = dnn_port_ticks();
    t2 = dnn_port_ticks();
    dnn_fc_f32(&p, g_x, g_wp, g_b, g_y);
    t3 = dnn_port_ticks();
    report(name, (double)batch * k * n, (size_t)batch * n, insns(t0, t1), insns(t2, t3),
           max_rel_err(g_y, g_ref, (size_t)batch * n));
}

/* ---- non-MAC layers: instructions per output element ---- */
static void report_elem(const char *name, size_t outputs, uint64_t ref_i, uint64_t opt_i,
                        double err)
{
    const int ok = err <= 1e-5;
    printf("| %2d | %-40s | %9lu | %11llu | %6.2f | %10llu | %5.2f | %7.1f | %s |\n", g_layer, name,
           (unsigned long)outputs, (unsigned long long)ref_i, (double)ref_i / (double)outputs,
           (unsigned long long)opt_i, (double)opt_i / (double)outputs,
           (double)ref_i / (double)opt_i, ok ? "ok" : "FAIL");
    if (!ok) {
        printf("  max relative error %g\n", err);
        g_failures++;
    }
}

static void bench_add_relu(const char *name, int c, int h, int w, int per_channel)
{
    dnn_binary_params p;
    const size_t n = (size_t)c * h * w;
    uint64_t t0, t1, t2, t3;
    size_t i;
    if (++g_layer, g_only > 0 && g_layer != g_only)
        return;
    memset(&p, 0, sizeof p);
    p.op = DNN_BIN_ADD;
    p.rank = 3;
    p.shape[0] = c;
    p.shape[1] = h;
    p.shape[2] = w;
    p.a_stride[0] = h * w;
    p.a_stride[1] = w;
    p.a_stride[2] = 1;
    p.b_stride[0] = per_channel ? 1 : h * w;
    p.b_stride[1] = per_channel ? 0 : w;
    p.b_stride[2] = per_channel ? 0 : 1;
    p.act_min = 0;
    p.act_max = INFINITY;
    fill(g_x, n);
    fill(g_w, per_channel ? (size_t)c : n);
    t0 = dnn_port_ticks();
    for (i = 0; i < n; i++) { /* naive: one loop, index arithmetic for the broadcast */
        const float v = g_x[i] + g_w[per_channel ? i / (size_t)(h * w) : i];
        g_ref[i] = v < 0 ? 0 : v;
    }
    t1 = dnn_port_ticks();
    t2 = dnn_port_ticks();
    dnn_binary_f32(&p, g_x, g_w, g_y);
    t3 = dnn_port_ticks();
    report_elem(name, n, insns(t0, t1), insns(t2, t3), max_rel_err(g_y, g_ref, n));
}

static void bench_maxpool(const char *name, int c, int h, int w, int k, int s)
{
    dnn_pool_params p;
    uint64_t t0, t1, t2, t3;
    size_t nout;
    int ch, oh, ow, kh, kw;
    if (++g_layer, g_only > 0 && g_layer != g_only)
        return;
    memset(&p, 0, sizeof p);
    p.n = 1;
    p.c = c;
    p.h = h;
    p.w = w;
    p.kh = p.kw = k;
    p.stride_h = p.stride_w = s;
    p.dil_h = p.dil_w = 1;
    p.oh = (h - k) / s + 1;
    p.ow = (w - k) / s + 1;
    p.act_min = -INFINITY;
    p.act_max = INFINITY;
    nout = (size_t)c * p.oh * p.ow;
    fill(g_x, (size_t)c * h * w);
    t0 = dnn_port_ticks();
    for (ch = 0; ch < c; ch++)
        for (oh = 0; oh < p.oh; oh++)
            for (ow = 0; ow < p.ow; ow++) {
                float m = -INFINITY;
                for (kh = 0; kh < k; kh++)
                    for (kw = 0; kw < k; kw++) {
                        const int ih = oh * s + kh, iw = ow * s + kw;
                        if (ih < h && iw < w && g_x[(ch * h + ih) * w + iw] > m)
                            m = g_x[(ch * h + ih) * w + iw];
                    }
                g_ref[(ch * p.oh + oh) * p.ow + ow] = m;
            }
    t1 = dnn_port_ticks();
    t2 = dnn_port_ticks();
    dnn_maxpool_f32(&p, g_x, g_y);
    t3 = dnn_port_ticks();
    report_elem(name, nout, insns(t0, t1), insns(t2, t3), max_rel_err(g_y, g_ref, nout));
}

static void bench_gap(const char *name, int c, int hw)
{
    dnn_global_pool_params p;
    uint64_t t0, t1, t2, t3;
    int ch, i;
    if (++g_layer, g_only > 0 && g_layer != g_only)
        return;
    p.nc = c;
    p.size = hw;
    p.act_min = -INFINITY;
    p.act_max = INFINITY;
    fill(g_x, (size_t)c * hw);
    t0 = dnn_port_ticks();
    for (ch = 0; ch < c; ch++) {
        float sum = 0;
        for (i = 0; i < hw; i++)
            sum += g_x[ch * hw + i];
        g_ref[ch] = sum / (float)hw;
    }
    t1 = dnn_port_ticks();
    t2 = dnn_port_ticks();
    dnn_global_avgpool_f32(&p, g_x, g_y);
    t3 = dnn_port_ticks();
    report_elem(name, (size_t)c, insns(t0, t1), insns(t2, t3), max_rel_err(g_y, g_ref, (size_t)c));
}

int main(int argc, char **argv)
{
    const float inf = INFINITY;
    dnn_port_init();
    dnn_port_print("dnnopt kernel benchmark (Cortex-M4, QEMU mps2-an386)\n");
    if (argc > 1) /* qemu ... -append N: layer N only, no calibration */
        g_only = atoi(argv[argc - 1]);
    if (g_only <= 0)
        calibrate();

    printf("\n|  # | layer (fused ReLU unless noted)          |      MACs | naive insns | /MAC   | "
           "dnnopt insns | /MAC  | /output | speedup | check |\n");
    printf("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    /*          name                                      C   H   W   M  KH KW  s  d  t  l  b  r  g */
    bench_conv("conv 3x3 16->16 @32x32 pad 1", 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, inf);
    bench_conv("conv 3x3 32->32 @16x16 pad 1", 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, inf);
    bench_conv("first conv 3x3 3->16 @32x32 pad 1", 3, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, inf);
    bench_conv("pointwise 64->64 @8x8", 64, 8, 8, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, inf);
    bench_conv("depthwise 3x3 64 @8x8 pad 1", 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 64, 0, inf);
    bench_fc("FC 256->64", 1, 256, 64, 0, inf);
    bench_conv("1-D conv 32->32 k5 d4 L64 causal pad 16", 32, 1, 64, 32, 1, 5, 1, 4, 0, 16, 0, 0,
               1, 0, inf);
    /* more shapes */
    bench_conv("conv 3x3 64->64 @8x8 pad 1", 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, inf);
    bench_conv("conv 3x3 16->32 @32x32 s2 pad 1", 16, 32, 32, 32, 3, 3, 2, 1, 1, 1, 1, 1, 1, 0, inf);
    bench_conv("first conv 3x3 3->8 @32x32 s2 pad 1", 3, 32, 32, 8, 3, 3, 2, 1, 1, 1, 1, 1, 1, 0, inf);
    bench_conv("shortcut 1x1 16->32 @32x32 s2", 16, 32, 32, 32, 1, 1, 2, 1, 0, 0, 0, 0, 1, -inf, inf);
    bench_conv("pointwise 8->16 @16x16", 8, 16, 16, 16, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, inf);
    bench_conv("pointwise 64->10 @8x8 (no act)", 64, 8, 8, 10, 1, 1, 1, 1, 0, 0, 0, 0, 1, -inf, inf);
    bench_conv("depthwise 3x3 64 @16x16 s2 pad 1", 64, 16, 16, 64, 3, 3, 2, 1, 1, 1, 1, 1, 64, 0, 6);
    bench_conv("depthwise 3x3 32 @24x24 pad 1 relu6", 32, 24, 24, 32, 3, 3, 1, 1, 1, 1, 1, 1, 32, 0, 6);
    bench_conv("DS-CNN conv 10x4 1->64 @49x10 s2", 1, 49, 10, 64, 10, 4, 2, 1, 4, 1, 5, 1, 1, 0, inf);
    bench_conv("1-D conv 32->32 k5 d4 L64 same pad 8/8", 32, 1, 64, 32, 1, 5, 1, 4, 0, 8, 0, 8, 1, 0,
               inf);
    bench_conv("DS-CNN dw 3x3 64 @25x5 pad 1", 64, 25, 5, 64, 3, 3, 1, 1, 1, 1, 1, 1, 64, 0, inf);
    bench_conv("DS-CNN pw 64->64 @25x5", 64, 25, 5, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, inf);
    bench_conv("MobileNet dw 3x3 64 @6x6 s1 pad 1", 64, 6, 6, 64, 3, 3, 1, 1, 1, 1, 1, 1, 64, 0, inf);
    bench_conv("MobileNet dw 3x3 128 @6x6 s2 pad 0/1", 128, 6, 6, 128, 3, 3, 2, 1, 0, 0, 1, 1, 128, 0,
               inf);
    bench_fc("FC 640->128", 1, 640, 128, 0, inf);
    bench_fc("FC 256->64 batch 4", 4, 256, 64, -inf, inf);


    printf("\n|  # | layer (no MACs)                          |   outputs | naive insns | /out   | "
           "dnnopt insns | /out  | speedup | check |\n");
    printf("|---:|---|---:|---:|---:|---:|---:|---:|---|\n");
    bench_add_relu("residual add + ReLU 16x32x32", 16, 32, 32, 0);
    bench_add_relu("per-channel add + ReLU 16x32x32", 16, 32, 32, 1);
    bench_maxpool("maxpool 2x2 s2 16@32x32", 16, 32, 32, 2, 2);
    bench_gap("global avg pool 64@8x8", 64, 64);

    printf("\n%s: %d failure(s)\n", g_failures ? "FAILED" : "PASSED", g_failures);
    return g_failures ? 1 : 0;
}
