"""Electrochemical stability window vs the mobile-ion metal from an open-system phase diagram.

Method (Zhu, He & Mo, ACS Appl. Mater. Interfaces 7, 23685 (2015); Richards, Miara, Wang, Kim &
Ceder, Chem. Mater. 28, 266 (2016)): the electrolyte is in contact with a reservoir of the mobile
ion A (Li, Na, K) at chemical potential mu_A. The phase equilibrium of the compound's composition
is followed as mu_A goes from that of A metal (mu_A^0, the anode) down to strongly oxidising
values. The window is the range of mu_A over which the equilibrium takes up or releases no A:

    reduction limit: highest mu_A at which A is taken up  (phases formed = reduction products)
    oxidation limit: lowest  mu_A at which no A is released (phases formed below = oxidation products)

Sign convention. The potential of the electrode vs A/A+ is ``phi = -(mu_A - mu_A^0) / (z e)``
(z = 1 for Li, Na, K), so with mu in eV per atom ``phi`` is in V: A metal is 0 V and oxidising
conditions are positive. Check: LiCl -> Li + 1/2 Cl2 sets mu_Li = mu_Li^0 + dH_f(LiCl)/fu
(-4.27 eV in MP2020), i.e. phi_ox = +4.27 V; LiCl is stable from 0 to 4.27 V vs Li/Li+.

Implementation choice. ``PhaseDiagram.get_element_profile(A, composition)`` returns exactly the
critical mu_A at which the phase equilibrium of the composition changes (the facets crossed by
the line from the A-free composition to A), with the A taken up/released ("evolution") in each
range. A ``GrandPotentialPhaseDiagram`` at fixed mu_A describes one potential only, so windows
from it need a scan or bisection over mu_A (approximate, many hull builds). Both describe the same
open-system thermodynamics, so the profile is used for the window and the grand-potential diagram
(:func:`grand_potential_exchange`) serves as an independent check at chosen potentials (tests).

Metastable compounds (e_above_hull > 0) are never on the open-system hull at any mu_A: at the
compound's composition the equilibrium is its decomposition products (Li3ClO -> Li2O + LiCl). We
report the window of that phase equilibrium, the convention of Zhu, He & Mo 2015 (their
Li10GeP2S12 window 1.71-2.14 V is the overlap of its products Li3PS4 and Li4GeS4), with
``note`` saying the compound decomposes and ``e_above_hull_eV_per_atom`` set, so a caller can
instead treat it as an empty window. A composition absent from the entries is handled the same way
(its phase equilibrium; e_above_hull None).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from pymatgen.analysis.phase_diagram import GrandPotentialPhaseDiagram, PhaseDiagram
from pymatgen.core import Composition, Element

from superionic.parallel import Executor, TaskError, map_tasks
from superionic.stability.hull import (
    FormulaError,
    MissingElementError,
    PhaseDiagramCache,
    StabilityInputError,
    chemsys_of,
    default_cache,
    hull_entry,
    hull_stability,
    parse_formula,
)
from superionic.stability.sources import EntryList, EntrySource, default_source

#: Charge z of the mobile ion (phi = -(mu - mu0) / z); monovalent alkali ions by default.
ION_CHARGE = {"Li": 1, "Na": 1, "K": 1, "Mg": 2, "Ca": 2, "Zn": 2, "Al": 3}
#: Ion exchange (atoms per formula unit) below which a range counts as "no uptake or release".
EVOLUTION_TOL = 1e-6
#: Energy above hull (eV/atom) above which a compound is reported as metastable.
METASTABLE_TOL_EV_PER_ATOM = 1e-6


@dataclass(frozen=True)
class WindowResult:
    """Stability window of one compound. Potentials in V vs the mobile-ion metal (V vs Li/Li+
    for Li); ``oxidation_V`` is ``inf`` when the compound has no mobile ion to release.

    ``phase_equilibrium`` lists the phases present inside the window (the compound itself when
    it is on the hull, its decomposition products otherwise); the ``*_products`` are the phases
    formed just beyond each limit (the mobile-ion metal excluded; empty reduction products mean
    the compound is stable against the metal).
    """

    formula: str
    reduction_V: float
    oxidation_V: float
    width_V: float
    reduction_products: tuple[str, ...]
    oxidation_products: tuple[str, ...]
    e_above_hull_eV_per_atom: float | None
    source: str
    chemsys: str
    mobile_ion: str
    note: str = ""
    material_id: str | None = None
    phase_equilibrium: tuple[str, ...] = field(default=())

    @property
    def is_metastable(self) -> bool:
        e = self.e_above_hull_eV_per_atom
        return e is not None and e > METASTABLE_TOL_EV_PER_ATOM

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("reduction_products", "oxidation_products", "phase_equilibrium"):
            d[k] = list(d[k])
        return d


@dataclass(frozen=True)
class WindowError:
    """A compound whose window could not be computed; ``kind`` classifies the problem."""

    formula: str
    kind: str
    error: str
    chemsys: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def message(self) -> str:
        """``kind: error``, without repeating a kind the error already starts with."""
        return self.error if self.error.startswith(self.kind) else f"{self.kind}: {self.error}"


def ion_charge(mobile_ion: str) -> int:
    """Charge z of the mobile ion in units of e."""
    try:
        return ION_CHARGE[mobile_ion]
    except KeyError:
        raise ValueError(f"unknown mobile ion {mobile_ion!r}; known: {sorted(ION_CHARGE)}") from None


def potential_vs_metal(mu_eV: float, mu_metal_eV: float, charge: int = 1) -> float:
    """Electrode potential (V vs the metal) at ion chemical potential ``mu_eV`` (eV/atom):
    ``-(mu - mu_metal) / z``. 0 V at the metal, positive when oxidising."""
    v = -(float(mu_eV) - float(mu_metal_eV)) / charge
    return 0.0 if abs(v) < 1e-9 else v


def _formulas(entries: Sequence[Any], skip: Element | None = None) -> tuple[str, ...]:
    names = {e.composition.reduced_formula for e in entries
             if skip is None or set(e.composition.elements) != {skip}}
    return tuple(sorted(names))


def _check_ion(pd: PhaseDiagram, comp: Composition, formula: str, mobile_ion: str) -> Element:
    ion_charge(mobile_ion)
    el = Element(mobile_ion)
    if el not in pd.elements:
        raise MissingElementError(f"{formula}: the phase diagram ({chemsys_of(pd.elements)}) "
                                  f"has no {mobile_ion}")
    if set(comp.elements) == {el}:
        raise FormulaError(f"{formula}: is the bare {mobile_ion} metal, it has no window")
    return el


def window_from_phase_diagram(pd: PhaseDiagram, formula: str, mobile_ion: str = "Li",
                              source: str = "") -> WindowResult:
    """Window of ``formula`` with ``mobile_ion`` open, from a closed phase diagram ``pd`` whose
    elements include the compound's and the ion's. See the module docstring for the method."""
    comp = parse_formula(formula)
    el = _check_ion(pd, comp, formula, mobile_ion)
    z = ion_charge(mobile_ion)
    missing = [e.symbol for e in comp.elements if e not in pd.elements]
    if missing:
        raise MissingElementError(f"{formula}: element(s) {', '.join(missing)} not in the "
                                  f"phase diagram {chemsys_of(pd.elements)}")
    mu0 = pd.el_refs[el].energy_per_atom
    profile = pd.get_element_profile(el, comp)
    volts = [potential_vs_metal(p["chempot"], mu0, z) for p in profile]
    evol = [float(p["evolution"]) for p in profile]
    zero = [i for i, x in enumerate(evol) if abs(x) < EVOLUTION_TOL]
    notes: list[str] = []
    if zero:
        i = zero[0]
        red_i, ox_i = i - 1, i + 1
        reduction = volts[i]
        oxidation = volts[i + 1] if i + 1 < len(profile) else math.inf
        equilibrium = _formulas(profile[i]["entries"])
    else:  # composition inside a facet: no A-exchange-free range, a single potential
        j = next(k for k, x in enumerate(evol) if x < 0)
        red_i, ox_i = j - 1, j
        reduction = oxidation = volts[j]
        equilibrium = _formulas(list(pd.get_decomposition(comp)))
        notes.append(f"phase equilibrium {' + '.join(equilibrium)} exchanges {mobile_ion} at "
                     f"every potential except {reduction:.3f} V: zero-width window")
    red_products = _formulas(profile[red_i]["entries"], el) if red_i >= 0 else ()
    ox_products = _formulas(profile[ox_i]["entries"], el) if ox_i < len(profile) else ()
    if red_i < 0 and reduction < oxidation:
        notes.append(f"stable against {mobile_ion} metal")
    if math.isinf(oxidation):
        notes.append(f"no {mobile_ion} to release: no oxidation limit with {mobile_ion} open")
    hull = hull_stability(pd, formula)
    e_hull = hull.e_above_hull_eV_per_atom
    if e_hull is None:
        notes.insert(0, f"{comp.reduced_formula} is not among the entries: window of its "
                        f"equilibrium phases {' + '.join(equilibrium)} at this composition")
    elif e_hull > METASTABLE_TOL_EV_PER_ATOM:
        notes.insert(0, f"metastable (e_above_hull {e_hull:.3f} eV/atom): decomposes to "
                        f"{' + '.join(equilibrium)} at every {mobile_ion} potential; the window "
                        "is that of this phase equilibrium (Zhu, He & Mo 2015 convention)")
    return WindowResult(
        formula=formula, reduction_V=reduction, oxidation_V=oxidation,
        width_V=max(oxidation - reduction, 0.0), reduction_products=red_products,
        oxidation_products=ox_products, e_above_hull_eV_per_atom=e_hull, source=source,
        chemsys=chemsys_of(pd.elements), mobile_ion=mobile_ion, note="; ".join(notes),
        material_id=hull.material_id, phase_equilibrium=equilibrium)


def grand_potential_exchange(pd: PhaseDiagram, formula: str, mobile_ion: str,
                             potential_V: float) -> tuple[dict[str, float], float]:
    """Equilibrium of ``formula`` in contact with the ion reservoir at ``potential_V`` (V vs the
    metal), from a ``GrandPotentialPhaseDiagram`` with the ion open. Returns (products: reduced
    formula -> fraction of non-ion atoms, ion atoms taken up per formula unit; > 0 = reduced,
    < 0 = oxidised, 0 inside the window)."""
    comp = parse_formula(formula)
    el = _check_ion(pd, comp, formula, mobile_ion)
    mu = pd.el_refs[el].energy_per_atom - ion_charge(mobile_ion) * potential_V
    gppd = GrandPotentialPhaseDiagram(pd.all_entries, {el: mu})
    host = Composition({e: a for e, a in comp.items() if e != el})
    uptake = -comp[el]
    products: dict[str, float] = {}
    for gentry, frac in gppd.get_decomposition(host).items():
        orig = gentry.original_entry.composition
        n_host = orig.num_atoms - orig[el]
        uptake += frac * host.num_atoms * orig[el] / n_host
        products[orig.reduced_formula] = float(frac)
    return products, float(uptake)


def _window_task(payload: tuple[list[Any], list[str], str, str, str | None]
                 ) -> list[WindowResult | WindowError]:
    """One chemical system: build (or fetch) its hull once, then every compound's window."""
    entries, formulas, mobile_ion, label, cache_dir = payload
    cache = PhaseDiagramCache(cache_dir) if cache_dir else default_cache()
    pd = cache.get(entries)
    out: list[WindowResult | WindowError] = []
    for f in formulas:
        try:
            out.append(window_from_phase_diagram(pd, f, mobile_ion, source=label))
        except StabilityInputError as exc:
            out.append(WindowError(f, exc.kind, str(exc), chemsys_of(pd.elements)))
        except Exception as exc:  # noqa: BLE001 - one compound never kills its system
            out.append(WindowError(f, "computation", f"{type(exc).__name__}: {exc}",
                                   chemsys_of(pd.elements)))
    return out


