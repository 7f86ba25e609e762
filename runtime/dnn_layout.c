/* dnn_layout.c - data movement and conversion kernels (see dnn_layout.h). */
#include "dnn_layout.h"

size_t dnn_dtype_size(int32_t dtype)
{
    switch (dtype) {
    case DNN_F32: return 4;
    case DNN_I8: return 1;
    case DNN_U8: return 1;
    case DNN_I16: return 2;
    case DNN_U16: return 2;
    case DNN_I32: return 4;
    case DNN_I64: return 8;
    case DNN_BOOL: return 1;
    default: return 0;
    }
}

/* ---- strided copy engine --------------------------------------------------------------- */

/* One innermost run of n elements of `es` bytes: source / destination strides in
 * elements. */
static void copy_run(const unsigned char *s, ptrdiff_t ss, unsigned char *d, ptrdiff_t ds,
                     int32_t n, size_t es)
{
    int32_t i;
    if (ss == 1 && ds == 1) {
        memcpy(d, s, (size_t)n * es);
        return;
    }
    switch (es) {
    case 1:
        for (i = 0; i < n; i++)
            d[i * ds] = s[i * ss];
        break;
    case 2:
        for (i = 0; i < n; i++)
            memcpy(d + i * ds * 2, s + i * ss * 2, 2);
        break;
    case 4:
        for (i = 0; i < n; i++)
            memcpy(d + i * ds * 4, s + i * ss * 4, 4);
        break;
    default:
        for (i = 0; i < n; i++)
            memcpy(d + i * ds * (ptrdiff_t)es, s + i * ss * (ptrdiff_t)es, es);
        break;
    }
}

/* Bytes, 2-D: d[i * dr + j] = s[i + j * sc] for i < rows, j < cols (a transpose: the
 * source is contiguous along i, the destination along j). Blocks of 4 rows read 4
 * adjacent source bytes per column instead of a strided gather per element (the int8
 * NCHW <-> NHWC transposes around the int8 kernels: ~3 instead of ~22 instructions per
 * byte on Cortex-M4); with few columns (an RGB image) each column runs down all rows. */
static void copy_tile_bytes(const unsigned char *s, ptrdiff_t sc, unsigned char *d, ptrdiff_t dr,
                            int32_t rows, int32_t cols)
{
    int32_t i, j;
    if (cols < 8) {
        for (j = 0; j < cols; j++, s += sc, d++) {
            const unsigned char *sp = s;
            unsigned char *dp = d;
            for (i = 0; i + 4 <= rows; i += 4, sp += 4, dp += 4 * dr) {
                const unsigned char v0 = sp[0], v1 = sp[1], v2 = sp[2], v3 = sp[3];
                dp[0] = v0;
                dp[dr] = v1;
                dp[2 * dr] = v2;
                dp[3 * dr] = v3;
            }
            for (; i < rows; i++, sp++, dp += dr)
                *dp = *sp;
        }
        return;
    }
    for (i = 0; i + 4 <= rows; i += 4, s += 4, d += 4 * dr) {
        const unsigned char *sp = s;
        unsigned char *dp = d;
        for (j = 0; j < cols; j++, sp += sc, dp++) {
            const unsigned char v0 = sp[0], v1 = sp[1], v2 = sp[2], v3 = sp[3];
            dp[0] = v0;
            dp[dr] = v1;
            dp[2 * dr] = v2;
            dp[3 * dr] = v3;
        }
    }
    for (; i < rows; i++, s++, d += dr)
        copy_run(s, sc, d, 1, cols, 1);
}

