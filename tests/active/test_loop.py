"""The active-learning loop on a synthetic landscape with a known optimum."""

from __future__ import annotations

import numpy as np
import pytest

from superionic.active.loop import default_surrogate, run_rounds
from superionic.active.oracles import CallableOracle, FileOracle, RetrospectiveOracle


def _landscape(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 4))
    y = -3 - 4 * np.sum((X[:, :2] - 0.6) ** 2, axis=1) + 0.05 * rng.normal(size=n)
    ids = [f"c{i}" for i in range(n)]
    return X, y, ids


def _small_forest(seed):
    return default_surrogate(seed, n_estimators=60)


def _queries_to_find_top(acq, seed, X, y, ids, top=5, batch=5):
    truth = dict(zip(ids, y, strict=True))
    threshold = np.sort(y)[-top]
    rng = np.random.default_rng(100 + seed)
    seed_ids = list(rng.choice([i for i, v in zip(ids, y, strict=True) if v < threshold], 20,
                               replace=False))
    labelled = {i: truth[i] for i in seed_ids}
    for res in run_rounds(X, ids, RetrospectiveOracle(truth), labelled, rounds=60,
                          batch_size=batch, acquisition=acq, seed=seed, surrogate=_small_forest,
                          top_threshold=threshold):
        if res.n_top_found == top:
            return res.n_labelled - len(seed_ids)
    return len(ids)


def test_ucb_beats_random_on_a_smooth_landscape():
    X, y, ids = _landscape()
    ucb = np.mean([_queries_to_find_top("ucb", s, X, y, ids) for s in range(3)])
    rnd = np.mean([_queries_to_find_top("random", s, X, y, ids) for s in range(3)])
    assert ucb <= 0.5 * rnd


def test_pool_error_falls_and_labels_accumulate():
    X, y, ids = _landscape()
    truth = dict(zip(ids, y, strict=True))
    labelled = {i: truth[i] for i in ids[:10]}
    rounds = list(run_rounds(X, ids, RetrospectiveOracle(truth), labelled, rounds=6,
                             batch_size=10, acquisition="uncertainty", truth=truth,
                             surrogate=_small_forest))
    assert [r.n_labelled for r in rounds] == [20, 30, 40, 50, 60, 70]
    assert rounds[-1].pool_mae < rounds[0].pool_mae
    assert len({i for r in rounds for i in r.batch_ids}) == 60  # nothing queried twice


def test_resume_gives_the_same_rounds():
    X, y, ids = _landscape(200)
    truth = dict(zip(ids, y, strict=True))
    seed = {i: truth[i] for i in ids[:15]}
    full = list(run_rounds(X, ids, RetrospectiveOracle(truth), seed, rounds=4, batch_size=5,
                     surrogate=_small_forest))
    first = list(run_rounds(X, ids, RetrospectiveOracle(truth), seed, rounds=2, batch_size=5,
                      surrogate=_small_forest))
    known = dict(seed)
    for r in first:
        known.update(r.labels)
    rest = list(run_rounds(X, ids, RetrospectiveOracle(truth), known, rounds=2, batch_size=5,
                           start_round=3, surrogate=_small_forest))
    assert [r.batch_ids for r in first + rest] == [r.batch_ids for r in full]


def test_failed_labels_are_reported_not_fatal():
    X, y, ids = _landscape(100)

    def md(cid):
        if cid.endswith("7"):
            raise RuntimeError("MD diverged")
        return float(y[int(cid[1:])])

    res = next(run_rounds(X, ids, CallableOracle(md), {i: y[k] for k, i in enumerate(ids[:10])},
                          rounds=1, batch_size=20, acquisition="uncertainty",
                          surrogate=_small_forest))
    assert all("MD diverged" in v for v in res.failed.values())
    assert len(res.labels) + len(res.failed) == 20


def test_file_oracle(tmp_path):
    path = tmp_path / "measured.csv"
    path.write_text("formula,sigma_S_cm\nLi3ClO,1e-3\nLiCl,1e-9\n")
    labels, pending = FileOracle(path).label(["Li3ClO", "Li2O"])
    assert labels == {"Li3ClO": pytest.approx(-3.0)}
    assert "Li2O" in pending
    bad = tmp_path / "bad.csv"
    bad.write_text("formula,conductivity\nLiCl,1e-3\n")
    with pytest.raises(ValueError, match="bad.csv.*units"):
        FileOracle(bad).read()
    neg = tmp_path / "neg.csv"
    neg.write_text("formula,sigma_S_cm\nLiCl,-1\n")
    with pytest.raises(ValueError, match="neg.csv:2"):
        FileOracle(neg).read()


def test_pipeline_spread_is_the_per_tree_spread_of_its_forest():
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    from superionic.active.loop import predict_mean_std

    X, y, _ = _landscape(120)
    X[::7, 1] = np.nan
    pipe = make_pipeline(SimpleImputer(), RandomForestRegressor(30, random_state=0)).fit(X, y)
    mean, std = predict_mean_std(pipe, X[:20])
    trees = np.stack([t.predict(pipe[0].transform(X[:20])) for t in pipe[-1].estimators_])
    np.testing.assert_allclose(mean, pipe.predict(X[:20]))
    np.testing.assert_allclose(std, trees.std(axis=0))


def test_failed_candidates_are_not_proposed_again_unless_retried():
    X, y, ids = _landscape(80)
    labelled = {i: y[k] for k, i in enumerate(ids[:10])}

    def md(cid):
        if int(cid[1:]) % 2:
            raise RuntimeError("MD diverged")
        return float(y[int(cid[1:])])

    rounds = list(run_rounds(X, ids, CallableOracle(md), labelled, rounds=4, batch_size=8,
                             acquisition="uncertainty", exclude={"c11"},
                             surrogate=_small_forest))
    proposed = [i for r in rounds for i in r.batch_ids]
    assert len(proposed) == len(set(proposed)) == 32 and "c11" not in proposed
    retried = list(run_rounds(X, ids, CallableOracle(md), labelled, rounds=3, batch_size=8,
                              acquisition="greedy", diversity=False, retry_failed=True,
                              surrogate=_small_forest))
    failed_once = set(retried[0].failed)
    assert failed_once and failed_once <= set(retried[1].batch_ids)  # greedy asks again
