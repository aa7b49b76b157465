"""Build script: the list of Cython extensions and their compiler flags.

OpenMP is used when the compiler accepts it; otherwise the extensions are
built single-threaded (``prange`` then runs serially).
"""
import os
import platform
import sys
import tempfile
import textwrap

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

OPENMP_PROBE = textwrap.dedent(
    """
    #include <omp.h>
    int main(void) { return omp_get_max_threads() > 0 ? 0 : 1; }
    """
)


def _compiles(compiler, source, flags, link=False):
    """Whether ``compiler`` builds the C ``source`` with ``flags``."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            f.write(source)
        try:
            objs = compiler.compile([src], output_dir=tmp, extra_postargs=flags)
            if link:
                compiler.link_executable(objs, "probe", output_dir=tmp, extra_postargs=flags)
        except Exception:  # noqa: BLE001 - any failure means "no"
            return False
    return True


def _openmp_flags(compiler):
    """Return (compile_args, link_args) enabling OpenMP, or empty lists."""
    if os.environ.get("SKSOFTDTW_NO_OPENMP"):
        return [], []
    if compiler.compiler_type == "msvc":
        return ["/openmp"], []
    flags = ["-fopenmp"]
    if not _compiles(compiler, OPENMP_PROBE, flags, link=True):
        print("sksoftdtw: OpenMP not available, building single-threaded", file=sys.stderr)
        return [], []
    return flags, flags


# The kernels are also compiled for these instruction sets, and the best one
# the CPU supports is picked at import (sksoftdtw._engine.kernels), so that a wheel
# built for any x86-64 CPU runs at full speed on a recent one.
ISA_FLAGS = {
    "avx2": ["-mavx2", "-mfma"],
    "avx512": ["-mavx512f", "-mavx512dq", "-mavx512vl", "-mavx512bw", "-mavx2", "-mfma",
               "-mprefer-vector-width=512"],
}


class BuildExt(build_ext):
    def build_extensions(self):
        compile_args, link_args = _openmp_flags(self.compiler)
        msvc = self.compiler.compiler_type == "msvc"
        # -fno-trapping-math lets compilers vectorize the selects of the kernels.
        opt = [] if msvc else ["-O3", "-fno-math-errno", "-fno-trapping-math"]
        # A step over anti-diagonals reads six arrays and writes two to five:
        # GCC vectorizes it only with more run-time alias checks than its
        # default of 10.
        alias_checks = ["--param=vect-max-version-for-alias-checks=64"]
        if not msvc and _compiles(self.compiler, "int main(void) { return 0; }\n",
                                  ["-Werror"] + alias_checks):
            opt += alias_checks
        for ext in self.extensions:
            ext.extra_compile_args += opt + compile_args
            ext.extra_link_args += link_args
        super().build_extensions()

    def build_extension(self, ext):
        isa = ext.name.rsplit("_", 1)[-1]
        if isa not in ISA_FLAGS:
            return super().build_extension(ext)
        ext.extra_compile_args += ISA_FLAGS[isa]
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001 - an optional build
            print(f"sksoftdtw: skipping the {isa} kernels ({exc})", file=sys.stderr)


def _kernel_extension(name, suffix=""):
    return Extension(
        f"sksoftdtw.{name}{suffix}",
        [f"sksoftdtw/{name}{suffix}.pyx"],
        include_dirs=[np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )


x86 = platform.machine().lower() in ("x86_64", "amd64") and not sys.platform.startswith("win")
extensions = [
    *[_kernel_extension(name, suffix)
      for name in ("_soft_dtw_fast", "_neighbors_fast", "_second_order")
      for suffix in ["", *[f"_{isa}" for isa in ISA_FLAGS if x86]]],
    Extension("sksoftdtw._openmp_helpers", ["sksoftdtw/_openmp_helpers.pyx"]),
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
    ),
    cmdclass={"build_ext": BuildExt},
)