/* Copies the index space `shape` (rank r) from src to dst with element strides. */
static void strided_copy(int32_t rank, const int32_t *shape_in, size_t es, const unsigned char *src,
                         const int32_t *sst_in, unsigned char *dst, const int32_t *dst_in)
{
    int32_t shape[DNN_MAX_RANK], ss[DNN_MAX_RANK], ds[DNN_MAX_RANK], idx[DNN_MAX_RANK];
    int32_t r = 0, d, tile;
    ptrdiff_t so = 0, dof = 0;
    size_t outer = 1, o;

    for (d = 0; d < rank; d++) { /* drop size-1 axes, merge axes contiguous on both sides */
        if (shape_in[d] == 1)
            continue;
        if (shape_in[d] <= 0)
            return;
        if (r > 0 && ss[r - 1] == sst_in[d] * shape_in[d] && ds[r - 1] == dst_in[d] * shape_in[d]) {
            shape[r - 1] *= shape_in[d];
            ss[r - 1] = sst_in[d];
            ds[r - 1] = dst_in[d];
            continue;
        }
        shape[r] = shape_in[d];
        ss[r] = sst_in[d];
        ds[r] = dst_in[d];
        r++;
    }
    if (r == 0) {
        memcpy(dst, src, es);
        return;
    }
    /* bytes whose last two axes are a transpose: copied as 2-D tiles */
    tile = es == 1 && r >= 2 && ss[r - 2] == 1 && ds[r - 1] == 1 && shape[r - 2] >= 4;
    for (d = 0; d < r - 1 - tile; d++) {
        outer *= (size_t)shape[d];
        idx[d] = 0;
    }
    for (o = 0; o < outer; o++) {
        if (tile)
            copy_tile_bytes(src + so, ss[r - 1], dst + dof, ds[r - 2], shape[r - 2], shape[r - 1]);
        else
            copy_run(src + so * (ptrdiff_t)es, ss[r - 1], dst + dof * (ptrdiff_t)es, ds[r - 1],
                     shape[r - 1], es);
        for (d = r - 2 - tile; d >= 0; d--) {
            so += ss[d];
            dof += ds[d];
            if (++idx[d] < shape[d])
                break;
            so -= (ptrdiff_t)ss[d] * shape[d];
            dof -= (ptrdiff_t)ds[d] * shape[d];
            idx[d] = 0;
        }
    }
}

void dnn_transpose(const dnn_transpose_params *p, const void *x, void *y)
{
    int32_t in_stride[DNN_MAX_RANK], shape[DNN_MAX_RANK], sst[DNN_MAX_RANK], dst[DNN_MAX_RANK];
    int32_t d, acc = 1;
    for (d = p->rank - 1; d >= 0; d--) {
        in_stride[d] = acc;
        acc *= p->in_shape[d];
    }
    acc = 1;
    for (d = p->rank - 1; d >= 0; d--) {
        shape[d] = p->in_shape[p->perm[d]];
        sst[d] = in_stride[p->perm[d]];
        dst[d] = acc;
        acc *= shape[d];
    }
    strided_copy(p->rank, shape, dnn_dtype_size(p->dtype), (const unsigned char *)x, sst,
                 (unsigned char *)y, dst);
}

void dnn_copy_strided(const dnn_copy_params *p, const void *src, void *dst)
{
    const size_t es = dnn_dtype_size(p->dtype);
    strided_copy(p->rank, p->shape, es, (const unsigned char *)src + (ptrdiff_t)p->src_offset * (ptrdiff_t)es,
                 p->src_stride, (unsigned char *)dst + (ptrdiff_t)p->dst_offset * (ptrdiff_t)es,
                 p->dst_stride);
}

/* ---- pad ------------------------------------------------------------------------------- */

/* Input index read by padded index i (= output index - begin pad) on an axis of size
 * n, or -1 for the constant value. */
static int32_t pad_map(int32_t i, int32_t n, int32_t mode)
{
    if (i >= 0 && i < n)
        return i;
    if (mode == DNN_PAD_CONSTANT || n <= 0)
        return -1;
    if (mode == DNN_PAD_EDGE)
        return i < 0 ? 0 : n - 1;
    if (n == 1) /* reflect */
        return 0;
    {
        const int32_t period = 2 * (n - 1);
        int32_t m = i % period;
        if (m < 0)
            m += period;
        return m < n ? m : period - m;
    }
}

/* Writes `count` copies of the element at `val` (es bytes). */
static void fill_elems(unsigned char *d, const unsigned char *val, size_t es, int32_t count)
{
    int32_t i;
    for (i = 0; i < count; i++)
        memcpy(d + (size_t)i * es, val, es);
}

/* The pad value in the element type (cast semantics of dnn_cast). */
static void pad_value_bytes(float v, int32_t dtype, unsigned char out[8])
{
    dnn_cast_params c;
    c.size = 1;
    c.from = DNN_F32;
    c.to = dtype;
    memset(out, 0, 8);
    dnn_cast(&c, &v, out);
}

