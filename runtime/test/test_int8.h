/*
 * test_int8.h - helpers of the int8 (s8/) and sub-byte weight (s4/) kernel tests on top
 * of test_harness.h: random int8 data, exact-size allocation (AddressSanitizer catches
 * any out-of-bounds access), exact comparison, and the int64 reference of the
 * requantization (dnn_s8.h) with random quantization parameters, convolution shapes.
 *
 * Definitions compiled where TEST_HARNESS_IMPLEMENTATION is defined (the main file).
 */
#ifndef DNNOPT_TEST_INT8_H
#define DNNOPT_TEST_INT8_H

#include <stddef.h>
#include <stdint.h>

#include "dnn_s8.h"
#include "test_harness.h"

/* (every random draw has its own statement, never two in one expression or argument
 * list: the evaluation order would differ between compilers, and so would the cases
 * of the host and the Cortex-M runs) */
void rnd_fill_s8(int8_t *p, size_t n, int lo, int hi);

void *xalloc(size_t bytes);             /* filled with 0xA5 (unwritten outputs show up) */

/* exact comparison; prints the first mismatches */
int check_s8(const char *what, const int8_t *got, const int8_t *ref, size_t n);

/* ---- reference requantization: exact integers ---- */
int64_t ref_floor_shift(int64_t v, int n);                 /* floor(v / 2^n) */
int64_t ref_requant_q(int64_t acc, int32_t mult, int32_t shift);
int8_t ref_out(int64_t v, int32_t lo, int32_t hi);          /* clamp(v, lo, hi) */

/* random quantization parameters */
typedef struct rnd_q {
    int32_t in_zp, out_zp, lo, hi;
} rnd_q;
void rnd_quant(rnd_q *q);               /* zero points and a random fused clamp */
/* a random (mult, shift) around 2^shift_center, now and then extreme shifts */
void rnd_mult(int32_t *mult, int32_t *shift, int shift_center);

/* ---- convolution shapes ---- */
/* the shape and padding of a convolution, with rnd_quant's zero points and clamp */
void set_conv(dnn_s8_conv_params *p, int n, int c, int h, int w, int m, int kh, int kw, int sh,
              int sw, int dh, int dw, int pt, int pl, int pb, int pr, int g);
/* sets the output size; 0 when the (padded) input is smaller than the dilated kernel */
int conv_out(dnn_s8_conv_params *p);
/* set_conv with a random shape of g groups of cg input and mg output channels: batch 1-2,
 * h 1-13, w 1-15, kernel 1-5, strides and dilations 1-3, pads 0-3 (one_d: h, kh, the
 * vertical stride, dilation and pads 1 or 0) */
void rnd_conv_shape(dnn_s8_conv_params *p, int one_d, int g, int cg, int mg);

#ifdef TEST_HARNESS_IMPLEMENTATION
void rnd_fill_s8(int8_t *p, size_t n, int lo, int hi)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = (int8_t)rnd_int(lo, hi);
}

void *xalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        printf("out of memory\n");
        exit(2);
    }
    memset(p, 0xA5, bytes ? bytes : 1);
    return p;
}

int check_s8(const char *what, const int8_t *got, const int8_t *ref, size_t n)
{
    size_t i, bad = 0;
    for (i = 0; i < n; i++)
        if (got[i] != ref[i]) {
            if (bad < 5)
                printf("  %s: [%lu] got %d expected %d\n", what, (unsigned long)i, got[i], ref[i]);
            bad++;
        }
    if (bad)
        printf("  %s: %lu of %lu elements differ\n", what, (unsigned long)bad, (unsigned long)n);
    record(bad == 0, what);
    return bad == 0;
}

int64_t ref_floor_shift(int64_t v, int n)
{
    const int64_t d = (int64_t)1 << n;
    return v >= 0 ? v / d : -((-v + d - 1) / d);
}

