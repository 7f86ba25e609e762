/*
 * test_sub_main.c - tests of the sub-byte / precision-group kernels (dnn_sub.h) against
 * naive int64 references written from the documented semantics.
 * Usage: test_sub [seed] [-v] [-q]  (-q: fewer random cases, for slow simulators).
 * Prints "N passed, M failed" and the output digest; exit 1 on failure.
 */
#define TEST_HARNESS_IMPLEMENTATION /* ../test_harness.h, ../test_int8.h */
#include "test_sub_util.h"

static uint32_t g_digest = 2166136261u;

int rnd_w(int bits, int tern)
{
    if (bits == 2 && tern)
        return rnd_int(-1, 1);
    return rnd_int(-(1 << (bits - 1)), (1 << (bits - 1)) - 1);
}

void digest(const int8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        g_digest = (g_digest ^ (uint8_t)p[i]) * 16777619u;
}

int main(int argc, char **argv)
{
    const uint32_t seed = test_args(argc, argv, 1);
    printf("dnnopt sub-byte kernel tests (%s build), seed %lu%s\n",
#if defined(__ARM_FEATURE_DSP) && !defined(DNN_S8_NO_DSP)
#if defined(DNN_S8_NO_ASM) || !defined(__OPTIMIZE__)
           "Arm DSP intrinsics",
#else
           "Arm DSP + assembly",
#endif
#else
           "portable C",
#endif
           (unsigned long)seed, g_quick ? ", quick" : "");
    test_sub_conv();
    test_sub_fc();
    printf("digest %08lx\n", (unsigned long)g_digest);
    return test_report();
}
