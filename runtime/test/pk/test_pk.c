/*
 * test_pk.c - tests of the packed sub-byte activation kernels (dnn_pk.h).
 *
 *  - pack / unpack against a naive bit-by-bit reference, for every start offset and
 *    length (odd counts, counts that are not a multiple of 2 / 4 values), checking that
 *    the neighbouring values in the first and last bytes are kept, and long runs (the
 *    32-bit word loops: every value in every lane);
 *  - every kernel (conv 1-D / 2-D / pointwise / depthwise / strided / dilated / padded,
 *    with int8 and sub-byte weights (up to 3 precision groups of 8, 4 and 2 bits at
 *    random channel boundaries), fully connected, add with broadcasts, requantize,
 *    quantize / dequantize, max / average / global average pooling, transpose) with
 *    every width combination against the int8 kernel run once on the whole unpacked
 *    tensor (values drawn in the narrow range, the reference's output clamped to it),
 *    the packed result unpacked by the naive reference; convolutions also in the
 *    geometries of dnn_pk_conv's other band modes (dilated stride-1 by phases,
 *    pointwise by pixels, depthwise by channels) and with the band dnn_pk_conv_plan
 *    picks. Exact-size allocations, so AddressSanitizer sees any access past a packed
 *    tensor. Also built for Cortex-M4 and run under QEMU (Makefile).
 * Usage: test_pk [seed]. Prints "N passed, M failed"; exit 1 on failure.
 */
#include "dnn_pk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_pass, g_fail;
static uint32_t g_state = 0x1234567u;

static uint32_t rnd(void)
{
    uint32_t x = g_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return g_state = x;
}
static int rint_(int lo, int hi) { return lo + (int)(rnd() % (uint32_t)(hi - lo + 1)); }

static void *xalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) exit(2);
    memset(p, 0xA5, n ? n : 1);
    return p;
}

static void record(int ok, const char *what)
{
    if (ok) g_pass++;
    else {
        g_fail++;
        printf("FAIL: %s\n", what);
    }
}

static int lo_of(int bits) { return -(1 << (bits - 1)); }
static int hi_of(int bits) { return (1 << (bits - 1)) - 1; }

/* naive reference: element k of a packed tensor */
static int8_t ref_get(int bits, const uint8_t *b, int k)
{
    int v = 0, i;
    if (bits == 8) return (int8_t)b[k];
    for (i = 0; i < bits; i++) {
        int bit = k * bits + i;
        v |= ((b[bit / 8] >> (bit % 8)) & 1) << i;
    }
    if (v & (1 << (bits - 1))) v -= 1 << bits;
    return (int8_t)v;
}
static void ref_set(int bits, uint8_t *b, int k, int v)
{
    int i;
    if (bits == 8) {
        b[k] = (uint8_t)(int8_t)v;
        return;
    }
    for (i = 0; i < bits; i++) {
        int bit = k * bits + i;
        b[bit / 8] = (uint8_t)((b[bit / 8] & ~(1 << (bit % 8))) | (((v >> i) & 1) << (bit % 8)));
    }
}

/* a packed tensor of n random values of `bits` bits; also returned unpacked in u */
static uint8_t *rnd_packed(int bits, int n, int8_t *u)
{
    uint8_t *b = (uint8_t *)xalloc(dnn_pk_bytes(bits, n));
    int k;
    for (k = 0; k < n; k++) {
        u[k] = (int8_t)rint_(lo_of(bits), hi_of(bits));
        ref_set(bits, b, k, u[k]);
    }
    return b;
}

/* the packed result y (n values) equals ref (int8) */
static void check(const char *what, int bits, const void *y, const int8_t *ref, int n)
{
    int k, bad = 0;
    for (k = 0; k < n; k++)
        if (ref_get(bits, (const uint8_t *)y, k) != ref[k]) {
            if (bad++ < 3)
                printf("  %s: element %d: got %d, want %d\n", what, k,
                       ref_get(bits, (const uint8_t *)y, k), ref[k]);
        }
    record(bad == 0, what);
}

