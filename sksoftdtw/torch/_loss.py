r"""Soft-DTW as a PyTorch loss: autograd functions over the batched kernels.

Two autograd functions carry everything:

- ``_SoftDTWFunction`` on the series, for the squared Euclidean cost: one
  call of the batched kernels computes the values and, in the same pass, the
  gradients of the inputs that require them; below dimension
  ``MATMUL_MIN_DIM`` the fused kernels compute each cost inside the
  recursion, from it on the costs and gradients are batched matrix products
  around the recursion on the cost matrices (`_matmul_value_grad`);
- ``_SoftDTWCostFunction`` on a cost matrix ``D`` given by ``dist_func``: the
  kernels return the expected alignment :math:`E = \partial\,\mathrm{dtw}_\gamma
  / \partial D` with the values, and autograd carries it back through
  ``dist_func``.

Their backward passes only scale the stored gradients by the incoming ones:
``_SoftDTWFunction`` also takes the mean or sum of ``SoftDTWLoss``, and hands
its gradients, with the mean's ``1 / B`` already applied, to its backward pass,
which scales them in place for autograd to keep as they are. The input is
validated once, here (NaN and inf by the fused kernels' own bound on the
costs, the error then naming them), and the kernels' private cores called
without validating it again. The kernels run on the CPU in the dtype that
`_kernel_dtype` gives (float32 for float32 tensors, float64 otherwise): other
dtypes are converted at the boundary and the results converted back.
"""
import torch

from ._checks import (
    _check_inputs,
    _check_normalize,
    _check_params,
    _check_reduction,
    _doc,
    _reduce,
)
from ._second_order import cost_grad, series_grads, sharp_values
from ._tensors import (
    _as_dtype,
    _cost_matrix,
    _cost_values,
    _kernel_value_grad,
    _mean_scale,
    _pair_lengths,
    _reduced,
    _scaled,
    _sqeuclidean,
)

__all__ = ["SoftDTWLoss", "soft_dtw", "soft_dtw_alignment"]


class _SoftDTWFunction(torch.autograd.Function):
    """Values of the pairs ``(x[k], y[k])`` under the squared Euclidean cost, or
    their mean or sum (``reduction``).

    The gradients computed with the values are handed to the first backward
    pass, which scales them in place: autograd then takes them as they are for
    the ``.grad`` of the inputs. A retained graph's later passes compute them
    again.
    """

    @staticmethod
    def forward(ctx, x, y, gamma, band, x_lengths, y_lengths, n_threads, reduction):
        ctx.want = ctx.needs_input_grad[:2]
        ctx.args = (gamma, band, x_lengths, y_lengths, n_threads)
        ctx.reduction = reduction
        ctx.scale = _mean_scale(reduction, len(x))
        values, *grads = _kernel_value_grad(x, y, ctx.args, ctx.scale, *ctx.want)
        ctx.grads = [_as_dtype(g, t.dtype) for g, t in zip(grads, (x, y))]
        ctx.save_for_backward(x, y)
        return _reduced(values, reduction, x.dtype if x.dtype == y.dtype
                        else torch.promote_types(x.dtype, y.dtype))

    @staticmethod
    def backward(ctx, grad_values):
        grads, ctx.grads = ctx.grads, None
        in_place = not torch.is_grad_enabled()
        if not in_place:  # create_graph: gradients differentiable in x and y
            grads = series_grads(*ctx.saved_tensors, *ctx.want, *ctx.args)
        elif grads is None:
            grads = _kernel_value_grad(*ctx.saved_tensors, ctx.args, ctx.scale, *ctx.want)[1:]
        return tuple(_scaled(grad_values, g, ctx.reduction, in_place) for g in grads) \
            + (None,) * 6


