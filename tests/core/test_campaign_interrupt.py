"""The campaign layer: stages run in order, are stored, and an interrupted campaign resumes."""

from __future__ import annotations

from collections import Counter

import pytest

from superionic.campaign import Campaign, Context, Stage, StageOutput
from superionic.config import load_settings


def _plan(calls: Counter, fail_at: set[str], scale: float = 1.0) -> list[Stage]:
    def data(ctx: Context) -> StageOutput:
        calls["data"] += 1
        rows = [{"formula": f, "log10_sigma_S_cm": -3.0 * scale} for f in ("Li3ClO", "Li2S")]
        return StageOutput(rows={"labels": rows}, summary={"n": len(rows), "scale": scale})

    def models(ctx: Context) -> StageOutput:
        calls["models"] += 1
        if "models" in fail_at:
            fail_at.discard("models")
            raise KeyboardInterrupt  # Ctrl-C in the middle of the stage
        return StageOutput(summary={"n_seen": ctx.summaries["data"]["n"] * 10})

    def report(ctx: Context) -> StageOutput:
        calls["report"] += 1
        return StageOutput(summary={"total": ctx.summaries["models"]["n_seen"] + 1})

    return [Stage("data", data, params={"scale": scale}), Stage("models", models),
            Stage("report", report)]


@pytest.fixture()
def settings(tmp_path):
    return load_settings(workspace=tmp_path)


def test_interrupted_campaign_resumes_at_the_unfinished_stage(settings) -> None:
    calls: Counter = Counter()
    fail = {"models"}
    with pytest.raises(KeyboardInterrupt):
        Campaign(settings, _plan(calls, fail)).run()
    assert calls == Counter(data=1, models=1)
    store = Campaign(settings, []).store
    assert store.count("labels") == 2 and store.count("stage_runs") == 1

    statuses: list[tuple[str, str]] = []
    ctx = Campaign(settings, _plan(calls, fail)).run(on_stage=lambda s, st: statuses.append((s, st)))
    assert calls == Counter(data=1, models=2, report=1)  # data was not run again
    assert statuses[0] == ("data", "cached")
    assert ctx.summaries["report"] == {"total": 21}
    assert store.count("labels") == 2 and store.count("stage_runs") == 3

    # an unchanged rerun computes and writes nothing
    Campaign(settings, _plan(calls, fail)).run()
    assert calls == Counter(data=1, models=2, report=1)
    assert store.count("stage_runs") == 3 and store.count("labels") == 2


def test_changed_parameters_rerun_the_stage_and_what_depends_on_it(settings) -> None:
    calls: Counter = Counter()
    Campaign(settings, _plan(calls, set())).run()
    Campaign(settings, _plan(calls, set(), scale=2.0)).run()
    # data's params changed -> data reruns; its summary changed -> models and report rerun too
    assert calls == Counter(data=2, models=2, report=2)
    done = Campaign(settings, []).store.get("stage_runs", stage="data")
    assert [r.payload["summary"]["scale"] for r in done] == [1.0, 2.0]


def test_campaigns_in_one_store_are_separate(settings) -> None:
    calls: Counter = Counter()
    Campaign(settings, _plan(calls, set()), name="a").run()
    Campaign(settings, _plan(calls, set()), name="b").run()
    assert calls == Counter(data=2, models=2, report=2)
    assert Campaign(settings, [], name="a").store.count("labels") == 2