static void test_pack(void)
{
    static const int widths[2] = {4, 2};
    int wi, k0, n;
    for (wi = 0; wi < 2; wi++) {
        const int bits = widths[wi], total = 41;
        for (k0 = 0; k0 < 9; k0++)
            for (n = 0; k0 + n <= total; n += (n < 10 ? 1 : 7)) {
                int8_t u[64], v[64], got[64], all[64];
                uint8_t *b = rnd_packed(bits, total, u);
                int k, ok = 1;
                for (k = 0; k < n; k++) v[k] = (int8_t)rint_(lo_of(bits), hi_of(bits));
                dnn_pk_pack(bits, v, n, b, k0);
                for (k = 0; k < total; k++) {
                    all[k] = k >= k0 && k < k0 + n ? v[k - k0] : u[k];
                    ok &= ref_get(bits, b, k) == all[k];
                }
                dnn_pk_unpack(bits, b, k0, n, got);
                for (k = 0; k < n; k++) ok &= got[k] == v[k];
                record(ok, bits == 4 ? "pack/unpack 4-bit" : "pack/unpack 2-bit");
                free(b);
            }
    }
}

/* long runs: the word loops of pack / unpack see every value in every lane */
static void test_pack_long(void)
{
    static const int widths[2] = {4, 2};
    int wi, k0;
    for (wi = 0; wi < 2; wi++) {
        const int bits = widths[wi], total = 600, range = 1 << bits;
        for (k0 = 0; k0 < 17; k0++) {
            static int8_t u[600], v[600], got[600];
            const int n = total - k0 - (int)(rnd() % 20);
            uint8_t *b = rnd_packed(bits, total, u);
            int k, ok = 1;
            /* lane l of word j holds (l + j + j / range) % range: all values per lane */
            for (k = 0; k < n; k++) v[k] = (int8_t)((k + k / 16 + k / (16 * range)) % range + lo_of(bits));
            dnn_pk_pack(bits, v, n, b, k0);
            for (k = 0; k < total; k++)
                ok &= ref_get(bits, b, k) == (k >= k0 && k < k0 + n ? v[k - k0] : u[k]);
            dnn_pk_unpack(bits, b, k0, n, got);
            for (k = 0; k < n; k++) ok &= got[k] == v[k];
            record(ok, bits == 4 ? "pack/unpack 4-bit, long runs" : "pack/unpack 2-bit, long runs");
            free(b);
        }
    }
}

static const int g_widths[3] = {8, 4, 2};

static void clamp_range(int8_t *y, int n, int bits)
{
    int k;
    for (k = 0; k < n; k++) y[k] = (int8_t)(y[k] < lo_of(bits) ? lo_of(bits) : (y[k] > hi_of(bits) ? hi_of(bits) : y[k]));
}

static void rnd_requant(int32_t *mult, int32_t *shift)
{
    dnn_s8_quantize_multiplier(0.002 + 0.05 * (rnd() % 1000) / 1000.0, mult, shift);
}

/* geometry of test_conv_geo: random, or one that takes a special band path of dnn_pk_conv */
enum { GEO_RANDOM, GEO_DILATED, GEO_POINTWISE, GEO_BY_CHANNELS };

