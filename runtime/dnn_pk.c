/* dnn_pk.c - integer kernels on densely packed sub-byte activations (see dnn_pk.h).
 *
 * What unpacks where: each kernel unpacks only the piece of its input one int8 kernel
 * call reads (a band of input rows / columns / pixels, every d-th row of a phase of a
 * dilated convolution, a block of channels of a depthwise layer over the whole map, one
 * fully connected row, a chunk of DNN_PK_CHUNK elements, one block of channels of a
 * global pool) into an int8 buffer at the start of the scratch, runs the dnn_s8 /
 * dnn_sub kernel on it into a second int8 buffer, and packs that into the output.
 * Inputs or outputs of 8 bits are used in place (except by channels). */
#include "dnn_pk.h"

#include "dnn_sub_impl.h" /* dnn_sub_dw_conv_range */

#include <string.h>

/* ---- packing ---- */

size_t dnn_pk_bytes(int32_t bits, int32_t n)
{
    return ((size_t)n * (size_t)bits + 7u) / 8u;
}

static int8_t pk_sext(uint32_t v, int32_t bits)
{
    const int32_t half = 1 << (bits - 1);
    return (int8_t)((int32_t)(v ^ (uint32_t)half) - half);
}

/* Word-at-a-time pieces of dnn_pk_unpack / dnn_pk_pack: 32-bit little-endian loads and
 * stores of packed bytes and int8 lanes (any alignment; memcpy becomes one LDR / STR on
 * Cortex-M), with SWAR bit shuffles. Sign extension of a lane: the field is first made
 * offset-binary (its sign bit flipped, t = v + 2^(bits-1) in [0, 2^bits)), then
 * (t + 0x80 - 2^(bits-1)) ^ 0x80 is v as an int8 byte, with no carry between bytes. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static uint32_t pk_ld32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static void pk_st32(void *p, uint32_t v) { memcpy(p, &v, 4); }
#else
static uint32_t pk_ld32(const void *p)
{
    const uint8_t *b = (const uint8_t *)p;
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
static void pk_st32(void *p, uint32_t v)
{
    uint8_t *b = (uint8_t *)p;
    b[0] = (uint8_t)v, b[1] = (uint8_t)(v >> 8), b[2] = (uint8_t)(v >> 16), b[3] = (uint8_t)(v >> 24);
}
#endif

/* 4 offset-binary nibbles (bits 0-15) -> 4 int8 lanes */
static uint32_t pk_unpack4x4(uint32_t h)
{
    h = (h | (h << 8)) & 0x00FF00FFu;
    h = (h | (h << 4)) & 0x0F0F0F0Fu;
    return (h + 0x78787878u) ^ 0x80808080u;
}

/* 4 offset-binary 2-bit fields (bits 0-7) -> 4 int8 lanes */
static uint32_t pk_unpack4x2(uint32_t h)
{
    h = (h | (h << 12)) & 0x000F000Fu;
    h = (h | (h << 6)) & 0x03030303u;
    return (h + 0x7E7E7E7Eu) ^ 0x80808080u;
}

/* 4 int8 lanes -> their low nibbles (bits 0-15) */
static uint32_t pk_pack4x4(uint32_t a)
{
    a &= 0x0F0F0F0Fu;
    a = (a | (a >> 4)) & 0x00FF00FFu;
    return (a | (a >> 8)) & 0xFFFFu;
}

/* 4 int8 lanes -> their low 2 bits (bits 0-7) */
static uint32_t pk_pack4x2(uint32_t a)
{
    a &= 0x03030303u;
    a = (a | (a >> 6)) & 0x000F000Fu;
    return (a | (a >> 12)) & 0xFFu;
}

void dnn_pk_unpack(int32_t bits, const void *x, int32_t k0, int32_t n, int8_t *y)
{
    const uint8_t *b = (const uint8_t *)x;
    const int32_t per = 8 / bits, mask = (1 << bits) - 1;
    int32_t k = k0, end = k0 + n;
    if (bits == 8) {
        memcpy(y, b + k0, (size_t)n);
        return;
    }
    /* leading values up to a byte boundary */
    for (; k < end && k % per; k++)
        *y++ = pk_sext((uint32_t)(b[k / per] >> ((k % per) * bits)) & (uint32_t)mask, bits);
    /* whole words (8 / 16 values), then whole bytes: every value in registers */
    if (bits == 4) {
        const uint8_t *s = b + k / 2;
        for (; k + 8 <= end; k += 8, y += 8, s += 4) {
            const uint32_t w = pk_ld32(s) ^ 0x88888888u;
            pk_st32(y, pk_unpack4x4(w & 0xFFFFu));
            pk_st32(y + 4, pk_unpack4x4(w >> 16));
        }
        for (; k + 2 <= end; k += 2) {
            const uint32_t v = b[k / 2];
            y[0] = pk_sext(v & 15u, 4);
            y[1] = pk_sext(v >> 4, 4);
            y += 2;
        }
    } else {
        const uint8_t *s = b + k / 4;
        for (; k + 16 <= end; k += 16, y += 16, s += 4) {
            const uint32_t w = pk_ld32(s) ^ 0xAAAAAAAAu;
            pk_st32(y, pk_unpack4x2(w & 0xFFu));
            pk_st32(y + 4, pk_unpack4x2((w >> 8) & 0xFFu));
            pk_st32(y + 8, pk_unpack4x2((w >> 16) & 0xFFu));
            pk_st32(y + 12, pk_unpack4x2(w >> 24));
        }
        for (; k + 4 <= end; k += 4) {
            const uint32_t v = b[k / 4];
            y[0] = pk_sext(v & 3u, 2);
            y[1] = pk_sext((v >> 2) & 3u, 2);
            y[2] = pk_sext((v >> 4) & 3u, 2);
            y[3] = pk_sext(v >> 6, 2);
            y += 4;
        }
    }
    for (; k < end; k++)
        *y++ = pk_sext((uint32_t)(b[k / per] >> ((k % per) * bits)) & (uint32_t)mask, bits);
}

