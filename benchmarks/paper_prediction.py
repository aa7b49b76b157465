"""Multistep-ahead prediction with soft-DTW and Euclidean losses (Cuturi & Blondel, 2017, Table 3).

The protocol, the network and the subsampling caps are documented in
:mod:`sksoftdtw.experiments.prediction`; ``sksoftdtw predict`` runs it too,
with a progress bar. Usage::

    python benchmarks/paper_prediction.py DATA_DIR [--datasets A,B] [--out results.csv]
        [--max-iter 100] [--max-train 100] [--max-train-cells 3e5] [--min-train 10]
        [--max-test 200] [--hidden 50] [--n-jobs 1] [--seed 0]
    python benchmarks/paper_prediction.py --from-csv part1.csv,part2.csv

``DATA_DIR`` holds UCR datasets in the layout read by
:func:`sksoftdtw.datasets.load_ucr`. Progress goes to stderr, the rank table
to stdout, the per-model results to the CSV file ``--out``.
"""
from sksoftdtw.experiments import prediction
from sksoftdtw.experiments._common import script_main

if __name__ == "__main__":
    script_main(prediction)
