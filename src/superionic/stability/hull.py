"""Convex hulls per chemical system: energy above hull (eV/atom) and decomposition products.

Works on any list of pymatgen entries (``ComputedEntry``, ``ComputedStructureEntry``,
``PDEntry``) whose energies are mutually compatible (the MP fixture carries MP2020 corrections).
Phase diagrams are built per chemical system from the entries whose elements lie inside it and are
cached in memory and, optionally, on disk (``PhaseDiagram.as_dict`` with its computed hull), keyed
by a hash of the entries, so a screen of many compounds builds each hull once.

Errors are specific so a batch can report one bad compound and carry on:
:class:`FormulaError` (malformed formula / unknown element), :class:`MissingElementError` (an
element that no entry contains) and :class:`EmptyChemsysError` (no entry contains any of the
compound's elements).
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from monty.json import MontyDecoder, MontyEncoder
from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from pymatgen.core import Composition, Element
from pymatgen.entries.computed_entries import ComputedEntry, ComputedStructureEntry

from superionic import formula as _formula
from superionic.config import default_data_dir
from superionic.errors import UserInputError
from superionic.records import content_key

FIXTURE_SET = "mp_entries_fixture_CClKLiMnNaOY"
FIXTURE_FILE = "computed_entries_C_Cl_K_Li_Mn_Na_O_Y_08_08_21.json.gz"

#: Tolerance (eV/atom) under which an energy above hull counts as on the hull.
HULL_TOL_EV_PER_ATOM = 1e-8


class StabilityInputError(UserInputError):
    """A compound the stability stage cannot handle; ``kind`` names the problem. A
    :class:`~superionic.errors.UserInputError`, so the CLI reports it like every other bad input
    (and, as a ``ValueError``, a batch records it per compound and goes on)."""

    kind = "input"


class FormulaError(StabilityInputError, _formula.FormulaError):
    """Malformed formula or unknown element symbol: both the stability stage's input error and
    :class:`superionic.formula.FormulaError` (one formula error, caught under either name)."""

    kind = "malformed formula"


class MissingElementError(StabilityInputError):
    """An element of the compound (or the mobile ion) appears in no entry."""

    kind = "element with no entries"


class EmptyChemsysError(StabilityInputError):
    """No entry contains any element of the compound's chemical system."""

    kind = "chemical system with no entries"


def parse_formula(formula: str) -> Composition:
    """``Composition`` of ``formula``; :class:`FormulaError` when it is malformed, empty, names
    an element that does not exist, or has a zero, non-finite or huge amount (the limits of
    :mod:`superionic.formula`; an overflowing amount would make reaction balancing spin)."""
    from superionic.formula import parse_composition

    try:
        return parse_composition(formula)
    except ValueError as exc:
        raise FormulaError(str(exc)) from None


def chemsys_of(elements: Iterable[str | Element]) -> str:
    """Chemical-system key: sorted element symbols joined by '-' (``"Cl-Li"``)."""
    return "-".join(sorted({str(e) for e in elements}))


def entry_elements(entry: Any) -> frozenset[str]:
    return frozenset(el.symbol for el in entry.composition.elements)


def entries_in_chemsys(entries: Iterable[Any], elements: Iterable[str]) -> list[Any]:
    """Entries whose elements are all inside ``elements`` (the sub-systems included)."""
    space = frozenset(str(e) for e in elements)
    return [e for e in entries if entry_elements(e) <= space]


def check_coverage(entries: Sequence[Any], elements: Iterable[str], formula: str = "",
                   mobile_ion: str | None = None) -> None:
    """Raise :class:`EmptyChemsysError` / :class:`MissingElementError` when ``entries`` cannot
    give a phase diagram of ``elements`` (every element needs an elemental reference entry)."""
    elements = sorted({str(e) for e in elements})
    own = [e for e in elements if e != mobile_ion] or elements
    present = set().union(*(entry_elements(e) for e in entries)) if entries else set()
    what = f"{formula}: " if formula else ""
    if not present.intersection(own):
        raise EmptyChemsysError(f"{what}no entries in chemical system {chemsys_of(own)}")
    missing = [e for e in elements if e not in present]
    if missing:
        raise MissingElementError(f"{what}no entries contain element(s) {', '.join(missing)}"
                                  f" (chemical system {chemsys_of(elements)})")
    refs = {next(iter(entry_elements(e))) for e in entries if len(entry_elements(e)) == 1}
    no_ref = [e for e in elements if e not in refs]
    if no_ref:
        raise MissingElementError(f"{what}no elemental reference entry for {', '.join(no_ref)}"
                                  f" (chemical system {chemsys_of(elements)})")


