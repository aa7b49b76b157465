"""The layout of the package: what may import what, file sizes, the public API.

- no module imports a private name (leading underscore) of another
  subpackage; each top-level module counts as a subpackage of its own;
- nothing but the command line (``sksoftdtw/_cli*``, ``__main__.py``)
  imports the command line;
- no Python file of the package holds more than ``MAX_CODE_LINES`` lines of
  code (blank, comment and docstring lines do not count);
- every public name is importable from the module that exported it when the
  layout was set (``PUBLIC_API``, written out: it is the contract, not a
  result computed from the package).

The first three read the sources (:mod:`ast`), without importing them.
"""
import ast
import importlib
import importlib.util
import io
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sksoftdtw"
ROOT = PACKAGE.name
MAX_CODE_LINES = 500
# The modules of the command line: the only ones that may import it.
CLI = (f"{ROOT}._cli", f"{ROOT}.__main__")

pytestmark = pytest.mark.skipif(not PACKAGE.is_dir(), reason="no sksoftdtw/ next to tests/")

SECOND_ORDER = (
        "cdist_sharp_soft_dtw_divergence", "dilate", "dilate_value_and_grad",
        "mean_cost_divergence", "mean_cost_divergence_value_and_grad",
        "mean_cost_value_and_grad_from_cost", "sharp_soft_dtw", "sharp_soft_dtw_divergence",
        "sharp_soft_dtw_divergence_value_and_grad", "sharp_soft_dtw_from_cost",
        "sharp_soft_dtw_value_and_grad", "sharp_soft_dtw_value_and_grad_from_cost",
        "soft_dtw_directional_derivative_from_cost", "soft_dtw_divergence_value_and_grad",
        "soft_dtw_hessian_product", "soft_dtw_hessian_product_from_cost",
)

# The public names of each public module (their ``__all__``): a floor that only grows.
PUBLIC_API = {
    "sksoftdtw": (
        "DTWKMeans", "KNeighborsTimeSeriesClassifier", "KNeighborsTimeSeriesRegressor",
        "MLPRegressor", "NearestCentroidTimeSeriesClassifier", "SoftDTWBarycenter",
        "SoftDTWKMeans", "cdist_dtw", "cdist_sharp_soft_dtw_divergence", "cdist_soft_dtw",
        "cdist_soft_dtw_divergence", "dilate", "dilate_value_and_grad", "dtw",
        "dtw_barycenter_averaging", "dtw_barycenter_stochastic_subgradient",
        "dtw_barycenter_subgradient", "dtw_kmeans", "dtw_path", "mean_cost_divergence",
        "mean_cost_divergence_value_and_grad", "mean_cost_value_and_grad_from_cost",
        "mean_dtw_loss", "mean_dtw_scorer", "mean_squared_loss", "mean_squared_scorer",
        "sharp_soft_dtw", "sharp_soft_dtw_divergence", "sharp_soft_dtw_divergence_value_and_grad",
        "sharp_soft_dtw_from_cost", "sharp_soft_dtw_value_and_grad",
        "sharp_soft_dtw_value_and_grad_from_cost", "soft_dtw", "soft_dtw_alignment",
        "soft_dtw_alignment_from_cost", "soft_dtw_batch", "soft_dtw_batch_from_cost",
        "soft_dtw_directional_derivative_from_cost", "soft_dtw_divergence",
        "soft_dtw_divergence_value_and_grad", "soft_dtw_from_cost", "soft_dtw_hessian_product",
        "soft_dtw_hessian_product_from_cost", "soft_dtw_value_and_grad", "softdtw_barycenter",
        "to_time_series_dataset",
    ),
    "sksoftdtw.metrics": (
        "cdist_dtw", "cdist_soft_dtw", "cdist_soft_dtw_divergence", "dtw", "dtw_path", "soft_dtw",
        "soft_dtw_alignment", "soft_dtw_alignment_from_cost", "soft_dtw_batch",
        "soft_dtw_batch_from_cost", "soft_dtw_divergence", "soft_dtw_from_cost",
        "soft_dtw_value_and_grad",
    ) + SECOND_ORDER,  # the functions of sksoftdtw.divergences since metrics is a package
    "sksoftdtw.barycenters": (
        "SoftDTWBarycenter", "dtw_barycenter_averaging", "dtw_barycenter_stochastic_subgradient",
        "dtw_barycenter_subgradient", "softdtw_barycenter",
    ),
    "sksoftdtw.clustering": ("DTWKMeans", "SoftDTWKMeans", "dtw_kmeans"),
    "sksoftdtw.divergences": SECOND_ORDER,
    "sksoftdtw.neighbors": (
        "KNeighborsTimeSeriesClassifier", "KNeighborsTimeSeriesRegressor",
        "NearestCentroidTimeSeriesClassifier",
    ),
    "sksoftdtw.neural_network": (
        "MLPRegressor", "mean_dtw_loss", "mean_dtw_scorer", "mean_squared_loss",
        "mean_squared_scorer",
    ),
    "sksoftdtw.torch": (
        "DILATELoss", "SoftDTWLoss", "soft_dtw", "soft_dtw_alignment",
    ),
    "sksoftdtw.preprocessing": (
        "TimeSeriesResampler", "TimeSeriesScalerMeanVariance",
    ),
    "sksoftdtw.datasets": (
        "fetch_ucr", "list_datasets", "list_ucr", "load_dataset", "load_ucr",
    ),
    "sksoftdtw.parallel": (
        "batch_blocks", "cdist_blocks", "distributed_backend_active",
    ),
    "sksoftdtw.utils": (
        "DataLayoutWarning", "FlatDataset", "check_band", "check_dataset", "check_gamma",
        "check_n_jobs", "check_radius", "check_slope", "check_time_series", "from_channels_first",
        "to_time_series_dataset",
    ),
    "sksoftdtw.experiments": (
        "barycenter", "kmeans", "prediction",
    ),
    "sksoftdtw.experiments.barycenter": (
        "FIELDS", "GAMMAS", "INITS", "METHODS", "N_SERIES", "PAPER", "SOFT_METHODS",
        "format_table", "read_csv", "run", "summarize", "write_csv",
    ),
    "sksoftdtw.experiments.kmeans": (
        "COMPETITORS", "FIELDS", "GAMMAS", "INITS", "METHODS", "PAPER", "format_table",
        "read_csv", "run", "summarize", "write_csv",
    ),
    "sksoftdtw.experiments.nearest_centroid": (
        "FIELDS", "GAMMAS", "METRICS", "REFERENCES", "format_table", "read_csv", "run",
        "summarize", "write_csv",
    ),
    "sksoftdtw.experiments.prediction": (
        "EVALS", "FIELDS", "GAMMAS", "INITS", "INPUT_FRACTION", "PAPER", "format_table",
        "read_csv", "run", "summarize", "write_csv",
    ),
}


