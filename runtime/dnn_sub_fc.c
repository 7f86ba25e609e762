/*
 * dnn_sub_fc.c - fully connected layer with 8-, 4- or 2-bit weights in precision
 * groups, writing a slice of each output row (layout and semantics: dnn_sub.h).
 *
 * Each input row is expanded once into int16 scratch, 4 values per group stored as
 * (x0, x2), (x1, x3) (as dnn_s8_linear.c), shared by all groups. A block of 4 outputs
 * reads, per group of 4 inputs, its 4 weight units: 4 words at 8 bits (dnn_s8's
 * layout), 2 words at 4 bits, 1 word at 2 bits; a sub-byte pair is one AND of the
 * (shifted) word with 0xF000F000 / 0xC000C000 (int16 lanes scaled by 2^12 / 2^14),
 * partial sums of at most 126 groups are shifted back into the 32-bit accumulators.
 * The 0-3 outputs left after the blocks use a plain C loop.
 */
#include "dnn_sub_impl.h"

void dnn_sub_fc_params_init(dnn_sub_fc_params *sp, const dnn_s8_fc_params *fc)
{
    sp->fc = *fc;
    sp->out_stride = fc->out_features;
    sp->out_offset = 0;
}

static int32_t fc_ng(const dnn_s8_fc_params *p)
{
    return (p->in_features + 3) / 4;
}

size_t dnn_sub_fc_scratch_size(const dnn_sub_fc_params *p)
{
    return (size_t)fc_ng(&p->fc) * 4 * sizeof(int16_t);
}

/* x[0..K) -> int16 groups (x0, x2, x1, x3), zeros up to Kp */
static void fc_expand(const int8_t *x, int32_t K, int32_t Kp, int16_t *d)
{
    int32_t k = 0;
#if DNN_S8_DSP
    for (; k + 4 <= K; k += 4) {
        const uint32_t v = s8_ld32(x + k);
        s8_st32(d + k, s8_sxtb16(v));
        s8_st32(d + k + 2, s8_sxtb16_ror8(v));
    }
#endif
    for (; k < Kp; k += 4) {
        d[k] = (int16_t)(k < K ? x[k] : 0);
        d[k + 1] = (int16_t)(k + 2 < K ? x[k + 2] : 0);
        d[k + 2] = (int16_t)(k + 1 < K ? x[k + 1] : 0);
        d[k + 3] = (int16_t)(k + 3 < K ? x[k + 3] : 0);
    }
}

#if DNN_SUB_ASM
/* Naked Thumb-2: r0, r1 the input pairs (x0,x2), (x1,x3) of a group, r2, r3 weight
 * words, r4-r7 the 4 accumulators, r8 inputs, r9 weights, r10 a weight pair, r12 the
 * mask, lr the group counter; acc[o] += sum >> SH. */
#define SUBFC_UNUSED __attribute__((unused))

#define SUBFC_P(c, xr, wr, op) "and    r10, r12, " wr op "\n\t"                             \
                               "smlad  " c ", " xr ", r10, " c "\n\t"
#define SUBFC_S(c, xr, wr, op) "sxtb16 r10, " wr op "\n\t"                                  \
                               "smlad  " c ", " xr ", r10, " c "\n\t"
/* one group of 4 inputs x 4 outputs */
#define SUBFC_G8                                                                           \
    "ldrd   r0, r1, [r8], #8\n\t"                                                          \
    "ldrd   r2, r3, [r9], #8\n\t"                                                          \
    SUBFC_S("r4", "r0", "r2", "") SUBFC_S("r4", "r1", "r2", ", ror #8")                    \
    SUBFC_S("r5", "r0", "r3", "") SUBFC_S("r5", "r1", "r3", ", ror #8")                    \
    "ldrd   r2, r3, [r9], #8\n\t"                                                          \
    SUBFC_S("r6", "r0", "r2", "") SUBFC_S("r6", "r1", "r2", ", ror #8")                    \
    SUBFC_S("r7", "r0", "r3", "") SUBFC_S("r7", "r1", "r3", ", ror #8")
#define SUBFC_G4                                                                           \
    "ldrd   r0, r1, [r8], #8\n\t"                                                          \
    "ldrd   r2, r3, [r9], #8\n\t"                                                          \
    SUBFC_P("r4", "r0", "r2", "") SUBFC_P("r4", "r1", "r2", ", lsl #4")                    \
    SUBFC_P("r5", "r0", "r2", ", lsl #8") SUBFC_P("r5", "r1", "r2", ", lsl #12")           \
    SUBFC_P("r6", "r0", "r3", "") SUBFC_P("r6", "r1", "r3", ", lsl #4")                    \
    SUBFC_P("r7", "r0", "r3", ", lsl #8") SUBFC_P("r7", "r1", "r3", ", lsl #12")
