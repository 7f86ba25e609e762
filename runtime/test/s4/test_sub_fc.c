/*
 * test_sub_fc.c - dnn_sub_fc with 8-, 4-, 2-bit and ternary weights in precision groups,
 * writing a slice of each output row, against an int64 reference (QGemm on the
 * unpacked weights), and against dnn_s8_fc for one dense int8 group.
 */
#include "test_sub_util.h"

#define MAXG 6

static void run_fc(int batch, int K, int N, int transposed, int with_bias, int nparts,
                   const int *bits_of, int pre, int post, int extreme)
{
    dnn_sub_fc_params sp;
    dnn_sub_wgroup wg[MAXG];
    rnd_q q;
    const int ys = pre + N + post;
    const size_t nx = (size_t)batch * K, nw = (size_t)K * N, ny = (size_t)batch * ys;
    int8_t *x = (int8_t *)xalloc(nx), *w = (int8_t *)xalloc(nw), *y = (int8_t *)xalloc(ny);
    int8_t *ref = (int8_t *)xalloc(ny), *pw[MAXG];
    int32_t *bias = (int32_t *)xalloc(sizeof(int32_t) * N), *mult = (int32_t *)xalloc(sizeof(int32_t) * N);
    int32_t *shift = (int32_t *)xalloc(sizeof(int32_t) * N);
    int *nb = (int *)xalloc(sizeof(int) * N), *tern = (int *)xalloc(sizeof(int) * N);
    dnn_s8_chan *chan[MAXG];
    void *scratch;
    int n0[MAXG], cnt[MAXG], b, n, k, g, nsat = 0, o;
    char name[300];

    rnd_quant(&q);
    sp.fc.batch = batch, sp.fc.in_features = K, sp.fc.out_features = N;
    sp.fc.input_zp = extreme ? 0 : q.in_zp, sp.fc.output_zp = extreme ? 0 : q.out_zp;
    sp.fc.act_min = extreme ? -128 : q.lo, sp.fc.act_max = extreme ? 127 : q.hi;
    sp.out_stride = ys, sp.out_offset = pre;
    scratch = xalloc(dnn_sub_fc_scratch_size(&sp));
    /* split N into nparts runs */
    for (g = 0, o = 0; g < nparts; g++) {
        const int left = N - o, parts_left = nparts - g;
        cnt[g] = parts_left == 1 ? left : rnd_int(1, left - parts_left + 1);
        n0[g] = o;
        o += cnt[g];
    }
    for (g = 0; g < nparts; g++)
        for (n = n0[g]; n < n0[g] + cnt[g]; n++)
            nb[n] = bits_of[g] == 3 ? 2 : bits_of[g], tern[n] = bits_of[g] == 3;
    if (extreme) {
        const int xpos = rnd_int(0, 1);
        memset(x, xpos ? 127 : -128, nx);
    } else
        rnd_fill_s8(x, nx, -128, 127);
    for (n = 0; n < N; n++) {
        const double wrms = nb[n] == 8 ? 73.0 : (nb[n] == 4 ? 4.6 : 0.9);
        for (k = 0; k < K; k++) {
            const int v = extreme ? -(1 << (nb[n] - 1)) + tern[n] : rnd_w(nb[n], tern[n]);
            if (transposed)
                w[(size_t)n * K + k] = (int8_t)v;
            else
                w[(size_t)k * N + n] = (int8_t)v;
        }
        bias[n] = extreme ? 0 : rnd_int(-40000, 40000);
        if (extreme)
            dnn_s8_quantize_multiplier(100.0 / ((double)K * 128.0 * (double)(1 << (nb[n] - 1))),
                                       &mult[n], &shift[n]);
        else
            rnd_mult(&mult[n], &shift[n], (int)floor(log2(60.0 / (sqrt((double)K) * 128.0 * wrms)) + 0.5) + 1);
    }
    for (g = 0; g < nparts; g++) {
        const int bits = bits_of[g] == 3 ? 2 : bits_of[g];
        pw[g] = (int8_t *)xalloc(dnn_sub_fc_packed_size(&sp, bits, cnt[g]));
        chan[g] = (dnn_s8_chan *)xalloc(sizeof(dnn_s8_chan) * cnt[g]);
        nsat += dnn_sub_fc_pack(&sp, bits, n0[g], cnt[g], w, transposed, with_bias ? bias : NULL,
                                mult, shift, pw[g], chan[g]);
        wg[g].bits = bits, wg[g].m0 = n0[g], wg[g].m = cnt[g], wg[g].w = pw[g], wg[g].chan = chan[g];
    }
    memset(y, 0x5A, ny);
    memcpy(ref, y, ny);
    dnn_sub_fc(&sp, x, wg, nparts, y, scratch);
    for (b = 0; b < batch; b++)
        for (n = 0; n < N; n++) {
            int64_t acc = with_bias ? bias[n] : 0;
            for (k = 0; k < K; k++)
                acc += (int64_t)(x[(size_t)b * K + k] - sp.fc.input_zp) *
                       (transposed ? w[(size_t)n * K + k] : w[(size_t)k * N + n]);
            ref[(size_t)b * ys + pre + n] =
                ref_out(sp.fc.output_zp + ref_requant_q(acc, mult[n], shift[n]), sp.fc.act_min, sp.fc.act_max);
        }
    o = snprintf(name, sizeof name, "fc%s batch %d K %d N %d%s%s zp %d,%d act[%d,%d] y[%d+%d of %d] bits",
                 extreme ? " extreme" : "", batch, K, N, transposed ? " transB" : "",
                 with_bias ? "" : " nobias", (int)sp.fc.input_zp, (int)sp.fc.output_zp,
                 (int)sp.fc.act_min, (int)sp.fc.act_max, pre, N, ys);
    for (g = 0; g < nparts && o > 0 && (size_t)o < sizeof name; g++)
        o += snprintf(name + o, sizeof name - (size_t)o, " %d:%d%s", bits_of[g] == 3 ? 2 : bits_of[g],
                      cnt[g], bits_of[g] == 3 ? "t" : "");
    if (nsat)
        record(0, name);
    check_s8(name, y, ref, ny);
    digest(y, ny);
    if (nparts == 1 && bits_of[0] == 8 && pre == 0 && post == 0) { /* == dnn_s8 */
        const size_t npk = dnn_s8_fc_packed_size(&sp.fc);
        int8_t *pk8 = (int8_t *)xalloc(npk), *y8 = (int8_t *)xalloc(ny);
        dnn_s8_chan *ch8 = (dnn_s8_chan *)xalloc(sizeof(dnn_s8_chan) * N);
        void *scr8 = xalloc(dnn_s8_fc_scratch_size(&sp.fc));
        char n2[340];
        dnn_s8_fc_pack(&sp.fc, w, transposed, with_bias ? bias : NULL, mult, shift, pk8, ch8);
        snprintf(n2, sizeof n2, "%s [int8 pack == dnn_s8_fc_pack]", name);
        record(npk == dnn_sub_fc_packed_size(&sp, 8, N) && memcmp(pk8, pw[0], npk) == 0 &&
                   memcmp(ch8, chan[0], sizeof(dnn_s8_chan) * N) == 0,
               n2);
        dnn_s8_fc(&sp.fc, x, pk8, ch8, y8, scr8);
        snprintf(n2, sizeof n2, "%s [== dnn_s8_fc]", name);
        check_s8(n2, y, y8, ny);
        free(pk8), free(y8), free(ch8), free(scr8);
    }
    for (g = 0; g < nparts; g++)
        free(pw[g]), free(chan[g]);
    free(x), free(w), free(y), free(ref), free(bias), free(mult), free(shift), free(nb), free(tern);
    free(scratch);
}

