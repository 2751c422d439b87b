"""Laskowski et al., Energy Environ. Sci. 16, 1264 (2023): RT Li-ion conductivities and
activation energies (via the OBELiX repository, CC BY 4.0).

Reads ``laskowski_parsed.csv`` (derived from the raw semi-formatted SI table; its ``row`` column
is the 1-based line of the raw file, kept in the provenance). Rows with no parsable formula are
rejected with that reason; ``<1E-10`` conductivities stay censored upper bounds.
"""

from __future__ import annotations

from pathlib import Path

from superionic.data.base import (
    LoadResult,
    csv_rows,
    optional_float,
    parse_conductivity,
    reduced_formula,
)
from superionic.records import Measurement, Provenance, Rejection

NAME = "laskowski_2023"
VERSION = "NRC-Mila/OBELiX@4eaac889809dd489e3bae468c45d5c0e02b9147a:data/misc/laskowski_semi-fromatted.csv"


def load(data_dir: Path) -> LoadResult:
    path = data_dir / NAME / "laskowski_parsed.csv"
    result = LoadResult(NAME)
    for n, row, problem in csv_rows(path):
        result.rows += 1
        if row is None:
            result.rejected.append(Rejection(str(path), n, problem or "unreadable"))
            continue
        formula = row["reduced_formula"].strip()
        if not formula:
            result.rejected.append(Rejection(
                str(path), n, f"raw composition {row['composition_raw'][:40]!r} has no parsable formula"))
            continue
        try:
            red = reduced_formula(formula)
        except ValueError as exc:
            result.rejected.append(Rejection(str(path), n, str(exc)))
            continue
        prov = Provenance(NAME, file=path.name, row=n, doi=row.get("DOI") or None, version=VERSION,
                          note=f"raw_row={row['row']}")
        sigma_text = row["sigma_raw"].strip()
        sigma = None
        if sigma_text:
            try:
                sigma = parse_conductivity(sigma_text)
            except ValueError as exc:
                result.rejected.append(Rejection(str(path), n, str(exc)))
        if sigma is not None:
            result.records.append(Measurement(formula, red, "sigma_S_cm", sigma[0], 298.15,
                                              censor=sigma[1], provenance=prov))
        ea = optional_float(row.get("Ea_eV"))
        if ea is not None:
            result.records.append(Measurement(formula, red, "Ea_eV", ea, None, provenance=prov))
        if sigma is None and ea is None and sigma_text == "":
            result.rejected.append(Rejection(str(path), n, "neither conductivity nor Ea"))
    return result
