r"""Second-order soft-DTW in PyTorch: double backward, the sharp divergence, DILATE.

Every quantity comes from the kernels of :mod:`sksoftdtw._second_order`
through :mod:`sksoftdtw.divergences`:

- ``_Alignment`` is the expected alignment :math:`E = \partial\,
  \mathrm{dtw}_\gamma / \partial D` as a function of the cost matrices, whose
  backward pass is the Hessian-vector product :math:`H Z` (``H`` is
  symmetric). The backward passes of the soft-DTW functions of ``_loss``
  route through it when autograd records them (``create_graph=True``): the
  gradient then stays a function of the inputs, and can be differentiated
  again;
- ``_SeriesSecondOrder`` (squared Euclidean cost) and ``_CostSecondOrder``
  (cost matrices of ``dist_func``) give, pair by pair, soft-DTW and its
  derivative :math:`\langle E, Z \rangle` in a direction ``Z`` (the cost
  itself: the sharp soft-DTW; :math:`\Omega`: DILATE's temporal term) and the
  gradient of a weighted sum of the two, which the kernels compute beside
  :math:`E` as the Jacobian product of the cost with :math:`a E + b H Z`.

The second-order kernels compute in float64; the results are converted back
to the inputs' dtype.
"""
import torch
from torch.autograd.function import once_differentiable

from .._engine.second_order import series as _series
from .._engine.second_order import series_batch_cost as _batch_cost
from ._checks import _valid_mask
from ._tensors import (
    _cost_matrix,
    _flat,
    _matmul_grad,
    _padded,
    _pair_lengths,
    _scaled,
    _sqeuclidean,
)


def _float64(x):
    """``x`` detached as a C-contiguous float64 NumPy array."""
    return x.detach().to(torch.float64).contiguous().numpy()


class _Alignment(torch.autograd.Function):
    """E of a batch of cost matrices; its backward is the Hessian-vector product."""

    @staticmethod
    def forward(ctx, D, E, gamma, band, lengths, n_threads):
        ctx.save_for_backward(D)
        ctx.args = (gamma, band, lengths, n_threads)
        if E is not None:  # already computed by the forward pass of the value
            return E.clone()
        return torch.from_numpy(_batch_cost(_float64(D), None, gamma, band, "cost",
                                            lengths=lengths, second=True,
                                            n_threads=n_threads)[2]).to(D.dtype)

    @staticmethod
    @once_differentiable
    def backward(ctx, Z):
        (D,) = ctx.saved_tensors
        gamma, band, lengths, n_threads = ctx.args
        HZ = _batch_cost(_float64(D), _float64(Z), gamma, band, "matrix", lengths=lengths,
                         second=True, n_threads=n_threads)[3]
        return torch.from_numpy(HZ).to(D.dtype), None, None, None, None, None


def cost_grad(D, E, gamma, band, lengths, n_threads):
    """E as a differentiable function of the cost matrices D (``_loss``'s backward
    under ``create_graph``)."""
    return _Alignment.apply(D, E, gamma, band, lengths, n_threads)


def _zero_padding(x, lengths):
    """``x`` with zeros at the padding, which may hold anything (even NaN)."""
    return x if lengths is None else \
        torch.where(torch.from_numpy(_valid_mask(lengths, *x.shape[:2])).unsqueeze(-1), x, 0.0)


def series_grads(x, y, want_x, want_y, gamma, band, x_lengths, y_lengths, n_threads):
    r"""The gradients of soft-DTW (squared Euclidean cost) with respect to ``x`` and
    ``y`` as differentiable functions of them: :math:`E` of the cost matrices,
    then :math:`\nabla_x = 2 (x \odot E \mathbf{1} - E y)` and its transpose for
    ``y`` (``_loss``'s backward under ``create_graph``)."""
    x, y = _zero_padding(x, x_lengths), _zero_padding(y, y_lengths)
    lengths = _pair_lengths(x_lengths, y_lengths, len(x), x.shape[1], y.shape[1])
    E = _Alignment.apply(_sqeuclidean(x, y), None, gamma, band, lengths, n_threads)
    return (_matmul_grad(E, x, torch.cat([y, y.new_ones(*y.shape[:2], 1)], 2))
            if want_x else None,
            _matmul_grad(E.transpose(1, 2), y, torch.cat([x, x.new_ones(*x.shape[:2], 1)], 2))
            if want_y else None)


