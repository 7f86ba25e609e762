/* test_eltwise.c - dnn_binary_f32 (numpy broadcasting) and dnn_unary_f32. */
#include "test_util.h"

static const char *bin_names[8] = {"add", "sub", "mul", "div", "max", "min", "pow", "prelu"};

typedef void (*bin_entry)(const dnn_binary_params *, const float *, const float *, float *);
static const bin_entry bin_entries[8] = {dnn_add_f32, dnn_sub_f32, dnn_mul_f32, dnn_div_f32,
                                         dnn_max_f32, dnn_min_f32, dnn_pow_f32, dnn_prelu_f32};
typedef void (*un_entry)(const dnn_unary_params *, const float *, float *);
static const un_entry un_entries[17] = {
    dnn_identity_f32, dnn_relu_f32,  dnn_sigmoid_f32,    dnn_tanh_f32,      dnn_hard_swish_f32,
    dnn_exp_f32,      dnn_log_f32,   dnn_sqrt_f32,       dnn_abs_f32,       dnn_neg_f32,
    dnn_reciprocal_f32, dnn_floor_f32, dnn_ceil_f32,     dnn_erf_f32,       dnn_leaky_relu_f32,
    dnn_clip_f32,     dnn_hard_sigmoid_f32};

static double ref_bin(int op, double a, double b)
{
    switch (op) {
    case DNN_BIN_ADD: return a + b;
    case DNN_BIN_SUB: return a - b;
    case DNN_BIN_MUL: return a * b;
    case DNN_BIN_DIV: return a / b;
    case DNN_BIN_MAX: return a > b ? a : b;
    case DNN_BIN_MIN: return a < b ? a : b;
    case DNN_BIN_POW: return pow(a, b);
    default: return a < 0 ? b * a : a;
    }
}

/* Operand shapes are right-aligned against the output shape (numpy rules): an operand
 * of rank r covers the last r output axes, each of its dims equal to the output's or 1. */
static void run_binary(int op, int rank, const int *oshape, int ra, const int *ashape, int rb,
                       const int *bshape, int inplace, const char *tag)
{
    dnn_binary_params p;
    size_t n = 1, na = 1, nb = 1, i;
    int d, astr_own[DNN_MAX_RANK], bstr_own[DNN_MAX_RANK];
    float *a, *b, *y;
    double *ref;
    char name[200];

    memset(&p, 0, sizeof p);
    p.op = op;
    p.rank = rank;
    rnd_act(&p.act_min, &p.act_max);
    for (d = rank - 1; d >= 0; d--)
        n *= (size_t)oshape[d];
    for (d = ra - 1; d >= 0; d--) {
        astr_own[d] = (int)na;
        na *= (size_t)ashape[d];
    }
    for (d = rb - 1; d >= 0; d--) {
        bstr_own[d] = (int)nb;
        nb *= (size_t)bshape[d];
    }
    for (d = 0; d < rank; d++) {
        const int da = d - (rank - ra), db = d - (rank - rb);
        p.shape[d] = oshape[d];
        p.a_stride[d] = (da >= 0 && ashape[da] != 1) ? astr_own[da] : 0;
        p.b_stride[d] = (db >= 0 && bshape[db] != 1) ? bstr_own[db] : 0;
    }
    { /* dnn_binary_broadcast must derive the same description */
        dnn_binary_params q;
        int32_t as[DNN_MAX_RANK], bs[DNN_MAX_RANK];
        int same = 1;
        memset(&q, 0, sizeof q);
        for (d = 0; d < ra; d++)
            as[d] = ashape[d];
        for (d = 0; d < rb; d++)
            bs[d] = bshape[d];
        same = dnn_binary_broadcast(&q, ra, as, rb, bs) == 0 && q.rank == rank;
        for (d = 0; same && d < rank; d++)
            same = q.shape[d] == p.shape[d] && q.a_stride[d] == p.a_stride[d] &&
                   q.b_stride[d] == p.b_stride[d];
        record(same, "dnn_binary_broadcast strides");
    }
    a = falloc(inplace ? n : na);
    b = falloc(nb);
    y = inplace ? a : falloc(n);
    ref = dalloc(n);
    if (op == DNN_BIN_POW) {
        rnd_fill(a, inplace ? n : na, 0.1f, 2.0f);
        rnd_fill(b, nb, -2.0f, 2.0f);
    } else {
        rnd_fill(a, inplace ? n : na, -2.0f, 2.0f);
        rnd_fill(b, nb, 0.5f, 2.0f); /* away from 0 for div */
        for (i = 0; i < nb; i++)
            if (rnd_int(0, 1))
                b[i] = -b[i];
    }
    for (i = 0; i < n; i++) { /* reference from the output index */
        size_t rem = i, ai = 0, bi = 0;
        for (d = rank - 1; d >= 0; d--) {
            const size_t id = rem % (size_t)oshape[d];
            const int da = d - (rank - ra), db = d - (rank - rb);
            rem /= (size_t)oshape[d];
            if (da >= 0 && ashape[da] != 1)
                ai += id * (size_t)astr_own[da];
            if (db >= 0 && bshape[db] != 1)
                bi += id * (size_t)bstr_own[db];
        }
        ref[i] = ref_act(ref_bin(op, a[ai], b[bi]), p.act_min, p.act_max);
    }
    {
        const int per_op = rnd_int(0, 1); /* generic dispatcher or the op's own entry point */
        if (per_op)
            bin_entries[op](&p, a, b, y);
        else
            dnn_binary_f32(&p, a, b, y);
        snprintf(name, sizeof name, "binary %s %s rank %d (a rank %d, b rank %d)%s act[%g,%g]%s",
                 bin_names[op], tag, rank, ra, rb, inplace ? " in place" : "", (double)p.act_min,
                 (double)p.act_max, per_op ? " (dnn_<op>_f32)" : "");
    }
    check_f32(name, y, ref, NULL, n, op == DNN_BIN_POW ? 1e-5 : 2e-7, 1e-7);
    free(a);
    free(b);
    if (!inplace)
        free(y);
    free(ref);
}

