/* dnn_reduce.c - one-axis reductions (see dnn_reduce.h). Inner-contiguous loops: the
 * output row y[o][0 .. inner-1] accumulates one input row at a time. */
#include "dnn_reduce.h"

#define RED_LOOP(EXPR)                                                                             \
    for (o = 0; o < p->outer; o++) {                                                               \
        const float *xo = x + (size_t)o * A * I;                                                   \
        float *yo = y + (size_t)o * I;                                                             \
        for (i = 0; i < I; i++)                                                                    \
            yo[i] = init;                                                                          \
        for (a = 0; a < A; a++) {                                                                  \
            const float *xa = xo + (size_t)a * I;                                                  \
            for (i = 0; i < I; i++) {                                                              \
                const float v = xa[i], acc = yo[i];                                                \
                yo[i] = (EXPR);                                                                    \
            }                                                                                      \
        }                                                                                          \
    }

void dnn_reduce_f32(const dnn_reduce_params *p, const float *x, float *y)
{
    const int32_t A = p->axis, I = p->inner;
    int32_t o, a, i;
    float init;

    switch (p->op) {
    case DNN_RED_MAX:
        init = -INFINITY;
        RED_LOOP(v > acc ? v : acc)
        break;
    case DNN_RED_MIN:
        init = INFINITY;
        RED_LOOP(v < acc ? v : acc)
        break;
    case DNN_RED_PROD:
        init = 1.0f;
        RED_LOOP(acc * v)
        break;
    default: /* SUM, MEAN */
        init = 0.0f;
        RED_LOOP(acc + v)
        if (p->op == DNN_RED_MEAN) {
            const float inv = 1.0f / (float)A;
            const size_t n = (size_t)p->outer * I;
            size_t k;
            for (k = 0; k < n; k++)
                y[k] = A > 0 ? y[k] * inv : NAN;
        }
        break;
    }
}
