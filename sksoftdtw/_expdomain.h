/* Numbers as a mantissa and a power of two, for the exp-domain soft-DTW
 * recursion: v = f * 2^e with f in [1, 2) (or f = 0 for zero). Exponents are
 * integer-valued doubles, exact while below 2^52 in magnitude (the callers
 * check a bound), so that multiplying, adding and renormalising needs no exp
 * or log and never overflows, whatever gamma and the data. All functions are
 * branch-free bit manipulations that compilers vectorize over SIMD lanes. */
#ifndef SKSOFTDTW_EXPDOMAIN_H
#define SKSOFTDTW_EXPDOMAIN_H
#include <stdint.h>
#include <string.h>

/* Exponent of zero: far below any reachable exponent. */
#define SDTW_ZERO_EXP (-1e300)
/* Adding it to |x| < 2^51 rounds x to an integer; its low mantissa bits then
 * hold that integer. */
#define SDTW_ROUND_MAGIC 6755399441055744.0 /* 1.5 * 2^52 */
#define SDTW_INT_MAGIC 4503599627370496.0   /* 2^52 */

static inline uint64_t sdtw_bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static inline double sdtw_double(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* 2^k for an integer-valued k <= 1023; exactly 0 for k <= -1023. */
static inline double sdtw_pow2(double k)
{
    k = k < -1023.0 ? -1023.0 : k;
    /* k + 1023 lands in the low mantissa bits of 2^52 + k + 1023; shifting
     * them into the exponent field builds 2^k (the field 0 gives 0.0). */
    return sdtw_double(sdtw_bits(k + (SDTW_INT_MAGIC + 1023.0)) << 52);
}

/* Write v > 0 (finite, normal) as f * 2^k with f in [1, 2); return f. */
static inline double sdtw_split(double v, double *k)
{
    uint64_t b = sdtw_bits(v);
    *k = sdtw_double((b >> 52) | sdtw_bits(SDTW_INT_MAGIC)) - (SDTW_INT_MAGIC + 1023.0);
    return sdtw_double((b & UINT64_C(0x000FFFFFFFFFFFFF)) | UINT64_C(0x3FF0000000000000));
}

/* exp(-c / gamma) as f * 2^e, for scale = 1 / (gamma ln 2) and |c * scale|
 * below 2^51: 2^t = 2^r * exp((t - r) ln 2) with r the integer nearest to t,
 * the last factor by its Taylor series to degree 13 (|u| <= ln(2) / 2:
 * truncation below 2e-17). */
static inline double sdtw_exp_neg(double c, double scale, double *e)
{
    double t = -c * scale;
    double r = (t + SDTW_ROUND_MAGIC) - SDTW_ROUND_MAGIC;
    double u = (t - r) * 0.6931471805599453;
    double p = 1.0 / 6227020800.0;
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
    *e = r;
    return p;
}
#endif
