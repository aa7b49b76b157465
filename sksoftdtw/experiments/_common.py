"""What the experiments of :mod:`sksoftdtw.experiments` share.

- the protocol loop: one unit of work per (dataset, seed), progress after
  each unit, the CSV file rewritten after each unit, optionally processes;
- the CSV files of per-run results (:func:`write_csv`, :func:`read_csv`);
- the summaries: losses averaged over the seeds, the percentage of datasets
  where soft-DTW wins, and the text tables next to the paper's figures;
- the command line of the ``benchmarks/paper_*.py`` scripts.
"""
import argparse
import csv
import functools
import inspect
import math
import multiprocessing
import numbers
import os
import time
import warnings
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..datasets._ucr import check_dataset_names
from ..utils._display import ProgressBar, format_table
from ..utils._docstrings import doc_filler

# The paper's smoothing values and initializations, in the order of its tables.
GAMMAS = (1.0, 0.1, 0.01, 0.001)
INITS = ("random", "euclidean")


def paper_wins(figures):
    """The paper's win percentages ``{(competitor, init): {gamma: percent}}``,
    with the two more subgradient methods compared held to its subgradient figures."""
    return {**figures, **{(variant, init): figures["subgradient", init]
                          for variant in ("subgradient-ssg", "subgradient-lbfgs")
                          for init in INITS}}

# Parameter descriptions shared by the experiments' docstrings: ``%(name)s``
# in a docstring is replaced by the text (see :func:`fill_doc`).
_DOC = {
    "data_parameters": """data_dir : str or path-like
        Directory of UCR datasets: one folder per dataset, in a layout read
        by :func:`sksoftdtw.datasets.load_ucr` (e.g. ``<Name>/<Name>_TRAIN.tsv``
        and ``<Name>/<Name>_TEST.tsv``).
    datasets : list of str, default=None
        Dataset names; ``None`` means every dataset of `data_dir`.
    gammas : sequence of float, default=GAMMAS
        Soft-DTW smoothing values, each > 0; the paper's are
        ``(1.0, 0.1, 0.01, 0.001)``.""",
    "seeds_values": """An int ``N`` means the seeds 0 to ``N - 1``;
        a sequence of ints gives the seeds themselves (to split the
        repetitions over several runs). Each row records its ``seed``.""",
    "run_parameters": """n_jobs : int, default=None
        Threads of the soft-DTW kernels; ``None`` means 1, ``-1`` all cores.
    progress : bool or callable, default=True
        ``True`` shows a progress bar on stderr (one line per step when
        stderr is not a terminal). A callable is called as
        ``progress(done, total, message)`` after each unit of work (one
        dataset and one seed), ``total`` being the number of units.
    out : str or path-like, default=None
        CSV file rewritten after each unit of work, so that an interrupted
        run keeps the results of the units done.""",
    "choice_parameters": """methods : sequence of str, default=METHODS
        The methods to run, among ``METHODS``.
    inits : sequence of str, default=INITS
        The shared initializations to run, among ``INITS``.""",
    "win_returns": """Returns
    -------
    summary : list of dict
        One per (competitor, initialization, gamma), with keys
        ``competitor``, ``init``, ``gamma``, ``ours`` (the percentage, NaN
        without any dataset), ``paper`` (the paper's figure, ``None`` for a
        gamma the paper does not have) and ``n_datasets``. Only datasets
        with results for both methods count.

    See Also
    --------
    format_table : The summary as text.""",
    "bundled_example": '''Examples
    --------
    On a dataset bundled with the package (a folder in the UCR layout), with
    small budgets:

    >>> from pathlib import Path
    >>> import sksoftdtw.datasets
    >>> bundled = Path(sksoftdtw.datasets.__file__).parent / "data"''',
    "rows_parameter": """Parameters
    ----------
    rows : list of dict
        Rows of :func:`run`, or read back by :func:`read_csv`, for any
        datasets, seeds and gammas.""",
    "table_parameters": """Parameters
    ----------
    summary : list of dict
        The output of :func:`summarize`.

    Returns
    -------
    table : str
        A title with the number of datasets, then one "ours / paper" cell
        per entry of `summary`, "-" standing for a missing figure.""",
}


