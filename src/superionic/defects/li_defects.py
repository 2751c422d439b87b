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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymatgen.core import Species, Structure

from superionic.config import MOBILE_IONS
from superionic.defects import kroger_vink as kv
from superionic.defects.charge import can_take, format_formula, known_states

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


# --- the table of mechanisms ------------------------------------------------------------------

@dataclass(frozen=True)
class _Ctx:
    """What a mechanism's rules see: the request, the compound and the chosen compensator."""

    mode: str
    ion: str
    q_ion: int
    oxi: dict[str, float]
    comp: Any  # element Composition of the parent cell
    cells: int  # input cells in the supercell
    k: int = 0  # ion defects in the supercell
    comp_el: str | None = None
    new_el: str | None = None
    new_q: float | None = None


@dataclass
class _Compensation:
    """What a mechanism adds to the plan: operations, d(amount)/dx, Kröger-Vink symbols, the
    defect reaction's two sides and notes."""

    ops: list[Operation] = field(default_factory=list)
    slope: dict[str, float] = field(default_factory=dict)
    kvs: list[str] = field(default_factory=list)
    left: list[tuple[float, str]] = field(default_factory=list)
    right: list[tuple[float, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Mechanism:
    """One row of :data:`MECHANISM_TABLE`: which changes it compensates (``modes``), the
    compensating defect, an example, why it is refused for the other mode, the |effective
    charge| of one compensating defect (``unit_charge``), the choice of the element it acts on
    (``select``) and the plan entries it makes (``build``)."""

    name: str
    modes: tuple[str, ...]
    compensating_defect: str
    example: str
    refused: str
    unit_charge: Callable[[_Ctx], float]
    select: Callable[[_Ctx, Sequence[str], str | None, str | None],
                     tuple[str | None, str | None, float | None]]
    build: Callable[[_Ctx], _Compensation]

    def row(self) -> dict[str, str]:
        """JSON-safe description (docs, ``superionic defects --help``)."""
        return {"mechanism": self.name, "compensates": " or ".join(self.modes),
                "compensating_defect": self.compensating_defect, "example": self.example}


def _n_comp(c: _Ctx, unit_charge: float) -> int:
    n = c.k * c.q_ion / unit_charge
    if abs(n - round(n)) > 1e-9:
        raise DefectError(f"{c.k} {c.ion} defects need {n:g} compensating defects; "
                          "choose another concentration")
    return int(round(n))


def _avail(c: _Ctx, n: int, what: str) -> None:
    avail = c.comp[c.comp_el] * c.cells
    if n > avail:
        raise DefectError(f"{n} {what} exceed the {avail:g} {c.comp_el} sites")


def _ion_symbol(c: _Ctx) -> str:
    return str(kv.vacancy(c.ion, c.q_ion)) if c.mode == "vacancy" else str(
        kv.interstitial(c.ion, c.q_ion))


def _select_anion(c: _Ctx, present: Sequence[str], dopant: str | None,
                  host: str | None) -> tuple[str | None, str | None, float | None]:
    anions = _anions(c.oxi, present)
    el = host or (anions[0] if anions else None)
    if el is None or el not in anions:
        what = "remove" if c.mode == "vacancy" else "insert"
        raise DefectError(f"no anion {host or ''} to {what} in this compound".replace("  ", " "))
    return el, None, None


def _select_dopant(c: _Ctx, present: Sequence[str], dopant: str | None,
                   host: str | None) -> tuple[str | None, str | None, float | None]:
    cations = _framework_cations(c.oxi, present, c.ion)
    sign = "positive" if c.mode == "vacancy" else "negative"
    el = host or (cations[0] if cations else None)
    if el is None or el not in cations:
        raise DefectError(f"no framework cation {host or ''} to substitute (the {c.ion} sites "
                          "are the ones being changed)".replace("  ", " "))
    target = _int_charge(c.oxi[el]) + (1 if c.mode == "vacancy" else -1)
    new = dopant or pick_dopant(el, c.oxi[el], target, cations)
    if new is None or target <= 0:
        raise DefectError(f"no dopant with valence {target:+d} found for "
                          f"{el}{_int_charge(c.oxi[el]):+d}; name one (dopant=...)")
    if target not in known_states(new):
        raise DefectError(f"{new} is not known in the {target:+d} state (known: "
                          f"{', '.join(f'{s:+d}' for s in known_states(new))}); a {sign} "
                          f"defect on {el} needs valence {target:+d}")
    return el, new, float(target)


def _select_redox(c: _Ctx, present: Sequence[str], dopant: str | None,
                  host: str | None) -> tuple[str | None, str | None, float | None]:
    cations = _framework_cations(c.oxi, present, c.ion)
    step = -1 if c.mode == "excess" else 1
    candidates = [host] if host else cations
    for el in candidates:
        if el not in cations:
            raise DefectError(f"{el} is not a framework cation of this compound")
        new_q = _int_charge(c.oxi[el]) + step
        if can_take(el, new_q) and new_q > 0:
            return el, el, float(new_q)
    names = ", ".join(f"{el}{_int_charge(c.oxi[el]):+d} (known: "
                      f"{', '.join(f'{s:+d}' for s in known_states(el))})" for el in candidates)
    raise DefectError(f"no cation can be {'reduced' if step < 0 else 'oxidised'} by one: "
                      f"{names or 'none'}")


def _select_nothing(c: _Ctx, present: Sequence[str], dopant: str | None,
                    host: str | None) -> tuple[str | None, str | None, float | None]:
    return None, None, None


def _build_anion_vacancy(c: _Ctx) -> _Compensation:
    q_c = c.oxi[c.comp_el]  # type: ignore[index]
    n = _n_comp(c, abs(q_c))
    _avail(c, n, f"{c.comp_el} vacancies")
    d = kv.vacancy(c.comp_el, _int_charge(q_c))  # type: ignore[arg-type]
    g = math.gcd(abs(_int_charge(q_c)), c.q_ion)
    a, b = abs(_int_charge(q_c)) // g, c.q_ion // g
    return _Compensation(
        ops=[Operation("remove", c.comp_el, n, q_c)],  # type: ignore[arg-type]
        slope={c.comp_el: -n / c.k}, kvs=[str(d)],  # type: ignore[dict-item]
        left=[(a, str(kv.lattice(c.ion, c.q_ion))),
              (b, str(kv.lattice(c.comp_el, _int_charge(q_c))))],  # type: ignore[arg-type]
        right=[(a, _ion_symbol(c)), (b, str(d)),
               (1, _binary(c.ion, c.q_ion, c.comp_el, _int_charge(q_c)))])  # type: ignore[arg-type]


def _build_anion_interstitial(c: _Ctx) -> _Compensation:
    q_c = c.oxi[c.comp_el]  # type: ignore[index]
    n = _n_comp(c, abs(q_c))
    d = kv.interstitial(c.comp_el, _int_charge(q_c))  # type: ignore[arg-type]
    g = math.gcd(abs(_int_charge(q_c)), c.q_ion)
    a, b = abs(_int_charge(q_c)) // g, c.q_ion // g
    return _Compensation(
        ops=[Operation("add", c.comp_el, n, q_c)],  # type: ignore[arg-type]
        slope={c.comp_el: n / c.k}, kvs=[str(d)],  # type: ignore[dict-item]
        left=[(1, _binary(c.ion, c.q_ion, c.comp_el, _int_charge(q_c)))],  # type: ignore[arg-type]
        right=[(a, _ion_symbol(c)), (b, str(d))])


def _build_aliovalent(c: _Ctx) -> _Compensation:
    q_c = c.oxi[c.comp_el]  # type: ignore[index]
    n = _n_comp(c, abs(c.new_q - q_c))  # type: ignore[operator]
    _avail(c, n, "substitutions")
    per = n / c.k
    d = kv.substitution(c.new_el, _int_charge(c.new_q), c.comp_el,  # type: ignore[arg-type]
                        _int_charge(q_c))
    lat = str(kv.lattice(c.comp_el, _int_charge(q_c)))  # type: ignore[arg-type]
    ion_kv = _ion_symbol(c)
    if c.mode == "vacancy":
        left = [(per, lat), (1, str(kv.lattice(c.ion, c.q_ion))), (per, c.new_el)]
        right = [(1, ion_kv), (per, str(d)), (1, c.ion), (per, c.comp_el)]
    else:
        left = [(per, lat), (1, c.ion), (per, c.new_el)]
        right = [(1, ion_kv), (per, str(d)), (per, c.comp_el)]
    return _Compensation(
        ops=[Operation("substitute", c.comp_el, n, q_c, c.new_el, c.new_q)],  # type: ignore[arg-type]
        slope={c.comp_el: -per, c.new_el: per}, kvs=[str(d)],  # type: ignore[dict-item]
        left=left, right=right)  # type: ignore[arg-type]


def _build_redox(c: _Ctx) -> _Compensation:
    q_c = c.oxi[c.comp_el]  # type: ignore[index]
    n = _n_comp(c, 1.0)
    _avail(c, n, "reductions" if c.mode == "excess" else "oxidations")
    per = n / c.k
    d = kv.substitution(c.comp_el, _int_charge(c.new_q), c.comp_el,  # type: ignore[arg-type]
                        _int_charge(q_c))
    lat = str(kv.lattice(c.comp_el, _int_charge(q_c)))  # type: ignore[arg-type]
    if c.mode == "excess":
        left, right = [(per, lat), (1, c.ion)], [(1, _ion_symbol(c)), (per, str(d))]
    else:
        left = [(per, lat), (1, str(kv.lattice(c.ion, c.q_ion)))]
        right = [(1, _ion_symbol(c)), (per, str(d)), (1, c.ion)]
    valence = q_c + (c.new_q - q_c) * n / (c.comp[c.comp_el] * c.cells)  # type: ignore[operator]
    return _Compensation(
        ops=[Operation("redox", c.comp_el, n, q_c, c.comp_el, c.new_q)],  # type: ignore[arg-type]
        kvs=[str(d)], left=left, right=right,  # type: ignore[arg-type]
        notes=[f"average {c.comp_el} valence {valence:+.4g}; electrons/holes make the "
               "electrolyte an electronic conductor"])


def _build_frenkel(c: _Ctx) -> _Compensation:
    out = _Compensation(
        ops=[Operation("add" if c.mode == "vacancy" else "remove", c.ion, c.k, c.q_ion)],
        slope={c.ion: 0.0}, kvs=[str(kv.interstitial(c.ion, c.q_ion))])
    vac = str(kv.vacancy(c.ion, c.q_ion))
    out.left = [(1, str(kv.lattice(c.ion, c.q_ion)))]
    out.right = [(1, vac), (1, out.kvs[0])]
    return out


def _build_none(c: _Ctx) -> _Compensation:
    if c.mode == "vacancy":
        left, right = [(1, str(kv.lattice(c.ion, c.q_ion)))], [(1, _ion_symbol(c)), (1, c.ion)]
    else:
        left, right = [(1, c.ion)], [(1, _ion_symbol(c))]
    return _Compensation(left=left, right=right,
                         notes=["forced: uncompensated, the cell is charged"])


#: The compensation mechanisms, in the order the CLI lists them.
MECHANISM_TABLE: dict[str, Mechanism] = {m.name: m for m in (
    Mechanism("anion_vacancy", ("vacancy",), "V_X^. (anion vacancy)", "Li3-xOCl1-x (Schottky)",
              "anion vacancies carry positive effective charge (e.g. V_Cl^.) and cannot "
              "compensate an excess (Li_i^.); use anion_interstitial, aliovalent or reduction",
              lambda c: abs(c.oxi[c.comp_el]), _select_anion, _build_anion_vacancy),  # type: ignore[index]
    Mechanism("anion_interstitial", ("excess",), "X_i' (anion interstitial)", "Li4+xTiO4+x/2",
              "anion interstitials carry negative effective charge (e.g. O_i'') and cannot "
              "compensate vacancies (V_Li'); use anion_vacancy, aliovalent or oxidation",
              lambda c: abs(c.oxi[c.comp_el]), _select_anion, _build_anion_interstitial),  # type: ignore[index]
    Mechanism("aliovalent", ("vacancy", "excess"), "D_M^. or D_M' (dopant on a framework cation)",
              "Li7-xLa3Zr2-xTaxO12, Li10+xGe1+xP2-xS12", "",
              lambda c: abs(c.new_q - c.oxi[c.comp_el]), _select_dopant, _build_aliovalent),  # type: ignore[operator,index]
    Mechanism("reduction", ("excess",), "M_M' (framework cation reduced by one)",
              "Li4+xTiO4 with Ti(4-x)+",
              "reduction gives negative effective charge and cannot compensate a vacancy; "
              "use oxidation", lambda c: 1.0, _select_redox, _build_redox),
    Mechanism("oxidation", ("vacancy",), "M_M^. (framework cation oxidised by one)",
              "cation oxidised",
              "oxidation gives positive effective charge and cannot compensate an excess; "
              "use reduction", lambda c: 1.0, _select_redox, _build_redox),
    Mechanism("frenkel", ("vacancy", "excess"), "Li_i^. + V_Li' pairs",
              "stoichiometric (the seed paper's)", "",
              lambda c: float(c.q_ion), _select_nothing, _build_frenkel),
    Mechanism("none", ("vacancy", "excess"), "nothing (charged cell; refused unless forced)",
              "V_Li' only", "", lambda c: math.inf, _select_nothing, _build_none),
)}

MECHANISMS = tuple(MECHANISM_TABLE)


@dataclass(frozen=True)
class DefaultRule:
    """One rung of the default choice: for ``mode``, ``mechanism`` when ``applies`` (given the
    oxidation states, anions, framework cations), with the reason ``reason`` gives."""

    mode: str
    mechanism: str
    applies: Callable[[dict[str, float], list[str], list[str]], bool]
    reason: Callable[[list[str], list[str], str], str]


def _can_dope(oxi: dict[str, float], cations: list[str], step: int) -> bool:
    if not cations:
        return False
    host = cations[0]
    return pick_dopant(host, oxi[host], _int_charge(oxi[host]) + step, cations) is not None


#: Default mechanisms, tried in order for the requested mode (first that applies wins).
DEFAULT_RULES: tuple[DefaultRule, ...] = (
    DefaultRule("vacancy", "aliovalent",
                lambda oxi, an, cat: an == ["O"] and _can_dope(oxi, cat, +1),
                lambda an, cat, ion: f"oxide: {ion} vacancies compensated by donor substitution "
                                     f"on {cat[0]} (anion vacancies are costly in oxides)"),
    DefaultRule("vacancy", "anion_vacancy", lambda oxi, an, cat: bool(an),
                lambda an, cat, ion: f"Schottky pair: {ion} and {an[0]} vacancies (the neutral "
                                     "binary leaves, framework valences unchanged)"),
    DefaultRule("excess", "aliovalent", lambda oxi, an, cat: _can_dope(oxi, cat, -1),
                lambda an, cat, ion: f"acceptor substitution on {cat[0]} (valence kept, no "
                                     "electrons or holes; anion framework unchanged)"),
    DefaultRule("excess", "anion_interstitial", lambda oxi, an, cat: bool(an),
                lambda an, cat, ion: f"{ion} is the only cation: {an[0]} interstitials "
                                     "compensate (the neutral binary enters)"),
)


def mechanism_table() -> list[dict[str, str]]:
    """The mechanisms as rows (mechanism, compensates, compensating_defect, example)."""
    return [m.row() for m in MECHANISM_TABLE.values()]


def choose_mechanism(mode: str, oxi: dict[str, float], present: Sequence[str],
                     ion: str) -> tuple[str, str]:
    """Default mechanism for ``mode`` and the reason: the first of :data:`DEFAULT_RULES`
    that applies."""
    anions = _anions(oxi, present)
    cations = _framework_cations(oxi, present, ion)
    for rule in DEFAULT_RULES:
        if rule.mode == mode and rule.applies(oxi, anions, cations):
            return rule.mechanism, rule.reason(anions, cations, ion)
    what = "vacancies" if mode == "vacancy" else "an excess"
    raise DefectError(f"no anion or framework cation to compensate {what}; name a mechanism")


# --- the plan ----------------------------------------------------------------------------------

def realisable_supercell(x: float, formula_units_per_cell: int, n_atoms_per_cell: int, *,
                         per_ion_units: int = 1, x_tol: float = 0.05, max_atoms: int = 400,
                         max_mult: int = 6) -> tuple[tuple[int, int, int], int, float]:
    """Smallest diagonal supercell (then most isotropic) holding an integer number ``k`` of
    ion defects, ``k`` a multiple of ``per_ion_units``, with ``|k/N_fu - x| <= x_tol * x``.

    Returns (multiplier, k, realised x). Raises DefectError listing the nearest realisable
    concentrations when none fits in ``max_atoms``.
    """
    from superionic.defects.cell import diagonal_multipliers

    mults = diagonal_multipliers(max_mult)
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
    mech = MECHANISM_TABLE[mechanism]
    if mode not in mech.modes:
        raise DefectError(mech.refused)
    base_ctx = _Ctx(mode=mode, ion=ion, q_ion=q_ion, oxi=oxi, comp=comp, cells=1)
    comp_el, new_el, new_q = mech.select(base_ctx, present, dopant, host)
    if mechanism == "aliovalent" and new_el is not None:
        oxi.setdefault(new_el, float(new_q))  # type: ignore[arg-type]
    if mechanism == "none" and not force:
        raise ChargeBalanceError(
            f"compensation 'none' leaves {x:g} uncompensated {_ion_symbol(base_ctx)} per formula "
            f"unit: the cell would carry {(x if mode == 'excess' else -x) * q_ion:+g} e per "
            f"formula unit. Choose a mechanism ({', '.join(m for m in MECHANISMS if m != 'none')}) "
            "or force it (force=True)")

    # ion defects per compensating unit: the smallest k that a whole number of compensating
    # defects balances
    unit = 1
    if mechanism != "none":
        q_comp = mech.unit_charge(_Ctx(mode=mode, ion=ion, q_ion=q_ion, oxi=oxi, comp=comp,
                                       cells=1, comp_el=comp_el, new_el=new_el, new_q=new_q))
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
    cells = m[0] * m[1] * m[2]
    n_fu = z * cells
    if mode == "vacancy" and k > comp[ion] * cells:
        raise DefectError(f"{k} vacancies exceed the {ion} sites in the supercell")

    ctx = _Ctx(mode=mode, ion=ion, q_ion=q_ion, oxi=oxi, comp=comp, cells=cells, k=k,
               comp_el=comp_el, new_el=new_el, new_q=new_q)
    built = mech.build(ctx)
    ops = [Operation("remove" if mode == "vacancy" else "add", ion, k, q_ion), *built.ops]
    slope: dict[str, float] = {ion: -1.0 if mode == "vacancy" else 1.0}
    for el, v in built.slope.items():
        slope[el] = slope.get(el, 0.0) + v
    if mechanism == "frenkel":
        slope = {}
    kvs = [_ion_symbol(ctx) if mechanism != "frenkel" else str(kv.vacancy(ion, q_ion)),
           *built.kvs]
    left, right, notes = built.left, built.right, list(built.notes)
    net_per_fu = (xr if mode == "excess" else -xr) * q_ion if mechanism == "none" else 0.0
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
    return DefectPlan(parent_formula=comp.reduced_formula, mode=mode, ion=ion, x_requested=x,
                      x_realised=xr, mechanism=mechanism, default_reason=reason, supercell=m,
                      formula_units=n_fu, operations=ops, general_formula=general,
                      formula=formula, kroger_vink=kvs, reaction=reaction,
                      charge_per_fu=net_per_fu, oxidation_states=oxi, forced=force, notes=notes)


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
                          f"{comp.reduced_formula}; use aliovalent substitution with a dopant (dopant=)")
    order = list(element_order) if element_order else [
        el.symbol for el in sorted(comp.elements, key=lambda e: e.X)]
    parent_formula = format_formula(parent, order)
    report = analyze_composition(target, parent_formula, oxi, ion)
    if not report.charge_balanced and not force:
        raise ChargeBalanceError(report.message() + ". Refused: pass force=True to build it anyway "
                                 "(a charged cell), or ask for a balanced neighbour")
    delta = {el: tgt.get(el, 0.0) - parent[el] for el in parent}
    if all(abs(d) < 1e-9 for d in delta.values()):
        raise DefectError(f"{target} is the parent composition")
    for el, d in delta.items():
        if d < 0 and -d > parent[el] + 1e-9:
            raise DefectError(f"{target}: removes more {el} than the parent has")
    from superionic.defects.cell import diagonal_multipliers

    mults = diagonal_multipliers(6)
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