static void test_conv_geo(int geo, int two_d, int depthwise, int sub_w, int in_bits, int out_bits,
                          int band)
{
    dnn_s8_conv_params c;
    dnn_pk_conv_params p;
    int8_t *xu, *w, *yref, *packed;
    uint8_t *x;
    void *y, *scratch, *sref;
    dnn_s8_chan *chan;
    int32_t *bias, *mult, *shift;
    int k, nx, ny, nw, m, kk;
    char what[96];
    memset(&c, 0, sizeof c);
    c.n = rint_(1, 2);
    c.c = depthwise ? rint_(1, 9) : rint_(1, 7);
    if (geo == GEO_BY_CHANNELS) /* half of them whole bytes per pixel (the 4-value path) */
        c.c = rnd() % 2 ? 4 * rint_(1, 3) : rint_(1, 13);
    c.m = depthwise ? c.c : rint_(1, 9);
    c.group = depthwise ? c.c : 1;
    c.h = two_d ? rint_(1, 7) : 1;
    c.w = rint_(1, 9);
    c.kh = two_d ? rint_(1, 3) : 1;
    c.kw = rint_(1, 3);
    c.stride_h = two_d ? rint_(1, 2) : 1;
    c.stride_w = rint_(1, 2);
    c.dil_h = two_d ? rint_(1, 2) : 1;
    c.dil_w = rint_(1, 2);
    c.pad_t = two_d ? rint_(0, c.kh - 1) : 0;
    c.pad_b = two_d ? rint_(0, c.kh - 1) : 0;
    c.pad_l = rint_(0, c.kw - 1);
    c.pad_r = rint_(0, c.kw - 1);
    if (geo == GEO_DILATED) { /* TCN-like: long rows, dilation up to 5, "same" padding */
        int32_t *len = two_d ? &c.h : &c.w, *k = two_d ? &c.kh : &c.kw;
        int32_t *st = two_d ? &c.stride_h : &c.stride_w, *dl = two_d ? &c.dil_h : &c.dil_w;
        int32_t *pa = two_d ? &c.pad_t : &c.pad_l, *pe = two_d ? &c.pad_b : &c.pad_r;
        *len = rint_(1, 23), *k = rint_(2, 3), *st = 1, *dl = rint_(2, 5);
        *pa = rint_(0, (*k - 1) * *dl), *pe = rint_(0, (*k - 1) * *dl);
    } else if (geo == GEO_POINTWISE) {
        c.h = two_d ? rint_(1, 7) : 1, c.w = rint_(1, 13);
        c.kh = c.kw = c.stride_h = c.stride_w = 1;
        c.pad_t = c.pad_b = c.pad_l = c.pad_r = 0;
    } else if (geo == GEO_BY_CHANNELS) { /* whole maps, bands of 1..5 channels */
        c.h = rint_(1, 9), c.w = rint_(1, 9);
    }
    if (c.h + c.pad_t + c.pad_b < (c.kh - 1) * c.dil_h + 1) c.pad_b += (c.kh - 1) * c.dil_h + 1;
    if (c.w + c.pad_l + c.pad_r < (c.kw - 1) * c.dil_w + 1) c.pad_r += (c.kw - 1) * c.dil_w + 1;
    c.oh = (c.h + c.pad_t + c.pad_b - (c.kh - 1) * c.dil_h - 1) / c.stride_h + 1;
    c.ow = (c.w + c.pad_l + c.pad_r - (c.kw - 1) * c.dil_w - 1) / c.stride_w + 1;
    c.input_zp = rint_(lo_of(in_bits), hi_of(in_bits));
    c.output_zp = rint_(lo_of(out_bits), hi_of(out_bits));
    c.act_min = lo_of(out_bits), c.act_max = hi_of(out_bits);
    m = c.m;
    nx = c.n * c.h * c.w * c.c;
    ny = c.n * c.oh * c.ow * c.m;
    nw = c.m * (c.c / c.group) * c.kh * c.kw;
    xu = (int8_t *)xalloc((size_t)nx);
    x = rnd_packed(in_bits, nx, xu);
    w = (int8_t *)xalloc((size_t)nw);
    for (k = 0; k < nw; k++) w[k] = (int8_t)(sub_w ? rint_(-8, 7) : rint_(-128, 127));
    bias = (int32_t *)xalloc(sizeof(int32_t) * (size_t)m);
    mult = (int32_t *)xalloc(sizeof(int32_t) * (size_t)m);
    shift = (int32_t *)xalloc(sizeof(int32_t) * (size_t)m);
    for (k = 0; k < m; k++) {
        bias[k] = rint_(-2000, 2000);
        rnd_requant(&mult[k], &shift[k]);
    }
    chan = (dnn_s8_chan *)xalloc(sizeof(dnn_s8_chan) * (size_t)m);
    yref = (int8_t *)xalloc((size_t)ny);
    p.conv = c, p.in_bits = in_bits, p.out_bits = out_bits, p.band = band;
    p.by_channels = geo == GEO_BY_CHANNELS;
    if (band == 0) { /* the band dnn_pk_conv_plan picks for a random budget */
        dnn_pk_conv_plan(&p, sub_w, (size_t)rint_(16, 2048));
        record(p.band >= 1 && (!p.by_channels || (depthwise && in_bits != 8)),
               "conv plan: band >= 1, by channels only for a depthwise layer with packed input");
    }
    y = xalloc(dnn_pk_bytes(out_bits, ny));
    scratch = xalloc(dnn_pk_conv_scratch_size(&p, sub_w));
    if (sub_w) {
        /* up to 3 precision groups (8, 4, 2 bits, random boundaries), packed one after
         * another; the reference is dnn_sub_conv on the whole unpacked tensor */
        static const int32_t widths[3] = {4, 2, 8};
        dnn_sub_conv_params sp;
        dnn_sub_wgroup g[3];
        size_t pb = 0, off[3];
        int ng = 0, m0 = 0;
        dnn_sub_conv_params_init(&sp, &c);
        while (m0 < m) {
            const int mg = ng == 2 ? m - m0 : rint_(1, m - m0);
            g[ng].bits = widths[(ng + (int)(rnd() % 3)) % 3], g[ng].m0 = m0, g[ng].m = mg;
            off[ng] = pb;
            pb += (dnn_sub_conv_packed_size(&sp, g[ng].bits, mg) + 3) & ~(size_t)3;
            m0 += mg, ng++;
        }
        packed = (int8_t *)xalloc(pb);
        for (k = 0; k < ng; k++) {
            dnn_sub_conv_pack(&sp, g[k].bits, g[k].m0, g[k].m, w, bias, mult, shift,
                              (uint8_t *)packed + off[k], chan + g[k].m0);
            g[k].w = (const void *)(packed + off[k]), g[k].chan = chan + g[k].m0;
        }
        sref = xalloc(dnn_sub_conv_scratch_size(&sp));
        dnn_sub_conv(&sp, xu, g, ng, yref, sref);
        dnn_pk_sub_conv(&p, x, g, ng, y, scratch);
    } else {
        packed = (int8_t *)xalloc(dnn_s8_conv_packed_size(&c));
        dnn_s8_conv_pack(&c, w, bias, mult, shift, packed, chan);
        sref = xalloc(dnn_s8_conv_scratch_size(&c));
        dnn_s8_conv(&c, xu, packed, chan, yref, sref);
        dnn_pk_conv(&p, x, packed, chan, y, scratch);
    }
    kk = snprintf(what, sizeof what, "conv %s%s%s%s in %d out %d band %d%s%s", two_d ? "2-D" : "1-D",
                  depthwise ? " depthwise" : "", sub_w ? " w4" : "",
                  geo == GEO_DILATED ? " dilated" : geo == GEO_POINTWISE ? " pointwise"
                  : geo == GEO_BY_CHANNELS ? " by channels" : "", in_bits, out_bits, (int)p.band,
                  band == 0 ? " (planned)" : "", p.by_channels ? " by channels" : "");
    (void)kk;
    clamp_range(yref, ny, out_bits);
    check(what, out_bits, y, yref, ny);
    free(xu), free(x), free(w), free(bias), free(mult), free(shift), free(chan), free(yref);
    free(packed), free(y), free(scratch), free(sref);
}

