"""Every data set loads with counts that match its files; censoring, units and bad rows."""

from __future__ import annotations

import csv
import gzip
import math

import pytest

from superionic.data import laskowski, liverpool, obelix
from superionic.data.base import csv_rows, parse_conductivity
from superionic.data.merge import merge_records, merged_conductivity_labels
from superionic.data.registry import DATASETS, load_set, summary
from superionic.records import Measurement, Provenance


def _csv_data_rows(path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


#: Row counts stated in each SOURCE.md.
DOCUMENTED_ROWS = {"obelix": 599, "liverpool_ionics": 820, "laskowski_2023": 1642,
                   "kang2023_ic": 328, "esw_wang2024": 1502, "ionnet": 4582 + 398,
                   "mp_matbench_composition": 95118 + 78164 + 56662,
                   "mp_entries_fixture_CClKLiMnNaOY": 1326, "mp_elemental_refs": 89}


@pytest.mark.parametrize("name", [n for n in DATASETS if n != "mp_matbench_composition"])
def test_counts_match_files(name, data_dir):
    s = summary(name, data_dir)
    assert s["rows"] == DOCUMENTED_ROWS[name]
    assert s["parsed"] + s["rejected"] >= s["rows"] - 1  # every row is parsed or reported
    assert s["parsed"] <= s["rows"]


def test_matbench_tables_counted_independently(data_dir):
    res = load_set("mp_matbench_composition", data_dir)
    files = [data_dir / "mp_matbench_composition" / f for f in
             ("mp_e_form.csv.gz", "mp_gap.csv.gz", "mp_e_hull.csv.gz")]
    assert res.rows == sum(_csv_data_rows(p) for p in files) == DOCUMENTED_ROWS["mp_matbench_composition"]
    assert res.parsed + len(res.rejected) == res.rows


def test_obelix_censored_values_stay_censored(data_dir):
    res = obelix.load(data_dir)
    with open(data_dir / "obelix" / "all.csv", encoding="utf-8") as fh:
        raw = [r[obelix.SIGMA_COLUMN] for r in csv.DictReader(fh)]
    n_bounds = sum(v.strip().startswith("<") for v in raw)
    censored = [r for r in res.records if r.censor == "upper"]
    assert n_bounds > 0 and len(censored) == n_bounds
    assert {r.value for r in censored} <= {1e-10, 1e-8}
    # the unparseable hydrate formula (ID na5) is reported with its row, not dropped silently
    assert any("na5" in r.reason for r in res.rejected)
    assert set(res.extras["split"].values()) == {"train", "test"}
    assert sum(v == "test" for v in res.extras["split"].values()) == 121


def test_liverpool_celsius_to_kelvin(data_dir):
    res = liverpool.load(data_dir)
    row2 = next(r for r in res.records if r.provenance.row == 2)
    assert row2.reduced_formula == "Li2HBrO"  # Li2OHBr
    assert row2.temperature_K == pytest.approx(22.06 + 273.15)
    assert row2.value == pytest.approx(5.40e-7)
    series = liverpool.arrhenius_series(res, 3)
    assert len(series) >= 60  # SOURCE.md: 71 compositions with >= 3 temperatures (by string)
    assert all(len({m.temperature_K for m in s}) >= 3 for s in series.values())


def test_liverpool_glass_notation():
    comp = liverpool.glass_composition('"(Li2O)50 (Al2O3)2 (P2O5)48"')
    from pymatgen.core import Composition
    c = Composition(comp)
    assert c["Li"] == pytest.approx(100) and c["Al"] == pytest.approx(4) and c["P"] == pytest.approx(96)
    with pytest.raises(ValueError):
        liverpool.glass_composition("not a glass")


def test_laskowski_sigma_and_ea(data_dir):
    res = laskowski.load(data_dir)
    ea = [r for r in res.records if r.quantity == "Ea_eV"]
    sig = [r for r in res.records if r.quantity == "sigma_S_cm"]
    assert len(ea) == 562 and len(sig) == 893  # SOURCE.md summary of the parsed file
    assert all(0.05 < r.value < 2.2 for r in ea)
    li7 = next(r for r in sig if r.provenance.note == "raw_row=6")
    assert li7.reduced_formula == "Li7P3S11" and li7.value == pytest.approx(3.2e-3)


@pytest.mark.parametrize("text, expected", [("1.5e-3", (1.5e-3, None)), ("<1E-10", (1e-10, "upper")),
                                            ("> 1e-2", (1e-2, "lower"))])
def test_parse_conductivity(text, expected):
    assert parse_conductivity(text) == expected


@pytest.mark.parametrize("text", ["", "n/a", "-1e-3", "0"])
def test_parse_conductivity_refuses(text):
    with pytest.raises(ValueError):
        parse_conductivity(text)


def test_malformed_rows_reported_rest_loaded(tmp_path):
    folder = tmp_path / "liverpool_ionics"
    folder.mkdir()
    (folder / "LiIonDatabase.csv").write_text(
        "ID,composition,source,temperature,target,log_target,family,ChemicalFamily\n"
        "1,Li3PS4,10.1/x,25,1.6E-4,-3.8,Thio,S\n"
        "2,Li7La3Zr2O12,10.1/y,abc,1E-4,-4,Garnet,O\n"
        "3,Li3N,10.1/z\n"
        "4,Qq2O,10.1/w,25,1E-4,-4,X,O\n"
        "5,LiCl,10.1/v,25,1E-9,-9,Halide,Cl\n")
    res = liverpool.load(tmp_path)
    assert res.rows == 5
    assert [r.reduced_formula for r in res.records] == ["Li3PS4", "LiCl"]
    reasons = {r.row: r.reason for r in res.rejected}
    assert set(reasons) == {2, 3, 4}
    assert "truncated" in reasons[3]
    assert all(r.file.endswith("LiIonDatabase.csv") for r in res.rejected)


def test_malformed_cif_is_rejected():
    with pytest.raises(ValueError, match="broken.cif"):
        obelix.parse_cif("data_x\n_cell_length_a 3.0\nloop_\n_atom_site_label\n", "broken.cif")


def test_obelix_structures_flagged_randomised(data_dir):
    structures, rejected = obelix.load_structures(data_dir)
    assert len(structures) + len(rejected) == 321
    s = next(iter(structures.values()))
    assert s.properties["positions_randomised"] is True


def _m(formula, value, dataset, censor=None, quantity="sigma_S_cm"):
    from superionic.data.base import reduced_formula
    return Measurement(formula, reduced_formula(formula), quantity, value, 298.15, censor=censor,
                       provenance=Provenance(dataset, row=1))


def test_merge_rule():
    df = merge_records([
        _m("Li3PS4", 1e-4, "a"), _m("Li6P2S8", 1e-6, "b"), _m("Li3PS4", 1e-5, "c"),
        _m("LiCl", 1e-10, "a", "upper"), _m("LiCl", 1e-8, "b", "upper"),
        _m("LiI", 1e-7, "a"), _m("LiI", 1e-10, "b", "upper"), _m("LiI", 0.31, "c", quantity="Ea_eV")])
    by = df.set_index("reduced_formula")
    assert len(df) == 3  # Li3PS4 and Li6P2S8 are one composition
    assert by.loc["Li3PS4", "log10_sigma_S_cm"] == pytest.approx(-5.0)  # median of -4, -6, -5
    assert by.loc["Li3PS4", "n_sources"] == 3
    assert by.loc["LiCl", "censor"] == "upper" and by.loc["LiCl", "log10_sigma_S_cm"] == -10
    assert by.loc["LiI", "censor"] is None and by.loc["LiI", "log10_sigma_S_cm"] == pytest.approx(-7)
    assert by.loc["LiI", "Ea_eV"] == pytest.approx(0.31)


def test_merged_table_deduplicates_across_sets(data_dir):
    df = merged_conductivity_labels(data_dir)
    assert df["reduced_formula"].is_unique
    row = df.set_index("reduced_formula").loc["Li7P3S11"]
    assert row["n_datasets"] >= 3  # OBELiX, Liverpool, Laskowski all report it
    assert -4 < row["log10_sigma_S_cm"] < -1
    assert all(math.isfinite(v) for v in df["log10_sigma_S_cm"])
    assert all("Li" in f for f in df["reduced_formula"])


def test_csv_rows_flags_stray_delimiter(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n1,2,3\n")
    rows = list(csv_rows(p))
    assert rows[0][1] == {"a": "1", "b": "2"} and rows[1][1] is None and "stray" in rows[1][2]
