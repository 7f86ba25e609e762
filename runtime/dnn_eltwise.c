/* dnn_eltwise.c - elementwise kernels (see dnn_eltwise.h). */
#include "dnn_eltwise.h"

/* ---- binary ---------------------------------------------------------------------------- */

static DNN_ALWAYS_INLINE float bin_apply(int op, float a, float b)
{
    switch (op) {
    case DNN_BIN_ADD: return a + b;
    case DNN_BIN_SUB: return a - b;
    case DNN_BIN_MUL: return a * b;
    case DNN_BIN_DIV: return a / b;
    case DNN_BIN_MAX: return a > b ? a : b;
    case DNN_BIN_MIN: return a < b ? a : b;
    case DNN_BIN_POW: return powf(a, b);
    default:          return a < 0.0f ? b * a : a; /* PRELU */
    }
}

/* y[i] = act(op(a[i*SA], b[i*SB])) for i < n; SA, SB are compile-time 0/1 in the fast
 * paths. Unrolled by 4 when both are constants. */
static DNN_ALWAYS_INLINE void bin_row(int op, int32_t n, const float *a, int32_t sa, const float *b,
                                      int32_t sb, float *y, int mode, float lo, float hi)
{
    int32_t i = 0;
    if (mode == DNN_ACT_NONE) {
        for (; i + 4 <= n; i += 4) {
            const float r0 = bin_apply(op, a[i * sa], b[i * sb]);
            const float r1 = bin_apply(op, a[(i + 1) * sa], b[(i + 1) * sb]);
            const float r2 = bin_apply(op, a[(i + 2) * sa], b[(i + 2) * sb]);
            const float r3 = bin_apply(op, a[(i + 3) * sa], b[(i + 3) * sb]);
            y[i] = r0;
            y[i + 1] = r1;
            y[i + 2] = r2;
            y[i + 3] = r3;
        }
        for (; i < n; i++)
            y[i] = bin_apply(op, a[i * sa], b[i * sb]);
    } else if (mode == DNN_ACT_RELU) {
        for (; i + 4 <= n; i += 4) {
            const float r0 = bin_apply(op, a[i * sa], b[i * sb]);
            const float r1 = bin_apply(op, a[(i + 1) * sa], b[(i + 1) * sb]);
            const float r2 = bin_apply(op, a[(i + 2) * sa], b[(i + 2) * sb]);
            const float r3 = bin_apply(op, a[(i + 3) * sa], b[(i + 3) * sb]);
            dnn_store_relu(y + i, r0);
            dnn_store_relu(y + i + 1, r1);
            dnn_store_relu(y + i + 2, r2);
            dnn_store_relu(y + i + 3, r3);
        }
        for (; i < n; i++)
            dnn_store_relu(y + i, bin_apply(op, a[i * sa], b[i * sb]));
    } else {
        for (; i < n; i++)
            dnn_store_act(y + i, bin_apply(op, a[i * sa], b[i * sb]), mode, lo, hi);
    }
}

/* One instance per op so the op switch folds away inside the loops. */
#define BIN_OP_FN(NAME, OP)                                                                        \
    static void NAME(int32_t n, const float *a, int32_t sa, const float *b, int32_t sb, float *y,  \
                     int mode, float lo, float hi)                                                 \
    {                                                                                              \
        if (sa == 1 && sb == 1)                                                                    \
            bin_row(OP, n, a, 1, b, 1, y, mode, lo, hi);                                           \
        else if (sa == 1 && sb == 0)                                                               \
            bin_row(OP, n, a, 1, b, 0, y, mode, lo, hi);                                           \
        else if (sa == 0 && sb == 1)                                                               \
            bin_row(OP, n, a, 0, b, 1, y, mode, lo, hi);                                           \
        else                                                                                       \
            bin_row(OP, n, a, sa, b, sb, y, mode, lo, hi);                                         \
    }

