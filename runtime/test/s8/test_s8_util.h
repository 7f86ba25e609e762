/*
 * test_s8_util.h - helpers of the int8 kernel tests: the shared ones of ../test_int8.h
 * (deterministic random numbers, exact-size allocation, exact comparison, the int64
 * reference of the requantization) plus random scales and guarded allocation for what
 * the kernels write (a write outside fails the case on every build, QEMU included).
 *
 * The same program runs on the host (portable C build of the kernels) and on a
 * Cortex-M4 under QEMU (DSP build), so both builds are checked against the same
 * reference; results must be identical, not close.
 */
#ifndef DNNOPT_TEST_S8_UTIL_H
#define DNNOPT_TEST_S8_UTIL_H

#include <math.h>

#include "../test_int8.h"
#include "dnn_s8.h"

double rnd_unit(void);                  /* [0, 1) */
double rnd_scale(int e_lo, int e_hi);   /* (1 + rnd_unit()) * 2^e, e in [e_lo, e_hi] */

/* Guarded blocks, for the buffers a kernel writes (scratch, outputs): gcheck records
 * the check "what [guards of buf]", failed when a guard byte changed (a write outside
 * the buffer, which QEMU runs have no sanitizer to catch), and returns 1 when none
 * did; gfree frees the block. */
void *galloc(size_t bytes);
int gcheck(const char *what, const char *buf, const void *p);
void gfree(void *p);

void test_s8_quant(void);
void test_s8_conv(void);
void test_s8_fc(void);
void test_s8_ops(void);

#endif
