/*
 * test_s8_main.c - tests of the int8 kernels (dnn_s8.h) against naive int64
 * references written from the documented semantics. Usage: test_s8 [seed] [-v] [-q]
 * (-q: fewer random cases, for slow simulators). Prints "N passed, M failed"; exit 1
 * on failure.
 */
#define TEST_HARNESS_IMPLEMENTATION /* ../test_harness.h, ../test_int8.h */
#include "test_s8_util.h"

double rnd_unit(void)
{
    return (double)(rnd_u32() >> 8) * (1.0 / 16777216.0);
}

double rnd_scale(int e_lo, int e_hi)
{
    const double m = 1.0 + rnd_unit(); /* separate statements: a fixed draw order */
    const int e = rnd_int(e_lo, e_hi);
    return ldexp(m, e);
}

/* Guarded blocks: [size_t bytes][pad][GUARD_BYTES guard][bytes][GUARD_BYTES guard];
 * the data stays 16-byte aligned past malloc's alignment. Under AddressSanitizer the
 * guards are also poisoned, so a read of them is reported at once. */
#if defined(__SANITIZE_ADDRESS__)
#define GUARD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GUARD_ASAN 1
#endif
#endif
#ifdef GUARD_ASAN
#include <sanitizer/asan_interface.h>
#define GUARD_POISON(p, n) __asan_poison_memory_region((p), (n))
#define GUARD_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define GUARD_POISON(p, n) ((void)0)
#define GUARD_UNPOISON(p, n) ((void)0)
#endif
enum { GUARD_HEAD = 16, GUARD_BYTES = 64, GUARD_FILL = 0x5C };

void *galloc(size_t bytes)
{
    unsigned char *b = (unsigned char *)xalloc(GUARD_HEAD + 2 * GUARD_BYTES + bytes);
    unsigned char *d = b + GUARD_HEAD + GUARD_BYTES;
    memcpy(b, &bytes, sizeof bytes);
    memset(d - GUARD_BYTES, GUARD_FILL, GUARD_BYTES);
    memset(d + bytes, GUARD_FILL, GUARD_BYTES);
    GUARD_POISON(d - GUARD_BYTES, GUARD_BYTES);
    GUARD_POISON(d + bytes, GUARD_BYTES);
    return d;
}

int gcheck(const char *what, const char *buf, const void *p)
{
    const unsigned char *d = (const unsigned char *)p, *b = d - GUARD_BYTES - GUARD_HEAD;
    size_t bytes, i, before = 0, after = 0;
    long first = 0, last = 0;
    char name[400];
    memcpy(&bytes, b, sizeof bytes);
    GUARD_UNPOISON(d - GUARD_BYTES, GUARD_BYTES);
    GUARD_UNPOISON(d + bytes, GUARD_BYTES);
    for (i = 0; i < GUARD_BYTES; i++) {
        if (d[-1 - (long)i] != GUARD_FILL)
            before++, first = -1 - (long)i;
        if (d[bytes + i] != GUARD_FILL)
            after++, last = (long)i;
    }
    GUARD_POISON(d - GUARD_BYTES, GUARD_BYTES);
    GUARD_POISON(d + bytes, GUARD_BYTES);
    snprintf(name, sizeof name, "%s [guards of %s, %lu bytes]", what, buf, (unsigned long)bytes);
    record(!before && !after, name);
    if (before)
        printf("  %lu bytes written before it (first at %ld)\n", (unsigned long)before, first);
    if (after)
        printf("  %lu bytes written past it (last at +%ld)\n", (unsigned long)after, last);
    return !before && !after;
}

void gfree(void *p)
{
    unsigned char *d = (unsigned char *)p, *b = d - GUARD_BYTES - GUARD_HEAD;
    size_t bytes;
    memcpy(&bytes, b, sizeof bytes);
    GUARD_UNPOISON(d - GUARD_BYTES, GUARD_BYTES);
    GUARD_UNPOISON(d + bytes, GUARD_BYTES);
    free(b);
}

int main(int argc, char **argv)
{
    const uint32_t seed = test_args(argc, argv, 1);
    printf("dnnopt int8 kernel tests (%s build), seed %lu\n",
#if defined(__ARM_FEATURE_DSP) && !defined(DNN_S8_NO_DSP)
           "Arm DSP",
#else
           "portable C",
#endif
           (unsigned long)seed);
    test_s8_quant();
    test_s8_conv();
    test_s8_fc();
    test_s8_ops();
    return test_report();
}
