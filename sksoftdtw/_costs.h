/* The costs between points of d coordinates that the kernels compute from
 * series: Delta_ij = sum_k term(x_ik - y_jk), whose Jacobian-vector product
 * adds sum_j E_ij term'(x_ik - y_jk) to the gradient of x_ik and subtracts
 * each term from the one of y_jk. A cost is its term and the derivative of
 * the term, written as a scale times a direction (term' = SCALE * DIR), once
 * (the lane versions, on SIMD vectors, are in _expdomain_lanes.h):
 *
 *   SDTW_SQEUCLIDEAN  ||x_i - y_j||^2    term t^2,  term' 2 t
 *   SDTW_ABS          ||x_i - y_j||_1    term |t|,  term' sign(t) (0 at t = 0)
 *
 * The loops over a row, an anti-diagonal or a path are written once for all
 * costs (SDTW_DEFINE_COST); the kernels choose a cost once per row or
 * anti-diagonal (sdtw_cost_row...), never per cell. */
#ifndef SKSOFTDTW_COSTS_H
#define SKSOFTDTW_COSTS_H
#include <math.h>
#include <stddef.h>

enum { SDTW_SQEUCLIDEAN = 0, SDTW_ABS = 1 };

#define SDTW_SQEUCLIDEAN_TERM(t) ((t) * (t))
#define SDTW_SQEUCLIDEAN_SCALE 2.0
#define SDTW_SQEUCLIDEAN_DIR(t) (t)
#define SDTW_ABS_TERM(t) fabs(t)
#define SDTW_ABS_SCALE 1.0
#define SDTW_ABS_DIR(t) ((t) > 0.0 ? 1.0 : ((t) < 0.0 ? -1.0 : 0.0))

#define SDTW_DEFINE_COST(NAME, TERM, SCALE, DIR)                                          \
    /* term'(t) */                                                                         \
    static inline double sdtw_##NAME##_dterm(double t) { return SCALE * DIR(t); }          \
                                                                                           \
    /* cost[j] = Delta(x_i, y_j) for j in [lo, hi); y laid out [j][k]. */                   \
    static inline void sdtw_##NAME##_row(const double *xi, const double *y, ptrdiff_t d,   \
                                         ptrdiff_t lo, ptrdiff_t hi, double *cost)         \
    {                                                                                      \
        if (d == 1) {                                                                      \
            for (ptrdiff_t j = lo; j < hi; j++) {                                          \
                double t = xi[0] - y[j];                                                   \
                cost[j] = TERM(t);                                                         \
            }                                                                              \
            return;                                                                        \
        }                                                                                  \
        for (ptrdiff_t j = lo; j < hi; j++) {                                              \
            double s = 0.0;                                                                \
            for (ptrdiff_t k = 0; k < d; k++) {                                            \
                double t = xi[k] - y[j * d + k];                                           \
                s += TERM(t);                                                              \
            }                                                                              \
            cost[j] = s;                                                                   \
        }                                                                                  \
    }                                                                                      \
                                                                                           \
    /* Row i of the Jacobian-vector product for j in [lo, hi): added to gxi,           \
     * subtracted from gy; either may be NULL. */                                          \
    static inline void sdtw_##NAME##_jvp_row(const double *e, const double *xi,            \
                                             const double *y, ptrdiff_t d, ptrdiff_t lo,   \
                                             ptrdiff_t hi, double *gxi, double *gy)        \
    {                                                                                      \
        if (d == 1 && gxi != NULL && gy == NULL) {                                         \
            double acc = 0.0;                                                              \
            for (ptrdiff_t j = lo; j < hi; j++) {                                          \
                double t = xi[0] - y[j];                                                   \
                acc += e[j] * DIR(t);                                                      \
            }                                                                              \
            gxi[0] += SCALE * acc;                                                         \
            return;                                                                        \
        }                                                                                  \
        for (ptrdiff_t j = lo; j < hi; j++) {                                              \
            if (e[j] == 0.0)                                                               \
                continue;                                                                  \
            for (ptrdiff_t k = 0; k < d; k++) {                                            \
                double t = xi[k] - y[j * d + k];                                           \
                double c = SCALE * e[j] * DIR(t);                                          \
                if (gxi != NULL)                                                           \
                    gxi[k] += c;                                                           \
                if (gy != NULL)                                                            \
                    gy[j * d + k] -= c;                                                    \
            }                                                                              \
        }                                                                                  \
    }                                                                                      \
                                                                                           \
    /* c[i] = Delta(x_i, y_(s - i)) for i in [lo, hi): an anti-diagonal, with x laid    \
     * out [k][i] (n points) and yr = y reversed, [k][t] (m points), s = m - 1 - t. */    \
    static inline void sdtw_##NAME##_diagonal(const double *x, const double *yr,           \
                                              ptrdiff_t n, ptrdiff_t m, ptrdiff_t d,       \
                                              ptrdiff_t t, ptrdiff_t lo, ptrdiff_t hi,     \
                                              double *c)                                   \
    {                                                                                      \
        for (ptrdiff_t i = lo; i < hi; i++) {                                              \
            double u = x[i] - yr[t + i];                                                   \
            c[i] = TERM(u);                                                                \
        }                                                                                  \
        for (ptrdiff_t k = 1; k < d; k++)                                                  \
            for (ptrdiff_t i = lo; i < hi; i++) {                                          \
                double u = x[k * n + i] - yr[k * m + t + i];                               \
                c[i] += TERM(u);                                                           \
            }                                                                              \
    }                                                                                      \
                                                                                           \
    /* The Jacobian-vector product of an anti-diagonal (layouts of                        \
     * sdtw_*_diagonal), E of row i at e[i]: added to gx, subtracted from gyr (which     \
     * may be NULL). */                                                                   \
    static inline void sdtw_##NAME##_diagonal_jvp(const double *e, const double *x,        \
                                                  const double *yr, ptrdiff_t n,           \
                                                  ptrdiff_t m, ptrdiff_t d, ptrdiff_t t,   \
                                                  ptrdiff_t lo, ptrdiff_t hi, double *gx,  \
                                                  double *gyr)                             \
    {                                                                                      \
        if (gyr == NULL) {                                                                 \
            for (ptrdiff_t k = 0; k < d; k++)                                              \
                for (ptrdiff_t i = lo; i < hi; i++)                                        \
                    gx[k * n + i] += SCALE * e[i] * DIR(x[k * n + i] - yr[k * m + t + i]); \
            return;                                                                        \
        }                                                                                  \
        for (ptrdiff_t k = 0; k < d; k++)                                                  \
            for (ptrdiff_t i = lo; i < hi; i++) {                                          \
                double u = x[k * n + i] - yr[k * m + t + i];                               \
                double v = SCALE * e[i] * DIR(u);                                          \
                gx[k * n + i] += v;                                                        \
                gyr[k * m + t + i] -= v;                                                   \
            }                                                                              \
    }

