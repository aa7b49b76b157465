"""Speed and memory of the PyTorch loss, :class:`sksoftdtw.torch.SoftDTWLoss`.

Three measurements, peers timed in the same run when installed (tslearn's
``SoftDTWLossPyTorch``; pysdtw, ``pip install pysdtw``):

- ``overhead``: forward + backward through the module against the raw NumPy
  call ``soft_dtw_batch(X, Y, return_grad="x")`` at batch 64, length 128,
  float64, one thread (the gradients checked equal), then, as a floor, a bare
  ``torch.autograd.Function`` around that call against the call itself;
- ``memory``: peak resident memory of forward + backward at length 4096,
  batch 8, d = 1, in a fresh subprocess (torch's own footprint included);
- ``speed``: forward + backward of a batch of 64 pairs of length 256, d = 1
  and d = 16, float32 (what a network feeds a loss), with one thread and with
  all threads (our ``n_jobs``, numba's and torch's thread counts alike);
- ``dilate``: forward + backward of :class:`sksoftdtw.torch.DILATELoss` at
  batch 64, length 96, d = 1, float32, one thread; with ``--dilate-reference
  DIR`` (a checkout of github.com/vincent-leguen/DILATE, which has no
  package), beside its ``dilate_loss`` (numba, pair by pair), whose value
  is checked against ours first;
- ``crossover`` (not run by default): the fused kernels against the matrix
  products of the costs and gradients, each forced, dimension by dimension,
  which sets ``sksoftdtw._engine.planner.MATMUL_MIN_DIM``.

Times are medians over repetitions run in turn (ours, then each peer), so a
drift of the machine's speed hits all alike; ratios are taken per round.

Usage::

    python benchmarks/bench_torch.py [--sections overhead memory speed dilate crossover]
        [--repeat 5] [--dilate-reference DIR]
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np
import torch

from sksoftdtw import soft_dtw_batch
from sksoftdtw.torch import DILATELoss, SoftDTWLoss, _tensors

GAMMA = 1.0


def _forward_backward(loss, x, y):
    def run():
        x.grad = y.grad = None
        loss(x, y).backward()
    return run


def losses(n_jobs):
    """name -> loss module taking (x, y) and returning a scalar."""
    out = {"sksoftdtw": SoftDTWLoss(GAMMA, n_jobs=n_jobs)}
    try:
        from tslearn.metrics import SoftDTWLossPyTorch

        tslearn = SoftDTWLossPyTorch(gamma=GAMMA)
        out["tslearn"] = lambda x, y: tslearn(x, y).mean()
    except ImportError:
        pass
    try:
        import pysdtw

        pysdtw_loss = pysdtw.SoftDTW(gamma=GAMMA, use_cuda=False)
        out["pysdtw"] = lambda x, y: pysdtw_loss(x, y).mean()
    except ImportError:
        pass
    return out


def set_threads(n_threads):
    torch.set_num_threads(n_threads)
    try:
        import numba

        numba.set_num_threads(min(n_threads, numba.config.NUMBA_NUM_THREADS))
    except ImportError:
        pass


def rounds(fns, repeat):
    """Median seconds of each callable over ``repeat`` rounds run in turn, the
    median per-round ratio of each to the first, and the 5th percentile of the
    seconds (the rounds that ran on an idle core)."""
    for fn in fns.values():
        fn()  # warm-up, and numba's compilation
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    first = np.array(times[next(iter(fns))])
    return {name: (np.median(t), np.median(np.array(t) / first), np.percentile(t, 5))
            for name, t in times.items()}


def bench_speed(repeat):
    all_threads = len(os.sched_getaffinity(0))
    print(f"forward + backward, batch 64, length 256, float32, gamma = {GAMMA}: "
          "ms per batch and ns per cell (ratio to sksoftdtw)")
    for threads, n_jobs in [(1, 1), (all_threads, -1)]:
        set_threads(threads)
        for d in (1, 16):
            rng = np.random.default_rng(0)
            x = torch.tensor(rng.standard_normal((64, 256, d)), dtype=torch.float32,
                             requires_grad=True)
            y = torch.tensor(rng.standard_normal((64, 256, d)), dtype=torch.float32)
            fns = {name: _forward_backward(loss, x, y) for name, loss in losses(n_jobs).items()}
            res = rounds(fns, repeat)
            cells = 64 * 256 * 256
            row = ", ".join(f"{name} {t * 1e3:.1f} ms = {t / cells * 1e9:.2f} ns/cell"
                            + ("" if name == "sksoftdtw" else f" ({ratio:.0f}x)")
                            for name, (t, ratio, _) in res.items())
            print(f"  {threads} thread(s), d = {d:2d}: {row}")


# The peak is read from VmHWM, the high-water mark of this process's own memory:
# ru_maxrss would include the parent's peak, which Linux carries across exec.
_MEMORY_CHILD = """
import re, numpy as np, torch
from sksoftdtw.torch import DILATELoss, SoftDTWLoss, _tensors

