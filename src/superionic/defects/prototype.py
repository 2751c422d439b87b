"""Structures for compositions that have none: prototype substitution over the structure library,
optional ML-potential relaxation, and an energy above the hull against reference entries.

1. Every ordered library structure (and any extra structures, e.g. the Materials Project fixture)
   with the same number of species is a prototype. pymatgen's ``Substitutor`` (data-mined ionic
   substitution probabilities, Hautier et al., Inorg. Chem. 50, 656 (2011)) proposes the
   substitutions onto the target species with probability above ``threshold``; candidates
   whose reduced composition is the target's are kept, most probable first.
2. Optionally each candidate is relaxed with CHGNet (bounded FIRE steps, cell free).
3. The CHGNet energy becomes a ``ComputedStructureEntry`` corrected with MP2020 (anion / U
   corrections, as CHGNet energies are on the uncorrected MP GGA(+U) scale) and is compared with
   the convex hull of the MP elemental references and whichever MP entries of the same chemical
   system are available (the CClKLiMnNaOY fixture): ``e_above_hull`` is its distance to that
   hull (negative: below it), ``formation_energy`` its energy relative to the elements.

The hull energy is flagged as uncertain: MLIP vs DFT errors are ~0.03-0.1 eV/atom (Riebesell et
al., arXiv:2308.14920), and competing phases missing from the references make the value a lower
bound (``missing_references`` says which elements' binaries are absent).
"""

from __future__ import annotations

import gzip
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pymatgen.core import Composition, Species, Structure

#: Stated uncertainty of an MLIP-based energy above hull.
E_HULL_UNCERTAINTY = "~0.05-0.1 eV/atom (MLIP vs DFT) plus missing competing phases (lower bound)"

MP_FIXTURE = "mp_entries_fixture_CClKLiMnNaOY"
#: Elements of the MP fixture (its SOURCE.md); it is loaded only when it can contribute a
#: compound of the chemical system (two or more of these elements), as decoding takes ~7 s.
FIXTURE_ELEMENTS = frozenset({"C", "Cl", "K", "Li", "Mn", "Na", "O", "Y"})
ELEMENTAL_REFS = "mp_elemental_refs"


@dataclass
class PrototypeCandidate:
    """One predicted structure: source prototype, substitution probability, energies."""

    structure: Structure
    source: str
    probability: float
    relaxed: bool = False
    relax_steps: int = 0
    energy_eV_per_atom: float | None = None
    e_above_hull_eV_per_atom: float | None = None
    formation_energy_eV_per_atom: float | None = None
    e_hull_uncertainty: str = E_HULL_UNCERTAINTY
    references: list[str] = field(default_factory=list)
    missing_references: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        sg = self.structure.get_space_group_info(symprec=0.1)
        return {"formula": self.structure.composition.reduced_formula, "source": self.source,
                "probability": self.probability, "space_group": sg[0],
                "space_group_number": sg[1], "n_atoms": len(self.structure),
                "relaxed": self.relaxed, "relax_steps": self.relax_steps,
                "energy_eV_per_atom": self.energy_eV_per_atom,
                "e_above_hull_eV_per_atom": self.e_above_hull_eV_per_atom,
                "formation_energy_eV_per_atom": self.formation_energy_eV_per_atom,
                "e_hull_uncertainty": self.e_hull_uncertainty,
                "hull_references": self.references,
                "missing_references": self.missing_references}


def _target_species(composition: Composition) -> list[Species]:
    guesses = composition.oxi_state_guesses(max_sites=-50)
    if not guesses:
        raise ValueError(f"{composition.reduced_formula}: no charge-balanced oxidation states; "
                         "prototype substitution needs an ionic composition")
    return [Species(el, q) for el, q in guesses[0].items()]


def library_prototypes(seed: int = 0) -> list[dict[str, Any]]:
    """Ordered, oxidation-state-decorated library structures as Substitutor inputs."""
    from superionic.defects.library import get_structure, has_structure, names, ordered

    out = []
    for name in names():
        if not has_structure(name):
            continue
        s = get_structure(name)
        s = s if s.is_ordered else ordered(s, seed=seed)
        out.append({"structure": s, "id": name})
    return out


def predict_structures(composition: str | Composition, *,
                       prototypes: Sequence[dict[str, Any]] | None = None,
                       extra: Sequence[dict[str, Any]] = (), threshold: float = 1e-3,
                       max_candidates: int = 5) -> list[PrototypeCandidate]:
    """Candidate structures of ``composition`` by substitution into prototypes, most probable
    first (``probability`` is the Substitutor's, summed over duplicates)."""
    from pymatgen.analysis.structure_prediction.substitutor import Substitutor

    comp = Composition(composition)
    target = _target_species(comp)
    protos = list(prototypes if prototypes is not None else library_prototypes()) + list(extra)
    n_species = len(target)
    usable = [p for p in protos if len(p["structure"].composition.elements) == n_species]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        preds = Substitutor(threshold=threshold).pred_from_structures(
            target, usable, remove_duplicates=True, remove_existing=False)
    out: list[PrototypeCandidate] = []
    for ts in preds:
        s = ts.final_structure
        if s.composition.reduced_formula != comp.reduced_formula:
            continue
        hist = ts.history[0] if ts.history else {}
        source = str(ts.other_parameters.get("source", hist.get("source", ""))) if hasattr(
            ts, "other_parameters") else ""
        prob = float(ts.other_parameters.get("proba", 0.0)) if hasattr(ts, "other_parameters") else 0.0
        out.append(PrototypeCandidate(structure=s, source=source, probability=prob))
    out.sort(key=lambda c: -c.probability)
    return out[:max_candidates]


