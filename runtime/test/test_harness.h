/*
 * test_harness.h - what every runtime kernel test program shares (the float tests here,
 * s8/ and s4/): the pass / fail counters, the deterministic random generator
 * (xorshift32), the command line ([seed] [-v] [-q]) and the final report.
 *
 * Every file of a test program includes it for the declarations; the definitions are
 * compiled once, in the program's main file, which defines TEST_HARNESS_IMPLEMENTATION
 * before its first include (so the build lists of the Makefiles, CMake and
 * clang_sanitize.sh need no extra file).
 */
#ifndef DNNOPT_TEST_HARNESS_H
#define DNNOPT_TEST_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int g_pass, g_fail, g_verbose, g_quick;

uint32_t rnd_u32(void);
void rnd_seed(uint32_t s);
int rnd_int(int lo, int hi); /* inclusive */

/* one check: counts it, prints "FAIL: what" (with -v also "ok:   what") */
void record(int ok, const char *what);

/* Reads the command line: "-v" sets g_verbose, "-q" sets g_quick when allow_quick (fewer
 * random cases, for slow simulators; otherwise it is read as a seed like any other
 * argument), anything else is the seed (default 12345). Seeds the generator and
 * returns the seed. */
uint32_t test_args(int argc, char **argv, int allow_quick);
/* prints "N passed, M failed"; returns the exit code of the program (1 on a failure) */
int test_report(void);

#ifdef TEST_HARNESS_IMPLEMENTATION
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

uint32_t test_args(int argc, char **argv, int allow_quick)
{
    int i;
    uint32_t seed = 12345u;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            g_verbose = 1;
        else if (allow_quick && strcmp(argv[i], "-q") == 0)
            g_quick = 1;
        else
            seed = (uint32_t)strtoul(argv[i], NULL, 0);
    }
    rnd_seed(seed);
    return seed;
}

int test_report(void)
{
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
#endif /* TEST_HARNESS_IMPLEMENTATION */

#endif
