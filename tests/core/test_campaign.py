"""The campaign layer: stages persist their rows, a crash resumes at the unfinished stage."""

from __future__ import annotations

import pytest

from superionic.campaign import Campaign, Stage, StageOutput
from superionic.config import Settings


def _settings(tmp_path):
    return Settings(workspace=tmp_path, data_dir=tmp_path)


def test_resume_after_crash_reruns_only_unfinished_stages(tmp_path):
    calls = {"a": 0, "b": 0}
    crash = {"on": True}

    def stage_a(ctx):
        calls["a"] += 1
        return StageOutput(rows={"materials": [{"formula": "LiCl"}, {"formula": "Li2O"}]},
                           summary={"n": 2})

    def stage_b(ctx):
        calls["b"] += 1
        if crash["on"]:
            raise KeyboardInterrupt  # Ctrl-C in the middle of stage b
        return StageOutput(rows={"screen": [{"formula": "LiCl", "score": ctx.summaries["a"]["n"]}]})

    stages = [Stage("a", stage_a), Stage("b", stage_b)]
    with pytest.raises(KeyboardInterrupt):
        Campaign(_settings(tmp_path), stages).run()
    crash["on"] = False
    camp = Campaign(_settings(tmp_path), stages)
    ctx = camp.run()
    assert calls == {"a": 1, "b": 2}
    assert ctx.summaries["a"] == {"n": 2}
    assert camp.store.count("materials") == 2
    assert camp.store.get("screen")[0].payload["score"] == 2
    # an unchanged rerun runs nothing and writes nothing
    Campaign(_settings(tmp_path), stages).run()
    assert calls == {"a": 1, "b": 2}
    assert camp.store.count("stage_runs") == 2


def test_changed_settings_rerun_the_stage(tmp_path):
    calls = []

    def stage(ctx):
        calls.append(ctx.settings.seed)
        return StageOutput(summary={"seed": ctx.settings.seed})

    Campaign(_settings(tmp_path), [Stage("s", stage)]).run()
    Campaign(_settings(tmp_path).replace(seed=5), [Stage("s", stage)]).run()
    assert calls == [0, 5]
