"""Independent reference implementations ("oracles") used by the test suite.

Nothing in here imports ``sksoftdtw``: every expected value in the tests is
produced by the slow-but-obvious code below, written directly from the
definitions in Cuturi & Blondel (2017) and Blondel, Mensch & Vert (2021).

Conventions
-----------
* A series is an ``(n, d)`` float64 array (``as_2d`` turns ``(n,)`` into
  ``(n, 1)``).
* The ground cost is the squared Euclidean distance,
  ``D[i, j] = ||x_i - y_j||^2``.
* ``gamma == 0`` means hard DTW (plain ``min``), in squared units.
* A Sakoe-Chiba ``radius`` of ``None`` means "no band"; a pair
  ``(radius, slope)`` is that band intersected with the Itakura
  parallelogram of maximum ``slope`` (``None``: none).
"""

import itertools
import math
from functools import cache

import numpy as np

INF = math.inf


# --------------------------------------------------------------------------
# Basic helpers
# --------------------------------------------------------------------------
def as_2d(x):
    """(n,) -> (n, 1); (n, d) unchanged; always float64 and a copy."""
    x = np.array(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    assert x.ndim == 2
    return x


def sq_euclidean_cost(x, y):
    """Plain double loop: D[i, j] = sum_k (x[i, k] - y[j, k]) ** 2."""
    x = as_2d(x)
    y = as_2d(y)
    n, d = x.shape
    m, d2 = y.shape
    assert d == d2
    D = np.empty((n, m))
    for i in range(n):
        for j in range(m):
            s = 0.0
            for k in range(d):
                diff = float(x[i, k]) - float(y[j, k])
                s += diff * diff
            D[i, j] = s
    return D


def band_mask(n, m, radius):
    """Boolean (n, m) mask of the cells allowed by a Sakoe-Chiba band.

    Taken literally from the specification:
      n <= m: allowed iff i - r <= j <= i + (m - n) + r
      n >  m: allowed iff j - r <= i <= j + (n - m) + r
    """
    if isinstance(radius, tuple):
        radius, slope = radius
        mask = band_mask(n, m, radius)
        return mask if slope is None else mask & itakura_mask(n, m, slope)
    mask = np.ones((n, m), dtype=bool)
    if radius is None:
        return mask
    r = int(radius)
    for i in range(n):
        for j in range(m):
            if n <= m:
                ok = (i - r) <= j <= (i + (m - n) + r)
            else:
                ok = (j - r) <= i <= (j + (n - m) + r)
            mask[i, j] = ok
    return mask


def itakura_mask(n, m, s):
    """Boolean (n, m) mask of the Itakura parallelogram of maximum slope ``s``.

    tslearn's definition, cell by cell: row ``i`` of column ``j`` lies between
    the lines of slopes ``s n / m`` and ``n / (m s)`` through ``(0, 0)`` and
    through ``(n - 1, m - 1)``, each bound rounded to two decimals.
    """
    hi_slope = s * (n / m)
    lo_slope = (1.0 / s) * (n / m)
    mask = np.zeros((n, m), dtype=bool)
    for j in range(m):
        lower = max(np.round(lo_slope * j, 2),
                    np.round(((n - 1) - hi_slope * (m - 1)) + hi_slope * j, 2))
        upper = min(np.round(hi_slope * j, 2),
                    np.round(((n - 1) - lo_slope * (m - 1)) + lo_slope * j, 2))
        for i in range(n):
            mask[i, j] = lower <= i <= upper
    return mask


def logsumexp(values):
    """Stable log(sum(exp(v))) over a Python iterable; -inf-safe."""
    values = [float(v) for v in values]
    finite = [v for v in values if v != -INF]
    if not finite:
        return -INF
    mx = max(finite)
    return mx + math.log(math.fsum(math.exp(v - mx) for v in finite))


def softmin(values, gamma):
    """min^gamma(u) = -gamma * log(sum(exp(-u / gamma))); gamma == 0 -> min."""
    values = [float(v) for v in values]
    if gamma == 0:
        return min(values)
    finite = [v for v in values if v != INF]
    if not finite:
        return INF
    return -gamma * logsumexp([-v / gamma for v in finite])


# --------------------------------------------------------------------------
# Brute force over all alignments (Delannoy-many), for tiny n, m
# --------------------------------------------------------------------------
@cache
def all_alignments(n, m):
    """Every monotone path (0,0) -> (n-1,m-1) with steps (1,0), (0,1), (1,1).

    Returned as a tuple of tuples of (i, j) cells.  Their number is the
    Delannoy number D(n-1, m-1) (e.g. 321 for n = m = 5).
    """
    paths = []

    def rec(i, j, acc):
        acc.append((i, j))
        if i == n - 1 and j == m - 1:
            paths.append(tuple(acc))
        else:
            if i + 1 < n:
                rec(i + 1, j, acc)
            if j + 1 < m:
                rec(i, j + 1, acc)
            if i + 1 < n and j + 1 < m:
                rec(i + 1, j + 1, acc)
        acc.pop()

    rec(0, 0, [])
    return tuple(paths)


def delannoy(a, b):
    """Delannoy number via its closed form (independent of the enumerator)."""
    return sum(math.comb(a, k) * math.comb(b, k) * 2**k for k in range(min(a, b) + 1))


def allowed_alignments(n, m, mask=None):
    paths = all_alignments(n, m)
    if mask is None:
        return list(paths)
    return [p for p in paths if all(mask[i, j] for (i, j) in p)]


def path_cost(D, path):
    return math.fsum(float(D[i, j]) for (i, j) in path)


def brute_force_soft_dtw(D, gamma, radius=None):
    """Soft-DTW value and expected alignment E by enumerating alignments.

    value = -gamma * log sum_A exp(-<A, D> / gamma)
    E     = sum_A p(A) A,  p(A) = exp((value - <A, D>) / gamma)

    For gamma == 0 returns the minimum cost and the 0/1 indicator of the
    optimal path (asserting that it is unique, which holds almost surely for
    random data).
    """
    D = np.asarray(D, dtype=np.float64)
    n, m = D.shape
    mask = band_mask(n, m, radius) if radius is not None else None
    paths = allowed_alignments(n, m, mask)
    assert paths, "band leaves no admissible path"
    costs = [path_cost(D, p) for p in paths]
    E = np.zeros((n, m))
    if gamma == 0:
        best = min(costs)
        winners = [p for p, c in zip(paths, costs) if c == best]
        assert len(winners) == 1, "tie between optimal paths; pick other data"
        for i, j in winners[0]:
            E[i, j] = 1.0
        return best, E
    value = -gamma * logsumexp([-c / gamma for c in costs])
    for p, c in zip(paths, costs):
        w = math.exp((value - c) / gamma)
        for i, j in p:
            E[i, j] += w
    return value, E


def brute_force_min_path(D, radius=None):
    """(cost, path) of the unique optimal alignment (hard DTW)."""
    D = np.asarray(D, dtype=np.float64)
    n, m = D.shape
    mask = band_mask(n, m, radius) if radius is not None else None
    paths = allowed_alignments(n, m, mask)
    costs = [path_cost(D, p) for p in paths]
    k = int(np.argmin(costs))
    return costs[k], list(paths[k])


# --------------------------------------------------------------------------
# Plain-Python dynamic programming
# --------------------------------------------------------------------------
def _forward(D, gamma, mask):
    """alpha[i][j] = soft-min cost of paths (0,0) -> (i,j), D[i,j] included.

    Uses 1-based padding so that alpha_pad[0][0] = 0, borders = +inf, exactly
    as in the paper's recursion.
    """
    n, m = D.shape
    R = [[INF] * (m + 1) for _ in range(n + 1)]
    R[0][0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if not mask[i - 1, j - 1]:
                R[i][j] = INF
                continue
            prev = softmin((R[i - 1][j - 1], R[i - 1][j], R[i][j - 1]), gamma)
            R[i][j] = float(D[i - 1, j - 1]) + prev
    return R


def _backward(D, gamma, mask):
    """beta[i][j] = soft-min cost of paths (i,j) -> (n-1,m-1), D[i,j] incl."""
    n, m = D.shape
    B = [[INF] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            if not mask[i, j]:
                B[i][j] = INF
                continue
            if i == n - 1 and j == m - 1:
                B[i][j] = float(D[i, j])
                continue
            nxt = softmin((B[i + 1][j + 1], B[i + 1][j], B[i][j + 1]), gamma)
            B[i][j] = float(D[i, j]) + nxt
    return B


def dp_soft_dtw(D, gamma, radius=None):
    """Soft-DTW value by the plain recursion (gamma == 0: hard DTW)."""
    D = np.asarray(D, dtype=np.float64)
    n, m = D.shape
    mask = band_mask(n, m, radius)
    return _forward(D, gamma, mask)[n][m]


def dp_soft_dtw_alignment(D, gamma, radius=None):
    """(value, E) by a forward-backward pass in the log domain.

    This deliberately differs from the backward recursion of Cuturi & Blondel
    (Algorithm 2): the probability that the Gibbs-random path visits (i, j) is

        E[i, j] = exp((value - alpha[i, j] - beta[i, j] + D[i, j]) / gamma)

    where alpha/beta are the forward/backward soft-min costs.
    """
    D = np.asarray(D, dtype=np.float64)
    assert gamma > 0
    n, m = D.shape
    mask = band_mask(n, m, radius)
    R = _forward(D, gamma, mask)
    B = _backward(D, gamma, mask)
    value = R[n][m]
    E = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            a = R[i + 1][j + 1]
            b = B[i][j]
            if a == INF or b == INF:
                continue
            E[i, j] = math.exp((value - a - b + float(D[i, j])) / gamma)
    return value, E


def hard_dtw(D, radius=None):
    """Hard DTW (sum of squared distances along the best path, no sqrt)."""
    D = np.asarray(D, dtype=np.float64)
    n, m = D.shape
    mask = band_mask(n, m, radius)
    C = [[INF] * (m + 1) for _ in range(n + 1)]
    C[0][0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if mask[i - 1, j - 1]:
                C[i][j] = float(D[i - 1, j - 1]) + min(C[i - 1][j - 1], C[i - 1][j], C[i][j - 1])
    return C[n][m]


def hard_dtw_path(D, radius=None):
    """(cost, path) of an optimal alignment by DP + backtracking."""
    D = np.asarray(D, dtype=np.float64)
    n, m = D.shape
    mask = band_mask(n, m, radius)
    C = [[INF] * (m + 1) for _ in range(n + 1)]
    C[0][0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if mask[i - 1, j - 1]:
                C[i][j] = float(D[i - 1, j - 1]) + min(C[i - 1][j - 1], C[i - 1][j], C[i][j - 1])
    path = [(n - 1, m - 1)]
    i, j = n, m
    while (i, j) != (1, 1):
        cands = [(C[i - 1][j - 1], i - 1, j - 1), (C[i - 1][j], i - 1, j), (C[i][j - 1], i, j - 1)]
        _, i, j = min(cands)
        path.append((i - 1, j - 1))
    return C[n][m], path[::-1]


def count_paths(n, m, radius=None):
    """Number of admissible alignments (exact integer DP)."""
    mask = band_mask(n, m, radius)
    N = [[0] * (m + 1) for _ in range(n + 1)]
    N[0][0] = 1
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if mask[i - 1, j - 1]:
                N[i][j] = N[i - 1][j - 1] + N[i - 1][j] + N[i][j - 1]
    return N[n][m]


# --------------------------------------------------------------------------
# Series-level wrappers
# --------------------------------------------------------------------------
def sdtw_xy(x, y, gamma, radius=None):
    return dp_soft_dtw(sq_euclidean_cost(x, y), gamma, radius)


def dtw_xy(x, y, radius=None):
    return hard_dtw(sq_euclidean_cost(x, y), radius)


def divergence_xy(x, y, gamma, radius=None):
    return sdtw_xy(x, y, gamma, radius) - 0.5 * (
        sdtw_xy(x, x, gamma, radius) + sdtw_xy(y, y, gamma, radius)
    )


def sharp_xy(x, y, gamma, radius=None):
    """The sharp soft-DTW: the expected cost of an alignment, by brute force."""
    D = sq_euclidean_cost(x, y)
    return brute_force_gibbs_moments(D, gamma, D, radius)[1]


def sharp_divergence_xy(x, y, gamma, radius=None):
    return sharp_xy(x, y, gamma, radius) - 0.5 * (
        sharp_xy(x, x, gamma, radius) + sharp_xy(y, y, gamma, radius)
    )


def dilate_xy(x, y, alpha, gamma):
    """DILATE by brute force: alpha soft-DTW + (1 - alpha) <E, Omega>, with
    Omega_ij = ((i + 1/2) / n - (j + 1/2) / m)^2."""
    D = sq_euclidean_cost(x, y)
    n, m = D.shape
    omega = ((np.arange(n)[:, None] + 0.5) / n - (np.arange(m)[None, :] + 0.5) / m) ** 2
    temporal = brute_force_gibbs_moments(D, gamma, omega)[2]
    return alpha * brute_force_soft_dtw(D, gamma)[0] + (1 - alpha) * temporal


def grads_from_alignment(x, y, E):
    """Chain rule through D[i,j] = ||x_i - y_j||^2:
    dV/dx_i = sum_j E[i,j] 2 (x_i - y_j);  dV/dy_j = sum_i E[i,j] 2 (y_j - x_i).
    """
    x = as_2d(x)
    y = as_2d(y)
    n, d = x.shape
    m = y.shape[0]
    gx = np.zeros((n, d))
    gy = np.zeros((m, d))
    for i in range(n):
        for j in range(m):
            diff = x[i] - y[j]
            gx[i] += 2.0 * E[i, j] * diff
            gy[j] -= 2.0 * E[i, j] * diff
    return gx, gy


def central_diff(f, z, h):
    """Central finite-difference gradient of scalar f at array z."""
    z = np.array(z, dtype=np.float64)
    g = np.zeros_like(z)
    for idx in itertools.product(*[range(s) for s in z.shape]):
        zp = z.copy()
        zm = z.copy()
        zp[idx] += h
        zm[idx] -= h
        g[idx] = (f(zp) - f(zm)) / (2.0 * h)
    return g


def is_valid_path(path, n, m, radius=None):
    """Monotone path (0,0) -> (n-1,m-1), unit steps, inside the band."""
    path = [tuple(int(v) for v in c) for c in path]
    if not path or path[0] != (0, 0) or path[-1] != (n - 1, m - 1):
        return False
    mask = band_mask(n, m, radius)
    for a, b in path:
        if not (0 <= a < n and 0 <= b < m) or not mask[a, b]:
            return False
    for (a, b), (c, e) in itertools.pairwise(path):
        if (c - a, e - b) not in {(1, 0), (0, 1), (1, 1)}:
            return False
    return True


def strip_trailing_nan(ts):
    """Remove trailing all-NaN rows of an (sz, d) array."""
    ts = as_2d(ts)
    sz = ts.shape[0]
    while sz > 0 and np.all(np.isnan(ts[sz - 1])):
        sz -= 1
    return ts[:sz]


def pad_dataset(series_list):
    """Build a tslearn-style NaN-padded (n_ts, max_sz, d) float64 array."""
    series_list = [as_2d(s) for s in series_list]
    n_ts = len(series_list)
    max_sz = max(s.shape[0] for s in series_list)
    d = series_list[0].shape[1]
    out = np.full((n_ts, max_sz, d), np.nan)
    for k, s in enumerate(series_list):
        out[k, : s.shape[0]] = s
    return out


# --------------------------------------------------------------------------
# High precision (mpmath), for error bounds of float64 results
# --------------------------------------------------------------------------
def mp_soft_dtw(D, gamma, radius=None, dps=60):
    """Soft-DTW value of a cost matrix by the recursion in ``dps``-digit arithmetic.

    The costs are taken as exact; the result is an mpmath number whose error
    is far below float64's rounding for the sizes of the tests.
    """
    import mpmath

    D = np.asarray(D, dtype=np.float64)
    n, m = D.shape
    mask = band_mask(n, m, radius)
    with mpmath.workdps(dps):
        g = mpmath.mpf(float(gamma))
        # P[i][j] = sum over paths to (i, j) of exp(-cost / gamma), kept exactly
        P = [[mpmath.mpf(0)] * (m + 1) for _ in range(n + 1)]
        P[0][0] = mpmath.mpf(1)
        for i in range(1, n + 1):
            for j in range(1, m + 1):
                if mask[i - 1, j - 1]:
                    P[i][j] = mpmath.exp(-mpmath.mpf(float(D[i - 1, j - 1])) / g) * (
                        P[i - 1][j - 1] + P[i - 1][j] + P[i][j - 1])
        return -g * mpmath.log(P[n][m])


def brute_force_gibbs_moments(D, gamma, Z, radius=None):
    """First and second moments of the Gibbs distribution over alignments.

    p(A) = exp(-<A, D> / gamma) / sum_A' exp(-<A', D> / gamma), and for
    gamma == inf the uniform law over the admissible alignments. Returns

    * E      = sum_A p(A) A                    (the gradient of soft-DTW in D),
    * sharp  = sum_A p(A) <A, D>               (the expected cost),
    * dz     = sum_A p(A) <A, Z>  = <E, Z>     (the derivative in direction Z),
    * HZ     = -(1 / gamma) Cov_p(A, <A, Z>)   (the Hessian of soft-DTW times Z;
                                                zero array for gamma == inf).
    """
    D = np.asarray(D, dtype=np.float64)
    Z = np.asarray(Z, dtype=np.float64)
    n, m = D.shape
    mask = band_mask(n, m, radius) if radius is not None else None
    paths = allowed_alignments(n, m, mask)
    costs = [path_cost(D, p) for p in paths]
    zs = [path_cost(Z, p) for p in paths]
    if gamma == INF:
        probs = [1.0 / len(paths)] * len(paths)
    else:
        value = -gamma * logsumexp([-c / gamma for c in costs])
        probs = [math.exp((value - c) / gamma) for c in costs]
        total = math.fsum(probs)  # 1 up to the rounding of value, amplified by 1 / gamma
        probs = [w / total for w in probs]
    sharp = math.fsum(w * c for w, c in zip(probs, costs))
    dz = math.fsum(w * z for w, z in zip(probs, zs))
    # centred, and summed exactly: no cancellation of E <E, Z>
    terms = {}
    for p, w, z in zip(paths, probs, zs):
        for cell in p:
            terms.setdefault(cell, []).append((w, w * (z - dz)))
    E = np.zeros((n, m))
    cov = np.zeros((n, m))
    for (i, j), pairs in terms.items():
        E[i, j] = math.fsum(w for w, _ in pairs)
        cov[i, j] = math.fsum(c for _, c in pairs)
    HZ = np.zeros((n, m)) if gamma == INF else -cov / gamma
    return E, sharp, dz, HZ
