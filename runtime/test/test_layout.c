/* test_layout.c - transpose, strided copy (slice / concat / split), pad, gather, resize,
 * cast, batch-norm. Data movement is checked bit-exactly on several element types. */
#include "test_util.h"

static const int32_t move_types[4] = {DNN_F32, DNN_I8, DNN_I16, DNN_I64};

static unsigned char *rnd_bytes(size_t n)
{
    unsigned char *p = (unsigned char *)balloc(n);
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = (unsigned char)rnd_u32();
    return p;
}

/* unravel i over shape (rank r, row-major) */
static void unravel(size_t i, int r, const int32_t *shape, int32_t *idx)
{
    int d;
    for (d = r - 1; d >= 0; d--) {
        idx[d] = (int32_t)(i % (size_t)shape[d]);
        i /= (size_t)shape[d];
    }
}

static size_t ravel(int r, const int32_t *shape, const int32_t *idx)
{
    size_t o = 0;
    int d;
    for (d = 0; d < r; d++)
        o = o * (size_t)shape[d] + (size_t)idx[d];
    return o;
}

static size_t prod(int r, const int32_t *shape)
{
    size_t n = 1;
    int d;
    for (d = 0; d < r; d++)
        n *= (size_t)shape[d];
    return n;
}

/* dnn_transpose of random bytes against an element-by-element reference. */
static void check_transpose(const dnn_transpose_params *p)
{
    int32_t oshape[DNN_MAX_RANK], oidx[DNN_MAX_RANK], iidx[DNN_MAX_RANK];
    const int r = p->rank;
    const size_t es = dnn_dtype_size(p->dtype), n = prod(r, p->in_shape);
    unsigned char *x = rnd_bytes(n * es), *y = (unsigned char *)balloc(n * es),
                  *ref = (unsigned char *)balloc(n * es);
    char name[100];
    size_t i;
    int d, j;
    for (d = 0; d < r; d++)
        oshape[d] = p->in_shape[p->perm[d]];
    for (i = 0; i < n; i++) {
        unravel(i, r, oshape, oidx);
        for (j = 0; j < r; j++)
            iidx[p->perm[j]] = oidx[j];
        memcpy(ref + i * es, x + ravel(r, p->in_shape, iidx) * es, es);
    }
    dnn_transpose(p, x, y);
    snprintf(name, sizeof name, "transpose rank %d dtype %d", r, (int)p->dtype);
    check_bytes(name, y, ref, n * es);
    free(x);
    free(y);
    free(ref);
}

static void test_transpose(int count)
{
    /* int8 NCHW <-> NHWC and 2-D transposes (the byte tile path: rows in blocks of 4 and
     * a remainder of 0..3, any column count) */
    static const int32_t fixed[][5] = {
        /* rank, in_shape */
        {4, 1, 3, 96, 96}, {4, 2, 5, 7, 9}, {4, 1, 8, 6, 6}, {4, 3, 1, 4, 5}, {2, 4, 1, 0, 0},
        {2, 7, 3, 0, 0}, {3, 2, 13, 11, 0}, {4, 1, 96, 96, 3}, {4, 2, 9, 7, 5}, {2, 3, 5, 0, 0}};
    static const int32_t perms[2][4] = {{0, 2, 3, 1}, {0, 3, 1, 2}};
    int t, d;
    for (t = 0; t < count; t++) {
        dnn_transpose_params p;
        const int r = rnd_int(1, 6);
        memset(&p, 0, sizeof p);
        p.rank = r;
        p.dtype = move_types[t % 4];
        for (d = 0; d < r; d++) {
            p.in_shape[d] = rnd_int(1, r > 4 ? 3 : 5);
            p.perm[d] = d;
        }
        for (d = r - 1; d > 0; d--) { /* Fisher-Yates */
            const int k = rnd_int(0, d), tmp = p.perm[d];
            p.perm[d] = p.perm[k];
            p.perm[k] = tmp;
        }
        check_transpose(&p);
    }
    for (t = 0; t < (int)(sizeof fixed / sizeof fixed[0]); t++) {
        int k;
        for (k = 0; k < 2; k++) {
            dnn_transpose_params p;
            memset(&p, 0, sizeof p);
            p.rank = fixed[t][0];
            p.dtype = k ? DNN_U8 : DNN_I8;
            for (d = 0; d < p.rank; d++) {
                p.in_shape[d] = fixed[t][1 + d];
                /* rank 4: NCHW -> NHWC or NHWC -> NCHW; rank 2 / 3: the last two swapped */
                p.perm[d] = p.rank == 4 ? perms[k][d] : d;
            }
            if (p.rank < 4) {
                p.perm[p.rank - 1] = p.rank - 2;
                p.perm[p.rank - 2] = p.rank - 1;
            }
            check_transpose(&p);
        }
    }
}

