"""
===============================================================
Nearest-neighbour accuracy against the width of the DTW band
===============================================================

One-nearest-neighbour classification under DTW is the classical baseline of
time-series classification, and its one parameter is the width of the
Sakoe-Chiba band: ``0`` compares the series point by point (the Euclidean
distance), no band lets any warping happen. The best width depends on the
data, and a narrow band is also faster: the pruned search of
:class:`~sksoftdtw.neighbors.KNeighborsTimeSeriesClassifier` computes fewer
cells and its lower bounds get tighter.

We measure the test accuracy of 1-NN DTW for a range of radii on the three
datasets bundled with the package, then choose the radius by
cross-validation on the training set only, as one should.
"""

# %%
# Accuracy for every radius
# -------------------------
# The radius is a fraction of the series length; ``None`` is no band. The
# search returns exactly the neighbours of the full DTW matrix, ties going to
# the lowest index, so these are the accuracies of the brute force.
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sksoftdtw.datasets import load_dataset
from sksoftdtw.neighbors import KNeighborsTimeSeriesClassifier

FAST = os.environ.get("SKSOFTDTW_DOC_FAST") == "1"
fractions = [0.0, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
names = ["GunPoint", "ItalyPowerDemand", "Coffee"]

fig, ax = plt.subplots(figsize=(6.5, 4.8))
for name in names:
    X_train, y_train, X_test, y_test = load_dataset(name)
    if FAST:
        X_test, y_test = X_test[:200], y_test[:200]
    sz = X_train.shape[1]
    accuracies = []
    for fraction in fractions:
        radius = None if fraction == 1.0 else int(round(fraction * sz))
        clf = KNeighborsTimeSeriesClassifier(n_neighbors=1, sakoe_chiba_radius=radius,
                                             n_jobs=-1)
        accuracies.append(clf.fit(X_train, y_train).score(X_test, y_test))
    ax.plot(np.array(fractions) * 100, accuracies, "o-", label=f"{name} (length {sz})")
    print(f"{name:17s}", " ".join(f"{a:.3f}" for a in accuracies))
ax.set_xscale("symlog", linthresh=2)
ax.set_xticks([0, 2, 5, 10, 20, 50, 100])
ax.set_xticklabels(["0\n(Euclidean)", "2", "5", "10", "20", "50", "100\n(no band)"])
ax.set_xlabel("Sakoe-Chiba radius (% of the series length)")
ax.set_ylabel("1-NN test accuracy")
ax.set_title("1-NN DTW accuracy against the band width")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=2, frameon=False)
fig.tight_layout()

# %%
# Choosing the radius by cross-validation
# ---------------------------------------
# The curve above peeks at the test set. A fair choice uses the training set
# alone: :class:`~sklearn.model_selection.GridSearchCV` over the radius (the
# estimator is a scikit-learn classifier, so any model-selection tool works).
X_train, y_train, X_test, y_test = load_dataset("GunPoint")
radii = [int(round(f * X_train.shape[1])) for f in fractions[:-1]] + [None]
search = GridSearchCV(KNeighborsTimeSeriesClassifier(n_neighbors=1, n_jobs=-1),
                      {"sakoe_chiba_radius": radii},
                      cv=StratifiedKFold(5, shuffle=True, random_state=0))
search.fit(X_train, y_train)
print("radius chosen:", search.best_params_["sakoe_chiba_radius"],
      f"test accuracy: {search.score(X_test, y_test):.3f}")
