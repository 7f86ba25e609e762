/* dnn_softmax.c - softmax / log-softmax (see dnn_softmax.h). */
#include "dnn_softmax.h"

void dnn_softmax_f32(const dnn_softmax_params *p, const float *x, float *y)
{
    const int32_t A = p->axis, I = p->inner;
    int32_t o, i, a;

    for (o = 0; o < p->outer; o++) {
        for (i = 0; i < I; i++) {
            const float *xp = x + (size_t)o * A * I + i;
            float *yp = y + (size_t)o * A * I + i;
            float m = -INFINITY, s = 0.0f;
            for (a = 0; a < A; a++)
                m = xp[(size_t)a * I] > m ? xp[(size_t)a * I] : m;
            if (p->log) {
                float l;
                for (a = 0; a < A; a++)
                    s += expf(xp[(size_t)a * I] - m);
                /* (x - m) - log(s), not x - (m + log(s)): for large x the sum m + log(s)
                 * would round away the small log(s). */
                l = logf(s);
                for (a = 0; a < A; a++)
                    yp[(size_t)a * I] = (xp[(size_t)a * I] - m) - l;
            } else {
                float inv;
                for (a = 0; a < A; a++) {
                    const float e = expf(xp[(size_t)a * I] - m);
                    yp[(size_t)a * I] = e;
                    s += e;
                }
                inv = 1.0f / s;
                for (a = 0; a < A; a++)
                    yp[(size_t)a * I] *= inv;
            }
        }
    }
}
