"""The campaign layer: runs stages in order, persists their records, resumes after a crash.

A stage is a plain function ``fn(context) -> StageOutput``; it never touches the store. The
campaign writes each stage's rows in one transaction and then marks the stage done in
``stage_runs`` with the hash of its inputs (settings and the outputs of earlier stages). A rerun
skips every stage whose mark matches, so Ctrl-C (or a crash) leaves a campaign that resumes at the
first unfinished stage, and an unchanged rerun writes nothing new.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from superionic.config import Settings
from superionic.records import content_key, jsonable
from superionic.store import Store


@dataclass
class StageOutput:
    """What a stage returns: rows per store table, a JSON summary, and artefacts (file paths)."""

    rows: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    artefacts: dict[str, str] = field(default_factory=dict)


@dataclass
class Context:
    """What stages see: the settings, the summaries of the stages before, and a scratch dict."""

    settings: Settings
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    artefacts: dict[str, dict[str, str]] = field(default_factory=dict)
    store: Store | None = None  # read-only use by stages that need earlier rows (e.g. report)


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[Context], StageOutput]
    description: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)


class Campaign:
    """Run ``stages`` against the store of ``settings`` under ``name``."""

    def __init__(self, settings: Settings, stages: Sequence[Stage], name: str = "default") -> None:
        self.settings = settings
        self.stages = list(stages)
        self.name = name
        self.store = Store(settings.store_url, campaign=name)

    def put(self, table: str, payloads: Sequence[Mapping[str, Any]], provenance: Mapping[str, Any],
            stage: str | None = None, formula_key: str = "formula") -> list[str]:
        """Write rows of a job that stores its own steps as they complete (the active loop's
        rounds), in one transaction; returns their content keys."""
        return self.store.put(table, payloads, provenance, stage=stage, formula_key=formula_key)

    def get(self, table: str, stage: str | None = None) -> list[Any]:
        """Rows of this campaign in ``table`` (optionally of one ``stage``), oldest first."""
        return self.store.get(table, stage=stage)

    def close(self) -> None:
        self.store.close()

    def _settings_fingerprint(self) -> dict[str, Any]:
        s = self.settings
        return jsonable({"mobile_ion": s.mobile_ion, "seed": s.seed, "thresholds": vars(s.thresholds),
                         "weights": vars(s.weights), "data_dir": str(s.data_dir)})

    def _input_hash(self, stage: Stage, ctx: Context) -> str:
        return content_key([stage.name, dict(stage.params), self._settings_fingerprint(),
                            {k: ctx.summaries[k] for k in sorted(ctx.summaries)}])

    def _done_mark(self, stage: Stage, input_hash: str) -> dict[str, Any] | None:
        for row in self.store.get("stage_runs", stage=stage.name):
            if row.payload.get("input_hash") == input_hash and row.payload.get("status") == "done":
                return row.payload
        return None

    def run(self, only: Sequence[str] | None = None,
            on_stage: Callable[[str, str], None] | None = None) -> Context:
        """Run (or resume) the campaign; ``on_stage(name, status)`` reports progress."""
        ctx = Context(settings=self.settings, store=self.store)
        for stage in self.stages:
            if only is not None and stage.name not in only:
                continue
            input_hash = self._input_hash(stage, ctx)
            mark = self._done_mark(stage, input_hash)
            if mark is not None:
                ctx.summaries[stage.name] = mark["summary"]
                ctx.artefacts[stage.name] = mark.get("artefacts", {})
                if on_stage:
                    on_stage(stage.name, "cached")
                continue
            if on_stage:
                on_stage(stage.name, "running")
            start = time.perf_counter()
            out = stage.run(ctx)
            seconds = time.perf_counter() - start
            provenance = {"stage": stage.name, "input_hash": input_hash,
                          "params": dict(stage.params), "settings": self._settings_fingerprint()}
            for table, rows in out.rows.items():
                self.store.put(table, rows, provenance, stage=stage.name)
            summary = jsonable(out.summary)
            self.store.put("stage_runs", [{"stage": stage.name, "input_hash": input_hash,
                                           "status": "done", "summary": summary,
                                           "artefacts": dict(out.artefacts),
                                           "seconds": round(seconds, 3)}],
                           provenance, stage=stage.name, formula_key="none")
            ctx.summaries[stage.name] = summary
            ctx.artefacts[stage.name] = dict(out.artefacts)
            if on_stage:
                on_stage(stage.name, f"done in {seconds:.1f} s")
        return ctx
