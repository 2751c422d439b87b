"""Laskowski et al., Energy Environ. Sci. 16, 1264 (2023): RT Li-ion conductivities and
activation energies (via the OBELiX repository, CC BY 4.0).

Reads ``laskowski_parsed.csv``, derived from the raw semi-formatted SI table
(``laskowski_semi-formatted.csv``); its ``row`` column is the 1-based line of the raw file and is
kept in every record's provenance note (``raw_row=N``) and in every rejection reason. Rows with no
parsable formula (formulas split over lines in the PDF extraction) are rejected with that reason;
``<1E-10`` conductivities stay censored upper bounds; a conductivity written with a Unicode minus
(``1.2E\u22124``) is read as the number it is.

Records: ``sigma_S_cm`` at nominal room temperature (298.15 K) and ``Ea_eV`` (eV, from the
original papers' Arrhenius fits).
"""

from __future__ import annotations

from pathlib import Path

from superionic.data.base import (
    ROOM_TEMPERATURE_K,
    LoadResult,
    clean_doi,
    csv_rows,
    optional_float,
    parse_conductivity,
    reduced_formula,
)
from superionic.records import Measurement, Provenance, Rejection

NAME = "laskowski_2023"
FILE = "laskowski_parsed.csv"
RAW_FILE = "laskowski_semi-formatted.csv"
VERSION = "NRC-Mila/OBELiX@4eaac889809dd489e3bae468c45d5c0e02b9147a"


def load(data_dir: Path) -> LoadResult:
    path = data_dir / NAME / FILE
    result = LoadResult(NAME)
    for n, row, problem in csv_rows(path):
        result.rows += 1
        if row is None:
            result.reject(path, n, problem or "unreadable")
            continue
        raw = f"raw row {row.get('row', '?')} of {RAW_FILE}"
        formula = row["reduced_formula"].strip()
        if not formula or formula == "None":
            result.reject(path, n, f"{raw}: composition {row['composition_raw'][:40]!r} has no "
                                   "parsable formula")
            continue
        try:
            red = reduced_formula(formula)
        except ValueError as exc:
            result.reject(path, n, f"{raw}: {exc}")
            continue
        prov = Provenance(NAME, file=path.name, row=n, doi=clean_doi(row.get("DOI")),
                          version=VERSION, note=f"raw_row={row['row']};ref={row['ref_number']}")
        sigma_text, sigma, sigma_problem = row["sigma_raw"].strip(), None, None
        if sigma_text:
            try:
                sigma = parse_conductivity(sigma_text)
            except ValueError as exc:
                sigma_problem = f"{raw}: {exc}"
        ea = optional_float(row.get("Ea_eV"))
        if sigma is None and ea is None:
            result.reject(path, n, sigma_problem or f"{raw}: neither conductivity nor Ea")
            continue
        if sigma_problem:
            result.warnings.append(Rejection(str(path), n, sigma_problem + " (Ea kept)"))
        if sigma is not None:
            result.records.append(Measurement(formula, red, "sigma_S_cm", sigma[0],
                                              ROOM_TEMPERATURE_K, censor=sigma[1], provenance=prov))
        if ea is not None:
            result.records.append(Measurement(formula, red, "Ea_eV", ea, None, provenance=prov))
    return result