/* Slice with normalized (start, end, step) per axis, steps may be negative. */
static void test_slice(int count)
{
    int t;
    for (t = 0; t < count; t++) {
        dnn_copy_params p;
        int32_t ishape[DNN_MAX_RANK], istride[DNN_MAX_RANK], start[DNN_MAX_RANK], step[DNN_MAX_RANK];
        int32_t oidx[DNN_MAX_RANK], iidx[DNN_MAX_RANK];
        const int r = rnd_int(1, 4);
        int d;
        size_t n, ni, es, i;
        unsigned char *x, *y, *ref;
        int32_t acc = 1;
        char name[100];
        memset(&p, 0, sizeof p);
        p.rank = r;
        p.dtype = move_types[(t + 1) % 4];
        es = dnn_dtype_size(p.dtype);
        for (d = r - 1; d >= 0; d--) {
            ishape[d] = rnd_int(1, 9);
            istride[d] = acc;
            acc *= ishape[d];
        }
        p.src_offset = 0;
        for (d = 0; d < r; d++) {
            int len;
            step[d] = rnd_int(1, 3) * (rnd_int(0, 2) ? 1 : -1);
            start[d] = rnd_int(0, ishape[d] - 1);
            /* number of elements taken: start, start+step, ... inside [0, ishape) */
            len = step[d] > 0 ? (ishape[d] - start[d] + step[d] - 1) / step[d]
                              : (start[d] + 1 + (-step[d]) - 1) / (-step[d]);
            p.shape[d] = rnd_int(1, len);
            p.src_offset += start[d] * istride[d];
            p.src_stride[d] = istride[d] * step[d];
        }
        n = prod(r, p.shape);
        acc = 1;
        for (d = r - 1; d >= 0; d--) {
            p.dst_stride[d] = acc;
            acc *= p.shape[d];
        }
        ni = prod(r, ishape);
        x = rnd_bytes(ni * es);
        y = (unsigned char *)balloc(n * es);
        ref = (unsigned char *)balloc(n * es);
        for (i = 0; i < n; i++) {
            unravel(i, r, p.shape, oidx);
            for (d = 0; d < r; d++)
                iidx[d] = start[d] + oidx[d] * step[d];
            memcpy(ref + i * es, x + ravel(r, ishape, iidx) * es, es);
        }
        dnn_copy_strided(&p, x, y);
        snprintf(name, sizeof name, "slice rank %d dtype %d", r, (int)p.dtype);
        check_bytes(name, y, ref, n * es);
        free(x);
        free(y);
        free(ref);
    }
}

