"""Soft-DTW barycenters against DBA and the subgradient method (Cuturi & Blondel, 2017, Table 1).

The protocol is :mod:`sksoftdtw.experiments.barycenter`; ``sksoftdtw
barycenter`` runs it too, with a progress bar. Usage::

    python benchmarks/paper_barycenter.py DATA_DIR [--datasets A,B] [--seeds 10]
        [--max-iter 100] [--n-jobs 1] [--out results.csv]
        [--methods dba softdtw softdtw-auto] [--inits euclidean]
    python benchmarks/paper_barycenter.py --from-csv part1.csv,part2.csv

``DATA_DIR`` holds UCR datasets in the layout read by
:func:`sksoftdtw.datasets.load_ucr`. Progress goes to stderr, the summary
table to stdout, the per-run results to the CSV file ``--out``. Disjoint
``--datasets`` lists (or ``--seed`` lists) can run in parallel processes;
``--from-csv`` then summarizes their CSV files together.
"""
from sksoftdtw.experiments import barycenter
from sksoftdtw.experiments._common import script_main

if __name__ == "__main__":
    script_main(barycenter)
