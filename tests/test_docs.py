"""Tests of the documentation sources: they stay true to the package.

- the code examples (``>>>``) of the user guide pages run and give the output
  shown;
- the API reference lists every public name, and only existing ones;
- every public function and class has a doctested example.

The Sphinx build itself is ``make -C doc html`` (see doc/conf.py).
"""
import doctest
import importlib
import importlib.util
import inspect
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "doc"
# Modules whose ``__all__`` is public API, documented in doc/api.rst.
PUBLIC_MODULES = ("sksoftdtw", "sksoftdtw.barycenters", "sksoftdtw.clustering",
                  "sksoftdtw.neighbors", "sksoftdtw.neural_network",
                  "sksoftdtw.preprocessing",
                  "sksoftdtw.datasets", "sksoftdtw.parallel", "sksoftdtw.utils")
# Public modules that need an optional dependency: checked when it is installed.
HAVE_TORCH = importlib.util.find_spec("torch") is not None
OPTIONAL_MODULES = ("sksoftdtw.torch",)
if HAVE_TORCH:
    PUBLIC_MODULES += OPTIONAL_MODULES

# A numpydoc "Examples" section holding at least one doctest.
EXAMPLES_SECTION = re.compile(r"^ *Examples\n *-{8}\n.*?>>> ", re.MULTILINE | re.DOTALL)

pytestmark = pytest.mark.skipif(not DOC.is_dir(), reason="no doc/ folder next to tests/")


def rst_pages_with_examples():
    return sorted(p.name for p in DOC.glob("*.rst") if ">>> " in p.read_text())


@pytest.mark.parametrize("page", rst_pages_with_examples())
def test_examples_of_the_page_run(page):
    if ">>> import torch" in (DOC / page).read_text() and not HAVE_TORCH:
        pytest.skip("the page's examples need torch")
    result = doctest.testfile(
        str(DOC / page), module_relative=False, verbose=False, report=True,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) of doc/{page} failed (see above)"


def documented_names():
    """``module.name`` of every entry of the autosummary tables of api.rst."""
    names, module, in_table = set(), None, False
    for line in (DOC / "api.rst").read_text().splitlines():
        if m := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = m.group(1)
        elif line.startswith(".. autosummary::"):
            in_table = True
        elif in_table and re.match(r"   \w+$", line):
            if HAVE_TORCH or module not in OPTIONAL_MODULES:
                names.add(f"{module}.{line.strip()}")
        elif in_table and line and not line.startswith(" "):
            in_table = False
    return names


def public_objects():
    """``module.name`` -> object, for the ``__all__`` of every public module."""
    out = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            out[f"{module_name}.{name}"] = getattr(module, name)
    return out


def test_api_reference_lists_every_public_name_once():
    public = public_objects()
    documented = documented_names()
    unknown = sorted(documented - set(public))
    assert not unknown, f"doc/api.rst lists names that are not public: {unknown}"
    # A name exported by two modules (e.g. sksoftdtw.to_time_series_dataset and
    # sksoftdtw.utils.to_time_series_dataset) is documented once.
    documented_ids = {id(public[name]) for name in documented}
    missing = sorted(name for name, obj in public.items() if id(obj) not in documented_ids)
    assert not missing, f"public names missing from doc/api.rst: {missing}"



@pytest.mark.parametrize("subpackage", ["barycenters", "clustering", "neighbors",
                                        "neural_network"])
def test_top_level_names_are_those_of_the_subpackages(subpackage):
    """``sksoftdtw.X`` is the object ``sksoftdtw.<subpackage>.X`` for every name
    both export, and every name the subpackage exports is also top level."""
    package = importlib.import_module("sksoftdtw")
    module = importlib.import_module(f"sksoftdtw.{subpackage}")
    assert set(module.__all__) <= set(package.__all__)
    for name in module.__all__:
        assert getattr(package, name) is getattr(module, name), name

def test_every_public_function_and_class_has_a_doctested_example():
    lacking = sorted({
        name for name, obj in public_objects().items()
        if (inspect.isfunction(obj) or inspect.isclass(obj))
        and not EXAMPLES_SECTION.search(inspect.getdoc(obj) or "")
    })
    assert not lacking, f"no doctested Examples section: {lacking}"
