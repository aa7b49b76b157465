"""
=========================================
Small gamma without its local minima
=========================================

At a small ``gamma`` the soft-DTW barycenter's objective is nearly the DTW
loss, and nearly as rugged: L-BFGS started from the Euclidean mean stops in
a local minimum close to it. A continuation in ``gamma``
(``gamma_schedule="auto"``) minimises first at a large ``gamma``, where the
objective is smooth, then at smaller and smaller values, each stage starting
from the previous barycenter, and ends at the target ``gamma``.

Here, narrow bumps at different places: their Euclidean mean is a low, wide
hump. Each panel gives the DTW loss of its barycenter: the mean over the
series of their DTW to it, divided by their length (lower is better).
"""

# %%
# Eight narrow bumps, shifted in time.
import matplotlib.pyplot as plt
import numpy as np

from sksoftdtw import dtw_barycenter_averaging, soft_dtw_batch, softdtw_barycenter

t = np.linspace(0, 1, 60)
X = np.stack([np.exp(-((t - c) / 0.03) ** 2) for c in np.linspace(0.4, 0.6, 8)])[:, :, None]


def dtw_loss(Z):
    """Mean over the series of DTW(Z, x) / len(x)."""
    values = soft_dtw_batch(np.broadcast_to(Z, (len(X),) + Z.shape), X, gamma=0.0)
    return np.mean(values / X.shape[1])


# %%
# DBA, the plain soft-DTW barycenter at ``gamma = 0.001`` and the same with
# the continuation (here through 0.034, the data's variance, and 0.0034), all
# from the Euclidean mean; and soft-DTW from DBA's barycenter
# (``init="dba"``).
barycenters = {
    "DBA": dtw_barycenter_averaging(X, max_iter=100),
    "soft-DTW, $\\gamma = 0.001$": softdtw_barycenter(X, 0.001),
    "continuation to $\\gamma = 0.001$": softdtw_barycenter(X, 0.001, gamma_schedule="auto"),
    "soft-DTW from DBA": softdtw_barycenter(X, 0.001, init="dba"),
}

# %%
# The series in grey, the Euclidean mean dashed, each barycenter in red.
fig, axes = plt.subplots(1, len(barycenters), figsize=(15, 3.2), sharey=True)
for ax, (name, Z) in zip(axes, barycenters.items()):
    ax.plot(X[:, :, 0].T, color="0.6", lw=0.6, alpha=0.6)
    ax.plot(X.mean(axis=0).ravel(), color="k", lw=1, ls="--")
    ax.plot(Z.ravel(), color="tab:red", lw=2.5)
    ax.set_title(f"{name}\nDTW loss {dtw_loss(Z):.4f}", fontsize=10)
    ax.set_xlabel("time")
fig.tight_layout()
plt.show()
