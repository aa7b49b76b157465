"""The plan: which kernel computes a request, in which domain, with what memory.

Every choice of kernel and every tuning constant of the kernels is here, in
one pure function, `plan`; :mod:`sksoftdtw.metrics` dispatches only on its
result. A plan has three parts:

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
  anti-diagonals; the weights recomputed segment by segment).

A ``strategy`` argument, or else the environment variable
``SKSOFTDTW_STRATEGY``, forces the order and possibly the domain, as
``"order"`` or ``"order/domain"`` (e.g. ``"rows/log"``): for benchmarks and
tests. A strategy that cannot compute the request is refused with the reason.
"""
import os
import threading
from typing import NamedTuple

import numpy as np

from ._kernels import fast

# Largest exponent of alpha = exp(-r / gamma) in base 2 that the exp-domain
# kernels accept; beyond it their exponents, integer-valued doubles, would no
# longer be exact after (n + m) additions, and the log domain is used.
MAX_EXPONENT = 2.0**50

# From this length on, one pair runs faster by anti-diagonals than by rows.
WAVEFRONT_MIN_LENGTH = 64

# Lanes keep the weights of 16 pairs (256 bytes a cell): beyond this many
# cells per pair their traffic outweighs the lanes' speed, and pairs run one by
# one by anti-diagonals instead (measured crossover: pairs of length 200 to 300).
LANES_MAX_CELLS = 2**15

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

# One pair up to this many cells is computed without building the objects of
# the batched path (validation of its arrays aside): a call on two short
# series costs microseconds, not tens of them.
SMALL_PAIR_MAX_CELLS = 4096

# Pairs with more cells keep checkpoints instead of the weights of every
# cell (3 doubles a cell: 200 MB).
MAX_FULL_CELLS = 2**23

# Beyond MAX_FULL_CELLS, a pair by anti-diagonals keeps its state every few
# anti-diagonals and recomputes the weights of this many cells at a time (24
# MB): they stay in the caches between the recomputation and the backward pass,
# while the checkpoints take 32 (n + 2) bytes each (490 MB at n = m = 20,000).
WAVEFRONT_SEGMENT_CELLS = 2**20

ORDERS = ("rows", "lanes", "antidiagonals")
DOMAINS = ("exp", "log", "hard")
WANTS = ("value", "gradient", "alignment")

_LN2 = np.log(2.0)
_LAST = threading.local()

fast.set_max_full_cells(MAX_FULL_CELLS)
fast.set_segment_cells(WAVEFRONT_SEGMENT_CELLS)


class Plan(NamedTuple):
    """How a request is computed; for cost batches, ``order`` and ``domain``
    are arrays with one entry per pair. ``groups`` holds the lane groups
    (the permutation of the pairs and the start of each group)."""

    order: object
    domain: object
    memory: str
    groups: tuple = None


def exp_domain_exact(max_cost, length, gamma):
    """Whether the exp-domain recursion is exact for costs up to ``max_cost``
    on paths of ``length`` cells (elementwise on arrays)."""
    # Written without a division so that a subnormal gamma cannot overflow.
    return (gamma > 0) & (length * max_cost < MAX_EXPONENT * gamma * _LN2)


def lane_groups(lengths_x, lengths_y, mixed=False):
    """Groups of at most ``N_LANES`` pairs of equal lengths, or of close
    lengths when ``mixed`` (to be padded to the longest of the group).

    Returns the permutation that sorts the pairs by lengths and the start of
    each group in it (the last entry is the number of pairs).
    """
    order = np.lexsort((lengths_y, lengths_x))
    if mixed:
        starts = np.r_[np.arange(0, len(order), fast.N_LANES), len(order)]
        return order.astype(np.intp), starts.astype(np.intp)
    lx, ly = lengths_x[order], lengths_y[order]
    run_starts = np.flatnonzero(np.r_[True, (lx[1:] != lx[:-1]) | (ly[1:] != ly[:-1])])
    run_ends = np.r_[run_starts[1:], len(order)]
    starts = np.concatenate([np.arange(a, b, fast.N_LANES)
                             for a, b in zip(run_starts, run_ends)] + [[len(order)]])
    return order.astype(np.intp), starts.astype(np.intp)


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


