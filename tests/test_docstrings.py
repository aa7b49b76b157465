"""Docstrings assembled from shared fragments (:mod:`sksoftdtw.utils._docstrings`).

- a ``%(name)s`` marker is replaced by its fragment, and nothing else: the
  braces of math and of sets are written once;
- every module of the package imports under ``python -OO``, where
  docstrings are None;
- no public docstring keeps a marker.
"""
import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sksoftdtw.utils._docstrings import doc_filler, fill_doc

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"%\(\w+\)s")
# A line holding one ``{name}`` alone: a marker of the former syntax left unfilled.
BRACE_MARKER = re.compile(r"^\s*\{\w+\}\s*$", re.MULTILINE)


def test_only_the_markers_given_are_replaced():
    math = r":math:`\mathrm{dtw}_\gamma(x, y)` over {a, b}, %(other)s"
    doc = "Parameters\n    %(band)s\n    " + math
    filled = fill_doc(doc, band="radius : int")
    assert filled == "Parameters\n    radius : int\n    " + math
    assert fill_doc(None, band="radius : int") is None


def test_fragments_fill_the_markers_of_the_fragments_after_them():
    doc = fill_doc("%(params)s", params="init : {%(inits)s}", inits='"a", "b"')
    assert doc == 'init : {"a", "b"}'


def test_doc_filler_fills_objects_and_decorates():
    fill = doc_filler(gamma="gamma : float")

    @fill
    def f():
        """%(gamma)s and %(gamma)s"""

    class C:
        """%(gamma)s"""

    def g():
        pass

    assert fill(C, g) is g  # g has no docstring: it stays without one
    assert (f.__doc__, C.__doc__, g.__doc__) == ("gamma : float and gamma : float",
                                                 "gamma : float", None)


def package_modules():
    names = []
    for path in sorted((ROOT / "sksoftdtw").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_every_module_imports_under_OO(tmp_path):
    # Every module, private ones included: a fragment filled at import time
    # must not fail on a None docstring. The package imported is the one these
    # tests import (built in place or installed), from a neutral directory.
    import sksoftdtw

    modules = [m for m in package_modules()
               if ".torch" not in m or importlib.util.find_spec("torch") is not None]
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
    here = str(Path(sksoftdtw.__file__).resolve().parents[1])
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-OO", "-c", code, *modules], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "sksoftdtw.experiments._common" in modules and "sksoftdtw._cli._demo" in modules


def public_docstrings():
    from test_layout import PUBLIC_API

    for module, names in PUBLIC_API.items():
        if ".torch" in module and importlib.util.find_spec("torch") is None:
            continue
        imported = importlib.import_module(module)
        for name in names:
            obj = getattr(imported, name)
            yield f"{module}.{name}", inspect.getdoc(obj)
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if not attr.startswith("_") and callable(member):
                        yield f"{module}.{name}.{attr}", inspect.getdoc(member)


@pytest.mark.skipif(sys.flags.optimize >= 2, reason="no docstrings under python -OO")
def test_no_public_docstring_keeps_a_marker():
    docs = dict(public_docstrings())
    assert len(docs) > 100
    left = {name: MARKER.findall(doc) + BRACE_MARKER.findall(doc)
            for name, doc in docs.items() if doc}
    assert {name: found for name, found in left.items() if found} == {}