class _SoftDTWCostFunction(torch.autograd.Function):
    """Values of a batch of cost matrices; the gradient is the expected alignment."""

    @staticmethod
    def forward(ctx, D, gamma, band, lengths, n_threads):
        want = ctx.needs_input_grad[0]
        values, E = _cost_values(D, lengths, gamma, band, want, n_threads)
        ctx.save_for_backward(D, torch.from_numpy(E).to(D.dtype) if want else None)
        ctx.args = (gamma, band, lengths, n_threads)
        return torch.from_numpy(values).to(D.dtype)

    @staticmethod
    def backward(ctx, grad_values):
        D, E = ctx.saved_tensors
        if torch.is_grad_enabled() and E is not None:  # create_graph: E differentiable in D
            E = cost_grad(D, E, *ctx.args)
        return _scaled(grad_values, E), None, None, None, None


def _values(*args):
    """Differentiable soft-DTW values of validated pairs (`_eager_values`).

    Opaque to ``torch.compile``: the kernels are not traceable, so the
    compiler breaks the graph here and runs this part eagerly. The wrapper
    that makes it opaque costs about 0.15 ms a call, so it is taken only
    while compiling.
    """
    return (_opaque_values if torch.compiler.is_compiling() else _eager_values)(*args)


def _eager_values(x, y, gamma, band, dist_func, x_lengths, y_lengths, n_threads,
                  reduction="none"):
    if dist_func is None:
        if not torch.is_grad_enabled():
            # needs_input_grad follows requires_grad even under no_grad
            x, y = x.detach(), y.detach()
        return _SoftDTWFunction.apply(x, y, gamma, band, x_lengths, y_lengths, n_threads,
                                      reduction)
    D = _cost_matrix(dist_func, x, y, x_lengths, y_lengths)
    lengths = _pair_lengths(x_lengths, y_lengths, len(x), x.shape[1], y.shape[1])
    return _reduce(_SoftDTWCostFunction.apply(D, gamma, band, lengths, n_threads), reduction)


_opaque_values = torch.compiler.disable(_eager_values)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------
@_doc
def soft_dtw(x, y, gamma=1.0, *, normalize=False, sakoe_chiba_radius=None,
             itakura_max_slope=None, dist_func=None, x_lengths=None, y_lengths=None,
             n_jobs=None):
    r"""Soft-DTW values of a batch of pairs of series, differentiable by autograd.

    The functional form of :class:`SoftDTWLoss` with ``reduction="none"``.

    Parameters
    ----------
    x : Tensor of shape (B, N, D) or (B, N)
        First series of each pair, on the CPU, of a floating-point dtype;
        ``(B, N)`` is ``D = 1``.
    y : Tensor of shape (B, M, D) or (B, M)
        Second series of each pair.
    %(params)s
    %(normalize)s
    %(dist_func)s
    %(lengths)s
    %(n_jobs)s

    Returns
    -------
    values : Tensor of shape (B,)
        One value per pair, of the promoted dtype of ``x`` and ``y`` (of the
        cost matrix with ``dist_func``).

    See Also
    --------
    SoftDTWLoss : The same as an ``nn.Module``, with a reduction.
    soft_dtw_alignment : The expected alignments.
    sksoftdtw.soft_dtw_batch : The NumPy batch function underneath.

    References
    ----------
    %(references)s

    Examples
    --------
    >>> import torch
    >>> from sksoftdtw.torch import soft_dtw
    >>> x = torch.tensor([[0.0, 0.1, 2.0]], requires_grad=True)
    >>> y = torch.tensor([[0.0, 2.0]])
    >>> values = soft_dtw(x, y, gamma=0.01)
    >>> values.detach().round(decimals=4)
    tensor([0.0100])
    >>> values.sum().backward()
    >>> x.grad.shape
    torch.Size([1, 3])
    """
    return _soft_dtw(x, y, gamma, normalize, sakoe_chiba_radius, itakura_max_slope, dist_func,
                     x_lengths, y_lengths, n_jobs, "none")


