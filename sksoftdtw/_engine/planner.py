"""The plan: which kernel computes a request, in which domain, with what memory.

Every choice of kernel and every tuning constant of the kernels is here, in
one pure function, `plan`; the compute layer (:mod:`sksoftdtw._engine`)
dispatches only on its result. A plan has three parts:

- the **order** of the cells: ``"rows"`` (one pair at a time, row by row; any
  band, any domain), ``"lanes"`` (16 pairs of equal lengths at once, one per
  SIMD lane; for hard-DTW gradients, the predecessor of every cell and lane,
  and a walk back along each lane's optimal path) or ``"antidiagonals"`` (one
  pair at a time, a vectorized anti-diagonal after the other; no band);
- the **domain**: ``"exp"`` (``alpha = exp(-r / gamma)`` as a mantissa and a
  power of two: no exp or log on the dependency chain), ``"log"`` (soft-min
  of ``r`` itself, for inputs whose exponents would not be exact in the exp
  domain) or ``"hard"`` (``gamma = 0``);
- the **memory** scheme: ``"two rows"`` (a value alone, ``O(m)``), ``"full"``
  (the soft-min weights of every cell, for the backward pass) or
  ``"checkpointed"`` (by rows, a row every ``sqrt(n)`` rows; by
  anti-diagonals, the state every ``MAX_FULL_CELLS / min(n, m)``
  anti-diagonals; the weights recomputed segment by segment);
- the **dtype** of the kernel: ``"float32"`` (lanes in the exp domain, 32
  pairs a group, for float32 requests whose exponents are exact in float32)
  or ``"float64"`` (everything else; float32 data are then converted).

The second-order requests (``"directional"``: a value and its derivative
``<E, Z>`` in a direction Z of the cost; ``"hessian"``: also E and the
Hessian-vector product ``H Z``, see :mod:`sksoftdtw._second_order`) run one
pair per thread, by anti-diagonals (exp domain, no band, long enough series)
or by rows; a Hessian-vector product keeps the weights of every cell and
their derivatives.

A global constraint (`Band`: a Sakoe-Chiba band, an Itakura parallelogram
or both) reaches the kernels as one mechanism: the admissible columns of each
row of a pair (`band_rows`), which the kernels compute once per pair (in
O(n + m), _band.h) and read in every loop. The plan checks that a path fits
in the band of every pair's lengths, and raises otherwise.

A ``strategy`` argument, or else the environment variable
``SKSOFTDTW_STRATEGY``, forces the order and possibly the domain, as
``"order"`` or ``"order/domain"`` (e.g. ``"rows/log"``): for benchmarks and
tests. A strategy that cannot compute the request is refused with the reason.
"""
import functools
import os
import threading
from typing import NamedTuple

import numpy as np

from ..utils._validation import check_radius, check_slope
from .kernels import fast

# Largest exponent of alpha = exp(-r / gamma) in base 2 that the exp-domain
# kernels accept; beyond it their exponents, integer-valued doubles, would no
# longer be exact after (n + m) additions, and the log domain is used.
MAX_EXPONENT = 2.0**50

# The same bound for the float32 lane kernels, whose exponents are float32.
# A cell's exponent is the sum, along a path of at most n + m cells, of the
# integers nearest to t = -cost / (gamma ln 2), plus at most 2 per cell from
# renormalisation. Each t is rounded to an integer by adding 1.5 * 2^23,
# exact while |t| < 2^22, and the sums stay exact integers while below 2^24
# in magnitude. Requiring (n + m) max_cost / (gamma ln 2) < 2^22 gives both
# (one cell's |t| is at most the path's sum) with 2^22 + 2 (n + m) < 2^24 to
# spare for the renormalisations. Beyond it float32 requests run in float64.
# (A rounded t is off by up to |t| 2^-24: a relative error of 6e-8 on each
# cost, the float32 rounding of the cost itself.)
MAX_EXPONENT_FLOAT32 = 2.0**22

# From this length on, one pair of series runs faster by anti-diagonals than
# by rows: the row recursion is a chain of dependent cells, while the cells of
# an anti-diagonal are independent and vectorized. Measured, one pair of
# equal lengths, soft-DTW value on the light path: 1.0 to 1.2 times the time
# of rows at length 8, 0.4 at 16, 0.25 at 32, 0.08 at 63; hard DTW 0.6 to
# 0.75 from length 12; value and gradient 0.7 to 0.85 at lengths 4 to 32.
PAIR_WAVEFRONT_MIN_LENGTH = 8

# From this length on, cost matrices and second-order requests run by
# anti-diagonals (which read a stored cost matrix along its anti-diagonals).
WAVEFRONT_MIN_LENGTH = 64

# Gradients of pairs of more cells than this run one by one by anti-diagonals
# unless their lane groups are at least half full (LANE_GROUP_COST_LONG):
# full groups, weights kept by blocks of rows, run 1.2 to 1.9 times faster
# than anti-diagonals at lengths 128 to 1024.
LANES_MAX_CELLS = 2**13
LANE_GROUP_COST_LONG = 2

