"""Build script: the list of Cython extensions and their compiler flags.

OpenMP is used when the compiler accepts it; otherwise the extensions are
built single-threaded (``prange`` then runs serially).
"""
import os
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


def _openmp_flags(compiler):
    """Return (compile_args, link_args) enabling OpenMP, or empty lists."""
    if os.environ.get("SKSOFTDTW_NO_OPENMP"):
        return [], []
    if compiler.compiler_type == "msvc":
        return ["/openmp"], []
    flags = ["-fopenmp"]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            f.write(OPENMP_PROBE)
        try:
            objs = compiler.compile([src], output_dir=tmp, extra_postargs=flags)
            compiler.link_executable(objs, "probe", output_dir=tmp, extra_postargs=flags)
        except Exception:  # noqa: BLE001 - any failure means no usable OpenMP
            print("sksoftdtw: OpenMP not available, building single-threaded", file=sys.stderr)
            return [], []
    return flags, flags


class BuildExt(build_ext):
    def build_extensions(self):
        compile_args, link_args = _openmp_flags(self.compiler)
        opt = [] if self.compiler.compiler_type == "msvc" else ["-O3", "-fno-math-errno"]
        for ext in self.extensions:
            ext.extra_compile_args += opt + compile_args
            ext.extra_link_args += link_args
        super().build_extensions()


extensions = [
    Extension(
        "sksoftdtw._soft_dtw_fast",
        ["sksoftdtw/_soft_dtw_fast.pyx"],
        include_dirs=[np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    ),
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