static void random_binary(int op)
{
    int oshape[DNN_MAX_RANK], ashape[DNN_MAX_RANK], bshape[DNN_MAX_RANK];
    const int rank = rnd_int(0, 6);
    int ra = rnd_int(0, rank), rb = rnd_int(0, rank), d;
    if (rnd_int(0, 1))
        ra = rank;
    else
        rb = rank;
    for (d = 0; d < rank; d++)
        oshape[d] = rnd_int(1, rank > 4 ? 3 : 5);
    for (d = 0; d < ra; d++)
        ashape[d] = rnd_int(0, 2) ? oshape[rank - ra + d] : 1;
    for (d = 0; d < rb; d++)
        bshape[d] = rnd_int(0, 2) ? oshape[rank - rb + d] : 1;
    /* make sure the output shape is reached on every axis by one operand */
    for (d = 0; d < rank; d++) {
        const int da = d - (rank - ra), db = d - (rank - rb);
        const int ha = da >= 0 && ashape[da] == oshape[d], hb = db >= 0 && bshape[db] == oshape[d];
        if (!ha && !hb) {
            if (da >= 0)
                ashape[da] = oshape[d];
            else
                bshape[db] = oshape[d];
        }
    }
    run_binary(op, rank, oshape, ra, ashape, rb, bshape, 0, "random");
}

static void fast_path_binary(int op)
{
    const int nchw[4] = {2, 5, 3, 7}, c11[3] = {5, 1, 1}, one[1] = {1}, c[1] = {7};
    run_binary(op, 4, nchw, 4, nchw, 4, nchw, 0, "same shape");
    run_binary(op, 4, nchw, 4, nchw, 0, one, 0, "scalar rhs");
    run_binary(op, 4, nchw, 0, one, 4, nchw, 0, "scalar lhs");
    run_binary(op, 4, nchw, 4, nchw, 3, c11, 0, "per-channel");
    run_binary(op, 4, nchw, 3, c11, 4, nchw, 0, "per-channel lhs");
    run_binary(op, 4, nchw, 4, nchw, 1, c, 0, "last axis");
    run_binary(op, 4, nchw, 4, nchw, 3, c11, 1, "per-channel");
    run_binary(op, 4, nchw, 4, nchw, 4, nchw, 1, "same shape");
    run_binary(op, 1, c, 1, c, 1, c, 0, "1-d");
    run_binary(op, 0, one, 0, one, 0, one, 0, "scalars");
}

/* ---- unary ---- */

static const char *un_names[17] = {"identity", "relu",  "sigmoid", "tanh",    "hard_swish", "exp",
                                   "log",      "sqrt",  "abs",     "neg",     "reciprocal", "floor",
                                   "ceil",     "erf",   "leaky_relu", "clip", "hard_sigmoid"};