# Lane gradients keep the soft-min weights of a block of rows of this many
# bytes (256 bytes a cell of a group: two numbers of a 128-byte lane block),
# so that the backward pass reads them from the L2 cache: the forward pass
# keeps a checkpoint row every block, and the backward pass recomputes the
# weights block by block. (Weights of every cell, streamed from memory, cost
# 1.6 to 2.7 times more per cell at length 256 to 1024 than at length 64.)
LANES_BLOCK_BYTES = 2**22
# The gradient of one series of each pair, for series of dimension d > 2,
# does about d / 2 times as much work a cell, where the lanes are faster, so
# that they pay up to min(d, LANES_MAX_DIM) / 2 times more cells (measured,
# one thread, lanes / anti-diagonals: at length 256, 0.94 for d = 4 and 0.5
# to 0.66 for d = 8 to 32; at length 512, 0.95 for d = 8 and 0.82 for
# d = 16). The gradients of both series are not faster in lanes (at length
# 256, 1.0 to 2.4 the time for d = 8 to 32).
LANES_MAX_DIM = 32

# A group of lanes costs about as much as N_LANES / LANE_GROUP_COST pairs run
# one by one: lanes pay when the groups are on average fuller than that.
LANE_GROUP_COST = 8

# Hard-DTW gradients in lanes keep one byte a cell and lane (the predecessor
# the cell takes): 16 bytes a cell of a group against the 24 of one pair's
# weights by rows, so a group may have as many cells as a pair kept in full.
# Measured, lengths 64 to 1000: 0.8 to 2 ns a cell and pair in full groups,
# 11 to 16 by anti-diagonals and 50 by rows. So a group costs less than one
# pair by rows (lanes however few the pairs with a band), and as much as one
# to two pairs by anti-diagonals: without a band, lanes when the groups hold
# on average N_LANES / LANE_GROUP_COST pairs or more (padded to the longest
# of their group when their lengths differ), else anti-diagonals.

# Values of pairs of different lengths share lane groups, padded to the
# longest pair of their group, as long as the padded groups have at most this
# many times the cells of their pairs (lanes are 4 to 10 times faster than
# rows, and without padding most groups of such pairs would hold one pair).
LANE_MAX_PADDING = 2.0

# A pair of a batch with more than this many times the median cells of the
# batch (and more than LANES_MAX_CELLS) is planned apart from the others
# (`apart`): lane groups size their buffers by the longest pair of the batch
# and repeat a lone pair in every lane, and one plan for all would choose
# rows, the slowest order for the long pair. (A 2000-long pair among 200
# pairs of lengths 50 to 100 made a batch gradient 2.6 to 3.3 times slower
# than two calls, a 20,000-long one 10 times.)
LONG_PAIR_RATIO = 8

# One pair up to this many cells (shorter than PAIR_WAVEFRONT_MIN_LENGTH) is
# computed, as a pair from that length on with no band, without building the
# objects of the batched path (validation of its arrays aside): a call on two
# short series costs microseconds, not tens of them.
SMALL_PAIR_MAX_CELLS = 4096

# The light path of one pair's value and gradient takes pairs up to this many
# cells (by anti-diagonals, and by rows up to SMALL_PAIR_MAX_CELLS): it
# allocates the weights of every cell afresh, where the batched path keeps
# its workspace from call to call (beyond 2^16 cells, 1.5 MB, its page faults
# would cost more than the checks the light path saves).
LIGHT_GRADIENT_MAX_CELLS = 2**16

# A pairwise matrix is computed by blocks of rows: the pair indices and the
# temporaries of a block take about 12 times its values, so that blocks of a
# 32nd of the matrix (within these bounds, in pairs) keep the peak memory of a
# call near that of its output, at no cost in speed.
CDIST_BLOCK_PAIRS = (2**14, 2**20)

# Pairs with more cells keep checkpoints instead of the weights of every
# cell (3 doubles a cell: 200 MB).
MAX_FULL_CELLS = 2**23

# The PyTorch loss computes the squared Euclidean costs of series of at
# least this dimension, and their gradients, as batched matrix products
# (BLAS) around the recursion on the cost matrices, instead of by the fused
# kernels, whose work per cell grows with the dimension. Measured
# (benchmarks/bench_torch.py --sections crossover: float32, forward and
# backward, batches of 64 pairs, one thread), the products take 1.2 (the
# gradients of x) and 0.67 (of x and y) times the fused kernels' time at
# d = 64, length 256, and 2.4 to 2.9 times at d = 32; at length 64, 1.7 to
# 2.5 times at d = 64. The recursion on given cost matrices with their
# alignments costs about 6 times the fused kernels' at d = 1, which keeps
# the crossover that high.
MATMUL_MIN_DIM = 64

