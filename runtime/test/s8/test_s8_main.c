/*
 * test_s8_main.c - tests of the int8 kernels (dnn_s8.h) against naive int64
 * references written from the documented semantics. Usage: test_s8 [seed] [-v] [-q]
 * (-q: fewer random cases, for slow simulators). Prints "N passed, M failed"; exit 1
 * on failure.
 */
#include "test_s8_util.h"

int g_pass, g_fail, g_verbose, g_quick;
static uint32_t g_state = 0x2545F491u;

void rnd_seed(uint32_t s)
{
    g_state = s ? s : 0x2545F491u;
}

uint32_t rnd_u32(void) /* xorshift32 */
{
    uint32_t x = g_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return g_state = x;
}

int rnd_int(int lo, int hi)
{
    return lo + (int)(rnd_u32() % (uint32_t)(hi - lo + 1));
}

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

void record(int ok, const char *what)
{
    if (ok)
        g_pass++;
    else {
        g_fail++;
        printf("FAIL: %s\n", what);
    }
    if (g_verbose && ok)
        printf("ok:   %s\n", what);
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

int main(int argc, char **argv)
{
    int i;
    uint32_t seed = 12345u;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            g_verbose = 1;
        else if (strcmp(argv[i], "-q") == 0)
            g_quick = 1;
        else
            seed = (uint32_t)strtoul(argv[i], NULL, 0);
    }
    rnd_seed(seed);
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
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
