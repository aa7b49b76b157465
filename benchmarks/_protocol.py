"""What the scripts that rerun Table 1's protocol on a UCR directory share: the
command line, the series of each draw, and the rows run or read back from CSV."""
import argparse
import csv

import numpy as np


def parser(doc, *, seeds, out):
    """An argument parser with ``data_dir``, ``--datasets``, ``--seeds``,
    ``--max-iter``, ``--out`` and ``--from-csv``, described by the first line
    of ``doc``."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("data_dir", nargs="?", help="directory of UCR datasets")
    p.add_argument("--datasets", type=lambda s: [n for n in s.split(",") if n])
    p.add_argument("--seeds", type=int, default=seeds)
    p.add_argument("--max-iter", type=int, default=100)
    p.add_argument("--out", default=out)
    p.add_argument("--from-csv", nargs="+",
                   help="summarize earlier runs' CSV files and run nothing")
    return p


def rows(p, args, run):
    """The rows of the CSV files of ``--from-csv``, or else those of ``run()``."""
    if args.from_csv:
        out = []
        for path in args.from_csv:
            with open(path, newline="") as f:
                out += list(csv.DictReader(f))
        return out
    if args.data_dir is None:
        p.error("DATA_DIR is required unless --from-csv is given")
    return run()


def draws(data_dir, datasets, seeds):
    """``(name, [X of seed 0, X of seed 1, ...])`` of every dataset, shortest
    series first, each X the series of Table 1's protocol for that seed."""
    from sksoftdtw.datasets import list_ucr, load_ucr
    from sksoftdtw.experiments.barycenter import _pick_series

    names = datasets or list_ucr(data_dir)
    loaded = {name: load_ucr(name, data_dir)[:2] for name in names}
    for name in sorted(names, key=lambda n: loaded[n][0].shape[1]):
        X_train, y_train = loaded[name]
        yield name, [np.asarray(_pick_series(X_train, y_train, np.random.RandomState(seed),
                                             name)[1], dtype=np.float64)
                     for seed in range(seeds)]


def write(rows, out, fields):
    """Rewrite the CSV file ``out`` with ``rows``."""
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
