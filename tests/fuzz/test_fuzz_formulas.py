"""The one formula parser: bad formulas are refused fast with the reason, good ones read exactly
as pymatgen reads them (bit for bit), and every path into features and stability uses it."""

from __future__ import annotations

import time

import pytest
from pymatgen.core import Composition

from superionic.features import featurize
from superionic.formula import FormulaError, parse_amounts, parse_composition
from superionic.stability.hull import FormulaError as HullFormulaError
from superionic.stability.hull import parse_formula

from .corpus import BAD_FORMULAS, GOOD_FORMULAS


@pytest.mark.parametrize("formula", list(BAD_FORMULAS))
def test_bad_formula_refused_with_reason(formula: str) -> None:
    t0 = time.perf_counter()
    try:
        amounts = parse_amounts(formula)
    except FormulaError as exc:
        assert BAD_FORMULAS[formula] in str(exc)
        assert exc.kind == "bad formula" and exc.option == "formula"
    else:  # only the deeply nested one may pass (pymatgen reads it: Li1)
        assert formula.startswith("((((") and amounts == {"Li": 1.0}
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("formula", GOOD_FORMULAS)
def test_good_formula_bit_identical_to_pymatgen(formula: str) -> None:
    ref = Composition(formula).get_el_amt_dict()
    got = parse_amounts(formula)
    assert list(got) == list(ref)  # same element order (Magpie sums in this order)
    assert [v.hex() for v in got.values()] == [v.hex() for v in ref.values()]
    assert parse_composition(formula) == Composition(formula)


def test_non_string_inputs_refused() -> None:
    for item in (None, float("nan"), 3, b"LiCl"):
        with pytest.raises(FormulaError):
            parse_amounts(item)


def test_batch_keeps_good_rows_and_names_bad_ones() -> None:
    """One overflowing or zero amount no longer kills a batch (OverflowError before)."""
    frame, rejected = featurize(["LiCl", "Li1e400O", "LiO0", "Li3PS4"], source="batch.csv",
                                guessed_oxidation=False)
    assert list(frame.index) == [1, 4]
    reasons = {r.row: r.reason for r in rejected}
    assert "not finite" in reasons[2] and "zero" in reasons[3]


def test_stability_parser_refuses_overflow_fast() -> None:
    """``window LiCl Li1e400O`` used to spin in reaction balancing: refused at the parser."""
    t0 = time.perf_counter()
    with pytest.raises(HullFormulaError, match="not finite"):
        parse_formula("Li1e400O")
    with pytest.raises(HullFormulaError, match="zero"):
        parse_formula("LiO0")
    assert time.perf_counter() - t0 < 1.0


def test_one_formula_error_under_every_name() -> None:
    """The stability stage's formula error is the library's FormulaError and a UserInputError:
    caught under any of the three names, reported by the CLI's one wrapper (kind, value)."""
    from superionic.errors import UserInputError
    from superionic.stability.hull import StabilityInputError

    for exc_type in (HullFormulaError, FormulaError, StabilityInputError, UserInputError):
        with pytest.raises(exc_type, match="zero"):
            parse_formula("LiO0")
    with pytest.raises(HullFormulaError) as info:
        parse_formula("Xx2O")
    assert info.value.to_dict()["kind"] == "malformed formula"