def compute_windows(formulas: Sequence[str], source: EntrySource, mobile_ion: str = "Li",
                    executor: Executor | None = None,
                    cache_dir: str | Path | None = None) -> list[WindowResult | WindowError]:
    """Windows of many compounds, in input order; a bad compound gives a :class:`WindowError`
    and the rest complete. Compounds are grouped by chemical system (with the mobile ion); the
    entries of each system are fetched here, and the hull builds + windows run in parallel over
    systems on ``executor`` (serial when None). ``cache_dir`` adds an on-disk hull cache."""
    ion_charge(mobile_ion)
    results: list[WindowResult | WindowError | None] = [None] * len(formulas)
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(formulas):
        try:
            comp = parse_formula(f)
        except StabilityInputError as exc:
            results[i] = WindowError(str(f), exc.kind, str(exc))
            continue
        groups.setdefault(chemsys_of([e.symbol for e in comp.elements] + [mobile_ion]),
                          []).append(i)
    payloads, order = [], []
    for chemsys, idx in groups.items():
        try:
            entries = source.entries_for(chemsys.split("-"), mobile_ion=mobile_ion)
        except StabilityInputError as exc:
            for i in idx:
                results[i] = WindowError(formulas[i], exc.kind,
                                         f"{formulas[i]}: {exc}", chemsys)
            continue
        except Exception as exc:  # noqa: BLE001 - e.g. the MP API unreachable: report, go on
            for i in idx:
                results[i] = WindowError(formulas[i], "entry source",
                                         f"{source.label}: {type(exc).__name__}: {exc}", chemsys)
            continue
        payloads.append(([hull_entry(e) for e in entries], [formulas[i] for i in idx],
                         mobile_ion, source.label, str(cache_dir) if cache_dir else None))
        order.append((chemsys, idx))
    executor = executor or Executor(kind="serial", progress=False)
    tasks = map_tasks(_window_task, payloads, executor, desc="windows")
    for (chemsys, idx), res in zip(order, tasks, strict=True):
        for k, i in enumerate(idx):
            if isinstance(res, TaskError):
                results[i] = WindowError(formulas[i], "computation", res.error, chemsys)
            else:
                results[i] = _with_caveat(res[k], getattr(source, "caveat", ""))
    return [r for r in results if r is not None]