void dnn_pad(const dnn_pad_params *p, const void *xv, void *yv)
{
    const unsigned char *x = (const unsigned char *)xv;
    unsigned char *y = (unsigned char *)yv;
    const size_t es = dnn_dtype_size(p->dtype);
    const int32_t R = p->rank;
    int32_t oshape[DNN_MAX_RANK], istride[DNN_MAX_RANK], idx[DNN_MAX_RANK];
    unsigned char val[8];
    int32_t d, acc = 1, OL, IL, pb, o_lo, o_hi, o;
    size_t outer = 1, row;

    if (R <= 0)
        return;
    for (d = R - 1; d >= 0; d--) {
        oshape[d] = p->in_shape[d] + p->pads[d] + p->pads[R + d];
        istride[d] = acc;
        acc *= p->in_shape[d];
        if (oshape[d] <= 0)
            return;
    }
    pad_value_bytes(p->value, p->dtype, val);
    OL = oshape[R - 1];
    IL = p->in_shape[R - 1];
    pb = p->pads[R - 1];
    /* output columns [o_lo, o_hi) read input columns o - pb inside [0, IL) */
    o_lo = pb > 0 ? (pb < OL ? pb : OL) : 0;
    o_hi = IL + pb < OL ? IL + pb : OL;
    if (o_hi < o_lo)
        o_hi = o_lo;
    for (d = 0; d < R - 1; d++) {
        outer *= (size_t)oshape[d];
        idx[d] = 0;
    }
    for (row = 0; row < outer; row++) {
        unsigned char *yr = y + row * (size_t)OL * es;
        ptrdiff_t ioff = 0;
        int constant = 0;
        for (d = 0; d < R - 1; d++) {
            const int32_t i = pad_map(idx[d] - p->pads[d], p->in_shape[d], p->mode);
            if (i < 0) {
                constant = 1;
                break;
            }
            ioff += (ptrdiff_t)i * istride[d];
        }
        if (constant || IL <= 0) {
            fill_elems(yr, val, es, OL);
        } else {
            const unsigned char *xr = x + ioff * (ptrdiff_t)es;
            for (o = 0; o < o_lo; o++) {
                const int32_t i = pad_map(o - pb, IL, p->mode);
                memcpy(yr + (size_t)o * es, i < 0 ? val : xr + (size_t)i * es, es);
            }
            if (o_hi > o_lo)
                memcpy(yr + (size_t)o_lo * es, xr + (size_t)(o_lo - pb) * es,
                       (size_t)(o_hi - o_lo) * es);
            for (o = o_hi; o < OL; o++) {
                const int32_t i = pad_map(o - pb, IL, p->mode);
                memcpy(yr + (size_t)o * es, i < 0 ? val : xr + (size_t)i * es, es);
            }
        }
        for (d = R - 2; d >= 0; d--) {
            if (++idx[d] < oshape[d])
                break;
            idx[d] = 0;
        }
    }
}

/* ---- gather ---------------------------------------------------------------------------- */

void dnn_gather(const dnn_gather_params *p, const void *data, const void *indices, void *yv)
{
    const size_t es = dnn_dtype_size(p->dtype), row = (size_t)p->inner * es;
    const unsigned char *x = (const unsigned char *)data;
    unsigned char *y = (unsigned char *)yv;
    int32_t o, j;
    for (o = 0; o < p->outer; o++) {
        for (j = 0; j < p->n_indices; j++) {
            int64_t ix;
            if (p->index_dtype == DNN_I64) {
                memcpy(&ix, (const unsigned char *)indices + (size_t)j * 8, 8);
            } else {
                int32_t i32;
                memcpy(&i32, (const unsigned char *)indices + (size_t)j * 4, 4);
                ix = i32;
            }
            if (ix < 0)
                ix += p->axis_dim;
            if (ix < 0)
                ix = 0;
            if (ix >= p->axis_dim)
                ix = p->axis_dim - 1;
            if (ix < 0) /* axis_dim == 0: nothing to read */
                continue;
            memcpy(y + ((size_t)o * p->n_indices + (size_t)j) * row,
                   x + ((size_t)o * p->axis_dim + (size_t)ix) * row, row);
        }
    }
}

/* ---- resize ---------------------------------------------------------------------------- */

size_t dnn_resize_table_size(const dnn_resize_params *p)
{
    size_t n = 0;
    int32_t d;
    for (d = 0; d < p->rank; d++)
        n += (size_t)(p->out_shape[d] > 0 ? p->out_shape[d] : 0);
    return n;
}

