/*
 * dnn_layout.h - data movement and conversion: transpose, strided copy (slice,
 * concat, split), pad, gather, resize, cast, per-channel batch-norm fallback.
 *
 * Data movement kernels take an element type (dnn_dtype) so they serve every tensor
 * type; resize and batch-norm are float32 only.
 */
#ifndef DNNOPT_DNN_LAYOUT_H
#define DNNOPT_DNN_LAYOUT_H

#include "dnn_common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dnn_dtype {
    DNN_F32 = 0,
    DNN_I8 = 1,
    DNN_U8 = 2,
    DNN_I16 = 3,
    DNN_U16 = 4,
    DNN_I32 = 5,
    DNN_I64 = 6,
    DNN_BOOL = 7   /* one byte, 0 or 1 */
} dnn_dtype;

/* Bytes per element of `dtype` (0 for an unknown type). */
size_t dnn_dtype_size(int32_t dtype);

/* Transpose: output axis i is input axis perm[i] (output shape[i] = in_shape[perm[i]]).
 * Up to 6-D. */
typedef struct dnn_transpose_params {
    int32_t rank;
    int32_t dtype;
    int32_t in_shape[DNN_MAX_RANK];
    int32_t perm[DNN_MAX_RANK];
} dnn_transpose_params;

void dnn_transpose(const dnn_transpose_params *p, const void *x, void *y);

/* Strided N-d copy: for every index i of `shape`,
 *   dst[dst_offset + sum_d i_d * dst_stride[d]] = src[src_offset + sum_d i_d * src_stride[d]]
 * (element offsets and strides; source strides may be negative). Slice: source
 * offset = sum start_d * stride_d, source strides = input strides * step, destination
 * contiguous. Concat / split: one call per operand, with the destination (source)
 * offset of that operand along the axis and the strides of the whole tensor.
 * Innermost runs that are contiguous on both sides are copied with memcpy. */
typedef struct dnn_copy_params {
    int32_t rank;                   /* 0 .. 6 (0: one element) */
    int32_t dtype;
    int32_t shape[DNN_MAX_RANK];
    int32_t src_offset;
    int32_t src_stride[DNN_MAX_RANK];
    int32_t dst_offset;
    int32_t dst_stride[DNN_MAX_RANK];
} dnn_copy_params;

void dnn_copy_strided(const dnn_copy_params *p, const void *src, void *dst);

/* Pad: output shape[d] = in_shape[d] + pads[d] + pads[rank + d] (begins then ends;
 * negative pads crop). Output index o reads input index o - pads[d] on every axis;
 * outside the input: constant mode writes `value` (converted to dtype), reflect
 * mirrors without repeating the edge (numpy "reflect"), edge repeats the edge. */
typedef enum dnn_pad_mode { DNN_PAD_CONSTANT = 0, DNN_PAD_REFLECT = 1, DNN_PAD_EDGE = 2 } dnn_pad_mode;

typedef struct dnn_pad_params {
    int32_t rank;                       /* 1 .. 6 */
    int32_t dtype;
    int32_t in_shape[DNN_MAX_RANK];
    int32_t pads[2 * DNN_MAX_RANK];     /* rank begins, then rank ends */
    int32_t mode;                       /* dnn_pad_mode */
    float value;
} dnn_pad_params;

void dnn_pad(const dnn_pad_params *p, const void *x, void *y);

/* Gather along one axis: data is outer x axis_dim x inner, indices has n_indices
 * elements (any shape, flattened), y is outer x n_indices x inner:
 *   y[o][j][i] = data[o][idx_j][i],  idx_j += axis_dim when negative.
 * Out-of-range indices (invalid in ONNX) are clamped to [0, axis_dim - 1]. */
typedef struct dnn_gather_params {
    int32_t dtype;          /* element type of data / y */
    int32_t index_dtype;    /* DNN_I32 or DNN_I64 */
    int32_t outer, axis_dim, inner, n_indices;
} dnn_gather_params;

void dnn_gather(const dnn_gather_params *p, const void *data, const void *indices, void *y);