/* Concat k pieces along an axis (one strided copy each), then split back. */
static void test_concat_split(int count)
{
    int t;
    for (t = 0; t < count; t++) {
        const int r = rnd_int(1, 4), axis = rnd_int(0, r - 1), k = rnd_int(1, 4);
        const int32_t dtype = move_types[(t + 2) % 4];
        const size_t es = dnn_dtype_size(dtype);
        int32_t oshape[DNN_MAX_RANK], ostride[DNN_MAX_RANK], sizes[4], idx[DNN_MAX_RANK];
        unsigned char *pieces[4], *y, *ref, *back;
        int d, j, ok = 1;
        int32_t acc = 1, off;
        size_t n, i;
        char name[100];
        for (d = 0; d < r; d++)
            oshape[d] = rnd_int(1, 5);
        oshape[axis] = 0;
        for (j = 0; j < k; j++) {
            sizes[j] = rnd_int(1, 4);
            oshape[axis] += sizes[j];
        }
        for (d = r - 1; d >= 0; d--) {
            ostride[d] = acc;
            acc *= oshape[d];
        }
        n = prod(r, oshape);
        y = (unsigned char *)balloc(n * es);
        ref = (unsigned char *)balloc(n * es);
        off = 0;
        for (j = 0; j < k; j++) {
            int32_t pshape[DNN_MAX_RANK];
            dnn_copy_params p;
            size_t pn;
            memcpy(pshape, oshape, sizeof pshape);
            pshape[axis] = sizes[j];
            pn = prod(r, pshape);
            pieces[j] = rnd_bytes(pn * es);
            memset(&p, 0, sizeof p);
            p.rank = r;
            p.dtype = dtype;
            acc = 1;
            for (d = r - 1; d >= 0; d--) {
                p.shape[d] = pshape[d];
                p.src_stride[d] = acc;
                p.dst_stride[d] = ostride[d];
                acc *= pshape[d];
            }
            p.dst_offset = off * ostride[axis];
            dnn_copy_strided(&p, pieces[j], y);
            for (i = 0; i < pn; i++) { /* reference placement */
                unravel(i, r, pshape, idx);
                idx[axis] += off;
                memcpy(ref + ravel(r, oshape, idx) * es, pieces[j] + i * es, es);
            }
            off += sizes[j];
        }
        snprintf(name, sizeof name, "concat rank %d axis %d pieces %d dtype %d", r, axis, k,
                 (int)dtype);
        check_bytes(name, y, ref, n * es);
        /* split: copy each piece back out of the concatenation */
        off = 0;
        for (j = 0; j < k; j++) {
            int32_t pshape[DNN_MAX_RANK];
            dnn_copy_params p;
            size_t pn;
            memcpy(pshape, oshape, sizeof pshape);
            pshape[axis] = sizes[j];
            pn = prod(r, pshape);
            back = (unsigned char *)balloc(pn * es);
            memset(&p, 0, sizeof p);
            p.rank = r;
            p.dtype = dtype;
            acc = 1;
            for (d = r - 1; d >= 0; d--) {
                p.shape[d] = pshape[d];
                p.dst_stride[d] = acc;
                p.src_stride[d] = ostride[d];
                acc *= pshape[d];
            }
            p.src_offset = off * ostride[axis];
            dnn_copy_strided(&p, y, back);
            ok &= memcmp(back, pieces[j], pn * es) == 0;
            free(back);
            free(pieces[j]);
            off += sizes[j];
        }
        snprintf(name, sizeof name, "split rank %d axis %d pieces %d dtype %d", r, axis, k, (int)dtype);
        record(ok, name);
        free(y);
        free(ref);
    }
}

/* numpy pad semantics, written as repeated reflection */
static int ref_pad_index(int i, int n, int mode)
{
    if (i >= 0 && i < n)
        return i;
    if (mode == DNN_PAD_CONSTANT)
        return -1;
    if (mode == DNN_PAD_EDGE)
        return i < 0 ? 0 : n - 1;
    if (n == 1)
        return 0;
    while (i < 0 || i >= n) {
        if (i < 0)
            i = -i;
        if (i >= n)
            i = 2 * (n - 1) - i;
    }
    return i;
}

static void test_pad(int count)
{
    int t = 0;
    while (t < count) {
        dnn_pad_params p;
        int32_t oshape[DNN_MAX_RANK], oidx[DNN_MAX_RANK], iidx[DNN_MAX_RANK];
        const int r = rnd_int(1, 4);
        const int32_t dtype = move_types[t % 4];
        const size_t es = dnn_dtype_size(dtype);
        unsigned char *x, *y, *ref, val[8];
        size_t n, i;
        int d, bad = 0;
        char name[100];
        memset(&p, 0, sizeof p);
        p.rank = r;
        p.dtype = dtype;
        p.mode = rnd_int(0, 2);
        p.value = dtype == DNN_F32 ? rnd_float(-5, 5) : (float)rnd_int(-100, 100);
        for (d = 0; d < r; d++) {
            p.in_shape[d] = rnd_int(1, 6);
            p.pads[d] = rnd_int(p.mode == DNN_PAD_CONSTANT ? -2 : 0, 4);
            p.pads[r + d] = rnd_int(p.mode == DNN_PAD_CONSTANT ? -2 : 0, 4);
            oshape[d] = p.in_shape[d] + p.pads[d] + p.pads[r + d];
            if (oshape[d] <= 0)
                bad = 1;
        }
        if (bad)
            continue;
        { /* the pad value in the element type */
            dnn_cast_params c;
            c.size = 1;
            c.from = DNN_F32;
            c.to = dtype;
            memset(val, 0, sizeof val);
            dnn_cast(&c, &p.value, val);
        }
        n = prod(r, oshape);
        x = rnd_bytes(prod(r, p.in_shape) * es);
        y = (unsigned char *)balloc(n * es);
        ref = (unsigned char *)balloc(n * es);
        for (i = 0; i < n; i++) {
            int constant = 0;
            unravel(i, r, oshape, oidx);
            for (d = 0; d < r; d++) {
                iidx[d] = ref_pad_index(oidx[d] - p.pads[d], p.in_shape[d], p.mode);
                if (iidx[d] < 0)
                    constant = 1;
            }
            memcpy(ref + i * es, constant ? val : x + ravel(r, p.in_shape, iidx) * es, es);
        }
        dnn_pad(&p, x, y);
        snprintf(name, sizeof name, "pad rank %d mode %d dtype %d", r, (int)p.mode, (int)dtype);
        check_bytes(name, y, ref, n * es);
        free(x);
        free(y);
        free(ref);
        t++;
    }
}

