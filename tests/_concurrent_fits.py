"""Fits in several Python threads, reporting the BLAS thread counts as JSON.

Run by ``test_threads.py`` in a fresh interpreter: OpenBLAS lets only the
first thread that sets a thread count change it while that thread lives, and
in a test session the main thread has set one long before.

Two fits overlap in the worst order for a limit that records and restores
per call: fit A enters, fit B enters (and sees A's limit), A leaves, B
leaves last, restoring what it saw on entering.
"""
import json
import threading

import numpy as np
from threadpoolctl import threadpool_info

from sksoftdtw import MLPRegressor, SoftDTWKMeans

TIMEOUT = 60


def blas_threads():
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def overlapping(fit, a_in_main_thread=False):
    """Run ``fit(hook)`` twice, A entering first and leaving first.

    B runs in a new thread, A too unless `a_in_main_thread`. ``fit`` calls
    ``hook()`` inside its BLAS limit. Returns the BLAS thread counts each
    hook saw, and those after both fits.
    """
    a_inside, b_inside, a_done = threading.Event(), threading.Event(), threading.Event()
    seen, errors = {}, []

    def hook_a():
        seen["a"] = blas_threads()
        a_inside.set()
        b_inside.wait(TIMEOUT)

    def hook_b():
        seen["b"] = blas_threads()
        b_inside.set()
        a_done.wait(TIMEOUT)

    def target(hook):
        try:
            fit(hook)
        except BaseException as exc:  # reported, and the other thread released
            errors.append(repr(exc))
            a_inside.set(), b_inside.set(), a_done.set()

    thread_b = threading.Thread(target=lambda: (a_inside.wait(TIMEOUT), target(hook_b)))
    thread_b.start()
    if a_in_main_thread:
        target(hook_a)
    else:
        thread_a = threading.Thread(target=target, args=(hook_a,))
        thread_a.start()
        thread_a.join(TIMEOUT)
    a_done.set()
    thread_b.join(TIMEOUT)
    return {"seen": seen, "errors": errors, "after": blas_threads()}


def fit_kmeans(hook):
    X = np.random.RandomState(0).randn(6, 10, 1)

    def init(X, k, rng):
        hook()
        return X[:k]

    SoftDTWKMeans(2, init=init, max_iter=2, max_iter_barycenter=3).fit(X)


class HookedMLP(MLPRegressor):
    """An MLP calling ``self.hook()`` once its solver starts."""

    def _fit_lbfgs(self, X, Y, layer_units):
        self.hook()
        return super()._fit_lbfgs(X, Y, layer_units)


def fit_mlp(hook):
    rng = np.random.RandomState(0)
    model = HookedMLP((3,), max_iter=3, random_state=0)
    model.hook = hook
    model.fit(rng.randn(8, 5), rng.randn(8, 4))


def many(n_threads=4, n_fits=3):
    """Both estimators fitted over and over in `n_threads` threads at once."""
    errors = []

    def work(k):
        try:
            for _ in range(n_fits):
                (fit_kmeans if k % 2 else fit_mlp)(lambda: None)
        except BaseException as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    return {"errors": errors, "after": blas_threads()}


if __name__ == "__main__":
    report = {"start": blas_threads()}
    for name, fit in (("kmeans", fit_kmeans), ("mlp", fit_mlp)):
        report[name] = overlapping(fit)
        report[f"{name}_main"] = overlapping(fit, a_in_main_thread=True)
    report["many"] = many()
    print(json.dumps(report))
