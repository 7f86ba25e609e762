/*
 * test_sub_util.h - helpers of the sub-byte / precision-group kernel tests (dnn_sub.h):
 * the shared ones of ../test_int8.h (deterministic random numbers, exact-size
 * allocation, exact comparison, the int64 reference of the requantization), random
 * sub-byte weights, and a digest of every kernel output.
 *
 * The same program runs on the host (portable C build) and on a Cortex-M4 under QEMU
 * (DSP build, with and without the inline assembly): every build is checked against
 * the same references, and the digests of the builds must be equal (the Makefile's
 * qemu-compare target checks that the DSP and the portable builds agree).
 */
#ifndef DNNOPT_TEST_SUB_UTIL_H
#define DNNOPT_TEST_SUB_UTIL_H

#include <math.h>

#include "../test_int8.h"
#include "dnn_sub.h"

/* digest of kernel outputs (FNV-1a), printed at the end */
void digest(const int8_t *p, size_t n);

/* a random weight of `bits` (2: ternary {-1, 0, 1} when tern) */
int rnd_w(int bits, int tern);

void test_sub_conv(void);
void test_sub_fc(void);

#endif