static void test_gather(int count)
{
    int t;
    for (t = 0; t < count; t++) {
        dnn_gather_params p;
        const size_t es = dnn_dtype_size(move_types[t % 4]);
        unsigned char *x, *y, *ref;
        void *idx;
        int o, j;
        char name[100];
        memset(&p, 0, sizeof p);
        p.dtype = move_types[t % 4];
        p.index_dtype = (t & 1) ? DNN_I64 : DNN_I32;
        p.outer = rnd_int(1, 4);
        p.axis_dim = rnd_int(1, 7);
        p.inner = rnd_int(1, 5);
        p.n_indices = rnd_int(1, 9);
        x = rnd_bytes((size_t)p.outer * p.axis_dim * p.inner * es);
        y = (unsigned char *)balloc((size_t)p.outer * p.n_indices * p.inner * es);
        ref = (unsigned char *)balloc((size_t)p.outer * p.n_indices * p.inner * es);
        idx = balloc((size_t)p.n_indices * 8);
        for (j = 0; j < p.n_indices; j++) {
            const int v = rnd_int(-p.axis_dim, p.axis_dim - 1);
            if (p.index_dtype == DNN_I64) {
                const int64_t v64 = v;
                memcpy((unsigned char *)idx + (size_t)j * 8, &v64, 8);
            } else {
                const int32_t v32 = v;
                memcpy((unsigned char *)idx + (size_t)j * 4, &v32, 4);
            }
            for (o = 0; o < p.outer; o++)
                memcpy(ref + (((size_t)o * p.n_indices + j) * p.inner) * es,
                       x + (((size_t)o * p.axis_dim + (v < 0 ? v + p.axis_dim : v)) * p.inner) * es,
                       (size_t)p.inner * es);
        }
        dnn_gather(&p, x, idx, y);
        snprintf(name, sizeof name, "gather outer %d axis %d inner %d n %d idx %s", (int)p.outer,
                 (int)p.axis_dim, (int)p.inner, (int)p.n_indices,
                 p.index_dtype == DNN_I64 ? "i64" : "i32");
        check_bytes(name, y, ref, (size_t)p.outer * p.n_indices * p.inner * es);
        free(x);
        free(y);
        free(ref);
        free(idx);
    }
}

/* ---- resize: the ONNX reference algorithm (recursive 1-D interpolation, 2 neighbors
 * chosen among the edge-padded axis, coefficients from the fractional part) ---- */

static double coord_ref(const dnn_resize_params *p, int d, int x)
{
    const double s = p->scales[d], in = p->in_shape[d], ow = s * in;
    switch (p->coord_mode) {
    case DNN_COORD_ASYMMETRIC: return x / s;
    case DNN_COORD_ALIGN_CORNERS: return ow == 1 ? 0 : x * (in - 1) / (ow - 1);
    case DNN_COORD_PYTORCH_HALF_PIXEL: return ow == 1 ? -0.5 : (x + 0.5) / s - 0.5;
    case DNN_COORD_TF_HALF_PIXEL_FOR_NN: return (x + 0.5) / s;
    default: return (x + 0.5) / s - 0.5;
    }
}