BIN_OP_FN(bin_add, DNN_BIN_ADD)
BIN_OP_FN(bin_sub, DNN_BIN_SUB)
BIN_OP_FN(bin_mul, DNN_BIN_MUL)
BIN_OP_FN(bin_div, DNN_BIN_DIV)
BIN_OP_FN(bin_max, DNN_BIN_MAX)
BIN_OP_FN(bin_min, DNN_BIN_MIN)
static void bin_pow(int32_t n, const float *a, int32_t sa, const float *b, int32_t sb, float *y,
                    int mode, float lo, float hi)
{
    int32_t i;
    for (i = 0; i < n; i++)
        dnn_store_act(y + i, powf(a[i * sa], b[i * sb]), mode, lo, hi);
}
BIN_OP_FN(bin_prelu, DNN_BIN_PRELU)

typedef void (*bin_fn)(int32_t, const float *, int32_t, const float *, int32_t, float *, int, float,
                       float);

/* The broadcasting driver: merges axes, then runs `fn` over innermost rows. */
static void binary_driver(const dnn_binary_params *p, const float *a, const float *b, float *y,
                          bin_fn fn)
{
    const int mode = dnn_act_mode(p->act_min, p->act_max);
    int32_t shape[DNN_MAX_RANK], sa[DNN_MAX_RANK], sb[DNN_MAX_RANK], idx[DNN_MAX_RANK];
    int32_t r = 0, d, inner, n_outer, o;
    int32_t ao = 0, bo = 0;

    /* drop size-1 axes, merge axes that are contiguous for both operands */
    for (d = 0; d < p->rank; d++) {
        if (p->shape[d] == 1)
            continue;
        if (p->shape[d] <= 0)
            return; /* empty tensor */
        if (r > 0 && sa[r - 1] == p->a_stride[d] * p->shape[d] &&
            sb[r - 1] == p->b_stride[d] * p->shape[d]) {
            shape[r - 1] *= p->shape[d];
            sa[r - 1] = p->a_stride[d];
            sb[r - 1] = p->b_stride[d];
            continue;
        }
        shape[r] = p->shape[d];
        sa[r] = p->a_stride[d];
        sb[r] = p->b_stride[d];
        r++;
    }
    if (r == 0) {
        fn(1, a, 0, b, 0, y, mode, p->act_min, p->act_max);
        return;
    }
    inner = shape[r - 1];
    n_outer = 1;
    for (d = 0; d < r - 1; d++) {
        n_outer *= shape[d];
        idx[d] = 0;
    }
    for (o = 0; o < n_outer; o++) {
        fn(inner, a + ao, sa[r - 1], b + bo, sb[r - 1], y + (size_t)o * inner, mode, p->act_min,
           p->act_max);
        for (d = r - 2; d >= 0; d--) { /* next outer index */
            ao += sa[d];
            bo += sb[d];
            if (++idx[d] < shape[d])
                break;
            ao -= sa[d] * shape[d];
            bo -= sb[d] * shape[d];
            idx[d] = 0;
        }
    }
}

int dnn_binary_broadcast(dnn_binary_params *p, int32_t a_rank, const int32_t *a_shape,
                         int32_t b_rank, const int32_t *b_shape)
{
    const int32_t r = a_rank > b_rank ? a_rank : b_rank;
    int32_t d, sa = 1, sb = 1;
    if (a_rank < 0 || b_rank < 0 || r > DNN_MAX_RANK)
        return -1;
    for (d = r - 1; d >= 0; d--) {
        const int32_t da = d - (r - a_rank), db = d - (r - b_rank);
        const int32_t na = da >= 0 ? a_shape[da] : 1, nb = db >= 0 ? b_shape[db] : 1;
        if (na != nb && na != 1 && nb != 1)
            return -1;
        p->shape[d] = na == 1 ? nb : na;
        p->a_stride[d] = na == 1 ? 0 : sa;
        p->b_stride[d] = nb == 1 ? 0 : sb;
        sa *= na;
        sb *= nb;
    }
    for (d = r; d < DNN_MAX_RANK; d++) {
        p->shape[d] = 1;
        p->a_stride[d] = p->b_stride[d] = 0;
    }
    p->rank = r;
    return 0;
}

