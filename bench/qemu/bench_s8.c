/*
 * bench_s8.c - Cortex-M4 benchmark of the int8 kernels (runtime/dnn_s8.h) under QEMU
 * mps2-an386 with `-icount shift=0` (1 SysTick tick = 40 executed instructions, checked
 * by the asm-loop calibration of bench_harness.h).
 *
 * Part 1, layers: for each layer, random int8 data goes through a naive loop nest
 * (one loop per ONNX index, the padding test inside the MAC loop, int32 accumulation,
 * the exact requantization of dnn_s8.h per output) and through the dnnopt kernel; the
 * outputs must be identical. Reports executed instructions per MAC.
 * Part 2, whole networks (ResNet-8, DS-CNN, MobileNetV1-0.25 as in MLPerf Tiny): every
 * layer (conv, depthwise, pointwise, residual add, pooling, FC) runs in sequence on the
 * previous layer's output; total kernel instructions / total MACs of Conv and Gemm.
 * Weights are generated and packed before the timed region (at compile time in
 * generated code). Exit code 0 when the calibration and every check pass.
 * Usage (QEMU -append): no argument = everything; "N" = layer N only.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnn_s8.h"
#include "bench_harness.h"

#define ABUF 65536   /* activations (largest: 48x48x16 = 36864) */
#define WBUF 81920   /* weights (largest: FC 640x128 = 81920) */
#define CBUF 1024    /* per-channel arrays */
#define SBUF 16384   /* scratch */

static int8_t g_x[ABUF], g_y[ABUF], g_ref[ABUF], g_res[ABUF];
static int8_t g_w[WBUF], g_wp[WBUF];
static int16_t g_wp16[WBUF] __attribute__((aligned(8))); /* dnn_s8_conv_wide weights */
static int32_t g_b[CBUF], g_mult[CBUF], g_shift[CBUF];
static dnn_s8_chan g_chan[CBUF];
static uint64_t g_scratch[SBUF / 8];
static int g_only, g_layer, g_net_detail;

/* ---- quantization parameters of a layer ---- */

/* per-channel multipliers around a scale that keeps outputs of K-term sums in range */
static void rand_requant(int32_t m, int32_t K)
{
    const double s = 40.0 / (sqrt((double)K) * 128.0 * 73.0);
    int32_t i;
    for (i = 0; i < m; i++)
        dnn_s8_quantize_multiplier(s * (0.75 + 0.5 * (double)(rnd() & 0xFFFF) / 65536.0),
                                   &g_mult[i], &g_shift[i]);
}

static void rand_bias(int32_t m)
{
    int32_t i;
    for (i = 0; i < m; i++)
        g_b[i] = (int32_t)(rnd() % 20001u) - 10000;
}

/* ---- naive references (onnx2c style: one loop per index, padding test in the loop) ---- */

