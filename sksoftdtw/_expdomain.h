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
#include <math.h>
#include <string.h>

/* Exponent of zero: far below any reachable exponent (and finite, so that
 * differences of two of them are 0, not NaN). */
#define SDTW_ZERO_EXP (-1e300)
#define SDTW_ZERO_EXP_F (-1e30f)
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

/* Subnormal numbers flushed to zero (results and inputs) in this thread,
 * returning the previous mode for sdtw_restore_fp_mode. In the exp domain they
 * are the shares of predecessors and expected alignments below 2^-1022 of
 * the largest (about 1% of the cells at gamma = 0.1, none at gamma = 1),
 * negligible, and slow: the processors handle them in microcode. */
#if defined(__SSE2__) || defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
static inline unsigned int sdtw_flush_subnormals(void)
{
    unsigned int csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040); /* flush to zero, denormals are zero */
    return csr;
}
static inline void sdtw_restore_fp_mode(unsigned int csr) { _mm_setcsr(csr); }
#else
static inline unsigned int sdtw_flush_subnormals(void) { return 0; }
static inline void sdtw_restore_fp_mode(unsigned int csr) { (void)csr; }
#endif

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
/* |a|, and sign(a) with sign(0) = 0: the L1 cost and its derivative. */
#define sdtw_v_abs _mm512_abs_pd
static inline sdtw_v sdtw_v_sign(sdtw_v a)
{
    sdtw_v one = _mm512_set1_pd(1.0), zero = _mm512_setzero_pd();
    return _mm512_sub_pd(_mm512_maskz_mov_pd(_mm512_cmp_pd_mask(a, zero, _CMP_GT_OQ), one),
                         _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(a, zero, _CMP_LT_OQ), one));
}
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
static inline sdtw_v sdtw_v_abs(sdtw_v a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
static inline sdtw_v sdtw_v_sign(sdtw_v a)
{
    sdtw_v one = _mm256_set1_pd(1.0), zero = _mm256_setzero_pd();
    return _mm256_sub_pd(_mm256_and_pd(_mm256_cmp_pd(a, zero, _CMP_GT_OQ), one),
                         _mm256_and_pd(_mm256_cmp_pd(a, zero, _CMP_LT_OQ), one));
}
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
static inline sdtw_v sdtw_v_abs(sdtw_v a) { return fabs(a); }
static inline sdtw_v sdtw_v_sign(sdtw_v a) { return a > 0 ? 1.0 : (a < 0 ? -1.0 : 0.0); }
static inline sdtw_v sdtw_v_scale(sdtw_v f, sdtw_v k) { return f * sdtw_pow2(k); }
#define sdtw_v_split sdtw_split
#define sdtw_v_exp2_frac sdtw_exp2_frac
#endif
#define SDTW_NV (SDTW_LANES / SDTW_VW)

/* f * sdtw_pow2(k) for f in [1, 2) (or 0), SDTW_VW lanes at a time: exactly
 * 0 for k <= -1023, never subnormal. */
static inline sdtw_v sdtw_v_pow2_mul(sdtw_v f, sdtw_v k)
{
#if defined(__AVX512F__)
    return _mm512_maskz_scalef_pd(_mm512_cmp_pd_mask(k, _mm512_set1_pd(-1023.0), _CMP_GT_OQ),
                                  f, k);
#else
    return sdtw_v_scale(f, k);
#endif
}

/* SDTW_VW cells of an anti-diagonal from t on (see sdtw_wavefront_step). */
static inline void sdtw_wavefront_cells(const double *gf, const double *ge, double scale,
                                        const double *f2, const double *e2, const double *f1,
                                        const double *e1, double *f0, double *e0, ptrdiff_t t,
                                        ptrdiff_t count, double *w)
{
    sdtw_v g, eg, r;
    if (ge != NULL) {
        g = sdtw_v_load(gf + t);
        eg = sdtw_v_load(ge + t);
    } else {  /* exp(-cost / gamma) of the costs at gf, as sdtw_exp_neg */
        g = sdtw_v_mul(sdtw_v_sub(sdtw_v_set1(0.0), sdtw_v_load(gf + t)), sdtw_v_set1(scale));
        r = sdtw_v_sub(sdtw_v_add(g, sdtw_v_set1(SDTW_ROUND_MAGIC)), sdtw_v_set1(SDTW_ROUND_MAGIC));
        eg = r;
        g = sdtw_v_exp2_frac(sdtw_v_sub(g, r));
    }
    sdtw_v vf2 = sdtw_v_load(f2 + t), ve2 = sdtw_v_load(e2 + t);
    sdtw_v vfu = sdtw_v_load(f1 + t), veu = sdtw_v_load(e1 + t);
    sdtw_v vfl = sdtw_v_load(f1 + t + 1), vel = sdtw_v_load(e1 + t + 1);
    sdtw_v e = sdtw_v_max(sdtw_v_max(ve2, veu), vel), kk;
    sdtw_v td = sdtw_v_pow2_mul(vf2, sdtw_v_sub(ve2, e));
    sdtw_v tu = sdtw_v_pow2_mul(vfu, sdtw_v_sub(veu, e));
    sdtw_v tl = sdtw_v_pow2_mul(vfl, sdtw_v_sub(vel, e));
    sdtw_v sum = sdtw_v_add(sdtw_v_add(td, tu), tl), inv;
    sdtw_v_store(f0 + t, sdtw_v_split(sdtw_v_mul(g, sum), &kk));
    sdtw_v_store(e0 + t, sdtw_v_add(sdtw_v_add(e, eg), kk));
    if (w != NULL) {
        inv = sdtw_v_div(sdtw_v_set1(1.0), sum);
        sdtw_v_store(w + t, sdtw_v_mul(td, inv));
        sdtw_v_store(w + count + t, sdtw_v_mul(tu, inv));
        sdtw_v_store(w + 2 * count + t, sdtw_v_mul(tl, inv));
    }
}

/* count cells of an anti-diagonal, the step of the exp-domain rows: cell t
 * has its diagonal predecessor at f2[t] (exponent e2[t]), its upper one at
 * f1[t] and its left one at f1[t + 1], and g = exp(-cost / gamma) is
 * gf[t] 2^ge[t]; with ge NULL, gf holds the costs and g is computed here
 * (scale = 1 / (gamma ln 2), as sdtw_exp_neg), which saves a pass over the
 * anti-diagonal. When w is not NULL it receives the soft-min weights: w[t]
 * diagonal, w[count + t] upper, w[2 count + t] left. Whole vectors, then the
 * last cells through a vector of scratch (ones in its unused lanes). */
static inline void sdtw_wavefront_step(const double *gf, const double *ge, double scale,
                                       const double *f2, const double *e2, const double *f1,
                                       const double *e1, double *f0, double *e0, ptrdiff_t count,
                                       double *w)
{
    double s[11 * SDTW_VW];
    ptrdiff_t t, r, h, full = count - count % SDTW_VW;
    for (t = 0; t < full; t += SDTW_VW)
        sdtw_wavefront_cells(gf, ge, scale, f2, e2, f1, e1, f0, e0, t, count, w);
    r = count - full;
    if (r == 0)
        return;
    /* the inputs, f1 and e1 one further (the left predecessor) */
    for (h = 0; h < SDTW_VW; h++) {
        s[h] = h < r ? gf[full + h] : 1.0;
        s[SDTW_VW + h] = h < r && ge != NULL ? ge[full + h] : 0.0;
        s[2 * SDTW_VW + h] = h < r ? f2[full + h] : 1.0;
        s[3 * SDTW_VW + h] = h < r ? e2[full + h] : 0.0;
        s[4 * SDTW_VW + h] = h <= r ? f1[full + h] : 1.0;
        s[5 * SDTW_VW + h] = h <= r ? e1[full + h] : 0.0;
    }
    s[6 * SDTW_VW] = 0.0;  /* read past e1 by the last lane */
    sdtw_wavefront_cells(s, ge != NULL ? s + SDTW_VW : NULL, scale, s + 2 * SDTW_VW,
                         s + 3 * SDTW_VW, s + 4 * SDTW_VW, s + 5 * SDTW_VW, s + 6 * SDTW_VW,
                         s + 7 * SDTW_VW, 0, SDTW_VW, w != NULL ? s + 8 * SDTW_VW : NULL);
    for (h = 0; h < r; h++) {
        f0[full + h] = s[6 * SDTW_VW + h];
        e0[full + h] = s[7 * SDTW_VW + h];
        if (w != NULL) {
            w[full + h] = s[8 * SDTW_VW + h];
            w[count + full + h] = s[9 * SDTW_VW + h];
            w[2 * count + full + h] = s[10 * SDTW_VW + h];
        }
    }
}

/* A lane block: 128 bytes of registers, 16 doubles or 32 floats (one pair of
 * a lane group each). Its float32 view is read and written with
 * sdtw_vf_get/sdtw_vf_put: free register casts with AVX, memcpy elsewhere. */
typedef struct {
    sdtw_v v[SDTW_NV];
} sdtw_lanes;

#define SDTW_LANES_F (2 * SDTW_LANES)
/* 2^x on |x| <= 1/2 in float32: degree 7 (truncation below 1e-8). */
#define SDTW_DEFINE_EXP2F(NAME, T, SET1, MUL, FMA)                                 \
    static inline T NAME(T x)                                                     \
    {                                                                             \
        T x2 = MUL(x, x), x4 = MUL(x2, x2);                                       \
        T a0 = FMA(x, SET1((float)SDTW_EXP2_C1), SET1((float)SDTW_EXP2_C0));      \
        T a1 = FMA(x, SET1((float)SDTW_EXP2_C3), SET1((float)SDTW_EXP2_C2));      \
        T a2 = FMA(x, SET1((float)SDTW_EXP2_C5), SET1((float)SDTW_EXP2_C4));      \
        T a3 = FMA(x, SET1((float)SDTW_EXP2_C7), SET1((float)SDTW_EXP2_C6));      \
        T b0 = FMA(a1, x2, a0), b1 = FMA(a3, x2, a2);                             \
        return FMA(b1, x4, b0);                                                   \
    }
/* Adding it to |x| < 2^22 rounds x to an integer in float32. */
#define SDTW_ROUND_MAGIC_F 12582912.0f /* 1.5 * 2^23 */
#define SDTW_INT_MAGIC_F 8388608.0f    /* 2^23 */
#if defined(__AVX512F__)
typedef __m512 sdtw_vf;
#define SDTW_VWF 16
#define sdtw_vf_load _mm512_loadu_ps
#define sdtw_vf_store _mm512_storeu_ps
#define sdtw_vf_set1 _mm512_set1_ps
#define sdtw_vf_add _mm512_add_ps
#define sdtw_vf_sub _mm512_sub_ps
#define sdtw_vf_mul _mm512_mul_ps
#define sdtw_vf_div _mm512_div_ps
#define sdtw_vf_fma _mm512_fmadd_ps
#define sdtw_vf_max _mm512_max_ps
#define sdtw_vf_min _mm512_min_ps
#define sdtw_vf_abs _mm512_abs_ps
static inline sdtw_vf sdtw_vf_sign(sdtw_vf a)
{
    sdtw_vf one = _mm512_set1_ps(1.0f), zero = _mm512_setzero_ps();
    return _mm512_sub_ps(_mm512_maskz_mov_ps(_mm512_cmp_ps_mask(a, zero, _CMP_GT_OQ), one),
                         _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(a, zero, _CMP_LT_OQ), one));
}
#define sdtw_vf_scale _mm512_scalef_ps
static inline sdtw_vf sdtw_vf_split(sdtw_vf v, sdtw_vf *k)
{
    *k = _mm512_getexp_ps(v);
    return _mm512_getmant_ps(v, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
}
SDTW_DEFINE_EXP2F(sdtw_vf_exp2_frac, sdtw_vf, _mm512_set1_ps, _mm512_mul_ps, _mm512_fmadd_ps)
#define sdtw_vf_get(a, h) _mm512_castpd_ps((a).v[h])
#define sdtw_vf_put(a, h, x) ((a).v[h] = _mm512_castps_pd(x))
#elif defined(__AVX2__) && defined(__FMA__)
typedef __m256 sdtw_vf;
#define SDTW_VWF 8
#define sdtw_vf_load _mm256_loadu_ps
#define sdtw_vf_store _mm256_storeu_ps
#define sdtw_vf_set1 _mm256_set1_ps
#define sdtw_vf_add _mm256_add_ps
#define sdtw_vf_sub _mm256_sub_ps
#define sdtw_vf_mul _mm256_mul_ps
#define sdtw_vf_div _mm256_div_ps
#define sdtw_vf_fma _mm256_fmadd_ps
#define sdtw_vf_max _mm256_max_ps
#define sdtw_vf_min _mm256_min_ps
static inline sdtw_vf sdtw_vf_abs(sdtw_vf a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
static inline sdtw_vf sdtw_vf_sign(sdtw_vf a)
{
    sdtw_vf one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    return _mm256_sub_ps(_mm256_and_ps(_mm256_cmp_ps(a, zero, _CMP_GT_OQ), one),
                         _mm256_and_ps(_mm256_cmp_ps(a, zero, _CMP_LT_OQ), one));
}
/* f * 2^k for an integer-valued -2^22 < k <= 127: k + 127 lands in the low
 * mantissa bits of 2^23 + k + 127, shifted into the exponent field. */
static inline sdtw_vf sdtw_vf_scale(sdtw_vf f, sdtw_vf k)
{
    k = _mm256_add_ps(_mm256_max_ps(k, _mm256_set1_ps(-127.0f)),
                      _mm256_set1_ps(SDTW_INT_MAGIC_F + 127.0f));
    return _mm256_mul_ps(f, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(k), 23)));
}
static inline sdtw_vf sdtw_vf_split(sdtw_vf v, sdtw_vf *k)
{
    __m256i b = _mm256_castps_si256(v);
    __m256i magic = _mm256_castps_si256(_mm256_set1_ps(SDTW_INT_MAGIC_F));
    *k = _mm256_sub_ps(_mm256_castsi256_ps(_mm256_or_si256(_mm256_srli_epi32(b, 23), magic)),
                       _mm256_set1_ps(SDTW_INT_MAGIC_F + 127.0f));
    return _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(b, _mm256_set1_epi32(0x007FFFFF)),
                                               _mm256_set1_epi32(0x3F800000)));
}
SDTW_DEFINE_EXP2F(sdtw_vf_exp2_frac, sdtw_vf, _mm256_set1_ps, _mm256_mul_ps, _mm256_fmadd_ps)
#define sdtw_vf_get(a, h) _mm256_castpd_ps((a).v[h])
#define sdtw_vf_put(a, h, x) ((a).v[h] = _mm256_castps_pd(x))
#else
typedef float sdtw_vf;
#define SDTW_VWF 1
static inline uint32_t sdtw_fbits(float v)
{
    uint32_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}