static void test_conv_case(int two_d, int depthwise, int sub_w, int in_bits, int out_bits, int band)
{
    test_conv_geo(GEO_RANDOM, two_d, depthwise, sub_w, in_bits, out_bits, band);
}

static void test_pool_case(int two_d, int is_max, int bits, int band)
{
    dnn_s8_pool_params c;
    dnn_pk_pool_params p;
    int8_t *xu, *yref;
    uint8_t *x;
    void *y, *scratch;
    int nx, ny;
    char what[96];
    memset(&c, 0, sizeof c);
    c.n = rint_(1, 2);
    c.c = rint_(1, 7);
    c.h = two_d ? rint_(1, 7) : 1;
    c.w = rint_(2, 9);
    c.kh = two_d ? rint_(1, 3) : 1;
    c.kw = rint_(1, 3);
    c.stride_h = two_d ? rint_(1, 2) : 1;
    c.stride_w = rint_(1, 2);
    c.dil_h = c.dil_w = 1;
    c.pad_t = two_d ? rint_(0, c.kh - 1) : 0;
    c.pad_b = two_d ? rint_(0, c.kh - 1) : 0;
    c.pad_l = rint_(0, c.kw - 1);
    c.pad_r = rint_(0, c.kw - 1);
    if (c.h + c.pad_t + c.pad_b < c.kh) c.pad_b += c.kh;
    if (c.w + c.pad_l + c.pad_r < c.kw) c.pad_r += c.kw;
    /* ceil mode on odd cases: a last window hanging past the padding */
    c.oh = (c.h + c.pad_t + c.pad_b - c.kh + (rnd() % 2 ? c.stride_h - 1 : 0)) / c.stride_h + 1;
    c.ow = (c.w + c.pad_l + c.pad_r - c.kw + (rnd() % 2 ? c.stride_w - 1 : 0)) / c.stride_w + 1;
    c.count_include_pad = (int32_t)(rnd() % 2);
    c.zp = rint_(lo_of(bits), hi_of(bits));
    c.act_min = lo_of(bits), c.act_max = hi_of(bits);
    nx = c.n * c.h * c.w * c.c;
    ny = c.n * c.oh * c.ow * c.c;
    xu = (int8_t *)xalloc((size_t)nx);
    x = rnd_packed(bits, nx, xu);
    yref = (int8_t *)xalloc((size_t)ny);
    p.pool = c, p.bits = bits, p.band = band;
    y = xalloc(dnn_pk_bytes(bits, ny));
    scratch = xalloc(dnn_pk_pool_scratch_size(&p));
    if (is_max) {
        dnn_s8_maxpool(&c, xu, yref);
        dnn_pk_maxpool(&p, x, y, scratch);
    } else {
        dnn_s8_avgpool(&c, xu, yref);
        dnn_pk_avgpool(&p, x, y, scratch);
    }
    snprintf(what, sizeof what, "%s pool %s bits %d band %d", is_max ? "max" : "avg",
             two_d ? "2-D" : "1-D", bits, band);
    check(what, bits, y, yref, ny);
    free(xu), free(x), free(yref), free(y), free(scratch);
}

