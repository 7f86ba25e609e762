/*
 * conv_cases.h - the convolution shapes of the int8 (s8/test_s8_conv.c) and the sub-byte
 * weight (s4/test_sub_conv.c) kernel tests, one table in the order each suite runs them
 * (the order fixes the random draws, and so the cases and the s4 digest).
 * CONV_CASES(X) expands X(suites, tag, n, c, h, w, m, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr,
 * g) for every case; suites is IN_S8, IN_S4 or IN_BOTH, the suites that run it.
 */
#ifndef DNNOPT_TEST_CONV_CASES_H
#define DNNOPT_TEST_CONV_CASES_H

#define IN_S8 1
#define IN_S4 2
#define IN_BOTH (IN_S8 | IN_S4)

/* clang-format off */
#define CONV_CASES(X) \
    /* suites   tag                           n  c   h   w   m  kh kw sh sw dh dw pt pl pb pr g */ \
    X(IN_BOTH, "pointwise",                  1, 16,  5,  7, 12, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1) \
    X(IN_BOTH, "pointwise c%4",              1,  6,  4,  5,  9, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1) \
    X(IN_BOTH, "pointwise s2",               2, 16,  9,  9, 32, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 1) \
    X(IN_BOTH, "pointwise small K, 2 blocks", 1, 4, 20, 20,  5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1) \
    X(IN_BOTH, "pointwise 1-D",              1, 32,  1, 37,  8, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1) \
    X(IN_S8,   "pointwise K=8 3 blocks",     2,  8, 23, 29, 16, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1) \
    X(IN_S8,   "pointwise pad 1 (not direct)", 1, 8, 4,  5,  8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1) \
    X(IN_BOTH, "conv 3x3 pad 1",             1, 16,  8,  8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1) \
    X(IN_BOTH, "conv 3x3 s2 pad 1",          1,  8, 11,  9, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1) \
    X(IN_BOTH, "first conv 3->8 s2 pad 0/1", 1,  3, 24, 24,  8, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 1) \
    /* 3 rows of 9 bytes (K = 27): the register-assembled im2col */ \
    X(IN_S8,   "first conv 3->8 s1 pad 1",   2,  3, 13, 11,  8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1) \
    X(IN_S8,   "conv 3x1 on 9 channels",     1,  9,  7,  6,  5, 3, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1) \
    X(IN_S8,   "conv 3x9 on 1 channel s2",   1,  1, 12, 20,  4, 3, 9, 2, 2, 1, 1, 1, 0, 1, 0, 1) \
    X(IN_BOTH, "DS-CNN conv 10x4 s2",        1,  1, 49, 10, 16, 10, 4, 2, 2, 1, 1, 4, 1, 5, 1, 1) \
    X(IN_BOTH, "conv 5x5 pad 2 c%4",         2,  5,  9,  7,  7, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1) \
    X(IN_BOTH, "conv dilated",               1,  8, 12, 12,  6, 3, 3, 1, 1, 2, 3, 2, 3, 2, 3, 1) \
    X(IN_BOTH, "conv pads > kernel",         1,  4,  3,  3,  4, 2, 2, 1, 1, 1, 1, 3, 3, 3, 3, 1) \
    X(IN_BOTH, "conv 1-D k5 d4 causal",      1, 32,  1, 40, 16, 1, 5, 1, 1, 1, 4, 0, 16, 0, 0, 1) \
    X(IN_BOTH, "grouped",                    1, 12,  6,  6,  9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3) \
    X(IN_BOTH, "dw 3x3 s1 pad 1",            1, 16,  8, 12, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 16) \
    X(IN_BOTH, "dw 3x3 s1 pad 1 c%4",        2,  7,  9,  9,  7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 7) \
    X(IN_BOTH, "dw 3x3 s2 pad 1",            1, 12, 12, 10, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 12) \
    X(IN_BOTH, "dw 3x3 s2 pad 0/1",          1,  8,  6,  6,  8, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 8) \
    X(IN_BOTH, "dw 3x3 transposed (OW<OH)",  1,  8, 25,  5,  8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8) \
    X(IN_BOTH, "dw 3x3 s2 transposed",       1,  4, 17,  6,  4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4) \
    X(IN_BOTH, "dw 3x3 stride 2x1",          1,  8, 10, 10,  8, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 8) \
    X(IN_BOTH, "dw 3x3 row dilation 2",      1,  8, 10, 11,  8, 3, 3, 1, 1, 2, 1, 2, 1, 2, 1, 8) \
    X(IN_BOTH, "dw 3x3 no pad tiny",         1,  4,  3,  3,  4, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 4) \
    X(IN_BOTH, "dw 5x5 pad 2",               1,  8,  9,  9,  8, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 8) \
    X(IN_S8,   "dw 3x3 dilated",             1,  4,  9,  9,  4, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 4) \
    /* the last input column is never read (stride 2, pad_r 0): plane mode loads only the \
    * rows the outputs read (it wrote 24 bytes past the scratch) */ \
    X(IN_S8,   "dw 3x3 s2 d1,2 pads 2,1,2,0", 1, 12, 3,  5, 12, 3, 3, 2, 2, 1, 2, 2, 1, 2, 0, 12) \
    X(IN_BOTH, "dw 1-D k3",                  1,  8,  1, 20,  8, 1, 3, 1, 1, 1, 1, 0, 2, 0, 0, 8) \
    X(IN_BOTH, "dw multiplier 2",            1,  4,  5,  5,  8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4) \
    /* planes of 4-8 KB (MobileNet's 24x24 layers): plane mode */ \
    X(IN_S8,   "dw 3x3 s1 24x24 plane",      1,  8, 24, 24,  8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8) \
    X(IN_S8,   "dw 3x3 s2 24x24 plane",      1,  8, 24, 24,  8, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 8) \
    /* large inputs: the ring (not plane) depthwise mode, several im2col blocks */ \
    X(IN_BOTH, "dw 3x3 s1 ring",             1,  8, 40, 44,  8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8) \
    X(IN_BOTH, "dw 3x3 s2 ring c%4",         1,  6, 61, 37,  6, 3, 3, 2, 2, 1, 1, 0, 1, 1, 0, 6) \
    X(IN_S8,   "dw 3x3 s1 ring transposed",  1,  4, 90,  9,  4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4) \
    X(IN_S8,   "dw 5x5 ring",                1,  4, 36, 40,  4, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 4) \
    X(IN_S8,   "dw 3x3 ring row dilation 2", 1,  8, 40, 40,  8, 3, 3, 1, 1, 3, 1, 3, 1, 3, 1, 8) \
    X(IN_BOTH, "pointwise 3 blocks",         1,  8, 40, 40, 12, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1) \
    X(IN_BOTH, "first conv 3->8 s2 blocks",  1,  3, 48, 48,  8, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 1) \
    X(IN_BOTH, "first conv 3->5 s1 pad 1",   2,  3, 20, 21,  5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1) \
    X(IN_S8,   "DS-CNN conv 10x4 s2 full",   1,  1, 49, 10, 64, 10, 4, 2, 2, 1, 1, 4, 1, 5, 1, 1) \
    X(IN_BOTH, "DS-CNN dw 25x5 full",        1, 64, 25,  5, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 64) \
    X(IN_BOTH, "conv 3x3 16->16 32x32",      1, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1) \
    X(IN_S4,   "conv 3x3 64->64 8x8",        1, 64,  8,  8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1) \
    X(IN_BOTH, "pointwise 9 px (tail 1)",    1, 64,  3,  3, 20, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1) \
    /* K = 24 (pair + quads), 40 (pair + 2 quads), 256 with a lone pixel: the wide kernel's \
    * group dispatch (run_conv also runs dnn_s8_conv_wide on every pointwise case) */ \
    X(IN_S8,   "pointwise 24->12 7x5",       1, 24,  7,  5, 12, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1) \
    X(IN_S8,   "pointwise 40->6 2x7 (tail 2)", 2, 40, 2, 7,  6, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1) \
    X(IN_S8,   "pointwise 256->8 3x3",       1, 256, 3,  3,  8, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1) \
    X(IN_S8,   "pointwise 128->16 6x6",      1, 128, 6,  6, 16, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1)
/* clang-format on */

#endif
