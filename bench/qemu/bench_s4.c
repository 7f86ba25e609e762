/*
 * bench_s4.c - Cortex-M4 benchmark of the sub-byte weight kernels (runtime/dnn_sub.h)
 * against the int8 kernels (runtime/dnn_s8.h) under QEMU mps2-an386 with
 * `-icount shift=0` (1 SysTick tick = 40 executed instructions, checked by the asm-loop
 * calibration of bench_harness.h).
 *
 * Part 1, layers (the MAC layers of bench_s8.c): each layer runs with int8 weights through
 * dnn_s8_conv / dnn_s8_fc (the existing kernels, the baseline), and with 8-, 4- and
 * 2-bit weights through dnn_sub_conv / dnn_sub_fc (one precision group). Every sub-byte
 * result is checked to be identical to dnn_s8 on the same weights unpacked to int8 (the
 * documented semantics); dnn_s8 itself is checked against a naive loop nest in bench_s8.
 * Reports executed instructions per MAC and packed weight bytes, with ratios to int8.
 * Part 2, whole networks (ResNet-8, DS-CNN, MobileNetV1-0.25 as in bench_s8.c): every
 * conv / depthwise / pointwise / FC layer at 8 bits (dnn_s8), 4 bits or 2 bits
 * (dnn_sub); adds and pooling are the int8 kernels in all variants.
 * Part 3, precision groups: one layer whose output channels are split into int8 / int4
 * / int2 groups, as one dnn_sub_conv call (shared im2col) and as one call per group.
 * Weights are generated and packed before the timed region (compile time in generated
 * code). Exit code 0 when the calibration and every check pass.
 * Usage (QEMU -append): no argument = everything; "N" = layer N only; "-1" = the
 * networks only, with per-layer figures.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_harness.h"
#include "dnn_s8.h"
#include "dnn_sub.h"

#define ABUF 65536   /* activations (largest: 48x48x16 = 36864) */
#define WBUF 81920   /* weights (largest: FC 640x128 = 81920) */
#define CBUF 1024    /* per-channel arrays */
#define SBUF 16384   /* scratch */

static int8_t g_x[ABUF], g_y[ABUF], g_ref[ABUF], g_res[ABUF];
static int8_t g_w[WBUF];
static uint32_t g_wp[WBUF / 4], g_wq[WBUF / 4]; /* packed int8 (dnn_s8) / dnn_sub weights */
static int32_t g_b[CBUF], g_mult[CBUF], g_shift[CBUF];
static dnn_s8_chan g_chan[CBUF], g_chq[CBUF];
static uint64_t g_scratch[SBUF / 8];
static int g_only, g_layer, g_net_detail;

/* ---- quantization parameters ---- */

/* per-channel multipliers that keep outputs of K-term sums with weights of rms wrms in range */
static void rand_requant(int32_t m, int32_t K, double wrms)
{
    const double s = 40.0 / (sqrt((double)K) * 128.0 * wrms);
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

static double wrms_of(int bits)
{
    return bits == 8 ? 73.0 : (bits == 4 ? 4.6 : 0.9);
}

/* random weights of `bits` */
static void fill_w(size_t n, int bits)
{
    if (bits == 8)
        fill_s8(g_w, n, -127, 127);
    else
        fill_s8(g_w, n, -(1 << (bits - 1)), (1 << (bits - 1)) - 1);
}

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
}

static int fits(const dnn_s8_conv_params *p)
{
    const size_t K = (size_t)(p->c / p->group) * p->kh * p->kw;
    dnn_sub_conv_params sp;
    dnn_sub_conv_params_init(&sp, p);
    if ((size_t)p->m * K > WBUF || dnn_s8_conv_packed_size(p) > WBUF || p->m > CBUF ||
        dnn_s8_conv_scratch_size(p) > SBUF || dnn_sub_conv_scratch_size(&sp) > SBUF ||
        (size_t)p->h * p->w * p->c > ABUF || (size_t)p->oh * p->ow * p->m > ABUF) {
        printf("layer %d: buffers too small\n", g_layer);
        g_failures++;
        return 0;
    }
    return 1;
}

