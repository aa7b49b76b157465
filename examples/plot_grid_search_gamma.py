"""
========================================================
Choosing ``gamma`` by cross-validation with GridSearchCV
========================================================

The smoothing parameter ``gamma`` of soft-DTW (in squared data units) trades
smoothness for fidelity: a large ``gamma`` averages over many alignments and
gives smooth, blurred barycenters; ``gamma`` close to 0 approaches the sharp
but non-smooth DTW barycenter, which L-BFGS finds harder to optimise. The best
value depends on the data, so we choose it the way scikit-learn chooses any
hyper-parameter: by cross-validation.

:class:`~sksoftdtw.barycenters.SoftDTWBarycenter` is a scikit-learn estimator whose
:meth:`~sksoftdtw.barycenters.SoftDTWBarycenter.score` is minus the DTW loss of held-out
series to the barycenter (hard DTW, whatever ``gamma``), so that
:class:`~sklearn.model_selection.GridSearchCV` compares all the candidates on
one scale. We search ``gamma`` for the barycenter of one class of the GunPoint
dataset, bundled with the package, and check the choice on its test set.
"""

# %%
# Data
# ----
# Class 1 of GunPoint: 24 training and 76 test series of length 150, the
# hand trajectory of an actor drawing a gun. The series are z-normalised, so
# a value of ``gamma`` is a fraction of the variance of one time step.
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV, KFold

from sksoftdtw import SoftDTWBarycenter
from sksoftdtw.datasets import load_dataset

FAST = os.environ.get("SKSOFTDTW_DOC_FAST") == "1"

X_train, y_train, X_test, y_test = load_dataset("GunPoint")
X, X_held_out = X_train[y_train == 1], X_test[y_test == 1]
print(f"train: {X.shape}, test: {X_held_out.shape}")

# %%
# Grid search
# -----------
# Five-fold cross-validation over a logarithmic grid of ``gamma``: each
# candidate computes a barycenter on four fifths of the series and is scored
# on the remaining fifth. ``n_jobs`` of the estimator sets the threads of the
# soft-DTW kernels; GridSearchCV's own ``n_jobs`` could run the candidates in
# parallel as well.
gammas = np.logspace(-3, 1, 5 if FAST else 9)
max_iter = 30 if FAST else 100
search = GridSearchCV(
    SoftDTWBarycenter(max_iter=max_iter, n_jobs=-1),
    {"gamma": gammas},
    cv=KFold(5, shuffle=True, random_state=0),
)
search.fit(X)
best_gamma = search.best_params_["gamma"]
cv_loss = -search.cv_results_["mean_test_score"]
cv_std = search.cv_results_["std_test_score"]
for gamma, loss in zip(gammas, cv_loss):
    print(f"gamma={gamma:8.4f}  cross-validated DTW loss {loss:.4f}")
print(f"chosen gamma: {best_gamma:.4g}")

# %%
# Check on the test set
# ---------------------
# The refitted ``search.best_estimator_`` is the barycenter of all the
# training series with the chosen ``gamma``. Fitting every candidate on the
# whole training set and scoring it on the test set shows whether the
# cross-validated choice holds on new series. The Euclidean mean is the
# baseline: the barycenter that ignores time shifts.
test_loss = np.array([
    -SoftDTWBarycenter(gamma=g, max_iter=max_iter, n_jobs=-1).fit(X).score(X_held_out)
    for g in gammas
])
euclidean = SoftDTWBarycenter(max_iter=0).fit(X)  # init="euclidean", no iteration
print(f"test DTW loss, chosen gamma: {-search.best_estimator_.score(X_held_out):.4f}; "
      f"best on the test set: gamma={gammas[np.argmin(test_loss)]:.4g}; "
      f"Euclidean mean: {-euclidean.score(X_held_out):.4f}")

# %%
# The loss curves and the barycenters
# -----------------------------------
# Left: the cross-validated loss (mean and standard deviation over the folds)
# and the test loss of each ``gamma``. Right: the training series and three
# barycenters: the smallest ``gamma`` of the grid, the chosen one and the
# largest.
fig, (ax_curve, ax_bary) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
ax_curve.errorbar(gammas, cv_loss, yerr=cv_std, marker="o", capsize=3,
                  label="cross-validation (5 folds)")
ax_curve.plot(gammas, test_loss, marker="s", label="test set")
ax_curve.axhline(-euclidean.score(X_held_out), color="gray", ls=":",
                 label="Euclidean mean, test set")
ax_curve.axvline(best_gamma, color="k", ls="--", lw=1, label=f"chosen gamma = {best_gamma:.3g}")
ax_curve.set(xscale="log", xlabel="gamma", ylabel="DTW loss (lower is better)",
             title="Held-out DTW loss of the barycenter")
ax_curve.legend()

t = np.arange(X.shape[1])
ax_bary.plot(t, X[:, :, 0].T, color="0.8", lw=0.7)
for gamma, color in [(gammas[0], "tab:blue"), (best_gamma, "k"), (gammas[-1], "tab:red")]:
    model = search.best_estimator_ if gamma == best_gamma else SoftDTWBarycenter(
        gamma=gamma, max_iter=max_iter, n_jobs=-1).fit(X)
    ax_bary.plot(t, model.barycenter_[:, 0], color=color, lw=2, label=f"gamma = {gamma:.3g}")
ax_bary.set(xlabel="time step", title="GunPoint, class 1: series and barycenters")
ax_bary.legend()
plt.show()

# %%
# The same search applies to any estimator of the package and to
# ``sakoe_chiba_radius``, e.g. ``{"gamma": gammas, "sakoe_chiba_radius": [None,
# 10, 30]}``, to :class:`~sksoftdtw.clustering.SoftDTWKMeans` (whose ``score`` is minus the
# hard-DTW k-means loss) and to :class:`~sksoftdtw.neural_network.MLPRegressor`
# (with ``scoring=mean_dtw_scorer`` or ``mean_squared_scorer`` from
# :mod:`sksoftdtw.neural_network`), alone or as the last step of a
# :class:`~sklearn.pipeline.Pipeline`.
