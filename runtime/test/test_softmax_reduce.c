/* test_softmax_reduce.c - softmax / log-softmax and one-axis reductions. */
#include "test_util.h"

static void run_softmax(int outer, int axis, int inner, int is_log, int inplace)
{
    dnn_softmax_params p;
    const size_t n = (size_t)outer * axis * inner;
    float *x = falloc(n), *y;
    double *ref = dalloc(n), *mag = dalloc(n);
    char name[120];
    int o, a, i;

    memset(&p, 0, sizeof p);
    p.outer = outer;
    p.axis = axis;
    p.inner = inner;
    p.log = is_log;
    rnd_fill(x, n, -20, 20);
    if (n > 2) { /* large logits must not overflow */
        x[0] = 85.0f;
        x[n - 1] = -90.0f;
    }
    for (o = 0; o < outer; o++)
        for (i = 0; i < inner; i++) {
            double m = -INFINITY, s = 0;
            for (a = 0; a < axis; a++) {
                const double v = x[((size_t)o * axis + a) * inner + i];
                m = v > m ? v : m;
            }
            for (a = 0; a < axis; a++)
                s += exp(x[((size_t)o * axis + a) * inner + i] - m);
            for (a = 0; a < axis; a++) {
                const size_t k = ((size_t)o * axis + a) * inner + i;
                ref[k] = is_log ? x[k] - m - log(s) : exp(x[k] - m) / s;
                /* log_softmax cancels: its error scales with the terms subtracted */
                mag[k] = is_log ? fabs(x[k]) + fabs(m + log(s)) : fabs(ref[k]);
            }
        }
    y = inplace ? x : falloc(n);
    dnn_softmax_f32(&p, x, y);
    snprintf(name, sizeof name, "%s outer %d axis %d inner %d%s", is_log ? "log_softmax" : "softmax",
             outer, axis, inner, inplace ? " in place" : "");
    check_f32(name, y, ref, mag, n, 2e-5, 1e-7);
    free(x);
    if (!inplace)
        free(y);
    free(ref);
    free(mag);
}

static const char *red_names[5] = {"sum", "mean", "max", "min", "prod"};

static void run_reduce(int op, int outer, int axis, int inner)
{
    dnn_reduce_params p;
    const size_t n = (size_t)outer * axis * inner, ny = (size_t)outer * inner;
    float *x = falloc(n), *y = falloc(ny);
    double *ref = dalloc(ny), *mag = dalloc(ny);
    char name[120];
    int o, a, i;

    memset(&p, 0, sizeof p);
    p.op = op;
    p.outer = outer;
    p.axis = axis;
    p.inner = inner;
    if (op == DNN_RED_PROD)
        rnd_fill(x, n, 0.5f, 1.5f);
    else
        rnd_fill(x, n, -3, 3);
    for (o = 0; o < outer; o++)
        for (i = 0; i < inner; i++) {
            double acc, m = 0;
            switch (op) {
            case DNN_RED_MAX: acc = -INFINITY; break;
            case DNN_RED_MIN: acc = INFINITY; break;
            case DNN_RED_PROD: acc = 1; break;
            default: acc = 0; break;
            }
            for (a = 0; a < axis; a++) {
                const double v = x[((size_t)o * axis + a) * inner + i];
                m += fabs(v);
                switch (op) {
                case DNN_RED_MAX: acc = v > acc ? v : acc; break;
                case DNN_RED_MIN: acc = v < acc ? v : acc; break;
                case DNN_RED_PROD: acc *= v; break;
                default: acc += v; break;
                }
            }
            if (op == DNN_RED_MEAN) {
                acc = axis ? acc / axis : NAN;
                m = axis ? m / axis : 0;
            }
            if (op == DNN_RED_PROD)
                m = fabs(acc) * (axis + 1);
            ref[(size_t)o * inner + i] = acc;
            mag[(size_t)o * inner + i] = m;
        }
    dnn_reduce_f32(&p, x, y);
    snprintf(name, sizeof name, "reduce %s outer %d axis %d inner %d", red_names[op], outer, axis,
             inner);
    check_f32(name, y, ref, mag, ny, 1e-6, 1e-7);
    free(x);
    free(y);
    free(ref);
    free(mag);
}

void test_softmax_reduce(void)
{
    const int before = g_pass + g_fail;
    int i, op;
    for (i = 0; i < 40; i++)
        run_softmax(rnd_int(1, 4), rnd_int(1, 30), rnd_int(1, 6), i & 1, (i & 2) != 0);
    run_softmax(1, 10, 1, 0, 0);
    run_softmax(1, 1, 1, 1, 0);
    for (op = 0; op < 5; op++) {
        for (i = 0; i < 15; i++)
            run_reduce(op, rnd_int(1, 5), rnd_int(1, 40), rnd_int(1, 7));
        run_reduce(op, 3, 0, 2); /* empty axis: identity */
        run_reduce(op, 1, 1, 1);
    }
    printf("softmax/reduce: %d checks\n", g_pass + g_fail - before);
}