static void pk_put(int32_t bits, uint8_t *b, int32_t k, int8_t v)
{
    const int32_t per = 8 / bits, sh = (k % per) * bits;
    const uint32_t mask = ((1u << bits) - 1u) << sh;
    b[k / per] = (uint8_t)((b[k / per] & ~mask) | (((uint32_t)(uint8_t)v << sh) & mask));
}

void dnn_pk_pack(int32_t bits, const int8_t *x, int32_t n, void *y, int32_t k0)
{
    uint8_t *b = (uint8_t *)y;
    const int32_t per = 8 / bits;
    int32_t k = k0, end = k0 + n;
    if (bits == 8) {
        memcpy(b + k0, x, (size_t)n);
        return;
    }
    for (; k < end && k % per; k++) pk_put(bits, b, k, *x++);
    if (bits == 4) {
        uint8_t *d = b + k / 2;
        for (; k + 8 <= end; k += 8, x += 8, d += 4)
            pk_st32(d, pk_pack4x4(pk_ld32(x)) | (pk_pack4x4(pk_ld32(x + 4)) << 16));
        for (; k + 2 <= end; k += 2, x += 2)
            b[k / 2] = (uint8_t)(((uint32_t)x[0] & 15u) | (((uint32_t)x[1] & 15u) << 4));
    } else {
        uint8_t *d = b + k / 4;
        for (; k + 16 <= end; k += 16, x += 16, d += 4)
            pk_st32(d, pk_pack4x2(pk_ld32(x)) | (pk_pack4x2(pk_ld32(x + 4)) << 8) |
                           (pk_pack4x2(pk_ld32(x + 8)) << 16) | (pk_pack4x2(pk_ld32(x + 12)) << 24));
        for (; k + 4 <= end; k += 4, x += 4)
            b[k / 4] = (uint8_t)(((uint32_t)x[0] & 3u) | (((uint32_t)x[1] & 3u) << 2) |
                                 (((uint32_t)x[2] & 3u) << 4) | (((uint32_t)x[3] & 3u) << 6));
    }
    for (; k < end; k++) pk_put(bits, b, k, *x++);
}

static int8_t pk_get(int32_t bits, const void *x, int32_t k)
{
    int8_t v;
    dnn_pk_unpack(bits, x, k, 1, &v);
    return v;
}

static size_t pk_align8(size_t n) { return (n + 7u) & ~(size_t)7u; }

/* ---- pieces of rows of a packed tensor ---- */

/* y = nrows runs of len values of packed x, the first at element k0, runs `stride`
 * elements apart (contiguous in y). Runs of 4 whole-byte values (depthwise channel
 * bands) take one 16- / 8-bit load each. */
static void pk_unpack_rows(int32_t bits, const void *x, int32_t k0, int32_t stride,
                           int32_t nrows, int32_t len, int8_t *y)
{
    const int32_t per = 8 / bits;
    int32_t r;
    if (nrows == 1 || stride == len) {
        dnn_pk_unpack(bits, x, k0, nrows * len, y);
    } else if (bits != 8 && len == 4 && ((k0 | stride) & (per - 1)) == 0) {
        const uint8_t *s = (const uint8_t *)x + k0 / per;
        const int32_t step = stride / per;
        for (r = 0; r < nrows; r++, s += step, y += 4)
            pk_st32(y, bits == 4 ? pk_unpack4x4(((uint32_t)s[0] | ((uint32_t)s[1] << 8)) ^ 0x8888u)
                                 : pk_unpack4x2((uint32_t)s[0] ^ 0xAAu));
    } else {
        for (r = 0; r < nrows; r++) dnn_pk_unpack(bits, x, k0 + r * stride, len, y + r * len);
    }
}

/* The inverse: nrows runs of len values of x into packed y, the first at element k0. */
static void pk_pack_rows(int32_t bits, const int8_t *x, int32_t nrows, int32_t len, void *y,
                         int32_t k0, int32_t stride)
{
    const int32_t per = 8 / bits;
    int32_t r;
    if (nrows == 1 || stride == len) {
        dnn_pk_pack(bits, x, nrows * len, y, k0);
    } else if (bits != 8 && len == 4 && ((k0 | stride) & (per - 1)) == 0) {
        uint8_t *d = (uint8_t *)y + k0 / per;
        const int32_t step = stride / per;
        for (r = 0; r < nrows; r++, d += step, x += 4) {
            if (bits == 4) {
                const uint32_t v = pk_pack4x4(pk_ld32(x));
                d[0] = (uint8_t)v, d[1] = (uint8_t)(v >> 8);
            } else {
                d[0] = (uint8_t)pk_pack4x2(pk_ld32(x));
            }
        }
    } else {
        for (r = 0; r < nrows; r++) dnn_pk_pack(bits, x + r * len, len, y, k0 + r * stride);
    }
}

/* ---- bands of a window op ---- */

/* One band: output rows (or columns) [o0, o1) read input rows [a, b); pad0 / pad1
 * rows of padding before / after them inside the band's windows (pad1 stops where
 * the whole op's padding stops: average pooling counts padding positions). */
typedef struct pk_band {
    int32_t a, b, pad0, pad1;
} pk_band;

static pk_band pk_band_at(int32_t o0, int32_t o1, int32_t len, int32_t k, int32_t s, int32_t d,
                          int32_t pad_begin, int32_t pad_end)
{
    pk_band bd;
    const int32_t r0 = o0 * s - pad_begin, r1 = (o1 - 1) * s - pad_begin + (k - 1) * d + 1;
    const int32_t stop = r1 < len + pad_end ? r1 : len + pad_end;
    bd.a = r0 < 0 ? 0 : (r0 > len ? len : r0);
    bd.b = r1 > len ? len : r1;
    if (bd.b < bd.a) bd.b = bd.a;
    bd.pad0 = bd.a - r0;
    bd.pad1 = stop > bd.b ? stop - bd.b : 0;
    return bd;
}

