"""Soft-DTW k-means against DBA and subgradient k-means (Cuturi & Blondel, 2017, Table 2).

The protocol, with the choices the paper leaves open (initializations,
budgets, subsampling), is documented in :mod:`sksoftdtw.experiments.kmeans`;
``sksoftdtw kmeans`` runs it too, with a progress bar. Usage::

    python benchmarks/paper_kmeans.py DATA_DIR [--datasets A,B] [--out results.csv]
        [--max-train 100] [--max-iter 10] [--max-iter-barycenter 30] [--tol 1e-4]
        [--workers 1] [--n-jobs 1] [--seed 0]
        [--methods dba softdtw softdtw-auto] [--inits euclidean]
    python benchmarks/paper_kmeans.py --from-csv part1.csv,part2.csv

``DATA_DIR`` holds UCR datasets in the layout read by
:func:`sksoftdtw.datasets.load_ucr`. Progress goes to stderr, the summary
table to stdout, the per-run results to the CSV file ``--out``, rewritten
after each dataset.
"""
from sksoftdtw.experiments import kmeans
from sksoftdtw.experiments._common import script_main

if __name__ == "__main__":
    script_main(kmeans)
