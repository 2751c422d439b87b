"""Mobile-ion excess and vacancy variants: compensation mechanism, Kröger-Vink bookkeeping and the
smallest supercell that realises the requested concentration.

A change of ``x`` mobile ions per formula unit (excess: interstitials ``Li_i^.``; vacancy:
``V_Li'``) is charge balanced by one mechanism:

============== ==================== =====================================================
mechanism      with                 defects (example)
============== ==================== =====================================================
anion_vacancy  vacancy              V_Li' + V_Cl^.         Li3-xOCl1-x (Schottky, LiCl out)
anion_interst. excess               Li_i^. + O_i''         Li4+xTiO4+x/2 (Li2O in)
aliovalent     vacancy or excess    V_Li' + Ta_Zr^.        Li7-xLa3Zr2-xTaxO12
                                    Li_i^. + Ge_P'         Li10+xGe1+xP2-xS12
reduction      excess               Li_i^. + Ti_Ti'        Li4+xTiO4 with Ti(4-x)+
oxidation      vacancy              V_Li' + Mn_Mn^.        cation oxidised
frenkel        either (x pairs)     V_Li' + Li_i^.         stoichiometric (the seed paper's)
none           either               V_Li' (or Li_i^.) only charged: refused unless forced
============== ==================== =====================================================

Default (no mechanism named): a vacancy is compensated by a vacancy of the anion with the smallest
charge magnitude (a Schottky pair: the neutral binary leaves, framework cations keep their
valence; Li3ClO -> Li3-xOCl1-x), except in oxides with a substitutable framework cation, where
donor substitution is used (anion vacancies are costly in oxides; Li7-xLa3Zr2-xTaxO12). An excess
is compensated by acceptor substitution on the highest-valent framework cation (valence kept,
no electrons or holes; Li10+xGe1+xP2-xS12), or, when the only cation is the mobile ion, by an
interstitial of the anion with the smallest charge magnitude. Reduction/oxidation is never the
default: it makes an electrolyte an electronic conductor. The chosen default and the reason are
recorded in the plan.

Dopants for ``aliovalent`` are chosen, unless given, by the closest ionic radius (pymatgen, Shannon)
among cations already in the compound and common dopants that take the needed valence as one of
their common oxidation states; a cation already present wins when within 0.15 A of the best.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pymatgen.core import Species, Structure

from superionic.config import MOBILE_IONS
from superionic.defects import kroger_vink as kv
from superionic.defects.charge import can_take, format_formula, known_states

MECHANISMS = ("anion_vacancy", "anion_interstitial", "aliovalent", "reduction", "oxidation",
              "frenkel", "none")

#: Dopants considered for aliovalent substitution when none is named.
COMMON_DOPANTS = ("Mg", "Ca", "Zn", "Al", "Ga", "In", "Sc", "Y", "La", "Ti", "Zr", "Hf", "Si",
                  "Ge", "Sn", "Ta", "Nb")


class DefectError(ValueError):
    """A request that cannot be satisfied: bad concentration, mechanism or element."""


class ChargeBalanceError(DefectError):
    """The requested variant is not charge balanced (refused unless forced)."""


@dataclass(frozen=True)
class Operation:
    """One kind of site change in the supercell (counts are per supercell).

    ``kind``: "remove" (vacancies on ``element`` sites), "add" (interstitial ``element``),
    "substitute" (``element`` sites -> ``new_element``), "redox" (``element`` valence changes
    to ``new_charge``).
    """

    kind: str
    element: str
    count: int
    charge: float
    new_element: str | None = None
    new_charge: float | None = None


@dataclass
class DefectPlan:
    """What to build: mechanism, supercell, counts, formulas and Kröger-Vink bookkeeping."""

    parent_formula: str
    mode: str  # "excess" | "vacancy"
    ion: str
    x_requested: float
    x_realised: float
    mechanism: str
    default_reason: str | None
    supercell: tuple[int, int, int]
    formula_units: int
    operations: list[Operation]
    general_formula: str
    formula: str
    kroger_vink: list[str]
    reaction: str
    charge_per_fu: float
    oxidation_states: dict[str, float]
    forced: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def charge_balanced(self) -> bool:
        return abs(self.charge_per_fu) < 1e-9

    def to_dict(self) -> dict[str, Any]:
        return {"parent": self.parent_formula, "mode": self.mode, "ion": self.ion,
                "x_requested": self.x_requested, "x_realised": self.x_realised,
                "mechanism": self.mechanism, "default_reason": self.default_reason,
                "supercell": list(self.supercell), "formula_units": self.formula_units,
                "general_formula": self.general_formula, "formula": self.formula,
                "kroger_vink": self.kroger_vink, "reaction": self.reaction,
                "charge_per_formula_unit": self.charge_per_fu,
                "charge_balanced": self.charge_balanced, "forced": self.forced,
                "operations": [op.__dict__ for op in self.operations], "notes": self.notes}


# --- helpers ---------------------------------------------------------------------------------

def _int_charge(q: float) -> int:
    return int(round(q))


def _anions(oxi: dict[str, float], present: Sequence[str]) -> list[str]:
    return sorted((el for el in present if oxi.get(el, 0) < 0), key=lambda el: abs(oxi[el]))


def _framework_cations(oxi: dict[str, float], present: Sequence[str], ion: str) -> list[str]:
    return sorted((el for el in present if oxi.get(el, 0) > 0 and el != ion),
                  key=lambda el: -oxi[el])


def _common_states(element: str) -> tuple[int, ...]:
    from pymatgen.core import Element

    return tuple(Element(element).common_oxidation_states)


def _radius(element: str, charge: int) -> float | None:
    try:
        r = Species(element, charge).ionic_radius
    except Exception:  # noqa: BLE001 - pymatgen raises various errors for unknown radii
        return None
    return None if r is None else float(r)


#: A cation already in the compound is preferred when its radius is within this (Angstrom) of
#: the best match (self-doping such as Ge on P in Li10+xGe1+xP2-xS12).
PRESENT_BONUS_A = 0.15


def pick_dopant(host: str, host_charge: float, target_charge: int,
                present: Sequence[str]) -> str | None:
    """A dopant for ``host`` with valence ``target_charge`` (one of its common oxidation
    states): the candidate (cations ``present`` in the compound, then :data:`COMMON_DOPANTS`)
    whose ionic radius is closest to the host's; a present cation wins when it is within
    :data:`PRESENT_BONUS_A` of the best. None if there is none."""
    if target_charge <= 0:
        return None
    r_host = _radius(host, _int_charge(host_charge))
    if r_host is None:
        return None
    scored = []  # (radius mismatch, list position for ties, present?, element)
    for pos, el in enumerate(dict.fromkeys([*present, *COMMON_DOPANTS])):
        if el == host or target_charge not in _common_states(el):
            continue
        r = _radius(el, target_charge)
        if r is not None:
            scored.append((round(abs(r - r_host), 6), pos, el in present, el))
    if not scored:
        return None
    best = min(s[0] for s in scored)
    own = [s for s in scored if s[2] and s[0] <= best + PRESENT_BONUS_A]
    return min(own or scored)[3]


def _binary(ion: str, q_ion: int, anion: str, q_an: int) -> str:
    """Neutral binary of the ion and an anion (Li, Cl -> LiCl; Li, O -> Li2O)."""
    a, b = abs(q_an), q_ion
    g = math.gcd(a, b)
    n_ion, n_an = a // g, b // g
    return f"{ion}{n_ion if n_ion > 1 else ''}{anion}{n_an if n_an > 1 else ''}"


def _general_formula(base: dict[str, float], slope: dict[str, float], order: list[str]) -> str:
    """``Li3-xOCl1-x`` from base amounts and d(amount)/dx."""
    parts = []
    for el in order + [e for e in slope if e not in order]:
        b, s = base.get(el, 0.0), slope.get(el, 0.0)
        if abs(s) < 1e-12:
            if abs(b) > 1e-12:
                parts.append(el if abs(b - 1) < 1e-12 else f"{el}{b:g}")
            continue
        coef = "x" if abs(abs(s) - 1) < 1e-12 else (
            f"x/{round(1 / abs(s))}" if abs(1 / abs(s) - round(1 / abs(s))) < 1e-9 else f"{abs(s):g}x")
        if abs(b) < 1e-12:
            parts.append(f"{el}{coef}" if s > 0 else f"{el}(-{coef})")
        else:
            parts.append(f"{el}{b:g}{'+' if s > 0 else '-'}{coef}")
    return "".join(parts)


# --- the plan ----------------------------------------------------------------------------------

def choose_mechanism(mode: str, oxi: dict[str, float], present: Sequence[str],
                     ion: str) -> tuple[str, str]:
    """Default mechanism for ``mode`` and the reason (see module doc)."""
    anions = _anions(oxi, present)
    cations = _framework_cations(oxi, present, ion)
    if mode == "vacancy":
        if anions == ["O"] and cations:
            host = cations[0]
            if pick_dopant(host, oxi[host], _int_charge(oxi[host]) + 1, cations):
                return "aliovalent", (f"oxide: Li vacancies compensated by donor substitution on "
                                      f"{host} (anion vacancies are costly in oxides)")
        if anions:
            return "anion_vacancy", (f"Schottky pair: {ion} and {anions[0]} vacancies (the "
                                     f"neutral binary leaves, framework valences unchanged)")
        raise DefectError("no anion to compensate vacancies; name a mechanism")
    if cations:
        host = cations[0]
        if pick_dopant(host, oxi[host], _int_charge(oxi[host]) - 1, cations):
            return "aliovalent", (f"acceptor substitution on {host} (valence kept, no electrons "
                                  f"or holes; anion framework unchanged)")
    if anions:
        return "anion_interstitial", (f"{ion} is the only cation: {anions[0]} interstitials "
                                      f"compensate (the neutral binary enters)")
    raise DefectError("no anion or framework cation to compensate an excess; name a mechanism")


def _charge_per_unit(mechanism: str, mode: str, oxi: dict[str, float], comp_el: str | None,
                     q_ion: int, dopant_charge: int | None) -> float:
    """|effective charge| of one compensating defect (e)."""
    if mechanism in ("anion_vacancy", "anion_interstitial"):
        return abs(oxi[comp_el])  # type: ignore[index]
    if mechanism == "aliovalent":
        return abs(dopant_charge - oxi[comp_el])  # type: ignore[operator,index]
    if mechanism in ("reduction", "oxidation"):
        return 1.0
    if mechanism == "frenkel":
        return float(q_ion)
    return math.inf


def realisable_supercell(x: float, formula_units_per_cell: int, n_atoms_per_cell: int, *,
                         per_ion_units: int = 1, x_tol: float = 0.05, max_atoms: int = 400,
                         max_mult: int = 6) -> tuple[tuple[int, int, int], int, float]:
    """Smallest diagonal supercell (then most isotropic) holding an integer number ``k`` of
    ion defects, ``k`` a multiple of ``per_ion_units``, with ``|k/N_fu - x| <= x_tol * x``.

    Returns (multiplier, k, realised x). Raises DefectError listing the nearest realisable
    concentrations when none fits in ``max_atoms``.
    """
    mults = [(i, j, k) for i in range(1, max_mult + 1) for j in range(1, max_mult + 1)
             for k in range(1, max_mult + 1)]
    mults.sort(key=lambda m: (m[0] * m[1] * m[2], max(m) - min(m), m))
    near: list[tuple[float, str]] = []
    for m in mults:
        cells = m[0] * m[1] * m[2]
        if cells * n_atoms_per_cell > max_atoms:
            continue
        n_fu = formula_units_per_cell * cells
        k = per_ion_units * round(x * n_fu / per_ion_units)
        if k <= 0:
            k = per_ion_units
        xr = k / n_fu
        near.append((abs(xr - x), f"x={xr:.4g} ({m[0]}x{m[1]}x{m[2]}, {k} defects)"))
        if abs(xr - x) <= x_tol * x + 1e-12:
            return m, k, xr
    near.sort()
    best = "; ".join(s for _, s in near[:3]) or "none"
    raise DefectError(f"x={x:g} per formula unit is not realisable within {max_atoms} atoms "
                      f"(relative tolerance {x_tol:g}); nearest realisable: {best}")


def plan_defects(structure: Structure, *, mode: str, x: float, mechanism: str | None = None,
                 ion: str = "Li", oxidation_states: dict[str, float] | None = None,
                 formula_units: int | None = None, dopant: str | None = None,
                 host: str | None = None, force: bool = False, x_tol: float = 0.05,
                 max_atoms: int = 400, supercell: Sequence[int] | None = None,
                 element_order: Sequence[str] | None = None) -> DefectPlan:
    """Plan an ``x``-per-formula-unit excess or vacancy of ``ion`` in an ordered ``structure``.

    ``formula_units``: formula units in ``structure`` (default: from its reduced composition);
    ``element_order``: element order of the printed formulas (default: pymatgen's, by
    electronegativity).
    ``x_tol`` is the relative tolerance on the realised concentration (default 5 %). Raises
    :class:`DefectError` for bad input and :class:`ChargeBalanceError` when the result would not
    be charge balanced and ``force`` is False.
    """
    from superionic.defects.ordering import oxidation_states_of

    if ion not in MOBILE_IONS:
        raise DefectError(f"mobile ion must be one of {MOBILE_IONS}, got {ion!r}")
    if mode not in ("excess", "vacancy"):
        raise DefectError(f"mode must be 'excess' or 'vacancy', got {mode!r}")
    if not isinstance(x, int | float) or not math.isfinite(x) or x <= 0:
        raise DefectError(f"concentration x must be a positive number per formula unit, got {x!r}")
    if not structure.is_ordered:
        raise DefectError("structure has partial occupancies; order it first (defects.ordered)")
    if mechanism is not None and mechanism not in MECHANISMS:
        raise DefectError(f"unknown compensation {mechanism!r}; choose from {', '.join(MECHANISMS)}")
    oxi = dict(oxidation_states or oxidation_states_of(structure))
    comp = structure.composition.element_composition
    present = [el.symbol for el in comp.elements]
    if ion not in present:
        raise DefectError(f"{comp.reduced_formula} contains no {ion}")
    z = formula_units or int(round(comp.get_reduced_composition_and_factor()[1]))
    per_fu = {el: comp[el] / z for el in present}
    q_ion = _int_charge(oxi[ion])
    if mode == "vacancy" and x > per_fu[ion] + 1e-9:
        raise DefectError(f"x={x:g} vacancies per formula unit exceed the {per_fu[ion]:g} {ion} "
                          f"sites of {comp.reduced_formula}")

    reason = None
    if mechanism is None:
        mechanism, reason = choose_mechanism(mode, oxi, present, ion)
    notes: list[str] = []
    comp_el, new_el, new_q = _compensator(mechanism, mode, oxi, present, ion, dopant, host)
    if mechanism == "aliovalent" and new_el is not None:
        oxi.setdefault(new_el, float(new_q))  # type: ignore[arg-type]

    # charge bookkeeping per ion defect
    if mechanism == "none":
        if not force:
            raise ChargeBalanceError(
                f"mechanism 'none' leaves {x:g} uncompensated {'Li_i^.' if mode == 'excess' else kv.vacancy(ion, q_ion)} "
                f"per formula unit: the cell would carry {(x if mode == 'excess' else -x) * q_ion:+g} e "
                f"per formula unit. Choose a mechanism ({', '.join(m for m in MECHANISMS if m != 'none')}) "
                "or force it")
        unit = 1
    else:
        q_comp = _charge_per_unit(mechanism, mode, oxi, comp_el, q_ion, new_q)
        ratio = q_ion / q_comp  # compensating defects per ion defect
        unit = int(round(1 / ratio)) if ratio < 1 and abs(1 / ratio - round(1 / ratio)) < 1e-9 else 1
        if ratio >= 1 and abs(ratio - round(ratio)) > 1e-9:
            unit = int(round(q_comp))

    n_atoms_cell = len(structure)
    if supercell is not None:
        m = tuple(int(v) for v in supercell)
        n_fu = z * m[0] * m[1] * m[2]
        k = unit * round(x * n_fu / unit)
        if k <= 0 or abs(k / n_fu - x) > x_tol * x + 1e-12:
            raise DefectError(f"x={x:g} is not realisable in the {m} supercell "
                              f"({n_fu} formula units; nearest x={max(k, unit) / n_fu:.4g})")
        xr = k / n_fu
    else:
        m, k, xr = realisable_supercell(x, z, n_atoms_cell, per_ion_units=unit, x_tol=x_tol,
                                        max_atoms=max_atoms)
    n_fu = z * m[0] * m[1] * m[2]
    if mode == "vacancy" and k > comp[ion] * m[0] * m[1] * m[2]:
        raise DefectError(f"{k} vacancies exceed the {ion} sites in the supercell")

    ops: list[Operation] = []
    ion_op = Operation("remove" if mode == "vacancy" else "add", ion, k, q_ion)
    ops.append(ion_op)
    slope: dict[str, float] = {ion: -1.0 if mode == "vacancy" else 1.0}
    kvs = [str(kv.vacancy(ion, q_ion)) if mode == "vacancy" else str(kv.interstitial(ion, q_ion))]
    left: list[tuple[float, str]] = []
    right: list[tuple[float, str]] = []
    net_per_fu = 0.0
    if mechanism == "none":
        net_per_fu = (xr if mode == "excess" else -xr) * q_ion
        if mode == "vacancy":
            left, right = [(1, str(kv.lattice(ion, q_ion)))], [(1, kvs[0]), (1, ion)]
        else:
            left, right = [(1, ion)], [(1, kvs[0])]
        notes.append("forced: uncompensated, the cell is charged")
    elif mechanism == "frenkel":
        ops.append(Operation("add" if mode == "vacancy" else "remove", ion, k, q_ion))
        slope = {}
        kvs = [str(kv.vacancy(ion, q_ion)), str(kv.interstitial(ion, q_ion))]
        left, right = [(1, str(kv.lattice(ion, q_ion)))], [(1, kvs[0]), (1, kvs[1])]
    else:
        n_comp = k * q_ion / _charge_per_unit(mechanism, mode, oxi, comp_el, q_ion, new_q)
        if abs(n_comp - round(n_comp)) > 1e-9:
            raise DefectError(f"{k} {ion} defects need {n_comp:g} compensating defects; "
                              "choose another concentration")
        n_comp = int(round(n_comp))
        per = n_comp / k
        q_c = oxi[comp_el]  # type: ignore[index]
        if mechanism == "anion_vacancy":
            avail = comp[comp_el] * m[0] * m[1] * m[2]
            if n_comp > avail:
                raise DefectError(f"{n_comp} {comp_el} vacancies exceed the {avail:g} {comp_el} sites")
            ops.append(Operation("remove", comp_el, n_comp, q_c))  # type: ignore[arg-type]
            slope[comp_el] = -per  # type: ignore[index]
            d = kv.vacancy(comp_el, _int_charge(q_c))  # type: ignore[arg-type]
            kvs.append(str(d))
            g = math.gcd(abs(_int_charge(q_c)), q_ion)
            a, b = abs(_int_charge(q_c)) // g, q_ion // g
            left = [(a, str(kv.lattice(ion, q_ion))), (b, str(kv.lattice(comp_el, _int_charge(q_c))))]
            right = [(a, kvs[0]), (b, str(d)), (1, _binary(ion, q_ion, comp_el, _int_charge(q_c)))]
        elif mechanism == "anion_interstitial":
            ops.append(Operation("add", comp_el, n_comp, q_c))  # type: ignore[arg-type]
            slope[comp_el] = per  # type: ignore[index]
            d = kv.interstitial(comp_el, _int_charge(q_c))  # type: ignore[arg-type]
            kvs.append(str(d))
            g = math.gcd(abs(_int_charge(q_c)), q_ion)
            a, b = abs(_int_charge(q_c)) // g, q_ion // g
            left = [(1, _binary(ion, q_ion, comp_el, _int_charge(q_c)))]
            right = [(a, kvs[0]), (b, str(d))]
        elif mechanism == "aliovalent":
            avail = comp[comp_el] * m[0] * m[1] * m[2]
            if n_comp > avail:
                raise DefectError(f"{n_comp} substitutions exceed the {avail:g} {comp_el} sites")
            ops.append(Operation("substitute", comp_el, n_comp, q_c, new_el, new_q))  # type: ignore[arg-type]
            slope[comp_el] = slope.get(comp_el, 0.0) - per  # type: ignore[index]
            slope[new_el] = slope.get(new_el, 0.0) + per  # type: ignore[index]
            d = kv.substitution(new_el, _int_charge(new_q), comp_el, _int_charge(q_c))  # type: ignore[arg-type]
            kvs.append(str(d))
            lat = str(kv.lattice(comp_el, _int_charge(q_c)))  # type: ignore[arg-type]
            if mode == "vacancy":
                left = [(per, lat), (1, str(kv.lattice(ion, q_ion))), (per, new_el)]
                right = [(1, kvs[0]), (per, str(d)), (1, ion), (per, comp_el)]
            else:
                left = [(per, lat), (1, ion), (per, new_el)]
                right = [(1, kvs[0]), (per, str(d)), (per, comp_el)]
        else:  # reduction / oxidation
            avail = comp[comp_el] * m[0] * m[1] * m[2]
            if n_comp > avail:
                raise DefectError(f"{n_comp} {mechanism}s exceed the {avail:g} {comp_el} sites")
            ops.append(Operation("redox", comp_el, n_comp, q_c, comp_el, new_q))  # type: ignore[arg-type]
            d = kv.substitution(comp_el, _int_charge(new_q), comp_el, _int_charge(q_c))  # type: ignore[arg-type]
            kvs.append(str(d))
            lat = str(kv.lattice(comp_el, _int_charge(q_c)))  # type: ignore[arg-type]
            if mode == "excess":
                left, right = [(per, lat), (1, ion)], [(1, kvs[0]), (per, str(d))]
            else:
                left = [(per, lat), (1, str(kv.lattice(ion, q_ion)))]
                right = [(1, kvs[0]), (per, str(d)), (1, ion)]
            valence = q_c + (new_q - q_c) * n_comp / (comp[comp_el] * m[0] * m[1] * m[2])  # type: ignore[operator,index]
            notes.append(f"average {comp_el} valence {valence:+.4g}; electrons/holes make the "
                         "electrolyte an electronic conductor")
    order = list(element_order) if element_order else [
        el.symbol for el in sorted(comp.elements, key=lambda e: e.X)]
    for el in slope:
        if el not in order:  # a dopant: after the cations, before the first anion
            first_anion = next((i for i, e in enumerate(order) if oxi.get(e, 0) < 0), len(order))
            order.insert(first_anion, el)
    base = {el: per_fu[el] for el in present}
    general = _general_formula(base, slope, order)
    realised = {el: base.get(el, 0.0) + slope.get(el, 0.0) * xr for el in set(base) | set(slope)}
    formula = format_formula({k2: round(v, 6) for k2, v in realised.items()}, order)
    reaction = kv.reaction(left, right)
    if mechanism not in ("none",):
        net_per_fu = 0.0
    return DefectPlan(parent_formula=comp.reduced_formula, mode=mode, ion=ion, x_requested=x,
                      x_realised=xr, mechanism=mechanism, default_reason=reason, supercell=m,
                      formula_units=n_fu, operations=ops, general_formula=general,
                      formula=formula, kroger_vink=kvs, reaction=reaction,
                      charge_per_fu=net_per_fu, oxidation_states=oxi, forced=force, notes=notes)


def _compensator(mechanism: str, mode: str, oxi: dict[str, float], present: Sequence[str],
                 ion: str, dopant: str | None,
                 host: str | None) -> tuple[str | None, str | None, float | None]:
    """(element compensating, new element, new charge) for a mechanism; validates the choice."""
    anions = _anions(oxi, present)
    cations = _framework_cations(oxi, present, ion)
    sign = "positive" if mode == "vacancy" else "negative"
    if mechanism in ("none", "frenkel"):
        return None, None, None
    if mechanism == "anion_vacancy":
        if mode == "excess":
            raise DefectError("anion vacancies carry positive effective charge (e.g. V_Cl^.) and "
                              "cannot compensate an excess (Li_i^.); use anion_interstitial, "
                              "aliovalent or reduction")
        el = host or (anions[0] if anions else None)
        if el is None or el not in anions:
            raise DefectError(f"no anion {host or ''} to remove in this compound".replace("  ", " "))
        return el, None, None
    if mechanism == "anion_interstitial":
        if mode == "vacancy":
            raise DefectError("anion interstitials carry negative effective charge (e.g. O_i'') "
                              "and cannot compensate vacancies (V_Li'); use anion_vacancy, "
                              "aliovalent or oxidation")
        el = host or (anions[0] if anions else None)
        if el is None or el not in anions:
            raise DefectError("no anion to insert in this compound")
        return el, None, None
    if mechanism == "aliovalent":
        el = host or (cations[0] if cations else None)
        if el is None or el not in cations:
            raise DefectError(f"no framework cation {host or ''} to substitute (the {ion} sites "
                              "are the ones being changed)".replace("  ", " "))
        target = _int_charge(oxi[el]) + (1 if mode == "vacancy" else -1)
        new = dopant or pick_dopant(el, oxi[el], target, cations)
        if new is None or target <= 0:
            raise DefectError(f"no dopant with valence {target:+d} found for {el}{_int_charge(oxi[el]):+d}; "
                              "name one (dopant=...)")
        if target not in known_states(new):
            raise DefectError(f"{new} is not known in the {target:+d} state (known: "
                              f"{', '.join(f'{s:+d}' for s in known_states(new))}); a {sign} "
                              f"defect on {el} needs valence {target:+d}")
        return el, new, float(target)
    if mechanism in ("reduction", "oxidation"):
        if (mechanism == "reduction") != (mode == "excess"):
            raise DefectError(f"{mechanism} gives {'negative' if mechanism == 'reduction' else 'positive'} "
                              f"effective charge and cannot compensate a {mode}; use "
                              f"{'oxidation' if mechanism == 'reduction' else 'reduction'}")
        step = -1 if mechanism == "reduction" else 1
        candidates = [host] if host else cations
        for el in candidates:
            if el not in cations:
                raise DefectError(f"{el} is not a framework cation of this compound")
            new_q = _int_charge(oxi[el]) + step
            if can_take(el, new_q) and new_q > 0:
                return el, el, float(new_q)
        names = ", ".join(f"{el}{_int_charge(oxi[el]):+d} (known: "
                          f"{', '.join(f'{s:+d}' for s in known_states(el))})" for el in candidates)
        raise DefectError(f"no cation can be {'reduced' if step < 0 else 'oxidised'} by one: "
                          f"{names or 'none'}")
    raise DefectError(f"unknown compensation {mechanism!r}")


def plan_composition(structure: Structure, target: str, *, ion: str = "Li",
                     oxidation_states: dict[str, float] | None = None,
                     formula_units: int | None = None, force: bool = False,
                     x_tol: float = 0.05, max_atoms: int = 400,
                     element_order: Sequence[str] | None = None) -> DefectPlan:
    """Plan a variant with the composition ``target`` (per formula unit of the parent), made of
    interstitials (amount up) and vacancies (amount down) of the parent's elements.

    Refused with :class:`ChargeBalanceError` (message: the net charge and the balanced
    neighbours, :mod:`superionic.defects.charge`) unless charge balanced or ``force``.
    """
    from pymatgen.core import Composition

    from superionic.defects.charge import analyze_composition
    from superionic.defects.ordering import oxidation_states_of

    if not structure.is_ordered:
        raise DefectError("structure has partial occupancies; order it first (defects.ordered)")
    oxi = dict(oxidation_states or oxidation_states_of(structure))
    comp = structure.composition.element_composition
    z = formula_units or int(round(comp.get_reduced_composition_and_factor()[1]))
    parent = {el.symbol: comp[el] / z for el in comp.elements}
    try:
        tgt = {k: float(v) for k, v in Composition(target).get_el_amt_dict().items()}
    except Exception as exc:  # noqa: BLE001 - pymatgen raises several parse errors
        raise DefectError(f"{target!r} is not a chemical formula ({exc})") from exc
    new = sorted(set(tgt) - set(parent))
    if new:
        raise DefectError(f"{target}: {', '.join(new)} not in the parent "
                          f"{comp.reduced_formula}; use aliovalent substitution (dopant=...)")
    order = list(element_order) if element_order else [
        el.symbol for el in sorted(comp.elements, key=lambda e: e.X)]
    parent_formula = format_formula(parent, order)
    report = analyze_composition(target, parent_formula, oxi, ion)
    if not report.charge_balanced and not force:
        raise ChargeBalanceError(report.message() + ". Refused: force=True builds it anyway "
                                 "(a charged cell), or ask for a balanced neighbour")
    delta = {el: tgt.get(el, 0.0) - parent[el] for el in parent}
    if all(abs(d) < 1e-9 for d in delta.values()):
        raise DefectError(f"{target} is the parent composition")
    for el, d in delta.items():
        if d < 0 and -d > parent[el] + 1e-9:
            raise DefectError(f"{target}: removes more {el} than the parent has")
    mults = [(i, j, k) for i in range(1, 7) for j in range(1, 7) for k in range(1, 7)]
    mults.sort(key=lambda m: (m[0] * m[1] * m[2], max(m) - min(m), m))
    chosen = None
    for m in mults:
        cells = m[0] * m[1] * m[2]
        if cells * len(structure) > max_atoms:
            continue
        n_fu = z * cells
        counts = {el: round(d * n_fu) for el, d in delta.items()}
        if all(abs(c / n_fu - delta[el]) <= x_tol * abs(delta[el]) + 1e-12
               for el, c in counts.items()) and any(
                counts.values()):
            chosen = (m, n_fu, counts)
            break
    if chosen is None:
        raise DefectError(f"{target}: the changes {delta} per formula unit are not realisable "
                          f"within {max_atoms} atoms (relative tolerance {x_tol:g})")
    m, n_fu, counts = chosen
    ops = [Operation("add" if c > 0 else "remove", el, abs(c), oxi[el])
           for el, c in counts.items() if c]
    ops.sort(key=lambda op: op.kind != "add")
    realised = {el: parent[el] + counts[el] / n_fu for el in parent}
    from superionic.defects.charge import net_charge

    q = net_charge(realised, oxi)
    left = [(abs(c) / n_fu, str(kv.lattice(el, _int_charge(oxi[el])))) for el, c in counts.items()
            if c < 0]
    right = [(abs(c) / n_fu, str(kv.vacancy(el, _int_charge(oxi[el])) if c < 0 else
                                 kv.interstitial(el, _int_charge(oxi[el]))))
             for el, c in counts.items() if c]
    left += [(c / n_fu, el) for el, c in counts.items() if c > 0]
    right += [(abs(c) / n_fu, el) for el, c in counts.items() if c < 0]
    ranked = sorted((el for el, c in counts.items() if c),
                    key=lambda el: (el != ion, order.index(el) if el in order else 99))
    kvs = [str(kv.vacancy(el, _int_charge(oxi[el])) if counts[el] < 0 else
               kv.interstitial(el, _int_charge(oxi[el]))) for el in ranked]
    notes = [] if abs(q) < 1e-9 else [f"forced: net charge {q:+g} e per formula unit "
                                      "(not charge balanced)"]
    return DefectPlan(parent_formula=comp.reduced_formula, mode="composition", ion=ion,
                      x_requested=delta.get(ion, 0.0), x_realised=counts.get(ion, 0) / n_fu,
                      mechanism="target composition" if abs(q) < 1e-9 else "none (forced)",
                      default_reason=None, supercell=m, formula_units=n_fu, operations=ops,
                      general_formula=report.target, formula=format_formula(realised, order),
                      kroger_vink=kvs, reaction=kv.reaction(left, right), charge_per_fu=q,
                      oxidation_states=oxi, forced=force, notes=notes)
