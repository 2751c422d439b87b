"""One formula parser, with limits: every formula passes here before it reaches pymatgen.

:func:`parse_amounts` reads the common syntax directly (element symbols, integer or decimal
amounts, nested parentheses with a multiplier, spaces between tokens: ``Li3PS4``,
``Li6.4La3Zr1.4Ta0.6O12``, ``Li3Fe2(PO4)3``, ``Li1 Fe1 P1 O4``) and gives exactly the element
amounts pymatgen's ``Composition(formula).get_el_amt_dict()`` gives, in the same order and to
the last bit (the same float operations in the same order). Anything else (brackets, ``@``,
exponents such as ``1e3``, a trailing ``.``) goes to pymatgen's own parser, and its result meets
the same limits. Limits (each a :class:`FormulaError`, a :class:`~superionic.errors.BadValue`):

- a formula is a non-empty string of at most :data:`MAX_FORMULA_LENGTH` characters;
- every symbol is a chemical element H..Og (no dummy species such as ``X``);
- every amount is finite, at least :data:`MIN_AMOUNT` (pymatgen silently drops smaller ones,
  so ``LiO0`` would become Li metal) and at most :data:`MAX_AMOUNT` (``Li1e400O`` overflows to
  inf and makes pymatgen's reaction balancing spin forever).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from pymatgen.core import Composition

from superionic.errors import BadValue

__all__ = [
    "ELEMENT_SYMBOLS",
    "MAX_AMOUNT",
    "MAX_FORMULA_LENGTH",
    "MIN_AMOUNT",
    "FormulaError",
    "check_composition",
    "parse_amounts",
    "parse_composition",
]

#: Element symbols H..Og; the position is the element index (Z - 1).
ELEMENT_SYMBOLS: tuple[str, ...] = (
    "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl",
    "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As",
    "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In",
    "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb",
    "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl",
    "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk",
    "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh",
    "Fl", "Mc", "Lv", "Ts", "Og",
)  # fmt: skip
_ELEMENTS = frozenset(ELEMENT_SYMBOLS)

#: Longest formula accepted (characters).
MAX_FORMULA_LENGTH = 500
#: Largest amount of one element per formula unit.
MAX_AMOUNT = 1e6
#: Smallest amount of an element written in a formula (pymatgen's ``amount_tolerance``).
MIN_AMOUNT = 1e-8
#: Deepest nesting of parentheses.
MAX_DEPTH = 10

_FLAT = re.compile(r"(?:[A-Z][a-z]?(?:\d+(?:\.\d+)?)?)+")
_FLAT_GROUP = re.compile(r"([A-Z][a-z]?)(\d+(?:\.\d+)?)?")
_TOKEN = re.compile(r"\s*(?:([A-Z][a-z]?)|(\d+(?:\.\d+)?)(?![\d.eE])|(\()|(\)))")


class FormulaError(BadValue):
    """A formula that is malformed or outside the limits; the message names formula and reason."""

    kind = "bad formula"
    #: the offending element symbol, when the problem is one element
    element: str | None = None


def _fail(formula: object, reason: str, element: str | None = None) -> FormulaError:
    err = FormulaError(f"malformed formula {formula!r}: {reason}", option="formula",
                       value=str(formula))
    err.element = element
    return err


def _fast(text: str) -> list[tuple[str, float]] | None:
    """Element amounts as pymatgen computes them, or None when the syntax is not the common one."""
    if _FLAT.fullmatch(text):
        acc: dict[str, float] = {}
        for sym, num in _FLAT_GROUP.findall(text):
            acc[sym] = acc.get(sym, 0.0) + (float(num) if num else 1.0)
        return list(acc.items())
    # general case: parentheses and spaces; a stack of occurrence lists
    stack: list[list[tuple[str, float]]] = [[]]
    pos, n = 0, len(text)
    closed: list[tuple[str, float]] | None = None  # a group just closed, waiting for its factor
    last_symbol = False
    while pos < n:
        if text[pos:].isspace():
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            return None
        pos = m.end()
        sym, num, opening, closing = m.groups()
        if closed is not None and num is None:
            stack[-1].extend(_group(closed, 1.0))
            closed = None
        if sym is not None:
            stack[-1].append((sym, 1.0))
            last_symbol = True
            continue
        if num is not None:
            if closed is not None:
                stack[-1].extend(_group(closed, float(num)))
                closed = None
            elif last_symbol:
                stack[-1][-1] = (stack[-1][-1][0], float(num))
            else:
                return None
            last_symbol = False
            continue
        last_symbol = False
        if opening is not None:
            if len(stack) > MAX_DEPTH:
                return None
            stack.append([])
        else:  # closing
            if len(stack) == 1 or not stack[-1]:
                return None
            closed = stack.pop()
    if closed is not None:
        stack[-1].extend(_group(closed, 1.0))
    if len(stack) != 1 or not stack[0]:
        return None
    acc = {}
    for sym, amt in stack[0]:
        acc[sym] = acc.get(sym, 0.0) + amt
    return list(acc.items())


def _group(occurrences: list[tuple[str, float]], factor: float) -> list[tuple[str, float]]:
    """A parenthesised group as pymatgen expands it: per element, in order of first appearance,
    0.0 + sum(amount * factor); the float survives pymatgen's repr round trip unchanged."""
    acc: dict[str, float] = {}
    for sym, amt in occurrences:
        acc[sym] = acc.get(sym, 0.0) + amt * factor
    return list(acc.items())