/* The banded axis of a window op: rows (2-D); for 1-D ops (h == oh == 1) columns; for
 * pointwise ops (1x1 window, stride 1, unpadded) pixels, as if the map were one row. */
typedef struct pk_axis {
    int32_t two_d;
    int32_t len, out_len;        /* input / output length along the axis */
    int32_t inner_in, inner_out; /* elements per input / output row (column, pixel) */
    int32_t k, s, d, pad_begin, pad_end;
} pk_axis;

static pk_axis pk_axis_of(int32_t h, int32_t w, int32_t c, int32_t oh, int32_t ow, int32_t m,
                          int32_t kh, int32_t kw, int32_t sh, int32_t sw, int32_t dh, int32_t dw,
                          int32_t pt, int32_t pl, int32_t pb, int32_t pr)
{
    pk_axis ax;
    const int pointwise = kh == 1 && kw == 1 && sh == 1 && sw == 1 && !(pt | pl | pb | pr) &&
                          oh == h && ow == w;
    ax.two_d = !pointwise && !(h == 1 && oh == 1 && kh == 1);
    if (pointwise) {
        ax.len = ax.out_len = h * w, ax.inner_in = c, ax.inner_out = m;
        ax.k = ax.s = ax.d = 1, ax.pad_begin = ax.pad_end = 0;
    } else if (ax.two_d) {
        ax.len = h, ax.out_len = oh, ax.inner_in = w * c, ax.inner_out = ow * m;
        ax.k = kh, ax.s = sh, ax.d = dh, ax.pad_begin = pt, ax.pad_end = pb;
    } else {
        ax.len = w, ax.out_len = ow, ax.inner_in = c, ax.inner_out = m;
        ax.k = kw, ax.s = sw, ax.d = dw, ax.pad_begin = pl, ax.pad_end = pr;
    }
    return ax;
}

/* A dilated stride-1 convolution axis with both sides packed runs by phases: outputs
 * r, r + d, r + 2d, ... read only the input rows congruent to r - pad_begin modulo d,
 * so each phase is a convolution with dilation 1 over every d-th input row, and a band
 * unpacks band + k - 1 rows instead of band + (k - 1) * d. */
static int pk_phased(const pk_axis *ax, int32_t in_bits, int32_t out_bits)
{
    const int32_t span = (ax->k - 1) * ax->d;
    return ax->d > 1 && ax->s == 1 && in_bits != 8 && out_bits != 8 && ax->len >= ax->d &&
           ax->out_len >= ax->d && ax->pad_begin <= span && ax->pad_end <= span;
}

/* Phase r of a phased axis (r < d): its axis (dilation 1) and its first input row. */
static pk_axis pk_phase_axis(const pk_axis *ax, int32_t r, int32_t *first)
{
    pk_axis ph = *ax;
    const int32_t d = ax->d, base = r - ax->pad_begin, f = ((base % d) + d) % d;
    ph.len = (ax->len - f + d - 1) / d;
    ph.out_len = (ax->out_len - r + d - 1) / d;
    ph.d = 1;
    ph.pad_begin = (f - base) / d;
    ph.pad_end = ph.out_len + ph.k; /* beyond any window: the last one ends the band */
    *first = f;
    return ph;
}

/* A banded window op: `run` computes one band (x, y int8; scratch: the int8 kernel's),
 * `scratch` returns the int8 kernel's scratch for a band; ax as the band sees it. */
typedef struct pk_window {
    pk_axis ax;
    int32_t n, in_bits, out_bits, band, phased;
    const void *op;
    void (*run)(const void *op, const pk_axis *ax, pk_band bd, int32_t o0, int32_t o1,
                const int8_t *x, int8_t *y, void *scratch);
    size_t (*scratch)(const void *op, const pk_axis *ax, pk_band bd, int32_t o0, int32_t o1);
} pk_window;

/* One int8 kernel call: outputs [o0, o1) of ax reading its input rows bd.[a, b); row u
 * of ax is input row in0 + u * step, output j is output row out0 + j * step. */
typedef struct pk_step {
    pk_axis ax;
    pk_band bd;
    int32_t o0, o1, in0, out0, step;
} pk_step;

typedef void (*pk_visit)(const pk_window *wn, const pk_step *st, void *ctx);

/* The calls of one batch item, in order. */
static void pk_window_walk(const pk_window *wn, pk_visit visit, void *ctx)
{
    const int32_t phases = wn->phased ? wn->ax.d : 1;
    int32_t r;
    for (r = 0; r < phases; r++) {
        pk_step st;
        if (wn->phased) {
            st.ax = pk_phase_axis(&wn->ax, r, &st.in0);
            st.out0 = r, st.step = wn->ax.d;
        } else {
            st.ax = wn->ax, st.in0 = st.out0 = 0, st.step = 1;
        }
        for (st.o0 = 0; st.o0 < st.ax.out_len; st.o0 += wn->band) {
            st.o1 = st.o0 + wn->band < st.ax.out_len ? st.o0 + wn->band : st.ax.out_len;
            st.bd = pk_band_at(st.o0, st.o1, st.ax.len, st.ax.k, st.ax.s, st.ax.d,
                               st.ax.pad_begin, st.ax.pad_end);
            visit(wn, &st, ctx);
        }
    }
}

/* Scratch layout: [input band int8][output band int8][int8 kernel scratch], 8-aligned. */
typedef struct pk_sizes {
    size_t xin, yout, kern;
} pk_sizes;

static void pk_size_visit(const pk_window *wn, const pk_step *st, void *ctx)
{
    pk_sizes *sz = (pk_sizes *)ctx;
    const size_t xi = (size_t)(st->bd.b - st->bd.a) * (size_t)wn->ax.inner_in;
    const size_t yo = (size_t)(st->o1 - st->o0) * (size_t)wn->ax.inner_out;
    const size_t ks = wn->scratch(wn->op, &st->ax, st->bd, st->o0, st->o1);
    if (wn->in_bits != 8 && xi > sz->xin) sz->xin = xi;
    if (wn->out_bits != 8 && yo > sz->yout) sz->yout = yo;
    if (ks > sz->kern) sz->kern = ks;
}

