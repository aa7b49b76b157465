"""Pairwise matrices and batches computed by blocks on a Dask cluster.

A LocalCluster of two single-threaded workers on the loopback interface
stands for a real cluster; every result must equal the single-machine
computation exactly. Skipped when dask.distributed is not installed
(``pip install "sksoftdtw[distributed]"``).
"""
import warnings

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

distributed = pytest.importorskip("distributed")

from sksoftdtw import (
    SoftDTWKMeans,
    cdist_dtw,
    cdist_sharp_soft_dtw_divergence,
    cdist_soft_dtw,
    cdist_soft_dtw_divergence,
    parallel,
    soft_dtw_batch,
)
from sksoftdtw.parallel import (
    batch_blocks,
    cdist_blocks,
    distributed_backend_active,
)

N_WORKERS = 2


def _cluster(processes):
    return distributed.LocalCluster(
        n_workers=N_WORKERS, threads_per_worker=1, processes=processes,
        host="127.0.0.1", protocol="tcp", dashboard_address=None,
    )


@pytest.fixture(scope="module")
def client():
    with _cluster(processes=False) as cluster, distributed.Client(cluster) as client:
        yield client


def ragged(n, d=2, seed=0):
    """Random walks of lengths 5 to 11, some long enough to need the log domain."""
    rng = np.random.RandomState(seed)
    return [np.cumsum(rng.randn(m, d), axis=0) for m in rng.randint(5, 12, n)]


def run_on_cluster(client, compute):
    """Result of ``compute()`` under joblib's Dask backend, and the workers used."""
    with joblib.parallel_config(backend="dask"), distributed.get_task_stream(client) as ts:
        result = compute()
    return result, {task["worker"] for task in ts.data}


CDISTS = [
    (cdist_soft_dtw, {"gamma": 0.1, "sakoe_chiba_radius": 3}),
    (cdist_dtw, {"sakoe_chiba_radius": None}),
    (cdist_soft_dtw_divergence, {"gamma": 1.0}),
]


@pytest.mark.parametrize("symmetric", [True, False], ids=["Y=None", "Y"])
@pytest.mark.parametrize("func, kwargs", CDISTS, ids=lambda v: getattr(v, "__name__", ""))
def test_cdist_blocks_on_the_cluster_equal_the_local_matrix(client, func, kwargs,
                                                            symmetric):
    X, Y = ragged(13), (None if symmetric else ragged(9, seed=1))
    D, workers = run_on_cluster(client, lambda: cdist_blocks(func, X, Y, block_size=4,
                                                             **kwargs))
    assert workers and workers <= set(client.scheduler_info()["workers"])
    assert_array_equal(D, func(X, Y, **kwargs))


# What the probes saw, task by task. The probes are module-level functions, so
# that the workers (threads of this process) run them, not pickled copies.
_CALLS = []


def _probe(Xb, Yb, **kwargs):
    """cdist_soft_dtw on a block, recording the sizes of the block."""
    distributed.get_worker()  # raises unless running on a worker
    assert not distributed_backend_active()  # a block never splits again
    _CALLS.append((len(Xb), len(Xb) if Yb is None else len(Yb)))
    return cdist_soft_dtw(Xb, Yb, **kwargs)


