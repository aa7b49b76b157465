"""The commands of the paper's experiments: ``barycenter``, ``kmeans``, ``predict``."""
import argparse
import importlib
import sys
import time

from ..utils._display import ProgressBar, format_duration
from ._args import (UserError, _add_n_jobs, _bundled_names, _check_output, _gamma,
                    _names, _non_negative_int, _non_negative_number, _positive_int)

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
    name = f"{__name__.split('.')[0]}.experiments.{_EXPERIMENTS[command][0]}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise UserError(f"the {command} experiment is not available in this installation "
                        f"({name} is missing)") from exc


def _check_datasets(data_dir, datasets):
    """The dataset names to run, checked against `data_dir` before any work."""
    from ..datasets import list_ucr
    from ..datasets._ucr import check_dataset_names

    if not list_ucr(data_dir):
        raise UserError(f"no UCR dataset in {str(data_dir)!r}: expected one folder per "
                        "dataset, <Name>/<Name>_TRAIN.tsv and <Name>/<Name>_TEST.tsv")
    return check_dataset_names(data_dir, datasets)


def _experiment(args):
    if args.from_csv:
        module = _experiment_module(args.command)
        from ..experiments._common import read_csv

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
        from ..datasets._ucr import BUNDLED_DIR

        data_dir, where = BUNDLED_DIR, "the bundled datasets"
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
    print(f"\n{len(rows)} runs in {format_duration(time.perf_counter() - start)}; "
          f"per-run results in {out}")
    return 0


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
