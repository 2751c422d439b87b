"""``superionic loop``: active learning rounds with a retrospective, file or MD oracle.

Parses the options, builds :class:`superionic.active.job.ActiveLoop` and its problem and oracle,
runs it against the campaign's store (each round written as it completes; ``--resume`` continues
after the last stored round) and prints. The loop itself lives in :mod:`superionic.active`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from superionic.cli._common import JsonOption, emit_json, err_console, fail
from superionic.config import MD_POTENTIAL, MOBILE_IONS

ORACLES = ("retrospective", "file", "md")


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
    md_temperatures: str = typer.Option("adaptive", help="md: 'adaptive' (the Arrhenius "
                                        "protocol, from 1200 K down) or fixed temperatures (K)."),
    md_ps: float = typer.Option(4.0, "--md-ps", help="md: cap (adaptive) or length (fixed) of "
                                "the production per temperature (ps)."),
    md_equil_ps: float = typer.Option(0.5, "--md-equil-ps", help="md: equilibration (ps)."),
    md_timestep_fs: float = typer.Option(2.0, "--md-timestep-fs", help="md: time step (fs)."),
    md_atoms: str = typer.Option("40-100", help="md: supercell size range (atoms)."),
    md_vacancies: int = typer.Option(0, help="md: mobile-ion vacancies per cell (a candidates "
                                     "column n_vacancies overrides it per candidate)."),
    md_model: str = typer.Option(MD_POTENTIAL, help="md: potential (sevennet, chgnet...)."),
    md_relax_steps: int = typer.Option(100, help="md: relaxation steps before MD (0 skips)."),
    as_json: bool = JsonOption,
) -> None:
    """Choose, label, retrain: N rounds of K candidates; each round is stored and resumable."""
    from superionic.active.acquisition import ACQUISITIONS
    from superionic.active.job import (
        ActiveLoop,
        StoredRoundsError,
        build_problem,
        make_oracle,
    )
    from superionic.active.pool import pool_matrix
    from superionic.campaign import Campaign
    from superionic.config import load_settings

    if oracle not in ORACLES:
        fail(f"--oracle must be one of {ORACLES}, got {oracle!r}", as_json=as_json)
    if acquisition not in ACQUISITIONS:
        fail(f"--acquisition must be one of {ACQUISITIONS}, got {acquisition!r}", as_json=as_json)
    if oracle != "retrospective" and candidates is None:
        fail(f"--oracle {oracle} needs --candidates (a CSV or a folder of CIFs)", as_json=as_json)
    if oracle == "file" and labels is None:
        fail("--oracle file needs --labels FILE (the measurements, formula and "
             "log10_sigma_S_cm or sigma_S_cm)", as_json=as_json)
    try:
        settings = load_settings(workspace=workspace, mobile_ion=mobile_ion, seed=seed)
        prob = build_problem(oracle, settings.data_dir, settings.mobile_ion, labels=labels,
                             train=train, candidates=candidates, seed_fraction=seed_fraction,
                             seed=seed)
        md_settings = None
        if oracle == "md":
            from superionic.active.md_oracle import default_oracle_protocol
            from superionic.md.workflow import CellOptions

            md_kw: dict[str, Any] = dict(
                equil_ps=md_equil_ps, timestep_fs=md_timestep_fs, potential=md_model,
                cell=CellOptions(atom_range=_parse_range(md_atoms), n_vacancies=md_vacancies),
                relax_steps=md_relax_steps, seed=seed, ion=settings.mobile_ion)
            if md_temperatures.strip().lower() == "adaptive":
                md_settings = default_oracle_protocol(
                    **md_kw, segment_ps=min(2.0, md_ps), max_ps_per_temperature=md_ps)
            else:
                temps = _parse_floats(md_temperatures, "--md-temperatures")
                md_settings = default_oracle_protocol(
                    **md_kw, temperatures_K=temps, segment_ps=md_ps, max_ps_per_temperature=md_ps,
                    min_temperatures=max(2, min(4, len(set(temps)))))
        job = ActiveLoop(oracle=oracle, acquisition=acquisition, batch_size=batch, seed=seed,
                         kappa=kappa, diversity=diversity, n_trees=trees,
                         mobile_ion=settings.mobile_ion, seed_fraction=seed_fraction,
                         md=md_settings)
    except (ValueError, FileNotFoundError, KeyError, ImportError) as exc:
        fail(str(exc), as_json=as_json)
    from superionic.cli._common import check_output_dir

    check_output_dir(settings.workspace, "--workspace")  # workspace and store before featurising
    name = campaign or job.default_name()
    store = Campaign(settings, [], name=name)
    for r in prob.rejected:
        err_console.print(f"[yellow]rejected[/yellow] {r}")

    err_console.print(f"featurising {len(prob.ids)} compounds (mobile ion "
                      f"{settings.mobile_ion})")
    pool = pool_matrix(list(prob.ids), list(prob.formulas), settings.mobile_ion)
    for r in pool.rejected:
        err_console.print(f"[yellow]rejected[/yellow] {r}")
    in_pool = set(pool.ids)
    seed_labels = {i: v for i, v in prob.start_labels.items() if i in in_pool}
    truth = {i: v for i, v in prob.truth.items() if i in in_pool} if prob.truth else None
    if not seed_labels or len(seed_labels) == len(pool.ids):
        fail("nothing to learn from or nothing left to label after featurisation",
             as_json=as_json)

    the_oracle = make_oracle(oracle, prob, labels=labels,
                             workdir=settings.workspace / "al_md" / name, md_settings=md_settings,
                             mobile_ion=settings.mobile_ion, progress=True)
    try:
        result = job.run(pool.X, pool.ids, the_oracle, seed_labels, rounds, campaign=store,
                         resume=resume, truth=truth, top_threshold=prob.top_threshold_log10_S_cm,
                         md_overrides=prob.md_overrides,
                         provenance={"labels_source": prob.labels_source}, on_round=_report)
    except StoredRoundsError as exc:
        fail(f"campaign {name!r} in {settings.store_url}: {exc} (--resume continues, "
             "--campaign NAME starts another)", as_json=as_json)
    except ValueError as exc:
        fail(f"campaign {name!r} in {settings.store_url}: {exc}", as_json=as_json)
    finally:
        store.close()
    if result.resumed_after:
        err_console.print(f"resumed after round {result.resumed_after}")
    out = {"campaign": name, "store": settings.store_url, "oracle": oracle,
           "acquisition": acquisition, "batch_size": batch, "n_pool": result.n_pool,
           "n_start_labels": result.n_start_labels, "resumed_after": result.resumed_after,
           "top_threshold": prob.top_threshold_log10_S_cm,
           "rounds": result.round_summaries(),
           "rejected": [str(r) for r in [*prob.rejected, *pool.rejected]]}
    if as_json:
        emit_json(out)
    else:
        for r in out["rounds"]:
            err_console.print(f"round {r['round']}: n_labelled {r['n_labelled']}, best "
                              f"{r['best_found']:.2f} ({r['best_id']}), batch {r['batch']}")


def register(app: typer.Typer) -> None:
    app.command("loop")(loop_cmd)
