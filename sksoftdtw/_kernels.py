"""The build of the Cython kernels that suits this CPU.

``_soft_dtw_fast`` (and ``_neighbors_fast``) is compiled for the baseline instruction set of the
platform and, on x86-64, also for AVX2 and AVX-512 (see ``setup.py``); the
best build the CPU supports is chosen once, at import. The environment
variable ``SKSOFTDTW_ISA`` (``avx512``, ``avx2`` or ``baseline``) forces a
choice, e.g. to measure what each build brings.
"""
import importlib
import os

from ._openmp_helpers import cpu_has

_BUILDS = (
    ("avx512", ("avx512f", "avx512dq", "avx512vl", "avx512bw", "avx2", "fma")),
    ("avx2", ("avx2", "fma")),
)


def _select(name="_soft_dtw_fast"):
    """The best build of the extension ``name`` for this CPU, and its instruction set."""
    forced = os.environ.get("SKSOFTDTW_ISA", "")
    for isa, features in _BUILDS:
        if forced and forced != isa:
            continue
        if all(cpu_has(feature) for feature in features):
            try:
                return isa, importlib.import_module(f".{name}_{isa}", __package__)
            except ImportError:  # that build was skipped by the compiler
                continue
    return "baseline", importlib.import_module(f".{name}", __package__)


ISA, fast = _select()
_, neighbors = _select("_neighbors_fast")
