r"""Barycenters of time series under soft-DTW and DTW.

The soft-DTW barycenter (Cuturi & Blondel, 2017) of series
:math:`y_1, \dots, y_n` of lengths :math:`m_1, \dots, m_n`, with weights
:math:`w_j \ge 0` summing to one, is a series :math:`z` of a chosen length that
minimises

.. math::

    F_\gamma(z) = \sum_{j=1}^n \frac{w_j}{m_j} \mathrm{dtw}_\gamma(z, y_j),

a smooth function minimised with L-BFGS. Dividing each term by its length keeps
long series from dominating short ones and makes the loss a per-time-step
squared error. The same normalised loss at :math:`\gamma = 0` (hard DTW) is the
"DTW loss" minimised by the baselines: DBA (Petitjean et al., 2011) and
the subgradient method, full or stochastic (Schultz & Jain, 2018).

Every evaluation of a loss or gradient here is one batched kernel call over
all the series (:func:`~sksoftdtw.soft_dtw_batch`), never a Python
loop over series or cells; the one exception is the stochastic subgradient
method, whose updates are sequential by definition.

- :func:`softdtw_barycenter`, :class:`SoftDTWBarycenter`: the soft-DTW
  barycenter (and those of the soft-DTW and sharp divergences);
- :func:`dtw_barycenter_averaging`: DBA;
- :func:`dtw_barycenter_subgradient`,
  :func:`dtw_barycenter_stochastic_subgradient`: the subgradient methods.

These names are also importable from :mod:`sksoftdtw`.
"""
from ._dba import dtw_barycenter_averaging
from ._softdtw import SoftDTWBarycenter, softdtw_barycenter
from ._subgradient import dtw_barycenter_stochastic_subgradient, dtw_barycenter_subgradient

__all__ = [
    "SoftDTWBarycenter",
    "dtw_barycenter_averaging",
    "dtw_barycenter_stochastic_subgradient",
    "dtw_barycenter_subgradient",
    "softdtw_barycenter",
]