static void test_fc_case(int sub_w, int in_bits, int out_bits)
{
    dnn_s8_fc_params f;
    dnn_pk_fc_params p;
    int8_t *xu, *w, *yref, *packed;
    uint8_t *x;
    void *y, *scratch, *sref;
    dnn_s8_chan *chan;
    int32_t *bias, *mult, *shift;
    int k, nx, ny, nw;
    char what[64];
    f.batch = rint_(1, 3);
    f.in_features = rint_(1, 21);
    f.out_features = rint_(1, 11);
    f.input_zp = rint_(lo_of(in_bits), hi_of(in_bits));
    f.output_zp = rint_(lo_of(out_bits), hi_of(out_bits));
    f.act_min = lo_of(out_bits), f.act_max = hi_of(out_bits);
    nx = f.batch * f.in_features, ny = f.batch * f.out_features, nw = f.in_features * f.out_features;
    xu = (int8_t *)xalloc((size_t)nx);
    x = rnd_packed(in_bits, nx, xu);
    w = (int8_t *)xalloc((size_t)nw);
    for (k = 0; k < nw; k++) w[k] = (int8_t)(sub_w ? rint_(-2, 1) : rint_(-128, 127));
    bias = (int32_t *)xalloc(sizeof(int32_t) * (size_t)f.out_features);
    mult = (int32_t *)xalloc(sizeof(int32_t) * (size_t)f.out_features);
    shift = (int32_t *)xalloc(sizeof(int32_t) * (size_t)f.out_features);
    for (k = 0; k < f.out_features; k++) {
        bias[k] = rint_(-500, 500);
        rnd_requant(&mult[k], &shift[k]);
    }
    chan = (dnn_s8_chan *)xalloc(sizeof(dnn_s8_chan) * (size_t)f.out_features);
    yref = (int8_t *)xalloc((size_t)ny);
    p.fc = f, p.in_bits = in_bits, p.out_bits = out_bits;
    y = xalloc(dnn_pk_bytes(out_bits, ny));
    scratch = xalloc(dnn_pk_fc_scratch_size(&p, sub_w));
    if (sub_w) {
        dnn_sub_fc_params sp;
        dnn_sub_wgroup g;
        dnn_sub_fc_params_init(&sp, &f);
        packed = (int8_t *)xalloc(dnn_sub_fc_packed_size(&sp, 2, f.out_features));
        dnn_sub_fc_pack(&sp, 2, 0, f.out_features, w, 1, bias, mult, shift, (uint8_t *)packed, chan);
        g.bits = 2, g.m0 = 0, g.m = f.out_features, g.w = (const void *)packed, g.chan = chan;
        sref = xalloc(dnn_sub_fc_scratch_size(&sp));
        dnn_sub_fc(&sp, xu, &g, 1, yref, sref);
        dnn_pk_sub_fc(&p, x, &g, 1, y, scratch);
    } else {
        packed = (int8_t *)xalloc(dnn_s8_fc_packed_size(&f));
        dnn_s8_fc_pack(&f, w, 1, bias, mult, shift, packed, chan);
        sref = xalloc(dnn_s8_fc_scratch_size(&f));
        dnn_s8_fc(&f, xu, packed, chan, yref, sref);
        dnn_pk_fc(&p, x, packed, chan, y, scratch);
    }
    snprintf(what, sizeof what, "fc%s in %d out %d", sub_w ? " w2" : "", in_bits, out_bits);
    clamp_range(yref, ny, out_bits);
    check(what, out_bits, y, yref, ny);
    free(xu), free(x), free(w), free(bias), free(mult), free(shift), free(chan), free(yref);
    free(packed), free(y), free(scratch), free(sref);
}