static pk_sizes pk_window_sizes(const pk_window *wn)
{
    pk_sizes sz;
    sz.xin = sz.yout = sz.kern = 0;
    pk_window_walk(wn, pk_size_visit, &sz);
    return sz;
}

static size_t pk_window_scratch(const pk_window *wn)
{
    const pk_sizes sz = pk_window_sizes(wn);
    return pk_align8(sz.xin) + pk_align8(sz.yout) + sz.kern;
}

typedef struct pk_run_ctx {
    const void *x;
    void *y;
    int8_t *xs, *ys;
    void *ks;
    int32_t xbase, ybase; /* the batch item's first element */
} pk_run_ctx;

static void pk_run_visit(const pk_window *wn, const pk_step *st, void *ctxv)
{
    const pk_run_ctx *c = (const pk_run_ctx *)ctxv;
    const int32_t inner_in = wn->ax.inner_in, inner_out = wn->ax.inner_out;
    const int32_t xk = c->xbase + (st->in0 + st->bd.a * st->step) * inner_in;
    const int32_t yk = c->ybase + (st->out0 + st->o0 * st->step) * inner_out;
    const int8_t *xb;
    int8_t *yb;
    if (wn->in_bits == 8) { /* never phased: contiguous rows */
        xb = (const int8_t *)c->x + xk;
    } else {
        pk_unpack_rows(wn->in_bits, c->x, xk, st->step * inner_in, st->bd.b - st->bd.a, inner_in,
                       c->xs);
        xb = c->xs;
    }
    yb = wn->out_bits == 8 ? (int8_t *)c->y + yk : c->ys;
    wn->run(wn->op, &st->ax, st->bd, st->o0, st->o1, xb, yb, c->ks);
    if (wn->out_bits != 8)
        pk_pack_rows(wn->out_bits, c->ys, st->o1 - st->o0, inner_out, c->y, yk, st->step * inner_out);
}

static void pk_window_run(const pk_window *wn, const void *x, void *y, void *scratch)
{
    const pk_sizes sz = pk_window_sizes(wn);
    pk_run_ctx c;
    int32_t n;
    c.x = x, c.y = y;
    c.xs = (int8_t *)scratch;
    c.ys = c.xs + pk_align8(sz.xin);
    c.ks = (void *)(c.ys + pk_align8(sz.yout));
    for (n = 0; n < wn->n; n++) {
        c.xbase = n * wn->ax.len * wn->ax.inner_in;
        c.ybase = n * wn->ax.out_len * wn->ax.inner_out;
        pk_window_walk(wn, pk_run_visit, &c);
    }
}

/* The largest band of ax whose unpacked input and output rows fit budget (an 8-bit
 * side is used in place), at least one row; in columns / pixels at least 4 and a
 * multiple of 4 (the int8 kernels compute blocks of 4 pixels; the 1-3 left over go
 * through a slow per-pixel path), even past the budget. */
static int32_t pk_axis_band(const pk_axis *ax, int phased, int32_t in_bits, int32_t out_bits,
                            size_t budget)
{
    const int32_t out = phased ? (ax->out_len + ax->d - 1) / ax->d : ax->out_len;
    const int32_t span = phased ? ax->k : (ax->k - 1) * ax->d + 1;
    int32_t band = 1;
    for (;;) {
        const int32_t nb = band + 1;
        const size_t in = in_bits != 8 ? (size_t)((phased ? nb - 1 : (nb - 1) * ax->s) + span) *
                                             (size_t)ax->inner_in
                                       : 0;
        const size_t outb = out_bits != 8 ? (size_t)nb * (size_t)ax->inner_out : 0;
        if (band >= out || in + outb > budget) break;
        band = nb;
    }
    if (!ax->two_d) {
        if (band < 4) band = out < 4 ? out : 4;
        if (band < out) band &= ~3;
    }
    return band;
}

/* ---- convolution ---- */

typedef struct pk_conv_op {
    const dnn_pk_conv_params *p;
    int sub;                     /* sub-byte weights */
    const int8_t *w;
    const dnn_s8_chan *chan;
    const dnn_sub_wgroup *groups;
    int32_t ngroups;
} pk_conv_op;

static dnn_s8_conv_params pk_conv_band(const dnn_s8_conv_params *c, const pk_axis *ax, pk_band bd,
                                       int32_t o0, int32_t o1)
{
    dnn_s8_conv_params s = *c;
    s.n = 1;
    if (ax->two_d) {
        s.h = bd.b - bd.a, s.oh = o1 - o0, s.pad_t = bd.pad0, s.pad_b = bd.pad1, s.dil_h = ax->d;
    } else {
        s.h = s.oh = 1;
        s.w = bd.b - bd.a, s.ow = o1 - o0, s.pad_l = bd.pad0, s.pad_r = bd.pad1, s.dil_w = ax->d;
    }
    return s;
}

/* A packed output's clamp with sub-byte weights: dnn_sub_conv's fused requantization
 * (its assembly) is for the full int8 range only, so the kernel runs with that range
 * and the band is clamped to [act_min, act_max] before it is packed:
 * clamp(clamp(v, -128, 127), lo, hi) == clamp(v, lo, hi). (dnn_s8_conv and the
 * depthwise kernels fuse narrow clamps themselves.) */
static int pk_wide_clamp(const dnn_pk_conv_params *p, dnn_s8_conv_params *s)
{
    if (p->out_bits == 8 || dnn_s8_conv_is_depthwise(s) ||
        (s->act_min == -128 && s->act_max == 127))
        return 0;
    s->act_min = -128, s->act_max = 127;
    return 1;
}

/* y[i] = clamp(y[i], lo, hi), i < n (lo >= -128, hi <= 127); 4 lanes at a time with the
 * saturating byte arithmetic of the DSP extension. */
