"""
================================================
k-means clustering of time series under soft-DTW
================================================

Euclidean k-means averages series point by point: when the series of a
cluster are shifted in time, their mean smears the shared pattern out.
:class:`~sksoftdtw.clustering.SoftDTWKMeans` assigns series with soft-DTW and averages
them with soft-DTW barycenters, so the centroids keep the shape of the series
they summarise.

We cluster the GunPoint dataset (bundled with the package) into two clusters
with both methods and compare the clusters, the centroids, and the hard-DTW
k-means loss of the centroids (what :meth:`~sksoftdtw.clustering.SoftDTWKMeans.score`
measures, whatever ``gamma``).
"""

# %%
# Data
# ----
# 50 univariate series of length 150: the hand trajectory of an actor drawing
# a gun, or pointing a finger.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import KMeans

from sksoftdtw import SoftDTWKMeans, cdist_dtw
from sksoftdtw.datasets import load_dataset

X, y, _, _ = load_dataset("GunPoint")
n_clusters = len(np.unique(y))
print(X.shape, "classes:", n_clusters)

# %%
# Euclidean k-means and soft-DTW k-means
# --------------------------------------
# Both start from k-means++ seeds; soft-DTW k-means is run with a small
# ``gamma`` (in the squared units of the data), close to DTW but smooth.
euclidean = KMeans(n_clusters, n_init=10, random_state=0).fit(X[:, :, 0])
euclidean_centers = euclidean.cluster_centers_[:, :, None]

sdtw = SoftDTWKMeans(n_clusters, gamma=0.1, n_init=2, max_iter=20,
                     random_state=0).fit(X)

# %%
# Both sets of centroids scored with the same yardstick: the hard-DTW k-means
# loss, the sum over series of DTW to the nearest centroid (``-score``).
for name, centers in [("Euclidean k-means", euclidean_centers),
                      ("soft-DTW k-means", sdtw.cluster_centers_)]:
    loss = cdist_dtw(X, centers).min(axis=1).sum()
    print(f"{name:<18} DTW k-means loss {loss:7.2f}")
print(f"-score of soft-DTW k-means: {-sdtw.score(X):.2f}")
# The objective soft-DTW k-means minimises is soft-DTW itself, negative here:
# the soft minimum over the many alignments lies below the best one.
print(f"soft-DTW k-means objective (inertia_): {sdtw.inertia_:.2f}")

# %%
# Clusters and centroids
# ----------------------
# Each panel shows the series of one cluster (grey) and its centroid (red).
fig, axes = plt.subplots(2, n_clusters, figsize=(9, 5), sharex=True, sharey=True)
rows = [("Euclidean k-means", euclidean_centers, euclidean.labels_),
        (r"soft-DTW k-means ($\gamma$ = 0.1)", sdtw.cluster_centers_, sdtw.labels_)]
for row, (name, centers, labels) in enumerate(rows):
    for k in range(n_clusters):
        ax = axes[row, k]
        for ts in X[labels == k]:
            ax.plot(ts.ravel(), color="0.6", alpha=0.4, lw=0.8)
        ax.plot(centers[k].ravel(), color="tab:red", lw=2)
        ax.set_title(f"{name}: cluster {k + 1} ({np.sum(labels == k)} series)",
                     fontsize=9)
for ax in axes[-1]:
    ax.set_xlabel("time")
fig.tight_layout()
plt.show()

# %%
# Where the series of a cluster are shifted in time (the return of the hand in
# the first cluster), the Euclidean mean is a gradual slope that none of them
# follows; the soft-DTW centroid keeps the sharp fall of the series, and sits
# closer to them in the DTW sense (the lower loss printed above). The two
# clusterings are about the timing of the gesture rather than the two classes
# of GunPoint (gun or finger), which differ in finer details.
