/*
 * bench_harness.h - what the QEMU kernel benchmarks (bench_main.c, bench_s8.c,
 * bench_s4.c) share: the random generator of their data, the instruction counter
 * (mps2-an386 under `-icount shift=0`: 1 SysTick tick = DNN_PORT_QEMU_INSNS_PER_TICK
 * executed instructions) and its calibration.
 *
 * Static definitions, compiled into each benchmark's own translation unit (as when each
 * had its copy: bench_s8.c and bench_s4.c compile to the same instructions as then). A
 * counter reading has a resolution of one tick, and every instruction executed outside
 * the timed regions (data generation, calibration) shifts the tick phase of the next
 * readings: a change here can move the figures of the RESULTS files by one tick (40
 * instructions) without any kernel changing.
 */
#ifndef DNNOPT_BENCH_HARNESS_H
#define DNNOPT_BENCH_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dnn_port.h"

#define INSNS_PER_TICK DNN_PORT_QEMU_INSNS_PER_TICK
#define BENCH_SHARED static __attribute__((unused)) /* not every benchmark uses all */

/* state of the linear congruential generator (a benchmark may reseed it to draw the same
 * data again) */
BENCH_SHARED uint32_t g_seed = 12345u;

BENCH_SHARED uint32_t rnd(void) /* 24 random bits */
{
    g_seed = g_seed * 1664525u + 1013904223u;
    return g_seed >> 8;
}

BENCH_SHARED void fill_s8(int8_t *p, size_t n, int lo, int hi) /* uniform in [lo, hi] */
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = (int8_t)(lo + (int)(rnd() % (uint32_t)(hi - lo + 1)));
}

/* executed instructions between two dnn_port_ticks() readings */
BENCH_SHARED uint64_t insns(uint64_t t0, uint64_t t1)
{
    return (t1 - t0) * INSNS_PER_TICK;
}

/* ---- counter calibration: an asm loop of exactly 4 instructions per iteration ---- */
BENCH_SHARED void asm_loop(uint32_t n)
{
    __asm__ volatile("1: subs %0, %0, #1\n\tnop\n\tnop\n\tbne 1b\n" : "+r"(n) : : "cc");
}

/* 2.5 M iterations (10 M instructions, no SysTick wrap) and 200 M iterations (800 M
 * instructions = 20 M ticks, so the 24-bit counter wraps once); prints a "calibration:"
 * line for each and counts a mismatch in g_failures. The call, loop setup and counter
 * reads add a few instructions: +-1 tick is allowed. */
BENCH_SHARED int g_failures; /* failed checks of the benchmark: its exit code */

BENCH_SHARED void calibrate(void)
{
    static const uint32_t iters[2] = {2500000u, 200000000u};
    int i;
    for (i = 0; i < 2; i++) {
        const uint64_t expect = 4ull * iters[i];
        uint64_t t0 = dnn_port_ticks(), t1, got;
        int ok;
        asm_loop(iters[i]);
        t1 = dnn_port_ticks();
        got = insns(t0, t1);
        ok = got + 2 * INSNS_PER_TICK >= expect && got <= expect + 2 * INSNS_PER_TICK;
        printf("calibration: asm loop of %lu x 4 instructions: %llu ticks = %llu instructions "
               "(expected %llu) %s\n",
               (unsigned long)iters[i], (unsigned long long)(t1 - t0), (unsigned long long)got,
               (unsigned long long)expect, ok ? "ok" : "MISMATCH");
        g_failures += !ok;
    }
}

#endif