/* Weights of `bits` for layer p: packs them for dnn_s8 (g_wp, g_chan) and, when
 * bits > 0, for dnn_sub (g_wq, g_chq); returns the dnn_sub packed bytes. */
static size_t prepare(const dnn_s8_conv_params *p, int bits, dnn_sub_conv_params *sp,
                      dnn_sub_wgroup *gw)
{
    const size_t K = (size_t)(p->c / p->group) * p->kh * p->kw;
    fill_w((size_t)p->m * K, bits);
    rand_bias(p->m);
    rand_requant(p->m, (int32_t)K, wrms_of(bits));
    dnn_s8_conv_pack(p, g_w, g_b, g_mult, g_shift, (int8_t *)g_wp, g_chan);
    dnn_sub_conv_params_init(sp, p);
    if (dnn_sub_conv_pack(sp, bits, 0, p->m, g_w, g_b, g_mult, g_shift, g_wq, g_chq) != 0) {
        printf("layer %d: weights saturated\n", g_layer);
        g_failures++;
    }
    gw->bits = bits, gw->m0 = 0, gw->m = p->m, gw->w = g_wq, gw->chan = g_chq;
    return dnn_sub_conv_packed_size(sp, bits, p->m);
}

/* ---- part 1: layers ---- */

typedef struct prec_run {
    uint64_t i;     /* instructions */
    size_t bytes;   /* packed weight bytes */
    int ok;
} prec_run;

static void report(const char *name, double macs, uint64_t i_s8, size_t b_s8, const prec_run *r)
{
    /* r[0]: 8-bit via dnn_sub, r[1]: 4-bit, r[2]: 2-bit */
    const int ok = r[0].ok && r[1].ok && r[2].ok;
    printf("| %2d | %-36s | %8.0f | %5.2f | %5.2f | %5.2f | %5.2f | %5.2f | %5.2f | %6lu | %5lu | %5.3f "
           "| %5lu | %5.3f | %s |\n",
           g_layer, name, macs, (double)i_s8 / macs, (double)r[0].i / macs, (double)r[1].i / macs,
           (double)r[1].i / (double)i_s8, (double)r[2].i / macs, (double)r[2].i / (double)i_s8,
           (unsigned long)b_s8, (unsigned long)r[1].bytes, (double)r[1].bytes / (double)b_s8,
           (unsigned long)r[2].bytes, (double)r[2].bytes / (double)b_s8, ok ? "ok" : "FAIL");
    g_failures += !ok;
}

static void bench_conv(const char *name, const dnn_s8_conv_params *p0)
{
    static const int bits[3] = {8, 4, 2};
    const size_t nin = (size_t)p0->h * p0->w * p0->c, nout = (size_t)p0->oh * p0->ow * p0->m;
    const double macs = (double)nout * (p0->c / p0->group) * p0->kh * p0->kw;
    dnn_s8_conv_params p = *p0;
    dnn_sub_conv_params sp;
    dnn_sub_wgroup gw;
    prec_run r[3];
    uint64_t t0, t1, i_s8;
    size_t b_s8;
    int k;
    if (++g_layer, g_only > 0 && g_layer != g_only)
        return;
    if (!fits(&p))
        return;
    fill_s8(g_x, nin, -128, 127);
    /* int8 baseline: dnn_s8 on int8 weights */
    prepare(&p, 8, &sp, &gw);
    b_s8 = dnn_s8_conv_packed_size(&p);
    t0 = dnn_port_ticks();
    dnn_s8_conv(&p, g_x, (const int8_t *)g_wp, g_chan, g_ref, g_scratch);
    t1 = dnn_port_ticks();
    i_s8 = insns(t0, t1);
    for (k = 0; k < 3; k++) {
        r[k].bytes = prepare(&p, bits[k], &sp, &gw);
        /* the reference: dnn_s8 on the same weights as int8 */
        dnn_s8_conv(&p, g_x, (const int8_t *)g_wp, g_chan, g_ref, g_scratch);
        memset(g_y, 0x5A, nout);
        t0 = dnn_port_ticks();
        dnn_sub_conv(&sp, g_x, &gw, 1, g_y, g_scratch);
        t1 = dnn_port_ticks();
        r[k].i = insns(t0, t1);
        r[k].ok = memcmp(g_y, g_ref, nout) == 0;
    }
    report(name, macs, i_s8, b_s8, r);
}