static dnn_resize_axis resize_coord(const dnn_resize_params *p, int32_t d, int32_t xo)
{
    const int32_t in = p->in_shape[d];
    const double s = p->scales[d], x = xo, ow = s * (double)in;
    dnn_resize_axis a;
    double xi, fl, f;
    int32_t i;

    switch (p->coord_mode) {
    case DNN_COORD_ASYMMETRIC: xi = x / s; break;
    case DNN_COORD_ALIGN_CORNERS: xi = ow == 1.0 ? 0.0 : x * (double)(in - 1) / (ow - 1.0); break;
    case DNN_COORD_PYTORCH_HALF_PIXEL: xi = ow == 1.0 ? -0.5 : (x + 0.5) / s - 0.5; break;
    case DNN_COORD_TF_HALF_PIXEL_FOR_NN: xi = (x + 0.5) / s; break;
    default: xi = (x + 0.5) / s - 0.5; break; /* half_pixel */
    }
    if (xi < -2.0)          /* everything left of -1 reads the edge */
        xi = -2.0;
    if (xi > (double)in + 1.0)
        xi = (double)in + 1.0;
    fl = floor(xi);
    i = (int32_t)fl;
    f = xi - fl;
    if (p->mode == DNN_RESIZE_NEAREST) {
        if (f != 0.0) {
            int up;
            switch (p->nearest_mode) {
            case DNN_NEAREST_ROUND_PREFER_CEIL: up = f >= 0.5; break;
            case DNN_NEAREST_FLOOR: up = 0; break;
            case DNN_NEAREST_CEIL: up = 1; break;
            default: up = f > 0.5; break;
            }
            i += up;
        }
        i = i < 0 ? 0 : i >= in ? in - 1 : i;
        a.i0 = a.i1 = i;
        a.w1 = 0.0f;
        return a;
    }
    a.i0 = i < 0 ? 0 : i >= in ? in - 1 : i;
    a.i1 = i + 1 < 0 ? 0 : i + 1 >= in ? in - 1 : i + 1;
    a.w1 = a.i0 == a.i1 ? 0.0f : (float)f;
    return a;
}

void dnn_resize_make_table(const dnn_resize_params *p, dnn_resize_axis *table)
{
    int32_t d, x;
    for (d = 0; d < p->rank; d++)
        for (x = 0; x < p->out_shape[d]; x++)
            *table++ = resize_coord(p, d, x);
}

void dnn_resize_f32(const dnn_resize_params *p, const dnn_resize_axis *table, const float *x,
                    float *y)
{
    const int32_t R = p->rank;
    const dnn_resize_axis *ax[DNN_MAX_RANK];
    int32_t istride[DNN_MAX_RANK], idx[DNN_MAX_RANK];
    int32_t d, acc = 1, OL;
    size_t rows = 1, r;

    if (R <= 0) {
        y[0] = x[0];
        return;
    }
    for (d = R - 1; d >= 0; d--) {
        istride[d] = acc;
        acc *= p->in_shape[d];
        if (p->out_shape[d] <= 0 || p->in_shape[d] <= 0)
            return;
    }
    for (d = 0; d < R; d++) {
        ax[d] = table;
        table += p->out_shape[d];
        idx[d] = 0;
    }
    OL = p->out_shape[R - 1];
    for (d = 0; d < R - 1; d++)
        rows *= (size_t)p->out_shape[d];
    for (r = 0; r < rows; r++) {
        /* the outer axes select up to 2^(R-1) input rows with weights */
        ptrdiff_t roff[1 << (DNN_MAX_RANK - 1)];
        float rw[1 << (DNN_MAX_RANK - 1)];
        int32_t nr = 1, k, j, o;
        roff[0] = 0;
        rw[0] = 1.0f;
        for (d = 0; d < R - 1; d++) {
            const dnn_resize_axis *a = &ax[d][idx[d]];
            if (a->w1 == 0.0f) {
                for (k = 0; k < nr; k++)
                    roff[k] += (ptrdiff_t)a->i0 * istride[d];
            } else {
                for (k = 0; k < nr; k++) {
                    roff[nr + k] = roff[k] + (ptrdiff_t)a->i1 * istride[d];
                    rw[nr + k] = rw[k] * a->w1;
                    roff[k] += (ptrdiff_t)a->i0 * istride[d];
                    rw[k] *= 1.0f - a->w1;
                }
                nr *= 2;
            }
        }
        for (o = 0; o < OL; o++) {
            const dnn_resize_axis *a = &ax[R - 1][o];
            float v = 0.0f;
            if (a->w1 == 0.0f) {
                for (j = 0; j < nr; j++)
                    v += rw[j] * x[roff[j] + a->i0];
            } else {
                for (j = 0; j < nr; j++)
                    v += rw[j] * ((1.0f - a->w1) * x[roff[j] + a->i0] + a->w1 * x[roff[j] + a->i1]);
            }
            y[r * (size_t)OL + (size_t)o] = v;
        }
        for (d = R - 2; d >= 0; d--) {
            if (++idx[d] < p->out_shape[d])
                break;
            idx[d] = 0;
        }
    }
}

