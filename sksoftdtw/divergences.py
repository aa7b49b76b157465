r"""Divergences between time series and second-order soft-DTW.

The soft-DTW value :math:`\mathrm{dtw}_\gamma(C)` of a cost matrix
:math:`C_{ij} = \|x_i - y_j\|^2` has the expected alignment :math:`E` as its
gradient with respect to :math:`C`, and a Hessian :math:`H`. This module
builds on both (Blondel, Mensch & Vert, AISTATS 2021; Le Guen & Thome,
NeurIPS 2019):

- the **sharp** soft-DTW :math:`\langle E, C \rangle`, the expected cost of
  an alignment under the Gibbs distribution, whose gradient with respect to
  :math:`C` is :math:`E + H C`;
- the **mean cost** :math:`\langle \bar E, C \rangle`, with :math:`\bar E`
  the mean of all the alignment matrices (the limit of :math:`E` as
  :math:`\gamma \to \infty`);
- each as a **divergence**
  :math:`D(x, y) = f(x, y) - \tfrac12 (f(x, x) + f(y, y))`, zero at
  :math:`x = y`;
- the Hessian-vector product of soft-DTW with respect to :math:`x`;
- **DILATE**, soft-DTW plus the temporal term :math:`\langle E, \Omega \rangle`.

The functions live in :mod:`sksoftdtw.metrics` (its modules ``_sharp``,
``_divergences``, ``_second_order`` and ``_dilate``); this module gives them
their own namespace. Every quantity comes from the kernels of
:mod:`sksoftdtw._second_order`:
:math:`\langle E, Z \rangle` is computed forward beside the soft-DTW
recursion, without forming :math:`E`, and :math:`H Z` backward beside
:math:`E`, in :math:`O(nm)` time.

Units
-----
The cost here is the squared Euclidean distance :math:`\|x_i - y_j\|^2`, as
everywhere in sksoftdtw. The authors' reference code
(google-research/soft-dtw-divergences) uses half of it,
:math:`\tfrac12 \|x_i - y_j\|^2`. Since :math:`E` depends on
:math:`C / \gamma` only, their value at :math:`\gamma` is ours at
:math:`2 \gamma`, halved, for soft-DTW, the sharp soft-DTW and their
divergences alike (and half of ours for the mean cost, which has no
:math:`\gamma`); their gradients are half of ours at :math:`2 \gamma`.
"""
from .metrics import (cdist_sharp_soft_dtw_divergence, dilate, dilate_value_and_grad,
                      mean_cost_divergence, mean_cost_divergence_value_and_grad,
                      mean_cost_value_and_grad_from_cost, sharp_soft_dtw,
                      sharp_soft_dtw_divergence, sharp_soft_dtw_divergence_value_and_grad,
                      sharp_soft_dtw_from_cost, sharp_soft_dtw_value_and_grad,
                      sharp_soft_dtw_value_and_grad_from_cost,
                      soft_dtw_directional_derivative_from_cost,
                      soft_dtw_divergence_value_and_grad, soft_dtw_hessian_product,
                      soft_dtw_hessian_product_from_cost)
from .metrics._common import SECOND_ORDER_NAMES

__all__ = list(SECOND_ORDER_NAMES)
