"""Fits in several Python threads, reporting the BLAS thread counts as JSON.

Run by ``test_threads.py`` in a fresh interpreter: OpenBLAS ignores the
thread counts that other threads set once the main thread has set one, as
the rest of a test session does. The main thread here never sets one.

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


def overlapping(fit):
    """Run ``fit(hook)`` in two threads, A entering first and leaving first.

    ``fit`` calls ``hook()`` inside its BLAS limit. Returns the BLAS thread
    counts each hook saw.
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

    thread_a = threading.Thread(target=target, args=(hook_a,))
    thread_a.start()
    a_inside.wait(TIMEOUT)
    thread_b = threading.Thread(target=target, args=(hook_b,))
    thread_b.start()
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
    start = blas_threads()
    print(json.dumps({"start": start, "kmeans": overlapping(fit_kmeans),
                      "mlp": overlapping(fit_mlp), "many": many()}))
