/* Numbers as a mantissa and a power of two, for the exp-domain soft-DTW
 * recursion: v = f * 2^e with f in [1, 2) (or f = 0 for zero). Exponents are
 * integer-valued doubles, exact while below 2^52 in magnitude (the callers
 * check a bound), so that multiplying, adding and renormalising needs no exp
 * or log and never overflows, whatever gamma and the data. The scalar
 * functions are branch-free bit manipulations that compilers vectorize over
 * SIMD lanes; the sdtw_lanes functions below do the same on blocks of 16
 * numbers held in registers, for the lane kernels. */
#ifndef SKSOFTDTW_EXPDOMAIN_H
#define SKSOFTDTW_EXPDOMAIN_H
#include <stdint.h>
#include <stddef.h>
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

/* The largest |D[i, j]| of an n x m block with rows ld apart, or NaN when the
 * block holds NaN or an infinity. The magnitudes are compared as integers:
 * with the sign bit cleared, the bits of doubles are ordered as their values,
 * and those of every NaN and infinity lie above all finite ones; an integer
 * maximum also vectorizes without fast-math flags. */
static inline double sdtw_block_abs_max(const double *D, ptrdiff_t ld, ptrdiff_t n,
                                        ptrdiff_t m)
{
    uint64_t mx = 0;
    for (ptrdiff_t i = 0; i < n; i++) {
        const double *row = D + i * ld;
        for (ptrdiff_t j = 0; j < m; j++) {
            uint64_t b = sdtw_bits(row[j]) & UINT64_C(0x7FFFFFFFFFFFFFFF);
            mx = b > mx ? b : mx;
        }
    }
    return mx >= UINT64_C(0x7FF0000000000000) ? sdtw_double(UINT64_C(0x7FF8000000000000))
                                              : sdtw_double(mx);
}

/* 2^x = sum_k (x ln 2)^k / k! for |x| <= 1/2, to degree 13 (truncation
 * below 5e-18), evaluated by Estrin's scheme: four dependent steps instead of
 * thirteen, so that the exponential of the next cells starts early.
 * SDTW_DEFINE_EXP2 writes it once for any arithmetic (scalar or vector). */
#define SDTW_EXP2_C0 1.0
#define SDTW_EXP2_C1 0.6931471805599453
#define SDTW_EXP2_C2 0.24022650695910072
#define SDTW_EXP2_C3 0.05550410866482158
#define SDTW_EXP2_C4 0.009618129107628477
#define SDTW_EXP2_C5 0.0013333558146428443
#define SDTW_EXP2_C6 0.0001540353039338161
#define SDTW_EXP2_C7 1.5252733804059841e-05
#define SDTW_EXP2_C8 1.321548679014431e-06
#define SDTW_EXP2_C9 1.01780860092397e-07
#define SDTW_EXP2_C10 7.054911620801123e-09
#define SDTW_EXP2_C11 4.4455382718708116e-10
#define SDTW_EXP2_C12 2.5678435993488206e-11
#define SDTW_EXP2_C13 1.3691488853904128e-12
#define SDTW_DEFINE_EXP2(NAME, T, SET1, MUL, FMA)                                  \
    static inline T NAME(T x)                                                     \
    {                                                                             \
        T x2 = MUL(x, x), x4 = MUL(x2, x2), x8 = MUL(x4, x4);                     \
        T a0 = FMA(x, SET1(SDTW_EXP2_C1), SET1(SDTW_EXP2_C0));                    \
        T a1 = FMA(x, SET1(SDTW_EXP2_C3), SET1(SDTW_EXP2_C2));                    \
        T a2 = FMA(x, SET1(SDTW_EXP2_C5), SET1(SDTW_EXP2_C4));                    \
        T a3 = FMA(x, SET1(SDTW_EXP2_C7), SET1(SDTW_EXP2_C6));                    \
        T a4 = FMA(x, SET1(SDTW_EXP2_C9), SET1(SDTW_EXP2_C8));                    \
        T a5 = FMA(x, SET1(SDTW_EXP2_C11), SET1(SDTW_EXP2_C10));                  \
        T a6 = FMA(x, SET1(SDTW_EXP2_C13), SET1(SDTW_EXP2_C12));                  \
        T b0 = FMA(a1, x2, a0), b1 = FMA(a3, x2, a2), b2 = FMA(a5, x2, a4);       \
        T c0 = FMA(b1, x4, b0), c1 = FMA(a6, x4, b2);                             \
        return FMA(c1, x8, c0);                                                   \
    }

