"""OBELiX (Therrien et al., arXiv:2502.14234, CC BY 4.0): room-temperature Li-ion conductivities
with the official train/test split and CIFs.

The CIFs' atomic positions were randomised by the publishers (symmetry kept): use them for lattice
and symmetry features, never for MD (``positions_randomised`` is set on every structure record).
"""

from __future__ import annotations

import tarfile
import warnings
from pathlib import Path

from pymatgen.core import Structure

from superionic.data.base import (
    LoadResult,
    csv_rows,
    optional_float,
    parse_conductivity,
    reduced_formula,
)
from superionic.records import Material, Measurement, Provenance, Rejection

NAME = "obelix"
VERSION = "NRC-Mila/OBELiX@4eaac889809dd489e3bae468c45d5c0e02b9147a"
SIGMA_COLUMN = "Ionic conductivity (S cm-1)"


def load(data_dir: Path, split: str = "all") -> LoadResult:
    """Conductivity measurements of ``split`` (all, train, test); ``extras["split"]`` maps each
    OBELiX ID to its official split."""
    if split not in ("all", "train", "test"):
        raise ValueError(f"OBELiX split must be all, train or test, got {split!r}")
    folder = data_dir / NAME
    path = folder / f"{split}.csv"
    result = LoadResult(NAME)
    split_of = {}
    for part in ("train", "test"):
        for _, row, _ in csv_rows(folder / f"{part}.csv"):
            if row:
                split_of[row["ID"]] = part
    for n, row, problem in csv_rows(path):
        result.rows += 1
        if row is None:
            result.rejected.append(Rejection(str(path), n, problem or "unreadable"))
            continue
        try:
            formula = row["Reduced Composition"].strip()
            red = reduced_formula(formula)
            value, censor = parse_conductivity(row[SIGMA_COLUMN])
        except ValueError as exc:
            result.rejected.append(Rejection(str(path), n, f"ID {row.get('ID')}: {exc}"))
            continue
        prov = Provenance(NAME, file=path.name, row=n, doi=row.get("DOI") or None, version=VERSION,
                          note=f"ID={row['ID']};split={split_of.get(row['ID'], '')}")
        result.records.append(Measurement(
            formula=formula, reduced_formula=red, quantity="sigma_S_cm", value=value,
            temperature_K=298.15, censor=censor, family=row.get("Family") or None, provenance=prov))
    result.extras["split"] = split_of
    result.extras["space_group_number"] = {
        row["ID"]: int(float(row["Space group #"])) for _, row, _ in csv_rows(folder / "all.csv")
        if row and optional_float(row.get("Space group #")) is not None}
    return result


def load_structures(data_dir: Path) -> tuple[dict[str, Structure], list[Rejection]]:
    """OBELiX ID -> pymatgen Structure from ``all_cifs.tar.gz`` (randomised positions!).

    Each structure carries ``properties["positions_randomised"] = True``. A CIF that does not
    parse is a rejection naming the archive member.
    """
    archive = data_dir / NAME / "all_cifs.tar.gz"
    out: dict[str, Structure] = {}
    rejected: list[Rejection] = []
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.endswith(".cif"):
                continue
            text = tar.extractfile(member).read().decode("utf-8", errors="replace")
            try:
                out[Path(member.name).stem] = parse_cif(text, f"{archive.name}:{member.name}")
            except ValueError as exc:
                rejected.append(Rejection(f"{archive}:{member.name}", None, str(exc)))
    return out, rejected


def parse_cif(text: str, where: str) -> Structure:
    """One structure from CIF text; ValueError naming ``where`` when it has none."""
    from pymatgen.io.cif import CifParser

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            structures = CifParser.from_str(text).parse_structures(primitive=False)
    except Exception as exc:  # noqa: BLE001 - pymatgen raises many kinds for broken CIFs
        raise ValueError(f"{where}: CIF does not parse ({type(exc).__name__}: {exc})") from None
    if not structures:
        raise ValueError(f"{where}: CIF holds no structure")
    s = structures[0]
    s.properties["positions_randomised"] = True
    return s


def materials(result: LoadResult, structures: dict[str, Structure]) -> list[Material]:
    """Material records (with structure when a CIF exists) for the measured compounds."""
    out = []
    for rec in result.records:
        ident = rec.provenance.note.split(";")[0].removeprefix("ID=")
        out.append(Material(formula=rec.formula, reduced_formula=rec.reduced_formula,
                            material_id=f"obelix:{ident}", structure=structures.get(ident),
                            space_group_number=result.extras["space_group_number"].get(ident),
                            family=rec.family, provenance=rec.provenance))
    return out