static double resize_ref(const dnn_resize_params *p, const float *x, int d, size_t base,
                         const int32_t *oidx, const int32_t *istride)
{
    const int n = p->in_shape[d];
    const double xo = coord_ref(p, d, oidx[d]);
    double ratio, c0, c1, v0, v1;
    int lo, k, idx[2], cand[64], nc = 0;
    if (d == p->rank)
        return x[base];
    /* ratio in (0, 1]: an integral coordinate takes ratio 1 (the left neighbor gets 0) */
    ratio = xo == floor(xo) ? 1.0 : xo - floor(xo);
    if (p->mode == DNN_RESIZE_LINEAR) {
        c0 = 1 - ratio;
        c1 = ratio;
    } else if (ratio == 1.0) {
        c0 = 0;
        c1 = 1;
    } else {
        int up;
        switch (p->nearest_mode) {
        case DNN_NEAREST_ROUND_PREFER_CEIL: up = ratio >= 0.5; break;
        case DNN_NEAREST_FLOOR: up = 0; break;
        case DNN_NEAREST_CEIL: up = 1; break;
        default: up = ratio > 0.5; break;
        }
        c0 = !up;
        c1 = up;
    }
    /* the 2 indices of the padded axis [-1, n] nearest to xo, ties to the smaller */
    for (k = -1; k <= n; k++)
        cand[nc++] = k;
    for (k = 0; k < 2; k++) {
        int best = -1, b;
        for (b = 0; b < nc; b++) {
            if (cand[b] == 1000)
                continue;
            if (best < 0 || fabs(xo - cand[b]) < fabs(xo - cand[best]))
                best = b;
        }
        idx[k] = cand[best];
        cand[best] = 1000;
    }
    if (idx[0] > idx[1]) {
        lo = idx[0];
        idx[0] = idx[1];
        idx[1] = lo;
    }
    for (k = 0; k < 2; k++)
        idx[k] = idx[k] < 0 ? 0 : idx[k] >= n ? n - 1 : idx[k];
    v0 = c0 != 0 ? resize_ref(p, x, d + 1, base + (size_t)idx[0] * istride[d], oidx, istride) : 0;
    v1 = c1 != 0 ? resize_ref(p, x, d + 1, base + (size_t)idx[1] * istride[d], oidx, istride) : 0;
    return c0 * v0 + c1 * v1;
}

static void run_resize(int rank, const int32_t *ishape, const float *scales, const int32_t *oshape,
                       int mode, int coord, int nearest)
{
    dnn_resize_params p;
    int32_t istride[DNN_MAX_RANK], oidx[DNN_MAX_RANK];
    size_t ni, no, i;
    float *x, *y;
    double *ref;
    int d;
    int32_t acc = 1;
    char name[160];
    memset(&p, 0, sizeof p);
    p.rank = rank;
    p.mode = mode;
    p.coord_mode = coord;
    p.nearest_mode = nearest;
    for (d = rank - 1; d >= 0; d--) {
        p.in_shape[d] = ishape[d];
        p.out_shape[d] = oshape[d];
        p.scales[d] = scales[d];
        istride[d] = acc;
        acc *= ishape[d];
    }
    ni = prod(rank, p.in_shape);
    no = prod(rank, p.out_shape);
    x = falloc(ni);
    y = falloc(no);
    ref = dalloc(no);
    rnd_fill(x, ni, -2, 2);
    for (i = 0; i < no; i++) {
        unravel(i, rank, p.out_shape, oidx);
        ref[i] = resize_ref(&p, x, 0, 0, oidx, istride);
    }
    {
        dnn_resize_axis *table = (dnn_resize_axis *)balloc(dnn_resize_table_size(&p) * sizeof *table);
        dnn_resize_make_table(&p, table);
        dnn_resize_f32(&p, table, x, y);
        free(table);
    }
    snprintf(name, sizeof name, "resize %s coord %d nearest %d rank %d %dx%d -> %dx%d",
             mode ? "linear" : "nearest", coord, nearest, rank, (int)ishape[rank - 2],
             (int)ishape[rank - 1], (int)oshape[rank - 2], (int)oshape[rank - 1]);
    check_f32(name, y, ref, NULL, no, 1e-5, 1e-6);
    free(x);
    free(y);
    free(ref);
}

