"""Command-line interface: ``sksoftdtw <command> [options]``, or ``python -m sksoftdtw``.

Commands:

- ``demo``: barycenters and k-means on a bundled dataset, with a figure;
- ``barycenter``, ``kmeans``, ``predict``: the three experiments of Cuturi &
  Blondel (2017) on a local copy of the UCR archive
  (:mod:`sksoftdtw.experiments`).

A user mistake (missing data directory, unknown dataset, bad option value)
ends with one line on stderr and exit status 2 (bad option) or 1 (anything
else), never with a traceback; ``--debug`` shows the traceback.
"""
import argparse
import difflib
import importlib
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np

EXIT_ERROR = 1  # the command could not run: missing data, unreadable file...
EXIT_USAGE = 2  # bad command line (argparse's status)
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
# Default figure of the demo: a name of its own, not to overwrite a user's
# demo.png, and ignored by git in a clone.
DEMO_FIGURE = "sksoftdtw-demo.png"

# k-means budget of the demo: Lloyd iterations, and iterations of each
# barycenter update (the budget of the paper's k-means experiment).
_DEMO_KMEANS_ITER = 10
_DEMO_KMEANS_BARYCENTER_ITER = 30


class UserError(Exception):
    """A mistake of the user: reported as one line, without a traceback."""


# ----------------------------------------------------------------- arguments
class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class _CommandParser(_Parser):
    """The parser of one command: unknown options are reported by the command.

    argparse hands a subcommand's unknown arguments back to the top-level
    parser, whose error would name ``sksoftdtw`` and not the command.
    """

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            options = [o for action in self._actions for o in action.option_strings]
            close = [match for extra in extras if extra.startswith("-")
                     for match in difflib.get_close_matches(extra.split("=")[0], options, 1)]
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            self.error(f"unrecognized arguments: {' '.join(extras)}{hint}")
        return namespace, extras


