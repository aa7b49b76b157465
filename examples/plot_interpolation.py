"""
==============================================
Interpolating between two series with soft-DTW
==============================================

The weighted barycenter of two series ``x`` and ``y`` with weights
``(lambda, 1 - lambda)`` interpolates between them as ``lambda`` goes from 1
to 0. Under the Euclidean loss it is the pointwise mix
``lambda x + (1 - lambda) y``: when the two series have the same shape at
different times, the mix blurs it, with a staircase where their edges
disagree, rather than moving it. Under soft-DTW the barycenter keeps the shape
and moves it in time, as in the interpolation figure of Cuturi & Blondel
(2017), drawn here on two series of the GunPoint dataset.
"""

# %%
# Two series of the same class, whose bumps are shifted in time.
import matplotlib.pyplot as plt
import numpy as np

from sksoftdtw import softdtw_barycenter
from sksoftdtw.datasets import load_dataset

X_train, y_train, _, _ = load_dataset("GunPoint")
x, y = X_train[4], X_train[0]
lambdas = [0.75, 0.5, 0.25]

# %%
# Each interpolant is a weighted barycenter, started from the Euclidean mix of
# the same weights (``init="euclidean"`` with ``weights``).
euclidean = [lam * x + (1 - lam) * y for lam in lambdas]
soft = [softdtw_barycenter([x, y], gamma=1.0, weights=[lam, 1 - lam], max_iter=100)
        for lam in lambdas]

# %%
# Soft-DTW moves the bump; the Euclidean mix splits it.
colors = plt.cm.coolwarm(np.linspace(0, 1, len(lambdas) + 2))
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, curves, title in [(axes[0], soft, "Soft-DTW geometry ($\\gamma = 1$)"),
                          (axes[1], euclidean, "Euclidean geometry")]:
    ax.plot(x.ravel(), color=colors[0], lw=3, label="$x$ ($\\lambda = 1$)")
    for lam, curve, color in zip(lambdas, curves, colors[1:-1]):
        ax.plot(curve.ravel(), color=color, lw=2, label=f"$\\lambda = {lam:g}$")
    ax.plot(y.ravel(), color=colors[-1], lw=3, label="$y$ ($\\lambda = 0$)")
    ax.set_title(title)
    ax.set_xlabel("time")
axes[0].legend(loc="upper left")
fig.suptitle("Barycenters of $x$ and $y$ with weights $(\\lambda, 1 - \\lambda)$ "
             "(GunPoint, training series 4 and 0)")
fig.tight_layout()
plt.show()
