"""The experiments of Cuturi & Blondel (2017), on a local copy of the UCR archive.

One module per table of the paper:

- :mod:`sksoftdtw.experiments.barycenter` (Table 1): soft-DTW barycenters
  against DBA and the subgradient method;
- :mod:`sksoftdtw.experiments.kmeans` (Table 2): soft-DTW k-means against DBA
  and subgradient k-means;
- :mod:`sksoftdtw.experiments.prediction` (Table 3): multistep-ahead
  prediction with a multi-layer perceptron trained with soft-DTW or the
  Euclidean loss.

Each module documents its protocol and exposes the same functions:

- ``run(data_dir, *, datasets=None, gammas=GAMMAS, seeds=..., n_jobs=None,
  progress=True, out=None, **options)``: run the protocol and return one
  ``dict`` per run (the keys are the module's ``FIELDS``). ``seeds`` is a
  number of repetitions (seeds 0 to N-1) or a list of seeds; ``progress`` is
  a bool (a progress bar on stderr) or a callable
  ``progress(done, total, message)`` called after each dataset and seed;
  ``out`` is a CSV file rewritten as the run goes;
- ``summarize(rows)``: the paper's table computed from those rows (or from
  rows read back from a CSV file), next to the paper's figures, for any
  gammas;
- ``format_table(summary)``: that table as text;
- ``write_csv(rows, path)`` and ``read_csv(paths)``: the rows as CSV files.

The command line runs them with a progress bar::

    sksoftdtw barycenter --data-dir ~/UCR --out barycenter.csv
    sksoftdtw kmeans --data-dir ~/UCR --out kmeans.csv
    sksoftdtw predict --data-dir ~/UCR --out prediction.csv

Examples
--------
>>> import sksoftdtw.experiments
>>> sksoftdtw.experiments.__all__
['barycenter', 'kmeans', 'prediction']
"""
import importlib

__all__ = ["barycenter", "kmeans", "prediction"]


def __getattr__(name):
    # Submodules are imported on first use: they import the estimators, which
    # ``import sksoftdtw.experiments`` alone does not need.
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
