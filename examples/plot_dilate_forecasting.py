"""
==================================================================
Forecasting with DILATE: shape and timing against soft-DTW and MSE
==================================================================

DILATE (Le Guen & Thome, NeurIPS 2019) trains a forecaster with
:math:`a\\, \\mathrm{dtw}_\\gamma(\\hat y, y) + (1 - a) \\langle E, \\Omega
\\rangle`: the soft-DTW of the prediction (its *shape*) plus the expected
temporal distortion of the soft alignment :math:`E`, with
:math:`\\Omega_{ij} = (i - j)^2 / n^2` penalising alignments far from the
diagonal (its *timing*). Soft-DTW alone forgives a feature predicted early or
late; the squared loss forgives nothing but prefers a blurred average of the
possible futures. DILATE asks for the right shape at about the right time.

Here a multi-layer perceptron reads the first 60% of each GunPoint series and
predicts the rest, trained with each of the three losses, and evaluated with
three measures: the squared error, DTW (shape) and the temporal distortion
of the optimal DTW path, the mean :math:`|i - j|` over its cells (timing).
"""

# %%
# Data and the three networks
# ---------------------------
# The same architecture and initial weights for every loss; L-BFGS with a
# fixed budget of iterations.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sksoftdtw import dtw_path
from sksoftdtw.datasets import load_dataset
from sksoftdtw.neural_network import MLPRegressor, mean_dtw_loss, mean_squared_loss

X_train, _, X_test, _ = load_dataset("GunPoint")
sz_in = round(0.6 * X_train.shape[1])
X_tr, Y_tr = X_train[:, :sz_in, 0], X_train[:, sz_in:, 0]
X_te, Y_te = X_test[:, :sz_in, 0], X_test[:, sz_in:, 0]

warnings.filterwarnings("ignore", category=ConvergenceWarning)
common = {"hidden_layer_sizes": (50,), "activation": "logistic", "max_iter": 100,
          "random_state": 0}
models = {
    "squared loss": MLPRegressor(loss="squared", **common),
    "soft-DTW (gamma=0.1)": MLPRegressor(loss="softdtw", gamma=0.1, **common),
    "DILATE (a=0.5, gamma=0.1)": MLPRegressor(loss="dilate", gamma=0.1, dilate_alpha=0.5,
                                              **common),
}
predictions = {name: model.fit(X_tr, Y_tr).predict(X_te) for name, model in models.items()}


# %%
# Shape, timing and squared error on the test split
# -------------------------------------------------
# The temporal distortion is measured on the optimal (hard) DTW path between
# the true and the predicted continuation, in time steps.
def temporal_distortion(Y, P):
    """Mean over the series of the mean |i - j| along the optimal DTW path."""
    return float(np.mean([np.mean([abs(i - j) for i, j in dtw_path(y, p)[0]])
                          for y, p in zip(Y, P)]))


for name, pred in predictions.items():
    print(f"{name:26s} squared {mean_squared_loss(Y_te, pred):.4f}   "
          f"DTW {mean_dtw_loss(Y_te, pred):.4f}   "
          f"temporal distortion {temporal_distortion(Y_te, pred):.2f} steps")

# %%
# The squared loss has the lowest squared error and the soft-DTW loss the
# lowest DTW; DILATE trades a little of soft-DTW's shape for timing: its
# optimal paths stay closer to the diagonal than soft-DTW's.
#
# Predictions on a few test series
# --------------------------------
# The four test series where the soft-DTW and DILATE networks disagree most.
names = list(predictions)
disagreement = np.mean((predictions[names[1]] - predictions[names[2]]) ** 2, axis=1)
t_in, t_out = np.arange(sz_in), np.arange(sz_in, X_train.shape[1])
fig, axes = plt.subplots(2, 2, figsize=(10, 6), sharex=True)
for ax, i in zip(axes.ravel(), np.argsort(disagreement)[::-1][:4]):
    ax.plot(t_in, X_te[i], color="k", lw=2, label="input")
    ax.plot(t_out, Y_te[i], color="0.6", lw=4, label="true continuation")
    for name, color in zip(names, ["tab:blue", "tab:red", "tab:green"]):
        ax.plot(t_out, predictions[name][i], color=color, lw=2, label=name)
    ax.axvline(sz_in - 0.5, color="k", ls="--", lw=1)
    ax.set_title(f"test series {i}")
axes[0, 0].legend(loc="lower left", fontsize=7)
for ax in axes[1]:
    ax.set_xlabel("time step")
fig.suptitle("GunPoint: the last 40% of each series predicted from the first 60%")
fig.tight_layout()
plt.show()
