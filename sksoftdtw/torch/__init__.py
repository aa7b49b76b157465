"""Soft-DTW losses for PyTorch, computed by the batched kernels of sksoftdtw.

This subpackage is the only part of sksoftdtw that imports :mod:`torch`;
install it with ``pip install "sksoftdtw[torch]"``. See :doc:`/deep_learning`.
"""
try:
    import torch  # noqa: F401
except ImportError as exc:
    raise ImportError(
        "sksoftdtw.torch needs PyTorch, which is not installed: "
        'pip install "sksoftdtw[torch]" (or install torch itself)'
    ) from exc

from ._dilate import DILATELoss
from ._loss import SoftDTWLoss, soft_dtw, soft_dtw_alignment

__all__ = ["DILATELoss", "SoftDTWLoss", "soft_dtw", "soft_dtw_alignment"]
