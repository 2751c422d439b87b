"""Rounds as store payloads, and the state a campaign resumes from.

A round's payload holds everything needed to audit or redo it: the training set (ids and labels,
in pool order), the surrogate's manifest (class, parameters, seed), the batch with its acquisition
values, the labels (and failures, and oracle details such as the MD activation energy) that came
back, and the metrics. The campaign layer (the CLI) writes one payload per completed round, in one
transaction, so a stored round is always complete; :func:`resume_state` rebuilds the labelled set,
the ids to exclude and the next round number from the stored payloads. This module never touches
the store itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from superionic.active.loop import RoundResult
from superionic.records import content_key, jsonable

#: ``stage`` of active-learning rows in the store's ``al_rounds`` table.
STAGE = "active_loop"


def config_key(config: Mapping[str, Any]) -> str:
    """Content hash of a loop configuration (oracle, acquisition, batch, seed, pool ...)."""
    return content_key(jsonable(dict(config)))


def round_payload(result: RoundResult, known: Mapping[str, float],
                  config: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-safe payload of ``result``; ``known`` maps id -> label for at least its train ids.

    Labels are log10(sigma / S cm^-1) for conductivity campaigns (any target otherwise).
    """
    missing = [i for i in result.train_ids if i not in known]
    if missing:
        raise KeyError(f"round {result.round}: no label for training ids {missing[:5]}")
    return jsonable({
        "round": result.round,
        "config_key": config_key(config),
        "acquisition": config.get("acquisition"),
        "seed": config.get("seed"),
        "train": [[i, float(known[i])] for i in result.train_ids],
        "model": result.model,
        "batch": result.batch_ids,
        "batch_rows": result.batch,
        "acquisition_values": result.acquisition,
        "labels": result.labels,
        "failed": result.failed,
        "details": result.details,
        "metrics": {"n_labelled": result.n_labelled, "pool_mae": result.pool_mae,
                    "best_found": result.best_found, "best_id": result.best_id,
                    "n_top_found": result.n_top_found},
    })


@dataclass
class LoopState:
    """Where a campaign stands: labels known, ids to skip, the next round, the rounds so far."""

    labelled: dict[str, float]
    next_round: int
    failed: dict[str, str] = field(default_factory=dict)
    rounds: list[dict[str, Any]] = field(default_factory=list)


def resume_state(payloads: Iterable[Mapping[str, Any]], config: Mapping[str, Any],
                 seed_labels: Mapping[str, float]) -> LoopState:
    """State after the stored rounds ``payloads`` (any order) of a campaign run with ``config``.

    With no stored round this is the start: ``seed_labels`` and round 1. Raises ``ValueError``
    when a stored round was made with another configuration, when two different payloads claim
    the same round, or when rounds are missing in between.
    """
    key = config_key(config)
    by_round: dict[int, dict[str, Any]] = {}
    for p in payloads:
        if p.get("config_key") != key:
            raise ValueError(f"stored round {p.get('round')} was made with another configuration "
                             "(oracle, acquisition, batch, seed or pool changed); use another "
                             "campaign name or the same options")
        r = int(p["round"])
        if r in by_round and by_round[r] != dict(p):
            raise ValueError(f"two different stored payloads for round {r}")
        by_round[r] = dict(p)
    if not by_round:
        return LoopState(labelled=dict(seed_labels), next_round=1)
    order = sorted(by_round)
    if order != list(range(1, order[-1] + 1)):
        gaps = sorted(set(range(1, order[-1] + 1)) - set(order))
        raise ValueError(f"stored rounds are not consecutive: missing {gaps}")
    labelled = labelled_after([by_round[order[-1]]])
    failed: dict[str, str] = {}
    for r in order:
        failed.update(by_round[r].get("failed", {}))
    failed = {i: why for i, why in failed.items() if i not in labelled}
    return LoopState(labelled=labelled, next_round=order[-1] + 1, failed=failed,
                     rounds=[by_round[r] for r in order])


def round_summary(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The CLI's view of a stored round: round, n_labelled, batch, pool_mae, best_found ..."""
    m = payload["metrics"]
    return {"round": payload["round"], "n_labelled": m["n_labelled"], "batch": payload["batch"],
            "acquisition_values": payload["acquisition_values"], "labels": payload["labels"],
            "failed": payload["failed"], "pool_mae": m["pool_mae"],
            "best_found": m["best_found"], "best_id": m["best_id"],
            "n_top_found": m["n_top_found"], "details": payload.get("details", {})}


def labelled_after(payloads: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """id -> label after the last of ``payloads`` (training set plus that round's labels)."""
    if not payloads:
        return {}
    last = max(payloads, key=lambda p: int(p["round"]))
    out = {str(i): float(v) for i, v in last["train"]}
    out.update({str(i): float(v) for i, v in last["labels"].items()})
    return out
