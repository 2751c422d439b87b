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
    optional_float,
    parse_conductivity,
    parse_rows,
    reason_prefix,
    reduced_formula,
)
from superionic.records import Measurement, Provenance, Rejection

NAME = "laskowski_2023"
FILE = "laskowski_parsed.csv"
RAW_FILE = "laskowski_semi-formatted.csv"
VERSION = "NRC-Mila/OBELiX@4eaac889809dd489e3bae468c45d5c0e02b9147a"


def load(data_dir: Path) -> LoadResult:
    """sigma_S_cm (298.15 K) and Ea_eV Measurements; a bad conductivity on a row whose Ea parses
    is a warning, the Ea kept."""
    path = data_dir / NAME / FILE
    result = LoadResult(NAME)

    def row_records(n: int, row: dict[str, str]) -> list[Measurement]:
        raw = f"raw row {row.get('row', '?')} of {RAW_FILE}"
        with reason_prefix(raw):
            formula = row["reduced_formula"].strip()
            if not formula or formula == "None":
                raise ValueError(f"composition {row['composition_raw'][:40]!r} has no parsable "
                                 "formula")
            red = reduced_formula(formula)
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
            raise ValueError(sigma_problem or f"{raw}: neither conductivity nor Ea")
        if sigma_problem:
            result.warnings.append(Rejection(str(path), n, sigma_problem + " (Ea kept)"))
        out = []
        if sigma is not None:
            out.append(Measurement(formula, red, "sigma_S_cm", sigma[0], ROOM_TEMPERATURE_K,
                                   censor=sigma[1], provenance=prov))
        if ea is not None:
            out.append(Measurement(formula, red, "Ea_eV", ea, None, provenance=prov))
        return out

    return parse_rows(result, path, row_records)