void dnn_add_f32(const dnn_binary_params *p, const float *a, const float *b, float *y)
{
    binary_driver(p, a, b, y, bin_add);
}
void dnn_sub_f32(const dnn_binary_params *p, const float *a, const float *b, float *y)
{
    binary_driver(p, a, b, y, bin_sub);
}
void dnn_mul_f32(const dnn_binary_params *p, const float *a, const float *b, float *y)
{
    binary_driver(p, a, b, y, bin_mul);
}
void dnn_div_f32(const dnn_binary_params *p, const float *a, const float *b, float *y)
{
    binary_driver(p, a, b, y, bin_div);
}
void dnn_max_f32(const dnn_binary_params *p, const float *a, const float *b, float *y)
{
    binary_driver(p, a, b, y, bin_max);
}
void dnn_min_f32(const dnn_binary_params *p, const float *a, const float *b, float *y)
{
    binary_driver(p, a, b, y, bin_min);
}
void dnn_pow_f32(const dnn_binary_params *p, const float *a, const float *b, float *y)
{
    binary_driver(p, a, b, y, bin_pow);
}
void dnn_prelu_f32(const dnn_binary_params *p, const float *a, const float *b, float *y)
{
    binary_driver(p, a, b, y, bin_prelu);
}

void dnn_binary_f32(const dnn_binary_params *p, const float *a, const float *b, float *y)
{
    static const bin_fn fns[8] = {bin_add, bin_sub, bin_mul, bin_div,
                                  bin_max, bin_min, bin_pow, bin_prelu};
    binary_driver(p, a, b, y, fns[(uint32_t)p->op < 8u ? p->op : 0]);
}

/* ---- unary ----------------------------------------------------------------------------- */

static float dnn_sigmoidf(float x)
{
    if (x >= 0.0f)
        return 1.0f / (1.0f + expf(-x));
    else {
        const float e = expf(x);
        return e / (1.0f + e);
    }
}

static DNN_ALWAYS_INLINE float hard_sigmoid(float x, float alpha, float beta)
{
    float v = alpha * x + beta;
    v = v < 0.0f ? 0.0f : v;
    return v > 1.0f ? 1.0f : v;
}

static DNN_ALWAYS_INLINE float un_apply(int op, float x, float alpha, float beta)
{
    switch (op) {
    case DNN_UN_RELU: return x < 0.0f ? 0.0f : x;
    case DNN_UN_SIGMOID: return dnn_sigmoidf(x);
    case DNN_UN_TANH: return tanhf(x);
    case DNN_UN_HARD_SWISH: return x * hard_sigmoid(x, 1.0f / 6.0f, 0.5f);
    case DNN_UN_EXP: return expf(x);
    case DNN_UN_LOG: return logf(x);
    case DNN_UN_SQRT: return sqrtf(x);
    case DNN_UN_ABS: return fabsf(x);
    case DNN_UN_NEG: return -x;
    case DNN_UN_RECIPROCAL: return 1.0f / x;
    case DNN_UN_FLOOR: return floorf(x);
    case DNN_UN_CEIL: return ceilf(x);
    case DNN_UN_ERF: return erff(x);
    case DNN_UN_LEAKY_RELU: return x < 0.0f ? alpha * x : x;
    case DNN_UN_CLIP: return dnn_clampf(x, alpha, beta);
    case DNN_UN_HARD_SIGMOID: return hard_sigmoid(x, alpha, beta);
    default: return x; /* IDENTITY */
    }
}