def peak_kb():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))

rng = np.random.default_rng(0)
x = torch.tensor(rng.standard_normal((8, 4096, 1)), dtype=torch.float32, requires_grad=True)
y = torch.tensor(rng.standard_normal((8, 4096, 1)), dtype=torch.float32)
before = peak_kb()
SoftDTWLoss(1.0, n_jobs=-1)(x, y).backward()
assert torch.isfinite(x.grad).all()
print(before, peak_kb())
"""


def bench_memory():
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _MEMORY_CHILD], check=True,
                         capture_output=True, text=True).stdout
    before, peak = (int(v) / 1024 for v in out.split())
    print(f"length 4096, batch 8, d = 1, forward + backward: peak RSS {peak:.0f} MB "
          f"(of which {before:.0f} MB before the loss: Python, NumPy, torch, the data); "
          f"{time.perf_counter() - t0:.1f} s with start-up")


def _bare_function(X, Y, x):
    """Forward + backward of a bare ``torch.autograd.Function`` around the same NumPy
    call (no checks, no reduction): what any wrapper of the kernels costs at least."""
    class Bare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            values, grad = soft_dtw_batch(X, Y, GAMMA, return_grad="x")
            ctx.grad = torch.from_numpy(grad)
            return torch.from_numpy(values)

        @staticmethod
        def backward(ctx, grad_values):
            return grad_values[:, None, None] * ctx.grad

    ones = torch.ones(len(X), dtype=torch.float64)

    def run():
        x.grad = None
        Bare.apply(x).backward(ones)
    return run


def bench_overhead(repeat):
    set_threads(1)
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((64, 128, 1)), rng.standard_normal((64, 128, 1))
    x, y = torch.from_numpy(X).requires_grad_(), torch.from_numpy(Y)
    fns = {"numpy": lambda: soft_dtw_batch(X, Y, GAMMA, return_grad="x"),
           "torch": _forward_backward(SoftDTWLoss(GAMMA), x, y)}
    res = rounds(fns, repeat)
    np.testing.assert_allclose(x.grad.numpy(), fns["numpy"]()[1] / len(X), rtol=1e-12)
    floor = rounds({"numpy": fns["numpy"], "bare": _bare_function(X, Y, x)}, repeat)["bare"]
    print(f"overhead, batch 64, length 128, float64, 1 thread: soft_dtw_batch "
          f"{res['numpy'][0] * 1e3:.2f} ms, SoftDTWLoss forward + backward "
          f"{res['torch'][0] * 1e3:.2f} ms: ratio {res['torch'][1]:.3f}; fastest rounds "
          f"(5th percentiles) {res['numpy'][2] * 1e3:.2f} and {res['torch'][2] * 1e3:.2f} ms: "
          f"ratio {res['torch'][2] / res['numpy'][2]:.3f}")
    print(f"  floor, a bare autograd.Function around soft_dtw_batch (no checks, no "
          f"reduction), in rounds of its own: ratio {floor[1]:.3f}")


def _dilate_reference(path):
    """The reference ``dilate_loss(outputs, targets, alpha, gamma, device)`` of a
    checkout of the DILATE repository, or None."""
    if path is None:
        return None
    sys.path.insert(0, os.path.abspath(path))
    import warnings

    warnings.filterwarnings("ignore", message="torch.range is deprecated")
    from loss.dilate_loss import dilate_loss

    return lambda x, y: dilate_loss(x, y, 0.5, 0.01, "cpu")[0]


def bench_dilate(repeat, reference_path):
    set_threads(1)
    n_ts, sz = 64, 96
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((n_ts, sz, 1)), dtype=torch.float32,
                     requires_grad=True)
    y = torch.tensor(rng.standard_normal((n_ts, sz, 1)), dtype=torch.float32)
    fns = {"sksoftdtw": DILATELoss(alpha=0.5, gamma=0.01, n_jobs=1)}
    reference = _dilate_reference(reference_path)
    if reference is not None:
        ours, theirs = fns["sksoftdtw"](x, y).item(), reference(x, y).item()
        print(f"DILATE value, ours {ours:.6g}, the reference {theirs:.6g} "
              f"(relative gap {abs(ours - theirs) / abs(theirs):.1e})")
        fns["reference DILATE"] = reference
    res = rounds({name: _forward_backward(loss, x, y) for name, loss in fns.items()}, repeat)
    cells = n_ts * sz * sz
    row = ", ".join(f"{name} {t * 1e3:.2f} ms = {t / cells * 1e9:.1f} ns/pair-cell"
                    + ("" if name == "sksoftdtw" else f" ({ratio:.0f}x)")
                    for name, (t, ratio, _) in res.items())
    print(f"DILATELoss forward + backward, batch {n_ts}, length {sz}, d = 1, float32, "
          f"alpha = 0.5, gamma = 0.01, 1 thread: {row}")


def _with_matmul_min_dim(min_dim, fn):
    def run():
        saved, _tensors.MATMUL_MIN_DIM = _tensors.MATMUL_MIN_DIM, min_dim
        try:
            fn()
        finally:
            _tensors.MATMUL_MIN_DIM = saved
    return run


def bench_crossover(repeat):
    """The two ways of the squared Euclidean cost, forced, dimension by dimension:
    where matrix products start to pay (``sksoftdtw._engine.planner.MATMUL_MIN_DIM``)."""
    set_threads(1)
    print("fused kernels vs matrix products, forward + backward, float32, 1 thread: "
          "ms per batch (ratio matmul / fused)")
    for n_ts, sz in [(64, 256), (64, 64)]:
        for both in (False, True):
            row = []
            for d in (1, 4, 16, 24, 32, 64):
                rng = np.random.default_rng(0)
                x = torch.tensor(rng.standard_normal((n_ts, sz, d)), dtype=torch.float32,
                                 requires_grad=True)
                y = torch.tensor(rng.standard_normal((n_ts, sz, d)), dtype=torch.float32,
                                 requires_grad=both)
                step = _forward_backward(SoftDTWLoss(GAMMA), x, y)
                res = rounds({"fused": _with_matmul_min_dim(2**62, step),
                              "matmul": _with_matmul_min_dim(1, step)}, repeat)
                row.append(f"d = {d}: {res['fused'][0] * 1e3:.1f} / "
                           f"{res['matmul'][0] * 1e3:.1f} ({res['matmul'][1]:.2f})")
            grads = "x and y" if both else "x"
            print(f"  batch {n_ts}, length {sz}, gradients of {grads}: " + ", ".join(row))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sections", nargs="+", default=["overhead", "memory", "speed"],
                        choices=["overhead", "memory", "speed", "dilate", "crossover"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dilate-reference", metavar="DIR",
                        help="a checkout of github.com/vincent-leguen/DILATE, timed beside "
                             "DILATELoss in the section dilate")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {len(os.sched_getaffinity(0))} cores")
    # The overhead first: the peers' numba threads keep spinning after their runs.
    if "overhead" in args.sections:
        bench_overhead(max(args.repeat, 200))
    if "memory" in args.sections:
        bench_memory()
    if "speed" in args.sections:
        bench_speed(args.repeat)
    if "dilate" in args.sections:
        bench_dilate(args.repeat, args.dilate_reference)
    if "crossover" in args.sections:
        bench_crossover(args.repeat)


if __name__ == "__main__":
    main()