static double ref_un(int op, double x, double alpha, double beta)
{
    double v;
    switch (op) {
    case DNN_UN_RELU: return x > 0 ? x : 0;
    case DNN_UN_SIGMOID: return 1.0 / (1.0 + exp(-x));
    case DNN_UN_TANH: return tanh(x);
    case DNN_UN_HARD_SWISH:
        v = x / 6.0 + 0.5;
        return x * (v < 0 ? 0 : v > 1 ? 1 : v);
    case DNN_UN_EXP: return exp(x);
    case DNN_UN_LOG: return log(x);
    case DNN_UN_SQRT: return sqrt(x);
    case DNN_UN_ABS: return fabs(x);
    case DNN_UN_NEG: return -x;
    case DNN_UN_RECIPROCAL: return 1.0 / x;
    case DNN_UN_FLOOR: return floor(x);
    case DNN_UN_CEIL: return ceil(x);
    case DNN_UN_ERF: return erf(x);
    case DNN_UN_LEAKY_RELU: return x < 0 ? alpha * x : x;
    case DNN_UN_CLIP: return x < alpha ? alpha : x > beta ? beta : x;
    case DNN_UN_HARD_SIGMOID:
        v = alpha * x + beta;
        return v < 0 ? 0 : v > 1 ? 1 : v;
    default: return x;
    }
}

static void run_unary(int op, int n, int inplace)
{
    dnn_unary_params p;
    float *x = falloc((size_t)n), *y;
    double *ref = dalloc((size_t)n);
    float lo = -6.0f, hi = 6.0f;
    char name[160];
    int i;

    memset(&p, 0, sizeof p);
    p.op = op;
    p.size = n;
    rnd_act(&p.act_min, &p.act_max);
    p.alpha = op == DNN_UN_CLIP ? -0.7f : rnd_float(0.01f, 0.5f);
    p.beta = op == DNN_UN_CLIP ? 1.3f : rnd_float(0.2f, 0.8f);
    if (op == DNN_UN_LOG || op == DNN_UN_SQRT) {
        lo = 1e-3f;
        hi = 50.0f;
    } else if (op == DNN_UN_EXP) {
        lo = -30.0f;
        hi = 30.0f;
    } else if (op == DNN_UN_SIGMOID || op == DNN_UN_TANH) {
        lo = -40.0f;
        hi = 40.0f;
    }
    rnd_fill(x, (size_t)n, lo, hi);
    if (op == DNN_UN_RECIPROCAL)
        for (i = 0; i < n; i++)
            x[i] = (x[i] < 0 ? -0.1f : 0.1f) + x[i];
    for (i = 0; i < n; i++)
        ref[i] = ref_act(ref_un(op, x[i], p.alpha, p.beta), p.act_min, p.act_max);
    y = inplace ? x : falloc((size_t)n);
    if (n % 2)
        un_entries[op](&p, x, y);
    else
        dnn_unary_f32(&p, x, y);
    snprintf(name, sizeof name, "unary %s n %d%s act[%g,%g]%s", un_names[op], n,
             inplace ? " in place" : "", (double)p.act_min, (double)p.act_max,
             n % 2 ? " (dnn_<op>_f32)" : "");
    check_f32(name, y, ref, NULL, (size_t)n, 4e-6, 1e-7);
    free(x);
    if (!inplace)
        free(y);
    free(ref);
}

void test_eltwise(void)
{
    const int before = g_pass + g_fail;
    int op, i;
    {
        dnn_binary_params q;
        const int32_t a[2] = {3, 4}, b[2] = {2, 4}, c[7] = {1, 1, 1, 1, 1, 1, 1};
        record(dnn_binary_broadcast(&q, 2, a, 2, b) == -1, "dnn_binary_broadcast rejects 3x4 + 2x4");
        record(dnn_binary_broadcast(&q, 7, c, 0, c) == -1, "dnn_binary_broadcast rejects rank 7");
    }
    for (op = 0; op < 8; op++) {
        fast_path_binary(op);
        for (i = 0; i < 25; i++)
            random_binary(op);
    }
    for (op = 0; op < 17; op++) {
        run_unary(op, rnd_int(1, 300), 0);
        run_unary(op, rnd_int(1, 40), 1);
        run_unary(op, 1, 0);
    }
    printf("eltwise: %d checks\n", g_pass + g_fail - before);
}