def _load_entries(path: Path) -> list[Any]:
    from monty.json import MontyDecoder

    with gzip.open(path, "rt") as fh:
        data = json.load(fh)
    if isinstance(data, dict):
        data = list(data.values())
    return [MontyDecoder().process_decoded(d) for d in data]


def reference_entries(chemsys: Sequence[str], data_dir: Path | None = None) -> list[Any]:
    """MP elemental references plus MP fixture entries inside ``chemsys`` (MP2020-corrected)."""
    from superionic.config import default_data_dir

    base = Path(data_dir) if data_dir else default_data_dir()
    elems = set(chemsys)
    entries = []
    refs = base / ELEMENTAL_REFS
    for f in sorted(refs.glob("*.json.gz")):
        entries += [e for e in _load_entries(f) if {el.symbol for el in e.composition} <= elems]
    fixture = base / MP_FIXTURE
    if len(elems & FIXTURE_ELEMENTS) < 2:
        return entries
    for f in sorted(fixture.glob("*.json.gz")):
        entries += [e for e in _load_entries(f) if {el.symbol for el in e.composition} <= elems]
    return entries


def mlip_entry(structure: Structure, energy_eV_per_atom: float) -> Any:
    """MP2020-corrected ``ComputedStructureEntry`` for an MLIP energy (GGA/GGA+U scale)."""
    from pymatgen.entries.compatibility import MaterialsProject2020Compatibility
    from pymatgen.entries.computed_entries import ComputedStructureEntry

    s = structure.copy()
    s.remove_oxidation_states()
    u_elems = {"Co", "Cr", "Fe", "Mn", "Mo", "Ni", "V", "W"}
    has_u = bool(u_elems & {el.symbol for el in s.composition}) and any(
        el.symbol in ("O", "F") for el in s.composition)
    u_values = {"Co": 3.32, "Cr": 3.7, "Fe": 5.3, "Mn": 3.9, "Mo": 4.38, "Ni": 6.2, "V": 3.25,
                "W": 6.2}
    params = {"run_type": "GGA+U" if has_u else "GGA", "is_hubbard": has_u,
              "hubbards": {el.symbol: u_values.get(el.symbol, 0.0) for el in s.composition}
              if has_u else {}}
    entry = ComputedStructureEntry(s, energy_eV_per_atom * len(s), parameters=params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        processed = MaterialsProject2020Compatibility(check_potcar=False).process_entry(entry)
    return processed or entry


def e_above_hull(entry: Any, references: Sequence[Any]) -> tuple[float, float, list[str],
                                                                  list[str]]:
    """Energy above the hull of ``references`` (eV/atom; negative = below it, i.e. the
    candidate would be a new stable phase), formation energy (eV/atom), reference formulas
    used, and the elements that appear in no compound reference."""
    from pymatgen.analysis.phase_diagram import PhaseDiagram

    elems = {el.symbol for el in entry.composition}
    refs = [r for r in references if {el.symbol for el in r.composition} <= elems]
    have_el = {next(iter(r.composition)).symbol for r in refs if len(r.composition) == 1}
    if not elems <= have_el:
        raise ValueError(f"no elemental reference for {sorted(elems - have_el)}")
    pd = PhaseDiagram(list(refs))
    _, e_hull = pd.get_decomp_and_e_above_hull(entry, allow_negative=True)
    e_form = float(pd.get_form_energy_per_atom(entry))
    used = sorted({r.composition.reduced_formula for r in refs})
    multi = {e.symbol for r in refs if len(r.composition) > 1 for e in r.composition}
    missing = sorted(elems - multi)
    return float(e_hull), e_form, used, missing


def evaluate(candidates: Sequence[PrototypeCandidate], *, relax: bool = False,
             steps: int = 100, data_dir: Path | None = None, model: Any | None = None) -> None:
    """CHGNet energy (and optional relaxation) plus hull energy for each candidate, in place."""
    from superionic.defects import potential

    for c in candidates:
        if relax:
            s, e, n = potential.relax(c.structure, steps=steps, model=model)
            c.structure, c.relaxed, c.relax_steps = s, True, n
        else:
            e = potential.single_point_energies([c.structure], model=model)[0]
        c.energy_eV_per_atom = e
        entry = mlip_entry(c.structure, e)
        chemsys = [el.symbol for el in c.structure.composition]
        refs = reference_entries(chemsys, data_dir)
        try:
            (c.e_above_hull_eV_per_atom, c.formation_energy_eV_per_atom, c.references,
             c.missing_references) = e_above_hull(entry, refs)
        except ValueError as exc:
            c.references, c.missing_references = [], [str(exc)]