# Up to this many cells in the batch: the cost and alignment matrices take
# 16 bytes a cell, kept from call to call.
MATMUL_MAX_CELLS = 2**22

# Beyond MAX_FULL_CELLS, a pair by anti-diagonals keeps its state every few
# anti-diagonals and recomputes the weights of this many cells at a time (24
# MB): they stay in the caches between the recomputation and the backward pass,
# while the checkpoints take 32 (n + 2) bytes each (490 MB at n = m = 20,000).
WAVEFRONT_SEGMENT_CELLS = 2**20

ORDERS = ("rows", "lanes", "antidiagonals")
DOMAINS = ("exp", "log", "hard")
WANTS = ("value", "gradient", "alignment", "directional", "hessian")
SECOND_ORDER = ("directional", "hessian")
DTYPES = ("float64", "float32")

_LN2 = np.log(2.0)
_FLOAT32_MAX = float(np.finfo(np.float32).max)
_LAST = threading.local()

fast.set_max_full_cells(MAX_FULL_CELLS)
fast.set_segment_cells(WAVEFRONT_SEGMENT_CELLS)


class Band(NamedTuple):
    """A global constraint on the alignments: the Sakoe-Chiba ``radius``
    (``-1``: none) and the Itakura parallelogram's maximum ``slope``
    (``0``: none); both together mean their intersection."""

    radius: int = -1
    slope: float = 0.0

    @property
    def none(self):
        return self.radius < 0 and not self.slope

    def describe(self):
        parts = ([f"itakura_max_slope={self.slope:g}"] if self.slope else []) \
            + ([f"sakoe_chiba_radius={self.radius}"] if self.radius >= 0 else [])
        return " and ".join(parts)


NO_BAND = Band()


def as_band(sakoe_chiba_radius, itakura_max_slope):
    """The `Band` of the public parameters, validated."""
    if sakoe_chiba_radius is None and itakura_max_slope is None:
        return NO_BAND
    return Band(check_radius(sakoe_chiba_radius), check_slope(itakura_max_slope))


@functools.lru_cache(maxsize=4096)
def band_rows(n, m, band):
    """The band of an ``(n, m)`` pair as the kernels compute it (see _band.pxd):
    ``[lo_0, hi_0, lo_1, hi_1, ...]``, the columns ``[lo_i, hi_i)`` of each
    row; ``None`` for no band. Read-only and cached.

    Raises
    ------
    ValueError
        When no alignment path of these lengths fits the band.
    """
    if band.none:
        return None
    out, fits = fast.band_rows(n, m, band.radius, band.slope)
    if not fits:
        raise ValueError(
            f"no alignment path between series of lengths {n} and {m} fits "
            f"{band.describe()}: their lengths are too unequal for it"
        )
    out.flags.writeable = False
    return out


def _distinct_pairs(lengths_x, lengths_y):
    """The distinct pairs of lengths, and the index of each pair among them."""
    lx = np.asarray(lengths_x, dtype=np.intp)
    ly = np.asarray(lengths_y, dtype=np.intp)
    # (one pair, or pairs of one length: the common cases, without a sort)
    if len(lx) == 1 or ((lx == lx[0]).all() and (ly == ly[0]).all()):
        return lx[:1], ly[:1], np.zeros(len(lx), dtype=np.intp)
    width = int(ly.max()) + 1
    distinct, inverse = np.unique(lx * width + ly, return_inverse=True)
    return distinct // width, distinct % width, inverse


def check_band_fits(lengths_x, lengths_y, band):
    """Raise a ValueError, naming the lengths and the band, when no alignment
    path of some pair of lengths ``(lengths_x[k], lengths_y[k])`` fits the band."""
    if band.none:
        return
    if len(lengths_x) == 1:  # (cached)
        band_rows(int(lengths_x[0]), int(lengths_y[0]), band)
        return
    lx, ly, _ = _distinct_pairs(lengths_x, lengths_y)
    k = fast.first_unfit(lx, ly, band.radius, band.slope)
    if k >= 0:
        band_rows(int(lx[k]), int(ly[k]), band)


class Plan(NamedTuple):
    """How a request is computed; for cost batches, ``order`` and ``domain``
    are arrays with one entry per pair. ``groups`` holds the lane groups
    (the permutation of the pairs and the start of each group), ``block``
    the rows of a block of lane gradients (see `lane_block_rows`), ``cost``
    the cost between points of a request of series (whose bound ``max_cost``
    chose the domain)."""

    order: object
    domain: object
    memory: str
    groups: tuple = None
    dtype: str = "float64"
    block: int = 0
    cost: str = "sqeuclidean"