def hull_entry(entry: Any) -> Any:
    """``entry`` without its structure (a ``ComputedEntry`` with the same corrected energy,
    adjustments, parameters and id): hulls need composition and energy only, and the light
    entries pickle to workers and cache to disk ~5x smaller and faster."""
    if not isinstance(entry, ComputedStructureEntry):
        return entry
    return ComputedEntry(entry.composition, entry.uncorrected_energy,
                         energy_adjustments=entry.energy_adjustments, parameters=entry.parameters,
                         data=entry.data, entry_id=entry.entry_id)


def entries_key(entries: Sequence[Any]) -> str:
    """Content hash of a set of entries: (id or formula, composition, energy in eV), order-free."""
    rows = sorted((str(getattr(e, "entry_id", None) or getattr(e, "name", "")),
                   e.composition.formula, round(float(e.energy), 8)) for e in entries)
    return content_key(rows)


def load_entries(path: str | Path) -> list[Any]:
    """Entries from a monty JSON file (``.json`` or ``.json.gz``): a list of entry dicts (or a
    ``{key: entry}`` dict). Raises ``ValueError`` naming the file and the bad item."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt") as fh:
            raw = json.load(fh)
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read entries ({exc})") from None
    items = list(raw.values()) if isinstance(raw, dict) and "@class" not in raw else raw
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a JSON list of pymatgen entries")
    decoded = MontyDecoder().process_decoded(items)
    for i, entry in enumerate(decoded):
        if not (hasattr(entry, "composition") and hasattr(entry, "energy")):
            raise ValueError(f"{path}: item {i} is not a pymatgen entry ({type(entry).__name__})")
    from superionic.sanity import check_entries_finite

    check_entries_finite(decoded, str(path))
    return decoded


def fixture_path(data_dir: str | Path | None = None) -> Path:
    """Path of the MP computed-entries fixture (C-Cl-K-Li-Mn-Na-O-Y) in the data directory."""
    return Path(data_dir or default_data_dir()) / FIXTURE_SET / FIXTURE_FILE


@lru_cache(maxsize=4)
def _load_fixture_cached(path: str) -> tuple[Any, ...]:
    return tuple(load_entries(path))


def load_fixture_entries(data_dir: str | Path | None = None) -> list[Any]:
    """The 1326 MP2020-corrected ``ComputedStructureEntry`` objects of the fixture (cached)."""
    path = fixture_path(data_dir)
    if not path.is_file():
        raise FileNotFoundError(f"MP entries fixture not found: {path}")
    return list(_load_fixture_cached(str(path)))


class PhaseDiagramCache:
    """Phase diagrams keyed by the hash of their entries: in memory, plus on disk under
    ``disk_dir`` (``<key>.json.gz`` holding ``PhaseDiagram.as_dict()`` with the computed hull)."""

    def __init__(self, disk_dir: str | Path | None = None, max_items: int = 256) -> None:
        self.disk_dir = Path(disk_dir) if disk_dir else None
        self.max_items = max_items
        self._mem: dict[str, PhaseDiagram] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, entries: Sequence[Any]) -> PhaseDiagram:
        """The phase diagram of ``entries`` (built once per distinct entry set)."""
        key = entries_key(entries)
        with self._lock:
            if key in self._mem:
                self.hits += 1
                return self._mem[key]
        pd = self._load(key)
        if pd is None:
            self.misses += 1
            pd = PhaseDiagram([hull_entry(e) for e in entries])
            self._save(key, pd)
        else:
            self.hits += 1
        with self._lock:
            if len(self._mem) >= self.max_items:
                self._mem.pop(next(iter(self._mem)))
            self._mem[key] = pd
        return pd

    def _file(self, key: str) -> Path | None:
        return self.disk_dir / f"pd_{key[:32]}.json.gz" if self.disk_dir else None

    def _load(self, key: str) -> PhaseDiagram | None:
        path = self._file(key)
        if path is None or not path.is_file():
            return None
        try:
            with gzip.open(path, "rt") as fh:
                return PhaseDiagram.from_dict(json.load(fh))
        except Exception:  # noqa: BLE001 - a corrupt cache file is rebuilt
            return None

    def _save(self, key: str, pd: PhaseDiagram) -> None:
        path = self._file(key)
        if path is None:
            return
        from superionic.fileio import atomic_path

        with atomic_path(path) as tmp, gzip.open(tmp, "wt") as fh:
            json.dump(pd.as_dict(), fh, cls=MontyEncoder)


_DEFAULT_CACHE = PhaseDiagramCache()


def default_cache() -> PhaseDiagramCache:
    """The process-wide in-memory phase-diagram cache."""
    return _DEFAULT_CACHE


def phase_diagram(entries: Sequence[Any], elements: Iterable[str], formula: str = "",
                  mobile_ion: str | None = None,
                  cache: PhaseDiagramCache | None = None) -> PhaseDiagram:
    """Phase diagram of the chemical system ``elements`` from the matching subset of ``entries``
    (coverage checked first, so a missing element is a clear error, not a qhull failure)."""
    elements = sorted({str(e) for e in elements})
    sub = entries_in_chemsys(entries, elements)
    check_coverage(sub, elements, formula=formula, mobile_ion=mobile_ion)
    return (cache or _DEFAULT_CACHE).get(sub)


@dataclass(frozen=True)
class HullResult:
    """Stability of a composition on a hull. ``e_above_hull_eV_per_atom`` is that of its lowest-
    energy entry (None when the composition has no entry: then ``decomposition`` is its phase
    equilibrium); ``decomposition`` maps product reduced formula -> atomic fraction."""

    formula: str
    reduced_formula: str
    chemsys: str
    e_above_hull_eV_per_atom: float | None
    decomposition: dict[str, float] = field(default_factory=dict)
    material_id: str | None = None

    @property
    def is_stable(self) -> bool:
        e = self.e_above_hull_eV_per_atom
        return e is not None and e <= 1e-6


def lowest_entry(pd: PhaseDiagram, comp: Composition) -> Any | None:
    """The lowest-energy-per-atom entry of ``pd`` with the reduced formula of ``comp``."""
    rf = comp.reduced_formula
    same = [e for e in pd.all_entries if e.composition.reduced_formula == rf]
    return min(same, key=lambda e: e.energy_per_atom) if same else None


def hull_stability(pd: PhaseDiagram, formula: str) -> HullResult:
    """Energy above hull (eV/atom) and decomposition of ``formula`` on ``pd``."""
    comp = parse_formula(formula)
    entry = lowest_entry(pd, comp)
    if entry is not None:
        decomp, e_hull = pd.get_decomp_and_e_above_hull(entry, allow_negative=True)
        e_hull = max(float(e_hull), 0.0) if abs(e_hull) < HULL_TOL_EV_PER_ATOM else float(e_hull)
        mid = getattr(entry, "entry_id", None)
    else:
        decomp, e_hull, mid = pd.get_decomposition(comp), None, None
    products = {e.composition.reduced_formula: float(a) for e, a in decomp.items()}
    return HullResult(formula, comp.reduced_formula, chemsys_of(comp.elements), e_hull,
                      products, str(mid) if mid is not None else None)


def e_above_hull(entries: Sequence[Any], formula: str,
                 cache: PhaseDiagramCache | None = None) -> HullResult:
    """Hull stability of ``formula`` in its own chemical system from ``entries``."""
    comp = parse_formula(formula)
    pd = phase_diagram(entries, [e.symbol for e in comp.elements], formula, cache=cache)
    return hull_stability(pd, formula)


def elemental_pdentries(elements: Iterable[str]) -> list[PDEntry]:
    """One PDEntry per element at 0 eV: the references of a formation-energy hull."""
    return [PDEntry(Composition(el), 0.0, name=el) for el in sorted(set(elements))]
