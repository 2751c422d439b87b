"""The shared row loop of the CSV loaders (:func:`superionic.data.base.parse_rows`): a bad row is
one rejection naming file, 1-based data row and problem; the other rows still give records."""

from __future__ import annotations

import pytest

from superionic.data.base import (
    LoadResult,
    parse_conductivity,
    parse_rows,
    reason_prefix,
    reduced_formula,
)
from superionic.records import Measurement, Provenance

CSV = (
    "id,formula,sigma\n"
    "a,Li3PS4,1.6e-4\n"          # row 1: good
    "b,Li3PS4,n/a\n"             # row 2: conductivity not a number
    "c,Li7P3S11\n"               # row 3: truncated
    "d,LiCl,<1E-10\n"            # row 4: good, censored upper bound
    "e,Xx2O,1e-3\n"              # row 5: unknown element
    "f,Li2O,skip\n"              # row 6: parser gives no record
    "g,Li10GeP2S12,1.2E\u22122\n"  # row 7: good, Unicode minus
)


def _parser(path):
    def row_records(n: int, row: dict[str, str]) -> list[Measurement]:
        if row["sigma"] == "skip":
            return []
        with reason_prefix(f"ID {row['id']}"):
            red = reduced_formula(row["formula"])
            value, censor = parse_conductivity(row["sigma"])
        return [Measurement(row["formula"], red, "sigma_S_cm", value, 298.15, censor=censor,
                            provenance=Provenance("t", file=path.name, row=n))]
    return row_records


def test_bad_rows_rejected_with_row_number_rest_parsed(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text(CSV, encoding="utf-8")
    res = parse_rows(LoadResult("t"), path, _parser(path))

    assert [(r.provenance.row, r.reduced_formula, r.value, r.censor) for r in res.records] == [
        (1, "Li3PS4", 1.6e-4, None), (4, "LiCl", 1e-10, "upper"), (7, "Li10Ge(PS6)2", 1.2e-2, None)]  # pymatgen reduced form
    reasons = {r.row: r.reason for r in res.rejected}
    assert sorted(reasons) == [2, 3, 5, 6]
    assert reasons[2] == "ID b: conductivity 'n/a' is not a number"
    assert reasons[3] == "2 fields, header has 3 (truncated row?)"
    assert reasons[5].startswith("ID e: formula 'Xx2O'")
    assert reasons[6] == "row gave no record"
    assert all(r.file == str(path) for r in res.rejected)
    # accounting: every data row is parsed or rejected, exactly once
    assert (res.rows, res.parsed, len(res.rejected)) == (7, 3, 4)


def test_rows_add_to_given_result_and_broken_parser_propagates(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text(CSV, encoding="utf-8")
    res = LoadResult("t", rows=2)
    assert parse_rows(res, path, _parser(path)) is res and res.rows == 9  # counts accumulate

    def missing_column(n: int, row: dict[str, str]) -> list[Measurement]:
        return [row["no such column"]]

    with pytest.raises(KeyError, match="no such column"):  # a loader bug, not a bad row
        parse_rows(LoadResult("t"), path, missing_column)