#define SUBFC_G2                                                                           \
    "ldrd   r0, r1, [r8], #8\n\t"                                                          \
    "ldr    r2, [r9], #4\n\t"                                                              \
    SUBFC_P("r4", "r0", "r2", "") SUBFC_P("r4", "r1", "r2", ", lsl #2")                    \
    SUBFC_P("r5", "r0", "r2", ", lsl #4") SUBFC_P("r5", "r1", "r2", ", lsl #6")            \
    SUBFC_P("r6", "r0", "r2", ", lsl #8") SUBFC_P("r6", "r1", "r2", ", lsl #10")           \
    SUBFC_P("r7", "r0", "r2", ", lsl #12") SUBFC_P("r7", "r1", "r2", ", lsl #14")

#define SUBFC_BODY(MASK, G, SH)                                                            \
    "push   {r4-r11, lr}\n\t"                                                              \
    "push   {r3}\n\t"                                                                      \
    "mov    r9, r0\n\t"                                                                    \
    "mov    r8, r1\n\t"                                                                    \
    "mov    lr, r2\n\t" MASK                                                               \
    "movs   r4, #0\n\t"                                                                    \
    "movs   r5, #0\n\t"                                                                    \
    "movs   r6, #0\n\t"                                                                    \
    "movs   r7, #0\n\t"                                                                    \
    "lsrs   lr, lr, #1\n\t"                                                                \
    "bcc    1f\n\t" G                                                                      \
    "1:\n\t"                                                                               \
    "beq    3f\n\t"                                                                        \
    "2:\n\t" G G                                                                           \
    "subs   lr, lr, #1\n\t"                                                                \
    "bne    2b\n\t"                                                                        \
    "3:\n\t"                                                                               \
    "ldr    r3, [sp]\n\t"                                                                  \
    "ldrd   r0, r1, [r3]\n\t"                                                              \
    "add    r0, r0, r4" SH "\n\t"                                                          \
    "add    r1, r1, r5" SH "\n\t"                                                          \
    "strd   r0, r1, [r3]\n\t"                                                              \
    "ldrd   r0, r1, [r3, #8]\n\t"                                                          \
    "add    r0, r0, r6" SH "\n\t"                                                          \
    "add    r1, r1, r7" SH "\n\t"                                                          \
    "strd   r0, r1, [r3, #8]\n\t"                                                          \
    "add    sp, sp, #4\n\t"                                                                \
    "pop    {r4-r11, pc}\n\t"

__attribute__((naked, noinline)) static void fc_w8(const uint32_t *w SUBFC_UNUSED,
                                                   const int16_t *x SUBFC_UNUSED,
                                                   int32_t ng SUBFC_UNUSED,
                                                   int32_t *acc SUBFC_UNUSED)
{
    __asm__ volatile(SUBFC_BODY("", SUBFC_G8, ""));
}

__attribute__((naked, noinline)) static void fc_w4(const uint32_t *w SUBFC_UNUSED,
                                                   const int16_t *x SUBFC_UNUSED,
                                                   int32_t ng SUBFC_UNUSED,
                                                   int32_t *acc SUBFC_UNUSED)
{
    __asm__ volatile(SUBFC_BODY("mov.w  r12, #0xF000F000\n\t", SUBFC_G4, ", asr #12"));
}

__attribute__((naked, noinline)) static void fc_w2(const uint32_t *w SUBFC_UNUSED,
                                                   const int16_t *x SUBFC_UNUSED,
                                                   int32_t ng SUBFC_UNUSED,
                                                   int32_t *acc SUBFC_UNUSED)
{
    __asm__ volatile(SUBFC_BODY("mov.w  r12, #0xC000C000\n\t", SUBFC_G2, ", asr #14"));
}
#endif /* DNN_SUB_ASM */

#if !DNN_SUB_ASM
/* The C version for BITS (a constant at every call). Output o of the block reads unit o % U
 * of word o / U of each group's 4 / U words. DSP: the pairs of the assembly (chunks of 126
 * groups for the scaled sub-byte lanes); portable: exact decoded values. */