def _gamma(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(
            f"gamma must be a positive finite number, got {text!r} "
            "(gamma = 0 is hard DTW: use DBA or the subgradient method)")
    return value


def _int_at_least(minimum, expected):
    """An argparse type: an integer >= `minimum`, else the error "expected ..."."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value
    return parse


_positive_int = _int_at_least(1, "a positive integer")
_non_negative_int = _int_at_least(0, "an integer >= 0")


def _non_negative_number(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def _n_jobs(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == 0:
        raise argparse.ArgumentTypeError(
            f"expected a non-zero integer (-1: all cores), got {text!r}")
    return value


def _names(values):
    """Dataset names given as ``A B`` or ``A,B``."""
    return [name for value in values for name in value.split(",") if name]


# ----------------------------------------------------------------- output
def _format_table(header, rows, *, digits=5):
    """Rows of cells as aligned text: text columns left, numbers right."""

    def cell(value):
        if isinstance(value, float):
            return "nan" if math.isnan(value) else f"{value:.{digits}f}"
        return str(value)

    cells = [[cell(v) for v in row] for row in rows]
    numeric = [all(isinstance(row[c], (int, float)) for row in rows) for c in range(len(header))]
    widths = [max(len(h), *(len(r[c]) for r in cells)) for c, h in enumerate(header)]

    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in cells])


def _format_duration(seconds):
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class ProgressBar:
    """Progress of a long run on a stream (stderr by default).

    Called as ``bar(done, total, message)`` after each unit of work. On a
    terminal the bar is redrawn in place; otherwise (a log file, CI) each call
    prints one line.

    Parameters
    ----------
    label : str
        Text before the bar.
    stream : file-like, default=None
        Where to write; ``None`` means ``sys.stderr``.
    width : int, default=24
        Number of characters of the bar.

    Examples
    --------
    >>> import io
    >>> log = io.StringIO()
    >>> bar = ProgressBar("kmeans", stream=log, width=8)
    >>> bar(1, 4, "GunPoint")
    >>> print(log.getvalue(), end="")
    kmeans [##......] 1/4 0s, ~0s left  GunPoint
    """

    def __init__(self, label, stream=None, width=24):
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self._drawn = 0  # length of the line on screen (terminal only)

    def __call__(self, done, total, message=""):
        elapsed = time.perf_counter() - self.start
        filled = self.width * done // total if total else self.width
        text = (f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
                f"{done}/{total} {_format_duration(elapsed)}")
        if 0 < done < total:
            text += f", ~{_format_duration(elapsed / done * (total - done))} left"
        if message:
            text += f"  {message}"
        if self.tty:
            self.stream.write("\r" + text.ljust(self._drawn))
            self._drawn = len(text)
            if done >= total:
                self.close()
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self):
        """End the line being redrawn, if any."""
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = 0


def _check_output(path, what):
    """Fail before any computation if `path` cannot be written."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{what} {str(path)!r} is a directory; give a file name")
    parent = path.parent
    if not parent.is_dir():
        raise UserError(f"cannot write {what} {str(path)!r}: directory {str(parent)!r} "
                        "does not exist")
    return path


# ----------------------------------------------------------------- demo
def _load_demo_data(args):
    """The four splits, the dataset's name as spelled by its files, and their source."""
    from .datasets import load_dataset, load_ucr

    if args.data_dir is None:
        (name,) = _bundled_names([args.dataset])
        data = load_dataset(name)
        source = "bundled UCR dataset"
    else:
        data = load_ucr(args.dataset, args.data_dir)
        name, source = args.dataset, f"UCR dataset from {args.data_dir}"
    if any(np.isnan(X).any() for X in (data[0], data[2])):
        raise UserError(f"{name} holds series of different lengths; the demo needs series "
                        "of equal length (the estimators do not)")
    return data, name, source


def _bundled_names(names):
    """The bundled datasets' names as spelled by their files; an error names --data-dir."""
    from .datasets import list_datasets

    bundled = {name.lower(): name for name in list_datasets()}
    for name in names:
        if name.lower() not in bundled:
            close = difflib.get_close_matches(name.lower(), bundled, 1)
            hint = f"did you mean {bundled[close[0]]!r}? " if close else ""
            raise UserError(
                f"{name!r} is not a bundled dataset (the bundled ones are "
                f"{', '.join(bundled.values())}); {hint}for another UCR dataset, give "
                f"--data-dir DIR, a local copy of the UCR archive holding "
                f"{name}/{name}_TRAIN.tsv and {name}/{name}_TEST.tsv")
    return [bundled[name.lower()] for name in names]


def _dtw_loss(X, centers, n_jobs):
    """Mean over the series of the DTW to the nearest center, divided by the length.

    With one center, the DTW loss of a barycenter (Cuturi & Blondel, 2017).
    """
    from .metrics import cdist_dtw

    return float(cdist_dtw(X, centers, n_jobs=n_jobs).min(axis=1).mean() / X.shape[1])


def _subsample_per_class(X, y, max_series, rng):
    """At most `max_series` series of each class, in their original order."""
    keep = []
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        if max_series is not None and len(idx) > max_series:
            idx = np.sort(rng.choice(idx, max_series, replace=False))
        keep.append(idx)
    keep = np.sort(np.concatenate(keep))
    return X[keep], y[keep]


def _demo_barycenters(X, y, args):
    """Per class: Euclidean mean, DBA and a soft-DTW barycenter per gamma."""
    from .barycenters import dtw_barycenter_averaging, softdtw_barycenter

    out = {}
    for label in np.unique(y):
        Xc = X[y == label]
        out[label] = {"Euclidean mean": Xc.mean(axis=0),
                      "DBA": dtw_barycenter_averaging(Xc, max_iter=args.max_iter,
                                                      n_jobs=args.n_jobs)}
        for gamma in args.gamma:
            out[label][f"soft-DTW gamma={gamma:g}"] = softdtw_barycenter(
                Xc, gamma, max_iter=args.max_iter, n_jobs=args.n_jobs)
    return out


def _demo_kmeans(X, k, args):
    """Euclidean, DBA and soft-DTW k-means, all from the Euclidean k-means centroids."""
    from sklearn.cluster import KMeans

    from .clustering import SoftDTWKMeans, dtw_kmeans

    euclidean = KMeans(k, n_init=10, random_state=args.seed).fit(X.reshape(len(X), -1))
    init = euclidean.cluster_centers_.reshape((k,) + X.shape[1:])
    budget = {"max_iter": _DEMO_KMEANS_ITER,
              "max_iter_barycenter": _DEMO_KMEANS_BARYCENTER_ITER, "n_jobs": args.n_jobs}
    dba_centers, dba_labels, _ = dtw_kmeans(X, k, averaging="dba", init=init, **budget)
    soft = SoftDTWKMeans(k, gamma=args.kmeans_gamma, init=init, **budget).fit(X)
    return {"Euclidean k-means": (init, euclidean.labels_),
            "DBA k-means": (dba_centers, dba_labels),
            f"soft-DTW k-means gamma={args.kmeans_gamma:g}": (soft.cluster_centers_,
                                                              soft.labels_)}


def _demo_nearest_neighbour(X_train, y_train, X_test, y_test, gamma, n_jobs):
    """1-NN test accuracy under the Euclidean distance, DTW and the soft-DTW divergence."""
    from .metrics import cdist_dtw, cdist_soft_dtw_divergence

    flat_train, flat_test = X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)
    distances = {
        "Euclidean": ((flat_test[:, None] - flat_train[None]) ** 2).sum(axis=2),
        "DTW": cdist_dtw(X_test, X_train, n_jobs=n_jobs),
        f"soft-DTW divergence gamma={gamma:g}": cdist_soft_dtw_divergence(
            X_test, X_train, gamma=gamma, n_jobs=n_jobs),
    }
    return {name: float(np.mean(y_train[D.argmin(axis=1)] == y_test))
            for name, D in distances.items()}


