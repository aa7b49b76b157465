r"""Soft-DTW, DTW and the soft-DTW divergence: values, gradients, alignments.

Every function validates its input and hands flat arrays to the compute
layer (``sksoftdtw._engine``), which runs the Cython kernels of
:mod:`sksoftdtw._soft_dtw_fast` and :mod:`sksoftdtw._second_order`. The dtype of the results
follows the input: float32 data (every array given in float32) give float32
arrays, anything else (float64, integers, float32 mixed with float64) gives
float64; scalar results are Python floats. The pairwise and batched values
(:func:`cdist_soft_dtw`, :func:`soft_dtw_batch`, :func:`cdist_soft_dtw_divergence`)
and batched gradients of float32 data run in float32 kernels (32 pairs in
the SIMD lanes at once), about twice as fast, within about ``1e-6`` relative
of float64 on z-normalized data, whenever their exponents are exact in
float32 (see :doc:`/implementation`); the other requests, hard DTW and the
kernels of one pair (anti-diagonals, checkpointed gradients, rows) compute
in float64 and round the results to float32. Trailing rows of a
series that are entirely NaN are padding, dropped before the computation, in
single series and in datasets alike; any other NaN or infinite value is an
error.

Soft-DTW (Cuturi & Blondel, 2017) between :math:`x \in \mathbb{R}^{n \times d}`
and :math:`y \in \mathbb{R}^{m \times d}` is

.. math::

    \mathrm{dtw}_\gamma(x, y) = \min{}^\gamma_{A \in \mathcal{A}_{n,m}
    \langle A, \Delta(x, y) \rangle, \qquad
    \min{}^\gamma(u) = -\gamma \log \sum_k e^{-u_k / \gamma},

with :math:`\Delta_{ij} = \|x_i - y_j\|^2` (``cost="sqeuclidean"``, the
default) or :math:`\Delta_{ij} = \|x_i - y_j\|_1` (``cost="abs"``) and
:math:`\mathcal{A}_{n,m}` the monotone alignment paths. :math:`\gamma = 0` is
hard DTW, in the units of the cost.

The subpackage holds one module per idea: soft-DTW of series (values,
gradients, alignments, batches, pairwise matrices), of cost matrices, hard
DTW, and, from :mod:`sksoftdtw.divergences`, the sharp soft-DTW, the
mean-cost divergence, DILATE and the second-order functions.
"""

from ._common import SECOND_ORDER_NAMES
from ._dilate import dilate, dilate_value_and_grad
from ._divergences import (
    mean_cost_divergence,
    mean_cost_divergence_value_and_grad,
    mean_cost_value_and_grad_from_cost,
    soft_dtw_divergence_value_and_grad,
)
from ._dtw import cdist_dtw, dtw, dtw_path
from ._from_cost import (
    soft_dtw_alignment_from_cost,
    soft_dtw_batch_from_cost,
    soft_dtw_from_cost,
)
from ._second_order import (
    soft_dtw_directional_derivative_from_cost,
    soft_dtw_hessian_product,
    soft_dtw_hessian_product_from_cost,
)
from ._sharp import (
    cdist_sharp_soft_dtw_divergence,
    sharp_soft_dtw,
    sharp_soft_dtw_divergence,
    sharp_soft_dtw_divergence_value_and_grad,
    sharp_soft_dtw_from_cost,
    sharp_soft_dtw_value_and_grad,
    sharp_soft_dtw_value_and_grad_from_cost,
)
from ._softdtw import (
    cdist_soft_dtw,
    cdist_soft_dtw_divergence,
    soft_dtw,
    soft_dtw_alignment,
    soft_dtw_batch,
    soft_dtw_divergence,
    soft_dtw_value_and_grad,
)

__all__ = [
    "soft_dtw",
    "soft_dtw_value_and_grad",
    "soft_dtw_alignment",
    "soft_dtw_alignment_from_cost",
    "soft_dtw_from_cost",
    "soft_dtw_batch_from_cost",
    "soft_dtw_batch",
    "soft_dtw_divergence",
    "dtw",
    "dtw_path",
    "cdist_soft_dtw",
    "cdist_soft_dtw_divergence",
    "cdist_dtw",
]
# The divergences and the second order, also in sksoftdtw.divergences.
__all__.extend(SECOND_ORDER_NAMES)