static void pk_clamp(int8_t *y, int32_t n, int32_t lo, int32_t hi)
{
    int32_t i = 0;
#if DNN_S8_DSP
    {
        const uint32_t top = (uint32_t)(uint8_t)(127 - hi) * 0x01010101u;
        const uint32_t bot = (uint32_t)(uint8_t)(lo + 128) * 0x01010101u;
        for (; i + 4 <= n; i += 4) {
            uint32_t v = pk_ld32(y + i);
            v = (uint32_t)__qsub8((int32_t)__qadd8((int32_t)v, (int32_t)top), (int32_t)top);
            v = (uint32_t)__qadd8((int32_t)__qsub8((int32_t)v, (int32_t)bot), (int32_t)bot);
            pk_st32(y + i, v);
        }
    }
#endif
    for (; i < n; i++) y[i] = (int8_t)(y[i] < lo ? lo : (y[i] > hi ? hi : y[i]));
}

static void pk_conv_run(const void *opv, const pk_axis *ax, pk_band bd, int32_t o0, int32_t o1,
                        const int8_t *x, int8_t *y, void *scratch)
{
    const pk_conv_op *op = (const pk_conv_op *)opv;
    dnn_s8_conv_params s = pk_conv_band(&op->p->conv, ax, bd, o0, o1);
    const int clamp = op->sub && pk_wide_clamp(op->p, &s);
    if (op->sub) {
        dnn_sub_conv_params sp;
        dnn_sub_conv_params_init(&sp, &s);
        dnn_sub_conv(&sp, x, op->groups, op->ngroups, y, scratch);
    } else {
        dnn_s8_conv(&s, x, op->w, op->chan, y, scratch);
    }
    if (clamp)
        pk_clamp(y, (o1 - o0) * ax->inner_out, op->p->conv.act_min, op->p->conv.act_max);
}

static size_t pk_conv_kscratch(const void *opv, const pk_axis *ax, pk_band bd, int32_t o0, int32_t o1)
{
    const pk_conv_op *op = (const pk_conv_op *)opv;
    const dnn_s8_conv_params s = pk_conv_band(&op->p->conv, ax, bd, o0, o1);
    if (op->sub) {
        dnn_sub_conv_params sp;
        dnn_sub_conv_params_init(&sp, &s);
        return dnn_sub_conv_scratch_size(&sp);
    }
    return dnn_s8_conv_scratch_size(&s);
}

static pk_axis pk_conv_axis(const dnn_s8_conv_params *c)
{
    return pk_axis_of(c->h, c->w, c->c, c->oh, c->ow, c->m, c->kh, c->kw, c->stride_h, c->stride_w,
                      c->dil_h, c->dil_w, c->pad_t, c->pad_l, c->pad_b, c->pad_r);
}

static pk_window pk_conv_window(const pk_conv_op *op)
{
    const dnn_s8_conv_params *c = &op->p->conv;
    pk_window wn;
    wn.ax = pk_conv_axis(c);
    wn.n = c->n, wn.in_bits = op->p->in_bits, wn.out_bits = op->p->out_bits;
    wn.band = op->p->band > 0 ? op->p->band : 1;
    wn.phased = pk_phased(&wn.ax, wn.in_bits, wn.out_bits);
    wn.op = op, wn.run = pk_conv_run, wn.scratch = pk_conv_kscratch;
    return wn;
}

/* Depthwise by channels: bands of `band` channels over the whole map (both sides in
 * scratch), so no input row is unpacked twice and the int8 kernel sees whole planes. */
static dnn_s8_conv_params pk_dw_slice(const dnn_s8_conv_params *c, int32_t cb)
{
    dnn_s8_conv_params s = *c;
    s.n = 1, s.c = s.m = s.group = cb;
    return s;
}

/* The kernel's scratch for one block of cb channels: dnn_s8_conv's (int8 weights) or
 * dnn_sub_dw_conv_range's (sub-byte weights; dense block, strides cb). */
static size_t pk_dw_kscratch(const dnn_s8_conv_params *s, int sub_weights)
{
    if (sub_weights) {
        dnn_sub_conv_params sp;
        dnn_sub_conv_params_init(&sp, s);
        return dnn_sub_dw_scratch_size(&sp);
    }
    return dnn_s8_conv_scratch_size(s);
}

static size_t pk_dw_scratch(const dnn_pk_conv_params *p, int sub_weights)
{
    const dnn_s8_conv_params *c = &p->conv;
    const int32_t cb = p->band < c->c ? p->band : c->c;
    const dnn_s8_conv_params s = pk_dw_slice(c, cb);
    return pk_align8((size_t)c->h * (size_t)c->w * (size_t)cb) +
           pk_align8((size_t)c->oh * (size_t)c->ow * (size_t)cb) + pk_dw_kscratch(&s, sub_weights);
}

/* One block: channels [c0, c0 + cb) from xs to ys (strides cb), int8 weights (op->w) or
 * the part of every precision group inside the block. */
static void pk_dw_block(const pk_conv_op *op, const dnn_s8_conv_params *s, int32_t c0,
                        const int8_t *xs, int8_t *ys, void *ks)
{
    const int32_t cb = s->c;
    int32_t k;
    if (!op->sub) {
        dnn_s8_conv(s, xs, op->w + (size_t)c0 * (size_t)(s->kh * s->kw), op->chan + c0, ys, ks);
        return;
    }
    for (k = 0; k < op->ngroups; k++) {
        const dnn_sub_wgroup *g = &op->groups[k];
        const int32_t a = g->m0 > c0 ? g->m0 : c0;
        const int32_t b = g->m0 + g->m < c0 + cb ? g->m0 + g->m : c0 + cb;
        if (a < b)
            dnn_sub_dw_conv_range(s, cb, cb, xs + (a - c0), g, a - g->m0, b - g->m0, ys + (a - c0), ks);
    }
}