static DNN_ALWAYS_INLINE void fc_body(const int32_t BITS, const uint32_t *w, const int16_t *x,
                                      int32_t ng, int32_t acc[4])
{
    const int32_t U = 32 / (4 * BITS), wpg = 4 / U;
#if DNN_S8_DSP
    const int32_t chunk = BITS == 8 ? ng : 126, sh = BITS == 8 ? 0 : 16 - BITS;
    const uint32_t mask = BITS == 4 ? 0xF000F000u : 0xC000C000u;
    while (ng > 0) {
        const int32_t n = ng < chunk ? ng : chunk;
        int32_t c0 = 0, c1 = 0, c2 = 0, c3 = 0, j;
        for (j = 0; j < n; j++, x += 4, w += wpg) {
            const uint32_t xe = s8_ld32(x), xo = s8_ld32(x + 2);
            uint32_t wv;
#define SUBFC_OUT(o, c)                                                                    \
            wv = s8_ld32(w + (o) / U);                                                     \
            if (BITS == 8) {                                                               \
                c = s8_smlad(xe, s8_sxtb16(wv), c);                                        \
                c = s8_smlad(xo, s8_sxtb16_ror8(wv), c);                                   \
            } else {                                                                       \
                c = s8_smlad(xe, (wv << ((BITS * 2 * ((o) % U)) & 31)) & mask, c);         \
                c = s8_smlad(xo, (wv << ((BITS * (2 * ((o) % U) + 1)) & 31)) & mask, c);   \
            }
            SUBFC_OUT(0, c0) SUBFC_OUT(1, c1) SUBFC_OUT(2, c2) SUBFC_OUT(3, c3)
#undef SUBFC_OUT
        }
        acc[0] = (int32_t)((uint32_t)acc[0] + (uint32_t)(c0 >> sh));
        acc[1] = (int32_t)((uint32_t)acc[1] + (uint32_t)(c1 >> sh));
        acc[2] = (int32_t)((uint32_t)acc[2] + (uint32_t)(c2 >> sh));
        acc[3] = (int32_t)((uint32_t)acc[3] + (uint32_t)(c3 >> sh));
        ng -= n;
    }
#else
    uint32_t c0 = (uint32_t)acc[0], c1 = (uint32_t)acc[1], c2 = (uint32_t)acc[2], c3 = (uint32_t)acc[3];
    int32_t j;
    for (j = 0; j < ng; j++, x += 4, w += wpg) {
        uint32_t wv;
        /* x holds (x0, x2, x1, x3): value r of the unit multiplies x[0], x[2], x[1], x[3] */
#define SUBFC_OUT(o, c)                                                                    \
        wv = s8_ld32(w + (o) / U);                                                         \
        c += (uint32_t)(x[0] * sub_unit_val(wv, BITS, (o) % U, 0)) +                       \
             (uint32_t)(x[2] * sub_unit_val(wv, BITS, (o) % U, 1)) +                       \
             (uint32_t)(x[1] * sub_unit_val(wv, BITS, (o) % U, 2)) +                       \
             (uint32_t)(x[3] * sub_unit_val(wv, BITS, (o) % U, 3));
        SUBFC_OUT(0, c0) SUBFC_OUT(1, c1) SUBFC_OUT(2, c2) SUBFC_OUT(3, c3)
#undef SUBFC_OUT
    }
    acc[0] = (int32_t)c0, acc[1] = (int32_t)c1, acc[2] = (int32_t)c2, acc[3] = (int32_t)c3;
#endif
}
#endif /* !DNN_SUB_ASM */

/* acc[o] += sum over ng groups of one block of 4 outputs (weights: the block's first word) */
static void fc_block(int32_t bits, const uint32_t *w, const int16_t *x, int32_t ng, int32_t acc[4])
{
#if DNN_SUB_ASM
    if (bits == 8) {
        fc_w8(w, x, ng, acc);
        return;
    }
    while (ng > 0) { /* at most 126 groups per pass: exact scaled partial sums */
        const int32_t n = ng < 126 ? ng : 126;
        if (bits == 4)
            fc_w4(w, x, n, acc);
        else
            fc_w2(w, x, n, acc);
        w += (size_t)n * 4 / (size_t)sub_units(bits);
        x += 4 * (size_t)n;
        ng -= n;
    }
#else
    if (bits == 8)
        fc_body(8, w, x, ng, acc);
    else if (bits == 4)
        fc_body(4, w, x, ng, acc);
    else
        fc_body(2, w, x, ng, acc);
#endif
}

/* One output whose ng units start at unit ub of the stream (the outputs after the blocks
 * of 4): per unit the word, its two pairs and 2 SMLAD (DSP; sub-byte pairs in chunks of
 * 126 units), or the 4 decoded values (portable). */
