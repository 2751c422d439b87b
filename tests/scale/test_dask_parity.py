"""Scale-out: the same small campaign ranks identically on the local process pool and on a Dask
LocalCluster (windows over chemical systems and featurisation both go through the executor)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from superionic.features import featurize
from superionic.parallel import Executor
from superionic.screen.score import Weights, composite_score, pareto_objectives, pareto_ranks
from superionic.stability.sources import EntryList
from superionic.stability.window import WindowResult, compute_windows

POOL = ["LiCl", "Li2O", "Li2CO3", "Li3ClO", "LiMnO2", "Li2MnO3", "LiMn2O4", "LiYO2", "K2LiYCl6",
        "Li2O2", "LiNaCO3"]


def _campaign(executor: Executor, entries: EntryList) -> pd.DataFrame:
    windows = compute_windows(POOL, entries, "Li", executor=executor)
    X, _ = featurize(POOL, mobile_ion="Li", mapper=executor.map)
    # a transparent stand-in for predicted conductivity: Magpie mean electronegativity
    # (only the ranking machinery is under test here, not a model)
    table = pd.DataFrame({
        "formula": POOL,
        "esw_width_V": [w.width_V if isinstance(w, WindowResult) else np.nan for w in windows],
        "sigma_S_cm": 10.0 ** -X["MagpieData mean Electronegativity"].to_numpy(),
        "Ea_eV": X["MagpieData avg_dev Electronegativity"].to_numpy(),
    })
    scored = composite_score(table, Weights(1, 1, 1, 0))
    scored["pareto"] = pareto_ranks(pareto_objectives(scored))
    return scored.sort_values(["score", "formula"], ascending=[False, True]).reset_index(drop=True)


@pytest.fixture(scope="module")
def entries(data_dir):
    return EntryList.mp_fixture(data_dir)


def test_local_pool_and_dask_give_identical_rankings(entries):
    local = _campaign(Executor(kind="local", n_workers=2, progress=False), entries)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        dask = _campaign(Executor(kind="dask", client=client, progress=False), entries)
    assert list(local["formula"]) == list(dask["formula"])
    np.testing.assert_array_equal(local["score"].to_numpy(), dask["score"].to_numpy())
    np.testing.assert_array_equal(local["pareto"].to_numpy(), dask["pareto"].to_numpy())
    # and the windows are the physical ones (LiCl 0-4.27 V)
    licl = local.set_index("formula").loc["LiCl", "esw_width_V"]
    assert licl == pytest.approx(4.27, abs=0.05)
