"""The merged label table: composition keys, the report/consensus rule, de-duplication across sets
with every source row kept and traceable to its file."""

from __future__ import annotations

import csv
import json
import math

import pytest

from superionic.data.base import composition_key, reduced_formula
from superionic.data.merge import COLUMNS, group_reports, merge_records, merged_conductivity_labels
from superionic.records import Measurement, Provenance


@pytest.mark.parametrize("a, b", [
    ("Li1.5P0.5S2", "Li3PS4"), ("Li1.4P0.6S2.2", "Li7P3S11"), ("Li14La6Zr4O24", "Li7La3Zr2O12"),
    ("Li0.33La0.56TiO3", "Li0.66La1.12Ti2O6"), ("Li0.330000001La0.56TiO3", "Li0.33La0.56TiO3"),
    ("Li6.4La3Zr1.4Ta0.6O12", "Li12.8La6Zr2.8Ta1.2O24"), ("(Li2S)70 (P2S5)30", "Li7P3S11")])
def test_composition_key_is_scale_free(a, b):
    assert composition_key(a) == composition_key(b)


@pytest.mark.parametrize("a, b", [("Li0.33La0.56TiO3", "Li0.333La0.56TiO3"), ("Li3PS4", "Li3PO4"),
                                  ("LiCl", "Li2Cl")])
def test_composition_key_separates_different_compositions(a, b):
    assert composition_key(a) != composition_key(b)


def test_composition_key_of_whole_formulas_is_pymatgens():
    for f in ("Li7La3Zr2O12", "Li6PS5Cl", "LiCl", "Li10GeP2S12"):
        assert composition_key(f) == reduced_formula(f)


def _m(formula, value, dataset, censor=None, quantity="sigma_S_cm", doi=None, row=1):
    return Measurement(formula, reduced_formula(formula), quantity, value, 298.15, censor=censor,
                       provenance=Provenance(dataset, file=f"{dataset}.csv", row=row, doi=doi))


def test_reports_collapse_copies_not_independent_measurements():
    rows = [_m("Li3PS4", 1.6e-4, "obelix", doi="10.1/a"), _m("Li3PS4", 1.58e-4, "lask", doi="10.1/A"),
            _m("Li3PS4", 1.6e-4, "kang"), _m("Li3PS4", 1.6e-4, "lp", doi="10.1/b"),
            _m("Li3PS4", 3e-4, "lp", doi="10.1/a", row=2)]
    reports = group_reports(rows)
    sizes = sorted(len(r) for r in reports)
    # a/A (same DOI, 1.6 vs 1.58e-4) and the DOI-less copy are one report; DOI b is another
    # report even at the same value; 3e-4 from paper a is a different measurement
    assert sizes == [1, 1, 3]


def test_merge_rule_median_censoring_and_ea():
    df = merge_records([
        _m("Li3PS4", 1e-4, "a", doi="1"), _m("Li6P2S8", 1e-6, "b", doi="2"),
        _m("Li3PS4", 1e-5, "c", doi="3"),
        _m("LiCl", 1e-10, "a", "upper", doi="4"), _m("LiCl", 1e-8, "b", "upper", doi="5"),
        _m("LiI", 1e-7, "a", doi="6"), _m("LiI", 1e-10, "b", "upper", doi="7"),
        _m("LiI", 0.31, "c", quantity="Ea_eV"), _m("LiI", 0.35, "d", quantity="Ea_eV"),
        _m("LiBr", 0.4, "c", quantity="Ea_eV")])
    assert list(df.columns) == COLUMNS
    by = df.set_index("reduced_formula")
    assert set(by.index) == {"Li3PS4", "LiCl", "LiI"}  # Li6P2S8 = Li3PS4; LiBr has no sigma
    assert by.loc["Li3PS4", "log10_sigma_S_cm"] == pytest.approx(-5.0)  # median of -4, -6, -5
    assert by.loc["Li3PS4", "log10_sigma_S_cm"] == pytest.approx(-5.0)
    assert (by.loc["Li3PS4", "n_sources"], by.loc["Li3PS4", "n_reports"]) == (3, 3)
    assert by.loc["Li3PS4", "log10_sigma_spread"] == pytest.approx(2.0)
    assert json.loads(by.loc["Li3PS4", "formulas"]) == ["Li3PS4"]  # Li6P2S8 reduces to it
    # only bounds: stays censored with the tightest bound
    assert by.loc["LiCl", "censor"] == "upper" and by.loc["LiCl", "log10_sigma_S_cm"] == -10
    # a bound never moves an uncensored consensus
    assert by.loc["LiI", "censor"] is None and by.loc["LiI", "log10_sigma_S_cm"] == pytest.approx(-7)
    assert by.loc["LiI", "Ea_eV"] == pytest.approx(0.33) and by.loc["LiI", "n_Ea"] == 2
    assert math.isnan(by.loc["Li3PS4", "Ea_eV"])


@pytest.fixture(scope="module")
def labels(data_dir):
    return merged_conductivity_labels(data_dir, mobile_ion="Li")


def test_merged_table_deduplicates_across_sets(labels, data_dir):
    assert labels["reduced_formula"].is_unique and labels["composition_key"].is_unique
    assert all("Li" in f for f in labels["reduced_formula"])
    row = labels.set_index("reduced_formula").loc["Li7P3S11"]
    sources = json.loads(row["sources"])
    datasets = {s["dataset"] for s in sources}
    assert {"obelix", "liverpool_ionics", "laskowski_2023"} <= datasets
    assert row["n_sources"] == sum(s["quantity"] == "sigma_S_cm" for s in sources)
    assert row["n_reports"] < row["n_sources"]  # OBELiX / IonNet re-tabulate Liverpool rows
    assert "Li1.4P0.6S2.2" in json.loads(row["formulas"])  # written per P: same composition
    assert -4 < row["log10_sigma_S_cm"] < -1 and row["Ea_eV"] > 0
    # every Liverpool source row points at the file row holding that value at 15-35 C
    with open(data_dir / "liverpool_ionics" / "LiIonDatabase.csv", encoding="utf-8-sig") as fh:
        raw = list(csv.DictReader(fh))
    for s in sources:
        if s["dataset"] == "liverpool_ionics":
            r = raw[s["row"] - 1]
            assert float(r["target"]) == pytest.approx(s["value"])
            assert 15 <= float(r["temperature"]) <= 35


def test_merged_table_counts(labels):
    assert len(labels) > 1000
    assert labels["log10_sigma_S_cm"].map(math.isfinite).all()
    censored = labels[labels["censor"].notna()]
    assert len(censored) > 0 and set(censored["censor"]) == {"upper"}
    assert (censored["log10_sigma_S_cm"] <= -8 + 1e-9).all()  # OBELiX/Laskowski bounds 1e-8, 1e-10
    assert labels["temperature_K"].between(288.15, 308.15).all()
    assert labels["n_Ea"].sum() > 400 and labels["Ea_eV"].dropna().between(0.05, 2.2).all()
    assert (labels["n_reports"] <= labels["n_sources"]).all()


def test_other_mobile_ion_and_bad_ion(data_dir):
    na = merged_conductivity_labels(data_dir, mobile_ion="Na")
    assert len(na) > 50 and all("Na" in f for f in na["reduced_formula"])
    assert set(",".join(na["datasets"]).split(",")) >= {"kang2023_ic"}
    with pytest.raises(ValueError, match="mobile_ion"):
        merged_conductivity_labels(data_dir, mobile_ion="Q")