SDTW_DEFINE_COST(sqeuclidean, SDTW_SQEUCLIDEAN_TERM, SDTW_SQEUCLIDEAN_SCALE,
                 SDTW_SQEUCLIDEAN_DIR)
SDTW_DEFINE_COST(abs, SDTW_ABS_TERM, SDTW_ABS_SCALE, SDTW_ABS_DIR)

/* The loops above for the cost given, chosen once per call. */
static inline void sdtw_cost_row(int cost, const double *xi, const double *y, ptrdiff_t d,
                                 ptrdiff_t lo, ptrdiff_t hi, double *out)
{
    if (cost == SDTW_ABS)
        sdtw_abs_row(xi, y, d, lo, hi, out);
    else
        sdtw_sqeuclidean_row(xi, y, d, lo, hi, out);
}

static inline void sdtw_cost_jvp_row(int cost, const double *e, const double *xi,
                                     const double *y, ptrdiff_t d, ptrdiff_t lo, ptrdiff_t hi,
                                     double *gxi, double *gy)
{
    if (cost == SDTW_ABS)
        sdtw_abs_jvp_row(e, xi, y, d, lo, hi, gxi, gy);
    else
        sdtw_sqeuclidean_jvp_row(e, xi, y, d, lo, hi, gxi, gy);
}

static inline void sdtw_cost_diagonal(int cost, const double *x, const double *yr, ptrdiff_t n,
                                      ptrdiff_t m, ptrdiff_t d, ptrdiff_t t, ptrdiff_t lo,
                                      ptrdiff_t hi, double *c)
{
    if (cost == SDTW_ABS)
        sdtw_abs_diagonal(x, yr, n, m, d, t, lo, hi, c);
    else
        sdtw_sqeuclidean_diagonal(x, yr, n, m, d, t, lo, hi, c);
}

static inline void sdtw_cost_diagonal_jvp(int cost, const double *e, const double *x,
                                          const double *yr, ptrdiff_t n, ptrdiff_t m,
                                          ptrdiff_t d, ptrdiff_t t, ptrdiff_t lo, ptrdiff_t hi,
                                          double *gx, double *gyr)
{
    if (cost == SDTW_ABS)
        sdtw_abs_diagonal_jvp(e, x, yr, n, m, d, t, lo, hi, gx, gyr);
    else
        sdtw_sqeuclidean_diagonal_jvp(e, x, yr, n, m, d, t, lo, hi, gx, gyr);
}
#endif