int64_t ref_requant_q(int64_t acc, int32_t mult, int32_t shift)
{
    const int n = 31 - shift; /* 2 .. 54 */
    return ref_floor_shift(acc * mult + ((int64_t)1 << (n - 1)), n);
}

int8_t ref_out(int64_t v, int32_t lo, int32_t hi)
{
    return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

void rnd_quant(rnd_q *q)
{
    q->in_zp = rnd_int(0, 3) == 0 ? 0 : rnd_int(-128, 127);
    q->out_zp = rnd_int(0, 3) == 0 ? -128 : rnd_int(-128, 127);
    switch (rnd_int(0, 3)) {
    case 0:
    case 1: q->lo = -128; q->hi = 127; break;                 /* none / ReLU with zp -128 */
    case 2: q->lo = q->out_zp; q->hi = 127; break;            /* ReLU */
    default: q->lo = rnd_int(-128, 0); q->hi = rnd_int(q->lo, 127); break;
    }
}

void rnd_mult(int32_t *mult, int32_t *shift, int shift_center)
{
    *mult = (int32_t)(0x40000000u + (rnd_u32() & 0x3FFFFFFFu));
    *shift = shift_center + rnd_int(-2, 2);
    if (rnd_int(0, 15) == 0) /* extremes: the saturating left-shift path, tiny scales */
        *shift = rnd_int(0, 1) ? rnd_int(-1, 8) : rnd_int(-23, -15);
    if (*shift < -23)
        *shift = -23;
    if (*shift > 29)
        *shift = 29;
    if (*shift <= -2 && rnd_int(0, 15) == 0) /* unnormalized multipliers are allowed there */
        *mult = (int32_t)(rnd_u32() & 0x7FFFFFFFu);
}

void set_conv(dnn_s8_conv_params *p, int n, int c, int h, int w, int m, int kh, int kw, int sh,
              int sw, int dh, int dw, int pt, int pl, int pb, int pr, int g)
{
    rnd_q q;
    memset(p, 0, sizeof *p);
    p->n = n, p->c = c, p->h = h, p->w = w, p->m = m, p->kh = kh, p->kw = kw;
    p->stride_h = sh, p->stride_w = sw, p->dil_h = dh, p->dil_w = dw;
    p->pad_t = pt, p->pad_l = pl, p->pad_b = pb, p->pad_r = pr, p->group = g;
    rnd_quant(&q);
    p->input_zp = q.in_zp, p->output_zp = q.out_zp, p->act_min = q.lo, p->act_max = q.hi;
}

int conv_out(dnn_s8_conv_params *p)
{
    const int eh = p->h + p->pad_t + p->pad_b - p->dil_h * (p->kh - 1) - 1;
    const int ew = p->w + p->pad_l + p->pad_r - p->dil_w * (p->kw - 1) - 1;
    p->oh = eh / p->stride_h + 1;
    p->ow = ew / p->stride_w + 1;
    return eh >= 0 && ew >= 0;
}

void rnd_conv_shape(dnn_s8_conv_params *p, int one_d, int g, int cg, int mg)
{
    /* one draw per statement: the same cases on every compiler (argument evaluation
     * order is unspecified) */
    int d[13], i;
    for (i = 0; i < 13; i++)
        d[i] = rnd_int(0, 1 << 30);
#define D(i, lo, hi) ((lo) + d[i] % ((hi) - (lo) + 1))
    set_conv(p, D(0, 1, 2), g * cg, one_d ? 1 : D(1, 1, 13), D(2, 1, 15), g * mg,
             one_d ? 1 : D(3, 1, 5), D(4, 1, 5), one_d ? 1 : D(5, 1, 3), D(6, 1, 3),
             one_d ? 1 : D(7, 1, 3), D(8, 1, 3), one_d ? 0 : D(9, 0, 3), D(10, 0, 3),
             one_d ? 0 : D(11, 0, 3), D(12, 0, 3), g);
#undef D
}
#endif /* TEST_HARNESS_IMPLEMENTATION */

#endif