static void pk_dw_run(const pk_conv_op *op, const void *x, void *y, void *scratch)
{
    const dnn_pk_conv_params *p = op->p;
    const dnn_s8_conv_params *c = &p->conv;
    const int32_t C = c->c, hw = c->h * c->w, ohw = c->oh * c->ow;
    const int32_t band = p->band < C ? p->band : C;
    int8_t *xs = (int8_t *)scratch, *ys = xs + pk_align8((size_t)hw * (size_t)band);
    void *ks = (void *)(ys + pk_align8((size_t)ohw * (size_t)band));
    int32_t n, c0;
    for (n = 0; n < c->n; n++)
        for (c0 = 0; c0 < C; c0 += band) {
            const int32_t cb = C - c0 < band ? C - c0 : band;
            const dnn_s8_conv_params s = pk_dw_slice(c, cb);
            pk_unpack_rows(p->in_bits, x, n * hw * C + c0, C, hw, cb, xs);
            pk_dw_block(op, &s, c0, xs, ys, ks);
            pk_pack_rows(p->out_bits, ys, ohw, cb, y, n * ohw * C + c0, C);
        }
}

/* The int8 kernel's scratch for the whole layer (what the layer needs at 8-bit
 * activations). */
static size_t pk_conv_layer_scratch(const dnn_s8_conv_params *c, int sub_weights)
{
    if (sub_weights) {
        dnn_sub_conv_params sp;
        dnn_sub_conv_params_init(&sp, c);
        return dnn_sub_conv_scratch_size(&sp);
    }
    return dnn_s8_conv_scratch_size(c);
}

void dnn_pk_conv_plan(dnn_pk_conv_params *p, int sub_weights, size_t budget)
{
    const dnn_s8_conv_params *c = &p->conv;
    const pk_axis ax = pk_conv_axis(c);
    const int phased = pk_phased(&ax, p->in_bits, p->out_bits);
    const int32_t out = phased ? (ax.out_len + ax.d - 1) / ax.d : ax.out_len;
    int32_t most, step, band, best;
    size_t limit;
    p->by_channels = 0;
    p->band = pk_axis_band(&ax, phased, p->in_bits, p->out_bits, budget);
    if (dnn_s8_conv_is_depthwise(c) && p->in_bits != 8 && p->band < out) {
        const size_t per = (size_t)c->h * (size_t)c->w + (size_t)c->oh * (size_t)c->ow;
        const int32_t fit = (int32_t)(budget / per), want = c->c < 4 ? c->c : 4;
        if (fit >= want) {
            p->by_channels = 1;
            p->band = fit >= c->c ? c->c : fit & ~3;
        }
    }
    /* Grow the band while the whole scratch stays within what the layer needs anyway:
     * the larger of this band's and the int8 kernel's for the whole layer. The
     * sub-byte-weight kernel's fixed cost per call and output channel is higher (its
     * weight words and requantization are set up per channel for each call), so by rows,
     * columns or pixels its bands get `budget` on top of the whole layer's kernel scratch
     * (measured: DS-CNN's 64x64 pointwise layers at 4-bit activations, bands of 16
     * instead of 12 pixels, 0.71 -> 0.68 M instructions each). */
    limit = dnn_pk_conv_scratch_size(p, sub_weights);
    {
        const size_t layer = pk_conv_layer_scratch(c, sub_weights) +
                             (sub_weights && !p->by_channels ? budget : 0);
        if (layer > limit) limit = layer;
    }
    most = p->by_channels ? c->c : out;
    step = p->by_channels || !ax.two_d ? 4 : 1;
    best = p->band;
    for (band = best + step; band <= most + step - 1; band += step) {
        p->band = band < most ? band : most;
        if (dnn_pk_conv_scratch_size(p, sub_weights) <= limit) best = p->band;
        if (band >= most) break;
    }
    /* Sub-byte weights by rows: the kernel computes blocks of 4 output pixels and the
     * 1-3 left at the end of each call take its slow per-pixel path (per output
     * channel), so prefer the largest band of whole blocks (band * ow a multiple of 4)
     * when it is at least half the band that fits (measured: DS-CNN's first layer, 25x5
     * outputs, 4 rows per call 0.53 M instructions, 5 rows 0.55 M). */
    if (sub_weights && ax.two_d && !p->by_channels && best < most) {
        for (band = best; band > best / 2 && (band * c->ow) % 4 != 0; band--) {
        }
        if (band > best / 2) best = band;
    }
    p->band = best;
}

size_t dnn_pk_conv_scratch_size(const dnn_pk_conv_params *p, int sub_weights)
{
    pk_conv_op op;
    pk_window wn;
    if (p->by_channels) return pk_dw_scratch(p, sub_weights);
    memset(&op, 0, sizeof op);
    op.p = p, op.sub = sub_weights != 0;
    wn = pk_conv_window(&op);
    return pk_window_scratch(&wn);
}

void dnn_pk_conv(const dnn_pk_conv_params *p, const void *x, const int8_t *packed_w,
                 const dnn_s8_chan *chan, void *y, void *scratch)
{
    pk_conv_op op;
    pk_window wn;
    memset(&op, 0, sizeof op);
    op.p = p, op.w = packed_w, op.chan = chan;
    if (p->by_channels) {
        pk_dw_run(&op, x, y, scratch);
        return;
    }
    wn = pk_conv_window(&op);
    pk_window_run(&wn, x, y, scratch);
}

void dnn_pk_sub_conv(const dnn_pk_conv_params *p, const void *x, const dnn_sub_wgroup *groups,
                     int32_t ngroups, void *y, void *scratch)
{
    pk_conv_op op;
    pk_window wn;
    memset(&op, 0, sizeof op);
    op.p = p, op.sub = 1, op.groups = groups, op.ngroups = ngroups;
    if (p->by_channels) {
        pk_dw_run(&op, x, y, scratch);
        return;
    }
    wn = pk_conv_window(&op);
    pk_window_run(&wn, x, y, scratch);
}

/* ---- pooling ---- */

typedef struct pk_pool_op {
    const dnn_pk_pool_params *p;
    int is_max;
} pk_pool_op;

