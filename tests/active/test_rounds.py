"""Round persistence: a campaign interrupted by a crash resumes from its last stored round and
gives exactly the rounds of an uninterrupted run."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from superionic.active.job import run_stored_rounds
from superionic.active.loop import default_surrogate
from superionic.active.oracles import RetrospectiveOracle
from superionic.active.rounds import STAGE, config_key, resume_state
from superionic.store import Store


def _landscape(n: int = 150, seed: int = 1) -> tuple[np.ndarray, np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 3))
    y = -3 - 3 * np.sum((X[:, :2] - 0.5) ** 2, axis=1) + 0.05 * rng.normal(size=n)
    return X, y, [f"c{i}" for i in range(n)]


class CrashingOracle(RetrospectiveOracle):
    """Held-back labels, but the ``crash_on``-th call dies (a node lost mid-round)."""

    def __init__(self, truth: dict[str, float], crash_on: int) -> None:
        super().__init__(truth)
        self.calls, self.crash_on = 0, crash_on

    def label(self, ids: Sequence[str]) -> tuple[dict[str, float], dict[str, str]]:
        self.calls += 1
        if self.calls == self.crash_on:
            raise RuntimeError("worker node lost")
        return super().label(ids)


CONFIG = {"oracle": "retrospective", "acquisition": "ucb", "batch": 6, "seed": 3}


def _run(store: Store, oracle, X, ids, seed_labels, truth, rounds: int, resume: bool,
         acquisition: str = "ucb"):
    """The loop's stored-rounds driver (superionic.active.job) with a small forest (60 trees)."""
    config = {**CONFIG, "acquisition": acquisition}
    resumed_after, payloads, _ = run_stored_rounds(
        store, config, X, ids, oracle, seed_labels, rounds, resume, truth=truth, batch_size=6,
        acquisition=acquisition, seed=3, surrogate=lambda s: default_surrogate(s, 60))
    return resumed_after, payloads


@pytest.mark.parametrize("acquisition", ["ucb", "random"])
def test_crash_in_round_3_then_resume_matches_uninterrupted(tmp_path, acquisition) -> None:
    X, y, ids = _landscape()
    truth = dict(zip(ids, y.tolist(), strict=True))
    seed_labels = {i: truth[i] for i in ids[::15]}
    args = (X, ids, seed_labels, truth, 5)
    ref_store = Store(f"sqlite:///{tmp_path / 'ref.db'}", campaign="c")
    _, ref = _run(ref_store, RetrospectiveOracle(truth), *args, False, acquisition)

    store = Store(f"sqlite:///{tmp_path / 'crash.db'}", campaign="c")
    with pytest.raises(RuntimeError, match="node lost"):
        _run(store, CrashingOracle(truth, crash_on=3), *args, False, acquisition)
    assert sorted(r.payload["round"] for r in store.get("al_rounds", stage=STAGE)) == [1, 2]
    with pytest.raises(ValueError, match="resume=True"):  # no silent restart over stored rounds
        _run(store, RetrospectiveOracle(truth), *args, False, acquisition)
    resumed_after, again = _run(store, RetrospectiveOracle(truth), *args, True, acquisition)
    assert resumed_after == 2
    assert [p["round"] for p in again] == [1, 2, 3, 4, 5]
    assert again == ref  # batches, acquisition values, labels, models and metrics identical
    assert store.count("al_rounds", stage=STAGE) == 5
    assert config_key({**CONFIG, "acquisition": acquisition}) == again[0]["config_key"]


def test_payload_holds_training_set_model_and_metrics(tmp_path) -> None:
    X, y, ids = _landscape(80)
    truth = dict(zip(ids, y.tolist(), strict=True))
    seed_labels = {i: truth[i] for i in ids[:10]}
    store = Store(f"sqlite:///{tmp_path / 's.db'}", campaign="c")
    _, payloads = _run(store, RetrospectiveOracle(truth), X, ids, seed_labels, truth, 2, False)
    first, second = payloads
    assert dict(map(tuple, first["train"])) == seed_labels
    # round 2 trains on the seed plus round 1's batch, with the true labels
    assert dict(map(tuple, second["train"])) == {**seed_labels, **first["labels"]}
    assert first["model"]["params"]["n_estimators"] == 60 and first["model"]["seed"] == 3 + 1
    assert len(first["batch"]) == len(first["acquisition_values"]) == 6
    assert first["acquisition_values"] == sorted(first["acquisition_values"], reverse=True)
    assert first["metrics"]["n_labelled"] == 16 and first["metrics"]["pool_mae"] > 0
    state = resume_state(payloads, CONFIG, seed_labels)
    assert state.next_round == 3 and len(state.labelled) == 22


def test_resume_state_refuses_mismatched_or_gapped_rounds() -> None:
    payload = {"round": 1, "config_key": config_key(CONFIG), "train": [["a", 1.0]],
               "labels": {"b": 2.0}, "failed": {"c": "MD diverged"}}
    state = resume_state([payload], CONFIG, {"a": 1.0})
    assert state.labelled == {"a": 1.0, "b": 2.0} and state.failed == {"c": "MD diverged"}
    with pytest.raises(ValueError, match="another configuration"):
        resume_state([payload], {**CONFIG, "batch": 7}, {})
    with pytest.raises(ValueError, match="missing \\[2\\]"):
        resume_state([payload, {**payload, "round": 3}], CONFIG, {})
    with pytest.raises(ValueError, match="two different"):
        resume_state([payload, {**payload, "labels": {"b": 3.0}}], CONFIG, {})
    assert resume_state([], CONFIG, {"a": 1.0}).next_round == 1