/* ---- cast ------------------------------------------------------------------------------ */

/* Reads element i of type `t` as a double (exact for every type but 64-bit integers
 * beyond 2^53) and as a wrapped 64-bit integer. */
static void cast_read(const unsigned char *x, int32_t t, size_t i, double *dv, int64_t *iv, int *isf)
{
    *isf = 0;
    switch (t) {
    case DNN_F32: {
        float f;
        memcpy(&f, x + i * 4, 4);
        *dv = f;
        *isf = 1;
        *iv = 0;
        return;
    }
    case DNN_I8: {
        int8_t v;
        memcpy(&v, x + i, 1);
        *iv = v;
        break;
    }
    case DNN_U8: *iv = x[i]; break;
    case DNN_BOOL: *iv = x[i] != 0; break;
    case DNN_I16: {
        int16_t v;
        memcpy(&v, x + i * 2, 2);
        *iv = v;
        break;
    }
    case DNN_U16: {
        uint16_t v;
        memcpy(&v, x + i * 2, 2);
        *iv = v;
        break;
    }
    case DNN_I32: {
        int32_t v;
        memcpy(&v, x + i * 4, 4);
        *iv = v;
        break;
    }
    default: {
        int64_t v;
        memcpy(&v, x + i * 8, 8);
        *iv = v;
        break;
    }
    }
    *dv = (double)*iv;
}

/* Float to integer of the range [lo, hi]: truncation toward zero, saturated; NaN -> 0. */
static int64_t sat_trunc(double v, double lo, double hi)
{
    if (v != v)
        return 0;
    if (v <= lo)
        return (int64_t)lo;
    if (v >= hi)
        return (int64_t)hi;
    return (int64_t)v;
}

void dnn_cast(const dnn_cast_params *p, const void *xv, void *yv)
{
    const unsigned char *x = (const unsigned char *)xv;
    unsigned char *y = (unsigned char *)yv;
    size_t i, n = (size_t)p->size;

    if (p->from == p->to) {
        memcpy(y, x, n * dnn_dtype_size(p->to));
        return;
    }
    for (i = 0; i < n; i++) {
        double dv;
        int64_t iv;
        int isf;
        cast_read(x, p->from, i, &dv, &iv, &isf);
        switch (p->to) {
        case DNN_F32: {
            const float f = (float)dv;
            memcpy(y + i * 4, &f, 4);
            break;
        }
        case DNN_BOOL: y[i] = isf ? dv != 0.0 : iv != 0; break;
        case DNN_U8:
        case DNN_I8: {
            const uint8_t u = (uint8_t)(uint64_t)(isf ? sat_trunc(dv, p->to == DNN_I8 ? -128.0 : 0.0,
                                                                  p->to == DNN_I8 ? 127.0 : 255.0)
                                                      : iv);
            y[i] = u;
            break;
        }
        case DNN_U16:
        case DNN_I16: {
            const uint16_t u = (uint16_t)(uint64_t)(isf ? sat_trunc(dv, p->to == DNN_I16 ? -32768.0 : 0.0,
                                                                    p->to == DNN_I16 ? 32767.0 : 65535.0)
                                                        : iv);
            memcpy(y + i * 2, &u, 2);
            break;
        }
        case DNN_I32: {
            const uint32_t u = (uint32_t)(uint64_t)(isf ? sat_trunc(dv, -2147483648.0, 2147483647.0) : iv);
            memcpy(y + i * 4, &u, 4);
            break;
        }
        case DNN_I64: {
            /* 2^63 is not representable as int64: saturate just below it */
            const int64_t v = isf ? sat_trunc(dv, -9223372036854775808.0, 9223372036854774784.0) : iv;
            memcpy(y + i * 8, &v, 8);
            break;
        }
        default: break;
        }
    }
}

/* ---- batch norm ------------------------------------------------------------------------ */

void dnn_batchnorm_f32(const dnn_batchnorm_params *p, const float *x, const float *scale,
                       const float *shift, float *y)
{
    const int mode = dnn_act_mode(p->act_min, p->act_max);
    int32_t n, c, i;
    for (n = 0; n < p->n; n++) {
        for (c = 0; c < p->c; c++) {
            const size_t off = ((size_t)n * p->c + c) * p->inner;
            const float s = scale[c], b = shift[c];
            for (i = 0; i < p->inner; i++)
                dnn_store_act(y + off + i, DNN_FMA(x[off + i], s, b), mode, p->act_min, p->act_max);
        }
    }
}