def plan(want, lengths_x, lengths_y, *, gamma, radius, max_cost, per_pair=False,
         strategy=None):
    """The plan of a request.

    Parameters
    ----------
    want : {"value", "gradient", "alignment"}
        A value alone, or also the gradients of a batch of pairs of series,
        or the expected alignment of cost matrices.
    lengths_x, lengths_y : ndarray of int of shape (n_pairs,)
        Lengths of the pairs.
    gamma : float
    radius : int
        Sakoe-Chiba radius, -1 for no band.
    max_cost : float or ndarray of shape (n_pairs,)
        A bound on the absolute costs (of each pair when ``per_pair``).
    per_pair : bool, default=False
        Plan each pair alone (cost matrices): ``order`` and ``domain`` are then
        arrays.
    strategy : str, default=None
        ``"order"`` or ``"order/domain"`` to force; ``None`` reads
        ``SKSOFTDTW_STRATEGY``, and an empty one leaves the choice to the plan.

    Returns
    -------
    plan : Plan
    """
    forced_order, forced_domain = _parse(strategy)
    gradient = want != "value"
    max_full = fast.max_full_cells()
    if per_pair and forced_order == "lanes":
        _refuse(forced_order, forced_domain, "lanes compute no expected alignment")
    if per_pair and len(lengths_x) > 1:
        return _record(_plan_each(want, np.asarray(lengths_x), np.asarray(lengths_y), gamma,
                                  radius, max_cost, forced_order, forced_domain, max_full))
    n_pairs = len(lengths_x)
    if n_pairs == 1:  # Python numbers: a small call must stay cheap
        n, m = int(lengths_x[0]), int(lengths_y[0])
        shortest, path, cells, longest = min(n, m), n + m, n * m, n * m
        max_cost = float(np.max(max_cost)) if per_pair else float(max_cost)
    else:
        cells = lengths_x * lengths_y
        longest, path = cells.max(), lengths_x.max() + lengths_y.max()
        shortest = min(lengths_x.min(), lengths_y.min())
    exact = bool(exp_domain_exact(max_cost, path, gamma))
    domain = _domain(gamma, exact, forced_order, forced_domain)
    memory = "two rows" if not gradient else ("checkpointed" if longest > max_full else "full")
    # Anti-diagonals keep the weights of every cell, or for gradients beyond
    # MAX_FULL_CELLS a checkpoint every few anti-diagonals; an alignment is
    # every cell.
    wavefront_ok = radius < 0 and domain != "log" \
        and not (want == "alignment" and longest > max_full)
    # Lane gradients keep every cell of N_LANES pairs, with no checkpoints.
    hard_paths = want == "gradient" and domain == "hard"
    lanes_ok = (domain == "exp" and not (gradient and longest * fast.N_LANES > max_full)) \
        or (domain == "hard" and not (gradient and longest > max_full))
    order = forced_order
    if order is None:
        if n_pairs == 1:
            order = "antidiagonals" if wavefront_ok and shortest >= WAVEFRONT_MIN_LENGTH \
                else "rows"
        elif gradient and wavefront_ok and not (hard_paths and lanes_ok) \
                and np.median(cells) > LANES_MAX_CELLS:
            order = "antidiagonals"
        elif lanes_ok:
            groups = _padded_groups(lengths_x, lengths_y, cells) \
                if radius < 0 and (hard_paths or not gradient) else None
            groups = groups or lane_groups(lengths_x, lengths_y)
            full = n_pairs * LANE_GROUP_COST >= fast.N_LANES * (len(groups[1]) - 1)
            if full or (hard_paths and not wavefront_ok):
                return _record(Plan("lanes", domain, "full" if gradient else memory, groups))
            order = "antidiagonals" if hard_paths else "rows"
        else:
            order = "rows"
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
                    "most MAX_FULL_CELLS / N_LANES cells a pair, or hard DTW with gradients "
                    "of at most MAX_FULL_CELLS cells")
        return _record(Plan(order, domain, "full" if gradient else memory,
                            lane_groups(lengths_x, lengths_y)))
    if order == "antidiagonals" and gradient and longest <= max_full:
        memory = "full"
    if per_pair:
        return _record(Plan(np.array([order]), np.array([domain]), memory))
    return _record(Plan(order, domain, memory))


def _padded_groups(lengths_x, lengths_y, cells):
    """Lane groups of pairs of close lengths, or None when padding them to the
    longest of each group would cost more than `LANE_MAX_PADDING`."""
    order, starts = lane_groups(lengths_x, lengths_y, mixed=True)
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


def _plan_each(want, lengths_x, lengths_y, gamma, radius, max_cost, forced_order,
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
    wavefront_ok = (radius < 0) & (domain != "log") & ~(gradient & (longest > max_full))
    if forced_order is None:
        wave = wavefront_ok & (np.minimum(lengths_x, lengths_y) >= WAVEFRONT_MIN_LENGTH)
        return Plan(np.where(wave, "antidiagonals", "rows"), domain, memory)
    if forced_order == "antidiagonals" and not wavefront_ok.all():
        _refuse(forced_order, forced_domain, "anti-diagonals need no band, the exp domain or "
                "hard DTW, and gradients of at most MAX_FULL_CELLS cells")
    return Plan(np.full(len(domain), forced_order), domain, memory)


def small_pair_by_rows(n, m):
    """Whether one pair of lengths ``n`` and ``m`` is planned by rows whatever
    gamma and the band (no strategy forced), and small enough for the
    allocation-light path of the metrics; its domain is then
    `exp_domain_exact` of the pair's costs."""
    return (min(n, m) < WAVEFRONT_MIN_LENGTH and n * m <= SMALL_PAIR_MAX_CELLS
            and not os.environ.get("SKSOFTDTW_STRATEGY"))


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
]


def table_rst():
    """The plan of typical requests, as a reStructuredText table."""
    rows = []
    for what, want, n, m, n_pairs, gamma, radius, max_cost in _EXAMPLES:
        p = plan(want, np.full(n_pairs, n), np.full(n_pairs, m), gamma=gamma, radius=radius,
                 max_cost=max_cost, per_pair=want == "alignment", strategy="")
        order, domain = (str(np.asarray(v).ravel()[0]) for v in (p.order, p.domain))
        band = "none" if radius < 0 else str(radius)
        rows.append((what, f"{n_pairs} x {n} x {m}", f"{gamma:g}", band,
                     f"{max_cost:g}", order, domain, p.memory))
    header = ("request", "pairs x n x m", "gamma", "band", "max cost", "order", "domain",
              "memory")
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header] + rows:
        lines.append("   * - " + row[0])
        lines.extend(f"     - {cell}" for cell in row[1:])
    return "\n".join(lines) + "\n"
