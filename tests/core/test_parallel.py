"""The executor: order kept, failures isolated, same answers serial, process pool and Dask."""

from __future__ import annotations

import math

import pytest

from superionic.parallel import Executor, TaskError, map_tasks, split_failures


def _sqrt(x: float) -> float:
    if x < 0:
        raise ValueError(f"negative input {x}")
    return math.sqrt(x)


ITEMS = [4.0, 9.0, -1.0, 16.0, 25.0, -4.0, 36.0]


@pytest.mark.parametrize("kind", ["serial", "local"])
def test_order_and_failures(kind):
    results = map_tasks(_sqrt, ITEMS, Executor(kind=kind, n_workers=2, progress=False))
    ok, bad = split_failures(results)
    assert [r for _, r in ok] == [2.0, 3.0, 4.0, 5.0, 6.0]
    assert [e.index for e in bad] == [2, 5]
    assert all(isinstance(e, TaskError) and "negative input" in e.error for e in bad)


def test_dask_local_cluster_matches_process_pool():
    import distributed

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        dask_results = Executor(kind="dask", client=client, progress=False).map(_sqrt, ITEMS)
    local = Executor(kind="local", n_workers=2, progress=False).map(_sqrt, ITEMS)
    assert [r if not isinstance(r, TaskError) else r.index for r in dask_results] == \
        [r if not isinstance(r, TaskError) else r.index for r in local]