#define SDTW_ID(a) (a)
#define SDTW_MUL(a, b) ((a) * (b))
#define SDTW_FMA(a, b, c) ((a) * (b) + (c))
SDTW_DEFINE_EXP2(sdtw_exp2_frac, double, SDTW_ID, SDTW_MUL, SDTW_FMA)

/* exp(-c / gamma) as f * 2^e, for scale = 1 / (gamma ln2) and |c * scale|
 * below 2^51: 2^t = 2^r * 2^(t - r) with r the integer nearest to t. */
static inline double sdtw_exp_neg(double c, double scale, double *e)
{
    double t = -c * scale;
    double r = (t + SDTW_ROUND_MAGIC) - SDTW_ROUND_MAGIC;
    *e = r;
    return sdtw_exp2_frac(t - r);
}

/* Blocks of SDTW_LANES numbers, one per pair of a lane group, held in
 * registers. With AVX-512 the power-of-two scaling and the split into
 * mantissa and exponent are single instructions (vscalefpd, vgetmantpd,
 * vgetexppd); elsewhere they are the bit manipulations above, lane by lane,
 * which compilers vectorize. */
#define SDTW_LANES 16
#if defined(__AVX512F__)
#include <immintrin.h>
typedef __m512d sdtw_v;
#define SDTW_VW 8
#define sdtw_v_load _mm512_loadu_pd
#define sdtw_v_store _mm512_storeu_pd
#define sdtw_v_set1 _mm512_set1_pd
#define sdtw_v_add _mm512_add_pd
#define sdtw_v_sub _mm512_sub_pd
#define sdtw_v_mul _mm512_mul_pd
#define sdtw_v_div _mm512_div_pd
#define sdtw_v_fma _mm512_fmadd_pd
#define sdtw_v_max _mm512_max_pd
#define sdtw_v_min _mm512_min_pd
/* f * 2^k for an integer-valued k; 0 for k far below the double range. */
#define sdtw_v_scale _mm512_scalef_pd
static inline sdtw_v sdtw_v_split(sdtw_v v, sdtw_v *k)
{
    *k = _mm512_getexp_pd(v);
    return _mm512_getmant_pd(v, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
}
SDTW_DEFINE_EXP2(sdtw_v_exp2_frac, sdtw_v, _mm512_set1_pd, _mm512_mul_pd, _mm512_fmadd_pd)
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
typedef __m256d sdtw_v;
#define SDTW_VW 4
#define sdtw_v_load _mm256_loadu_pd
#define sdtw_v_store _mm256_storeu_pd
#define sdtw_v_set1 _mm256_set1_pd
#define sdtw_v_add _mm256_add_pd
#define sdtw_v_sub _mm256_sub_pd
#define sdtw_v_mul _mm256_mul_pd
#define sdtw_v_div _mm256_div_pd
#define sdtw_v_fma _mm256_fmadd_pd
#define sdtw_v_max _mm256_max_pd
#define sdtw_v_min _mm256_min_pd
/* sdtw_pow2 and sdtw_split, four lanes at a time. */
static inline sdtw_v sdtw_v_scale(sdtw_v f, sdtw_v k)
{
    k = _mm256_add_pd(_mm256_max_pd(k, _mm256_set1_pd(-1023.0)),
                      _mm256_set1_pd(SDTW_INT_MAGIC + 1023.0));
    return _mm256_mul_pd(f, _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_castpd_si256(k), 52)));
}
static inline sdtw_v sdtw_v_split(sdtw_v v, sdtw_v *k)
{
    __m256i b = _mm256_castpd_si256(v);
    __m256i magic = _mm256_castpd_si256(_mm256_set1_pd(SDTW_INT_MAGIC));
    *k = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(b, 52), magic)),
                       _mm256_set1_pd(SDTW_INT_MAGIC + 1023.0));
    return _mm256_castsi256_pd(_mm256_or_si256(
        _mm256_and_si256(b, _mm256_set1_epi64x(0x000FFFFFFFFFFFFFLL)),
        _mm256_set1_epi64x(0x3FF0000000000000LL)));
}
SDTW_DEFINE_EXP2(sdtw_v_exp2_frac, sdtw_v, _mm256_set1_pd, _mm256_mul_pd, _mm256_fmadd_pd)
#else
typedef double sdtw_v;
#define SDTW_VW 1
static inline sdtw_v sdtw_v_load(const double *p) { return *p; }
static inline void sdtw_v_store(double *p, sdtw_v a) { *p = a; }
#define sdtw_v_set1 SDTW_ID
static inline sdtw_v sdtw_v_add(sdtw_v a, sdtw_v b) { return a + b; }
static inline sdtw_v sdtw_v_sub(sdtw_v a, sdtw_v b) { return a - b; }
static inline sdtw_v sdtw_v_mul(sdtw_v a, sdtw_v b) { return a * b; }
static inline sdtw_v sdtw_v_div(sdtw_v a, sdtw_v b) { return a / b; }
static inline sdtw_v sdtw_v_fma(sdtw_v a, sdtw_v b, sdtw_v c) { return a * b + c; }
static inline sdtw_v sdtw_v_max(sdtw_v a, sdtw_v b) { return a > b ? a : b; }
static inline sdtw_v sdtw_v_min(sdtw_v a, sdtw_v b) { return a < b ? a : b; }
static inline sdtw_v sdtw_v_scale(sdtw_v f, sdtw_v k) { return f * sdtw_pow2(k); }
#define sdtw_v_split sdtw_split
#define sdtw_v_exp2_frac sdtw_exp2_frac
#endif
#define SDTW_NV (SDTW_LANES / SDTW_VW)
#define SDTW_EACH for (int h = 0; h < SDTW_NV; h++)

