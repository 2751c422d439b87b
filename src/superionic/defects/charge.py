"""Charge bookkeeping for off-stoichiometric compositions (formal ionic charges, e per formula unit).

A composition derived from a parent (``Li4.5TiO3.25`` from ``Li4TiO4``) is judged with the
parent's formal oxidation states (Li+, Ti4+, O2-). When the net charge is not zero the report
lists the charge-balanced neighbours that keep two of the three ingredients fixed (adjust the
anion, adjust the mobile ion, or change the average valence of a cation) and says whether that
valence is one the element is known to take (pymatgen's ICSD oxidation states).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pymatgen.core import Composition, Element

from superionic.defects import kroger_vink as kv

_EPS = 1e-6


def known_states(element: str) -> tuple[int, ...]:
    """Oxidation states observed for ``element`` in the ICSD (pymatgen), else its common ones."""
    el = Element(element)
    return tuple(sorted(set(el.icsd_oxidation_states or el.common_oxidation_states)))


def can_take(element: str, state: float) -> bool:
    """True when an average valence ``state`` lies between two known states of ``element``
    (for an integer state: the state itself is known)."""
    states = known_states(element)
    if abs(state - round(state)) < _EPS:
        return int(round(state)) in states
    lo, hi = int(state // 1), int(state // 1) + 1
    return lo in states and hi in states


def net_charge(composition: Composition | dict[str, float], oxi: dict[str, float]) -> float:
    """Sum of amount x formal charge (e) over the composition."""
    comp = Composition(composition)
    missing = [el.symbol for el in comp.elements if el.symbol not in oxi]
    if missing:
        raise ValueError(f"no oxidation state given for {', '.join(missing)}")
    return float(sum(amt * oxi[el.symbol] for el, amt in comp.items()))


def format_formula(amounts: dict[str, float], order: list[str] | None = None) -> str:
    """Formula with per-formula-unit amounts (``Li4.5TiO4.25``), elements in ``order``."""
    keys = order or list(amounts)
    keys = [k for k in keys if k in amounts] + [k for k in amounts if k not in keys]
    parts = []
    for el in keys:
        n = amounts[el]
        if abs(n) < _EPS:
            continue
        parts.append(el if abs(n - 1) < _EPS else f"{el}{n:.6g}")
    return "".join(parts)


@dataclass
class CompositionReport:
    """Charge analysis of ``target`` against ``parent`` (amounts per formula unit)."""

    target: str
    parent: str
    oxidation_states: dict[str, float]
    net_charge_per_fu: float
    delta: dict[str, float]
    defects: list[str]
    neighbours: list[dict[str, Any]] = field(default_factory=list)

    @property
    def charge_balanced(self) -> bool:
        return abs(self.net_charge_per_fu) < _EPS

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "parent": self.parent,
                "oxidation_states": self.oxidation_states,
                "net_charge_per_formula_unit": round(self.net_charge_per_fu, 6),
                "charge_balanced": self.charge_balanced, "delta_per_formula_unit": self.delta,
                "implied_defects": self.defects, "balanced_neighbours": self.neighbours}

    def message(self) -> str:
        """One paragraph: what is wrong and the balanced alternatives."""
        if self.charge_balanced:
            return f"{self.target} is charge balanced with {self._states()}"
        terms = " + ".join(f"{amt:g}x({self.oxidation_states[el]:+g})"
                           for el, amt in Composition(self.target).get_el_amt_dict().items())
        alts = "; ".join(f"{n['formula']} ({n['how']})" for n in self.neighbours
                         if n.get("plausible", True))
        return (f"{self.target} is not charge balanced with {self._states()}: {terms} = "
                f"{self.net_charge_per_fu:+g} e per formula unit. Balanced neighbours: {alts}")

    def _states(self) -> str:
        return ", ".join(f"{el}{int(q) if q == int(q) else q:+}" for el, q in
                         self.oxidation_states.items())


def _fu_amounts(formula: str) -> dict[str, float]:
    return {k: float(v) for k, v in Composition(formula).get_el_amt_dict().items()}


def analyze_composition(target: str, parent: str, oxi: dict[str, float],
                        ion: str = "Li") -> CompositionReport:
    """Charge balance of ``target`` relative to ``parent`` with the parent's oxidation states.

    Both formulas are taken per formula unit as written (``Li4.5TiO3.25`` vs ``Li4TiO4``).
    """
    t, p = _fu_amounts(target), _fu_amounts(parent)
    extra = set(t) - set(oxi)
    if extra:
        raise ValueError(f"{target}: elements {sorted(extra)} are not in the parent {parent} "
                         "(give their oxidation states)")
    q = net_charge(t, oxi)
    order = list(p) + [el for el in t if el not in p]
    delta = {el: round(t.get(el, 0.0) - p.get(el, 0.0), 6) for el in order}
    defects = _implied_defects(delta, oxi)
    report = CompositionReport(target=format_formula(t, order), parent=format_formula(p, order),
                               oxidation_states={el: oxi[el] for el in order if el in oxi},
                               net_charge_per_fu=q, delta=delta, defects=defects)
    if abs(q) > _EPS:
        report.neighbours = _neighbours(t, p, oxi, ion, order)
    return report


def _implied_defects(delta: dict[str, float], oxi: dict[str, float]) -> list[str]:
    out = []
    for el, d in delta.items():
        if abs(d) < _EPS:
            continue
        q = int(oxi[el])
        defect = kv.interstitial(el, q) if d > 0 else kv.vacancy(el, q)
        out.append(f"{abs(d):g} {defect}")
    return out


def _neighbours(t: dict[str, float], p: dict[str, float], oxi: dict[str, float], ion: str,
                order: list[str]) -> list[dict[str, Any]]:
    """Balanced compositions one adjustment away from ``t``."""
    q = net_charge(t, oxi)
    out: list[dict[str, Any]] = []
    anions = [el for el in order if oxi.get(el, 0) < 0 and el in t]
    cations = [el for el in order if oxi.get(el, 0) > 0 and el != ion and el in t]
    for an in anions:  # adjust the anion content
        amt = dict(t)
        amt[an] = t[an] + q / abs(oxi[an])
        if amt[an] > 0:
            d = amt[an] - p.get(an, 0.0)
            how = (f"{an} content set for neutrality: {abs(d):g} "
                   f"{kv.interstitial(an, int(oxi[an])) if d > 0 else kv.vacancy(an, int(oxi[an]))}"
                   f" per formula unit relative to {format_formula(p, order)}")
            out.append({"formula": format_formula(amt, order), "how": how, "plausible": True})
    if ion in t:  # adjust the mobile ion
        amt = dict(t)
        amt[ion] = t[ion] - q / oxi[ion]
        if amt[ion] >= 0:
            out.append({"formula": format_formula(amt, order),
                        "how": f"{ion} content set for neutrality with the other amounts fixed",
                        "plausible": True})
    for cat in cations:  # change the average valence of one cation, amounts fixed
        valence = oxi[cat] - q / t[cat]
        ok = can_take(cat, valence)
        change = ("reduction" if valence < oxi[cat] else "oxidation")
        out.append({"formula": f"{format_formula(t, order)} with {cat}{valence:+.4g}",
                    "how": f"average {cat} valence {valence:+.4g}, i.e. {change} of every "
                           f"{cat}{oxi[cat]:+g} by {abs(oxi[cat] - valence):g} e (known {cat} "
                           f"states: {', '.join(f'{s:+d}' for s in known_states(cat))}); "
                           "electronic compensation",
                    "plausible": bool(ok and valence > 0)})
    for cat in cations:  # keep the parent's anion content; compensate the ion change by redox
        if ion not in t:
            continue
        amt = {el: t[el] for el in t}
        for an in anions:
            amt[an] = p.get(an, t[an])
        q2 = net_charge(amt, oxi)
        if abs(q2) < _EPS or abs(q2 - q) < _EPS:
            continue
        valence = oxi[cat] - q2 / amt[cat]
        out.append({"formula": f"{format_formula(amt, order)} with {cat}{valence:+.4g}",
                    "how": f"parent anion content kept; the {ion} change is compensated by "
                           f"{'reduction' if valence < oxi[cat] else 'oxidation'} of {cat} "
                           f"({kv.substitution(cat, int(oxi[cat]) - 1 if valence < oxi[cat] else int(oxi[cat]) + 1, cat, int(oxi[cat]))})",
                    "plausible": bool(can_take(cat, valence))})
    return out
