"""Every shared set loads with counts that match its files, computed here independently (csv
module, pymatgen directly) and as documented in each SOURCE.md; units, censoring, provenance."""

from __future__ import annotations

import csv
import gzip
import json
import math
import tarfile
from collections import Counter, defaultdict

import pytest
from pymatgen.core import Composition, Element, Lattice

from superionic.data import esw_wang2024, ionnet, liverpool, obelix
from superionic.data.base import parse_conductivity
from superionic.records import Material

#: Data rows stated in each SOURCE.md (ionnet: MP list + 300 K subset; matbench: three tables).
DOCUMENTED_ROWS = {"obelix": 599, "liverpool_ionics": 820, "laskowski_2023": 1642,
                   "kang2023_ic": 328, "esw_wang2024": 1502, "ionnet": 4582 + 398,
                   "mp_matbench_composition": 95118 + 78164 + 56662,
                   "mp_entries_fixture_CClKLiMnNaOY": 1326, "mp_elemental_refs": 89}


def _rows(path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _parses(formula: str) -> bool:
    try:
        comp = Composition(formula.replace('"', "").strip())
    except Exception:  # noqa: BLE001
        return False
    return comp.num_atoms > 0 and all(isinstance(e, Element) for e in comp.elements)


def _number(text: str) -> bool:
    """A plausible conductivity: positive and at most 10 S/cm (bounds '<x' included)."""
    try:
        return 0 < float(text.replace("\u2212", "-").lstrip("<>")) <= 10
    except ValueError:
        return False


def test_every_set_present_counted_and_accounted(summaries):
    assert set(summaries) == set(DOCUMENTED_ROWS)
    for name, s in summaries.items():
        assert s["present"] and s["checksums_ok"], name
        assert s["rows"] == DOCUMENTED_ROWS[name], name
        assert s["parsed"] + s["rejected"] == s["rows"], name  # every row parsed or reported


def test_obelix_counts_split_and_censoring(data_dir, loaded, summaries):
    raw = _rows(data_dir / "obelix" / "all.csv")
    good = [r for r in raw if _parses(r["Reduced Composition"])
            and _number(r[obelix.SIGMA_COLUMN])]
    assert summaries["obelix"]["parsed"] == len(good) == 598  # the *(H2O)18 hydrate fails
    res = loaded("obelix")
    assert [r.reason for r in res.rejected if "na5" in r.reason]
    split = res.extras["split"]
    assert Counter(split.values()) == {"train": 478, "test": 121}
    for part, n in (("train", 478), ("test", 121)):
        sub = obelix.load(data_dir, part)
        assert sub.rows == n and {split[r.provenance.note.split(";")[0][3:]] for r in sub.records} == {part}
    # '<1E-10' -> value 1e-10, censor 'upper': as many as the file has, none dropped
    bounds = [r[obelix.SIGMA_COLUMN] for r in raw if r[obelix.SIGMA_COLUMN].startswith("<")]
    censored = [r for r in res.records if r.censor == "upper"]
    assert len(censored) == len(bounds) > 30
    assert Counter(r.value for r in censored) == Counter(float(b[1:]) for b in bounds)
    assert all(r.temperature_K == 298.15 and r.quantity == "sigma_S_cm" for r in res.records)
    # provenance: set, file, 1-based row, DOI, upstream commit
    first = res.records[0]
    assert (first.provenance.dataset, first.provenance.file, first.provenance.row) == \
        ("obelix", "all.csv", 1)
    assert first.provenance.doi == raw[0]["DOI"] and "4eaac889" in first.provenance.version
    assert first.value == pytest.approx(float(raw[0][obelix.SIGMA_COLUMN]))


def test_obelix_cifs_flagged_randomised(data_dir, loaded):
    with tarfile.open(data_dir / "obelix" / "all_cifs.tar.gz") as tar:
        ids = sorted(m.name.split("/")[-1][:-4] for m in tar.getmembers() if m.name.endswith(".cif"))
    assert len(ids) == 321  # SOURCE.md
    sample = set(ids[::16])  # 21 CIFs: the full archive is read by the models tests
    structures, rejected = obelix.load_structures(data_dir, ids=sample)
    assert set(structures) | {r.file.split("/")[-1][:-4] for r in rejected} == sample
    res = loaded("obelix")
    mats = [m for m in obelix.materials(res, structures) if m.structure is not None]
    assert len(mats) == len(structures) and all(obelix.positions_randomised(m) for m in mats)
    table = {r["ID"]: r for r in _rows(data_dir / "obelix" / "all.csv")}
    for ident, st in structures.items():  # randomised positions keep the tabulated cell
        tab = Lattice.from_parameters(*(float(table[ident][c]) for c in
                                        ("a", "b", "c", "alpha", "beta", "gamma")))
        assert st.volume == pytest.approx(tab.volume, rel=0.02), ident
    flagged = [r for r in res.records if "cif=positions_randomised" in r.provenance.note]
    assert len(flagged) == sum(r["Cif ID"] == "done" for r in _rows(data_dir / "obelix" / "all.csv")
                               if _parses(r["Reduced Composition"]))


def test_liverpool_celsius_to_kelvin_and_glass(data_dir, loaded, summaries):
    raw = _rows(data_dir / "liverpool_ionics" / "LiIonDatabase.csv")
    assert summaries["liverpool_ionics"]["parsed"] == sum(
        _parses(r["composition"]) and _number(r["target"]) for r in raw)
    res = loaded("liverpool_ionics")
    row2 = next(r for r in res.records if r.provenance.row == 2)
    assert raw[1]["temperature"] == "22.06" and row2.reduced_formula == "Li2HBrO"  # Li2OHBr
    assert row2.temperature_K == pytest.approx(295.21, abs=1e-9)
    assert row2.value == pytest.approx(5.40e-7) and row2.provenance.doi == "10.1002/aenm.201700971"
    for rec, r in zip(res.records, raw, strict=True):  # every row: T/K = T/C + 273.15
        assert rec.temperature_K == pytest.approx(float(r["temperature"]) + 273.15)
    glass = [r for r in res.records if "glass=" in r.provenance.note]
    assert len(glass) == sum(r["composition"].strip('" ').startswith("(")
                             and r["composition"].count(")") >= 2 for r in raw)
    g = next(r for r in glass if r.provenance.note.endswith("(Li2O)50 (Al2O3)2 (P2O5)48"))
    c = Composition(g.formula)  # 50 Li2O + 2 Al2O3 + 48 P2O5
    assert (c["Li"], c["Al"], c["P"], c["O"]) == (100, 4, 96, 50 + 6 + 240)


def test_glass_notation_nested_and_malformed():
    comp = Composition(liverpool.glass_composition('"((Li2S)0.6 (SiS2)0.4 )95 (Li4SiO4)5"'))
    expected = {"Li": 0.6 * 2 * 95 + 4 * 5, "Si": 0.4 * 95 + 5, "S": (0.6 + 0.8) * 95, "O": 20}
    assert {e.symbol: a for e, a in comp.items()} == pytest.approx(expected)
    assert Composition(liverpool.glass_composition("(Li2S)70 (P2S5)30")).reduced_formula == "Li7P3S11"
    for bad in ("(Li2O)50 (Qq2O3)50", "(Li2O)50 (P2O5", "LiCl"):
        with pytest.raises(ValueError):
            liverpool.glass_composition(bad)


def test_liverpool_arrhenius_series(data_dir, loaded):
    res = loaded("liverpool_ionics")
    temps = defaultdict(set)
    for r in _rows(data_dir / "liverpool_ionics" / "LiIonDatabase.csv"):
        temps[Composition(r["composition"].replace('"', "")).reduced_formula].add(
            round(float(r["temperature"]) + 273.15, 2))
    pooled = liverpool.arrhenius_series(res, 3)
    assert set(pooled) == {f for f, t in temps.items() if len(t) >= 3}
    reports = liverpool.arrhenius_reports(res, 3)
    assert 40 < len(reports) <= sum(len(v) for v in pooled.values())
    for s in reports:
        assert s.n_temperatures >= 3 and list(s.temperature_K) == sorted(s.temperature_K)
        assert all(s.temperature_K > 0) and all(s.sigma_S_cm > 0)


def test_laskowski_sigma_ea_and_raw_rows(data_dir, loaded, summaries):
    raw = _rows(data_dir / "laskowski_2023" / "laskowski_parsed.csv")
    with_formula = [r for r in raw if r["reduced_formula"].strip()]
    sig = [r for r in with_formula if _number(r["sigma_raw"])]
    ea = [r for r in with_formula if r["Ea_eV"].strip()]
    parsed = [r for r in with_formula if _number(r["sigma_raw"]) or r["Ea_eV"].strip()]
    assert summaries["laskowski_2023"]["parsed"] == len(parsed)
    res = loaded("laskowski_2023")
    by_q = Counter(r.quantity for r in res.records)
    assert by_q == {"sigma_S_cm": len(sig), "Ea_eV": len(ea)}
    # SOURCE.md: 893 numeric sigma, 562 Ea; here one "1.2E\u22124" is read and "<1E10" refused
    assert len(ea) == 562 and len(sig) == 893 + 1 - 1
    assert any("<1E10" in r.reason and "implausible" in r.reason for r in res.rejected)
    assert sum(r.censor == "upper" for r in res.records) == sum(
        r["sigma_is_upper_bound"] == "True" for r in sig)
    li7 = next(r for r in res.records if r.quantity == "sigma_S_cm"
               and r.provenance.note.startswith("raw_row=6;"))
    assert li7.reduced_formula == "Li7P3S11" and li7.value == pytest.approx(3.2e-3)
    assert all(0.05 < r.value < 2.2 for r in res.records if r.quantity == "Ea_eV")
    assert all(r.reason.startswith("raw row ") for r in res.rejected)


def test_kang_counts_and_families(data_dir, loaded):
    raw = _rows(data_dir / "kang2023_ic" / "Ionic_conductivity_training_dataset.csv")
    res = loaded("kang2023_ic")
    assert res.rows == len(raw) == 328 and res.parsed == 328
    assert sum("Li" in {e.symbol for e in Composition(r.formula).elements} for r in res.records) == 194
    families = Counter(r.family for r in res.records)
    documented = {"NASICON": 144, "Perovskite": 67, "Garnet": 53, "Argyrodite": 24,
                  "Li-halide": 12, "LISICON": 10, "LGPS": 8, "Thio-LISICON": 6}  # SOURCE.md
    assert {k: families[k] for k in documented} == documented
    assert families == Counter(r["Type"] for r in raw)
    for rec, r in zip(res.records, raw, strict=True):
        assert rec.value == float(r["Ionic conductivity (S/cm)"])


def test_esw_potentials_and_working_ions(data_dir, loaded):
    raw = _rows(data_dir / "esw_wang2024" / "ESW_training_dataset.csv")
    res = loaded("esw_wang2024")
    assert res.rows == len(raw) == 1502 and res.parsed == 1502
    ions = Counter(r.provenance.note.split(";")[0][4:] for r in res.records
                   if r.quantity == "reduction_V")
    assert ions == {"Li": 712, "Na": 386, "Al": 134, "Ca": 113, "K": 86, "Mg": 68, "Zn": 3}
    li = esw_wang2024.for_ion(res, "Li")
    assert len(li) == 2 * 712
    red = {r.provenance.row: r.value for r in res.records if r.quantity == "reduction_V"}
    ox = {r.provenance.row: r.value for r in res.records if r.quantity == "oxidation_V"}
    for n, r in enumerate(raw, start=1):  # width = oxidation - reduction, V
        assert ox[n] - red[n] == pytest.approx(float(r["ESW Width (V)"]), abs=0.011)
    assert esw_wang2024.working_ion("NaAlCl4") == "Na" and esw_wang2024.working_ion("ZnAl2O4") == "Zn"


def test_ionnet_candidates_room_temperature_and_sic(data_dir, loaded):
    res = loaded("ionnet")
    mats = [r for r in res.records if isinstance(r, Material)]
    assert len(mats) == 4582 == len({m.material_id for m in mats})
    assert all("Li" in m.reduced_formula for m in mats)
    assert 0 <= min(m.e_above_hull_eV_per_atom for m in mats) < max(
        m.e_above_hull_eV_per_atom for m in mats) <= 0.1
    assert min(m.band_gap_eV for m in mats) >= 0.5
    rt_raw = _rows(data_dir / "ionnet" / ionnet.RT_FILE)
    rt = [r for r in res.records if r.provenance.file == ionnet.RT_FILE]
    assert len(rt) == sum(bool(r["temperature"].strip()) for r in rt_raw) == 398 - len(res.rejected)
    assert all(288.15 <= r.temperature_K <= 308.15 for r in rt)  # the 15-35 C subset
    assert any("temperature is missing" in r.reason for r in res.rejected)
    assert ionnet.SIC_FILE in res.extras["undocumented"]
    sic = ionnet.load_sic_scores(data_dir)
    assert len(sic) == 8750 and sic.attrs["undocumented"] is True
    assert sic["SIC"].between(0, 1).all()


def test_matbench_tables_and_refs(data_dir, loaded, summaries):
    rejected = 0
    for f in ("mp_e_form.csv.gz", "mp_gap.csv.gz", "mp_e_hull.csv.gz"):
        rows = _rows(data_dir / "mp_matbench_composition" / f)
        col = [c for c in rows[0] if c not in ("formula", "reduced_formula", "contains_Li")][0]
        rejected += sum(not r["reduced_formula"].strip() or not r[col].strip() for r in rows)
    assert summaries["mp_matbench_composition"]["rejected"] == rejected
    refs = loaded("mp_elemental_refs")
    li = refs.extras["refs"]["Li"]
    assert li.entry_id.startswith("mp-1018134")  # SOURCE.md; the id carries a -GGA suffix
    assert li.uncorrected_energy_per_atom == pytest.approx(-1.909, abs=0.001)  # SOURCE.md
    assert all({e.symbol for e in refs.extras["refs"][el].composition.elements} == {el}
               for el in refs.extras["refs"])


def test_frame_has_units_and_provenance(loaded):
    frame = loaded("kang2023_ic").frame()
    assert {"quantity", "value", "temperature_K", "censor", "prov_dataset", "prov_row",
            "prov_version"} <= set(frame.columns)
    assert set(frame["quantity"]) == {"sigma_S_cm"}
    assert frame["prov_row"].tolist() == list(range(1, 329))
    assert json.loads(json.dumps(frame.head(3).to_dict("records"), default=str))


@pytest.mark.parametrize("text, expected", [
    ("1.5e-3", (1.5e-3, None)), ("<1E-10", (1e-10, "upper")), ("> 1e-2", (1e-2, "lower")),
    ("1.2E\u22124", (1.2e-4, None))])
def test_parse_conductivity(text, expected):
    assert parse_conductivity(text) == expected


@pytest.mark.parametrize("text", ["", "n/a", "-1e-3", "0", "nan", "<", "<1E10"])
def test_parse_conductivity_refuses(text):
    with pytest.raises(ValueError):
        parse_conductivity(text)


def test_log10_of_censored_bound_is_the_bound(loaded):
    rec = next(r for r in loaded("obelix").records if r.censor == "upper")
    assert rec.log10_value == pytest.approx(math.log10(rec.value))