static void test_eltwise_case(int ab, int bb, int ob)
{
    const int n = rint_(1, 700), form = rint_(0, 2);
    const int period = form == 0 ? n : (form == 1 ? 1 : 0);
    int c = 1, pn, k;
    int8_t *au, *bu, *yref, *bx;
    uint8_t *a, *b;
    void *y, *scratch;
    dnn_pk_add_params p;
    dnn_pk_requantize_params rq;
    dnn_pk_quant_params qp;
    float *f, *fref, *fgot;
    char what[64];
    if (period == 0) { /* per-channel vector over n = rows x c */
        for (c = 7; n % c; c--) {}
    }
    pn = period ? period : c;
    au = (int8_t *)xalloc((size_t)n);
    a = rnd_packed(ab, n, au);
    bu = (int8_t *)xalloc((size_t)pn);
    b = rnd_packed(bb, pn, bu);
    yref = (int8_t *)xalloc((size_t)n);
    bx = (int8_t *)xalloc((size_t)n);
    /* add */
    p.a_bits = ab, p.b_bits = bb, p.out_bits = ob;
    p.add.n = n, p.add.b_period = pn;
    p.add.a_zp = rint_(lo_of(ab), hi_of(ab));
    p.add.b_zp = rint_(lo_of(bb), hi_of(bb));
    p.add.out_zp = rint_(lo_of(ob), hi_of(ob));
    dnn_s8_add_quantize(0.1, 0.07, 0.15, &p.add.a_mult, &p.add.b_mult, &p.add.shift);
    p.add.act_min = lo_of(ob), p.add.act_max = hi_of(ob);
    for (k = 0; k < n; k++) bx[k] = bu[k % pn];
    {
        dnn_s8_add_params r = p.add;
        r.b_period = n;
        dnn_s8_add(&r, au, bx, yref);
    }
    y = xalloc(dnn_pk_bytes(ob, n));
    scratch = xalloc(dnn_pk_add_scratch_size(&p));
    dnn_pk_add(&p, a, b, y, scratch);
    snprintf(what, sizeof what, "add a %d b %d out %d period %d", ab, bb, ob, pn == n ? -1 : pn);
    check(what, ob, y, yref, n);
    free(y), free(scratch);
    /* requantize a -> ob */
    rq.in_bits = ab, rq.out_bits = ob;
    rq.rq.n = n, rq.rq.input_zp = p.add.a_zp, rq.rq.output_zp = p.add.out_zp;
    rnd_requant(&rq.rq.mult, &rq.rq.shift);
    rq.rq.mult = rq.rq.mult, rq.rq.shift += 3;
    rq.rq.act_min = lo_of(ob), rq.rq.act_max = hi_of(ob);
    dnn_s8_requantize(&rq.rq, au, yref);
    y = xalloc(dnn_pk_bytes(ob, n));
    scratch = xalloc(dnn_pk_requantize_scratch_size(&rq));
    dnn_pk_requantize(&rq, a, y, scratch);
    snprintf(what, sizeof what, "requantize %d -> %d", ab, ob);
    check(what, ob, y, yref, n);
    free(y), free(scratch);
    /* quantize / dequantize at ob */
    f = (float *)xalloc(sizeof(float) * (size_t)n);
    fref = (float *)xalloc(sizeof(float) * (size_t)n);
    fgot = (float *)xalloc(sizeof(float) * (size_t)n);
    for (k = 0; k < n; k++) f[k] = (float)rint_(-3000, 3000) / 100.0f;
    qp.bits = ob, qp.q.n = n, qp.q.scale = 0.37f, qp.q.zp = rint_(lo_of(ob), hi_of(ob));
    dnn_s8_quantize_f32(&qp.q, f, yref);
    clamp_range(yref, n, ob);
    y = xalloc(dnn_pk_bytes(ob, n));
    scratch = xalloc(dnn_pk_quant_scratch_size(&qp));
    dnn_pk_quantize_f32(&qp, f, y, scratch);
    snprintf(what, sizeof what, "quantize -> %d", ob);
    check(what, ob, y, yref, n);
    dnn_s8_dequantize_f32(&qp.q, yref, fref);
    dnn_pk_dequantize_f32(&qp, y, fgot, scratch);
    snprintf(what, sizeof what, "dequantize %d", ob);
    record(memcmp(fref, fgot, sizeof(float) * (size_t)n) == 0, what);
    free(y), free(scratch), free(f), free(fref), free(fgot);
    free(au), free(a), free(bu), free(b), free(yref), free(bx);
}

