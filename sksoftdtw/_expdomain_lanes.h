/* The lane functions of _expdomain.h, for one number type: included once per
 * type, with SDTW_T the type, SDTW_NAME(name) the name of a function for it,
 * SDTW_L the lanes of a block, SDTW_TV / SDTW_TNV / SDTW_TVW the vector type,
 * the vectors of a block and the numbers of a vector, SDTW_TOP(op) the vector
 * operations, SDTW_GET / SDTW_PUT the access to vector h of a block and
 * SDTW_TROUND_MAGIC the rounding constant. No include guard: the parameters
 * are undefined at the end. */
#define SDTW_TEACH for (int h = 0; h < SDTW_TNV; h++)
#define SDTW_TSTEP(p, h) ((p) + (h) * SDTW_TVW)
/* Rows of costs, or dimensions of a Jacobian-vector product, a lane function
 * keeps in registers at once: 8 vectors of sums (of 32 registers with
 * AVX-512, 16 with AVX2). */
#define SDTW_TKB (SDTW_TNV < 8 ? 8 / SDTW_TNV : 1)

static inline sdtw_lanes SDTW_NAME(sdtw_lanes_load)(const SDTW_T *p)
{
    sdtw_lanes a;
    SDTW_TEACH SDTW_PUT(a, h, SDTW_TOP(load)(SDTW_TSTEP(p, h)));
    return a;
}

static inline void SDTW_NAME(sdtw_lanes_store)(SDTW_T *p, sdtw_lanes a)
{
    SDTW_TEACH SDTW_TOP(store)(SDTW_TSTEP(p, h), SDTW_GET(a, h));
}

/* The costs of _costs.h lane by lane: a cost is the term of a difference t
 * (SDTW_TERM_*), the term added to a sum (SDTW_ACC_*) and the derivative of the
 * term as a scale times a direction (SDTW_SCALE_*, SDTW_DIR_*). */
#define SDTW_TERM_sqeuclidean(t) SDTW_TOP(mul)(t, t)
#define SDTW_ACC_sqeuclidean(t, acc) SDTW_TOP(fma)(t, t, acc)
#define SDTW_SCALE_sqeuclidean 2
#define SDTW_DIR_sqeuclidean(t) (t)
#define SDTW_TERM_abs(t) SDTW_TOP(abs)(t)
#define SDTW_ACC_abs(t, acc) SDTW_TOP(add)(SDTW_TOP(abs)(t), acc)
#define SDTW_SCALE_abs 1
#define SDTW_DIR_abs(t) SDTW_TOP(sign)(t)

/* For the cost NAME: sdtw_lanes_NAME, the cost sum_k term(x[k] - y[k]) lane by
 * lane for d dimensions laid out [k][lane] (its Jacobian-vector product:
 * SDTW_LANES_JVP). */