static DNN_ALWAYS_INLINE int32_t fc_one_body(const int32_t BITS, const uint32_t *w, size_t ub,
                                             const int16_t *x, int32_t ng, int32_t acc)
{
    const size_t U = (size_t)(32 / (4 * BITS));
    uint32_t c = (uint32_t)acc;
    size_t ui = ub;
#if DNN_S8_DSP
    const int32_t chunk = BITS == 8 ? ng : 126, sh = BITS == 8 ? 0 : 16 - BITS;
    const uint32_t mask = BITS == 4 ? 0xF000F000u : 0xC000C000u;
    while (ng > 0) {
        const int32_t n = ng < chunk ? ng : chunk;
        int32_t p = 0, j;
        for (j = 0; j < n; j++, ui++, x += 4) {
            const uint32_t wv = s8_ld32(w + ui / U);
            if (BITS == 8) {
                p = s8_smlad(s8_ld32(x), s8_sxtb16(wv), p);
                p = s8_smlad(s8_ld32(x + 2), s8_sxtb16_ror8(wv), p);
            } else {
                const uint32_t sw = wv << (2 * BITS * (int32_t)(ui % U)); /* unit to pair 0, 1 */
                p = s8_smlad(s8_ld32(x), sw & mask, p);
                p = s8_smlad(s8_ld32(x + 2), (sw << BITS) & mask, p);
            }
        }
        c += (uint32_t)(p >> sh);
        ng -= n;
    }
#else
    int32_t j;
    for (j = 0; j < ng; j++, ui++, x += 4) {
        const uint32_t wv = s8_ld32(w + ui / U);
        const int32_t u = (int32_t)(ui % U);
        c += (uint32_t)(x[0] * sub_unit_val(wv, BITS, u, 0)) +
             (uint32_t)(x[1] * sub_unit_val(wv, BITS, u, 2)) +
             (uint32_t)(x[2] * sub_unit_val(wv, BITS, u, 1)) +
             (uint32_t)(x[3] * sub_unit_val(wv, BITS, u, 3));
    }
#endif
    return (int32_t)c;
}

static int32_t fc_one(int32_t bits, const uint32_t *w, size_t ub, const int16_t *x, int32_t ng,
                      int32_t acc)
{
    if (bits == 8)
        return fc_one_body(8, w, ub, x, ng, acc);
    if (bits == 4)
        return fc_one_body(4, w, ub, x, ng, acc);
    return fc_one_body(2, w, ub, x, ng, acc);
}

static DNN_ALWAYS_INLINE int8_t fc_out(const dnn_s8_chan *c, int32_t acc, int full, int32_t lo,
                                       int32_t hi)
{
    acc = (int32_t)((uint32_t)acc + (uint32_t)c->bias);
    if (full && c->shift <= -2) /* SMMLA, ASR, SSAT */
        return (int8_t)s8_sat8(s8_smmla(acc, c->mult, c->rnd) >> (-1 - c->shift));
    {
        const s8_rq q = s8_rq_chan(c);
        return s8_out(s8_rq_apply(&q, acc), full, lo, hi);
    }
}

void dnn_sub_fc(const dnn_sub_fc_params *sp, const int8_t *x, const dnn_sub_wgroup *groups,
                int32_t ngroups, int8_t *y, void *scratch)
{
    const dnn_s8_fc_params *p = &sp->fc;
    const int32_t K = p->in_features, ng = fc_ng(p), Kp = 4 * ng;
    const int32_t lo = p->act_min, hi = p->act_max, full = s8_full_range(lo, hi);
    int16_t *xb = (int16_t *)scratch;
    int32_t b, k, j, o;

    for (b = 0; b < p->batch; b++, x += K) {
        int8_t *yr = y + (size_t)b * (size_t)sp->out_stride + sp->out_offset;
        fc_expand(x, K, Kp, xb);
        for (k = 0; k < ngroups; k++) {
            const dnn_sub_wgroup *gw = &groups[k];
            const int32_t bits = gw->bits, U = sub_units(bits), nb = gw->m / 4;
            const uint32_t *w = (const uint32_t *)gw->w;
            int8_t *yg = yr + gw->m0;
            for (j = 0; j < nb; j++) {
                int32_t acc[4] = {0, 0, 0, 0};
                fc_block(bits, w + (size_t)j * 4 * (size_t)ng / (size_t)U, xb, ng, acc);
                for (o = 0; o < 4; o++)
                    yg[4 * j + o] = fc_out(&gw->chan[4 * j + o], acc[o], full, lo, hi);
            }
            for (j = 4 * nb; j < gw->m; j++) {
                const size_t ub = (size_t)nb * 4 * (size_t)ng + (size_t)(j - 4 * nb) * (size_t)ng;
                yg[j] = fc_out(&gw->chan[j], fc_one(bits, w, ub, xb, ng, 0), full, lo, hi);
            }
        }
    }
}
