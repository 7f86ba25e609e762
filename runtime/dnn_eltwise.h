/*
 * dnn_eltwise.h - elementwise kernels: binary ops with numpy broadcasting, unary ops.
 */
#ifndef DNNOPT_DNN_ELTWISE_H
#define DNNOPT_DNN_ELTWISE_H

#include "dnn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Binary ops: y = act(op(a, b)). */
typedef enum dnn_binary_op {
    DNN_BIN_ADD = 0,
    DNN_BIN_SUB = 1,
    DNN_BIN_MUL = 2,
    DNN_BIN_DIV = 3,
    DNN_BIN_MAX = 4,   /* a > b ? a : b */
    DNN_BIN_MIN = 5,   /* a < b ? a : b */
    DNN_BIN_POW = 6,   /* powf(a, b) */
    DNN_BIN_PRELU = 7  /* a < 0 ? b * a : a   (b: slope) */
} dnn_binary_op;

/* Broadcasting is described by strides: for output index (i0, .., i{rank-1}) the
 * operands are a[sum_d i_d * a_stride[d]] and b[sum_d i_d * b_stride[d]] (element
 * strides, 0 on axes the operand is broadcast along). For numpy broadcasting of a
 * tensor of shape S (right-aligned against the output shape), a_stride[d] is the
 * contiguous stride of S on axes where S has the output's size and 0 where S has
 * size 1 or no axis. rank 0 is a single element.
 *
 * Fast paths (after merging contiguous axes and dropping size-1 axes): same shape,
 * scalar operand, per-channel operand (stride pattern {1, 0} / {0, 1} innermost).
 * y may be the same array as a (or b) when that operand is not broadcast
 * (its strides are the output's contiguous strides). */
typedef struct dnn_binary_params {
    int32_t op;                       /* dnn_binary_op */
    int32_t rank;                     /* 0 .. DNN_MAX_RANK */
    int32_t shape[DNN_MAX_RANK];      /* output shape */
    int32_t a_stride[DNN_MAX_RANK];
    int32_t b_stride[DNN_MAX_RANK];
    float act_min, act_max;           /* fused clamp */
} dnn_binary_params;

/* Fills p->rank, p->shape, p->a_stride, p->b_stride from the operand shapes by numpy
 * broadcasting (shapes right-aligned; each output dim is the operands' common size, a
 * size-1 or missing dim broadcasts). Leaves op and the clamp alone. Returns 0, or -1 when
 * the shapes do not broadcast or a rank exceeds DNN_MAX_RANK. For the compiler (one
 * definition of the stride rules) and for tests. */
int dnn_binary_broadcast(dnn_binary_params *p, int32_t a_rank, const int32_t *a_shape,
                         int32_t b_rank, const int32_t *b_shape);

/* Generic entry point: dispatches on p->op (links the code of every op). */
void dnn_binary_f32(const dnn_binary_params *p, const float *a, const float *b, float *y);

/* One entry point per op (p->op is ignored): code that calls only these links only the
 * ops it uses (with -ffunction-sections / --gc-sections). */
void dnn_add_f32(const dnn_binary_params *p, const float *a, const float *b, float *y);
void dnn_sub_f32(const dnn_binary_params *p, const float *a, const float *b, float *y);
void dnn_mul_f32(const dnn_binary_params *p, const float *a, const float *b, float *y);
void dnn_div_f32(const dnn_binary_params *p, const float *a, const float *b, float *y);
void dnn_max_f32(const dnn_binary_params *p, const float *a, const float *b, float *y);
void dnn_min_f32(const dnn_binary_params *p, const float *a, const float *b, float *y);
void dnn_pow_f32(const dnn_binary_params *p, const float *a, const float *b, float *y);
void dnn_prelu_f32(const dnn_binary_params *p, const float *a, const float *b, float *y);

/* Unary ops: y = act(op(x)) over `size` contiguous elements; y may equal x. */
typedef enum dnn_unary_op {
    DNN_UN_IDENTITY = 0,     /* x (with the fused clamp: ONNX Clip) */
    DNN_UN_RELU = 1,         /* max(x, 0) */
    DNN_UN_SIGMOID = 2,      /* 1 / (1 + exp(-x)) */
    DNN_UN_TANH = 3,
    DNN_UN_HARD_SWISH = 4,   /* x * max(0, min(1, x/6 + 1/2)) */
    DNN_UN_EXP = 5,
    DNN_UN_LOG = 6,
    DNN_UN_SQRT = 7,
    DNN_UN_ABS = 8,
    DNN_UN_NEG = 9,
    DNN_UN_RECIPROCAL = 10,  /* 1 / x */
    DNN_UN_FLOOR = 11,
    DNN_UN_CEIL = 12,
    DNN_UN_ERF = 13,
    DNN_UN_LEAKY_RELU = 14,  /* x < 0 ? alpha * x : x */
    DNN_UN_CLIP = 15,        /* min(max(x, alpha), beta) */
    DNN_UN_HARD_SIGMOID = 16 /* max(0, min(1, alpha * x + beta)) */
} dnn_unary_op;

typedef struct dnn_unary_params {
    int32_t op;       /* dnn_unary_op */
    int32_t size;     /* number of elements */
    float alpha;      /* leaky_relu slope, clip min, hard_sigmoid alpha */
    float beta;       /* clip max, hard_sigmoid beta */
    float act_min, act_max; /* fused clamp after the op */
} dnn_unary_params;

/* Generic entry point: dispatches on p->op (links the code of every op). */
void dnn_unary_f32(const dnn_unary_params *p, const float *x, float *y);

/* One entry point per op (p->op is ignored), for the same reason as the binary ones. */
void dnn_identity_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_relu_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_sigmoid_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_tanh_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_hard_swish_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_exp_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_log_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_sqrt_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_abs_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_neg_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_reciprocal_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_floor_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_ceil_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_erf_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_leaky_relu_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_clip_f32(const dnn_unary_params *p, const float *x, float *y);
void dnn_hard_sigmoid_f32(const dnn_unary_params *p, const float *x, float *y);

#ifdef __cplusplus
}
#endif

#endif /* DNNOPT_DNN_ELTWISE_H */
