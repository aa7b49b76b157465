"""
=============================================
Forecasting with a PyTorch soft-DTW loss
=============================================

A small PyTorch network reads the first half of each series and predicts the
second half, as in the prediction experiment of Cuturi & Blondel (2017,
Section 5.3). Two copies of the same network, from the same initial weights,
are trained: one with the squared (Euclidean) loss, one with
:class:`sksoftdtw.torch.SoftDTWLoss`. Both are evaluated on test series with
DTW and with the Euclidean loss.

This example needs PyTorch (``pip install "sksoftdtw[torch]"``).
"""

# %%
# Data
# ----
# The bundled GunPoint dataset: series of 150 time steps, cut in two halves
# of 75: the input and the continuation to predict.
import os

import matplotlib.pyplot as plt
import numpy as np
import torch

from sksoftdtw.datasets import load_dataset
from sksoftdtw.neural_network import mean_dtw_loss, mean_squared_loss
from sksoftdtw.torch import SoftDTWLoss

X_train, _, X_test, _ = load_dataset("GunPoint")
half = X_train.shape[1] // 2
x_tr = torch.tensor(X_train[:, :half, 0], dtype=torch.float32)
y_tr = torch.tensor(X_train[:, half:, 0], dtype=torch.float32)
x_te = torch.tensor(X_test[:, :half, 0], dtype=torch.float32)
y_te = X_test[:, half:, 0]
print(f"{len(x_tr)} training and {len(x_te)} test series, "
      f"{x_tr.shape[1]} input and {y_tr.shape[1]} output steps")

# %%
# The network and the training loop
# ---------------------------------
# A multi-layer perceptron with one hidden layer of 64 units, trained by Adam
# on the whole training set at each step. The soft-DTW loss takes the
# ``(B, N)`` outputs as univariate series; its forward pass computes the
# gradients of the whole batch in one kernel call.
FAST = os.environ.get("SKSOFTDTW_DOC_FAST") == "1"
n_steps = 150 if FAST else 600


def make_network():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(half, 64), torch.nn.Tanh(),
                               torch.nn.Linear(64, y_tr.shape[1]))


def train(loss_fn):
    network = make_network()
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-2)
    for _ in range(n_steps):
        optimizer.zero_grad()
        loss = loss_fn(network(x_tr), y_tr)
        loss.backward()
        optimizer.step()
    return network


networks = {
    "Euclidean loss": train(torch.nn.MSELoss()),
    "soft-DTW loss (gamma = 0.1)": train(SoftDTWLoss(gamma=0.1)),
}

# %%
# Test errors
# -----------
# Under DTW (the cost of the best alignment, divided by the output length)
# and under the Euclidean loss. The network trained with soft-DTW is better
# under DTW: it is rewarded for the right shapes, even slightly early or
# late; the Euclidean network predicts an average over the possible timings.
predictions = {}
for name, network in networks.items():
    with torch.no_grad():
        predictions[name] = network(x_te).numpy().astype(np.float64)
    print(f"trained with {name:27s} test DTW {mean_dtw_loss(y_te, predictions[name]):.4f}   "
          f"test Euclidean {mean_squared_loss(y_te, predictions[name]):.4f}")

# %%
# Predictions side by side
# ------------------------
# Three test series, the same for both networks: the input (black), the true
# continuation (grey) and the prediction. The soft-DTW network draws the drop
# of the gun with its true shape, smooth and as steep, but not always at the
# right time (bottom row): a delay costs little under DTW, much under the
# Euclidean loss.
t_in, t_out = np.arange(half), np.arange(half, X_test.shape[1])
fig, axes = plt.subplots(3, 2, figsize=(10, 7), sharex=True, sharey="row")
for row, i in zip(axes, [0, 40, 100]):
    for ax, (name, pred), color in zip(row, predictions.items(), ["tab:blue", "tab:red"]):
        ax.plot(t_in, X_test[i, :half, 0], color="k", lw=2)
        ax.plot(t_out, y_te[i], color="0.6", lw=4, label="true continuation")
        ax.plot(t_out, pred[i], color=color, lw=2, label="prediction")
        ax.axvline(half - 0.5, color="k", ls="--", lw=1)
for ax, name in zip(axes[0], predictions):
    ax.set_title(f"trained with the {name}")
axes[0, 0].legend(loc="lower left", fontsize=8)
for ax in axes[-1]:
    ax.set_xlabel("time step")
fig.suptitle("GunPoint: predicting the second half of test series from the first")
fig.tight_layout()
plt.show()