def _soft_dtw(x, y, gamma, normalize, sakoe_chiba_radius, itakura_max_slope, dist_func,
              x_lengths, y_lengths, n_jobs, reduction):
    """`soft_dtw`, reduced as ``reduction`` says: without ``normalize``, inside the
    autograd function, whose backward pass then scales the gradients in place."""
    gamma, band, n_threads = _check_params(gamma, sakoe_chiba_radius, itakura_max_slope,
                                           dist_func, n_jobs)
    normalize = _check_normalize(normalize)
    x, y, x_lengths, y_lengths = _check_inputs(
        x, y, x_lengths, y_lengths, finite=dist_func is not None or normalize == "sharp")
    args = (gamma, band, dist_func)
    if not normalize:
        return _values(x, y, *args, x_lengths, y_lengths, n_threads, reduction)
    values_of = sharp_values if normalize == "sharp" else _values
    values = values_of(x, y, *args, x_lengths, y_lengths, n_threads)
    values = values - 0.5 * (values_of(x, x, *args, x_lengths, x_lengths, n_threads)
                             + values_of(y, y, *args, y_lengths, y_lengths, n_threads))
    return _reduce(values, reduction)


@_doc
def soft_dtw_alignment(x, y, gamma=1.0, *, sakoe_chiba_radius=None, itakura_max_slope=None,
                       dist_func=None, x_lengths=None, y_lengths=None, n_jobs=None):
    r"""Expected alignments and soft-DTW values of a batch of pairs.

    ``E[k, i, j]`` is the probability that ``x[k, i]`` is aligned with
    ``y[k, j]`` under the Gibbs distribution over alignments, which is the
    gradient of the value with respect to the cost matrix. The result is not
    differentiable (it is detached).

    Parameters
    ----------
    x : Tensor of shape (B, N, D) or (B, N)
    y : Tensor of shape (B, M, D) or (B, M)
    %(params)s
    %(dist_func)s
    %(lengths)s
    %(n_jobs)s

    Returns
    -------
    E : Tensor of shape (B, N, M)
        Expected alignments, in ``[0, 1]``, zero outside each pair's block
        ``[:x_lengths[k], :y_lengths[k]]``.
    values : Tensor of shape (B,)

    See Also
    --------
    soft_dtw, sksoftdtw.soft_dtw_alignment

    Examples
    --------
    >>> import torch
    >>> from sksoftdtw.torch import soft_dtw_alignment
    >>> x = torch.tensor([[0.0, 0.1, 2.0]], dtype=torch.float64)
    >>> E, values = soft_dtw_alignment(x, torch.tensor([[0.0, 2.0]], dtype=torch.float64),
    ...                                gamma=0.01)
    >>> E.round(decimals=3)
    tensor([[[1., 0.],
             [1., 0.],
             [0., 1.]]], dtype=torch.float64)
    """
    gamma, band, n_threads = _check_params(gamma, sakoe_chiba_radius, itakura_max_slope,
                                           dist_func, n_jobs)
    x, y, x_lengths, y_lengths = _check_inputs(x, y, x_lengths, y_lengths)
    with torch.no_grad():
        D = _cost_matrix(dist_func or _sqeuclidean, x, y, x_lengths, y_lengths)
    lengths = _pair_lengths(x_lengths, y_lengths, len(x), x.shape[1], y.shape[1])
    values, E = _cost_values(D, lengths, gamma, band, True, n_threads)
    return torch.from_numpy(E).to(D.dtype), torch.from_numpy(values).to(D.dtype)