static void test_resize(void)
{
    static const float sc[8] = {0.5f, 0.6f, 0.75f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f};
    int mode, coord, nearest, t;
    for (mode = 0; mode <= 1; mode++)
        for (coord = 0; coord <= 4; coord++)
            for (nearest = 0; nearest <= (mode ? 0 : 3); nearest++)
                for (t = 0; t < 4; t++) {
                    int32_t ishape[4], oshape[4];
                    float scales[4] = {1.0f, 1.0f, 1.0f, 1.0f};
                    int d;
                    ishape[0] = 1;
                    ishape[1] = rnd_int(1, 3);
                    ishape[2] = rnd_int(1, 7);
                    ishape[3] = rnd_int(1, 8);
                    for (d = 0; d < 4; d++) {
                        if (d >= 2)
                            scales[d] = sc[rnd_int(0, 7)];
                        oshape[d] = (int32_t)floorf((float)ishape[d] * scales[d]);
                        if (oshape[d] < 1) {
                            oshape[d] = 1;
                        }
                        if (t == 3 && d >= 2) /* "sizes" form: scale = out / in */
                            scales[d] = (float)oshape[d] / (float)ishape[d];
                    }
                    run_resize(4, ishape, scales, oshape, mode, coord, nearest);
                }
    { /* 3-D (1-D signals) and a resize of the channel axis */
        const int32_t i3[3] = {1, 2, 9}, o3[3] = {1, 2, 22}, ic[3] = {2, 3, 4}, oc[3] = {2, 6, 4};
        const float s3[3] = {1.0f, 1.0f, 2.5f}, sc3[3] = {1.0f, 2.0f, 1.0f};
        run_resize(3, i3, s3, o3, 1, 0, 0);
        run_resize(3, i3, s3, o3, 0, 1, 2);
        run_resize(3, ic, sc3, oc, 1, 3, 0);
    }
}

/* ---- cast ---- */

static int64_t ref_wrap(int64_t v, int32_t to)
{
    switch (to) {
    case DNN_I8: { const uint64_t u = (uint64_t)v & 0xFFu; return u >= 0x80u ? (int64_t)u - 0x100 : (int64_t)u; }
    case DNN_U8: return (int64_t)((uint64_t)v & 0xFFu);
    case DNN_I16: { const uint64_t u = (uint64_t)v & 0xFFFFu; return u >= 0x8000u ? (int64_t)u - 0x10000 : (int64_t)u; }
    case DNN_U16: return (int64_t)((uint64_t)v & 0xFFFFu);
    case DNN_I32: { const uint64_t u = (uint64_t)v & 0xFFFFFFFFu; return u >= 0x80000000u ? (int64_t)u - 0x100000000ll : (int64_t)u; }
    default: return v;
    }
}

static void range_of(int32_t t, double *lo, double *hi)
{
    switch (t) {
    case DNN_I8: *lo = -128; *hi = 127; break;
    case DNN_U8: *lo = 0; *hi = 255; break;
    case DNN_I16: *lo = -32768; *hi = 32767; break;
    case DNN_U16: *lo = 0; *hi = 65535; break;
    case DNN_I32: *lo = -2147483648.0; *hi = 2147483647.0; break;
    default: *lo = -9223372036854775808.0; *hi = 9223372036854774784.0; break;
    }
}

static void store_int(unsigned char *dst, int32_t t, int64_t v)
{
    switch (t) {
    case DNN_I8: case DNN_U8: case DNN_BOOL: { const uint8_t u = (uint8_t)((uint64_t)v & 0xFF); memcpy(dst, &u, 1); break; }
    case DNN_I16: case DNN_U16: { const uint16_t u = (uint16_t)((uint64_t)v & 0xFFFF); memcpy(dst, &u, 2); break; }
    case DNN_I32: { const uint32_t u = (uint32_t)((uint64_t)v & 0xFFFFFFFFu); memcpy(dst, &u, 4); break; }
    default: memcpy(dst, &v, 8); break;
    }
}