static inline float sdtw_float(uint32_t b)
{
    float v;
    memcpy(&v, &b, sizeof v);
    return v;
}
static inline sdtw_vf sdtw_vf_load(const float *p) { return *p; }
static inline void sdtw_vf_store(float *p, sdtw_vf a) { *p = a; }
#define sdtw_vf_set1 SDTW_ID
static inline sdtw_vf sdtw_vf_add(sdtw_vf a, sdtw_vf b) { return a + b; }
static inline sdtw_vf sdtw_vf_sub(sdtw_vf a, sdtw_vf b) { return a - b; }
static inline sdtw_vf sdtw_vf_mul(sdtw_vf a, sdtw_vf b) { return a * b; }
static inline sdtw_vf sdtw_vf_div(sdtw_vf a, sdtw_vf b) { return a / b; }
static inline sdtw_vf sdtw_vf_fma(sdtw_vf a, sdtw_vf b, sdtw_vf c) { return a * b + c; }
static inline sdtw_vf sdtw_vf_max(sdtw_vf a, sdtw_vf b) { return a > b ? a : b; }
static inline sdtw_vf sdtw_vf_min(sdtw_vf a, sdtw_vf b) { return a < b ? a : b; }
static inline sdtw_vf sdtw_vf_abs(sdtw_vf a) { return fabsf(a); }
static inline sdtw_vf sdtw_vf_sign(sdtw_vf a) { return a > 0 ? 1.0f : (a < 0 ? -1.0f : 0.0f); }
/* As the AVX2 versions, one number at a time. */
static inline sdtw_vf sdtw_vf_scale(sdtw_vf f, sdtw_vf k)
{
    k = (k < -127.0f ? -127.0f : k) + (SDTW_INT_MAGIC_F + 127.0f);
    return f * sdtw_float(sdtw_fbits(k) << 23);
}
static inline sdtw_vf sdtw_vf_split(sdtw_vf v, sdtw_vf *k)
{
    uint32_t b = sdtw_fbits(v);
    *k = sdtw_float((b >> 23) | sdtw_fbits(SDTW_INT_MAGIC_F)) - (SDTW_INT_MAGIC_F + 127.0f);
    return sdtw_float((b & 0x007FFFFFu) | 0x3F800000u);
}
SDTW_DEFINE_EXP2F(sdtw_vf_exp2_frac, sdtw_vf, SDTW_ID, SDTW_MUL, SDTW_FMA)
static inline sdtw_vf sdtw_vf_at(const sdtw_lanes *a, int h)
{
    float x;
    memcpy(&x, (const char *)a + h * sizeof x, sizeof x);
    return x;
}
#define sdtw_vf_get(a, h) sdtw_vf_at(&(a), h)
#define sdtw_vf_put(a, h, x) do { float x_ = (x); memcpy((char *)&(a) + (h) * sizeof x_, &x_, sizeof x_); } while (0)
#endif