#define UN_OP_FN(NAME, OP)                                                                         \
    static void NAME(int32_t n, const float *x, float *y, float alpha, float beta, int mode,       \
                     float lo, float hi)                                                           \
    {                                                                                              \
        int32_t i;                                                                                 \
        if (mode == DNN_ACT_NONE) {                                                                \
            for (i = 0; i < n; i++)                                                                \
                y[i] = un_apply(OP, x[i], alpha, beta);                                            \
        } else {                                                                                   \
            for (i = 0; i < n; i++)                                                                \
                dnn_store_act(y + i, un_apply(OP, x[i], alpha, beta), mode, lo, hi);               \
        }                                                                                          \
    }

UN_OP_FN(un_identity, DNN_UN_IDENTITY)
UN_OP_FN(un_relu, DNN_UN_RELU)
UN_OP_FN(un_sigmoid, DNN_UN_SIGMOID)
UN_OP_FN(un_tanh, DNN_UN_TANH)
UN_OP_FN(un_hard_swish, DNN_UN_HARD_SWISH)
UN_OP_FN(un_exp, DNN_UN_EXP)
UN_OP_FN(un_log, DNN_UN_LOG)
UN_OP_FN(un_sqrt, DNN_UN_SQRT)
UN_OP_FN(un_abs, DNN_UN_ABS)
UN_OP_FN(un_neg, DNN_UN_NEG)
UN_OP_FN(un_reciprocal, DNN_UN_RECIPROCAL)
UN_OP_FN(un_floor, DNN_UN_FLOOR)
UN_OP_FN(un_ceil, DNN_UN_CEIL)
UN_OP_FN(un_erf, DNN_UN_ERF)
UN_OP_FN(un_leaky_relu, DNN_UN_LEAKY_RELU)
UN_OP_FN(un_clip, DNN_UN_CLIP)
UN_OP_FN(un_hard_sigmoid, DNN_UN_HARD_SIGMOID)

typedef void (*un_fn)(int32_t, const float *, float *, float, float, int, float, float);

#define UN_ENTRY(NAME, FN)                                                                         \
    void NAME(const dnn_unary_params *p, const float *x, float *y)                                 \
    {                                                                                              \
        FN(p->size, x, y, p->alpha, p->beta, dnn_act_mode(p->act_min, p->act_max), p->act_min,     \
           p->act_max);                                                                            \
    }

UN_ENTRY(dnn_identity_f32, un_identity)
UN_ENTRY(dnn_relu_f32, un_relu)
UN_ENTRY(dnn_sigmoid_f32, un_sigmoid)
UN_ENTRY(dnn_tanh_f32, un_tanh)
UN_ENTRY(dnn_hard_swish_f32, un_hard_swish)
UN_ENTRY(dnn_exp_f32, un_exp)
UN_ENTRY(dnn_log_f32, un_log)
UN_ENTRY(dnn_sqrt_f32, un_sqrt)
UN_ENTRY(dnn_abs_f32, un_abs)
UN_ENTRY(dnn_neg_f32, un_neg)
UN_ENTRY(dnn_reciprocal_f32, un_reciprocal)
UN_ENTRY(dnn_floor_f32, un_floor)
UN_ENTRY(dnn_ceil_f32, un_ceil)
UN_ENTRY(dnn_erf_f32, un_erf)
UN_ENTRY(dnn_leaky_relu_f32, un_leaky_relu)
UN_ENTRY(dnn_clip_f32, un_clip)
UN_ENTRY(dnn_hard_sigmoid_f32, un_hard_sigmoid)

void dnn_unary_f32(const dnn_unary_params *p, const float *x, float *y)
{
    static const un_fn fns[17] = {un_identity, un_relu,      un_sigmoid,    un_tanh,
                                  un_hard_swish, un_exp,     un_log,        un_sqrt,
                                  un_abs,      un_neg,       un_reciprocal, un_floor,
                                  un_ceil,     un_erf,       un_leaky_relu, un_clip,
                                  un_hard_sigmoid};
    const int mode = dnn_act_mode(p->act_min, p->act_max);
    fns[(uint32_t)p->op < 17u ? p->op : 0](p->size, x, y, p->alpha, p->beta, mode, p->act_min,
                                           p->act_max);
}
