"""
=====================================
Barycenters of one class of GunPoint
=====================================

The average of time series that share a shape but not its timing depends on
the geometry. The Euclidean mean averages the values at each time step and
blurs the shape. DBA (DTW Barycenter Averaging) and the soft-DTW barycenter
average along the DTW alignments instead. The smoothing parameter ``gamma`` of
soft-DTW (in squared data units) goes from smooth barycenters at large values
to the sharp DTW barycenter as it tends to 0. Each panel gives the DTW loss of
its barycenter: the mean over the series of their DTW to it, divided by their
length (lower is better).
"""

# %%
# Class 1 of the GunPoint training set: 24 series of length 150.
import matplotlib.pyplot as plt
import numpy as np

from sksoftdtw import dtw_barycenter_averaging, softdtw_barycenter, soft_dtw_batch
from sksoftdtw.datasets import load_dataset

X_train, y_train, _, _ = load_dataset("GunPoint")
X = X_train[y_train == 1]


def dtw_loss(Z, X):
    """Mean over the series of DTW(Z, x) / len(x)."""
    values = soft_dtw_batch(np.broadcast_to(Z, (len(X),) + Z.shape), X, gamma=0.0)
    return np.mean(values / X.shape[1])


# %%
# The barycenters. All start from the Euclidean mean (``init="euclidean"``).
barycenters = {"Euclidean mean": X.mean(axis=0),
               "DBA": dtw_barycenter_averaging(X, max_iter=100)}
for gamma in [1.0, 0.1, 0.01]:
    barycenters[f"soft-DTW, $\\gamma = {gamma:g}$"] = softdtw_barycenter(
        X, gamma=gamma, max_iter=100)

# %%
# The series in grey, their barycenter in red.
fig, axes = plt.subplots(1, len(barycenters), figsize=(15, 3.2), sharey=True)
for ax, (name, Z) in zip(axes, barycenters.items()):
    ax.plot(X[:, :, 0].T, color="0.6", lw=0.6, alpha=0.5)
    ax.plot(Z.ravel(), color="tab:red", lw=2.5)
    ax.set_title(f"{name}\nDTW loss {dtw_loss(Z, X):.4f}", fontsize=10)
    ax.set_xlabel("time")
fig.tight_layout()
plt.show()
