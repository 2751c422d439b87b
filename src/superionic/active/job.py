"""The active-learning job: one frozen object that runs a stored, resumable campaign of rounds.

:class:`ActiveLoop` holds the loop's settings (oracle kind, acquisition, batch size, seed ...);
``ActiveLoop.run(pool, oracle, start_labels, rounds, campaign=...)`` returns a
:class:`LoopResult` whose ``to_rows()`` are the store rows (one payload per round). With a
``campaign`` (a :class:`~superionic.campaign.Campaign`, or anything with its ``put``/``get``) each
round is written as soon as it completes, in one transaction, and ``resume=True`` continues after
the last stored round; without one the rounds are only returned (``discover``'s active stage, whose
rows the campaign writes at the end of the stage).

:func:`build_problem` turns the inputs of a campaign (labels, training labels, candidates) into a
:class:`LoopProblem`; :func:`make_oracle` builds the oracle of a kind. Both ``superionic loop``
and ``superionic discover`` call these objects; neither builds its own loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from superionic.records import Rejection, content_key


class OracleKind(StrEnum):
    """Who labels the batch: held-back known labels, a file of measurements, or MD."""

    RETROSPECTIVE = "retrospective"
    FILE = "file"
    MD = "md"


class StoredRoundsError(ValueError):
    """Rounds of this campaign are already stored and ``resume`` was not asked for."""


class RoundSink(Protocol):
    """Where rounds are written: :class:`~superionic.campaign.Campaign` (or a Store)."""

    def put(self, table: str, payloads: Any, provenance: Mapping[str, Any],
            stage: str | None = None, formula_key: str = "formula") -> Any: ...

    def get(self, table: str, stage: str | None = None) -> list[Any]: ...


@dataclass(frozen=True)
class LoopProblem:
    """The pool of a campaign: ids and formulas (pool order), the labels known at the start
    (log10 sigma / S cm^-1), the held-back truth (retrospective only), the top-1 % threshold,
    structures (MD oracle), rejected input rows and where the labels came from."""

    ids: tuple[str, ...]
    formulas: tuple[str, ...]
    start_labels: Mapping[str, float]
    labels_source: str
    truth: Mapping[str, float] | None = None
    top_threshold_log10_S_cm: float | None = None
    structures: Mapping[str, Any] = field(default_factory=dict)
    md_overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    rejected: tuple[Rejection, ...] = ()


def merged_labels(data_dir: Path, mobile_ion: str) -> dict[str, float]:
    """Merged experimental log10 sigma (S/cm) per reduced formula (superionic.data.merge)."""
    from superionic.active.pool import labels_from_table
    from superionic.data.merge import merged_conductivity_labels

    return labels_from_table(merged_conductivity_labels(data_dir, mobile_ion=mobile_ion))


def build_problem(oracle: OracleKind | str, data_dir: Path, mobile_ion: str = "Li", *,
                  labels: Path | None = None, train: Path | None = None,
                  candidates: Path | None = None, seed_fraction: float = 0.05,
                  seed: int = 0) -> LoopProblem:
    """The :class:`LoopProblem` of a campaign.

    ``retrospective``: ``labels`` (CSV formula,log10_sigma_S_cm or sigma_S_cm; default the merged
    experimental labels of ``data_dir``) is the known set; ``seed_fraction`` of it (none in the
    top 1 %) is labelled at the start. ``file`` / ``md``: ``train`` (default the merged labels)
    starts the model, ``candidates`` (CSV or folder of CIFs) is what may be labelled.
    Raises ``ValueError`` naming the parameter that is missing or the file that is wrong.
    """
    from superionic.active.candidates import read_candidates
    from superionic.active.oracles import FileOracle
    from superionic.active.pool import seed_split, top_threshold

    kind = OracleKind(oracle)
    if kind is OracleKind.RETROSPECTIVE:
        known = FileOracle(labels).read() if labels else merged_labels(data_dir, mobile_ion)
        if len(known) < 10:
            raise ValueError(f"{labels or 'merged labels'}: only {len(known)} labelled compounds")
        threshold = top_threshold(known, 0.01)
        start, _ = seed_split(known, seed_fraction, seed,
                              avoid=[i for i, v in known.items() if v >= threshold])
        return LoopProblem(ids=tuple(sorted(known)), formulas=tuple(sorted(known)),
                           start_labels=start, truth=known, top_threshold_log10_S_cm=threshold,
                           labels_source=str(labels or "merged experimental labels"))
    if candidates is None:
        raise ValueError(f"oracle {kind.value!r} needs candidates (a CSV or a folder of CIFs)")
    if kind is OracleKind.FILE and labels is None:
        raise ValueError("oracle 'file' needs labels: the measurements file (formula and "
                         "log10_sigma_S_cm or sigma_S_cm)")
    base = FileOracle(train).read() if train else merged_labels(data_dir, mobile_ion)
    cands = read_candidates(candidates, data_dir, need_structures=kind is OracleKind.MD)
    new = [(c, f) for c, f in zip(cands.ids, cands.formulas, strict=True) if c not in base]
    rejected = [*cands.rejected, *(
        Rejection(str(candidates), None, f"candidate {c!r} is already in the training labels "
                  f"({base[c]:.2f} log10 S/cm): not queried; give it another id to label it again")
        for c in cands.ids if c in base)]
    if not new:
        raise ValueError(f"{candidates}: no candidate outside the training labels")
    return LoopProblem(ids=(*sorted(base), *(c for c, _ in new)),
                       formulas=(*sorted(base), *(f for _, f in new)), start_labels=base,
                       structures=cands.structures, md_overrides=cands.md_overrides,
                       rejected=tuple(rejected),
                       labels_source=str(train or "merged experimental labels"))


def make_oracle(kind: OracleKind | str, problem: LoopProblem, *, labels: Path | None = None,
                workdir: Path | None = None, md_settings: Any = None, mobile_ion: str = "Li",
                progress: bool = False) -> Any:
    """The oracle of ``kind``: anything with ``label(ids) -> (labels, failed)``."""
    from superionic.active.oracles import FileOracle, RetrospectiveOracle

    kind = OracleKind(kind)
    if kind is OracleKind.RETROSPECTIVE:
        return RetrospectiveOracle(dict(problem.truth or {}))
    if kind is OracleKind.FILE:
        if labels is None:
            raise ValueError("oracle 'file' needs labels: the measurements file")
        return FileOracle(labels)
    from superionic.active.md_oracle import MDOracle

    if workdir is None:
        raise ValueError("oracle 'md' needs workdir (where the MD runs are kept)")
    return MDOracle(dict(problem.structures), workdir, md_settings, mobile_ion,
                    progress=progress, overrides=dict(problem.md_overrides) or None)


@dataclass(frozen=True)
class LoopResult:
    """What a run of :class:`ActiveLoop` leaves: every round of the campaign (stored ones first)
    as store payloads, the typed results of the rounds run now, and where it resumed."""

    payloads: tuple[Mapping[str, Any], ...]
    results: tuple[Any, ...]  # superionic.active.loop.RoundResult of the rounds run in this call
    resumed_after: int
    n_pool: int
    n_start_labels: int

    def to_rows(self) -> list[dict[str, Any]]:
        """Store rows of table ``al_rounds``: one payload per round."""
        return [dict(p) for p in self.payloads]

    def round_summaries(self) -> list[dict[str, Any]]:
        """Per round: round, n_labelled, batch, labels, failed, pool_mae, best_found ..."""
        from superionic.active.rounds import round_summary

        return [round_summary(p) for p in self.payloads]


@dataclass(frozen=True)
class ActiveLoop:
    """A campaign of active-learning rounds: choose a batch by ``acquisition``, label it with the
    oracle, retrain a random-forest surrogate (``n_trees``), ``batch_size`` per round.

    ``oracle`` (the kind) and ``seed_fraction`` and ``md`` (the MD oracle's settings) only enter
    the configuration a stored campaign is keyed by: a resumed run must use the same.
    """

    oracle: OracleKind = OracleKind.RETROSPECTIVE
    acquisition: str = "ucb"
    batch_size: int = 10
    seed: int = 0
    kappa: float = 2.0
    diversity: bool = True
    n_trees: int = 200
    mobile_ion: str = "Li"
    seed_fraction: float | None = None
    md: Any = None  # the MD oracle's protocol (superionic.md.workflow.ArrheniusProtocol)

    def __post_init__(self) -> None:
        from superionic.active.acquisition import ACQUISITIONS

        object.__setattr__(self, "oracle", OracleKind(self.oracle))
        if self.acquisition not in ACQUISITIONS:
            raise ValueError(f"acquisition must be one of {ACQUISITIONS}, "
                             f"got {self.acquisition!r}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")

    def default_name(self) -> str:
        return f"al-{self.oracle.value}-{self.acquisition}-s{self.seed}"

    def config(self, pool_ids: Sequence[str], start_labels: Mapping[str, float],
               md_overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """What a stored campaign is keyed by (a changed value refuses to resume)."""
        return {"oracle": self.oracle.value, "acquisition": self.acquisition,
                "batch": self.batch_size, "seed": self.seed,
                "seed_fraction": (self.seed_fraction if self.oracle is OracleKind.RETROSPECTIVE
                                  else None),
                "kappa": self.kappa, "diversity": self.diversity, "mobile_ion": self.mobile_ion,
                "surrogate": {"name": "RandomForestRegressor", "n_estimators": self.n_trees},
                "pool_key": content_key(list(pool_ids)),
                "start_labels_key": content_key(dict(start_labels)),
                "md": self.md.to_dict() if self.md is not None else None,
                "md_overrides": dict(md_overrides) if md_overrides else None}

    def run(self, X: Any, ids: Sequence[str], oracle: Any, start_labels: Mapping[str, float],
            rounds: int, *, campaign: RoundSink | None = None, resume: bool = False,
            truth: Mapping[str, float] | None = None, top_threshold: float | None = None,
            md_overrides: Mapping[str, Any] | None = None,
            provenance: Mapping[str, Any] | None = None,
            on_round: Callable[[Any], None] | None = None) -> LoopResult:
        """Run the campaign to ``rounds`` rounds in all over the pool ``X`` (rows ``ids``).

        ``start_labels``: id -> log10 sigma known at the start; ``oracle.label(ids)`` returns
        ``(labels, failed)``; ``truth``/``top_threshold`` score retrospective runs. With
        ``campaign`` each round is written as it completes; stored rounds and ``resume=False``
        raise :class:`StoredRoundsError`; another configuration raises ``ValueError``.
        """
        from superionic.active.loop import default_surrogate

        config = self.config(ids, start_labels, md_overrides)
        n_trees = self.n_trees
        resumed, payloads, results = run_stored_rounds(
            campaign, config, X, list(ids), oracle, start_labels, rounds, resume,
            provenance=provenance, on_round=on_round, batch_size=self.batch_size,
            acquisition=self.acquisition, surrogate=lambda s: default_surrogate(s, n_trees),
            seed=self.seed, diversity=self.diversity, truth=truth, top_threshold=top_threshold,
            retry_failed=self.oracle is OracleKind.FILE, kappa=self.kappa)
        return LoopResult(payloads=tuple(payloads), results=tuple(results),
                          resumed_after=resumed, n_pool=len(ids),
                          n_start_labels=len(start_labels))


def run_stored_rounds(sink: RoundSink | None, config: dict[str, Any], X: Any, ids: list[str],
                      oracle: Any, start_labels: Mapping[str, float], rounds: int, resume: bool,
                      provenance: Mapping[str, Any] | None = None,
                      on_round: Callable[[Any], None] | None = None,
                      **loop_kwargs: Any) -> tuple[int, list[dict[str, Any]], list[Any]]:
    """Run to ``rounds`` rounds in all, writing each round to ``sink``'s ``al_rounds`` table (one
    transaction) as soon as it completes; with ``resume`` continue after the last stored round.
    Returns (rounds found stored, payloads of all rounds, RoundResults run now). ``loop_kwargs``
    go to :func:`superionic.active.loop.run_rounds`.
    """
    from superionic.active.loop import run_rounds
    from superionic.active.rounds import STAGE, resume_state, round_payload

    stored = [row.payload for row in sink.get("al_rounds", stage=STAGE)] if sink else []
    if stored and not resume:
        raise StoredRoundsError(f"{len(stored)} round(s) already stored; resume=True continues "
                                "them, or use another campaign name")
    state = resume_state(stored, config, start_labels)
    known = dict(state.labelled)
    payloads = list(state.rounds)
    results: list[Any] = []
    todo = rounds - (state.next_round - 1)
    if todo <= 0:
        return state.next_round - 1, payloads, results
    prov = {"stage": STAGE, "config": config, **(provenance or {})}
    retry = bool(loop_kwargs.get("retry_failed", False))
    for res in run_rounds(X, ids, oracle, known, rounds=todo, start_round=state.next_round,
                          exclude=() if retry else set(state.failed), **loop_kwargs):
        payload = round_payload(res, known, config)
        if sink is not None:
            sink.put("al_rounds", [payload], prov, stage=STAGE, formula_key="none")
        payloads.append(payload)
        results.append(res)
        known.update(res.labels)
        if on_round is not None:
            on_round(res)
    return state.next_round - 1, payloads, results