static void test_cast(void)
{
    static const float fvals[] = {0.0f, -0.0f, 1.5f, -1.5f, 2.7f, -2.7f, 127.9f, 128.5f, -129.0f,
                                  255.5f, 300.0f, -300.0f, 40000.0f, -40000.0f, 3e9f, -3e9f, 1e20f,
                                  -1e20f, INFINITY, -INFINITY, NAN, 0.4f, -0.999f, 65535.9f};
    static const int64_t ivals[] = {0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768, -32769,
                                    65535, 65536, 2147483647ll, -2147483648ll, 4294967296ll + 5,
                                    -9223372036854775807ll - 1, 9223372036854775807ll, 1000000007ll};
    static const int32_t types[8] = {DNN_F32, DNN_I8, DNN_U8, DNN_I16, DNN_U16, DNN_I32, DNN_I64, DNN_BOOL};
    int fi, ti;
    for (fi = 0; fi < 8; fi++)
        for (ti = 0; ti < 8; ti++) {
            const int32_t from = types[fi], to = types[ti];
            const size_t fes = dnn_dtype_size(from), tes = dnn_dtype_size(to);
            const size_t n = from == DNN_F32 ? sizeof fvals / sizeof fvals[0] : sizeof ivals / sizeof ivals[0];
            unsigned char *x = (unsigned char *)balloc(n * fes), *y = (unsigned char *)balloc(n * tes);
            unsigned char *ref = (unsigned char *)balloc(n * tes);
            dnn_cast_params p;
            size_t i;
            char name[64];
            for (i = 0; i < n; i++) {
                double dv;
                int64_t iv;
                int isf = from == DNN_F32;
                if (isf) {
                    memcpy(x + i * 4, &fvals[i], 4);
                    dv = fvals[i];
                    iv = 0;
                } else {
                    /* the source value as stored in `from` */
                    iv = from == DNN_BOOL ? (ivals[i] != 0) : ref_wrap(ivals[i], from);
                    store_int(x + i * fes, from, iv);
                    dv = (double)iv;
                }
                if (to == DNN_F32) {
                    const float f = (float)dv;
                    memcpy(ref + i * 4, &f, 4);
                } else if (to == DNN_BOOL) {
                    ref[i] = isf ? (dv != 0) : (iv != 0);
                } else if (isf) {
                    double lo, hi, tv;
                    range_of(to, &lo, &hi);
                    tv = dv != dv ? 0 : dv < lo ? lo : dv > hi ? hi : trunc(dv);
                    store_int(ref + i * tes, to, (int64_t)tv);
                } else {
                    store_int(ref + i * tes, to, ref_wrap(iv, to));
                }
            }
            if (from == to && from == DNN_F32) { /* NaN payloads: compare the copy bit-exactly */
                memcpy(ref, x, n * 4);
            }
            p.size = (int32_t)n;
            p.from = from;
            p.to = to;
            dnn_cast(&p, x, y);
            snprintf(name, sizeof name, "cast %d -> %d", (int)from, (int)to);
            check_bytes(name, y, ref, n * tes);
            free(x);
            free(y);
            free(ref);
        }
}

static void test_batchnorm(void)
{
    int t;
    for (t = 0; t < 10; t++) {
        dnn_batchnorm_params p;
        size_t n, i;
        float *x, *sc, *sh, *y;
        double *ref;
        char name[80];
        memset(&p, 0, sizeof p);
        p.n = rnd_int(1, 2);
        p.c = rnd_int(1, 6);
        p.inner = rnd_int(1, 30);
        rnd_act(&p.act_min, &p.act_max);
        n = (size_t)p.n * p.c * p.inner;
        x = falloc(n);
        sc = falloc((size_t)p.c);
        sh = falloc((size_t)p.c);
        ref = dalloc(n);
        rnd_fill(x, n, -3, 3);
        rnd_fill(sc, (size_t)p.c, -2, 2);
        rnd_fill(sh, (size_t)p.c, -1, 1);
        for (i = 0; i < n; i++) {
            const size_t c = (i / (size_t)p.inner) % (size_t)p.c;
            ref[i] = ref_act((double)x[i] * sc[c] + sh[c], p.act_min, p.act_max);
        }
        y = (t & 1) ? x : falloc(n);
        dnn_batchnorm_f32(&p, x, sc, sh, y);
        snprintf(name, sizeof name, "batchnorm n %d c %d inner %d%s", (int)p.n, (int)p.c,
                 (int)p.inner, (t & 1) ? " in place" : "");
        check_f32(name, y, ref, NULL, n, 1e-6, 1e-6);
        free(x);
        if (!(t & 1))
            free(y);
        free(sc);
        free(sh);
        free(ref);
    }
}

void test_layout(void)
{
    const int before = g_pass + g_fail;
    test_transpose(120);
    test_slice(100);
    test_concat_split(60);
    test_pad(120);
    test_gather(40);
    test_resize();
    test_cast();
    test_batchnorm();
    printf("layout: %d checks\n", g_pass + g_fail - before);
}
