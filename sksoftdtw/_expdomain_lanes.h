/* The lane functions of _expdomain.h, for one number type: included once per
 * type, with SDTW_T the type, SDTW_NAME(name) the name of a function for it,
 * SDTW_L the lanes of a block, SDTW_TV / SDTW_TNV / SDTW_TVW the vector type,
 * the vectors of a block and the numbers of a vector, SDTW_TOP(op) the vector
 * operations, SDTW_GET / SDTW_PUT the access to vector h of a block and
 * SDTW_TROUND_MAGIC the rounding constant. No include guard: the parameters
 * are undefined at the end. */
#define SDTW_TEACH for (int h = 0; h < SDTW_TNV; h++)
#define SDTW_TSTEP(p, h) ((p) + (h) * SDTW_TVW)

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
 * lane for d dimensions laid out [k][lane], and sdtw_lanes_NAME_jvp_row, its
 * Jacobian-vector product for row i of SDTW_L pairs: adds sum_j E_ij
 * term'(x_i - y_j) to the gradient of x_i and subtracts each term from the
 * gradient of y_j, for j in [lo, hi); E, x and y laid out [j][lane], [k][lane]
 * and [j][k][lane]. Either gradient may be NULL (not wanted). */
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
    }                                                                                     \
                                                                                          \
    static inline void SDTW_NAME(sdtw_lanes_##NAME##_jvp_row)(                            \
        const SDTW_T *e, const SDTW_T *xi, const SDTW_T *yl, ptrdiff_t lo, ptrdiff_t hi,  \
        ptrdiff_t d, SDTW_T *gxi, SDTW_T *gyl)                                            \
    {                                                                                     \
        SDTW_TV scale = SDTW_TOP(set1)(SDTW_SCALE_##NAME);                                \
        for (ptrdiff_t k = 0; k < d; k++) {                                               \
            SDTW_TEACH {                                                                  \
                SDTW_TV x = SDTW_TOP(load)(SDTW_TSTEP(xi + k * SDTW_L, h));               \
                SDTW_TV acc = SDTW_TOP(set1)(0);                                          \
                for (ptrdiff_t j = lo; j < hi; j++) {                                     \
                    const SDTW_T *yjk = SDTW_TSTEP(yl + (j * d + k) * SDTW_L, h);         \
                    SDTW_TV t = SDTW_TOP(mul)(                                            \
                        SDTW_TOP(mul)(scale, SDTW_TOP(load)(SDTW_TSTEP(e + j * SDTW_L, h))), \
                        SDTW_DIR_##NAME(SDTW_TOP(sub)(x, SDTW_TOP(load)(yjk))));          \
                    acc = SDTW_TOP(add)(acc, t);                                          \
                    if (gyl != NULL) {                                                    \
                        SDTW_T *gy = gyl + (yjk - yl);                                    \
                        SDTW_TOP(store)(gy, SDTW_TOP(sub)(SDTW_TOP(load)(gy), t));        \
                    }                                                                     \
                }                                                                         \
                if (gxi != NULL) {                                                        \
                    SDTW_T *gx = SDTW_TSTEP(gxi + k * SDTW_L, h);                         \
                    SDTW_TOP(store)(gx, SDTW_TOP(add)(SDTW_TOP(load)(gx), acc));          \
                }                                                                         \
            }                                                                             \
        }                                                                                 \
    }
SDTW_LANES_COST(sqeuclidean)
SDTW_LANES_COST(abs)

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

#undef SDTW_TEACH
#undef SDTW_LANES_COST
#undef SDTW_TERM_sqeuclidean
#undef SDTW_ACC_sqeuclidean
#undef SDTW_SCALE_sqeuclidean
#undef SDTW_DIR_sqeuclidean
#undef SDTW_TERM_abs
#undef SDTW_ACC_abs
#undef SDTW_SCALE_abs
#undef SDTW_DIR_abs
#undef SDTW_TSTEP
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
