"""OBELiX (Therrien et al., arXiv:2502.14234, CC BY 4.0): room-temperature Li-ion conductivities
with the official train/test split and CIFs.

The CIFs' atomic positions were randomised by the publishers (symmetry and lattice kept): use them
for lattice and symmetry features, never for MD. Every structure read here carries
``properties["positions_randomised"] = True`` and the provenance note of a record whose compound
has a CIF says ``cif=positions_randomised``.

Provenance notes: ``ID=<OBELiX id>;split=<train|test>`` plus, where OBELiX links them,
``laskowski_ref=<SI reference number>`` and ``liion_id=<Liverpool ID>``.
"""

from __future__ import annotations

import tarfile
import warnings
from pathlib import Path

from pymatgen.core import Structure

from superionic.data.base import (
    ROOM_TEMPERATURE_K,
    LoadResult,
    clean_doi,
    csv_rows,
    optional_float,
    parse_conductivity,
    parse_rows,
    reason_prefix,
    reduced_formula,
)
from superionic.records import Material, Measurement, Provenance, Rejection

NAME = "obelix"
VERSION = "NRC-Mila/OBELiX@4eaac889809dd489e3bae468c45d5c0e02b9147a"
SIGMA_COLUMN = "Ionic conductivity (S cm-1)"
CIF_ARCHIVE = "all_cifs.tar.gz"
SPLITS = ("all", "train", "test")
#: Flag set on every OBELiX structure: positions randomised by the publishers, not for MD.
RANDOMISED = "positions_randomised"


def official_split(data_dir: Path) -> dict[str, str]:
    """OBELiX ID -> ``"train"`` or ``"test"`` (the publishers' split files)."""
    split_of: dict[str, str] = {}
    for part in ("train", "test"):
        for _, row, _ in csv_rows(data_dir / NAME / f"{part}.csv"):
            if row:
                split_of[row["ID"].strip()] = part
    return split_of


def _int_link(text: str | None) -> str | None:
    v = optional_float(text)
    return str(int(v)) if v is not None else None


def load(data_dir: Path, split: str = "all") -> LoadResult:
    """RT conductivity Measurements (sigma_S_cm, nominal 298.15 K) of ``split`` (all, train, test).

    ``<1E-10`` stays ``censor="upper"`` with value 1e-10. ``extras["split"]`` maps each ID to its
    official split, ``extras["space_group_number"]`` each ID to its tabulated space group.
    """
    if split not in SPLITS:
        raise ValueError(f"OBELiX split must be one of {SPLITS}, got {split!r}")
    path = data_dir / NAME / f"{split}.csv"
    split_of = official_split(data_dir)
    space_groups: dict[str, int] = {}

    def row_records(n: int, row: dict[str, str]) -> list[Measurement]:
        ident = row["ID"].strip()
        with reason_prefix(f"ID {ident}"):
            formula = row["Reduced Composition"].strip()
            red = reduced_formula(formula)
            value, censor = parse_conductivity(row[SIGMA_COLUMN])
        sg = optional_float(row.get("Space group #"))
        if sg is not None:
            space_groups[ident] = int(sg)
        note = [f"ID={ident}", f"split={split_of.get(ident, '')}"]
        if row.get("Cif ID", "").strip() == "done":
            note.append(f"cif={RANDOMISED}")
        for key, col in (("laskowski_ref", "Laskowski ID"), ("liion_id", "Liion ID")):
            link = _int_link(row.get(col))
            if link:
                note.append(f"{key}={link}")
        prov = Provenance(NAME, file=path.name, row=n, doi=clean_doi(row.get("DOI")),
                          version=VERSION, note=";".join(note))
        return [Measurement(
            formula=formula, reduced_formula=red, quantity="sigma_S_cm", value=value,
            temperature_K=ROOM_TEMPERATURE_K, censor=censor, family=row.get("Family") or None,
            provenance=prov)]

    result = parse_rows(LoadResult(NAME), path, row_records)
    result.extras["split"] = split_of
    result.extras["space_group_number"] = space_groups
    return result


def load_structures(data_dir: Path, ids: set[str] | None = None
                    ) -> tuple[dict[str, Structure], list[Rejection]]:
    """OBELiX ID -> pymatgen Structure from ``all_cifs.tar.gz`` (randomised positions!).

    ``ids`` limits the read to those IDs. Each structure carries
    ``properties["positions_randomised"] = True``. A CIF that does not parse is a Rejection whose
    file is ``<archive>:<member>`` and whose row is the member's 1-based position among the CIFs.
    """
    archive = data_dir / NAME / CIF_ARCHIVE
    out: dict[str, Structure] = {}
    rejected: list[Rejection] = []
    with tarfile.open(archive) as tar:
        cifs = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".cif")]
        for i, member in enumerate(cifs, start=1):
            ident = Path(member.name).stem
            if ids is not None and ident not in ids:
                continue
            fh = tar.extractfile(member)
            text = fh.read().decode("utf-8", errors="replace") if fh else ""
            try:
                out[ident] = parse_cif(text)
            except ValueError as exc:
                rejected.append(Rejection(f"{archive}:{member.name}", i, str(exc)))
    return out, rejected


def parse_cif(text: str, where: str | None = None) -> Structure:
    """One structure from CIF text, flagged ``positions_randomised``; ValueError (prefixed by
    ``where`` when given) if the CIF does not parse or holds no structure."""
    from pymatgen.io.cif import CifParser

    prefix = f"{where}: " if where else ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            structures = CifParser.from_str(text).parse_structures(primitive=False)
    except Exception as exc:  # noqa: BLE001 - pymatgen raises many kinds for broken CIFs
        raise ValueError(f"{prefix}CIF does not parse ({type(exc).__name__}: {exc})") from None
    if not structures:
        raise ValueError(f"{prefix}CIF holds no structure")
    s = structures[0]
    s.properties[RANDOMISED] = True
    return s


def materials(result: LoadResult, structures: dict[str, Structure]) -> list[Material]:
    """Material records (with the randomised-position structure when a CIF exists) for the
    measured compounds; the provenance note keeps ``cif=positions_randomised``."""
    out = []
    for rec in result.records:
        ident = rec.provenance.note.split(";")[0].removeprefix("ID=")
        out.append(Material(formula=rec.formula, reduced_formula=rec.reduced_formula,
                            material_id=f"obelix:{ident}", structure=structures.get(ident),
                            space_group_number=result.extras["space_group_number"].get(ident),
                            family=rec.family, provenance=rec.provenance))
    return out


def positions_randomised(record: Material | Measurement | Structure) -> bool:
    """True when ``record`` (or its structure) comes from an OBELiX CIF: not usable for MD."""
    if isinstance(record, Structure):
        return bool(record.properties.get(RANDOMISED, False))
    structure = getattr(record, "structure", None)
    if structure is not None and structure.properties.get(RANDOMISED, False):
        return True
    note = record.provenance.note if record.provenance else None
    return f"cif={RANDOMISED}" in (note or "")