def _kernel_weights(direction, weights):
    """The coefficients ``(a, b)`` of E and H Z in the gradient of ``wv values + wd
    dvalues``: the direction "cost" depends on the cost, adding ``wd E``."""
    wv, wd = weights
    return (wv + wd if direction == "cost" else wv), wd


def _outputs(ctx, values, dvalues, weights, dtype):
    """The weighted sum (differentiable) and the two terms (not), as tensors."""
    values, dvalues = torch.from_numpy(values).to(dtype), torch.from_numpy(dvalues).to(dtype)
    ctx.mark_non_differentiable(values, dvalues)
    return weights[0] * values + weights[1] * dvalues, values, dvalues


class _SeriesSecondOrder(torch.autograd.Function):
    """``wv dtw + wd <E, Z>`` of the pairs ``(x[k], y[k])`` under the squared
    Euclidean cost, and its two terms."""

    @staticmethod
    def forward(ctx, x, y, direction, weights, gamma, band, x_lengths, y_lengths, n_threads):
        want_x, want_y = ctx.needs_input_grad[:2]
        a, b = _kernel_weights(direction, weights)
        values, dvalues, gX, gY = _series(
            _flat(_float64(x), x_lengths, "x"), _flat(_float64(y), y_lengths, "y"), gamma,
            band, direction, second=want_x or want_y, a=a, b=b, want_x=want_x, want_y=want_y,
            n_jobs=n_threads)
        ctx.save_for_backward(_padded(gX, x.shape, x_lengths).to(x.dtype) if want_x else None,
                              _padded(gY, y.shape, y_lengths).to(y.dtype) if want_y else None)
        return _outputs(ctx, values, dvalues, weights, torch.promote_types(x.dtype, y.dtype))

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_values, *_):
        grad_x, grad_y = ctx.saved_tensors
        return (_scaled(grad_values, grad_x), _scaled(grad_values, grad_y)) + (None,) * 7


class _CostSecondOrder(torch.autograd.Function):
    """``wv dtw + wd <E, Z>`` of a batch of cost matrices, and its two terms."""

    @staticmethod
    def forward(ctx, D, direction, weights, gamma, band, lengths, n_threads):
        want = ctx.needs_input_grad[0]
        values, dvalues, E, Ed = _batch_cost(_float64(D), None, gamma, band, direction,
                                             lengths=lengths, second=want, n_threads=n_threads)
        a, b = _kernel_weights(direction, weights)
        ctx.save_for_backward(torch.from_numpy(a * E + b * Ed).to(D.dtype) if want else None)
        return _outputs(ctx, values, dvalues, weights, D.dtype)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_values, *_):
        (grad,) = ctx.saved_tensors
        return (_scaled(grad_values, grad),) + (None,) * 6


def second_order_values(*args):
    """``(wv dtw + wd <E, Z>, dtw, <E, Z>)`` of validated pairs, the first
    differentiable, for the direction "cost" (sharp) or "omega" (DILATE);
    opaque to ``torch.compile`` as ``_loss._values`` is."""
    return (_opaque if torch.compiler.is_compiling() else _eager)(*args)


def _eager(x, y, direction, weights, gamma, band, dist_func, x_lengths, y_lengths,
           n_threads):
    if dist_func is None:
        if not torch.is_grad_enabled():
            x, y = x.detach(), y.detach()
        return _SeriesSecondOrder.apply(x, y, direction, weights, gamma, band, x_lengths,
                                        y_lengths, n_threads)
    D = _cost_matrix(dist_func, x, y, x_lengths, y_lengths)
    lengths = _pair_lengths(x_lengths, y_lengths, len(x), x.shape[1], y.shape[1])
    return _CostSecondOrder.apply(D, direction, weights, gamma, band, lengths, n_threads)


_opaque = torch.compiler.disable(_eager)


def sharp_values(*args):
    """Differentiable sharp soft-DTW values of validated pairs (the arguments of
    ``_loss._values``)."""
    x, y, *rest = args
    return second_order_values(x, y, "cost", (0.0, 1.0), *rest)[0]

