/*
 * test_util.h - shared helpers of the runtime kernel tests: a deterministic random
 * generator, allocation helpers (exact-size malloc so AddressSanitizer catches any
 * out-of-bounds access), and comparison against double-precision references.
 */
#ifndef DNNOPT_TEST_UTIL_H
#define DNNOPT_TEST_UTIL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnnopt_runtime.h"

extern int g_pass, g_fail, g_verbose;

/* ---- random ---- */
uint32_t rnd_u32(void);
void rnd_seed(uint32_t s);
int rnd_int(int lo, int hi); /* inclusive */
float rnd_float(float lo, float hi);
void rnd_fill(float *p, size_t n, float lo, float hi);

/* ---- allocation (NaN-filled outputs reveal unwritten elements) ---- */
float *falloc(size_t n);          /* uninitialized -> filled with NaN */
double *dalloc(size_t n);         /* zeroed */
void *balloc(size_t bytes);       /* zeroed */

/* ---- checks ---- */
/* Compares got[i] against ref[i] with |got - ref| <= rtol * mag[i] + atol, mag = NULL
 * meaning |ref|. Records one pass or fail for the whole array; prints the first
 * mismatches on failure. Returns 1 when all match. NaN matches NaN. */
int check_f32(const char *what, const float *got, const double *ref, const double *mag, size_t n,
              double rtol, double atol);
int check_bytes(const char *what, const void *got, const void *ref, size_t bytes);
void record(int ok, const char *what);

/* act clamp in double, mirroring the kernels' fused clamp */
double ref_act(double v, float lo, float hi);
/* a random fused clamp: none, relu, relu6 or [-0.5, 0.5] */
void rnd_act(float *lo, float *hi);

/* ---- test groups ---- */
void test_conv(void);
void test_linear(void);
void test_eltwise(void);
void test_pool(void);
void test_softmax_reduce(void);
void test_layout(void);

#endif
