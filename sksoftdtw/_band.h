/* The admissible columns of each row of an (n, m) DTW matrix under a global
 * constraint: a Sakoe-Chiba band, an Itakura parallelogram or both. Computed
 * once per pair, in O(n + m), into band[2 i] (first column) and band[2 i + 1]
 * (one past the last) of each row i.
 *
 * The parallelogram is tslearn's (itakura_mask): defined column by column,
 * each bound rounded to two decimals (numpy's round: rint(100 v) / 100, ties
 * to even) before ceil and floor. The same IEEE operations, in the same
 * order and never fused into FMAs, give the same cells as numpy does. */
#ifndef SKSOFTDTW_BAND_H
#define SKSOFTDTW_BAND_H
#include <math.h>
#include <stddef.h>

#if defined(__clang__)
#define SDTW_NO_FMA
#elif defined(__GNUC__)
#define SDTW_NO_FMA __attribute__((optimize("fp-contract=off")))
#else
#define SDTW_NO_FMA
#endif

static inline SDTW_NO_FMA double sdtw_round2(double v)
{
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
    return rint(v * 100.0) / 100.0;
}

/* Rows of column j: [low, up), with low and up as tslearn computes them. */
static inline SDTW_NO_FMA void sdtw_itakura_column(ptrdiff_t n, ptrdiff_t m, double smin,
                                                   double smax, ptrdiff_t j, double* low,
                                                   double* up)
{
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
    double a, b, jd = (double)j;
    a = sdtw_round2(smin * jd);
    b = sdtw_round2(((double)(n - 1) - smax * (double)(m - 1)) + smax * jd);
    *low = ceil(a > b ? a : b);
    a = sdtw_round2(smax * jd);
    b = sdtw_round2(((double)(n - 1) - smin * (double)(m - 1)) + smin * jd);
    *up = floor((a < b ? a : b) + 1.0);
}

/* Fills band[0 : 2 n] for the Sakoe-Chiba radius (< 0: none) and the
 * Itakura slope (0: none); returns 1 when an alignment path fits in it: it
 * starts at (0, 0), ends at (n - 1, m - 1) and steps at most one column
 * right of the previous row's range. */
static inline SDTW_NO_FMA int sdtw_band_rows(ptrdiff_t n, ptrdiff_t m, ptrdiff_t radius,
                                             double slope, ptrdiff_t* band)
{
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
    ptrdiff_t i, lo, hi, ju = 0, jl = 0;
    double smax = 0.0, smin = 0.0, low_j = 0.0, up_j = 0.0;
    if (slope > 0.0) {
        smax = slope * ((double)n / (double)m);
        smin = (1.0 / slope) * ((double)n / (double)m);
    }
    for (i = 0; i < n; i++) {
        lo = 0;
        hi = m;
        if (radius >= 0) {
            lo = i - (n > m ? n - m : 0) - radius;
            hi = i + (m > n ? m - n : 0) + radius + 1;
            lo = lo > 0 ? lo : 0;
            hi = hi < m ? hi : m;
        }
        if (slope > 0.0) {
            /* both bounds never decrease with j: column j holds row i iff
             * j >= (the columns whose up <= i) and j < (those whose low <= i) */
            while (ju < m) {
                sdtw_itakura_column(n, m, smin, smax, ju, &low_j, &up_j);
                if (up_j > (double)i)
                    break;
                ju++;
            }
            while (jl < m) {
                sdtw_itakura_column(n, m, smin, smax, jl, &low_j, &up_j);
                if (low_j > (double)i)
                    break;
                jl++;
            }
            lo = ju > lo ? ju : lo;
            hi = jl < hi ? jl : hi;
        }
        band[2 * i] = lo;
        band[2 * i + 1] = hi;
    }
    if (band[0] != 0 || band[2 * n - 1] != m)
        return 0;
    for (i = 0; i < n; i++) {
        if (band[2 * i] >= band[2 * i + 1] || (i > 0 && band[2 * i] > band[2 * i - 1]))
            return 0;
    }
    return 1;
}

#endif