# ``fill_doc(*objs)`` replaces the markers of each ``obj.__doc__`` by ``_DOC[name]``.
fill_doc = doc_filler(**_DOC)


# ----------------------------------------------------------------- arguments
def check_gammas(gammas):
    """The smoothing values as a tuple of positive finite floats."""
    values = tuple(float(g) for g in np.atleast_1d(gammas))
    if not values or not all(math.isfinite(g) and g > 0 for g in values):
        raise ValueError(f"gammas must be positive finite numbers, got {gammas!r}")
    return values


def check_choices(values, choices, name):
    """`values` as a tuple, each one of `choices`; a single string is one value."""
    values = (values,) if isinstance(values, str) else tuple(values)
    wrong = [v for v in values if v not in choices]
    if not values or wrong:
        raise ValueError(f"{name} must be a non-empty selection of {', '.join(choices)}; "
                         f"got {list(values)!r}")
    return values


def check_seeds(seeds):
    """The seeds of the repetitions: ``range(seeds)`` for an int, else the seeds given."""
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        values = tuple(range(int(seeds)))
    else:
        values = tuple(seeds) if np.iterable(seeds) else (seeds,)
    if not values or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool)
                             and s >= 0 for s in values):
        raise ValueError("seeds must be a positive number of repetitions or a sequence of "
                         f"non-negative integer seeds, got {seeds!r}")
    return tuple(int(s) for s in values)


# ----------------------------------------------------------------- protocol loop
@functools.lru_cache(maxsize=1)
def load(name, data_dir):
    """:func:`~sksoftdtw.datasets.load_ucr`, read-only, kept for the next seed.

    Units of work are ordered dataset by dataset, so one cached dataset
    saves reading the files again for every seed.
    """
    from ..datasets import load_ucr

    arrays = load_ucr(name, data_dir)
    for a in arrays:
        a.setflags(write=False)
    return arrays


def budgeted(fit, *args):
    """Call ``fit(*args)``; return its result and the seconds it took.

    Convergence warnings are silenced: the iteration budget is part of the
    protocols.
    """
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = fit(*args)
    return result, round(time.perf_counter() - start, 4)


def _reporter(progress, label):
    if callable(progress):
        return progress
    if progress:
        return ProgressBar(label)
    return lambda done, total, message: None


def _completed(work, units, workers, priority):
    """Yield ``(unit, work(*unit))`` as the units finish."""
    if workers == 1:
        for unit in units:
            yield unit, work(*unit)
        return
    # Not "fork": a child forked after OpenMP ran in this process can hang
    # in its first parallel region.
    pool = ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("forkserver"))
    try:
        order = units if priority is None else sorted(units, key=priority)
        futures = {pool.submit(work, *unit): unit for unit in order}
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        # On an error or an interruption, do not start the units still queued.
        pool.shutdown(cancel_futures=True)


def run_units(work, data_dir, datasets, seeds, *, fields, label, progress, out=None,
              workers=1, priority=None):
    """Run ``work(name, seed) -> (rows, message)`` on every (dataset, seed) unit.

    Parameters
    ----------
    work : callable
        One unit of the protocol; a picklable function when ``workers > 1``.
        ``rows`` may be empty (a dataset outside the protocol), ``message``
        is passed to `progress`.
    data_dir, datasets
        As in the experiments' ``run``.
    seeds : int or sequence of int
        See :func:`check_seeds`.
    fields : tuple of str
        The keys of every row, in the order of the CSV columns.
    label : str
        Name of the progress bar.
    progress, out
        As in the experiments' ``run``.
    workers : int, default=1
        Processes running units in parallel.
    priority : callable, default=None
        Sort key of the units given to the processes first (e.g. the largest
        datasets, so that the last units to finish are short ones).

    Returns
    -------
    rows : list of dict
        The rows of every unit, in the order of the datasets then the seeds,
        whatever the order in which the units finished.
    """
    seeds = check_seeds(seeds)
    units = [(name, seed) for name in check_dataset_names(data_dir, datasets) for seed in seeds]
    report = _reporter(progress, label)
    done = {}

    def in_order():
        return [row for unit in units if unit in done for row in done[unit]]

    for count, (unit, (rows, message)) in enumerate(
            _completed(work, units, workers, priority), 1):
        done[unit] = [{f: row[f] for f in fields} for row in rows]
        if out is not None:
            write_csv(in_order(), out, fields)
        report(count, len(units), message)
    if out is not None and not units:
        write_csv([], out, fields)
    return in_order()