static void pk_pool_run(const void *opv, const pk_axis *ax, pk_band bd, int32_t o0, int32_t o1,
                        const int8_t *x, int8_t *y, void *scratch)
{
    const pk_pool_op *op = (const pk_pool_op *)opv;
    dnn_s8_pool_params s = op->p->pool;
    (void)scratch;
    s.n = 1;
    if (ax->two_d) {
        s.h = bd.b - bd.a, s.oh = o1 - o0, s.pad_t = bd.pad0, s.pad_b = bd.pad1;
    } else {
        s.h = s.oh = 1;
        s.w = bd.b - bd.a, s.ow = o1 - o0, s.pad_l = bd.pad0, s.pad_r = bd.pad1;
    }
    if (op->is_max) dnn_s8_maxpool(&s, x, y);
    else dnn_s8_avgpool(&s, x, y);
}

static size_t pk_pool_kscratch(const void *opv, const pk_axis *ax, pk_band bd, int32_t o0, int32_t o1)
{
    (void)opv, (void)ax, (void)bd, (void)o0, (void)o1;
    return 0;
}

static pk_axis pk_pool_axis(const dnn_s8_pool_params *c)
{
    return pk_axis_of(c->h, c->w, c->c, c->oh, c->ow, c->c, c->kh, c->kw, c->stride_h, c->stride_w,
                      c->dil_h, c->dil_w, c->pad_t, c->pad_l, c->pad_b, c->pad_r);
}

static pk_window pk_pool_window(const pk_pool_op *op)
{
    const dnn_s8_pool_params *c = &op->p->pool;
    pk_window wn;
    wn.ax = pk_pool_axis(c);
    wn.n = c->n, wn.in_bits = wn.out_bits = op->p->bits;
    wn.band = op->p->band > 0 ? op->p->band : 1;
    wn.phased = 0;
    wn.op = op, wn.run = pk_pool_run, wn.scratch = pk_pool_kscratch;
    return wn;
}

void dnn_pk_pool_plan(dnn_pk_pool_params *p, size_t budget)
{
    const pk_axis ax = pk_pool_axis(&p->pool);
    p->band = pk_axis_band(&ax, 0, p->bits, p->bits, budget);
}

size_t dnn_pk_pool_scratch_size(const dnn_pk_pool_params *p)
{
    pk_pool_op op;
    pk_window wn;
    op.p = p, op.is_max = 1;
    wn = pk_pool_window(&op);
    return pk_window_scratch(&wn);
}

void dnn_pk_maxpool(const dnn_pk_pool_params *p, const void *x, void *y, void *scratch)
{
    pk_pool_op op;
    pk_window wn;
    op.p = p, op.is_max = 1;
    wn = pk_pool_window(&op);
    pk_window_run(&wn, x, y, scratch);
}

void dnn_pk_avgpool(const dnn_pk_pool_params *p, const void *x, void *y, void *scratch)
{
    pk_pool_op op;
    pk_window wn;
    op.p = p, op.is_max = 0;
    wn = pk_pool_window(&op);
    pk_window_run(&wn, x, y, scratch);
}

/* ---- fully connected ---- */

static dnn_s8_fc_params pk_fc_row(const dnn_pk_fc_params *p)
{
    dnn_s8_fc_params r = p->fc;
    r.batch = 1;
    return r;
}

size_t dnn_pk_fc_scratch_size(const dnn_pk_fc_params *p, int sub_weights)
{
    const dnn_s8_fc_params r = pk_fc_row(p);
    size_t ks;
    if (sub_weights) {
        dnn_sub_fc_params sp;
        dnn_sub_fc_params_init(&sp, &r);
        ks = dnn_sub_fc_scratch_size(&sp);
    } else {
        ks = dnn_s8_fc_scratch_size(&r);
    }
    return pk_align8(p->in_bits != 8 ? (size_t)r.in_features : 0) +
           pk_align8(p->out_bits != 8 ? (size_t)r.out_features : 0) + ks;
}

static void pk_fc_run(const dnn_pk_fc_params *p, const void *x, const int8_t *packed_w,
                      const dnn_s8_chan *chan, const dnn_sub_wgroup *groups, int32_t ngroups,
                      void *y, void *scratch)
{
    const dnn_s8_fc_params r = pk_fc_row(p);
    const int32_t K = r.in_features, N = r.out_features;
    int8_t *xs = (int8_t *)scratch;
    int8_t *ys = xs + pk_align8(p->in_bits != 8 ? (size_t)K : 0);
    void *ks = (void *)(ys + pk_align8(p->out_bits != 8 ? (size_t)N : 0));
    dnn_sub_fc_params sp;
    int32_t b;
    if (groups) dnn_sub_fc_params_init(&sp, &r);
    for (b = 0; b < p->fc.batch; b++) {
        const int8_t *xb;
        int8_t *yb = p->out_bits == 8 ? (int8_t *)y + b * N : ys;
        if (p->in_bits == 8) {
            xb = (const int8_t *)x + b * K;
        } else {
            dnn_pk_unpack(p->in_bits, x, b * K, K, xs);
            xb = xs;
        }
        if (groups) dnn_sub_fc(&sp, xb, groups, ngroups, yb, ks);
        else dnn_s8_fc(&r, xb, packed_w, chan, yb, ks);
        if (p->out_bits != 8) dnn_pk_pack(p->out_bits, ys, N, y, b * N);
    }
}

void dnn_pk_fc(const dnn_pk_fc_params *p, const void *x, const int8_t *packed_w,
               const dnn_s8_chan *chan, void *y, void *scratch)
{
    pk_fc_run(p, x, packed_w, chan, NULL, 0, y, scratch);
}

void dnn_pk_sub_fc(const dnn_pk_fc_params *p, const void *x, const dnn_sub_wgroup *groups,
                   int32_t ngroups, void *y, void *scratch)
{
    pk_fc_run(p, x, NULL, NULL, groups, ngroups, y, scratch);
}

/* ---- elementwise ---- */

size_t dnn_pk_add_scratch_size(const dnn_pk_add_params *p)
{
    (void)p;
    return 3 * DNN_PK_CHUNK;
}

