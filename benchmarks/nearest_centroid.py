"""Nearest-centroid classification under DTW, soft-DTW and the two soft-DTW divergences.

The protocol (gamma chosen on a holdout of the training split, subsampling,
budgets) is documented in :mod:`sksoftdtw.experiments.nearest_centroid`.
Usage::

    python benchmarks/nearest_centroid.py DATA_DIR [--datasets A,B] [--out results.csv]
        [--gamma 1 0.1 0.01 0.001] [--max-train 100] [--max-iter 30]
        [--validation-fraction 0.333] [--workers 1] [--n-jobs 1] [--seed 0]
        [--metrics dtw softdtw divergence sharp_divergence]
    python benchmarks/nearest_centroid.py --from-csv part1.csv,part2.csv

``DATA_DIR`` holds UCR datasets in the layout read by
:func:`sksoftdtw.datasets.load_ucr`. Progress goes to stderr, the wins, ties
and losses of each discrepancy against DTW and soft-DTW to stdout, the test
accuracies to the CSV file ``--out``, rewritten after each dataset.
"""
from sksoftdtw.experiments import nearest_centroid
from sksoftdtw.experiments._common import script_main

if __name__ == "__main__":
    script_main(nearest_centroid)