def _with_caveat(result: WindowResult | WindowError, caveat: str) -> WindowResult | WindowError:
    if not caveat or isinstance(result, WindowError):
        return result
    return replace(result, note="; ".join(p for p in (caveat, result.note) if p))


def compute_window(formula: str, source: EntrySource, mobile_ion: str = "Li",
                   cache_dir: str | Path | None = None) -> WindowResult:
    """Window of one compound; raises :class:`StabilityInputError` (or ``ValueError``) on failure."""
    (res,) = compute_windows([formula], source, mobile_ion, cache_dir=cache_dir)
    if isinstance(res, WindowError):
        exc = StabilityInputError(res.error)
        exc.kind = res.kind
        raise exc
    return res


def compute_windows_default(formulas: Sequence[str], mobile_ion: str = "Li",
                            data_dir: str | Path | None = None, approximate: bool = False,
                            entries_file: str | Path | None = None,
                            executor: Executor | None = None,
                            cache_dir: str | Path | None = None,
                            ) -> list[WindowResult | WindowError]:
    """Windows with the default entry source per compound (``entries_file`` when given; else the
    MP fixture when the chemical system lies inside it, else the MP API when ``MP_API_KEY`` is
    set, else the labelled composition-table approximation; ``approximate`` forces the last)."""
    results: list[WindowResult | WindowError | None] = [None] * len(formulas)
    by_source: dict[str, tuple[EntrySource, list[int]]] = {}
    fixed = EntryList.from_file(entries_file) if entries_file else None
    for i, f in enumerate(formulas):
        try:
            src = fixed or default_source(f, mobile_ion, data_dir, approximate)
        except StabilityInputError as exc:
            results[i] = WindowError(str(f), exc.kind, str(exc))
            continue
        except (OSError, ValueError) as exc:
            results[i] = WindowError(str(f), "entry source", str(exc))
            continue
        by_source.setdefault(src.label, (src, []))[1].append(i)
    for src, idx in by_source.values():
        sub = compute_windows([formulas[i] for i in idx], src, mobile_ion, executor, cache_dir)
        for i, r in zip(idx, sub, strict=True):
            results[i] = r
    return [r for r in results if r is not None]
