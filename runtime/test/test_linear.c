/* test_linear.c - dnn_fc_f32 (with packing) and dnn_matmul_f32 against plain loops. */
#include "test_util.h"

static void run_fc(int batch, int k, int n, int b_transposed, float alpha, int bias)
{
    dnn_fc_params p;
    float *x, *b, *bias_v, *pw, *y;
    double *ref, *mag;
    int r, j, i;
    char name[160];

    memset(&p, 0, sizeof p);
    p.batch = batch;
    p.in_features = k;
    p.out_features = n;
    rnd_act(&p.act_min, &p.act_max);
    x = falloc((size_t)batch * k);
    b = falloc((size_t)k * n);
    bias_v = falloc((size_t)n);
    pw = falloc(dnn_fc_packed_size(&p));
    y = falloc((size_t)batch * n);
    ref = dalloc((size_t)batch * n);
    mag = dalloc((size_t)batch * n);
    rnd_fill(x, (size_t)batch * k, -1, 1);
    rnd_fill(b, (size_t)k * n, -1, 1);
    rnd_fill(bias_v, (size_t)n, -1, 1);

    dnn_fc_pack_weights(&p, b, b_transposed, alpha, pw);
    dnn_fc_f32(&p, x, pw, bias ? bias_v : NULL, y);
    for (r = 0; r < batch; r++)
        for (j = 0; j < n; j++) {
            double acc = bias ? bias_v[j] : 0.0, m = bias ? fabs(bias_v[j]) : 0.0;
            for (i = 0; i < k; i++) {
                /* B' is K x N: element (i, j) */
                const double bij = b_transposed ? b[(size_t)j * k + i] : b[(size_t)i * n + j];
                const double t = (double)x[(size_t)r * k + i] * ((double)alpha * bij);
                acc += t;
                m += fabs(t);
            }
            ref[(size_t)r * n + j] = ref_act(acc, p.act_min, p.act_max);
            mag[(size_t)r * n + j] = m;
        }
    snprintf(name, sizeof name, "fc batch %d K %d N %d transB %d alpha %g act[%g,%g]%s", batch, k,
             n, b_transposed, (double)alpha, (double)p.act_min, (double)p.act_max,
             bias ? "" : " nobias");
    if (dnn_fc_packed_size(&p) != (size_t)k * n)
        record(0, "fc packed size");
    check_f32(name, y, ref, mag, (size_t)batch * n, 1e-5, 1e-6);
    free(x);
    free(b);
    free(bias_v);
    free(pw);
    free(y);
    free(ref);
    free(mag);
}

/* numpy matmul with broadcast batch dims: a is [ab..][m][k], b is [bb..][k][n]. */
static void run_matmul(void)
{
    dnn_matmul_params p;
    int ashape[4], bshape[4], oshape[4], rank = rnd_int(0, 3), d;
    size_t asz = 1, bsz = 1, osz = 1, t;
    int astr[4], bstr[4];
    float *a, *b, *y;
    double *ref, *mag;
    char name[200];

    memset(&p, 0, sizeof p);
    p.m = rnd_int(1, 9);
    p.k = rnd_int(1, 19);
    p.n = rnd_int(1, 21);
    rnd_act(&p.act_min, &p.act_max);
    p.batch_rank = rank;
    for (d = 0; d < rank; d++) {
        const int sz = rnd_int(1, 3), which = rnd_int(0, 3);
        oshape[d] = sz;
        ashape[d] = which == 1 ? 1 : sz;
        bshape[d] = which == 2 ? 1 : sz;
    }
    { /* contiguous strides of a and b (in batch dims), 0 where broadcast */
        int sa = p.m * p.k, sb = p.k * p.n;
        for (d = rank - 1; d >= 0; d--) {
            astr[d] = ashape[d] == 1 ? 0 : sa;
            bstr[d] = bshape[d] == 1 ? 0 : sb;
            sa *= ashape[d];
            sb *= bshape[d];
            p.batch_shape[d] = oshape[d];
            p.a_batch_stride[d] = astr[d];
            p.b_batch_stride[d] = bstr[d];
        }
        asz = (size_t)sa;
        bsz = (size_t)sb;
    }
    for (d = 0; d < rank; d++)
        osz *= (size_t)oshape[d];
    a = falloc(asz);
    b = falloc(bsz);
    y = falloc(osz * p.m * p.n);
    ref = dalloc(osz * p.m * p.n);
    mag = dalloc(osz * p.m * p.n);
    rnd_fill(a, asz, -1, 1);
    rnd_fill(b, bsz, -1, 1);
    dnn_matmul_f32(&p, a, b, y);
    for (t = 0; t < osz; t++) {
        size_t rem = t, ao = 0, bo = 0;
        int i, j, kk;
        for (d = rank - 1; d >= 0; d--) {
            const size_t id = rem % (size_t)oshape[d];
            rem /= (size_t)oshape[d];
            ao += id * (size_t)astr[d];
            bo += id * (size_t)bstr[d];
        }
        for (i = 0; i < p.m; i++)
            for (j = 0; j < p.n; j++) {
                double acc = 0, m = 0;
                for (kk = 0; kk < p.k; kk++) {
                    const double v = (double)a[ao + (size_t)i * p.k + kk] * b[bo + (size_t)kk * p.n + j];
                    acc += v;
                    m += fabs(v);
                }
                ref[(t * p.m + i) * p.n + j] = ref_act(acc, p.act_min, p.act_max);
                mag[(t * p.m + i) * p.n + j] = m;
            }
    }
    snprintf(name, sizeof name, "matmul batch rank %d m %d k %d n %d", rank, (int)p.m, (int)p.k,
             (int)p.n);
    check_f32(name, y, ref, mag, osz * p.m * p.n, 1e-5, 1e-6);
    free(a);
    free(b);
    free(y);
    free(ref);
    free(mag);
}

void test_linear(void)
{
    const int before = g_pass + g_fail;
    int i;
    for (i = 0; i < 150; i++)
        run_fc(rnd_int(1, 5), rnd_int(1, 70), rnd_int(1, 37), rnd_int(0, 1),
               rnd_int(0, 3) ? 1.0f : rnd_float(-2, 2), rnd_int(0, 3) != 0);
    run_fc(1, 256, 64, 1, 1.0f, 1);
    run_fc(1, 640, 128, 0, 0.5f, 1);
    run_fc(4, 256, 64, 1, 1.0f, 0);
    run_fc(3, 1, 1, 0, 1.0f, 1);
    for (i = 0; i < 80; i++)
        run_matmul();
    printf("linear: %d checks\n", g_pass + g_fail - before);
}