# ----------------------------------------------------------------- CSV files
def write_csv(rows, path, fields=None):
    """Write per-run result rows to a CSV file, one column per field.

    Parameters
    ----------
    rows : list of dict
        The rows returned by ``run`` (or read by :func:`read_csv`).
    path : str or path-like
        File to (over)write.
    fields : sequence of str, default=None
        Columns, in order; ``None`` means the keys of the first row, which
        are the module's ``FIELDS`` for the rows of ``run``.

    See Also
    --------
    read_csv : Read them back.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sksoftdtw.experiments.barycenter import read_csv, write_csv
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "results.csv"
    >>> write_csv([{"dataset": "Coffee", "gamma": 0.1}], path)
    >>> print(path.read_text().strip())
    dataset,gamma
    Coffee,0.1
    >>> tmp.cleanup()
    """
    if fields is None:
        fields = list(rows[0]) if rows else []
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def read_csv(paths, fields=None):
    """Read per-run result rows from CSV files written by :func:`write_csv`.

    The summaries accept these rows as they are, for example to summarize
    runs on disjoint lists of datasets together.

    Parameters
    ----------
    paths : str or path-like, or list of them
        One file, or several whose rows are concatenated.
    fields : sequence of str, default=None
        Columns every file must have, e.g. the module's ``FIELDS``: a file
        of another experiment is then rejected instead of summarized.

    Returns
    -------
    rows : list of dict
        One per line; every value is a string (an empty string for a missing
        value, e.g. the gamma of a method without one).

    Raises
    ------
    ValueError
        If a file is empty, lacks one of `fields`, or has a line with more
        or fewer values than its header (the message names the file and the
        line).

    See Also
    --------
    write_csv : Write them.

    Examples
    --------
    Two files read as one list of rows:

    >>> import os, tempfile
    >>> from sksoftdtw.experiments.prediction import read_csv, write_csv
    >>> rows = [{"dataset": "Coffee", "gamma": 1.0}, {"dataset": "GunPoint", "gamma": ""}]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     parts = [os.path.join(tmp, name) for name in ("a.csv", "b.csv")]
    ...     for row, part in zip(rows, parts):
    ...         write_csv([row], part)
    ...     back = read_csv(parts)
    >>> back
    [{'dataset': 'Coffee', 'gamma': '1.0'}, {'dataset': 'GunPoint', 'gamma': ''}]
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                raise ValueError(f"{path} is empty: expected a header line of column names")
            missing = [name for name in fields or () if name not in header]
            if missing:
                raise ValueError(
                    f"{path} lacks the columns {', '.join(missing)} (it has "
                    f"{', '.join(header)}): is it the results of another experiment?")
            for values in filter(None, reader):  # blank lines hold no row
                if len(values) != len(header):
                    raise ValueError(f"{path}, line {reader.line_num}: {len(values)} values "
                                     f"for the {len(header)} columns of the header")
                rows.append(dict(zip(header, values)))
    return rows


# ----------------------------------------------------------------- summaries
def check_fields(rows, fields):
    """Raise ValueError unless every row has `fields` (e.g. another experiment's CSV)."""
    missing = [f for f in fields if rows and f not in rows[0]]
    if missing:
        raise ValueError(f"the results lack the columns {', '.join(missing)}: "
                         "are they the results of another experiment?")


def gamma_of(row):
    """The soft-DTW gamma of a row as a float; None for a method without one."""
    return None if row["gamma"] in ("", None) else float(row["gamma"])


def soft_gammas(rows):
    """The gammas of the soft-DTW rows, largest first (the tables' order)."""
    return sorted({g for g in map(gamma_of, rows) if g is not None}, reverse=True)


def mean_by(rows, key, value):
    """Mean of ``float(row[value])`` over the rows of each ``key(row)``."""
    groups = defaultdict(list)
    for row in rows:
        groups[key(row)].append(float(row[value]))
    return {k: float(np.mean(v)) for k, v in groups.items()}


def win_percentages(rows, paper, loss="dtw_loss", challengers=()):
    """Percentage of datasets where soft-DTW's mean loss is below each competitor's.

    Parameters
    ----------
    rows : list of dict
        Rows with keys ``dataset``, ``init``, ``method`` (``"softdtw"``, a
        challenger or a competitor), ``gamma`` and `loss`, values as numbers
        or strings.
    paper : dict
        ``{(competitor, init): {gamma: percentage}}``: the paper's table,
        which also sets the competitors and the initializations compared.
    loss : str, default="dtw_loss"
        The key of the loss, averaged over the seeds of each dataset.
    challengers : sequence of str, default=()
        Other soft-DTW methods (with a gamma, e.g. the continuation), each
        compared with the competitors of `paper` and with ``"softdtw"`` at the
        same gamma, where the rows have both.

    Returns
    -------
    summary : list of dict
        As returned by the experiments' ``summarize``; ``method`` is the
        soft-DTW method and ``wins`` the number of datasets won.
    """
    check_fields(rows, ("dataset", "init", "method", "gamma", loss))
    mean = mean_by(rows, lambda r: (r["dataset"], r["init"], r["method"], gamma_of(r)), loss)
    datasets = sorted({key[0] for key in mean})

    def entry(method, competitor, init, gamma, competitor_gamma, figure):
        pairs = [(mean[(d, init, method, gamma)], mean[(d, init, competitor, competitor_gamma)])
                 for d in datasets if (d, init, method, gamma) in mean
                 and (d, init, competitor, competitor_gamma) in mean]
        wins = sum(s < c for s, c in pairs)
        return {"method": method, "competitor": competitor, "init": init, "gamma": gamma,
                "ours": float(100.0 * wins / len(pairs)) if pairs else math.nan,
                "wins": wins, "paper": figure, "n_datasets": len(pairs)}

    summary = [entry("softdtw", competitor, init, gamma, None, figures.get(gamma))
               for (competitor, init), figures in paper.items() for gamma in soft_gammas(rows)]
    inits = list(dict.fromkeys(init for _, init in paper))
    for method in challengers:
        for init in inits:
            for gamma in soft_gammas(rows):
                candidates = [(c, None) for c in dict.fromkeys(c for c, _ in paper)]
                for competitor, competitor_gamma in candidates + [("softdtw", gamma)]:
                    e = entry(method, competitor, init, gamma, competitor_gamma, None)
                    if e["n_datasets"]:
                        summary.append(e)
    return summary


def _figure(value):
    return "-".rjust(6) if value is None or math.isnan(value) else f"{value:6.2f}"


def _win_cell(entry):
    """``ours (k of n) / paper``: a percentage of datasets is a count."""
    if not entry["n_datasets"]:
        return f"{_figure(None)} / {_figure(entry['paper'])}"
    return (f"{_figure(entry['ours'])} ({entry['wins']} of {entry['n_datasets']}) / "
            f"{_figure(entry['paper'])}")


def format_summary(summary, title, *, corner, row, row_label, column, column_label,
                   cell=None):
    """A summary as a text table of "ours / paper" cells.

    Parameters
    ----------
    summary : list of dict
        Entries with keys ``ours``, ``paper`` and ``n_datasets``.
    title : str
        First line; ``{n}`` is replaced by the largest ``n_datasets``.
    corner : str
        Header of the first column.
    row, column : callable
        Key of the row, and of the column, of an entry; rows and columns are
        in the order of their first entry.
    row_label, column_label : callable
        Text of a row key, and of a column key.
    cell : callable, default=None
        Text of an entry; ``None`` means "ours / paper".

    Returns
    -------
    table : str
        "-" stands for a missing figure.
    """
    if cell is None:
        def cell(s):
            return f"{_figure(s['ours'])} / {_figure(s['paper'])}"
    n = max((s["n_datasets"] for s in summary), default=0)
    title = title.replace("{n}", str(n))
    if not summary:
        return title + "\n(no results)"
    rows = list(dict.fromkeys(map(row, summary)))
    columns = list(dict.fromkeys(map(column, summary)))
    cells = {(row(s), column(s)): cell(s) for s in summary}
    body = [[row_label(r)] + [cells.get((r, c), "-") for c in columns] for r in rows]
    header = [corner] + [column_label(c) for c in columns]
    return title + "\n" + format_table(header, body)


def format_wins(summary, title):
    """The table of :func:`win_percentages`: rows gamma, columns (method,)
    competitor x init; cells "ours (k of n) / paper"."""
    if any(s["n_datasets"] for s in summary):  # no column of methods not run
        summary = [s for s in summary if s["n_datasets"]]
    return format_summary(
        summary, title, corner="gamma", row=lambda s: s["gamma"], row_label="{:g}".format,
        column=lambda s: (s.get("method", "softdtw"), s["competitor"], s["init"]),
        column_label=lambda c: ("" if c[0] == "softdtw" else f"{c[0]} ")
        + f"vs {c[1]} ({c[2]})", cell=_win_cell)


# ----------------------------------------------------------------- scripts
def _comma_list(text):
    return [item for item in text.split(",") if item]


def script_main(module, argv=None):
    """Command line of ``benchmarks/paper_<name>.py``: arguments, ``run``, table and CSV.

    The options are ``module.run``'s keyword arguments (``--max-iter`` for
    ``max_iter``...), plus ``--seed S [S ...]`` for explicit seeds and
    ``--from-csv A,B`` to summarize earlier results without running.
    """
    name = module.__name__.rsplit(".", 1)[-1]
    parser = argparse.ArgumentParser(
        # (no docstring under python -OO)
        description=f"{(module.__doc__ or name).splitlines()[0]} The protocol is documented in "
        f"{module.__name__}; the sksoftdtw command runs it too (see 'sksoftdtw --help').")
    parser.add_argument("data_dir", nargs="?", help="directory of UCR datasets")
    parser.add_argument("--datasets", type=_comma_list,
                        help="comma-separated names (default: all in DATA_DIR)")
    parser.add_argument("--gamma", dest="gammas", type=float, nargs="+", default=GAMMAS,
                        help="soft-DTW smoothing values (default: the paper's)")
    parser.add_argument("--seed", type=int, nargs="+", help="seeds of the repetitions "
                        "(default: 0 to --seeds - 1)")
    parser.add_argument("--out", default=f"paper_{name}_results.csv",
                        help="CSV file of the per-run results")
    parser.add_argument("--from-csv", type=_comma_list, help="comma-separated CSV files of "
                        "earlier runs: print their summary table and run nothing")
    own = ("datasets", "gammas", "progress", "out")
    for p in inspect.signature(module.run).parameters.values():
        if p.kind is not p.KEYWORD_ONLY or p.name in own:
            continue
        flag = "--" + p.name.replace("_", "-")
        if isinstance(p.default, tuple):  # a selection of names
            parser.add_argument(flag, default=p.default, nargs="+",
                                help=f"default: {' '.join(p.default)}")
        else:
            parser.add_argument(flag, default=p.default,
                                type=int if p.default is None else type(p.default),
                                help=f"default: {p.default}")
    args = parser.parse_args(argv)
    if args.from_csv:
        try:
            rows = read_csv(args.from_csv, module.FIELDS)
        except ValueError as exc:
            parser.error(str(exc))
        print(module.format_table(module.summarize(rows)))
        return
    if args.data_dir is None:
        parser.error("DATA_DIR is required unless --from-csv is given")
    options = {k: v for k, v in vars(args).items()
               if k not in ("data_dir", "seed", "from_csv")}
    if args.seed:
        options["seeds"] = args.seed
    start = time.perf_counter()
    rows = module.run(args.data_dir, **options)
    print(module.format_table(module.summarize(rows)))
    print(f"\n{len(rows)} runs in {time.perf_counter() - start:.0f}s; "
          f"per-run results in {args.out}")