static void layer(const char *name, int c, int h, int w, int m, int kh, int kw, int s, int pt,
                  int pl, int pb, int pr, int group)
{
    dnn_s8_conv_params p;
    set_conv(&p, c, h, w, m, kh, kw, s, pt, pl, pb, pr, group);
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

/* fully connected: packs int8 (dnn_s8) and `bits` (dnn_sub) weights of a K x N layer */
static size_t prepare_fc(const dnn_s8_fc_params *p, int bits, dnn_sub_fc_params *sp,
                         dnn_sub_wgroup *gw)
{
    const int K = p->in_features, N = p->out_features;
    fill_w((size_t)N * K, bits);
    rand_bias(N);
    rand_requant(N, K, wrms_of(bits));
    dnn_s8_fc_pack(p, g_w, 1, g_b, g_mult, g_shift, (int8_t *)g_wp, g_chan);
    dnn_sub_fc_params_init(sp, p);
    if (dnn_sub_fc_pack(sp, bits, 0, N, g_w, 1, g_b, g_mult, g_shift, g_wq, g_chq) != 0)
        g_failures++;
    gw->bits = bits, gw->m0 = 0, gw->m = N, gw->w = g_wq, gw->chan = g_chq;
    return dnn_sub_fc_packed_size(sp, bits, N);
}

static void bench_fc(const char *name, int k, int n)
{
    static const int bits[3] = {8, 4, 2};
    dnn_s8_fc_params p;
    dnn_sub_fc_params sp;
    dnn_sub_wgroup gw;
    prec_run r[3];
    uint64_t t0, t1, i_s8;
    int b;
    if (++g_layer, g_only > 0 && g_layer != g_only)
        return;
    p.batch = 1, p.in_features = k, p.out_features = n;
    p.input_zp = -128 + (int32_t)(rnd() % 40u), p.output_zp = 0, p.act_min = -128, p.act_max = 127;
    fill_s8(g_x, (size_t)k, -128, 127);
    prepare_fc(&p, 8, &sp, &gw);
    t0 = dnn_port_ticks();
    dnn_s8_fc(&p, g_x, (const int8_t *)g_wp, g_chan, g_ref, g_scratch);
    t1 = dnn_port_ticks();
    i_s8 = insns(t0, t1);
    for (b = 0; b < 3; b++) {
        r[b].bytes = prepare_fc(&p, bits[b], &sp, &gw);
        dnn_s8_fc(&p, g_x, (const int8_t *)g_wp, g_chan, g_ref, g_scratch);
        t0 = dnn_port_ticks();
        dnn_sub_fc(&sp, g_x, &gw, 1, g_y, g_scratch);
        t1 = dnn_port_ticks();
        r[b].i = insns(t0, t1);
        r[b].ok = memcmp(g_y, g_ref, (size_t)n) == 0;
    }
    report(name, (double)k * n, i_s8, dnn_s8_fc_packed_size(&p), r);
}

/* ---- part 2: whole networks ---- */

typedef struct net_stats {
    double macs;
    uint64_t insns;     /* all kernels */
    size_t wbytes;      /* packed weights of conv / dw / fc */
    size_t chan_bytes;  /* their per-channel records */
} net_stats;

static int g_bits; /* precision of the network run: 8 = dnn_s8, 4 / 2 = dnn_sub */

static void net_conv(net_stats *st, const int8_t *x, int8_t *y, int c, int h, int w, int m, int kh,
                     int kw, int s, int pt, int pl, int pb, int pr, int group)
{
    dnn_s8_conv_params p;
    dnn_sub_conv_params sp;
    dnn_sub_wgroup gw;
    uint64_t t0, t1;
    double macs;
    size_t bytes;
    set_conv(&p, c, h, w, m, kh, kw, s, pt, pl, pb, pr, group);
    if (!fits(&p))
        return;
    bytes = prepare(&p, g_bits, &sp, &gw);
    macs = (double)p.oh * p.ow * p.m * (c / group) * kh * kw;
    t0 = dnn_port_ticks();
    if (g_bits == 8)
        dnn_s8_conv(&p, x, (const int8_t *)g_wp, g_chan, y, g_scratch);
    else
        dnn_sub_conv(&sp, x, &gw, 1, y, g_scratch);
    t1 = dnn_port_ticks();
    if (g_bits == 8)
        bytes = dnn_s8_conv_packed_size(&p);
    if (g_net_detail)
        printf("    %d-bit %s %dx%d %d->%d k%dx%d s%d: %.0f MACs, %.2f insns/MAC, %lu weight bytes\n",
               g_bits, group > 1 ? "dw" : "conv", h, w, c, m, kh, kw, s, macs,
               (double)insns(t0, t1) / macs, (unsigned long)bytes);
    st->macs += macs;
    st->insns += insns(t0, t1);
    st->wbytes += bytes;
    st->chan_bytes += sizeof(dnn_s8_chan) * (size_t)m;
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
    st->insns += insns(t0, t1);
}

static void net_head(net_stats *st, const int8_t *x, int hw, int c, int classes)
{
    dnn_s8_global_pool_params gp;
    dnn_s8_fc_params fp;
    dnn_sub_fc_params sp;
    dnn_sub_wgroup gw;
    uint64_t t0, t1;
    size_t bytes;
    static int8_t pooled[256], logits[16];
    gp.n = 1, gp.size = hw, gp.c = c, gp.input_zp = -128, gp.output_zp = -128;
    gp.act_min = -128, gp.act_max = 127;
    dnn_s8_quantize_multiplier(1.0 / hw, &gp.mult, &gp.shift);
    t0 = dnn_port_ticks();
    dnn_s8_global_avgpool(&gp, x, pooled);
    t1 = dnn_port_ticks();
    st->insns += insns(t0, t1);
    fp.batch = 1, fp.in_features = c, fp.out_features = classes;
    fp.input_zp = -128, fp.output_zp = 0, fp.act_min = -128, fp.act_max = 127;
    bytes = prepare_fc(&fp, g_bits, &sp, &gw);
    t0 = dnn_port_ticks();
    if (g_bits == 8)
        dnn_s8_fc(&fp, pooled, (const int8_t *)g_wp, g_chan, logits, g_scratch);
    else
        dnn_sub_fc(&sp, pooled, &gw, 1, logits, g_scratch);
    t1 = dnn_port_ticks();
    if (g_bits == 8)
        bytes = dnn_s8_fc_packed_size(&fp);
    if (g_net_detail)
        printf("    %d-bit fc %d->%d: %d MACs, %.2f insns/MAC, %lu weight bytes\n", g_bits, c,
               classes, c * classes, (double)insns(t0, t1) / (c * classes), (unsigned long)bytes);
    st->insns += insns(t0, t1);
    st->macs += (double)c * classes;
    st->wbytes += bytes;
    st->chan_bytes += sizeof(dnn_s8_chan) * (size_t)classes;
}

static void run_resnet8(net_stats *st)
{
    int8_t *a = g_x, *b = g_y, *r = g_res;
    fill_s8(a, 32 * 32 * 3, -128, 127);
    net_conv(st, a, r, 3, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1);     /* conv1 -> r */
    net_conv(st, r, a, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1);    /* stack 1 */
    net_conv(st, a, b, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1);
    net_add(st, b, r, r, 16 * 32 * 32);                              /* r = relu(b + r) */
    net_conv(st, r, a, 16, 32, 32, 32, 3, 3, 2, 0, 0, 1, 1, 1);    /* stack 2 */
    net_conv(st, a, b, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1);
    net_conv(st, r, a, 16, 32, 32, 32, 1, 1, 2, 0, 0, 0, 0, 1);    /* shortcut */
    net_add(st, b, a, r, 32 * 16 * 16);
    net_conv(st, r, a, 32, 16, 16, 64, 3, 3, 2, 0, 0, 1, 1, 1);    /* stack 3 */
    net_conv(st, a, b, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1);
    net_conv(st, r, a, 32, 16, 16, 64, 1, 1, 2, 0, 0, 0, 0, 1);
    net_add(st, b, a, r, 64 * 8 * 8);
    net_head(st, r, 64, 64, 10);
}

static void run_dscnn(net_stats *st)
{
    int8_t *a = g_x, *b = g_y;
    int i;
    fill_s8(a, 49 * 10, -128, 127);
    net_conv(st, a, b, 1, 49, 10, 64, 10, 4, 2, 4, 1, 5, 1, 1);   /* 10x4 s2, TF "same" */
    for (i = 0; i < 4; i++) {
        net_conv(st, b, a, 64, 25, 5, 64, 3, 3, 1, 1, 1, 1, 1, 64);
        net_conv(st, a, b, 64, 25, 5, 64, 1, 1, 1, 0, 0, 0, 0, 1);
    }
    net_head(st, b, 125, 64, 12);
}

static void run_mobilenet(net_stats *st)
{
    /* MobileNetV1 alpha 0.25, 96x96x3 (MLPerf Tiny VWW): {channels out, dw stride} */
    static const int blocks[13][2] = {{16, 1}, {32, 2}, {32, 1}, {64, 2}, {64, 1}, {128, 2},
                                      {128, 1}, {128, 1}, {128, 1}, {128, 1}, {128, 1},
                                      {256, 2}, {256, 1}};
    int8_t *a = g_x, *b = g_y;
    int i, c = 8, hw = 48;
    fill_s8(a, 96 * 96 * 3, -128, 127);
    net_conv(st, a, b, 3, 96, 96, 8, 3, 3, 2, 0, 0, 1, 1, 1);
    for (i = 0; i < 13; i++) {
        const int s = blocks[i][1], m = blocks[i][0];
        net_conv(st, b, a, c, hw, hw, c, 3, 3, s, s == 1, s == 1, 1, 1, c);
        hw = s == 1 ? hw : hw / 2;
        net_conv(st, a, b, c, hw, hw, m, 1, 1, 1, 0, 0, 0, 0, 1);
        c = m;
    }
    net_head(st, b, hw * hw, c, 2);
}

static void networks(void)
{
    static const char *names[3] = {"ResNet-8", "DS-CNN", "MobileNetV1-0.25"};
    static void (*const run[3])(net_stats *) = {run_resnet8, run_dscnn, run_mobilenet};
    int n;
    if (!g_net_detail) {
        printf("\n| network            |      MACs | int8 insns/MAC | 4-bit /MAC | x int8 | 2-bit /MAC "
               "| x int8 | int8 weight B | 4-bit B | x int8 | 2-bit B | x int8 | chan table B |\n");
        printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    }
    for (n = 0; n < 3; n++) {
        net_stats st[3];
        int k;
        for (k = 0; k < 3; k++) {
            memset(&st[k], 0, sizeof st[k]);
            g_bits = k == 0 ? 8 : (k == 1 ? 4 : 2);
            g_seed = 777u + (uint32_t)n; /* the same activations in all variants */
            run[n](&st[k]);
        }
        printf("| %-18s | %9.0f | %5.2f | %5.2f | %5.3f | %5.2f | %5.3f | %7lu | %7lu | %5.3f | %7lu "
               "| %5.3f | %6lu |\n",
               names[n], st[0].macs, (double)st[0].insns / st[0].macs, (double)st[1].insns / st[1].macs,
               (double)st[1].insns / (double)st[0].insns, (double)st[2].insns / st[2].macs,
               (double)st[2].insns / (double)st[0].insns, (unsigned long)st[0].wbytes,
               (unsigned long)st[1].wbytes, (double)st[1].wbytes / (double)st[0].wbytes,
               (unsigned long)st[2].wbytes, (double)st[2].wbytes / (double)st[0].wbytes,
               (unsigned long)st[0].chan_bytes);
    }
}

/* ---- part 3: precision groups of one layer ---- */

static void mixed(const char *name, int c, int hw, int m, int k, const int *cnt)
{
    static const int bits[3] = {8, 4, 2};
    static uint32_t wq[3][WBUF / 16];
    static dnn_s8_chan chq[CBUF];
    dnn_s8_conv_params p;
    dnn_sub_conv_params sp;
    dnn_sub_wgroup gw[3];
    uint64_t t0, t1, one, per_group = 0, uni[3];
    const size_t nout = (size_t)hw * hw * m;
    int g, m0, j, i, ok;
    double macs;
    if (++g_layer, g_only > 0 && g_layer != g_only)
        return;
    set_conv(&p, c, hw, hw, m, k, k, 1, k / 2, k / 2, k / 2, k / 2, 1);
    if (!fits(&p))
        return;
    macs = (double)nout * c * k * k;
    fill_s8(g_x, (size_t)hw * hw * c, -128, 127);
    dnn_sub_conv_params_init(&sp, &p);
    /* weights: channel j of group g in the range of bits[g]; int8 reference on them */
    for (g = 0, m0 = 0; g < 3; m0 += cnt[g], g++)
        for (j = m0; j < m0 + cnt[g]; j++)
            for (i = 0; i < c * k * k; i++)
                g_w[(size_t)j * c * k * k + i] = (int8_t)(bits[g] == 8 ? (int)(rnd() % 255u) - 127
                                                          : (int)(rnd() % (1u << bits[g])) - (1 << (bits[g] - 1)));
    rand_bias(m);
    rand_requant(m, c * k * k, 20.0);
    dnn_s8_conv_pack(&p, g_w, g_b, g_mult, g_shift, (int8_t *)g_wp, g_chan);
    dnn_s8_conv(&p, g_x, (const int8_t *)g_wp, g_chan, g_ref, g_scratch);
    for (g = 0, m0 = 0; g < 3; m0 += cnt[g], g++) {
        dnn_sub_conv_pack(&sp, bits[g], m0, cnt[g], g_w, g_b, g_mult, g_shift, wq[g], chq + m0);
        gw[g].bits = bits[g], gw[g].m0 = m0, gw[g].m = cnt[g], gw[g].w = wq[g], gw[g].chan = chq + m0;
    }
    memset(g_y, 0x5A, nout);
    t0 = dnn_port_ticks();
    dnn_sub_conv(&sp, g_x, gw, 3, g_y, g_scratch);
    t1 = dnn_port_ticks();
    one = insns(t0, t1);
    ok = memcmp(g_y, g_ref, nout) == 0;
    memset(g_y, 0x5A, nout);
    for (g = 0; g < 3; g++) {
        t0 = dnn_port_ticks();
        dnn_sub_conv(&sp, g_x, &gw[g], 1, g_y, g_scratch);
        t1 = dnn_port_ticks();
        per_group += insns(t0, t1);
    }
    ok &= memcmp(g_y, g_ref, nout) == 0;
    for (g = 0; g < 3; g++) { /* the whole layer at one precision, for comparison */
        dnn_sub_wgroup u = gw[g];
        u.m0 = 0, u.m = m;
        fill_w((size_t)m * c * k * k, bits[g]);
        dnn_sub_conv_pack(&sp, bits[g], 0, m, g_w, g_b, g_mult, g_shift, g_wq, g_chq);
        u.w = g_wq, u.chan = g_chq;
        t0 = dnn_port_ticks();
        dnn_sub_conv(&sp, g_x, &u, 1, g_y, g_scratch);
        t1 = dnn_port_ticks();
        uni[g] = insns(t0, t1);
    }
    printf("| %2d | %-38s | %d/%d/%d | %8.0f | %5.2f | %5.2f | %5.2f / %5.2f / %5.2f | %s |\n", g_layer,
           name, cnt[0], cnt[1], cnt[2], macs, (double)one / macs, (double)per_group / macs,
           (double)uni[0] / macs, (double)uni[1] / macs, (double)uni[2] / macs, ok ? "ok" : "FAIL");
    g_failures += !ok;
}

int main(int argc, char **argv)
{
    static const int split_a[3] = {10, 12, 10}, split_b[3] = {16, 32, 16}, split_c[3] = {4, 8, 4};
    dnn_port_init();
    dnn_port_print("dnnopt sub-byte weight kernel benchmark (Cortex-M4, QEMU mps2-an386)\n");
    if (argc > 1)
        g_only = atoi(argv[argc - 1]);
    if (g_only < 0) { /* -1: the networks only, with per-layer figures */
        g_net_detail = 1;
        networks();
        return g_failures ? 1 : 0;
    }
    if (g_only == 0)
        calibrate();
    printf("build: %s\n",
#if defined(__ARM_FEATURE_DSP) && !defined(DNN_S8_NO_DSP)
#if defined(DNN_S8_NO_ASM)
           "DSP intrinsics, no inline assembly (-DDNN_S8_NO_ASM)"
#else
           "DSP (SMLAD, SXTB16, SMMLA, SSAT; inline assembly)"
#endif
#else
           "portable C (-DDNN_S8_NO_DSP)"
#endif
    );

    printf("\n|  # | layer (NHWC, int8 activations)       |     MACs | int8 /MAC | sub8 /MAC | 4-bit /MAC "
           "| x int8 | 2-bit /MAC | x int8 | int8 B | 4-bit B | x int8 | 2-bit B | x int8 | check |\n");
    printf("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    /*     name                                 C   H   W   M  KH KW  s  t  l  b  r  g */
    layer("ResNet-8 conv 3x3 16->16 @32x32",    16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1);
    layer("ResNet-8 conv 3x3 32->32 @16x16",    32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1);
    layer("ResNet-8 conv 3x3 64->64 @8x8",      64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1);
    layer("ResNet-8 first conv 3->16 @32x32",   3, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1);
    layer("ResNet-8 conv 3x3 16->32 s2 @32x32", 16, 32, 32, 32, 3, 3, 2, 0, 0, 1, 1, 1);
    layer("ResNet-8 shortcut 1x1 16->32 s2",    16, 32, 32, 32, 1, 1, 2, 0, 0, 0, 0, 1);
    layer("DS-CNN conv 10x4 s2 1->64 @49x10",   1, 49, 10, 64, 10, 4, 2, 4, 1, 5, 1, 1);
    layer("DS-CNN dw 3x3 64 @25x5",             64, 25, 5, 64, 3, 3, 1, 1, 1, 1, 1, 64);
    layer("DS-CNN pw 64->64 @25x5",             64, 25, 5, 64, 1, 1, 1, 0, 0, 0, 0, 1);
    layer("MobileNet first conv 3->8 s2 @96x96", 3, 96, 96, 8, 3, 3, 2, 0, 0, 1, 1, 1);
    layer("MobileNet dw 3x3 8 @48x48",          8, 48, 48, 8, 3, 3, 1, 1, 1, 1, 1, 8);
    layer("MobileNet pw 8->16 @48x48",          8, 48, 48, 16, 1, 1, 1, 0, 0, 0, 0, 1);
    layer("MobileNet dw 3x3 16 s2 @48x48",      16, 48, 48, 16, 3, 3, 2, 0, 0, 1, 1, 16);
    layer("MobileNet pw 32->32 @24x24",         32, 24, 24, 32, 1, 1, 1, 0, 0, 0, 0, 1);
    layer("MobileNet dw 3x3 128 @6x6",          128, 6, 6, 128, 3, 3, 1, 1, 1, 1, 1, 128);
    layer("MobileNet pw 128->128 @6x6",         128, 6, 6, 128, 1, 1, 1, 0, 0, 0, 0, 1);
    layer("MobileNet pw 256->256 @3x3",         256, 3, 3, 256, 1, 1, 1, 0, 0, 0, 0, 1);
    bench_fc("FC 256->64", 256, 64);
    bench_fc("FC 640->128", 640, 128);
    bench_conv1d_dil("1-D conv 32->32 k5 d4 L64 causal");

    printf("\n|  # | layer with precision groups             | int8/4/2 channels |     MACs | one call "
           "/MAC | a call per group /MAC | all int8 / 4 / 2-bit /MAC | check |\n");
    printf("|---:|---|---|---:|---:|---:|---:|---|\n");
    mixed("ResNet-8 conv 3x3 32->32 @16x16", 32, 16, 32, 3, split_a);
    mixed("MobileNet pw 64->64 @12x12", 64, 12, 64, 1, split_b);
    mixed("MobileNet pw 16->16 @24x24", 16, 24, 16, 1, split_c);

    if (g_only <= 0)
        networks();
    printf("\n%s: %d failure(s)\n", g_failures ? "FAILED" : "PASSED", g_failures);
    return g_failures ? 1 : 0;
}