void dnn_pk_add(const dnn_pk_add_params *p, const void *a, const void *b, void *y, void *scratch)
{
    int8_t *as = (int8_t *)scratch, *bs = as + DNN_PK_CHUNK, *ys = bs + DNN_PK_CHUNK;
    const int32_t n = p->add.n, period = p->add.b_period;
    dnn_s8_add_params c = p->add;
    int32_t k0, i;
    for (k0 = 0; k0 < n; k0 += DNN_PK_CHUNK) {
        const int32_t len = n - k0 < DNN_PK_CHUNK ? n - k0 : DNN_PK_CHUNK;
        dnn_pk_unpack(p->a_bits, a, k0, len, as);
        if (period == n) {
            dnn_pk_unpack(p->b_bits, b, k0, len, bs);
        } else {
            for (i = 0; i < len; i++) bs[i] = pk_get(p->b_bits, b, (k0 + i) % period);
        }
        c.n = len, c.b_period = len;
        dnn_s8_add(&c, as, bs, ys);
        dnn_pk_pack(p->out_bits, ys, len, y, k0);
    }
}

size_t dnn_pk_requantize_scratch_size(const dnn_pk_requantize_params *p)
{
    (void)p;
    return 2 * DNN_PK_CHUNK;
}

void dnn_pk_requantize(const dnn_pk_requantize_params *p, const void *x, void *y, void *scratch)
{
    int8_t *xs = (int8_t *)scratch, *ys = xs + DNN_PK_CHUNK;
    dnn_s8_requantize_params c = p->rq;
    int32_t k0;
    for (k0 = 0; k0 < p->rq.n; k0 += DNN_PK_CHUNK) {
        const int32_t len = p->rq.n - k0 < DNN_PK_CHUNK ? p->rq.n - k0 : DNN_PK_CHUNK;
        dnn_pk_unpack(p->in_bits, x, k0, len, xs);
        c.n = len;
        dnn_s8_requantize(&c, xs, ys);
        dnn_pk_pack(p->out_bits, ys, len, y, k0);
    }
}

size_t dnn_pk_quant_scratch_size(const dnn_pk_quant_params *p)
{
    (void)p;
    return DNN_PK_CHUNK;
}

void dnn_pk_quantize_f32(const dnn_pk_quant_params *p, const float *x, void *y, void *scratch)
{
    int8_t *ys = (int8_t *)scratch;
    const int32_t hi = (1 << (p->bits - 1)) - 1, lo = -hi - 1;
    dnn_s8_quant_params c = p->q;
    int32_t k0, i;
    for (k0 = 0; k0 < p->q.n; k0 += DNN_PK_CHUNK) {
        const int32_t len = p->q.n - k0 < DNN_PK_CHUNK ? p->q.n - k0 : DNN_PK_CHUNK;
        c.n = len;
        dnn_s8_quantize_f32(&c, x + k0, ys); /* saturated to int8, then to bits */
        for (i = 0; i < len; i++) ys[i] = (int8_t)(ys[i] < lo ? lo : (ys[i] > hi ? hi : ys[i]));
        dnn_pk_pack(p->bits, ys, len, y, k0);
    }
}

void dnn_pk_dequantize_f32(const dnn_pk_quant_params *p, const void *x, float *y, void *scratch)
{
    int8_t *xs = (int8_t *)scratch;
    dnn_s8_quant_params c = p->q;
    int32_t k0;
    for (k0 = 0; k0 < p->q.n; k0 += DNN_PK_CHUNK) {
        const int32_t len = p->q.n - k0 < DNN_PK_CHUNK ? p->q.n - k0 : DNN_PK_CHUNK;
        dnn_pk_unpack(p->bits, x, k0, len, xs);
        c.n = len;
        dnn_s8_dequantize_f32(&c, xs, y + k0);
    }
}

/* ---- global average pooling ---- */

#define PK_GP_BLOCK 4

size_t dnn_pk_global_pool_scratch_size(const dnn_pk_global_pool_params *p)
{
    return pk_align8((size_t)p->gp.size * PK_GP_BLOCK) + PK_GP_BLOCK;
}

void dnn_pk_global_avgpool(const dnn_pk_global_pool_params *p, const void *x, void *y,
                           void *scratch)
{
    const int32_t C = p->gp.c, size = p->gp.size;
    int8_t *xs = (int8_t *)scratch, *ys = xs + pk_align8((size_t)size * PK_GP_BLOCK);
    dnn_s8_global_pool_params g = p->gp;
    int32_t n, c0, i;
    g.n = 1;
    for (n = 0; n < p->gp.n; n++)
        for (c0 = 0; c0 < C; c0 += PK_GP_BLOCK) {
            const int32_t cb = C - c0 < PK_GP_BLOCK ? C - c0 : PK_GP_BLOCK;
            for (i = 0; i < size; i++)
                dnn_pk_unpack(p->in_bits, x, (n * size + i) * C + c0, cb, xs + i * cb);
            g.c = cb;
            dnn_s8_global_avgpool(&g, xs, ys);
            dnn_pk_pack(p->out_bits, ys, cb, y, n * C + c0);
        }
}

/* ---- transpose ---- */

void dnn_pk_transpose(int32_t bits, int32_t rank, const int32_t *shape, const int32_t *perm,
                      const void *x, void *y)
{
    int32_t stride[6], idx[6], out_shape[6], d, total = 1, k;
    for (d = rank - 1; d >= 0; d--) {
        stride[d] = total;
        total *= shape[d];
    }
    for (d = 0; d < rank; d++) out_shape[d] = shape[perm[d]], idx[d] = 0;
    for (k = 0; k < total; k++) {
        int32_t src = 0;
        int8_t v;
        for (d = 0; d < rank; d++) src += idx[d] * stride[perm[d]];
        v = pk_get(bits, x, src);
        dnn_pk_pack(bits, &v, 1, y, k);
        for (d = rank - 1; d >= 0; d--) {
            if (++idx[d] < out_shape[d]) break;
            idx[d] = 0;
        }
    }
}