static void test_global_pool_case(int ib, int ob)
{
    dnn_pk_global_pool_params p;
    int8_t *xu, *yref;
    uint8_t *x;
    void *y, *scratch;
    int nx, ny;
    char what[64];
    p.in_bits = ib, p.out_bits = ob;
    p.gp.n = rint_(1, 2), p.gp.size = rint_(1, 30), p.gp.c = rint_(1, 11);
    p.gp.input_zp = rint_(lo_of(ib), hi_of(ib));
    p.gp.output_zp = rint_(lo_of(ob), hi_of(ob));
    dnn_s8_quantize_multiplier(0.9 / p.gp.size, &p.gp.mult, &p.gp.shift);
    p.gp.act_min = lo_of(ob), p.gp.act_max = hi_of(ob);
    nx = p.gp.n * p.gp.size * p.gp.c, ny = p.gp.n * p.gp.c;
    xu = (int8_t *)xalloc((size_t)nx);
    x = rnd_packed(ib, nx, xu);
    yref = (int8_t *)xalloc((size_t)ny);
    dnn_s8_global_avgpool(&p.gp, xu, yref);
    y = xalloc(dnn_pk_bytes(ob, ny));
    scratch = xalloc(dnn_pk_global_pool_scratch_size(&p));
    dnn_pk_global_avgpool(&p, x, y, scratch);
    snprintf(what, sizeof what, "global avgpool %d -> %d", ib, ob);
    check(what, ob, y, yref, ny);
    free(xu), free(x), free(yref), free(y), free(scratch);
}

static void test_transpose_case(int bits)
{
    int32_t shape[4], perm[4] = {0, 3, 1, 2};
    int n, k, i0, i1, i2, i3;
    int8_t *xu, *yref;
    uint8_t *x;
    void *y;
    shape[0] = rint_(1, 2), shape[1] = rint_(1, 5), shape[2] = rint_(1, 5), shape[3] = rint_(1, 5);
    n = shape[0] * shape[1] * shape[2] * shape[3];
    xu = (int8_t *)xalloc((size_t)n);
    x = rnd_packed(bits, n, xu);
    yref = (int8_t *)xalloc((size_t)n);
    k = 0;
    for (i0 = 0; i0 < shape[0]; i0++)
        for (i3 = 0; i3 < shape[3]; i3++)
            for (i1 = 0; i1 < shape[1]; i1++)
                for (i2 = 0; i2 < shape[2]; i2++)
                    yref[k++] = xu[((i0 * shape[1] + i1) * shape[2] + i2) * shape[3] + i3];
    y = xalloc(dnn_pk_bytes(bits, n));
    dnn_pk_transpose(bits, 4, shape, perm, x, y);
    check(bits == 4 ? "transpose 4-bit" : "transpose 2-bit", bits, y, yref, n);
    free(xu), free(x), free(yref), free(y);
}

