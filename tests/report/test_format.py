"""Numbers in the report: significant figures, the 1e-20 floor, bounds, errors, and the
element-fraction distance of the nearest-analogue look-up."""

from __future__ import annotations

import math

import pytest

from superionic.report import format as fm
from superionic.report.analogues import AnalogueIndex, distance


def test_scientific_and_floor():
    assert fm.sci(3.14159e-4) == "3.1×10⁻⁴"
    assert fm.sci(0.012) == "1.2×10⁻²"
    assert fm.sci(9.96e-5) == "1.0×10⁻⁴"  # rounding carries into the exponent
    assert fm.sci(1.457e-35) == "< 10⁻²⁰"  # an electronic conductivity of an insulator
    assert fm.sig(1.457e-35) == "< 10⁻²⁰"
    assert fm.sig(0.00079) == "7.9×10⁻⁴" and fm.sig(0.0079) == "0.0079"
    assert fm.sig(1300.0, 3) == "1300" and fm.sig(2.0e6, 2) == "2.0×10⁶"
    for missing in (None, math.nan, math.inf, "x", True):
        assert fm.sci(missing) is None and fm.sig(missing) is None and fm.fixed(missing) is None


def test_bounds_errors_and_intervals():
    assert fm.upper_bound(3.2e-7, "cm²/s") == "< 3×10⁻⁷ cm²/s"
    assert fm.upper_bound(1e-30, "S/cm") == "< 10⁻²⁰ S/cm"  # never "< < ..."
    assert fm.pm(0.3123, 0.041, "eV") == "0.31 ± 0.04 eV"  # value to the error's decimal
    assert fm.pm(0.300011602, 9e-15, "eV") == "0.30 eV"  # an error with no information
    lo, hi = fm.from_log10(-4.6), fm.from_log10(-1.4)
    assert fm.interval(lo, hi) == "3×10⁻⁵ – 4×10⁻²"
    assert fm.fixed(-0.00016, 3) == "0.000" and fm.fixed(-0.0016, 3) == "−0.002"
    assert fm.plain([{}]) is None and fm.plain({}) is None and fm.plain(None) is None
    assert fm.plain(0.03) == "0.03" and fm.plain({"a": 1.5, "b": None}) == "a = 1.5"


def test_element_fraction_distance():
    def fr(d):
        tot = sum(d.values())
        return {k: v / tot for k, v in d.items()}

    assert distance(fr({"Li": 3, "Y": 1, "Cl": 6}), fr({"Li": 3, "Y": 1, "Cl": 6})) == 0.0
    assert distance(fr({"Li": 1, "Cl": 1}), fr({"Na": 1, "Br": 1})) == pytest.approx(2.0)
    # Li3YCl6 vs Li3YBr6: only the 60 % halide fraction differs -> 0.6 + 0.6
    assert distance(fr({"Li": 3, "Y": 1, "Cl": 6}),
                    fr({"Li": 3, "Y": 1, "Br": 6})) == pytest.approx(1.2)


def test_nearest_analogues_order_and_self():
    idx = AnalogueIndex([{"formula": "Li3YBr6", "log10_sigma_S_cm": -2.8},
                         {"formula": "Li3ErCl6", "log10_sigma_S_cm": -3.5},
                         {"formula": "LiI", "log10_sigma_S_cm": -6.9},
                         {"formula": "Li3YCl6", "log10_sigma_S_cm": None}])  # unlabelled: skipped
    assert len(idx) == 3
    near = idx.nearest("Li3YCl6", 2)
    # Li3ErCl6 differs only in Y <-> Er (0.1 + 0.1); Li3YBr6 in the halide (1.2)
    assert [a.formula for a in near] == ["Li3ErCl6", "Li3YBr6"]
    assert near[0].distance == pytest.approx(0.2)
    assert idx.nearest("LiI", 1)[0].distance == 0.0
    assert idx.nearest("not a formula", 2) == []


def test_md_protocol_sentence():
    """The MD protocol of the arrhenius workflow (its to_dict keys) reads as one sentence."""
    from superionic.report.sections import protocol_html

    proto = {"potential": "chgnet", "ion": "Li", "cell": {"atom_range": [60, 160]},
             "timestep_fs": 2.0, "equil_ps": 1.0, "segment_ps": 2.0,
             "max_ps_per_temperature": 20.0, "target_rel_err": 0.2, "T_start_K": 1200.0,
             "T_step_K": 150.0, "T_min_K": 450.0, "n_sigma": 2.0, "temperatures_K": None}
    html = protocol_html(proto)
    assert ("Protocol: potential CHGNet; time step 2 fs; 1 ps equilibration; up to 20 ps per "
            "temperature (until D is known to 20 %); temperatures from 1200 K down in 150 K "
            "steps to 450 K; diffusion significant when D &gt; 2 errors.") in html
    assert "<details>" in html and "None" not in html
    fixed = protocol_html({"temperatures_K": [800.0, 1000.0], "prod_ps": 20.0})
    assert "20 ps production per temperature; temperatures 800, 1000 K" in fixed


def test_md_potential_is_named_as_papers_name_it() -> None:
    """Series store model names ("sevennet", "chgnet"); the report prints the potentials' names,
    and the candidate table's MD column says which potential its verdicts come from."""
    from superionic.report.format import potential_label
    from superionic.report.sections import md_verdict_header

    assert potential_label("sevennet") == "SevenNet-0" and potential_label("chgnet") == "CHGNet"
    assert potential_label("my_calculator") == "my_calculator"
    assert md_verdict_header({"A": {"potential": "sevennet"}, "B": {"potential": "sevennet"}}) \
        == "MD verdict (SevenNet-0)"
    assert md_verdict_header({"A": {"potential": "chgnet"}, "B": {"potential": "sevennet"}}) \
        == "MD verdict (CHGNet, SevenNet-0)"
    assert md_verdict_header({"A": {}}) == "MD verdict"