def test_each_task_gets_its_blocks_only(client):
    X = np.cumsum(np.random.RandomState(0).randn(23, 10, 1), axis=1)
    block_size = 5
    _CALLS.clear()
    D, _ = run_on_cluster(client, lambda: cdist_blocks(_probe, X, block_size=block_size))
    assert_array_equal(D, cdist_soft_dtw(X))
    n_blocks = -(-len(X) // block_size)
    assert len(_CALLS) == n_blocks * (n_blocks + 1) // 2  # on and above the diagonal
    assert max(max(c) for c in _CALLS) <= block_size


def test_default_blocks_give_every_worker_several_tasks(client, monkeypatch):
    # Pretend that tiny blocks are worth a task, to test on tiny data.
    monkeypatch.setattr(parallel, "_MIN_CELLS_PER_TASK", 1)
    X = ragged(30)
    _CALLS.clear()
    D, _ = run_on_cluster(client, lambda: cdist_blocks(_probe, X, X))
    assert_array_equal(D, cdist_soft_dtw(X, X))
    assert len(_CALLS) >= 2 * N_WORKERS and max(max(c) for c in _CALLS) < len(X)


def test_default_blocks_of_a_narrow_matrix_split_its_long_side(client, monkeypatch):
    monkeypatch.setattr(parallel, "_MIN_CELLS_PER_TASK", 1)
    X, centroids = ragged(40), ragged(2, seed=1)  # the assignment step of k-means
    _CALLS.clear()
    D, _ = run_on_cluster(client, lambda: cdist_blocks(_probe, X, centroids))
    assert_array_equal(D, cdist_soft_dtw(X, centroids))
    assert len(_CALLS) >= 2 * N_WORKERS
    assert {c[1] for c in _CALLS} == {2}


def test_small_computations_are_not_sent(client):
    X = ragged(12)  # far fewer cells than a task is worth
    D, workers = run_on_cluster(client, lambda: cdist_blocks(cdist_soft_dtw, X, gamma=0.1))
    assert_array_equal(D, cdist_soft_dtw(X, gamma=0.1))
    assert not workers
    values, workers = run_on_cluster(client, lambda: batch_blocks(soft_dtw_batch, X, X))
    assert_array_equal(values, soft_dtw_batch(X, X))
    assert not workers


@pytest.mark.parametrize("return_grad", [None, "x", "both"])
def test_batch_blocks_on_the_cluster_equal_the_local_batch(client, return_grad):
    X, Y = ragged(11), ragged(11, seed=1)
    kw = {"gamma": 0.2, "sakoe_chiba_radius": 4, "return_grad": return_grad}
    result, workers = run_on_cluster(client, lambda: batch_blocks(soft_dtw_batch, X, Y,
                                                                  block_size=3, **kw))
    expected = soft_dtw_batch(X, Y, **kw)
    assert workers
    if return_grad is None:
        assert_array_equal(result, expected)
        return
    assert len(result) == len(expected)
    assert_array_equal(result[0], expected[0])
    # The kernels group the pairs of a chunk in SIMD lanes differently from
    # those of the whole batch, which may change the last bits of gradients.
    for got, want in zip(result[1:], expected[1:]):
        assert isinstance(got, list) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def test_errors_on_the_workers_reach_the_caller(client):
    with pytest.raises(ValueError, match="gamma"):
        run_on_cluster(client, lambda: cdist_blocks(cdist_soft_dtw, ragged(6), gamma=-1.0,
                                                    block_size=2))


def _active_on_a_worker():
    # joblib runs its tasks on the workers inside this same context.
    with joblib.parallel_config(backend="dask"):
        return distributed_backend_active()


def test_distributed_backend_active(client):
    assert not distributed_backend_active()
    with joblib.parallel_config(backend="dask"):
        assert distributed_backend_active()
    for local in ("threading", "loky", "sequential"):
        with joblib.parallel_config(backend=local):
            assert not distributed_backend_active()
    # On a worker, calls stay there: the cluster is already in use.
    assert client.submit(_active_on_a_worker).result() is False


def test_grid_search_spreads_its_candidates_over_the_cluster(client):
    X = np.stack([np.roll(np.hanning(12), s) for s in range(9)])
    search = GridSearchCV(SoftDTWKMeans(n_clusters=2, max_iter=2, max_iter_barycenter=5,
                                        random_state=0),
                          {"gamma": [0.01, 1.0]}, cv=3)
    local = clone(search).fit(X)
    remote, workers = run_on_cluster(client, lambda: search.fit(X))
    assert workers
    assert_array_equal(remote.cv_results_["mean_test_score"],
                       local.cv_results_["mean_test_score"])


def test_cluster_of_processes():
    """Blocks and functions travel to other processes (pickled), results unchanged."""
    X = ragged(10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. about a busy dashboard port
        with _cluster(processes=True) as cluster, distributed.Client(cluster) as client:
            D, workers = run_on_cluster(
                client, lambda: cdist_blocks(cdist_soft_dtw, X, block_size=4, gamma=0.1))
    assert len(workers) >= 1
    assert_array_equal(D, cdist_soft_dtw(X, gamma=0.1))


@pytest.mark.parametrize("func, kwargs", CDISTS, ids=lambda v: getattr(v, "__name__", ""))
def test_metrics_run_by_blocks_under_the_dask_backend(client, func, kwargs, monkeypatch):
    monkeypatch.setattr(parallel, "_MIN_CELLS_PER_TASK", 1)
    X = ragged(12)
    D, workers = run_on_cluster(client, lambda: func(X, **kwargs))
    assert_array_equal(D, func(X, **kwargs))
    assert workers


def test_kmeans_steps_run_on_the_cluster(client, monkeypatch):
    monkeypatch.setattr(parallel, "_MIN_CELLS_PER_TASK", 1)
    X = np.stack([np.roll(np.hanning(12), s) for s in range(8)])
    params = {"n_clusters": 2, "gamma": 0.1, "max_iter": 3, "max_iter_barycenter": 5,
              "random_state": 0}
    local = SoftDTWKMeans(**params).fit(X)
    remote, workers = run_on_cluster(client, lambda: SoftDTWKMeans(**params).fit(X))
    # Gradients computed by chunks agree to rounding (see above).
    assert_allclose(remote.cluster_centers_, local.cluster_centers_, rtol=1e-9, atol=1e-9)
    assert_array_equal(remote.labels_, local.labels_)
    assert workers


# Calls of the decorated functions, each given by position and keyword.
SCALED_OUT = {
    "cdist_soft_dtw, gamma by position": lambda X: cdist_soft_dtw(X, None, 0.1,
                                                                  sakoe_chiba_radius=3),
    "cdist_sharp_soft_dtw_divergence": lambda X: cdist_sharp_soft_dtw_divergence(X, X[:5],
                                                                                 gamma=0.5),
    "soft_dtw_batch, gradients": lambda X: soft_dtw_batch(X, X[::-1], 0.1, return_grad="both"),
}


@pytest.mark.parametrize("call", SCALED_OUT.values(), ids=SCALED_OUT.keys())
def test_every_scaled_out_function_runs_by_blocks_with_its_arguments(client, call,
                                                                      monkeypatch):
    monkeypatch.setattr(parallel, "_MIN_CELLS_PER_TASK", 1)
    X = ragged(12)
    got, workers = run_on_cluster(client, lambda: call(X))
    expected = call(X)
    assert workers
    if isinstance(expected, tuple):  # gradients: to rounding (see above)
        assert_array_equal(got[0], expected[0])
        for g, w in zip([a for grads in got[1:] for a in grads],
                        [a for grads in expected[1:] for a in grads]):
            assert_allclose(g, w, rtol=1e-12, atol=1e-12)
    else:
        assert_array_equal(got, expected)


@parallel.distributed(batch_blocks)
def _first_points(X, Y, scale=1.0, *, n_jobs=None):
    """The difference of the first points of each pair, recording its calls."""
    _CALLS.append((len(X), distributed_backend_active()))
    return scale * (np.reshape(X, (len(X), -1))[:, 0] - np.reshape(Y, (len(Y), -1))[:, 0])


def test_the_decorator_splits_only_under_a_cluster_backend(client, monkeypatch):
    monkeypatch.setattr(parallel, "_MIN_CELLS_PER_TASK", 1)
    X, Y = np.arange(24.0).reshape(8, 3), np.ones((8, 2))
    _CALLS.clear()
    assert_array_equal(_first_points(X, Y, 2.0), 2.0 * (X[:, 0] - 1.0))
    assert _CALLS == [(8, False)]  # one call, here
    _CALLS.clear()
    got, workers = run_on_cluster(client, lambda: _first_points(X, Y, 2.0))
    assert_array_equal(got, 2.0 * (X[:, 0] - 1.0))
    assert workers and len(_CALLS) > 1 and sum(n for n, _ in _CALLS) == len(X)
    assert not any(active for _, active in _CALLS)  # a block never splits again
    assert _first_points.__name__ == "_first_points" and "first points" in _first_points.__doc__