typedef struct {
    sdtw_v v[SDTW_NV];
} sdtw_lanes;

static inline sdtw_lanes sdtw_lanes_load(const double *p)
{
    sdtw_lanes a;
    SDTW_EACH a.v[h] = sdtw_v_load(p + h * SDTW_VW);
    return a;
}

static inline void sdtw_lanes_store(double *p, sdtw_lanes a)
{
    SDTW_EACH sdtw_v_store(p + h * SDTW_VW, a.v[h]);
}

/* sum_k (x[k] - y[k])^2 lane by lane, for d dimensions laid out [k][lane]. */
static inline sdtw_lanes sdtw_lanes_sqdist(const double *x, const double *y, ptrdiff_t d)
{
    sdtw_lanes c;
    SDTW_EACH {
        sdtw_v diff = sdtw_v_sub(sdtw_v_load(x + h * SDTW_VW), sdtw_v_load(y + h * SDTW_VW));
        c.v[h] = sdtw_v_mul(diff, diff);
    }
    for (ptrdiff_t k = 1; k < d; k++) {
        SDTW_EACH {
            sdtw_v diff = sdtw_v_sub(sdtw_v_load(x + k * SDTW_LANES + h * SDTW_VW),
                                     sdtw_v_load(y + k * SDTW_LANES + h * SDTW_VW));
            c.v[h] = sdtw_v_fma(diff, diff, c.v[h]);
        }
    }
    return c;
}

/* sdtw_exp_neg lane by lane. */
static inline sdtw_lanes sdtw_lanes_exp_neg(sdtw_lanes c, double scale, sdtw_lanes *e)
{
    sdtw_lanes g;
    sdtw_v ms = sdtw_v_set1(-scale), magic = sdtw_v_set1(SDTW_ROUND_MAGIC);
    SDTW_EACH {
        sdtw_v t = sdtw_v_mul(c.v[h], ms);
        sdtw_v r = sdtw_v_sub(sdtw_v_add(t, magic), magic);
        e->v[h] = r;
        g.v[h] = sdtw_v_exp2_frac(sdtw_v_sub(t, r));
    }
    return g;
}

/* One cell of the exp-domain recursion in every lane: the mantissa of
 * g * (diag + up + left), numbers given as mantissa f and exponent e, with
 * its exponent in *e. The three terms are aligned on the largest exponent,
 * which makes the largest one at least 1 (a reachable cell has a mantissa in
 * [1, 2)) and the product at least 1 / sqrt(2), never zero: exponents stay
 * exact integers. When w is not NULL, it receives the
 * shares of the diagonal and upper terms in the sum (w[lane] and
 * w[SDTW_LANES + lane]), the soft-min weights of those predecessors. */
