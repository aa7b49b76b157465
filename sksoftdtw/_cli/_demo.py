"""The ``demo`` command: barycenters, k-means and 1-NN on one dataset, with a figure."""
import sys
import time
import warnings

import numpy as np

from ..utils._display import format_table
from ._args import UserError, _add_n_jobs, _bundled_names, _check_output, _gamma, _positive_int

# Default figure of the demo: a name of its own, not to overwrite a user's
# demo.png, and ignored by git in a clone.
DEMO_FIGURE = "sksoftdtw-demo.png"

# k-means budget of the demo: Lloyd iterations, and iterations of each
# barycenter update (the budget of the paper's k-means experiment).
_DEMO_KMEANS_ITER = 10
_DEMO_KMEANS_BARYCENTER_ITER = 30

def _load_demo_data(args):
    """The four splits, the dataset's name as spelled by its files, and their source."""
    from ..datasets import load_dataset, load_ucr

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

def _dtw_loss(X, centers, n_jobs):
    """Mean over the series of the DTW to the nearest center, divided by the length.

    With one center, the DTW loss of a barycenter (Cuturi & Blondel, 2017).
    """
    from ..metrics import cdist_dtw

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
    from .. import dtw_barycenter_averaging, softdtw_barycenter

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

    from .. import SoftDTWKMeans, dtw_kmeans

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
    from ..metrics import cdist_dtw, cdist_soft_dtw_divergence

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
    print(format_table(["class", "n"] + methods, rows))

    rows = [[method, _dtw_loss(X, centers, args.n_jobs)]
            for method, (centers, _) in kmeans.items()]
    print(f"\nk-means, k = {len(labels)}, all started from the Euclidean k-means centroids "
          f"({_DEMO_KMEANS_ITER} iterations at most): DTW loss, the mean over the series of "
          "DTW to the nearest centroid / length (lower is better)")
    print(format_table(["method", "DTW loss"], rows))

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
