"""What the report reads from the store, gathered once into a typed, read-only view.

The report reads the store only: the last completed run of each stage (its summary, artefacts and
provenance) and the rows that run wrote (ranked screen rows, measured labels). Rows written by an
older run of a stage (other input hash) are left out, so a rerun never mixes two rankings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from superionic.store import Store

#: Famous fast conductors the sanity panel always lists ("not in pool" when absent) ...
CORE_FAMOUS: tuple[str, ...] = (
    "Li10GeP2S12", "Li7P3S11", "Li6PS5Cl", "Li3InCl6", "Li3YBr6", "Li3YCl6", "Li3PS4",
    "Li7La3Zr2O12", "Li3N", "Na3PS4", "Na3SbS4", "Na3Zr2Si2PO12",
)
#: ... and further known conductors it lists only when they are in the pool.
FAMOUS: tuple[str, ...] = CORE_FAMOUS + ("Li3ErCl6", "Li6PS5Br", "Li6PS5I", "Li2ZrCl6",
                                         "Li0.33La0.56TiO3", "Li3ClO", "Na3ClO")


@dataclass(frozen=True)
class StageRecord:
    """The last completed run of one stage."""

    name: str
    summary: Mapping[str, Any]
    artefacts: Mapping[str, str]
    provenance: Mapping[str, Any]
    input_hash: str | None
    seconds: float | None
    created_at: dt.datetime | None


@dataclass(frozen=True)
class CampaignView:
    """Everything the report shows, read from one campaign of a store."""

    campaign: str
    store_url: str
    stages: Mapping[str, StageRecord]
    screen_rows: tuple[Mapping[str, Any], ...] = ()
    labels: tuple[Mapping[str, Any], ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)

    def summary(self, stage: str) -> Mapping[str, Any]:
        rec = self.stages.get(stage)
        return rec.summary if rec else {}

    @property
    def mobile_ion(self) -> str:
        for rec in self.stages.values():
            ion = (rec.provenance.get("settings") or {}).get("mobile_ion")
            if ion:
                return str(ion)
        return "Li"

    @property
    def ranked(self) -> list[Mapping[str, Any]]:
        """Screen rows with a rank, best first (the summary's shortlist when the store has none)."""
        rows = [r for r in self.screen_rows if _int(r.get("rank")) > 0]
        if not rows:
            rows = [c for c in self.summary("screen").get("candidates", []) or []
                    if isinstance(c, Mapping)]
        return sorted(rows, key=lambda r: _int(r.get("rank")) or 10**9)

    def md_entries(self) -> dict[str, Mapping[str, Any]]:
        """MD entries of the md stage by formula."""
        out: dict[str, Mapping[str, Any]] = {}
        for e in self.summary("md").get("md", []) or []:
            if isinstance(e, Mapping) and e.get("formula"):
                out[str(e["formula"])] = e
        return out


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def read_campaign(store: Store) -> CampaignView:
    """The last completed run of every stage and the rows it wrote."""
    latest: dict[str, Any] = {}
    for row in store.get("stage_runs"):  # oldest first: the last completed run of a stage wins
        if row.payload.get("status", "done") == "done" and row.payload.get("stage"):
            latest[row.payload["stage"]] = row
    stages = {
        name: StageRecord(name=name, summary=row.payload.get("summary") or {},
                          artefacts=row.payload.get("artefacts") or {},
                          provenance=row.provenance or {},
                          input_hash=row.payload.get("input_hash"),
                          seconds=row.payload.get("seconds"), created_at=row.created_at)
        for name, row in latest.items()}

    def rows_of(table: str, stage: str) -> tuple[Mapping[str, Any], ...]:
        rows = store.get(table, stage=stage)
        want = stages[stage].input_hash if stage in stages else None
        if want is not None and any(r.provenance.get("input_hash") == want for r in rows):
            rows = [r for r in rows if r.provenance.get("input_hash") == want]
        return tuple(r.payload for r in rows)

    raw = {name: {"summary": rec.summary, "artefacts": rec.artefacts,
                  "provenance": rec.provenance, "input_hash": rec.input_hash,
                  "seconds": rec.seconds,
                  "completed_at": rec.created_at.isoformat() if rec.created_at else None}
           for name, rec in stages.items()}
    return CampaignView(campaign=store.campaign, store_url=redact(store.url), stages=stages,
                        screen_rows=rows_of("screen", "screen"), labels=rows_of("labels", "data"),
                        raw=raw)


def redact(url: str) -> str:
    """A database URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