def _check(formula: object, items: list[tuple[str, float]]) -> dict[str, float]:
    if not items:
        raise _fail(formula, "no elements")
    for sym, amt in items:
        if sym not in _ELEMENTS:
            raise _fail(formula, f"{sym} is not an element (H..Og)", sym)
        if not math.isfinite(amt):
            raise _fail(formula, f"amount of {sym} is not finite ({amt})")
        if amt < MIN_AMOUNT:
            what = "zero" if amt == 0 else ("negative" if amt < 0 else f"below {MIN_AMOUNT:g}")
            raise _fail(formula, f"amount of {sym} is {what} ({amt:g}); every element written "
                                 "needs a positive amount")
        if amt > MAX_AMOUNT:
            raise _fail(formula, f"amount of {sym} ({amt:g}) exceeds {MAX_AMOUNT:g}")
    return dict(items)


@lru_cache(maxsize=65536)
def _parse_cached(text: str) -> tuple[tuple[str, float], ...]:
    items = _fast(text)
    if items is None:  # uncommon syntax: pymatgen's parser, then the same limits
        try:
            raw = Composition._parse_formula(text)  # noqa: SLF001 - raw amounts, zeros kept
        except Exception as exc:  # noqa: BLE001 - pymatgen raises several types
            raise _fail(text, f"does not parse ({exc})") from None
        items = list(raw.items())
    return tuple(_check(text, items).items())


def parse_amounts(formula: object) -> dict[str, float]:
    """Element -> amount per formula unit, exactly ``Composition(formula).get_el_amt_dict()``.

    :class:`FormulaError` when ``formula`` is not a string, is empty, longer than
    :data:`MAX_FORMULA_LENGTH`, does not parse, names a non-element, or has an amount that is
    not finite, below :data:`MIN_AMOUNT` (zero) or above :data:`MAX_AMOUNT`.
    """
    if not isinstance(formula, str):
        if formula is None or (isinstance(formula, float) and math.isnan(formula)):
            raise _fail(formula, "empty")
        raise _fail(formula, f"not a string ({type(formula).__name__})")
    text = formula.strip()
    if not text or text.lower() == "nan":
        raise _fail(formula, "empty")
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(
            f"malformed formula: {len(text)} characters exceeds {MAX_FORMULA_LENGTH}",
            option="formula", value=text[:40] + "...",
        )
    return dict(_parse_cached(text))


def parse_composition(formula: object) -> Composition:
    """A pymatgen Composition of ``formula`` after :func:`parse_amounts`' checks; a
    Composition given in is checked (:func:`check_composition`) and returned as is."""
    if isinstance(formula, Composition):
        return check_composition(formula)
    return Composition(parse_amounts(formula))


def check_composition(comp: Composition) -> Composition:
    """``comp`` if its elements and amounts meet the limits, else :class:`FormulaError`."""
    items = [(getattr(el, "symbol", str(el)), float(a)) for el, a in comp.get_el_amt_dict().items()]
    _check(comp.formula if len(comp) else "", items)
    return comp