/* Resize (ONNX Resize, float32), any rank up to 6. Enum values are those of the dnn
 * dialect's ResizeMode / CoordMode / NearestMode. Per axis, with s = scales[d] and
 * in = in_shape[d], the output coordinate x maps to
 *   half_pixel:            (x + 0.5) / s - 0.5
 *   asymmetric:            x / s
 *   align_corners:         x * (in - 1) / (s*in - 1)     (0 when s*in == 1)
 *   pytorch_half_pixel:    (x + 0.5) / s - 0.5           (-0.5 when s*in == 1)
 *   tf_half_pixel_for_nn:  (x + 0.5) / s
 * computed in double precision like the ONNX reference implementation.
 * nearest: an integral coordinate is taken as is; otherwise floor or floor + 1 by
 * nearest_mode (round_prefer_floor: fraction <= 0.5 -> floor; round_prefer_ceil:
 * fraction < 0.5 -> floor; floor; ceil). linear: (1-f) * x[floor] + f * x[floor+1] per
 * axis (multilinear). Indices outside the input are clamped to the edge, as the ONNX
 * reference does.
 *
 * The coordinate mapping is a table (dnn_resize_axis entries, out_shape[0] entries
 * for axis 0, then axis 1, ...) that dnn_resize_make_table() computes; the compiler
 * calls it at compile time and emits the table as a const array, so the kernel does
 * no coordinate arithmetic. */
typedef enum dnn_resize_mode { DNN_RESIZE_NEAREST = 0, DNN_RESIZE_LINEAR = 1 } dnn_resize_mode;
typedef enum dnn_coord_mode {
    DNN_COORD_HALF_PIXEL = 0,
    DNN_COORD_ASYMMETRIC = 1,
    DNN_COORD_ALIGN_CORNERS = 2,
    DNN_COORD_PYTORCH_HALF_PIXEL = 3,
    DNN_COORD_TF_HALF_PIXEL_FOR_NN = 4
} dnn_coord_mode;
typedef enum dnn_nearest_mode {
    DNN_NEAREST_ROUND_PREFER_FLOOR = 0,
    DNN_NEAREST_ROUND_PREFER_CEIL = 1,
    DNN_NEAREST_FLOOR = 2,
    DNN_NEAREST_CEIL = 3
} dnn_nearest_mode;

typedef struct dnn_resize_params {
    int32_t rank;
    int32_t in_shape[DNN_MAX_RANK];
    int32_t out_shape[DNN_MAX_RANK];
    float scales[DNN_MAX_RANK];
    int32_t mode;          /* dnn_resize_mode */
    int32_t coord_mode;    /* dnn_coord_mode */
    int32_t nearest_mode;  /* dnn_nearest_mode */
} dnn_resize_params;

/* Output coordinate -> input: y = (1 - w1) * x[i0] + w1 * x[i1] along the axis
 * (nearest: i0 == i1, w1 == 0). */
typedef struct dnn_resize_axis {
    int32_t i0, i1;
    float w1;
} dnn_resize_axis;

/* Number of table entries: sum of out_shape[d]. */
size_t dnn_resize_table_size(const dnn_resize_params *p);
void dnn_resize_make_table(const dnn_resize_params *p, dnn_resize_axis *table);

void dnn_resize_f32(const dnn_resize_params *p, const dnn_resize_axis *table, const float *x,
                    float *y);

/* Element type conversion of `size` elements. Float to integer truncates toward zero
 * and saturates to the target range (NaN -> 0); integer to integer wraps modulo 2^bits
 * (two's complement, like numpy astype); to bool: value != 0; from bool: 0 / 1. */
typedef struct dnn_cast_params {
    int32_t size;
    int32_t from;   /* dnn_dtype */
    int32_t to;     /* dnn_dtype */
} dnn_cast_params;

void dnn_cast(const dnn_cast_params *p, const void *x, void *y);

/* Per-channel affine (batch normalization not folded into a conv):
 * y[n][c][i] = act(x[n][c][i] * scale[c] + shift[c]), with the compiler computing
 * scale = gamma / sqrt(var + eps), shift = beta - mean * scale. y may equal x. */
typedef struct dnn_batchnorm_params {
    int32_t n, c, inner;
    float act_min, act_max;
} dnn_batchnorm_params;

void dnn_batchnorm_f32(const dnn_batchnorm_params *p, const float *x, const float *scale,
                       const float *shift, float *y);

#ifdef __cplusplus
}
#endif

#endif /* DNNOPT_DNN_LAYOUT_H */