int main(int argc, char **argv)
{
    int i, a, b, o;
    if (argc > 1) g_state = (uint32_t)strtoul(argv[1], NULL, 10) | 1u;
    test_pack();
    test_pack_long();
    for (i = 0; i < 6; i++)
        for (a = 0; a < 3; a++)
            for (o = 0; o < 3; o++) {
                if (g_widths[a] == 8 && g_widths[o] == 8) continue;
                test_conv_case(1, 0, 0, g_widths[a], g_widths[o], rint_(1, 3));
                test_conv_case(0, 0, 0, g_widths[a], g_widths[o], rint_(1, 4));
                test_conv_case(1, 1, 0, g_widths[a], g_widths[o], rint_(1, 3));
                test_conv_case(1, 0, 1, g_widths[a], g_widths[o], rint_(1, 3));
                test_conv_case(1, 1, 1, g_widths[a], g_widths[o], rint_(1, 3));
                test_conv_case(0, 0, 1, g_widths[a], g_widths[o], rint_(1, 4));
                test_conv_geo(GEO_DILATED, 0, 0, 0, g_widths[a], g_widths[o], rint_(1, 5));
                test_conv_geo(GEO_DILATED, 1, 1, 0, g_widths[a], g_widths[o], rint_(1, 3));
                test_conv_geo(GEO_DILATED, 0, 0, 1, g_widths[a], g_widths[o], rint_(1, 5));
                test_conv_geo(GEO_POINTWISE, 1, 0, 0, g_widths[a], g_widths[o], rint_(1, 9));
                test_conv_geo(GEO_POINTWISE, 0, 0, 1, g_widths[a], g_widths[o], rint_(1, 9));
                test_conv_geo(GEO_BY_CHANNELS, 1, 1, 0, g_widths[a], g_widths[o], rint_(1, 5));
                test_conv_geo(GEO_BY_CHANNELS, 1, 1, 0, g_widths[a], g_widths[o], 4);
                test_conv_geo(GEO_BY_CHANNELS, 1, 1, 1, g_widths[a], g_widths[o], rint_(1, 5));
                test_conv_geo(GEO_BY_CHANNELS, 1, 1, 1, g_widths[a], g_widths[o], 4);
                /* planned bands: every geometry, depthwise by channels when chosen */
                test_conv_geo(GEO_RANDOM, 1, 1, 0, g_widths[a], g_widths[o], 0);
                test_conv_geo(GEO_BY_CHANNELS, 1, 1, 0, g_widths[a], g_widths[o], 0);
                test_conv_geo(GEO_BY_CHANNELS, 1, 1, 1, g_widths[a], g_widths[o], 0);
                test_conv_geo(GEO_DILATED, 0, 0, 0, g_widths[a], g_widths[o], 0);
                test_conv_geo(GEO_DILATED, 0, 0, 1, g_widths[a], g_widths[o], 0);
                test_conv_geo(GEO_POINTWISE, 1, 0, 0, g_widths[a], g_widths[o], 0);
                test_conv_geo(GEO_RANDOM, 1, 0, 1, g_widths[a], g_widths[o], 0);
                test_fc_case(0, g_widths[a], g_widths[o]);
                test_fc_case(1, g_widths[a], g_widths[o]);
                test_global_pool_case(g_widths[a], g_widths[o]);
                for (b = 0; b < 3; b++) test_eltwise_case(g_widths[a], g_widths[b], g_widths[o]);
            }
    for (i = 0; i < 10; i++)
        for (a = 1; a < 3; a++) {
            test_pool_case(1, 1, g_widths[a], rint_(1, 3));
            test_pool_case(1, 0, g_widths[a], rint_(1, 3));
            test_pool_case(0, 1, g_widths[a], rint_(1, 4));
            test_pool_case(0, 0, g_widths[a], rint_(1, 4));
            test_transpose_case(g_widths[a]);
        }
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