@_doc
class SoftDTWLoss(torch.nn.Module):
    r"""Soft-DTW loss between batches of time series, as a PyTorch module.

    ``loss(x, y)`` compares each series ``x[k]`` with ``y[k]``: one call of
    the batched kernels computes all the values and, in the same pass, the
    gradients of the inputs that require them; the backward pass only scales
    them. Series may have different lengths within a batch (``x_lengths``,
    ``y_lengths``) and between ``x`` and ``y``. See :doc:`/deep_learning`.

    Parameters
    ----------
    %(params)s
    %(normalize)s
    %(dist_func)s
    reduction : {"mean", "sum", "none"}, default="mean"
        Mean or sum over the pairs of the batch, or one value per pair.
    %(n_jobs)s

    See Also
    --------
    soft_dtw : The functional form.
    soft_dtw_alignment : The expected alignments.
    sksoftdtw.neural_network.MLPRegressor : A scikit-learn network trained with soft-DTW.

    Notes
    -----
    The kernels run on the CPU, float32 tensors in float32 kernels (32 pairs
    in the SIMD lanes at once; in float64 where float32 exponents would not
    be exact; the matrix products of high dimensions in float64), other
    floating tensors in float64, converted at the boundary and the values and
    gradients converted back. Tensors on another device raise an error naming
    it. The loss is twice differentiable: under ``create_graph=True`` its
    backward pass runs through the Hessian-vector products of the
    second-order kernels (see :doc:`/deep_learning`).

    Without ``dist_func``, series of low dimension run through fused kernels
    that compute each squared distance inside the recursion; from dimension
    ``sksoftdtw._engine.planner.MATMUL_MIN_DIM`` on, the cost matrices and the
    gradients are batched matrix products (BLAS) around the recursion on the
    cost matrices, each pair centred first so that the expanded form
    :math:`|x|^2 + |y|^2 - 2 x \cdot y` keeps its precision.

    References
    ----------
    %(references)s

    Examples
    --------
    >>> import torch
    >>> from sksoftdtw.torch import SoftDTWLoss
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> x = torch.randn(4, 20, 2, requires_grad=True)
    >>> y = torch.randn(4, 30, 2)
    >>> loss = SoftDTWLoss(gamma=0.1)(x, y)
    >>> loss.backward()
    >>> loss.shape, x.grad.shape
    (torch.Size([]), torch.Size([4, 20, 2]))
    >>> SoftDTWLoss(gamma=0.1, normalize=True, reduction="none")(y, y).abs().max() < 1e-5
    tensor(True)
    """

    def __init__(self, gamma=1.0, normalize=False, sakoe_chiba_radius=None, dist_func=None,
                 reduction="mean", *, itakura_max_slope=None, n_jobs=None):
        super().__init__()
        self.gamma = _check_params(gamma, sakoe_chiba_radius, itakura_max_slope, dist_func,
                                   n_jobs)[0]
        self.normalize = _check_normalize(normalize)
        self.sakoe_chiba_radius = sakoe_chiba_radius
        self.itakura_max_slope = itakura_max_slope
        self.dist_func = dist_func
        self.reduction = _check_reduction(reduction)
        self.n_jobs = n_jobs

    def forward(self, x, y, x_lengths=None, y_lengths=None):
        """Soft-DTW loss between ``x`` and ``y``.

        Parameters
        ----------
        x : Tensor of shape (B, N, D) or (B, N)
            Predictions, for instance; ``(B, N)`` is ``D = 1``.
        y : Tensor of shape (B, M, D) or (B, M)
            Targets, for instance.
        x_lengths, y_lengths : LongTensor or sequence of int of shape (B,), default=None
            True lengths of padded series (see :func:`soft_dtw`).

        Returns
        -------
        loss : Tensor of shape () or (B,)
            The reduced loss, or one value per pair with ``reduction="none"``.
        """
        return _soft_dtw(x, y, self.gamma, self.normalize, self.sakoe_chiba_radius,
                         self.itakura_max_slope, self.dist_func, x_lengths, y_lengths,
                         self.n_jobs, self.reduction)

    def extra_repr(self):
        return (f"gamma={self.gamma}, normalize={self.normalize}, "
                f"sakoe_chiba_radius={self.sakoe_chiba_radius}, "
                f"itakura_max_slope={self.itakura_max_slope}, reduction={self.reduction!r}")
