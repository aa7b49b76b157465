"""DILATE as a PyTorch loss, on the second-order kernels."""
import torch

from ..metrics._dilate import DILATE_OMEGA as _DILATE_OMEGA
from ..metrics._dilate import DILATE_REFERENCE as _DILATE_REFERENCE
from ..metrics._dilate import check_alpha as _check_alpha
from ..utils._docstrings import fill_doc
from ._checks import (
    _DIST_FUNC,
    _N_JOBS,
    _PARAMS,
    _check_inputs,
    _check_params,
    _check_reduction,
    _reduce,
)
from ._second_order import second_order_values

__all__ = ["DILATELoss"]


class DILATELoss(torch.nn.Module):
    r"""DILATE loss between batches of forecasts and targets, as a PyTorch module.

    .. math::

        \mathrm{DILATE}(x, y) = \alpha\, \mathrm{dtw}_\gamma(x, y)
        + (1 - \alpha) \langle E, \Omega \rangle

    (Le Guen & Thome, 2019): a shape term, soft-DTW, and a temporal term,
    the expected alignment :math:`E` weighted by the temporal distortion
    :math:`\Omega`. Pair by pair it is :func:`sksoftdtw.dilate`. One call of
    the batched second-order kernels computes, for every pair, both terms
    and the gradient :math:`J^\top (\alpha E + (1 - \alpha) H \Omega)`, with
    :math:`H \Omega` the Hessian-vector product of soft-DTW, in
    :math:`O(nm)` time and without forming :math:`E` or :math:`\Omega`.

    %(omega)s

    Parameters
    ----------
    alpha : float, default=0.5
        Weight of the shape term, in ``[0, 1]``.
    %(params)s
    reduction : {"mean", "sum", "none"}, default="mean"
        Mean or sum over the pairs of the batch, or one value per pair.
    return_components : bool, default=False
        Also return the shape and temporal terms, reduced alike. They are
        detached, for monitoring: the gradient flows through the loss.
    %(dist_func)s
    %(n_jobs)s

    See Also
    --------
    sksoftdtw.dilate, sksoftdtw.dilate_value_and_grad : One pair, in NumPy.
    SoftDTWLoss : The shape term alone.

    Notes
    -----
    The second-order kernels compute in float64 on the CPU; the results are
    converted to the dtype of the inputs. The loss is once differentiable.

    %(dilate_reference)s

    Examples
    --------
    >>> import torch
    >>> from sksoftdtw.torch import DILATELoss
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> forecast = torch.randn(8, 24, 1, requires_grad=True)
    >>> target = torch.randn(8, 24, 1)
    >>> loss, shape, temporal = DILATELoss(alpha=0.5, gamma=0.01,
    ...                                    return_components=True)(forecast, target)
    >>> loss.backward()
    >>> forecast.grad.shape
    torch.Size([8, 24, 1])
    >>> bool(torch.isclose(loss, 0.5 * shape + 0.5 * temporal))
    True
    """

    def __init__(self, alpha=0.5, gamma=0.01, reduction="mean", return_components=False, *,
                 sakoe_chiba_radius=None, itakura_max_slope=None, dist_func=None, n_jobs=None):
        super().__init__()
        self.alpha = _check_alpha(alpha)
        self.gamma = _check_params(gamma, sakoe_chiba_radius, itakura_max_slope, dist_func,
                                   n_jobs)[0]
        if not isinstance(return_components, bool):
            raise TypeError(f"return_components must be a bool, got {return_components!r}")
        self.reduction = _check_reduction(reduction)
        self.return_components = return_components
        self.sakoe_chiba_radius = sakoe_chiba_radius
        self.itakura_max_slope = itakura_max_slope
        self.dist_func = dist_func
        self.n_jobs = n_jobs

    def forward(self, x, y, x_lengths=None, y_lengths=None):
        r"""DILATE loss between ``x`` and ``y``.

        Parameters
        ----------
        x : Tensor of shape (B, N, D) or (B, N)
            Forecasts; ``(B, N)`` is ``D = 1``.
        y : Tensor of shape (B, M, D) or (B, M)
            Targets.
        x_lengths, y_lengths : LongTensor or sequence of int of shape (B,), default=None
            True lengths of padded series (see :func:`soft_dtw`).

        Returns
        -------
        loss : Tensor of shape () or (B,)
            The reduced loss, or one value per pair with ``reduction="none"``.
        shape, temporal : Tensor of shape () or (B,)
            With ``return_components=True``: the shape term
            :math:`\mathrm{dtw}_\gamma(x, y)` and the temporal term
            :math:`\langle E, \Omega \rangle`, reduced alike.
        """
        gamma, band, n_threads = _check_params(self.gamma, self.sakoe_chiba_radius,
                                               self.itakura_max_slope, self.dist_func,
                                               self.n_jobs)
        x, y, x_lengths, y_lengths = _check_inputs(x, y, x_lengths, y_lengths)
        terms = second_order_values(x, y, "omega", (self.alpha, 1.0 - self.alpha), gamma, band,
                                    self.dist_func, x_lengths, y_lengths, n_threads)
        if not self.return_components:
            return _reduce(terms[0], self.reduction)
        return tuple(_reduce(t, self.reduction) for t in terms)

    def extra_repr(self):
        return (f"alpha={self.alpha}, gamma={self.gamma}, "
                f"sakoe_chiba_radius={self.sakoe_chiba_radius}, "
                f"itakura_max_slope={self.itakura_max_slope}, reduction={self.reduction!r}")


DILATELoss.__doc__ = fill_doc(
    DILATELoss.__doc__, omega=_DILATE_OMEGA, dilate_reference=_DILATE_REFERENCE,
    params=_PARAMS.replace("default=1.0", "default=0.01"), dist_func=_DIST_FUNC, n_jobs=_N_JOBS)
