/*
 * test_main.c - host test of the dnnopt runtime kernels: every kernel against a naive
 * reference written from the ONNX specification (test_*.c), on many random shapes
 * plus edge cases. Usage: dnnopt_runtime_test [seed] [-v]. Prints "N passed, M failed",
 * exits 1 on any failure.
 */
#define TEST_HARNESS_IMPLEMENTATION
#include "test_harness.h" /* counters, random generator, command line, report */
#include "test_util.h"

float rnd_float(float lo, float hi)
{
    return lo + (hi - lo) * (float)(rnd_u32() >> 8) * (1.0f / 16777216.0f);
}

void rnd_fill(float *p, size_t n, float lo, float hi)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = rnd_float(lo, hi);
}

float *falloc(size_t n)
{
    float *p = (float *)malloc((n ? n : 1) * sizeof(float));
    size_t i;
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    for (i = 0; i < n; i++)
        p[i] = NAN;
    return p;
}

double *dalloc(size_t n)
{
    double *p = (double *)calloc(n ? n : 1, sizeof(double));
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

void *balloc(size_t bytes)
{
    void *p = calloc(bytes ? bytes : 1, 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

int check_f32(const char *what, const float *got, const double *ref, const double *mag, size_t n,
              double rtol, double atol)
{
    size_t i, bad = 0;
    for (i = 0; i < n; i++) {
        const double g = got[i], r = ref[i];
        const double m = mag ? mag[i] : fabs(r);
        int ok;
        if (r != r)
            ok = g != g;
        else if (isinf(r))
            ok = g == r;
        else
            ok = fabs(g - r) <= rtol * m + atol;
        if (!ok) {
            if (bad < 5)
                printf("  %s: [%lu] got %.9g expected %.9g (mag %.3g)\n", what, (unsigned long)i, g,
                       r, m);
            bad++;
        }
    }
    if (bad)
        printf("  %s: %lu of %lu elements differ\n", what, (unsigned long)bad, (unsigned long)n);
    record(bad == 0, what);
    return bad == 0;
}

int check_bytes(const char *what, const void *got, const void *ref, size_t bytes)
{
    const int ok = memcmp(got, ref, bytes) == 0;
    if (!ok) {
        const unsigned char *a = (const unsigned char *)got, *b = (const unsigned char *)ref;
        size_t i;
        for (i = 0; i < bytes; i++)
            if (a[i] != b[i]) {
                printf("  %s: first difference at byte %lu: %02x != %02x\n", what, (unsigned long)i,
                       a[i], b[i]);
                break;
            }
    }
    record(ok, what);
    return ok;
}

double ref_act(double v, float lo, float hi)
{
    if (v < lo)
        v = lo;
    if (v > hi)
        v = hi;
    return v;
}

void rnd_act(float *lo, float *hi)
{
    switch (rnd_int(0, 3)) {
    case 0: *lo = -INFINITY; *hi = INFINITY; break;
    case 1: *lo = 0.0f; *hi = INFINITY; break;
    case 2: *lo = 0.0f; *hi = 6.0f; break;
    default: *lo = -0.5f; *hi = 0.5f; break;
    }
}

int main(int argc, char **argv)
{
    const uint32_t seed = test_args(argc, argv, 0);
    printf("dnnopt runtime kernel tests, seed %lu\n", (unsigned long)seed);
    test_conv();
    test_linear();
    test_eltwise();
    test_pool();
    test_softmax_reduce();
    test_layout();
    return test_report();
}
