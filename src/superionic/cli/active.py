"""``superionic loop``: active learning rounds with a retrospective, file or MD oracle.

This module is the campaign layer of the loop: it builds the pool and the oracle, writes each
completed round to the store's ``al_rounds`` table (one transaction per round) and, with
``--resume``, continues a campaign from its last complete round. The science lives in
:mod:`superionic.active`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from superionic.cli._common import JsonOption, emit_json, err_console, fail
from superionic.config import MOBILE_IONS

ORACLES = ("retrospective", "file", "md")


def _merged_labels(data_dir: Path, mobile_ion: str) -> dict[str, float]:
    """Merged experimental log10 sigma (S/cm) per reduced formula (superionic.data.merge)."""
    from superionic.active.pool import labels_from_table

    try:
        from superionic.data.merge import merged_conductivity_labels
    except ImportError as exc:
        raise ValueError("the merged experimental labels (superionic.data.merge) are not "
                         f"available ({exc}); pass --labels FILE (retrospective) or --train FILE"
                         ) from None
    return labels_from_table(merged_conductivity_labels(data_dir, mobile_ion=mobile_ion))


def _read_labels(path: Path) -> dict[str, float]:
    from superionic.active.oracles import FileOracle

    return FileOracle(path).read()


def _parse_floats(text: str, what: str) -> tuple[float, ...]:
    try:
        values = tuple(float(t) for t in re.split(r"[,\s]+", text.strip()) if t)
    except ValueError:
        raise ValueError(f"{what} must be numbers, got {text!r}") from None
    if not values:
        raise ValueError(f"{what} is empty")
    return values


def _parse_range(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+))?\s*", text)
    if not m:
        raise ValueError(f"--md-atoms must look like 40-100, got {text!r}")
    return int(m.group(1)), int(m.group(2) or m.group(1))


def _problem(oracle: str, labels: Path | None, train: Path | None, candidates: Path | None,
             seed_fraction: float, seed: int, settings: Any) -> dict[str, Any]:
    """Pool ids/formulas, the starting labels, the truth (retrospective) and structures."""
    from superionic.active.candidates import read_candidates
    from superionic.active.pool import seed_split, top_threshold
    from superionic.records import Rejection

    ion = settings.mobile_ion
    if oracle == "retrospective":
        known = _read_labels(labels) if labels else _merged_labels(settings.data_dir, ion)
        if len(known) < 10:
            raise ValueError(f"{labels or 'merged labels'}: only {len(known)} labelled compounds")
        threshold = top_threshold(known, 0.01)
        seed_labels, _ = seed_split(known, seed_fraction, seed,
                                    avoid=[i for i, v in known.items() if v >= threshold])
        return {"ids": sorted(known), "formulas": sorted(known), "seed_labels": seed_labels,
                "truth": known, "threshold": threshold, "structures": {}, "rejected": [],
                "source": str(labels or "merged experimental labels")}
    if candidates is None:
        raise ValueError(f"--oracle {oracle} needs --candidates (a CSV or a folder of CIFs)")
    if oracle == "file" and labels is None:
        raise ValueError("--oracle file needs --labels FILE (the measurements, formula and "
                         "log10_sigma_S_cm or sigma_S_cm)")
    base = _read_labels(train) if train else _merged_labels(settings.data_dir, ion)
    cands = read_candidates(candidates, settings.data_dir, need_structures=oracle == "md")
    new = [(c, f) for c, f in zip(cands.ids, cands.formulas, strict=True) if c not in base]
    cands.rejected.extend(
        Rejection(str(candidates), None, f"candidate {c!r} is already in the training labels "
                  f"({base[c]:.2f} log10 S/cm): not queried; give it another id to label it again")
        for c in cands.ids if c in base)
    if not new:
        raise ValueError(f"{candidates}: no candidate outside the training labels")
    ids = sorted(base) + [c for c, _ in new]
    formulas = sorted(base) + [f for _, f in new]
    return {"ids": ids, "formulas": formulas, "seed_labels": base, "truth": None,
            "threshold": None, "structures": cands.structures, "rejected": cands.rejected,
            "md_overrides": cands.md_overrides,
            "source": str(train or "merged experimental labels")}


def run_stored_rounds(store: Any, config: dict[str, Any], X: Any, ids: list[str], oracle: Any,
                      start_labels: dict[str, float], rounds: int, resume: bool,
                      provenance: dict[str, Any] | None = None,
                      on_round: Callable[[Any], None] | None = None,
                      **loop_kwargs: Any) -> tuple[int, list[dict[str, Any]]]:
    """Run a campaign to ``rounds`` rounds in all, writing each round to ``store``'s
    ``al_rounds`` table (one transaction) as soon as it completes; with ``resume`` continue after
    the last stored round. Returns (rounds found stored, payloads of all rounds). Raises
    ``ValueError`` when rounds are stored and ``resume`` is false, or when they were made with
    another ``config``. ``loop_kwargs`` go to :func:`superionic.active.loop.run_rounds`.
    """
    from superionic.active.loop import run_rounds
    from superionic.active.rounds import STAGE, resume_state, round_payload

    stored = [row.payload for row in store.get("al_rounds", stage=STAGE)]
    if stored and not resume:
        raise ValueError(f"{len(stored)} round(s) already stored; pass --resume to continue, "
                         "or --campaign NAME for a new campaign")
    state = resume_state(stored, config, start_labels)
    if stored:
        err_console.print(f"resuming after round {state.next_round - 1}")
    known = dict(state.labelled)
    payloads = list(state.rounds)
    todo = rounds - (state.next_round - 1)
    if todo <= 0:
        return state.next_round - 1, payloads
    prov = {"stage": STAGE, "config": config, **(provenance or {})}
    retry = bool(loop_kwargs.get("retry_failed", False))
    for res in run_rounds(X, ids, oracle, known, rounds=todo, start_round=state.next_round,
                          exclude=() if retry else set(state.failed), **loop_kwargs):
        payload = round_payload(res, known, config)
        store.put("al_rounds", [payload], prov, stage=STAGE, formula_key="none")
        payloads.append(payload)
        known.update(res.labels)
        if on_round is not None:
            on_round(res)
    return state.next_round - 1, payloads


def _report(res: Any) -> None:
    """One line per finished round on stderr."""
    mae = f", pool MAE {res.pool_mae:.3f}" if res.pool_mae is not None else ""
    err_console.print(f"round {res.round}: {len(res.labels)} labelled, {len(res.failed)} failed, "
                      f"best {res.best_found:.2f} ({res.best_id}){mae}", soft_wrap=True)
    for cid, why in res.failed.items():
        err_console.print(f"[yellow]  {cid}: {why}[/yellow]", soft_wrap=True)


def loop_cmd(
    oracle: str = typer.Option(..., "--oracle", help=f"Who labels: {', '.join(ORACLES)}."),
    rounds: int = typer.Option(5, "--rounds", min=1, help="Total rounds of the campaign."),
    batch: int = typer.Option(10, "--batch", min=1, help="Candidates labelled per round."),
    acquisition: str = typer.Option("ucb", help="greedy, uncertainty, ucb, ei or random."),
    labels: Path | None = typer.Option(None, "--labels", help="CSV formula,log10_sigma_S_cm "
                                       "(or sigma_S_cm): retrospective: the known set (default "
                                       "the merged experimental labels); file: the measurements."),
    train: Path | None = typer.Option(None, "--train", help="file/md: starting labels CSV "
                                      "(default: the merged experimental labels)."),
    candidates: Path | None = typer.Option(None, "--candidates", help="file/md: CSV (formula, "
                                           "id, structure, n_vacancies) or a folder of CIFs."),
    seed_fraction: float = typer.Option(0.05, "--seed-fraction",
                                        help="retrospective: fraction labelled at the start."),
    seed: int = typer.Option(0, "--seed", help="Seed of the split, the surrogate and k-means."),
    workspace: Path | None = typer.Option(None, "--workspace", help="Campaign folder (store, MD)."),
    campaign: str | None = typer.Option(None, "--campaign", help="Name in the store "
                                        "(default al-<oracle>-<acquisition>-s<seed>)."),
    resume: bool = typer.Option(False, "--resume", help="Continue after the last stored round."),
    mobile_ion: str | None = typer.Option(None, help=f"One of {', '.join(MOBILE_IONS)}."),
    kappa: float = typer.Option(2.0, help="UCB exploration weight (mean + kappa * std)."),
    diversity: bool = typer.Option(True, "--diversity/--no-diversity",
                                   help="k-means diverse batches."),
    trees: int = typer.Option(200, "--trees", min=10, help="Random-forest surrogate size."),
    md_temperatures: str = typer.Option("800,1200", help="md: temperatures (K)."),
    md_ps: float = typer.Option(2.0, "--md-ps", help="md: production per temperature (ps)."),
    md_equil_ps: float = typer.Option(0.5, "--md-equil-ps", help="md: equilibration (ps)."),
    md_timestep_fs: float = typer.Option(2.0, "--md-timestep-fs", help="md: time step (fs)."),
    md_atoms: str = typer.Option("40-100", help="md: supercell size range (atoms)."),
    md_vacancies: int = typer.Option(0, help="md: mobile-ion vacancies per cell (a candidates "
                                     "column n_vacancies overrides it per candidate)."),
    md_model: str = typer.Option("chgnet", help="md: potential (chgnet, sevennet...)."),
    md_relax_steps: int = typer.Option(100, help="md: relaxation steps before MD (0 skips)."),
    as_json: bool = JsonOption,
) -> None:
    """Choose, label, retrain: N rounds of K candidates; each round is stored and resumable."""
    from superionic.active.acquisition import ACQUISITIONS
    from superionic.active.loop import default_surrogate
    from superionic.active.oracles import FileOracle, RetrospectiveOracle
    from superionic.active.pool import pool_matrix
    from superionic.active.rounds import round_summary
    from superionic.config import load_settings
    from superionic.records import content_key
    from superionic.store import Store

    if oracle not in ORACLES:
        fail(f"--oracle must be one of {ORACLES}, got {oracle!r}", as_json=as_json)
    if acquisition not in ACQUISITIONS:
        fail(f"--acquisition must be one of {ACQUISITIONS}, got {acquisition!r}", as_json=as_json)
    try:
        settings = load_settings(workspace=workspace, mobile_ion=mobile_ion, seed=seed)
        prob = _problem(oracle, labels, train, candidates, seed_fraction, seed, settings)
        md_settings = None
        if oracle == "md":
            from superionic.active.md_oracle import MDOracleSettings

            md_settings = MDOracleSettings(
                temperatures_K=_parse_floats(md_temperatures, "--md-temperatures"),
                prod_ps=md_ps, equil_ps=md_equil_ps, timestep_fs=md_timestep_fs,
                atom_range=_parse_range(md_atoms), n_vacancies=md_vacancies,
                relax_steps=md_relax_steps, model=md_model, seed=seed)
    except (ValueError, FileNotFoundError, KeyError) as exc:
        fail(str(exc), as_json=as_json)
    from superionic.cli._common import check_output_dir

    check_output_dir(settings.workspace, "--workspace")  # workspace and store before featurising
    store = Store(settings.store_url, campaign=campaign or f"al-{oracle}-{acquisition}-s{seed}")
    for r in prob["rejected"]:
        err_console.print(f"[yellow]rejected[/yellow] {r}")

    err_console.print(f"featurising {len(prob['ids'])} compounds (mobile ion "
                      f"{settings.mobile_ion})")
    pool = pool_matrix(prob["ids"], prob["formulas"], settings.mobile_ion)
    for r in pool.rejected:
        err_console.print(f"[yellow]rejected[/yellow] {r}")
    in_pool = set(pool.ids)
    seed_labels = {i: v for i, v in prob["seed_labels"].items() if i in in_pool}
    truth = {i: v for i, v in prob["truth"].items() if i in in_pool} if prob["truth"] else None
    if not seed_labels or len(seed_labels) == len(pool.ids):
        fail("nothing to learn from or nothing left to label after featurisation",
             as_json=as_json)

    name = campaign or f"al-{oracle}-{acquisition}-s{seed}"
    config = {"oracle": oracle, "acquisition": acquisition, "batch": batch, "seed": seed,
              "seed_fraction": seed_fraction if oracle == "retrospective" else None,
              "kappa": kappa, "diversity": diversity, "mobile_ion": settings.mobile_ion,
              "surrogate": {"name": "RandomForestRegressor", "n_estimators": trees},
              "pool_key": content_key(pool.ids), "start_labels_key": content_key(seed_labels),
              "md": md_settings.to_dict() if md_settings else None,
              "md_overrides": prob.get("md_overrides") or None}
    if oracle == "retrospective":
        the_oracle: Any = RetrospectiveOracle(truth or {})
    elif oracle == "file":
        the_oracle = FileOracle(labels)  # type: ignore[arg-type]
    else:
        from superionic.active.md_oracle import MDOracle

        the_oracle = MDOracle(prob["structures"], settings.workspace / "al_md" / name,
                              md_settings, settings.mobile_ion, progress=True,
                              overrides=prob.get("md_overrides"))

    try:
        resumed_after, payloads = run_stored_rounds(
            store, config, pool.X, pool.ids, the_oracle, seed_labels, rounds, resume,
            provenance={"labels_source": prob["source"]}, on_round=_report, batch_size=batch,
            acquisition=acquisition, surrogate=lambda s: default_surrogate(s, trees),
            seed=seed, diversity=diversity, truth=truth, top_threshold=prob["threshold"],
            retry_failed=oracle == "file", kappa=kappa)
    except ValueError as exc:
        fail(f"campaign {name!r} in {settings.store_url}: {exc}", as_json=as_json)
    finally:
        store.close()
    out = {"campaign": name, "store": settings.store_url, "oracle": oracle,
           "acquisition": acquisition, "batch_size": batch, "n_pool": len(pool.ids),
           "n_start_labels": len(seed_labels), "resumed_after": resumed_after,
           "top_threshold": prob["threshold"],
           "rounds": [round_summary(p) for p in payloads],
           "rejected": [str(r) for r in [*prob["rejected"], *pool.rejected]]}
    if as_json:
        emit_json(out)
    else:
        for r in out["rounds"]:
            err_console.print(f"round {r['round']}: n_labelled {r['n_labelled']}, best "
                              f"{r['best_found']:.2f} ({r['best_id']}), batch {r['batch']}")


def register(app: typer.Typer) -> None:
    app.command("loop")(loop_cmd)
