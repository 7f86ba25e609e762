/*
 * test_s8_util.h - helpers of the int8 kernel tests: deterministic random numbers,
 * exact-size allocation (AddressSanitizer catches any out-of-bounds access), guarded
 * allocation for what the kernels write (a write outside fails the case on every build,
 * QEMU included), exact comparison, and the int64 reference of the requantization
 * (dnn_s8.h).
 *
 * The same program runs on the host (portable C build of the kernels) and on a
 * Cortex-M4 under QEMU (DSP build), so both builds are checked against the same
 * reference; results must be identical, not close.
 */
#ifndef DNNOPT_TEST_S8_UTIL_H
#define DNNOPT_TEST_S8_UTIL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnn_s8.h"

extern int g_pass, g_fail, g_verbose, g_quick;

uint32_t rnd_u32(void);
void rnd_seed(uint32_t s);
int rnd_int(int lo, int hi);            /* inclusive */
double rnd_unit(void);                  /* [0, 1) */
double rnd_scale(int e_lo, int e_hi);   /* (1 + rnd_unit()) * 2^e, e in [e_lo, e_hi] */
/* (every random draw has its own statement, never two in one expression or argument
 * list: the evaluation order would differ between compilers, and so would the cases
 * of the host and the Cortex-M runs) */
void rnd_fill_s8(int8_t *p, size_t n, int lo, int hi);

void *xalloc(size_t bytes);             /* filled with 0xA5 (unwritten outputs show up) */
/* The same between guard bytes, for the buffers a kernel writes (scratch, outputs):
 * gcheck records the check "what [guards of buf]", failed when a guard byte changed (a
 * write outside the buffer, which QEMU runs have no sanitizer to catch), and returns
 * 1 when none did; gfree frees the block. */
void *galloc(size_t bytes);
int gcheck(const char *what, const char *buf, const void *p);
void gfree(void *p);

void record(int ok, const char *what);
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

void test_s8_quant(void);
void test_s8_conv(void);
void test_s8_fc(void);
void test_s8_ops(void);

#endif