static inline sdtw_lanes sdtw_lanes_cell(sdtw_lanes df, sdtw_lanes de, sdtw_lanes uf,
                                         sdtw_lanes ue, sdtw_lanes lf, sdtw_lanes le,
                                         sdtw_lanes g, sdtw_lanes ge, sdtw_lanes *e,
                                         double *w)
{
    sdtw_lanes f;
    SDTW_EACH {
        sdtw_v top = sdtw_v_max(sdtw_v_max(de.v[h], ue.v[h]), le.v[h]);
        sdtw_v td = sdtw_v_scale(df.v[h], sdtw_v_sub(de.v[h], top));
        sdtw_v tu = sdtw_v_scale(uf.v[h], sdtw_v_sub(ue.v[h], top));
        sdtw_v tl = sdtw_v_scale(lf.v[h], sdtw_v_sub(le.v[h], top));
        sdtw_v sum = sdtw_v_add(sdtw_v_add(td, tu), tl);
        sdtw_v k;
        f.v[h] = sdtw_v_split(sdtw_v_mul(g.v[h], sum), &k);
        e->v[h] = sdtw_v_add(sdtw_v_add(top, ge.v[h]), k);
        if (w != NULL) {
            sdtw_v inv = sdtw_v_div(sdtw_v_set1(1.0), sum);
            sdtw_v_store(w + h * SDTW_VW, sdtw_v_mul(td, inv));
            sdtw_v_store(w + SDTW_LANES + h * SDTW_VW, sdtw_v_mul(tu, inv));
        }
    }
    return f;
}

/* One cell of the backward recursion in every lane: E_ij = the sum over the
 * successors (left, up, diagonal) of their E times the weight they give to
 * (i, j). Each pointer is the successor's stored pair of weights (diagonal,
 * upper) or the one of them that (i, j) gets; the left successor gives the
 * rest of 1 (a few ulps off, clipped at 0), and E is clipped at 1. */
static inline sdtw_lanes sdtw_lanes_e_step(sdtw_lanes el, const double *wl, sdtw_lanes eu,
                                           const double *wu, sdtw_lanes ed, const double *wd)
{
    sdtw_lanes e;
    sdtw_v one = sdtw_v_set1(1.0), zero = sdtw_v_set1(0.0);
    SDTW_EACH {
        sdtw_v share = sdtw_v_sub(sdtw_v_sub(one, sdtw_v_load(wl + h * SDTW_VW)),
                                  sdtw_v_load(wl + SDTW_LANES + h * SDTW_VW));
        sdtw_v s = sdtw_v_mul(ed.v[h], sdtw_v_load(wd + h * SDTW_VW));
        s = sdtw_v_fma(eu.v[h], sdtw_v_load(wu + h * SDTW_VW), s);
        s = sdtw_v_fma(el.v[h], sdtw_v_max(zero, share), s);
        e.v[h] = sdtw_v_min(one, s);
    }
    return e;
}

/* The squared Euclidean cost's Jacobian-vector product for row i of LANES
 * pairs: adds sum_j 2 E_ij (x_i - y_j) to the gradient of x_i and subtracts
 * each term from the gradient of y_j, for j in [lo, hi); E, x and y laid out
 * [j][lane], [k][lane] and [j][k][lane]. Either gradient may be NULL (not
 * wanted). */
static inline void sdtw_lanes_jvp_row(const double *e, const double *xi, const double *yl,
                                      ptrdiff_t lo, ptrdiff_t hi, ptrdiff_t d, double *gxi,
                                      double *gyl)
{
    sdtw_v two = sdtw_v_set1(2.0);
    for (ptrdiff_t k = 0; k < d; k++) {
        SDTW_EACH {
            sdtw_v x = sdtw_v_load(xi + k * SDTW_LANES + h * SDTW_VW);
            sdtw_v acc = sdtw_v_set1(0.0);
            for (ptrdiff_t j = lo; j < hi; j++) {
                const double *yjk = yl + (j * d + k) * SDTW_LANES + h * SDTW_VW;
                sdtw_v t = sdtw_v_mul(sdtw_v_mul(two, sdtw_v_load(e + j * SDTW_LANES + h * SDTW_VW)),
                                      sdtw_v_sub(x, sdtw_v_load(yjk)));
                acc = sdtw_v_add(acc, t);
                if (gyl != NULL) {
                    double *gy = gyl + (yjk - yl);
                    sdtw_v_store(gy, sdtw_v_sub(sdtw_v_load(gy), t));
                }
            }
            if (gxi != NULL) {
                double *gx = gxi + k * SDTW_LANES + h * SDTW_VW;
                sdtw_v_store(gx, sdtw_v_add(sdtw_v_load(gx), acc));
            }
        }
    }
}
#endif
