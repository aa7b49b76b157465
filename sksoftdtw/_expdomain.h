/* Numbers as a mantissa and an integer power of two, for the exp-domain
 * soft-DTW recursion: v = f * 2^e with f in [1, 2) (or f = 0 with e very
 * negative). Multiplying, adding and renormalising such numbers needs no exp
 * or log and never overflows or underflows, whatever gamma and the data. */
#ifndef SKSOFTDTW_EXPDOMAIN_H
#define SKSOFTDTW_EXPDOMAIN_H
#include <stdint.h>
#include <string.h>

/* Exponent of zero: far below any reachable one, and still far from int64
 * overflow when two of them are added. */
#define SDTW_ZERO_EXP (-(INT64_C(1) << 60))

/* 2^k for an integer k <= 1023; exactly 0 for k <= -1023. */
static inline double sdtw_pow2(int64_t k)
{
    double r;
    int64_t bits;
    k = k < -1023 ? -1023 : k;
    bits = (k + 1023) << 52;
    memcpy(&r, &bits, sizeof r);
    return r;
}

/* Write v > 0 (finite, normal) as f * 2^k with f in [1, 2); return f. */
static inline double sdtw_split(double v, int64_t *k)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    *k = (int64_t)(bits >> 52) - 1023;
    bits = (bits & UINT64_C(0x000FFFFFFFFFFFFF)) | UINT64_C(0x3FF0000000000000);
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* exp(-c / gamma) as f * 2^e, for scale = 1 / (gamma ln 2) and c * scale below
 * 2^52 in magnitude. Branch-free and inline so that rows vectorize: 2^t =
 * 2^floor(t) * sqrt(2) * exp((t - floor(t) - 1/2) ln 2), the last factor by
 * its Taylor series to degree 13 (|u| <= 0.35: truncation below 1e-17). */
static inline double sdtw_exp_neg(double c, double scale, int64_t *e)
{
    double t = -c * scale;
    int64_t k = (int64_t)t;
    double u, p;
    k -= (double)k > t;  /* floor for negative t */
    u = (t - (double)k - 0.5) * 0.6931471805599453;
    p = 1.0 / 6227020800.0;
    p = p * u + 1.0 / 479001600.0;
    p = p * u + 1.0 / 39916800.0;
    p = p * u + 1.0 / 3628800.0;
    p = p * u + 1.0 / 362880.0;
    p = p * u + 1.0 / 40320.0;
    p = p * u + 1.0 / 5040.0;
    p = p * u + 1.0 / 720.0;
    p = p * u + 1.0 / 120.0;
    p = p * u + 1.0 / 24.0;
    p = p * u + 1.0 / 6.0;
    p = p * u + 0.5;
    p = p * u + 1.0;
    p = p * u + 1.0;
    *e = k;
    return p * 1.4142135623730951;
}
#endif