static int8_t naive_out(int32_t acc, int32_t mult, int32_t shift, int32_t zp, int32_t lo, int32_t hi)
{
    int32_t v = zp + dnn_s8_requant(acc, mult, shift);
    return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

static void naive_conv(const dnn_s8_conv_params *p, const int8_t *x, const int8_t *w,
                       const int32_t *b, int8_t *y)
{
    const int Cg = p->c / p->group, Mg = p->m / p->group;
    int oh, ow, m, c, kh, kw;
    for (oh = 0; oh < p->oh; oh++)
        for (ow = 0; ow < p->ow; ow++)
            for (m = 0; m < p->m; m++) {
                const int g = m / Mg;
                int32_t acc = b[m];
                for (c = 0; c < Cg; c++)
                    for (kh = 0; kh < p->kh; kh++)
                        for (kw = 0; kw < p->kw; kw++) {
                            const int ih = oh * p->stride_h - p->pad_t + kh * p->dil_h;
                            const int iw = ow * p->stride_w - p->pad_l + kw * p->dil_w;
                            if (ih >= 0 && ih < p->h && iw >= 0 && iw < p->w)
                                acc += (x[(ih * p->w + iw) * p->c + g * Cg + c] - p->input_zp) *
                                       w[((m * Cg + c) * p->kh + kh) * p->kw + kw];
                        }
                y[(oh * p->ow + ow) * p->m + m] =
                    naive_out(acc, g_mult[m], g_shift[m], p->output_zp, p->act_min, p->act_max);
            }
}

static int same(const int8_t *a, const int8_t *b, size_t n)
{
    return memcmp(a, b, n) == 0;
}

/* ---- part 1: layers ---- */

static void report(const char *name, double macs, size_t outputs, uint64_t ref_i, uint64_t opt_i,
                   int ok)
{
    printf("| %2d | %-42s | %8.0f | %11llu | %6.2f | %10llu | %5.2f | %6.1f | %7.1f | %s |\n",
           g_layer, name, macs, (unsigned long long)ref_i, (double)ref_i / macs,
           (unsigned long long)opt_i, (double)opt_i / macs, (double)opt_i / (double)outputs,
           (double)ref_i / (double)opt_i, ok ? "ok" : "FAIL");
    g_failures += !ok;
}

static void report_elem(const char *name, size_t outputs, uint64_t ref_i, uint64_t opt_i, int ok)
{
    if (ref_i == 0) /* no naive version */
        printf("| %2d | %-42s | %8lu | %11s | %6s | %10llu | %5.2f | %7s | %s |\n", g_layer, name,
               (unsigned long)outputs, "-", "-", (unsigned long long)opt_i,
               (double)opt_i / (double)outputs, "-", ok ? "ok" : "FAIL");
    else
        printf("| %2d | %-42s | %8lu | %11llu | %6.2f | %10llu | %5.2f | %7.1f | %s |\n", g_layer,
               name, (unsigned long)outputs, (unsigned long long)ref_i,
               (double)ref_i / (double)outputs, (unsigned long long)opt_i,
               (double)opt_i / (double)outputs, (double)ref_i / (double)opt_i, ok ? "ok" : "FAIL");
    g_failures += !ok;
}

static int g_relu6; /* 1: convolutions get a ReLU6-style clamp narrower than the int8 range */

static void set_conv(dnn_s8_conv_params *p, int c, int h, int w, int m, int kh, int kw, int s,
                     int pt, int pl, int pb, int pr, int group)
{
    memset(p, 0, sizeof *p);
    p->n = 1, p->c = c, p->h = h, p->w = w, p->m = m, p->kh = kh, p->kw = kw;
    p->stride_h = h == 1 ? 1 : s, p->stride_w = s, p->dil_h = 1, p->dil_w = 1;
    p->pad_t = pt, p->pad_l = pl, p->pad_b = pb, p->pad_r = pr, p->group = group;
    p->oh = (h + pt + pb - (kh - 1) - 1) / p->stride_h + 1;
    p->ow = (w + pl + pr - (kw - 1) - 1) / s + 1;
    p->input_zp = -128 + (int32_t)(rnd() % 40u); /* post-ReLU tensors sit near -128 */
    p->output_zp = -128;                          /* ReLU / ReLU6 output: full int8 range */
    p->act_min = -128;
    p->act_max = 127;
    if (g_relu6) { /* ReLU6 left unfused (PyTorch QDQ models): clamp [zp, zp + 90] */
        p->output_zp = -100;
        p->act_min = -100;
        p->act_max = -10;
    }
}

/* Packs random weights for p into g_wp / g_bp and sets the requantization. */
static int prepare_conv(const dnn_s8_conv_params *p)
{
    const size_t K = (size_t)(p->c / p->group) * p->kh * p->kw, nw = (size_t)p->m * K;
    if (nw > WBUF || dnn_s8_conv_packed_size(p) > WBUF || p->m > CBUF ||
        dnn_s8_conv_scratch_size(p) > SBUF) {
        printf("layer %d: buffers too small\n", g_layer);
        g_failures++;
        return 0;
    }
    fill_s8(g_w, nw, -127, 127);
    rand_bias(p->m);
    rand_requant(p->m, (int32_t)K);
    if (dnn_s8_conv_wide_ok(p))
        dnn_s8_conv_wide_pack(p, g_w, g_b, g_mult, g_shift, g_wp16, g_chan);
    else
        dnn_s8_conv_pack(p, g_w, g_b, g_mult, g_shift, g_wp, g_chan);
    return 1;
}

/* The call the compiler emits for p: dnn_s8_conv_wide for the layers it takes. */
static void run_conv(const dnn_s8_conv_params *p, const int8_t *x, int8_t *y)
{
    if (dnn_s8_conv_wide_ok(p))
        dnn_s8_conv_wide(p, x, g_wp16, g_chan, y, g_scratch);
    else
        dnn_s8_conv(p, x, g_wp, g_chan, y, g_scratch);
}

static void bench_conv(const char *name, dnn_s8_conv_params *p)
{
    const size_t nin = (size_t)p->h * p->w * p->c, nout = (size_t)p->oh * p->ow * p->m;
    uint64_t t0, t1, t2, t3;
    if (++g_layer, g_only > 0 && g_layer != g_only)
        return;
    if (nin > ABUF || nout > ABUF || !prepare_conv(p))
        return;
    fill_s8(g_x, nin, -128, 127);
    t0 = dnn_port_ticks();
    naive_conv(p, g_x, g_w, g_b, g_ref);
    t1 = dnn_port_ticks();
    t2 = dnn_port_ticks();
    run_conv(p, g_x, g_y);
    t3 = dnn_port_ticks();
    report(name, (double)nout * (p->c / p->group) * p->kh * p->kw, nout, insns(t0, t1),
           insns(t2, t3), same(g_y, g_ref, nout));
}

static void layer(const char *name, int c, int h, int w, int m, int kh, int kw, int s, int pt,
                  int pl, int pb, int pr, int group, int lo)
{
    dnn_s8_conv_params p;
    set_conv(&p, c, h, w, m, kh, kw, s, pt, pl, pb, pr, group);
    if (lo > -128) { /* a clamp that is not the full int8 range (slower path) */
        p.output_zp = lo;
        p.act_min = lo;
    }
    bench_conv(name, &p);
}

static void bench_conv1d_dil(const char *name)
{
    dnn_s8_conv_params p;
    set_conv(&p, 32, 1, 64, 32, 1, 5, 1, 0, 16, 0, 0, 1);
    p.dil_w = 4;
    p.ow = 64;
    bench_conv(name, &p);
}

static void bench_fc(const char *name, int batch, int k, int n)
{
    dnn_s8_fc_params p;
    uint64_t t0, t1, t2, t3;
    int b, j, i;
    if (++g_layer, g_only > 0 && g_layer != g_only)
        return;
    p.batch = batch, p.in_features = k, p.out_features = n;
    p.input_zp = -128 + (int32_t)(rnd() % 40u), p.output_zp = 0, p.act_min = -128, p.act_max = 127;
    fill_s8(g_x, (size_t)batch * k, -128, 127);
    fill_s8(g_w, (size_t)n * k, -127, 127); /* N x K (PyTorch Linear) */
    rand_bias(n);
    rand_requant(n, k);
    dnn_s8_fc_pack(&p, g_w, 1, g_b, g_mult, g_shift, g_wp, g_chan);
    t0 = dnn_port_ticks();
    for (b = 0; b < batch; b++)
        for (j = 0; j < n; j++) {
            int32_t acc = g_b[j];
            for (i = 0; i < k; i++)
                acc += (g_x[b * k + i] - p.input_zp) * g_w[j * k + i];
            g_ref[b * n + j] = naive_out(acc, g_mult[j], g_shift[j], p.output_zp, -128, 127);
        }
    t1 = dnn_port_ticks();
    t2 = dnn_port_ticks();
    dnn_s8_fc(&p, g_x, g_wp, g_chan, g_y, g_scratch);
    t3 = dnn_port_ticks();
    report(name, (double)batch * k * n, (size_t)batch * n, insns(t0, t1), insns(t2, t3),
           same(g_y, g_ref, (size_t)batch * n));
}

static void bench_add(const char *name, int n)
{
    dnn_s8_add_params p;
    uint64_t t0, t1, t2, t3;
    int i;
    if (++g_layer, g_only > 0 && g_layer != g_only)
        return;
    p.n = n, p.b_period = n, p.a_zp = -5, p.b_zp = -128, p.out_zp = -128;
    p.act_min = -128, p.act_max = 127; /* ReLU after the add: zero point -128 */
    dnn_s8_add_quantize(0.031, 0.047, 0.06, &p.a_mult, &p.b_mult, &p.shift);
    fill_s8(g_x, (size_t)n, -128, 127);
    fill_s8(g_res, (size_t)n, -128, 127);
    t0 = dnn_port_ticks();
    for (i = 0; i < n; i++) { /* naive: dequantize, add, quantize (float, as QDQ) */
        const float v = (0.031f * (float)(g_x[i] - p.a_zp) + 0.047f * (float)(g_res[i] - p.b_zp)) / 0.06f;
        const int32_t q = (int32_t)lrintf(v) - 128;
        g_ref[i] = (int8_t)(q < -128 ? -128 : (q > 127 ? 127 : q));
    }
    t1 = dnn_port_ticks();
    t2 = dnn_port_ticks();
    dnn_s8_add(&p, g_x, g_res, g_y);
    t3 = dnn_port_ticks();
    { /* within one step of the float QDQ result */
        int ok = 1;
        for (i = 0; i < n; i++)
            ok &= g_y[i] - g_ref[i] <= 1 && g_ref[i] - g_y[i] <= 1;
        report_elem(name, (size_t)n, insns(t0, t1), insns(t2, t3), ok);
    }
}

static void bench_pool(const char *name, int c, int h, int w, int k, int s, int avg)
{
    dnn_s8_pool_params p;
    uint64_t t0, t1, t2, t3;
    size_t nout;
    int oh, ow, ch, kh, kw;
    if (++g_layer, g_only > 0 && g_layer != g_only)
        return;
    memset(&p, 0, sizeof p);
    p.n = 1, p.c = c, p.h = h, p.w = w, p.kh = p.kw = k, p.stride_h = p.stride_w = s;
    p.dil_h = p.dil_w = 1, p.oh = (h - k) / s + 1, p.ow = (w - k) / s + 1;
    p.zp = -128, p.act_min = -128, p.act_max = 127;
    nout = (size_t)c * p.oh * p.ow;
    fill_s8(g_x, (size_t)c * h * w, -128, 127);
    t0 = dnn_port_ticks();
    for (oh = 0; oh < p.oh; oh++)
        for (ow = 0; ow < p.ow; ow++)
            for (ch = 0; ch < c; ch++) {
                int32_t m = -128, sum = 0;
                for (kh = 0; kh < k; kh++)
                    for (kw = 0; kw < k; kw++) {
                        const int ih = oh * s + kh, iw = ow * s + kw;
                        if (ih < h && iw < w) {
                            const int v = g_x[(ih * w + iw) * c + ch];
                            m = v > m ? v : m;
                            sum += v;
                        }
                    }
                if (avg) { /* zp + (sum - n * zp) / n rounded half to even (dnn_s8.h) */
                    const int32_t n = k * k, d = sum - n * p.zp;
                    int32_t q = d >= 0 ? d / n : -((-d + n - 1) / n); /* floor */
                    const int32_t r2 = 2 * (d - q * n);
                    q += r2 > n || (r2 == n && (q & 1));
                    m = p.zp + q;
                    m = m < -128 ? -128 : (m > 127 ? 127 : m);
                }
                g_ref[(oh * p.ow + ow) * c + ch] = (int8_t)m;
            }
    t1 = dnn_port_ticks();
    t2 = dnn_port_ticks();
    if (avg)
        dnn_s8_avgpool(&p, g_x, g_y);
    else
        dnn_s8_maxpool(&p, g_x, g_y);
    t3 = dnn_port_ticks();
    report_elem(name, nout, insns(t0, t1), insns(t2, t3), same(g_y, g_ref, nout));
}

static void bench_gap(const char *name, int c, int hw)
{
    dnn_s8_global_pool_params p;
    uint64_t t0, t1, t2, t3;
    int ch, i;
    if (++g_layer, g_only > 0 && g_layer != g_only)
        return;
    p.n = 1, p.size = hw, p.c = c, p.input_zp = -128, p.output_zp = -128;
    p.act_min = -128, p.act_max = 127;
    dnn_s8_quantize_multiplier(1.0 / hw, &p.mult, &p.shift);
    fill_s8(g_x, (size_t)c * hw, -128, 127);
    t0 = dnn_port_ticks();
    for (ch = 0; ch < c; ch++) {
        int32_t sum = 0;
        for (i = 0; i < hw; i++)
            sum += g_x[i * c + ch] - p.input_zp;
        g_ref[ch] = naive_out(sum, p.mult, p.shift, p.output_zp, -128, 127);
    }
    t1 = dnn_port_ticks();
    t2 = dnn_port_ticks();
    dnn_s8_global_avgpool(&p, g_x, g_y);
    t3 = dnn_port_ticks();
    report_elem(name, (size_t)c, insns(t0, t1), insns(t2, t3), same(g_y, g_ref, (size_t)c));
}

static void bench_conversions(int n)
{
    static float f[4096], back[4096];
    dnn_s8_quant_params q;
    dnn_s8_requantize_params r;
    uint64_t t0, t1;
    int i;
    q.n = n, q.scale = 0.0371f, q.zp = -3;
    for (i = 0; i < n; i++)
        f[i] = (float)((int)(rnd() % 2001u) - 1000) * 0.01f;
    if (++g_layer, g_only <= 0 || g_layer == g_only) {
        t0 = dnn_port_ticks();
        dnn_s8_quantize_f32(&q, f, g_y);
        t1 = dnn_port_ticks();
        report_elem("quantize f32 -> int8", (size_t)n, 0, insns(t0, t1), 1);
    }
    if (++g_layer, g_only <= 0 || g_layer == g_only) { /* a float NCHW RGB input, fused */
        dnn_s8_quant_nhwc_params qn;
        const int hw = n / 3;
        int c, ok = 1;
        qn.n = 1, qn.c = 3, qn.hw = hw, qn.scale = q.scale, qn.zp = q.zp;
        dnn_s8_quantize_f32(&q, f, g_x);
        t0 = dnn_port_ticks();
        dnn_s8_quantize_f32_nhwc(&qn, f, g_y);
        t1 = dnn_port_ticks();
        for (c = 0; c < 3; c++)
            for (i = 0; i < hw; i++)
                ok &= g_y[i * 3 + c] == g_x[c * hw + i];
        report_elem("quantize f32 NCHW -> int8 NHWC (C 3)", (size_t)(3 * hw), 0, insns(t0, t1), ok);
    }
    if (++g_layer, g_only <= 0 || g_layer == g_only) {
        t0 = dnn_port_ticks();
        dnn_s8_dequantize_f32(&q, g_y, back);
        t1 = dnn_port_ticks();
        report_elem("dequantize int8 -> f32", (size_t)n, 0, insns(t0, t1), 1);
    }
    if (++g_layer, g_only <= 0 || g_layer == g_only) {
        r.n = n, r.input_zp = -3, r.output_zp = 7, r.act_min = -128, r.act_max = 127;
        dnn_s8_quantize_multiplier(0.73, &r.mult, &r.shift);
        t0 = dnn_port_ticks();
        dnn_s8_requantize(&r, g_y, g_x);
        t1 = dnn_port_ticks();
        report_elem("requantize int8 -> int8", (size_t)n, 0, insns(t0, t1), 1);
    }
}

/* ---- part 2: whole networks ---- */

typedef struct net_stats {
    double macs;
    uint64_t conv_i, dw_i, other_i; /* instructions in conv/pw/fc, depthwise, the rest */
    double dw_macs;
} net_stats;

/* Runs one conv layer of a network: x (h*w*c) -> y. */
static void net_conv(net_stats *st, const int8_t *x, int8_t *y, int c, int h, int w, int m, int k,
                     int s, int pt, int pl, int pb, int pr, int group)
{
    dnn_s8_conv_params p;
    uint64_t t0, t1;
    double macs;
    set_conv(&p, c, h, w, m, k, k, s, pt, pl, pb, pr, group);
    if (!prepare_conv(&p))
        return;
    macs = (double)p.oh * p.ow * p.m * (c / group) * k * k;
    t0 = dnn_port_ticks();
    run_conv(&p, x, y);
    t1 = dnn_port_ticks();
    if (g_net_detail)
        printf("    %s %dx%d %d->%d k%d s%d: %.0f MACs, %.2f insns/MAC\n", group > 1 ? "dw" : "conv", h,
               w, c, m, k, s, macs, (double)insns(t0, t1) / macs);
    st->macs += macs;
    if (group > 1) {
        st->dw_i += insns(t0, t1);
        st->dw_macs += macs;
    } else
        st->conv_i += insns(t0, t1);
}

/* DS-CNN first layer: 10x4 kernel, stride 2, TF "same" padding 4/1/5/1 */
static void net_conv_kws(net_stats *st, const int8_t *x, int8_t *y)
{
    dnn_s8_conv_params p;
    uint64_t t0, t1;
    set_conv(&p, 1, 49, 10, 64, 10, 4, 2, 4, 1, 5, 1, 1);
    if (!prepare_conv(&p))
        return;
    t0 = dnn_port_ticks();
    run_conv(&p, x, y);
    t1 = dnn_port_ticks();
    st->macs += (double)p.oh * p.ow * p.m * 40;
    st->conv_i += insns(t0, t1);
}

static void net_add(net_stats *st, const int8_t *a, const int8_t *b, int8_t *y, int n)
{
    dnn_s8_add_params p;
    uint64_t t0, t1;
    p.n = n, p.b_period = n, p.a_zp = -128, p.b_zp = -128, p.out_zp = -128;
    p.act_min = -128, p.act_max = 127;
    dnn_s8_add_quantize(0.05, 0.04, 0.07, &p.a_mult, &p.b_mult, &p.shift);
    t0 = dnn_port_ticks();
    dnn_s8_add(&p, a, b, y);
    t1 = dnn_port_ticks();
    st->other_i += insns(t0, t1);
}

static void net_head(net_stats *st, const int8_t *x, int hw, int c, int classes)
{
    dnn_s8_global_pool_params gp;
    dnn_s8_fc_params fp;
    uint64_t t0, t1;
    static int8_t pooled[256], logits[16];
    gp.n = 1, gp.size = hw, gp.c = c, gp.input_zp = -128, gp.output_zp = -128;
    gp.act_min = -128, gp.act_max = 127;
    dnn_s8_quantize_multiplier(1.0 / hw, &gp.mult, &gp.shift);
    t0 = dnn_port_ticks();
    dnn_s8_global_avgpool(&gp, x, pooled);
    t1 = dnn_port_ticks();
    st->other_i += insns(t0, t1);
    fp.batch = 1, fp.in_features = c, fp.out_features = classes;
    fp.input_zp = -128, fp.output_zp = 0, fp.act_min = -128, fp.act_max = 127;
    fill_s8(g_w, (size_t)c * classes, -127, 127);
    rand_bias(classes);
    rand_requant(classes, c);
    dnn_s8_fc_pack(&fp, g_w, 1, g_b, g_mult, g_shift, g_wp, g_chan);
    t0 = dnn_port_ticks();
    dnn_s8_fc(&fp, pooled, g_wp, g_chan, logits, g_scratch);
    t1 = dnn_port_ticks();
    st->conv_i += insns(t0, t1);
    st->macs += (double)c * classes;
}

static void net_report(const char *name, const net_stats *st, double anchor)
{
    const uint64_t total = st->conv_i + st->dw_i + st->other_i;
    printf("| %-18s | %9.0f | %10llu | %5.2f | %5.2f | %5.2f | %8llu | %5.2f |\n", name, st->macs,
           (unsigned long long)total, (double)total / st->macs,
           (double)st->conv_i / (st->macs - st->dw_macs),
           st->dw_macs > 0 ? (double)st->dw_i / st->dw_macs : 0.0,
           (unsigned long long)st->other_i, anchor);
}

static void run_resnet8(void)
{
    net_stats st;
    int8_t *a = g_x, *b = g_y, *r = g_res;
    memset(&st, 0, sizeof st);
    fill_s8(a, 32 * 32 * 3, -128, 127);
    net_conv(&st, a, r, 3, 32, 32, 16, 3, 1, 1, 1, 1, 1, 1);     /* conv1 -> r */
    net_conv(&st, r, a, 16, 32, 32, 16, 3, 1, 1, 1, 1, 1, 1);    /* stack 1 */
    net_conv(&st, a, b, 16, 32, 32, 16, 3, 1, 1, 1, 1, 1, 1);
    net_add(&st, b, r, r, 16 * 32 * 32);                           /* r = relu(b + r) */
    net_conv(&st, r, a, 16, 32, 32, 32, 3, 2, 0, 0, 1, 1, 1);    /* stack 2 */
    net_conv(&st, a, b, 32, 16, 16, 32, 3, 1, 1, 1, 1, 1, 1);
    net_conv(&st, r, a, 16, 32, 32, 32, 1, 2, 0, 0, 0, 0, 1);    /* shortcut */
    net_add(&st, b, a, r, 32 * 16 * 16);
    net_conv(&st, r, a, 32, 16, 16, 64, 3, 2, 0, 0, 1, 1, 1);    /* stack 3 */
    net_conv(&st, a, b, 64, 8, 8, 64, 3, 1, 1, 1, 1, 1, 1);
    net_conv(&st, r, a, 32, 16, 16, 64, 1, 2, 0, 0, 0, 0, 1);
    net_add(&st, b, a, r, 64 * 8 * 8);
    net_head(&st, r, 64, 64, 10);
    net_report("ResNet-8", &st, 2.49);
}

static void run_dscnn(void)
{
    net_stats st;
    int8_t *a = g_x, *b = g_y;
    int i;
    memset(&st, 0, sizeof st);
    fill_s8(a, 49 * 10, -128, 127);
    net_conv_kws(&st, a, b);
    for (i = 0; i < 4; i++) {
        net_conv(&st, b, a, 64, 25, 5, 64, 3, 1, 1, 1, 1, 1, 64);
        net_conv(&st, a, b, 64, 25, 5, 64, 1, 1, 0, 0, 0, 0, 1);
    }
    net_head(&st, b, 125, 64, 12);
    net_report("DS-CNN", &st, 2.88);
}

static void run_mobilenet(int relu6)
{
    /* MobileNetV1 alpha 0.25, 96x96x3 (MLPerf Tiny VWW): {channels out, dw stride} */
    static const int blocks[13][2] = {{16, 1}, {32, 2}, {32, 1}, {64, 2}, {64, 1}, {128, 2},
                                      {128, 1}, {128, 1}, {128, 1}, {128, 1}, {128, 1},
                                      {256, 2}, {256, 1}};
    net_stats st;
    int8_t *a = g_x, *b = g_y;
    int i, c = 8, hw = 48;
    memset(&st, 0, sizeof st);
    g_relu6 = relu6;
    fill_s8(a, 96 * 96 * 3, -128, 127);
    net_conv(&st, a, b, 3, 96, 96, 8, 3, 2, 0, 0, 1, 1, 1);
    for (i = 0; i < 13; i++) {
        const int s = blocks[i][1], m = blocks[i][0];
        net_conv(&st, b, a, c, hw, hw, c, 3, s, s == 1, s == 1, 1, 1, c);
        hw = s == 1 ? hw : hw / 2;
        net_conv(&st, a, b, c, hw, hw, m, 1, 1, 0, 0, 0, 0, 1);
        c = m;
    }
    g_relu6 = 0;
    net_head(&st, b, hw * hw, c, 2);
    net_report(relu6 ? "MobileNet, ReLU6" : "MobileNetV1-0.25", &st, 3.21);
}

int main(int argc, char **argv)
{
    dnn_port_init();
    dnn_port_print("dnnopt int8 kernel benchmark (Cortex-M4, QEMU mps2-an386)\n");
    if (argc > 1)
        g_only = atoi(argv[argc - 1]);
    if (g_only < 0) { /* -1: the networks only, with per-layer figures */
        g_net_detail = 1;
        run_resnet8();
        run_dscnn();
        run_mobilenet(0);
        run_mobilenet(1);
        return 0;
    }
    if (g_only == 0)
        calibrate();
    printf("build: %s\n",
#if defined(__ARM_FEATURE_DSP) && !defined(DNN_S8_NO_DSP)
           "DSP (SMLAD, SXTB16, SMMLA, SSAT)"
#else
           "portable C (-DDNN_S8_NO_DSP)"
#endif
    );

    printf("\n|  # | layer (int8, NHWC)                         |     MACs | naive insns | /MAC   | "
           "dnnopt insns | /MAC  | /output | speedup | check |\n");
    printf("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    /*     name                                       C   H   W   M  KH KW  s  t  l  b  r  g  lo */
    layer("ResNet-8 conv 3x3 16->16 @32x32",          16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, -128);
    layer("ResNet-8 conv 3x3 32->32 @16x16",          32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, -128);
    layer("ResNet-8 conv 3x3 64->64 @8x8",            64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, -128);
    layer("ResNet-8 first conv 3->16 @32x32",         3, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, -128);
    layer("ResNet-8 conv 3x3 16->32 s2 @32x32",       16, 32, 32, 32, 3, 3, 2, 0, 0, 1, 1, 1, -128);
    layer("ResNet-8 shortcut 1x1 16->32 s2",          16, 32, 32, 32, 1, 1, 2, 0, 0, 0, 0, 1, -128);
    layer("DS-CNN conv 10x4 s2 1->64 @49x10",         1, 49, 10, 64, 10, 4, 2, 4, 1, 5, 1, 1, -128);
    layer("DS-CNN dw 3x3 64 @25x5",                   64, 25, 5, 64, 3, 3, 1, 1, 1, 1, 1, 64, -128);
    layer("DS-CNN pw 64->64 @25x5",                   64, 25, 5, 64, 1, 1, 1, 0, 0, 0, 0, 1, -128);
    layer("MobileNet first conv 3->8 s2 @96x96",      3, 96, 96, 8, 3, 3, 2, 0, 0, 1, 1, 1, -128);
    layer("MobileNet dw 3x3 8 @48x48",                8, 48, 48, 8, 3, 3, 1, 1, 1, 1, 1, 8, -128);
    layer("MobileNet pw 8->16 @48x48",                8, 48, 48, 16, 1, 1, 1, 0, 0, 0, 0, 1, -128);
    layer("MobileNet dw 3x3 16 s2 @48x48",            16, 48, 48, 16, 3, 3, 2, 0, 0, 1, 1, 16, -128);
    layer("MobileNet pw 32->32 @24x24",               32, 24, 24, 32, 1, 1, 1, 0, 0, 0, 0, 1, -128);
    layer("MobileNet dw 3x3 128 @6x6",                128, 6, 6, 128, 3, 3, 1, 1, 1, 1, 1, 128, -128);
    layer("MobileNet pw 128->128 @6x6",               128, 6, 6, 128, 1, 1, 1, 0, 0, 0, 0, 1, -128);
    layer("MobileNet pw 256->256 @3x3",               256, 3, 3, 256, 1, 1, 1, 0, 0, 0, 0, 1, -128);
    bench_fc("FC 256->64", 1, 256, 64);
    bench_fc("FC 640->128", 1, 640, 128);
    bench_conv1d_dil("1-D conv 32->32 k5 d4 L64 causal");
    layer("conv 3x3 16->16 @32x32, clamp [-20,127]",  16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, -20);
    layer("dw 3x3 64 @25x5, clamp [-20,127]",         64, 25, 5, 64, 3, 3, 1, 1, 1, 1, 1, 64, -20);
    g_relu6 = 1; /* clamp [-100, -10] */
    layer("MobileNet pw 8->16 @48x48, ReLU6 clamp",   8, 48, 48, 16, 1, 1, 1, 0, 0, 0, 0, 1, -128);
    layer("MobileNet dw 3x3 128 @6x6, ReLU6 clamp",   128, 6, 6, 128, 3, 3, 1, 1, 1, 1, 1, 128, -128);
    layer("MobileNet pw 128->128 @6x6, ReLU6 clamp",  128, 6, 6, 128, 1, 1, 1, 0, 0, 0, 0, 1, -128);
    g_relu6 = 0;

    printf("\n|  # | layer (no MACs)                            |  outputs | naive insns | /out   | "
           "dnnopt insns | /out  | speedup | check |\n");
    printf("|---:|---|---:|---:|---:|---:|---:|---:|---|\n");
    bench_add("residual add 16x32x32 (QDQ float naive)", 16 * 32 * 32);
    bench_pool("maxpool 2x2 s2 16@32x32", 16, 32, 32, 2, 2, 0);
    bench_pool("avgpool 2x2 s2 16@32x32", 16, 32, 32, 2, 2, 1);
    bench_gap("global avg pool 64@8x8", 64, 64);
    bench_conversions(4096);

    if (g_only <= 0) {
        printf("\n| network            |      MACs | insns      | /MAC  | conv+pw+fc /MAC | dw /MAC "
               "| other insns | CMSIS-NN /MAC |\n");
        printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        run_resnet8();
        run_dscnn();
        run_mobilenet(0);
        run_mobilenet(1);
    }
    printf("\n%s: %d failure(s)\n", g_failures ? "FAILED" : "PASSED", g_failures);
    return g_failures ? 1 : 0;
}