def _matplotlib_figure():
    """matplotlib's Figure class, or None when matplotlib is not installed."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    return Figure


def _math_label(name):
    """A method name of the text tables, with gamma as a symbol for the figure."""
    return name.replace("gamma=", r"$\gamma$=")


def _demo_figure(Figure, X, y, barycenters, kmeans, title, max_columns=4):
    """Top row: the barycenters of each class; bottom row: the k-means centroids.

    At most `max_columns` classes and clusters are drawn.
    """
    from matplotlib import colormaps

    k = min(len(barycenters), max_columns)
    fig = Figure(figsize=(4.5 * k, 6.5), layout="constrained")
    axes = fig.subplots(2, k, sharex=True, squeeze=False)
    fig.suptitle(title if k == len(barycenters)
                 else f"{title} (first {k} of {len(barycenters)} classes and clusters)")
    methods = list(next(iter(barycenters.values())))
    soft = [name for name in methods if name.startswith("soft-DTW")]
    styles = {"Euclidean mean": {"color": "black", "ls": "--"}, "DBA": {"color": "tab:blue"}}
    styles.update({name: {"color": color} for name, color in
                   zip(soft, colormaps["plasma"](np.linspace(0.2, 0.75, max(len(soft), 1))))})
    for ax, (label, by_method) in zip(axes[0], list(barycenters.items())[:k]):
        ax.plot(X[y == label][:, :, 0].T, color="0.8", lw=0.6)
        for name, Z in by_method.items():
            ax.plot(Z[:, 0], lw=2, label=_math_label(name), **styles[name])
        ax.set_title(f"class {label}: barycenters")
    axes[0, 0].legend(fontsize="small")

    km_styles = [{"color": "black", "ls": "--"}, {"color": "tab:blue"}, {"color": "tab:red"}]
    soft_labels = list(kmeans.values())[-1][1]
    for i, ax in enumerate(axes[1]):
        ax.plot(X[soft_labels == i][:, :, 0].T, color="0.8", lw=0.6)
        for (name, (centers, _)), style in zip(kmeans.items(), km_styles):
            ax.plot(centers[i, :, 0], lw=2, label=_math_label(name), **style)
        ax.set_title(f"k-means cluster {i} (soft-DTW members)")
        ax.set_xlabel("time step")
    axes[1, 0].legend(fontsize="small")
    return fig


# What to install for the demo's figure, said before and after the computation.
_NO_MATPLOTLIB = ("matplotlib is not installed, so the demo draws no figure. Install it "
                  "with: pip install matplotlib (from a clone of sksoftdtw: "
                  "pip install \".[plot]\")")


def _demo(args):
    Figure = None if args.no_plot else _matplotlib_figure()
    if Figure is None and not args.no_plot:
        print(f"Note: {_NO_MATPLOTLIB}; the tables follow.", file=sys.stderr)
    if Figure is not None:
        out = _check_output(args.out, "figure")
        ext = out.suffix.lstrip(".").lower()
        supported = Figure().canvas.get_supported_filetypes()
        if ext and ext not in supported:
            raise UserError(f"cannot write figure {str(out)!r}: unknown image format {ext!r} "
                            f"(use one of {', '.join(sorted(supported))})")

    start = time.perf_counter()
    (X_train, y_train, X_test, y_test), name, source = _load_demo_data(args)
    rng = np.random.RandomState(args.seed)
    X, y = _subsample_per_class(X_train, y_train, args.max_series, rng)
    labels, counts = np.unique(y, return_counts=True)
    print(f"{name} ({source}): {len(X_train)} training series of length "
          f"{X_train.shape[1]}, {len(labels)} classes; using {len(X)} of them.")
    if args.kmeans_gamma is None:
        args.kmeans_gamma = min(args.gamma)

    with warnings.catch_warnings():
        # Fixed iteration budgets are part of the demo, converged or not.
        from sklearn.exceptions import ConvergenceWarning

        warnings.simplefilter("ignore", ConvergenceWarning)
        barycenters = _demo_barycenters(X, y, args)
        kmeans = _demo_kmeans(X, len(labels), args)

    methods = list(next(iter(barycenters.values())))
    rows = [[label.item(), int(n)] + [_dtw_loss(X[y == label], Z[None], args.n_jobs)
                                      for Z in barycenters[label].values()]
            for label, n in zip(labels, counts)]
    print("\nBarycenter of each class: DTW loss, the mean over the class of "
          "DTW(series, barycenter) / length (lower is better)")
    print(_format_table(["class", "n"] + methods, rows))

    rows = [[method, _dtw_loss(X, centers, args.n_jobs)]
            for method, (centers, _) in kmeans.items()]
    print(f"\nk-means, k = {len(labels)}, all started from the Euclidean k-means centroids "
          f"({_DEMO_KMEANS_ITER} iterations at most): DTW loss, the mean over the series of "
          "DTW to the nearest centroid / length (lower is better)")
    print(_format_table(["method", "DTW loss"], rows))

    accuracy = _demo_nearest_neighbour(X_train, y_train, X_test, y_test, args.kmeans_gamma,
                                       args.n_jobs)
    print(f"\n1-nearest-neighbour accuracy on the {len(X_test)} test series: "
          + ", ".join(f"{name} {value:.3f}" for name, value in accuracy.items()))
    print(f"\n({time.perf_counter() - start:.1f} s)")

    if args.no_plot:
        return 0
    if Figure is None:
        print(f"\nNo figure: {_NO_MATPLOTLIB}.")
        return 0
    fig = _demo_figure(Figure, X, y, barycenters, kmeans,
                       f"{name}: soft-DTW barycenters and k-means")
    fig.savefig(out, dpi=100)
    print(f"Figure written to {out}")
    return 0


# ----------------------------------------------------------------- experiments
# Command -> (module of sksoftdtw.experiments, paper table, one-line description).
_EXPERIMENTS = {
    "barycenter": ("barycenter", "Table 1",
                   "soft-DTW barycenters against DBA and the subgradient method"),
    "kmeans": ("kmeans", "Table 2",
               "soft-DTW k-means against DBA and subgradient k-means"),
    "predict": ("prediction", "Table 3",
                ("multistep-ahead prediction: an MLP trained with soft-DTW or the "
                 "Euclidean loss")),
}

# Markers of the options that select names (methods, initializations).
_METHODS, _INITS = "methods", "inits"

# Options of one experiment only, passed to its run() as keyword arguments
# when given (otherwise run()'s defaults, the paper protocol, apply):
# (flag, type, help).
_EXPERIMENT_OPTIONS = {
    "barycenter": [
        ("--max-iter", _positive_int, "iterations of every barycenter method (default: 100)"),
        ("--methods", _METHODS, "methods to run, e.g. dba softdtw softdtw-auto (default: "
         "all: dba subgradient subgradient-ssg subgradient-lbfgs softdtw softdtw-auto "
         "softdtw-dba)"),
        ("--inits", _INITS, "shared initializations to run (default: random euclidean)"),
    ],
    "kmeans": [
        ("--max-train", _non_negative_int,
         "training splits larger than this are subsampled, stratified; 0: the whole "
         "splits, the paper's protocol (default: 100)"),
        ("--max-iter", _positive_int, "Lloyd iterations (default: 10)"),
        ("--max-iter-barycenter", _positive_int,
         "iterations of every barycenter update (default: 30)"),
        ("--workers", _positive_int,
         "datasets processed in parallel processes, each with --n-jobs threads (default: 1)"),
        ("--methods", _METHODS, "methods to run, e.g. dba softdtw softdtw-auto (default: "
         "all: dba subgradient subgradient-ssg subgradient-lbfgs softdtw softdtw-auto)"),
        ("--inits", _INITS, "shared initializations to run (default: random euclidean)"),
    ],
    "predict": [
        ("--max-iter", _positive_int, "L-BFGS iterations of every fit (default: 300)"),
        ("--hidden", _positive_int, "units of the hidden layer (default: 50)"),
        ("--max-train", _non_negative_int,
         "training series per dataset at most; 0: the whole split (default: 0)"),
        ("--max-train-cells", _non_negative_number,
         ("at most this many soft-DTW cells, n_train * sz_out^2, per evaluation of the "
          "training loss; 0: no cap (default: 0)")),
        ("--min-train", _positive_int,
         "training series at least, whatever --max-train-cells (default: 10)"),
        ("--max-test", _non_negative_int,
         "test series per dataset at most; 0: the whole split (default: 0)"),
    ],
}


def _experiment_module(command):
    name = f"{__package__}.experiments.{_EXPERIMENTS[command][0]}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise UserError(f"the {command} experiment is not available in this installation "
                        f"({name} is missing)") from exc


def _check_datasets(data_dir, datasets):
    """The dataset names to run, checked against `data_dir` before any work."""
    from .datasets import list_ucr
    from .datasets._ucr import _missing_dataset_error

    available = list_ucr(data_dir)
    if not available:
        raise UserError(f"no UCR dataset in {str(data_dir)!r}: expected one folder per "
                        "dataset, <Name>/<Name>_TRAIN.tsv and <Name>/<Name>_TEST.tsv")
    if datasets is None:
        return available
    for name in datasets:
        if name not in available:
            raise _missing_dataset_error(name, data_dir)
    return list(dict.fromkeys(datasets))


def _experiment(args):
    if args.from_csv:
        module = _experiment_module(args.command)
        from .experiments._common import read_csv

        rows = read_csv(args.from_csv, module.FIELDS)
        if not rows:
            raise UserError(f"no results in {', '.join(map(str, args.from_csv))}")
        print(module.format_table(module.summarize(rows)))
        return 0
    if args.data_dir is None and not args.datasets:
        raise UserError("--data-dir is required (the directory of the UCR archive), "
                        "unless --datasets names bundled datasets or --from-csv is given")
    out = _check_output(args.out, "results file")
    if args.data_dir is None:
        from .datasets._ucr import _BUNDLED_DIR

        data_dir, where = _BUNDLED_DIR, "the bundled datasets"
        datasets = _bundled_names(_names(args.datasets))
    else:
        data_dir, where = args.data_dir, args.data_dir
        datasets = _check_datasets(data_dir, args.datasets and _names(args.datasets))
    module = _experiment_module(args.command)
    options = {dest: getattr(args, dest) for dest in args.experiment_options
               if hasattr(args, dest)}
    for dest in ("gammas", "seeds"):
        if hasattr(args, dest):
            options[dest] = getattr(args, dest)
    _, table, description = _EXPERIMENTS[args.command]
    print(f"{description} (Cuturi & Blondel, 2017, {table}) on {len(datasets)} "
          f"dataset{'s' * (len(datasets) > 1)} of {where}", file=sys.stderr)
    progress = False if args.quiet else ProgressBar(args.command)
    start = time.perf_counter()
    try:
        # The file is rewritten after each dataset and seed: an interrupted
        # run keeps the results of the units done.
        rows = module.run(data_dir, datasets=datasets, n_jobs=args.n_jobs,
                          progress=progress, out=out, **options)
    finally:
        if progress:
            progress.close()
    module.write_csv(rows, out)
    print(module.format_table(module.summarize(rows)))
    print(f"\n{len(rows)} runs in {_format_duration(time.perf_counter() - start)}; "
          f"per-run results in {out}")
    return 0


# ----------------------------------------------------------------- parser
def _add_n_jobs(parser):
    parser.add_argument("--n-jobs", type=_n_jobs, default=-1, metavar="N",
                        help="threads of the soft-DTW kernels; -1: all cores (default: -1)")


def _add_demo(sub):
    demo = sub.add_parser(
        "demo", help="barycenters and k-means on a bundled dataset, with a figure",
        description="Compute the barycenter of each class of a dataset (Euclidean mean, "
        "DBA, soft-DTW for each --gamma) and a k-means clustering (Euclidean, DBA, "
        "soft-DTW), print their DTW losses and the 1-nearest-neighbour accuracies, and "
        "draw them (needs matplotlib: pip install matplotlib).")
    demo.add_argument("--dataset", default="GunPoint",
                      help="a bundled dataset: GunPoint, Coffee or ItalyPowerDemand "
                      "(default: GunPoint); any UCR dataset with --data-dir")
    demo.add_argument("--data-dir", metavar="DIR",
                      help="read --dataset from this local copy of the UCR archive")
    demo.add_argument("--gamma", type=_gamma, nargs="+", default=[1.0, 0.1, 0.01],
                      metavar="G", help="soft-DTW smoothing of the barycenters, in squared "
                      "units of the data (default: 1 0.1 0.01)")
    demo.add_argument("--kmeans-gamma", type=_gamma, metavar="G",
                      help="soft-DTW smoothing of the k-means (default: the smallest --gamma)")
    demo.add_argument("--max-iter", type=_positive_int, default=100, metavar="N",
                      help="iterations of every barycenter (default: 100)")
    demo.add_argument("--max-series", type=_positive_int, metavar="N",
                      help="use at most N training series per class, drawn at random "
                      "(default: all)")
    demo.add_argument("--seed", type=int, default=0,
                      help="seed of --max-series and of the k-means initialization (default: 0)")
    _add_n_jobs(demo)
    demo.add_argument("--out", default=DEMO_FIGURE, metavar="FILE",
                      help="figure file; the extension sets the format (default: "
                      f"{DEMO_FIGURE}, in the current directory)")
    demo.add_argument("--no-plot", action="store_true", help="do not draw the figure")
    demo.set_defaults(func=_demo)


def _add_experiment(sub, command):
    module, table, description = _EXPERIMENTS[command]
    doc = sub.add_parser(
        command, help=f"paper experiment ({table}): {description}",
        description=f"The experiment of Cuturi & Blondel (2017), {table}: {description}. "
        "Runs on a local copy of the UCR archive, shows a progress bar on stderr, writes "
        "one CSV row per run and prints the summary table next to the paper's figures. "
        f"The protocol is documented in sksoftdtw.experiments.{module}.")
    doc.add_argument("--data-dir", metavar="DIR",
                     help="directory of the UCR archive: one folder <Name>/ per dataset with "
                     "<Name>_TRAIN.tsv and <Name>_TEST.tsv (default: the bundled datasets "
                     "named by --datasets)")
    doc.add_argument("--datasets", nargs="+", type=str, metavar="NAME",
                     help="dataset names, space- or comma-separated (default: every dataset "
                     "of --data-dir); without --data-dir, bundled datasets: Coffee, GunPoint, "
                     "ItalyPowerDemand")
    doc.add_argument("--gamma", dest="gammas", type=_gamma, nargs="+", metavar="G",
                     default=argparse.SUPPRESS,
                     help="soft-DTW smoothing values (default: the paper's, 1 0.1 0.01 0.001)")
    doc.add_argument("--seeds", type=_positive_int, metavar="N", default=argparse.SUPPRESS,
                     help="repetitions per dataset, seeded 0 to N-1 (default: "
                     f"{10 if command == 'barycenter' else 1})")
    options = []
    for flag, type_, help_ in _EXPERIMENT_OPTIONS[command]:
        if type_ in (_METHODS, _INITS):  # a selection of names, checked by run()
            action = doc.add_argument(flag, nargs="+", metavar="NAME",
                                      default=argparse.SUPPRESS, help=help_)
        else:
            action = doc.add_argument(flag, type=type_, metavar="N",
                                      default=argparse.SUPPRESS, help=help_)
        options.append(action.dest)
    _add_n_jobs(doc)
    doc.add_argument("--out", default=f"{command}_results.csv", metavar="FILE",
                     help=f"CSV file of the per-run results (default: {command}_results.csv)")
    doc.add_argument("--from-csv", nargs="+", metavar="FILE",
                     help="print the summary table of earlier results files (e.g. of "
                     "runs on disjoint --datasets) and run nothing")
    doc.add_argument("--quiet", action="store_true", help="no progress bar")
    doc.set_defaults(func=_experiment, experiment_options=options)


def build_parser():
    """The argument parser of the ``sksoftdtw`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
        One subcommand per command; parsing sets ``func``, the function that
        runs the command with the parsed arguments.

    Examples
    --------
    >>> args = build_parser().parse_args(["demo", "--gamma", "0.5"])
    >>> args.command, args.gamma, args.dataset
    ('demo', [0.5], 'GunPoint')
    """
    from . import __version__

    parser = _Parser(
        prog="sksoftdtw",
        description="Soft-DTW for Python: a demonstration, and the experiments of "
        "Cuturi & Blondel (2017) on the UCR archive.",
        epilog="Examples:\n"
        "  sksoftdtw demo --out gunpoint.png\n"
        "  sksoftdtw barycenter --data-dir ~/UCR --datasets GunPoint Coffee --seeds 2\n"
        "  sksoftdtw kmeans --data-dir ~/UCR --gamma 1 0.01 --out kmeans.csv\n"
        "  sksoftdtw predict --data-dir ~/UCR --datasets ECG200\n\n"
        "Run 'sksoftdtw COMMAND --help' for the options of a command.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                parser_class=_CommandParser)
    _add_demo(sub)
    for command in _EXPERIMENTS:
        _add_experiment(sub, command)
    return parser


def main(argv=None):
    """Run the ``sksoftdtw`` command; return its exit status.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name; ``None`` means
        ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 1 when the command could not run (e.g. missing data),
        2 for a bad command line, 130 when interrupted.

    Examples
    --------
    >>> from sksoftdtw._cli import main
    >>> main(["demo", "--dataset", "ItalyPowerDemand", "--gamma", "0.1",
    ...       "--max-iter", "5", "--max-series", "5", "--no-plot"])  # doctest: +ELLIPSIS
    ItalyPowerDemand (bundled UCR dataset): 67 training series of length 24, ...
    0
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"\nsksoftdtw {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (UserError, OSError, ValueError) as exc:
        if args.debug:
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"sksoftdtw {args.command}: error: {message}", file=sys.stderr)
        return EXIT_ERROR