def lane_block_rows(m):
    """Rows of a block of lane gradients for pairs of ``m`` columns (see
    `LANES_BLOCK_BYTES`)."""
    return max(1, LANES_BLOCK_BYTES // (256 * int(m)))


def _lane_grad_cells(n, m):
    """Cells of a pair whose numbers lane gradients keep: checkpoint rows and a
    block of weights (as many numbers a cell)."""
    block = lane_block_rows(m)
    return (n // block + block + 1) * m if block < n else n * m


def exp_domain_exact(max_cost, length, gamma, max_exponent=MAX_EXPONENT):
    """Whether the exp-domain recursion is exact for costs up to ``max_cost``
    on paths of ``length`` cells (elementwise on arrays), with exponents exact
    up to ``max_exponent`` (`MAX_EXPONENT` or `MAX_EXPONENT_FLOAT32`)."""
    # Written without a division so that a subnormal gamma cannot overflow.
    return (gamma > 0) & (length * max_cost < max_exponent * gamma * _LN2)


def n_lanes(dtype="float64"):
    """Pairs of a lane group for kernels of this dtype: a lane block is 128
    bytes, 16 doubles or 32 floats."""
    return fast.N_LANES_FLOAT32 if dtype == "float32" else fast.N_LANES


def lane_groups(lengths_x, lengths_y, mixed=False, dtype="float64"):
    """Groups of at most `n_lanes` pairs of equal lengths, or of close
    lengths when ``mixed`` (to be padded to the longest of the group).

    Returns the permutation that sorts the pairs by lengths and the start of
    each group in it (the last entry is the number of pairs).
    """
    size = n_lanes(dtype)
    order = np.lexsort((lengths_y, lengths_x))
    if mixed:
        starts = np.r_[np.arange(0, len(order), size), len(order)]
        return order.astype(np.intp), starts.astype(np.intp)
    lx, ly = lengths_x[order], lengths_y[order]
    run_starts = np.flatnonzero(np.r_[True, (lx[1:] != lx[:-1]) | (ly[1:] != ly[:-1])])
    run_ends = np.r_[run_starts[1:], len(order)]
    starts = np.concatenate([np.arange(a, b, size)
                             for a, b in zip(run_starts, run_ends)] + [[len(order)]])
    return order.astype(np.intp), starts.astype(np.intp)


def apart(lengths_x, lengths_y):
    """The pairs of a batch to plan apart from the others (see
    `LONG_PAIR_RATIO`), as a boolean mask, or None when there are none."""
    cells = lengths_x * lengths_y
    top = cells.max()
    if top <= LANES_MAX_CELLS or top <= LONG_PAIR_RATIO * cells.min():
        return None
    return (cells > LONG_PAIR_RATIO * np.median(cells)) & (cells > LANES_MAX_CELLS)


def _parse(strategy):
    source = "strategy"
    if strategy is None:
        strategy = os.environ.get("SKSOFTDTW_STRATEGY")
        source = "SKSOFTDTW_STRATEGY"
    if not strategy:
        return None, None
    order, slash, domain = str(strategy).partition("/")
    if order not in ORDERS or (slash and domain not in DOMAINS):
        raise ValueError(
            f"{source} must be 'order' or 'order/domain' with order in {ORDERS} and "
            f"domain in {DOMAINS}, got {strategy!r}"
        )
    return order, domain or None


def forced(strategy):
    """Whether a strategy is forced, by ``strategy`` or ``SKSOFTDTW_STRATEGY``."""
    return _parse(strategy)[0] is not None


def _refuse(order, domain, reason):
    forced = order + (f"/{domain}" if domain else "")
    raise ValueError(f"strategy {forced!r} cannot compute this request: {reason}")


def plan(want, lengths_x, lengths_y, *, gamma, band=NO_BAND, max_cost, per_pair=False,
         strategy=None, dtype="float64", d=1, n_gradients=1, cost="sqeuclidean"):
    """The plan of a request.

    Parameters
    ----------
    want : {"value", "gradient", "alignment", "directional", "hessian"}
        A value alone, or also the gradients of a batch of pairs of series,
        or the expected alignment of cost matrices; or the second-order
        requests: a directional derivative, or a Hessian-vector product.
    lengths_x, lengths_y : ndarray of int of shape (n_pairs,)
        Lengths of the pairs.
    gamma : float
    band : Band, default=NO_BAND
        The global constraint, which a path must fit for every pair's lengths.
    max_cost : float or ndarray of shape (n_pairs,)
        A bound on the absolute costs (of each pair when ``per_pair``): for
        series of amplitude ``a`` (the largest ``|x_ik| + |y_jk|``), ``a^2 d``
        for the squared Euclidean cost, ``a d`` for the L1 cost.
    per_pair : bool, default=False
        Plan each pair alone (cost matrices): ``order`` and ``domain`` are then
        arrays.
    strategy : str, default=None
        ``"order"`` or ``"order/domain"`` to force; ``None`` reads
        ``SKSOFTDTW_STRATEGY``, and an empty one leaves the choice to the plan.
    dtype : {"float64", "float32"}, default="float64"
        The dtype of the data and results. float32 requests run in float32
        kernels when lanes in the exp domain compute them with exponents
        exact in float32 (see `MAX_EXPONENT_FLOAT32`), else in float64.
    d : int, default=1
        Dimension of the series (of a request of series).
    n_gradients : {1, 2}, default=1
        Whether the gradients of one series of each pair or of both are asked.
    cost : {"sqeuclidean", "abs"}, default="sqeuclidean"
        The cost between points of a request of series, recorded in the plan
        (the kernels are the same for every cost).

    Returns
    -------
    plan : Plan

    Raises
    ------
    ValueError
        When no alignment path of some pair's lengths fits the band.
    """
    check_band_fits(lengths_x, lengths_y, band)
    p = _plan(want, lengths_x, lengths_y, gamma, band, max_cost, per_pair, strategy, dtype, d,
              n_gradients)
    return _record(p if cost == "sqeuclidean" else p._replace(cost=cost))


def _plan(want, lengths_x, lengths_y, gamma, band, max_cost, per_pair, strategy, dtype, d,
          n_gradients):
    forced_order, forced_domain = _parse(strategy)
    if want in SECOND_ORDER:
        return _plan_second_order(want, np.asarray(lengths_x), np.asarray(lengths_y), gamma,
                                  band, max_cost, per_pair, forced_order, forced_domain)
    gradient = want != "value"
    max_full = fast.max_full_cells()
    if per_pair and forced_order == "lanes":
        _refuse(forced_order, forced_domain, "lanes compute no expected alignment")
    if per_pair and dtype == "float32" and forced_order is None:
        lanes = _cost_lanes(want, np.asarray(lengths_x), np.asarray(lengths_y), gamma, max_cost,
                            max_full)
        if lanes is not None:
            return lanes
    if per_pair and len(lengths_x) > 1:
        return _plan_each(want, np.asarray(lengths_x), np.asarray(lengths_y), gamma, band,
                          max_cost, forced_order, forced_domain, max_full)
    n_pairs = len(lengths_x)
    if n_pairs == 1:  # Python numbers: a small call must stay cheap
        n_max, m_max = int(lengths_x[0]), int(lengths_y[0])
        shortest, path = min(n_max, m_max), n_max + m_max
        cells = longest = n_max * m_max
        max_cost = float(np.max(max_cost)) if per_pair else float(max_cost)
    else:
        n_max, m_max = int(lengths_x.max()), int(lengths_y.max())
        cells = lengths_x * lengths_y
        longest, path = cells.max(), n_max + m_max
        shortest = min(lengths_x.min(), lengths_y.min())
    exact = bool(exp_domain_exact(max_cost, path, gamma))
    domain = _domain(gamma, exact, forced_order, forced_domain)
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    lane_dtype = "float32" if dtype == "float32" and domain == "exp" and bool(
        _float32_exact(max_cost, path, gamma)) else "float64"
    memory = "two rows" if not gradient else ("checkpointed" if longest > max_full else "full")
    # Anti-diagonals keep the weights of every cell, or for gradients beyond
    # MAX_FULL_CELLS a checkpoint every few anti-diagonals; an alignment is
    # every cell.
    wavefront_ok = band.none and domain != "log" \
        and not (want == "alignment" and longest > max_full)
    # Lane gradients keep checkpoints and a block of rows of N_LANES pairs;
    # hard-DTW gradients (paths) one byte a cell of each lane.
    hard_paths = want == "gradient" and domain == "hard"
    lanes_ok = (domain == "exp"
                and not (gradient and _lane_grad_cells(n_max, m_max) * fast.N_LANES > max_full)) \
        or (domain == "hard" and not (gradient and longest > max_full))
    lane_memory = ("checkpointed" if lane_block_rows(m_max) < n_max and not hard_paths
                   else "full") if gradient else memory
    order = forced_order
    if order is None:
        if n_pairs == 1:
            order = "antidiagonals" if wavefront_ok and shortest >= PAIR_WAVEFRONT_MIN_LENGTH \
                else "rows"
        else:
            long = gradient and wavefront_ok and np.median(cells) > LANES_MAX_CELLS * (
                max(1.0, min(d, LANES_MAX_DIM) / 2) if n_gradients == 1 else 1.0)
            if lanes_ok:
                groups = _padded_groups(lengths_x, lengths_y, cells, lane_dtype) \
                    if band.none and (hard_paths or not gradient) else None
                groups = groups or lane_groups(lengths_x, lengths_y, dtype=lane_dtype)
                # (hard-DTW paths: in lanes when the groups hold 2 pairs or more
                # on average, or whenever anti-diagonals cannot take them)
                cost = LANE_GROUP_COST_LONG if long and not hard_paths else LANE_GROUP_COST
                if n_pairs * cost >= n_lanes(lane_dtype) * (len(groups[1]) - 1) \
                        or (hard_paths and not wavefront_ok):
                    return Plan("lanes", domain, lane_memory, groups, lane_dtype,
                                lane_block_rows(m_max))
            order = "antidiagonals" if long or (hard_paths and wavefront_ok) else "rows"
    elif order == "antidiagonals":
        if not wavefront_ok:
            _refuse(order, forced_domain, "anti-diagonals need no band, the exp domain or "
                    "hard DTW, and alignments of at most MAX_FULL_CELLS cells")
        if not gradient and n_pairs > 1:
            _refuse(order, forced_domain, "values by anti-diagonals are for one pair")
    elif order == "lanes":
        if want == "alignment":
            _refuse(order, forced_domain, "lanes compute no expected alignment")
        if not lanes_ok:
            _refuse(order, forced_domain, "lanes need the exp domain with gradients of at "
                    "most MAX_FULL_CELLS / N_LANES cells a pair (checkpoints and a block of "
                    "rows), or hard DTW with gradients of at most MAX_FULL_CELLS cells")
        return Plan(order, domain, lane_memory,
                    lane_groups(lengths_x, lengths_y, dtype=lane_dtype), lane_dtype,
                    lane_block_rows(m_max))
    if order == "antidiagonals" and gradient and longest <= max_full:
        memory = "full"
    if per_pair:
        return Plan(np.array([order]), np.array([domain]), memory)
    return Plan(order, domain, memory)


def _float32_exact(max_cost, length, gamma):
    """Whether the float32 exp-domain lanes are exact (elementwise on arrays)."""
    return exp_domain_exact(max_cost, length, gamma, MAX_EXPONENT_FLOAT32) \
        & (gamma * _LN2 * _FLOAT32_MAX > 1)  # 1 / (gamma ln 2) a float32 too


def _cost_lanes(want, lengths_x, lengths_y, gamma, max_cost, max_full):
    """float32 lanes for a batch of cost matrices (values and alignments
    alike, groups of equal lengths), or None when they would not be exact or
    not pay."""
    if gamma <= 0 or len(lengths_x) < 2 or \
            not np.all(_float32_exact(max_cost, lengths_x + lengths_y, gamma)):
        return None
    gradient = want != "value"
    n_max, m_max = int(lengths_x.max()), int(lengths_y.max())
    if gradient and _lane_grad_cells(n_max, m_max) * fast.N_LANES > max_full:
        return None
    groups = lane_groups(lengths_x, lengths_y, dtype="float32")
    if len(lengths_x) * LANE_GROUP_COST < n_lanes("float32") * (len(groups[1]) - 1):
        return None
    memory = ("checkpointed" if lane_block_rows(m_max) < n_max else "full") \
        if gradient else "two rows"
    k = len(lengths_x)
    return Plan(np.full(k, "lanes"), np.full(k, "exp"), memory, groups, "float32",
                lane_block_rows(m_max))


def _padded_groups(lengths_x, lengths_y, cells, dtype):
    """Lane groups of pairs of close lengths, or None when padding them to the
    longest of each group would cost more than `LANE_MAX_PADDING`."""
    order, starts = lane_groups(lengths_x, lengths_y, mixed=True, dtype=dtype)
    lx = np.maximum.reduceat(lengths_x[order], starts[:-1])
    ly = np.maximum.reduceat(lengths_y[order], starts[:-1])
    padded = float(np.sum(lx * ly * np.diff(starts)))
    return (order, starts) if padded <= LANE_MAX_PADDING * float(np.sum(cells)) else None


def _domain(gamma, exact, forced_order, forced_domain):
    """The domain of the recursion, ``exact`` telling whether the exp domain is."""
    domain = "hard" if gamma == 0 else ("exp" if exact else "log")
    if forced_domain is None or forced_domain == domain:
        return domain
    if forced_domain == "hard" or domain == "hard":
        _refuse(forced_order, forced_domain, "hard DTW is gamma = 0 and only that")
    if forced_domain == "exp":
        _refuse(forced_order, forced_domain, "the exponents of these costs would not be "
                "exact in the exp domain")
    return forced_domain


def _plan_each(want, lengths_x, lengths_y, gamma, band, max_cost, forced_order,
               forced_domain, max_full):
    """`plan` of each pair alone (cost matrices), as arrays: rows or anti-diagonals."""
    gradient = want != "value"
    exact = exp_domain_exact(max_cost, lengths_x + lengths_y, gamma)
    if forced_domain is not None or gamma == 0:
        domain = _domain(gamma, bool(np.all(exact)), forced_order, forced_domain)
        domain = np.full(len(exact), domain)
    else:
        domain = np.where(exact, "exp", "log")
    longest = lengths_x * lengths_y
    memory = "two rows" if not gradient else (
        "checkpointed" if longest.max() > max_full else "full")
    wavefront_ok = band.none & (domain != "log") & ~(gradient & (longest > max_full))
    if forced_order is None:
        wave = wavefront_ok & (np.minimum(lengths_x, lengths_y) >= WAVEFRONT_MIN_LENGTH)
        return Plan(np.where(wave, "antidiagonals", "rows"), domain, memory)
    if forced_order == "antidiagonals" and not wavefront_ok.all():
        _refuse(forced_order, forced_domain, "anti-diagonals need no band, the exp domain or "
                "hard DTW, and gradients of at most MAX_FULL_CELLS cells")
    return Plan(np.full(len(domain), forced_order), domain, memory)


def _plan_second_order(want, lengths_x, lengths_y, gamma, band, max_cost, per_pair,
                       forced_order, forced_domain):
    """`plan` of a second-order request: by anti-diagonals (exp domain, no band,
    series of at least `WAVEFRONT_MIN_LENGTH`) or by rows."""
    if forced_order == "lanes":
        _refuse(forced_order, forced_domain, "second-order kernels run by rows or by "
                "anti-diagonals")
    cells = lengths_x * lengths_y
    if want == "hessian" and cells.max() > MAX_FULL_CELLS:
        raise ValueError(
            f"a Hessian-vector product keeps 6 doubles for each of the n x m cells of a pair, "
            f"and is limited to MAX_FULL_CELLS = {MAX_FULL_CELLS} cells a pair: got "
            f"{int(cells.max())} cells; use shorter series or a coarser sampling")
    memory = "full" if want == "hessian" else "two rows"
    if len(cells) == 1 and not per_pair and forced_order is None:
        # (Python numbers: a call on one pair stays cheap)
        n, m = int(lengths_x[0]), int(lengths_y[0])
        domain = _domain(gamma, bool(exp_domain_exact(float(max_cost), n + m, gamma)), "rows",
                         forced_domain)
        wave = band.none and domain == "exp" and min(n, m) >= WAVEFRONT_MIN_LENGTH
        return Plan("antidiagonals" if wave else "rows", domain, memory)
    exact = exp_domain_exact(max_cost, lengths_x + lengths_y, gamma)
    if forced_domain is not None or gamma == 0 or not per_pair:
        domain = _domain(gamma, bool(np.all(exact)), forced_order or "rows", forced_domain)
        domain = np.full(len(cells), domain)
    else:
        domain = np.where(exact, "exp", "log")
    wavefront_ok = band.none & (domain == "exp")
    if forced_order == "antidiagonals" and not wavefront_ok.all():
        _refuse(forced_order, forced_domain, "second-order anti-diagonals need no band and "
                "the exp domain with gamma > 0")
    if forced_order is None:
        wave = wavefront_ok & (np.minimum(lengths_x, lengths_y) >= WAVEFRONT_MIN_LENGTH)
    else:
        wave = np.full(len(cells), forced_order == "antidiagonals")
    if not per_pair:  # a batch of series runs one way
        return Plan("antidiagonals" if wave.all() else "rows", str(domain[0]), memory)
    return Plan(np.where(wave, "antidiagonals", "rows"), domain, memory)


def fused_divergence(n, m, gamma, band, max_cost, second=False):
    """Whether the divergence of one pair of lengths ``n`` and ``m`` and its
    gradient run in one kernel call: soft-DTW
    (``_soft_dtw_fast.divergence_value_grad``) or, with ``second``, the sharp
    soft-DTW (``_second_order.sharp_divergence``). By anti-diagonals, exp
    domain, no band, the weights of every cell kept, the self terms over half
    their cells (their cost matrices are symmetric) and the term of ``y``
    without a gradient. Measured, one thread, against the three terms as one
    batch: soft-DTW 2 times faster at length 512, 1.7 at 1024, 3 to 30 below
    128 (pairs of a single alignment, a length 1, are left to the batch,
    which computes them exactly: see ``pairs.single_path``); the sharp
    soft-DTW from the length at which its batch runs by anti-diagonals."""
    longest = max(n, m)
    return not forced(None) and band.none \
        and min(n, m) >= (WAVEFRONT_MIN_LENGTH if second else 2) \
        and longest * longest <= fast.max_full_cells() \
        and bool(exp_domain_exact(max_cost, 2 * longest, gamma))


def light_pair_limits():
    """The limits of the light path of one pair (validation aside, no object
    of the batched path built): the largest number of cells of a pair by
    rows, whose shortest length is below `PAIR_WAVEFRONT_MIN_LENGTH`, that
    length, from which pairs with no band run by anti-diagonals (exp domain,
    `exp_domain_exact` of the pair's costs, or hard DTW), and the largest
    number of cells of a pair whose gradient it computes; as the plan would
    compute them. None when a strategy is forced."""
    if os.environ.get("SKSOFTDTW_STRATEGY"):
        return None
    return SMALL_PAIR_MAX_CELLS, PAIR_WAVEFRONT_MIN_LENGTH, LIGHT_GRADIENT_MAX_CELLS


def light_hessian_limits():
    """The limits of the light path of one pair's Hessian-vector product
    (``_second_order.light_hessian_product``), as the plan would decide: the
    largest exponent of the exp domain, the shortest length by
    anti-diagonals and the largest number of cells. None when a strategy is
    forced."""
    if os.environ.get("SKSOFTDTW_STRATEGY"):
        return None
    return MAX_EXPONENT, WAVEFRONT_MIN_LENGTH, MAX_FULL_CELLS


def _record(p):
    _LAST.plan = p
    return p


def explain(function, *args, **kwargs):
    """Call ``function(*args, **kwargs)`` and return the plan it ran (the last
    one it made, in this thread)."""
    _LAST.plan = None
    function(*args, **kwargs)
    return _LAST.plan


# Requests shown in the documentation: (what, want, n, m, n_pairs, gamma,
# radius, max_cost).
_EXAMPLES = [
    ("one pair, value", "value", 50, 50, 1, 1.0, -1, 4.0),
    ("one pair, value", "value", 1000, 1000, 1, 1.0, -1, 4.0),
    ("one pair, value, band", "value", 1000, 1000, 1, 1.0, 10, 4.0),
    ("one pair, value, huge costs", "value", 1000, 1000, 1, 1e-3, -1, 1e12),
    ("one pair, hard DTW", "value", 1000, 1000, 1, 0.0, -1, 4.0),
    ("pairwise matrix, equal lengths", "value", 128, 128, 1000, 1.0, -1, 4.0),
    ("pairwise matrix, hard DTW", "value", 128, 128, 1000, 0.0, -1, 4.0),
    ("one pair, gradient", "gradient", 1000, 1000, 1, 1.0, -1, 4.0),
    ("one pair, gradient", "gradient", 20000, 20000, 1, 1.0, -1, 4.0),
    ("one pair, gradient, band", "gradient", 1000, 1000, 1, 1.0, 10, 4.0),
    ("batch, gradients", "gradient", 128, 128, 256, 1.0, -1, 4.0),
    ("batch, gradients", "gradient", 512, 512, 64, 1.0, -1, 4.0),
    ("batch, hard DTW gradients", "gradient", 128, 128, 256, 0.0, -1, 4.0),
    ("cost matrix, alignment", "alignment", 50, 50, 1, 1.0, -1, 4.0),
    ("cost matrix, alignment", "alignment", 500, 500, 1, 1.0, -1, 4.0),
    ("batch, sharp values", "directional", 128, 128, 256, 1.0, -1, 4.0),
    ("batch, Hessian-vector products", "hessian", 128, 128, 256, 1.0, -1, 4.0),
    ("one pair, Hessian-vector product, band", "hessian", 1000, 1000, 1, 0.01, 10, 4.0),
    ("one pair, Hessian-vector product, huge costs", "hessian", 1000, 1000, 1, 1e-3, -1,
     1e12),
]


# The same with the L1 cost (max_cost: amplitude 4, d = 1).
_EXAMPLES_L1 = [
    ("pairwise matrix, L1 cost", "value", 128, 128, 1000, 1.0, -1, 4.0),
    ("batch, gradients, L1 cost", "gradient", 128, 128, 256, 1.0, -1, 4.0),
]


# The same for float32 data.
_EXAMPLES_FLOAT32 = [
    ("pairwise matrix, equal lengths", "value", 128, 128, 1000, 1.0, -1, 4.0),
    ("pairwise matrix, tiny gamma", "value", 128, 128, 1000, 1e-4, -1, 16.0),
    ("pairwise matrix, hard DTW", "value", 128, 128, 1000, 0.0, -1, 4.0),
    ("batch, gradients", "gradient", 128, 128, 256, 1.0, -1, 4.0),
    ("batch, gradients", "gradient", 1024, 1024, 64, 0.1, -1, 4.0),
    ("one pair, gradient", "gradient", 1000, 1000, 1, 1.0, -1, 4.0),
]


def table_rst():
    """The plan of typical requests, as a reStructuredText table."""
    rows = []
    examples = [e + ("float64", "sqeuclidean") for e in _EXAMPLES] + \
        [e + ("float64", "abs") for e in _EXAMPLES_L1] + \
        [e + ("float32", "sqeuclidean") for e in _EXAMPLES_FLOAT32]
    for what, want, n, m, n_pairs, gamma, radius, max_cost, dtype, cost in examples:
        p = plan(want, np.full(n_pairs, n), np.full(n_pairs, m), gamma=gamma,
                 max_cost=max_cost, per_pair=want == "alignment", strategy="",
                 band=Band(radius), dtype=dtype, cost=cost)
        order, domain = (str(np.asarray(v).ravel()[0]) for v in (p.order, p.domain))
        band = "none" if radius < 0 else str(radius)
        rows.append((what, f"{n_pairs} x {n} x {m}", dtype, p.cost, f"{gamma:g}", band,
                     f"{max_cost:g}", order, domain, p.memory, p.dtype))
    header = ("request", "pairs x n x m", "data", "cost", "gamma", "band", "max cost",
              "order", "domain", "memory", "kernel dtype")
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header] + rows:
        lines.append("   * - " + row[0])
        lines.extend(f"     - {cell}" for cell in row[1:])
    return "\n".join(lines) + "\n"