/* The lane functions, written once in _expdomain_lanes.h for both types:
 * sdtw_lanes_* on 16 doubles, sdtw_lanes_*_f on 32 floats. */
#define SDTW_T double
#define SDTW_NAME(name) name
#define SDTW_L SDTW_LANES
#define SDTW_TV sdtw_v
#define SDTW_TNV SDTW_NV
#define SDTW_TVW SDTW_VW
#define SDTW_TOP(op) sdtw_v_##op
#define SDTW_GET(a, h) ((a).v[h])
#define SDTW_PUT(a, h, x) ((a).v[h] = (x))
#define SDTW_TROUND_MAGIC SDTW_ROUND_MAGIC
#include "_expdomain_lanes.h"

#define SDTW_T float
#define SDTW_NAME(name) name##_f
#define SDTW_L SDTW_LANES_F
#define SDTW_TV sdtw_vf
#define SDTW_TNV (SDTW_LANES_F / SDTW_VWF)
#define SDTW_TVW SDTW_VWF
#define SDTW_TOP(op) sdtw_vf_##op
#define SDTW_GET sdtw_vf_get
#define SDTW_PUT sdtw_vf_put
#define SDTW_TROUND_MAGIC SDTW_ROUND_MAGIC_F
#include "_expdomain_lanes.h"
#endif