#define SDTW_LANES_COST(NAME)                                                             \
    static inline sdtw_lanes SDTW_NAME(sdtw_lanes_##NAME)(const SDTW_T *x, const SDTW_T *y, \
                                                        ptrdiff_t d)                      \
    {                                                                                     \
        sdtw_lanes c;                                                                     \
        SDTW_TEACH {                                                                      \
            SDTW_TV diff = SDTW_TOP(sub)(SDTW_TOP(load)(SDTW_TSTEP(x, h)),                \
                                         SDTW_TOP(load)(SDTW_TSTEP(y, h)));               \
            SDTW_PUT(c, h, SDTW_TERM_##NAME(diff));                                       \
        }                                                                                 \
        for (ptrdiff_t k = 1; k < d; k++) {                                               \
            SDTW_TEACH {                                                                  \
                SDTW_TV diff = SDTW_TOP(sub)(SDTW_TOP(load)(SDTW_TSTEP(x + k * SDTW_L, h)), \
                                             SDTW_TOP(load)(SDTW_TSTEP(y + k * SDTW_L, h))); \
                SDTW_PUT(c, h, SDTW_ACC_##NAME(diff, SDTW_GET(c, h)));                    \
            }                                                                             \
        }                                                                                 \
        return c;                                                                         \
    }
SDTW_LANES_COST(sqeuclidean)
SDTW_LANES_COST(abs)

/* sdtw_lanes_sqeuclidean of r <= SDTW_TKB rows x_i, x_(i+1), ... (xi the first,
 * laid out [i][k][lane]) and each y_j, j in [lo, hi): stored in c + row ldc +
 * j SDTW_L. Each y_j is loaded once for the r rows, whose sums stay in
 * registers. */
static inline void SDTW_NAME(sdtw_lanes_sqdist_block)(const SDTW_T *xi, const SDTW_T *yl,
                                                     ptrdiff_t lo, ptrdiff_t hi, ptrdiff_t d,
                                                     int r, SDTW_T *c, ptrdiff_t ldc)
{
    for (ptrdiff_t j = lo; j < hi; j++) {
        const SDTW_T *yj = yl + j * d * SDTW_L;
        SDTW_TV acc[SDTW_TKB][SDTW_TNV];
        SDTW_TEACH {
            SDTW_TV y = SDTW_TOP(load)(SDTW_TSTEP(yj, h));
            for (int row = 0; row < r; row++) {
                SDTW_TV diff = SDTW_TOP(sub)(
                    SDTW_TOP(load)(SDTW_TSTEP(xi + row * d * SDTW_L, h)), y);
                acc[row][h] = SDTW_TOP(mul)(diff, diff);
            }
        }
        for (ptrdiff_t k = 1; k < d; k++) {
            SDTW_TEACH {
                SDTW_TV y = SDTW_TOP(load)(SDTW_TSTEP(yj + k * SDTW_L, h));
                for (int row = 0; row < r; row++) {
                    SDTW_TV diff = SDTW_TOP(sub)(
                        SDTW_TOP(load)(SDTW_TSTEP(xi + (row * d + k) * SDTW_L, h)), y);
                    acc[row][h] = SDTW_TOP(fma)(diff, diff, acc[row][h]);
                }
            }
        }
        for (int row = 0; row < r; row++)
            SDTW_TEACH SDTW_TOP(store)(SDTW_TSTEP(c + row * ldc + j * SDTW_L, h), acc[row][h]);
    }
}

/* The costs of rows i to i + r - 1 of SDTW_L pairs, columns [lo, hi), as
 * sdtw_lanes_sqeuclidean gives them (the same operations), in c + (row - i) ldc:
 * y is read once for SDTW_TKB rows instead of once a row. */
static inline void SDTW_NAME(sdtw_lanes_sqdist_rows)(const SDTW_T *xi, const SDTW_T *yl,
                                                    ptrdiff_t lo, ptrdiff_t hi, ptrdiff_t d,
                                                    ptrdiff_t r, SDTW_T *c, ptrdiff_t ldc)
{
    ptrdiff_t row = 0;
    for (; row + SDTW_TKB <= r; row += SDTW_TKB)
        SDTW_NAME(sdtw_lanes_sqdist_block)(xi + row * d * SDTW_L, yl, lo, hi, d, SDTW_TKB,
                                           c + row * ldc, ldc);
    for (; row < r; row++)
        SDTW_NAME(sdtw_lanes_sqdist_block)(xi + row * d * SDTW_L, yl, lo, hi, d, 1,
                                           c + row * ldc, ldc);
}

/* exp(-c / gamma) lane by lane as a mantissa and its exponent in *e, for
 * scale = 1 / (gamma ln 2): 2^t = 2^r * 2^(t - r), r the integer nearest t. */
static inline sdtw_lanes SDTW_NAME(sdtw_lanes_exp_neg)(sdtw_lanes c, SDTW_T scale,
                                                      sdtw_lanes *e)
{
    sdtw_lanes g;
    SDTW_TV ms = SDTW_TOP(set1)(-scale), magic = SDTW_TOP(set1)(SDTW_TROUND_MAGIC);
    SDTW_TEACH {
        SDTW_TV t = SDTW_TOP(mul)(SDTW_GET(c, h), ms);
        SDTW_TV r = SDTW_TOP(sub)(SDTW_TOP(add)(t, magic), magic);
        SDTW_PUT(*e, h, r);
        SDTW_PUT(g, h, SDTW_TOP(exp2_frac)(SDTW_TOP(sub)(t, r)));
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
 * w[SDTW_L + lane]), the soft-min weights of those predecessors. */
static inline sdtw_lanes SDTW_NAME(sdtw_lanes_cell)(sdtw_lanes df, sdtw_lanes de,
                                                   sdtw_lanes uf, sdtw_lanes ue,
                                                   sdtw_lanes lf, sdtw_lanes le,
                                                   sdtw_lanes g, sdtw_lanes ge,
                                                   sdtw_lanes *e, SDTW_T *w)
{
    sdtw_lanes f;
    SDTW_TEACH {
        SDTW_TV dE = SDTW_GET(de, h), uE = SDTW_GET(ue, h), lE = SDTW_GET(le, h);
        SDTW_TV top = SDTW_TOP(max)(SDTW_TOP(max)(dE, uE), lE);
        SDTW_TV td = SDTW_TOP(scale)(SDTW_GET(df, h), SDTW_TOP(sub)(dE, top));
        SDTW_TV tu = SDTW_TOP(scale)(SDTW_GET(uf, h), SDTW_TOP(sub)(uE, top));
        SDTW_TV tl = SDTW_TOP(scale)(SDTW_GET(lf, h), SDTW_TOP(sub)(lE, top));
        SDTW_TV sum = SDTW_TOP(add)(SDTW_TOP(add)(td, tu), tl);
        SDTW_TV k;
        SDTW_PUT(f, h, SDTW_TOP(split)(SDTW_TOP(mul)(SDTW_GET(g, h), sum), &k));
        SDTW_PUT(*e, h, SDTW_TOP(add)(SDTW_TOP(add)(top, SDTW_GET(ge, h)), k));
        if (w != NULL) {
            SDTW_TV inv = SDTW_TOP(div)(SDTW_TOP(set1)(1), sum);
            SDTW_TOP(store)(SDTW_TSTEP(w, h), SDTW_TOP(mul)(td, inv));
            SDTW_TOP(store)(SDTW_TSTEP(w + SDTW_L, h), SDTW_TOP(mul)(tu, inv));
        }
    }
    return f;
}

/* One cell of the backward recursion in every lane: E_ij = the sum over the
 * successors (left, up, diagonal) of their E times the weight they give to
 * (i, j). Each pointer is the successor's stored pair of weights (diagonal,
 * upper) or the one of them that (i, j) gets; the left successor gives the
 * rest of 1 (a few ulps off, clipped at 0), and E is clipped at 1. */
static inline sdtw_lanes SDTW_NAME(sdtw_lanes_e_step)(sdtw_lanes el, const SDTW_T *wl,
                                                     sdtw_lanes eu, const SDTW_T *wu,
                                                     sdtw_lanes ed, const SDTW_T *wd)
{
    sdtw_lanes e;
    SDTW_TV one = SDTW_TOP(set1)(1), zero = SDTW_TOP(set1)(0);
    SDTW_TEACH {
        SDTW_TV share = SDTW_TOP(sub)(SDTW_TOP(sub)(one, SDTW_TOP(load)(SDTW_TSTEP(wl, h))),
                                      SDTW_TOP(load)(SDTW_TSTEP(wl + SDTW_L, h)));
        SDTW_TV s = SDTW_TOP(mul)(SDTW_GET(ed, h), SDTW_TOP(load)(SDTW_TSTEP(wd, h)));
        s = SDTW_TOP(fma)(SDTW_GET(eu, h), SDTW_TOP(load)(SDTW_TSTEP(wu, h)), s);
        s = SDTW_TOP(fma)(SDTW_GET(el, h), SDTW_TOP(max)(zero, share), s);
        SDTW_PUT(e, h, SDTW_TOP(min)(one, s));
    }
    return e;
}

/* For the cost NAME: sdtw_lanes_NAME_jvp_row, its Jacobian-vector product for
 * row i of SDTW_L pairs: adds sum_j E_ij term'(x_i - y_j) to the gradient of
 * x_i and subtracts each term from the gradient of y_j, for j in [lo, hi); E,
 * x and y laid out [j][lane], [k][lane] and [j][k][lane]. Either gradient may
 * be NULL (not wanted). By SDTW_TKB dimensions at a time
 * (sdtw_lanes_NAME_jvp_dims): their x and sums stay in registers while j runs
 * along the row, so y is read in contiguous runs of SDTW_TKB lane blocks; the
 * sums of E_ij times the direction are scaled at the end (exactly, for a
 * power of two). */
#define SDTW_LANES_JVP(NAME)                                                              \
    static inline void SDTW_NAME(sdtw_lanes_##NAME##_jvp_dims)(                           \
        const SDTW_T *e, const SDTW_T *xi, const SDTW_T *yl, ptrdiff_t lo, ptrdiff_t hi,  \
        ptrdiff_t d, ptrdiff_t k0, int kb, SDTW_T *gxi, SDTW_T *gyl)                      \
    {                                                                                     \
        SDTW_TV scale = SDTW_TOP(set1)(SDTW_SCALE_##NAME);                                \
        SDTW_TV minus = SDTW_TOP(set1)(-SDTW_SCALE_##NAME);                               \
        SDTW_TV x[SDTW_TKB][SDTW_TNV], acc[SDTW_TKB][SDTW_TNV];                           \
        for (int c = 0; c < kb; c++) {                                                    \
            SDTW_TEACH {                                                                  \
                x[c][h] = SDTW_TOP(load)(SDTW_TSTEP(xi + (k0 + c) * SDTW_L, h));          \
                acc[c][h] = SDTW_TOP(set1)(0);                                            \
            }                                                                             \
        }                                                                                 \
        for (ptrdiff_t j = lo; j < hi; j++) {                                             \
            const SDTW_T *yj = yl + (j * d + k0) * SDTW_L;                                \
            SDTW_TV ej[SDTW_TNV];                                                         \
            SDTW_TEACH ej[h] = SDTW_TOP(load)(SDTW_TSTEP(e + j * SDTW_L, h));             \
            for (int c = 0; c < kb; c++) {                                                \
                SDTW_TEACH {                                                              \
                    SDTW_TV dir = SDTW_DIR_##NAME(SDTW_TOP(sub)(                          \
                        x[c][h], SDTW_TOP(load)(SDTW_TSTEP(yj + c * SDTW_L, h))));        \
                    if (gyl != NULL) {                                                    \
                        SDTW_TV t = SDTW_TOP(mul)(ej[h], dir);                            \
                        SDTW_T *gy = SDTW_TSTEP(gyl + (yj - yl) + c * SDTW_L, h);         \
                        acc[c][h] = SDTW_TOP(add)(acc[c][h], t);                          \
                        SDTW_TOP(store)(gy, SDTW_TOP(fma)(minus, t, SDTW_TOP(load)(gy))); \
                    } else {                                                              \
                        acc[c][h] = SDTW_TOP(fma)(ej[h], dir, acc[c][h]);                 \
                    }                                                                     \
                }                                                                         \
            }                                                                             \
        }                                                                                 \
        if (gxi != NULL) {                                                                \
            for (int c = 0; c < kb; c++) {                                                \
                SDTW_TEACH {                                                              \
                    SDTW_T *gx = SDTW_TSTEP(gxi + (k0 + c) * SDTW_L, h);                  \
                    SDTW_TOP(store)(gx, SDTW_TOP(fma)(scale, acc[c][h],                   \
                                                      SDTW_TOP(load)(gx)));               \
                }                                                                         \
            }                                                                             \
        }                                                                                 \
    }                                                                                     \
                                                                                          \
    static inline void SDTW_NAME(sdtw_lanes_##NAME##_jvp_row)(                            \
        const SDTW_T *e, const SDTW_T *xi, const SDTW_T *yl, ptrdiff_t lo, ptrdiff_t hi,  \
        ptrdiff_t d, SDTW_T *gxi, SDTW_T *gyl)                                            \
    {                                                                                     \
        ptrdiff_t k0 = 0;                                                                 \
        for (; k0 + SDTW_TKB <= d; k0 += SDTW_TKB)                                        \
            SDTW_NAME(sdtw_lanes_##NAME##_jvp_dims)(e, xi, yl, lo, hi, d, k0, SDTW_TKB,   \
                                                    gxi, gyl);                            \
        for (; k0 < d; k0++)                                                              \
            SDTW_NAME(sdtw_lanes_##NAME##_jvp_dims)(e, xi, yl, lo, hi, d, k0, 1, gxi,     \
                                                    gyl);                                 \
    }
SDTW_LANES_JVP(sqeuclidean)
SDTW_LANES_JVP(abs)

#undef SDTW_TEACH
#undef SDTW_LANES_COST
#undef SDTW_LANES_JVP
#undef SDTW_TERM_sqeuclidean
#undef SDTW_ACC_sqeuclidean
#undef SDTW_SCALE_sqeuclidean
#undef SDTW_DIR_sqeuclidean
#undef SDTW_TERM_abs
#undef SDTW_ACC_abs
#undef SDTW_SCALE_abs
#undef SDTW_DIR_abs
#undef SDTW_TSTEP
#undef SDTW_TKB
#undef SDTW_T
#undef SDTW_NAME
#undef SDTW_L
#undef SDTW_TV
#undef SDTW_TNV
#undef SDTW_TVW
#undef SDTW_TOP
#undef SDTW_GET
#undef SDTW_PUT
#undef SDTW_TROUND_MAGIC
