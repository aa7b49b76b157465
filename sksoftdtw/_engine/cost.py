"""Batches of cost matrices through the first-order kernels: values and
expected alignments of any ground cost."""
import numpy as np

from ..utils._validation import check_gamma_range
from .kernels import fast
from .pairs import dtype_name, single_path, wavefront_work
from .planner import forced, plan


def pair_alignment(x, y, gamma, band, cost="sqeuclidean"):
    """Value and expected alignment of two validated series, for the ``cost``."""
    return cost_alignment(fast.cost_matrix(x, y, fast.COSTS[cost]), gamma, band)


def cost_alignment(D, gamma, band):
    """Value and expected alignment of one validated float64 cost matrix."""
    values, E = batch_cost(D[None], np.array([D.shape], dtype=np.intp), gamma, band,
                           True, 1)
    return float(values[0]), E[0]


def batch_cost(D, lengths, gamma, band, want_alignment, n_threads, strategy=None,
               dtype=np.float64, E=None):
    """Values (and E) of the blocks ``D[k, :n_k, :m_k]`` of a float64 C-contiguous
    batch, each pair by the kernel that suits it; rejects non-finite blocks.
    ``dtype=np.float32`` (D holding float32 numbers) asks for float32 kernels.

    ``E``, when given, is the output array of the alignments, of the shape of
    ``D`` and zero.
    """
    n_pairs = len(D)
    max_cost = np.empty(n_pairs)
    fast.cost_blocks_abs_max(D, lengths, n_threads, max_cost)
    if np.isnan(max_cost.sum()):
        k = np.flatnonzero(np.isnan(max_cost))[0]
        block = "" if D.shape[1:] == tuple(lengths[k]) else \
            f" inside its block D[{k}, :{lengths[k, 0]}, :{lengths[k, 1]}]"
        raise ValueError(f"D[{k}] contains NaN or infinite values{block}")
    check_gamma_range(gamma, lengths.sum(axis=1).max())
    if E is None:
        E = np.zeros(D.shape if want_alignment else (0, 0, 0))
    single = single_path(lengths[:, 0], lengths[:, 1], band) \
        if gamma > 0 and not forced(strategy) else np.False_
    if single.all():
        gamma = 0.0
    elif single.any():
        values = np.empty(n_pairs)
        for part, g in ((single, 0.0), (~single, gamma)):
            values[part], E_part = batch_cost(np.ascontiguousarray(D[part]), lengths[part],
                                              g, band, want_alignment, n_threads, strategy,
                                              dtype)
            if want_alignment:
                E[part] = E_part
        return values, E
    p = plan("alignment" if want_alignment else "value", lengths[:, 0], lengths[:, 1],
             gamma=gamma, band=band, max_cost=max_cost, per_pair=True, strategy=strategy,
             dtype=dtype_name(dtype))
    if p.dtype == "float32":
        order, starts = p.groups
        values = np.empty(n_pairs, np.float32)
        E = np.zeros(D.shape if want_alignment else (0, 0, 0), np.float32)
        fast.groups_cost(D.astype(np.float32), lengths, order, starts, gamma, *band,
                         p.block, n_threads, values, E)
        return values, E
    exp_domain = p.domain == "exp"
    wavefront = p.order == "antidiagonals"
    work = wavefront_work(n_threads * fast.wavefront_cost_work_size(
        lengths, wavefront.view(np.uint8)))
    values = np.empty(n_pairs)
    fast.batch_cost(D, lengths, gamma, *band, exp_domain.view(np.uint8),
                    wavefront.view(np.uint8), n_threads, work, values, E)
    return values, E