def python_files():
    return sorted(PACKAGE.rglob("*.py"))


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(dotted):
    """Whether `dotted` names a module or package of the source tree."""
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file() or any(
        path.parent.glob(f"{path.name}.*.so")) or path.with_suffix(".pyx").is_file()


def subpackage(dotted):
    """The subpackage of a module: ``sksoftdtw.metrics._dtw`` -> ``metrics``."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else ""


def is_private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def imports(path):
    """``(line, target module, imported name or None)`` of each import of the package."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == ROOT:
                    yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] != ROOT:
                continue
            for alias in node.names:
                if is_module(f"{source}.{alias.name}"):  # from package import module
                    yield node.lineno, f"{source}.{alias.name}", None
                else:
                    yield node.lineno, source, alias.name


def private_imports():
    found = []
    for path in python_files():
        own = subpackage(module_name(path))
        for line, target, name in imports(path):
            if subpackage(target) == own:
                continue
            # A public name of a private module is public (as in scikit-learn),
            # and so is a subpackage or top-level module (``_engine``); a
            # private module inside another subpackage is not.
            inner = target.split(".")[2:]
            if is_private(name) if name is not None else any(map(is_private, inner[-1:])):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: "
                             f"{target}{'' if name is None else '.' + name}")
    return found


def test_no_private_import_across_subpackages():
    assert private_imports() == []


def test_only_the_command_line_imports_it():
    found = [f"{path.relative_to(PACKAGE.parent)}:{line}: {target}"
             for path in python_files() if not module_name(path).startswith(CLI)
             for line, target, _ in imports(path) if target.startswith(CLI)]
    assert found == []


def code_lines(source):
    """Lines holding code: not blank, not only a comment, not in a docstring."""
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE,
                              tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            lines.update(range(token.start[0], token.end[0] + 1))
    for node in ast.walk(ast.parse(source)):
        # A string on its own as a statement: a docstring (of a module,
        # class, function or attribute).
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            lines.difference_update(range(node.lineno, node.end_lineno + 1))
    return len(lines)


def test_code_lines_counts_code_only():
    source = ('"""Module\n\ndocstring."""\n# a comment\n\n'
              'def f(x):\n    """One."""\n    return (x +  # two lines\n            1)\n')
    assert code_lines(source) == 3


def test_no_file_is_too_long():
    found = {str(path.relative_to(PACKAGE.parent)): n for path in python_files()
             if (n := code_lines(path.read_text())) > MAX_CODE_LINES}
    assert found == {}


@pytest.mark.parametrize("module", sorted(PUBLIC_API))
def test_public_names_import_from_where_they_did(module):
    if module.split(".")[1:2] == ["torch"] and importlib.util.find_spec("torch") is None:
        pytest.skip("PyTorch is not installed")
    imported = importlib.import_module(module)
    missing = [name for name in PUBLIC_API[module] if not hasattr(imported, name)]
    assert missing == []
    assert set(PUBLIC_API[module]) <= set(getattr(imported, "__all__", PUBLIC_API[module]))


def test_the_command_is_where_the_project_declares_it():
    from sksoftdtw._cli import main
    from sksoftdtw.__main__ import main as module_main

    assert callable(main) and module_main is main
