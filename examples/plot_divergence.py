r"""
=====================================
Soft-DTW and the soft-DTW divergence
=====================================

Soft-DTW replaces the minimum over alignments of DTW by a soft minimum. The
soft minimum of several values lies *below* their minimum, by up to
:math:`\gamma \log(\text{number of values})`, so soft-DTW is biased
downwards:

.. math::

    \mathrm{dtw}(x, y) - \gamma \log |\mathcal{A}_{n,m}|
    \le \mathrm{dtw}_\gamma(x, y) \le \mathrm{dtw}(x, y).

In particular :math:`\mathrm{dtw}_\gamma(x, x) < 0`, and a series is not the
closest series to itself. The soft-DTW divergence (Blondel, Mensch & Vert,
2021) removes this bias,

.. math::

    D_\gamma(x, y) = \mathrm{dtw}_\gamma(x, y)
    - \tfrac12 \bigl(\mathrm{dtw}_\gamma(x, x) + \mathrm{dtw}_\gamma(y, y)\bigr),

which is non-negative and zero only at :math:`x = y`. This example compares
the two as a series is shifted in time, for several values of
:math:`\gamma`.
"""

# %%
# A series and its shifted copies
# -------------------------------
# A series of 100 time steps made of two bumps, and the same series moved by
# ``s`` time steps.
import matplotlib.pyplot as plt
import numpy as np

from sksoftdtw import dtw, soft_dtw, soft_dtw_divergence, softdtw_barycenter

t = np.arange(100)


def bump(shift):
    """The series moved by `shift` time steps (to the right if positive)."""
    return (np.exp(-(((t - 50 - shift) / 8.0) ** 2))
            + 0.5 * np.exp(-(((t - 30 - shift) / 4.0) ** 2)))


x = bump(0)
shifts = np.arange(-25, 26)
gammas = [0.01, 0.1, 1.0, 10.0]

fig, ax = plt.subplots(figsize=(7, 2.5))
for s in (-20, 0, 10):
    ax.plot(t, bump(s), label=f"shift {s}")
ax.set_xlabel("time step")
ax.legend()
fig.tight_layout()

# %%
# Soft-DTW and divergence as functions of the shift
# -------------------------------------------------
# Hard DTW (``gamma=0``) is blind to these shifts: the ends of the series are
# flat, so the bump can be warped onto itself and DTW stays at zero up to
# large shifts, where the squared Euclidean distance grows at once.
#
# Soft-DTW (left, on a symmetric log scale) also weighs the alignments other
# than the best one, and sees the shift more as ``gamma`` grows. But every
# curve is offset downwards by about :math:`\gamma \log |\mathcal{A}|`: the
# values are negative, even at zero shift, and on this scale the offset hides
# the effect of the shift. The divergence (right) removes the offset: it is
# zero at zero shift and positive elsewhere, close to DTW for a small
# ``gamma`` and more sensitive to the shift as ``gamma`` grows.
euclidean = np.array([np.sum((x - bump(s)) ** 2) for s in shifts])
hard = np.array([dtw(x, bump(s)) for s in shifts])
soft = {g: np.array([soft_dtw(x, bump(s), gamma=g) for s in shifts]) for g in gammas}
divergence = {g: np.array([soft_dtw_divergence(x, bump(s), gamma=g) for s in shifts])
              for g in gammas}

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
colors = plt.cm.viridis(np.linspace(0, 0.85, len(gammas)))
for ax, values, title in ((ax1, soft, r"soft-DTW $\mathrm{dtw}_\gamma(x, x_s)$"),
                          (ax2, divergence, r"divergence $D_\gamma(x, x_s)$")):
    ax.plot(shifts, euclidean, "k:", label="squared Euclidean")
    ax.plot(shifts, hard, "k-", lw=2, label="DTW")
    for g, color in zip(gammas, colors):
        ax.plot(shifts, values[g], color=color, label=rf"$\gamma$ = {g:g}")
    ax.set_title(title)
    ax.set_xlabel("shift s (time steps)")
ax1.set_yscale("symlog", linthresh=1.0)
ax1.axhline(0, color="0.6", lw=0.8)
ax2.legend(fontsize="small")
fig.tight_layout()

for g in gammas:
    print(f"gamma={g:<5g} soft_dtw(x, x) = {soft[g][shifts == 0][0]:9.3f}   "
          f"divergence(x, x) = {divergence[g][shifts == 0][0]:.3f}   "
          f"min over s of the divergence: {divergence[g].min():.3f}")

# %%
# The bound on the bias
# ---------------------
# The soft minimum over the set :math:`\mathcal{A}_{n,m}` of alignments lies
# between the hard minimum and the hard minimum minus
# :math:`\gamma \log |\mathcal{A}_{n,m}|`. For two series of length
# :math:`n`, :math:`|\mathcal{A}_{n,n}|` is the central Delannoy number,
# which grows like :math:`(3 + 2\sqrt 2)^n`, so the bias of
# :math:`\mathrm{dtw}_\gamma(x, x)` is at most about :math:`1.76\, n \gamma`.


def log_delannoy(n, m):
    """log of the number of alignments of lengths n and m, by the DP D(i, j)."""
    logd = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            if i and j:
                logd[i, j] = np.logaddexp.reduce([logd[i - 1, j], logd[i, j - 1],
                                                  logd[i - 1, j - 1]])
    return logd[-1, -1]


log_paths = log_delannoy(len(x), len(x))
for g in gammas:
    value = soft_dtw(x, x, gamma=g)
    assert -g * log_paths <= value <= 0.0
    print(f"gamma={g:<5g} -gamma log|A| = {-g * log_paths:9.2f} <= "
          f"soft_dtw(x, x) = {value:9.3f} <= dtw(x, x) = 0")

# %%
# Consequence for averaging
# -------------------------
# The barycenter of a *single* series should be that series. Minimising
# soft-DTW to it gives a different, smoothed series for large ``gamma``,
# because soft-DTW rewards the many near-optimal alignments of a flatter
# series; minimising the divergence returns the series itself.
fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(t, x, "k", lw=3, alpha=0.3, label="the series")
for metric, style in (("softdtw", "-"), ("divergence", "--")):
    z = softdtw_barycenter(x[None], gamma=1.0, metric=metric, max_iter=200)
    ax.plot(t, z[:, 0], style, label=f'barycenter, metric="{metric}"')
    print(f"{metric:>10}: max |z - x| = {np.abs(z[:, 0] - x).max():.3f}")
ax.set_title(r"Barycenter of one series, $\gamma$ = 1")
ax.legend(fontsize="small")
fig.tight_layout()
plt.show()
