"""``superionic defects STRUCTURE ...`` (Li excess/vacancy variants) and
``superionic structures list|show|write`` (the reference-structure library): thin wrappers over
:mod:`superionic.defects`.

Exit codes: 0 success; 2 bad input (unknown structure, unreadable file, bad concentration,
impossible mechanism); 3 refused because the variant would not be charge balanced (unless
``--force``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from superionic.cli._common import (
    JsonOption,
    check_output_dir,
    check_output_path,
    emit_json,
    err_console,
    fail,
)
from superionic.config import MOBILE_IONS

EXIT_BAD_INPUT = 2
EXIT_REFUSED = 3

structures_app = typer.Typer(help="Reference structures of well-known solid electrolytes.",
                             no_args_is_help=True)


#: the library's parameter names -> this command's flags, for its error messages
_FLAG_WORDS = {"force=True": "--force", "(dopant=)": "(--dopant)",
               "(dopant=...)": "with --dopant", "compensation 'none'": "--compensation none",
               "mechanism 'none'": "--compensation none"}


def _flags(message: str) -> str:
    for word, flag in _FLAG_WORDS.items():
        message = message.replace(word, flag)
    return message


def _print_result(out: dict[str, Any]) -> None:
    err_console.print(f"[bold]{out['parent']}[/bold] -> {out['formula']}  "
                      f"({out['general_formula']}, x = {out['x_realised']:.4g})")
    if out.get("default_mechanism_reason"):
        err_console.print(f"default compensation: {out['mechanism']} - "
                          f"{out['default_mechanism_reason']}")
    else:
        err_console.print(f"compensation: {out['mechanism']}")
    err_console.print(f"Kroger-Vink: {out['reaction']}")
    err_console.print(f"supercell {tuple(out['supercell'])} ({out['formula_units']} formula "
                      f"units); {out['enumeration']['distinct']} distinct of "
                      f"{out['enumeration']['configurations_scored']} scored "
                      f"({out['enumeration']['method']})")
    for v in out["variants"]:
        mlip = (f", CHGNet {v['mlip_energy_eV_per_atom']:.4f} eV/atom"
                if "mlip_energy_eV_per_atom" in v else "")
        err_console.print(f"  rank {v['rank']}: {v['formula']} E_Ewald "
                          f"{v['ewald_energy_rel_eV']:+.3f} eV (x{v['multiplicity']}){mlip} "
                          f"{v['path'] or ''}")


def defects_command(
    structure: str = typer.Argument(..., help="Structure file (CIF, POSCAR ...) or library "
                                    "name (see `superionic structures list`)."),
    li_excess: float | None = typer.Option(None, "--li-excess", "--excess",
                                           help="Extra mobile ions per formula unit."),
    li_vacancy: float | None = typer.Option(None, "--li-vacancy", "--vacancy",
                                            help="Mobile-ion vacancies per formula unit."),
    target: str | None = typer.Option(None, "--target", help="Target composition per formula "
                                      "unit of the parent, e.g. Li4.5TiO3.25."),
    compensation: str | None = typer.Option(
        None, "--compensation", help="anion_vacancy | anion_interstitial | aliovalent | "
        "reduction | oxidation | frenkel | none (default: chosen and printed)."),
    dopant: str | None = typer.Option(None, "--dopant", help="Dopant for aliovalent "
                                      "substitution (default: chosen by valence and radius)."),
    host: str | None = typer.Option(None, "--host", help="Element whose sites compensate "
                                    "(anion, substituted or redox cation)."),
    n_configs: int = typer.Option(5, "--n-configs", min=1, help="Variants to keep and write."),
    force: bool = typer.Option(False, "--force", help="Build a variant that is not charge "
                               "balanced (a charged cell)."),
    out: Path | None = typer.Option(None, "--out", help="Directory for CIF/POSCAR files."),
    mobile_ion: str = typer.Option("Li", "--mobile-ion", help="Mobile ion: Li, Na or K."),
    mlip: bool = typer.Option(False, "--mlip", help="Add CHGNet single-point energies."),
    seed: int = typer.Option(0, "--seed", help="Seed for orderings and sampling."),
    x_tol: float = typer.Option(0.05, "--x-tol", help="Relative tolerance on x."),
    max_atoms: int = typer.Option(400, "--max-atoms", help="Largest supercell (atoms)."),
    json_out: bool = JsonOption,
) -> None:
    """Li-excess or Li-vacancy variants of STRUCTURE, charge balanced by a compensation
    mechanism, ranked by Ewald energy and written for MD."""
    from superionic.defects.charge import analyze_composition
    from superionic.defects.li_defects import ChargeBalanceError, DefectError
    from superionic.defects.library import StructureUnavailable, get_reference
    from superionic.defects.workflow import build_variants

    if mobile_ion not in MOBILE_IONS:
        fail(f"--mobile-ion must be one of {', '.join(MOBILE_IONS)}, got {mobile_ion!r}",
             EXIT_BAD_INPUT, json_out)
    given = [v is not None for v in (li_excess, li_vacancy, target)]
    if sum(given) != 1:
        fail("give exactly one of --li-excess X, --li-vacancy X or --target FORMULA",
             EXIT_BAD_INPUT, json_out)
    if target is not None and not Path(structure).is_file():
        # judge the composition first: works for library entries without coordinates
        try:
            ref = get_reference(structure)
            report = analyze_composition(target, ref.formula, dict(ref.oxidation_states),
                                         mobile_ion)
        except (KeyError, ValueError) as exc:
            report = None
            if isinstance(exc, ValueError):
                fail(f"{target}: {exc}", EXIT_BAD_INPUT, json_out)
        if report is not None and not report.charge_balanced and not force:
            msg = report.message() + (". Refused: pass --force to build it anyway (a charged "
                                      "cell), or ask for a balanced neighbour")
            if json_out:
                emit_json({"error": msg, "refused": True, "composition": report.to_dict()})
            err_console.print(f"[red]refused:[/red] {msg}")
            raise typer.Exit(EXIT_REFUSED)
    if out is not None:
        check_output_dir(out, "--out")
    _check_parent_file(structure, mobile_ion)
    mode = "excess" if li_excess is not None else ("vacancy" if li_vacancy is not None else None)
    x = li_excess if li_excess is not None else li_vacancy
    try:
        result = build_variants(structure, mode=mode, x=x, target=target,
                                mechanism=compensation, ion=mobile_ion, dopant=dopant,
                                host=host, force=force, n_configs=n_configs, seed=seed,
                                mlip=mlip, out_dir=out, x_tol=x_tol, max_atoms=max_atoms)
    except ChargeBalanceError as exc:
        msg = _flags(str(exc))
        emit_json({"error": msg, "kind": "refused", "refused": True})
        err_console.print(f"[red]refused:[/red] {msg}")
        raise typer.Exit(EXIT_REFUSED) from None
    except StructureUnavailable as exc:
        fail(str(exc), EXIT_BAD_INPUT, json_out)
    except (DefectError, FileNotFoundError, ValueError) as exc:
        fail(f"{structure}: {_flags(str(exc))}", EXIT_BAD_INPUT, json_out)
    payload = result.to_dict()
    _print_result(payload)
    if json_out:
        emit_json(payload)


@structures_app.command("list")
def structures_list(json_out: bool = JsonOption) -> None:
    """Library entries with space group, lattice (Angstrom, degrees) and citation."""
    from superionic.defects.library import list_structures

    rows = list_structures()
    for r in rows:
        lat = r["lattice"]
        cell = (f"a={lat['a']:.4f} b={lat['b']:.4f} c={lat['c']:.4f}" if lat else "no data")
        err_console.print(f"{r['name']:14s} {r['space_group']:9s} {cell:40s} "
                          f"{r['coordinates']:11s} doi:{r['doi']}")
    if json_out:
        emit_json({"structures": rows})


@structures_app.command("show")
def structures_show(name: str = typer.Argument(..., help="Library name."),
                    json_out: bool = JsonOption) -> None:
    """Full record of one entry: Wyckoff sites, occupancies, density, citation."""
    from superionic.defects.library import get_reference

    try:
        info = get_reference(name).summary()
    except KeyError as exc:
        fail(str(exc).strip("'\""), EXIT_BAD_INPUT, json_out)
    err_console.print(f"{info['name']} {info['space_group']} ({info['citation']})")
    for s in info["sites"]:
        err_console.print(f"  {s['label']:5s} {s['wyckoff']:4s} {s['species']} {s['coords']}")
    if json_out:
        emit_json(info)


@structures_app.command("write")
def structures_write(name: str = typer.Argument(..., help="Library name."),
                     output: Path = typer.Option(..., "-o", "--output",
                                                 help="Output file (.cif, POSCAR, ...)."),
                     order: bool = typer.Option(False, "--ordered", help="Order partial "
                                                "occupancies (lowest Ewald energy) first."),
                     seed: int = typer.Option(0, "--seed"),
                     json_out: bool = JsonOption) -> None:
    """Write an entry (disordered as published, or ``--ordered``) to a structure file."""
    from superionic.defects.library import StructureUnavailable, get_structure, ordered

    check_output_path(output, "--output")  # before any work
    try:
        s = ordered(name, seed=seed) if order else get_structure(name)
    except (KeyError, StructureUnavailable) as exc:
        fail(str(exc).strip("'\""), EXIT_BAD_INPUT, json_out)
    write_structure_file(s, output)
    err_console.print(f"wrote {output} ({s.composition.formula}, ordered={s.is_ordered})")
    if json_out:
        emit_json({"name": name, "path": str(output), "formula": s.composition.formula,
                   "n_sites": len(s), "is_ordered": s.is_ordered})


def write_structure_file(structure: Any, output: Path) -> None:
    """Write ``structure`` atomically in the format its file name asks for (CIF with oxidation
    states; other formats without); :class:`~superionic.errors.BadValue` for a name pymatgen
    has no format for, leaving any existing file untouched."""
    import os
    import tempfile

    from superionic.errors import BadValue

    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".write-") as tmp:
        staged = Path(tmp) / output.name  # same name: pymatgen picks the format from it
        if output.suffix.lower() == ".cif":
            from pymatgen.io.cif import CifWriter

            CifWriter(structure).write_file(str(staged))
        else:
            s = structure.copy()
            s.remove_oxidation_states()
            try:
                s.to(filename=str(staged))
            except ValueError as exc:
                raise BadValue(f"--output {output}: no structure format for this file name "
                               f"({exc}); use .cif, POSCAR, .vasp, .json, .xsf, ...",
                               option="--output", value=str(output)) from None
        os.replace(staged, output)


def _check_parent_file(structure: str, mobile_ion: str) -> None:
    """A parent structure file is sane (no overlapping atoms, has the mobile ion, a neutral cell
    when it carries oxidation states) before any defect is planned."""
    path = Path(structure)
    if not path.is_file():
        return
    from pymatgen.core import Structure

    from superionic.sanity import check_structure

    try:
        parent = Structure.from_file(path)
    except Exception:  # noqa: BLE001 - an unreadable file is reported by build_variants
        return
    check_structure(parent, mobile_ion, require_neutral=True, name=str(path))


def register(app: typer.Typer) -> None:
    app.command("defects")(defects_command)
    app.add_typer(structures_app, name="structures")