void test_sub_fc(void)
{
    static const int b8[1] = {8}, b4[1] = {4}, b2[1] = {2}, bt[1] = {3};
    static const int *one[4] = {b8, b4, b2, bt};
    static const int mix[4] = {8, 4, 2, 3};
    static const int ks[] = {1, 3, 4, 37, 256, 503, 504, 505, 508, 509, 640, 1000};
    int t, i, j;
    for (i = 0; i < 4; i++) {
        run_fc(1, 256, 64, 1, 1, 1, one[i], 0, 0, 0);
        run_fc(1, 64, 10, 0, 1, 1, one[i], 0, 0, 0);
        run_fc(4, 37, 13, 1, 0, 1, one[i], 0, 0, 0);
        run_fc(1, 1, 1, 0, 1, 1, one[i], 0, 0, 0);
        run_fc(1, 640, 128, 1, 1, 1, one[i], 0, 0, 0);
        for (j = 0; j < (int)(sizeof ks / sizeof ks[0]); j++)
            run_fc(1, ks[j], 7, 1, 0, 1, one[i], 0, 0, 1);
    }
    run_fc(2, 100, 32, 1, 1, 4, mix, 3, 2, 0);
    for (t = 0; t < (g_quick ? 30 : 200); t++) {
        int bits[MAXG], nparts, g;
        const int batch = rnd_int(1, 4), K = rnd_int(1, 300), N = rnd_int(1, 21);
        const int tr = rnd_int(0, 1), bias = rnd_int(0, 3) != 0;
        const int pre = rnd_int(0, 1) ? rnd_int(0, 4) : 0, post = rnd_int(0, 1) ? rnd_int(0, 4) : 0;
        nparts = rnd_int(1, N < 4 ? N : 4);
        for (g = 0; g < nparts; g++)
            bits[g] = mix[rnd_int(0, 3)];
        run_fc(batch, K, N, tr, bias, nparts, bits, pre, post, 0);
    }
}
