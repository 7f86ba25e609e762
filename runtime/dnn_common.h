/*
 * dnn_common.h - shared definitions of the dnnopt float32 runtime.
 *
 * Conventions of every kernel in this runtime
 * -------------------------------------------
 *  - C99, no malloc, no static mutable state, no VLAs. Every kernel is reentrant.
 *  - Tensors are dense, row-major (C order) float32 arrays in NC[D]HW layout.
 *  - Each kernel takes a pointer to a small `const` parameter struct (the compiler
 *    emits these as `static const` structs, i.e. in flash) followed by data pointers.
 *  - Dimensions are int32_t. A tensor must have fewer than 2^31 elements.
 *  - Inputs and outputs must not overlap unless a kernel documents that in-place
 *    operation (output == input) is allowed.
 *  - "Fused clamp": act_min/act_max clamp every output; use -INFINITY/INFINITY for
 *    none, 0/INFINITY for ReLU, 0/6 for ReLU6. act_min <= act_max is required.
 *  - Weights that a kernel consumes in a packed order are packed by the functions in
 *    dnn_pack.h (linked by the compiler itself, so the layout has one definition).
 */
#ifndef DNNOPT_DNN_COMMON_H
#define DNNOPT_DNN_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define DNN_ALWAYS_INLINE inline __attribute__((always_inline))
#define DNN_RESTRICT __restrict__
#else
#define DNN_ALWAYS_INLINE inline
#define DNN_RESTRICT
#endif

/* Multiply-add used by the inner loops. On targets with a fused multiply-add unit
 * (Cortex-M4F VFMA, x86 FMA3, AArch64) this is one instruction; elsewhere a plain
 * multiply and add (C99 leaves contraction off under -std=c99). */
#if defined(__ARM_FEATURE_FMA) || defined(__FMA__) || defined(__aarch64__)
#define DNN_FMA(a, b, c) fmaf((a), (b), (c))
#else
#define DNN_FMA(a, b, c) ((a) * (b) + (c))
#endif

/* Largest tensor rank of the N-d kernels (broadcasting, transpose, copy, pad, resize). */
#define DNN_MAX_RANK 6

/* How a fused clamp is applied: decided once per kernel call. */
enum { DNN_ACT_NONE = 0, DNN_ACT_RELU = 1, DNN_ACT_RELU_N = 2, DNN_ACT_CLAMP = 3 };

static inline int dnn_act_mode(float lo, float hi)
{
    if (lo == -INFINITY && hi == INFINITY)
        return DNN_ACT_NONE;
    if (lo == 0.0f && hi == INFINITY)
        return DNN_ACT_RELU;
    if (lo == 0.0f && hi > 0.0f && hi < INFINITY)
        return DNN_ACT_RELU_N; /* ReLU6 and friends */
    return DNN_ACT_CLAMP;
}

static inline float dnn_clampf(float x, float lo, float hi)
{
    x = x < lo ? lo : x;
    return x > hi ? hi : x;
}

/* Stores max(x, 0) by clearing negative bit patterns: on Cortex-M4 a VMOV and one
 * BIC (..., ASR #31) instead of a compare, a flag transfer and a conditional move.
 * -0.0f and negative NaNs become +0.0f. */
static inline void dnn_store_relu(float *dst, float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    u = (u >> 31) ? 0u : u;
    memcpy(dst, &u, sizeof u);
}

/* Stores min(max(x, 0), hi) for 0 < hi < inf (DNN_ACT_RELU_N) with integer operations:
 * non-negative IEEE floats order like their bit patterns. */
static inline void dnn_store_relu_n(float *dst, float x, float hi)
{
    uint32_t u, h;
    memcpy(&u, &x, sizeof u);
    memcpy(&h, &hi, sizeof h);
    u = (u >> 31) ? 0u : u;
    u = u > h ? h : u;
    memcpy(dst, &u, sizeof u);
}

/* Stores x after the fused activation `mode` (see dnn_act_mode). */
static inline void dnn_store_act(float *dst, float x, int mode, float lo, float hi)
{
    if (mode == DNN_ACT_RELU)
        dnn_store_relu(dst, x);
    else if (mode == DNN_ACT_RELU_N)
        dnn_store_relu_n(dst, x, hi);
    else if (mode == DNN_ACT_CLAMP)
        *dst = dnn_clampf(x, lo, hi);
    else
        *dst = x;
}

#ifdef __cplusplus
}
#endif

/* Kernel taps k in [*k0, *k1) with 0 <= i0 + k*d < n: the taps of a window that
 * starts at input index i0 (dilation d, k taps) and fall inside an axis of size n.
 * Shared by the conv and pooling kernels. */
static inline void dnn_tap_range(int32_t i0, int32_t d, int32_t k, int32_t n, int32_t *k0,
                                 int32_t *k1)
{
    int32_t a = 0, b = k;
    if (i0 < 0)
        a = (-i0 + d - 1) / d;
    if (i0 + (k - 1) * d >= n)
        b = n - i0 <= 0 ? 0 : (n - i0 + d - 1) / d;
    if (a > k)
        a = k;
    if (b < a)
        b = a;
    *k0 = a;
    *k1 = b;
}

#endif /* DNNOPT_DNN_COMMON_H */
