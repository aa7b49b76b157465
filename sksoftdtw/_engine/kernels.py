"""The build of the Cython kernels that suits this CPU.

``_soft_dtw_fast`` (and ``_neighbors_fast``, ``_second_order``) is compiled for
the baseline instruction set of the platform and, on x86-64, also for AVX2 and
AVX-512 (see ``setup.py``); the best build the CPU supports is chosen once, at
import. The environment variable ``SKSOFTDTW_ISA`` (``avx512``, ``avx2`` or
``baseline``, in any case; empty means the automatic choice) forces a choice,
e.g. to measure what each build brings. A value that is not one of these, or a
build this CPU or this installation lacks, is an error: a benchmark of a forced
build must not silently measure another one.
"""
import importlib
import os

from .._openmp_helpers import cpu_has

_BUILDS = (
    ("avx512", ("avx512f", "avx512dq", "avx512vl", "avx512bw", "avx2", "fma")),
    ("avx2", ("avx2", "fma")),
)
_CHOICES = tuple(isa for isa, _ in _BUILDS) + ("baseline",)


def _import(isa, name):
    suffix = "" if isa == "baseline" else f"_{isa}"
    # the compiled extensions are modules of the package above this one
    return importlib.import_module(f"..{name}{suffix}", __package__)


def _select(forced=None, name="_soft_dtw_fast"):
    """The (instruction set, module) of the build of the extension ``name`` to
    use; ``forced`` defaults to ``SKSOFTDTW_ISA``."""
    if forced is None:
        forced = os.environ.get("SKSOFTDTW_ISA", "")
    forced = forced.strip().lower()
    if forced and forced not in _CHOICES:
        raise ValueError(f"SKSOFTDTW_ISA={forced!r} is not a kernel build: use one of "
                         f"{', '.join(_CHOICES)} (any case), or leave it empty for the "
                         "automatic choice")
    for isa, features in _BUILDS:
        if forced and forced != isa:
            continue
        missing = [feature for feature in features if not cpu_has(feature)]
        if forced and missing:
            raise ValueError(f"SKSOFTDTW_ISA={forced!r}, but this CPU lacks "
                             f"{', '.join(missing)}: unset it or choose a build the CPU runs")
        if not missing:
            try:
                return isa, _import(isa, name)
            except ImportError:  # that build was skipped by the compiler
                if forced:
                    raise ValueError(f"SKSOFTDTW_ISA={forced!r}, but this installation has no "
                                     f"{forced} build (its compiler lacked the flags)") from None
    return "baseline", _import("baseline", name)


ISA, fast = _select()
_, neighbors = _select(name="_neighbors_fast")
_, second_order = _select(name="_second_order")
