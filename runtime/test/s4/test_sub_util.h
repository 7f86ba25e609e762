/*
 * test_sub_util.h - helpers of the sub-byte / precision-group kernel tests (dnn_sub.h):
 * deterministic random numbers, exact-size allocation (AddressSanitizer catches any
 * out-of-bounds access), exact comparison, the int64 reference of the requantization
 * (dnn_s8.h), and a digest of every kernel output.
 *
 * The same program runs on the host (portable C build) and on a Cortex-M4 under QEMU
 * (DSP build, with and without the inline assembly): every build is checked against
 * the same references, and the digests of the builds must be equal (the Makefile's
 * qemu-compare target checks that the DSP and the portable builds agree).
 */
#ifndef DNNOPT_TEST_SUB_UTIL_H
#define DNNOPT_TEST_SUB_UTIL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnn_sub.h"

extern int g_pass, g_fail, g_verbose, g_quick;

uint32_t rnd_u32(void);
void rnd_seed(uint32_t s);
int rnd_int(int lo, int hi);            /* inclusive */
/* (every random draw has its own statement: the evaluation order of arguments is
 * unspecified, and the cases must be the same on every compiler) */
void rnd_fill_s8(int8_t *p, size_t n, int lo, int hi);

void *xalloc(size_t bytes);             /* filled with 0xA5 (unwritten outputs show up) */

void record(int ok, const char *what);
/* exact comparison; prints the first mismatches */
int check_s8(const char *what, const int8_t *got, const int8_t *ref, size_t n);

/* digest of kernel outputs (FNV-1a), printed at the end */
void digest(const int8_t *p, size_t n);

/* ---- reference requantization: exact integers ---- */
int64_t ref_requant_q(int64_t acc, int32_t mult, int32_t shift);
int8_t ref_out(int64_t v, int32_t lo, int32_t hi);

typedef struct rnd_q {
    int32_t in_zp, out_zp, lo, hi;
} rnd_q;
void rnd_quant(rnd_q *q);               /* zero points and a random fused clamp */
void rnd_mult(int32_t *mult, int32_t *shift, int shift_center);

/* a random weight of `bits` (2: ternary {-1, 0, 1} when tern) */
int rnd_w(int bits, int tern);

void test_sub_conv(void);
void test_sub_fc(void);

#endif
