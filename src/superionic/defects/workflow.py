"""One call from a parent (library name or structure file) to ranked, written defect variants.

``build_variants`` = resolve the parent (order it when it has partial occupancies) ->
:func:`~superionic.defects.li_defects.plan_defects` (or ``plan_composition`` for a target
formula) -> :func:`~superionic.defects.enumerate.enumerate_configurations` -> optional CHGNet
single points -> CIF/POSCAR files. Pure apart from the files it is asked to write; never prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pymatgen.core import Structure

from superionic.defects import library
from superionic.defects.enumerate import Enumeration, add_mlip_energies, enumerate_configurations
from superionic.defects.li_defects import DefectPlan, plan_composition, plan_defects
from superionic.defects.ordering import order_structure, oxidation_states_of


@dataclass
class Parent:
    """The ordered parent cell, its name, formula units and how it was obtained."""

    name: str
    structure: Structure
    formula_units: int
    source: str
    element_order: list[str] | None = None
    info: dict[str, Any] = field(default_factory=dict)


def _element_order(text: str) -> list[str] | None:
    symbols = re.findall(r"[A-Z][a-z]?", text)
    return list(dict.fromkeys(symbols)) or None


def resolve_parent(spec: str | Path | Structure, *, seed: int = 0) -> Parent:
    """Library name (``Li3ClO``, ``LGPS``) or structure file -> ordered :class:`Parent`.

    Raises FileNotFoundError / ValueError naming the problem; a library entry without
    coordinates raises :class:`~superionic.defects.library.StructureUnavailable`.
    """
    info: dict[str, Any] = {}
    order = None
    if isinstance(spec, Structure):
        struct, name, source = spec, spec.composition.reduced_formula, "structure"
    else:
        text = str(spec)
        path = Path(text)
        if path.is_file():
            try:
                struct = Structure.from_file(path)
            except Exception as exc:  # noqa: BLE001 - re-raised with the file name
                raise ValueError(f"{path}: not a readable structure ({type(exc).__name__}: "
                                 f"{exc})") from exc
            name, source = path.stem, str(path)
        else:
            try:
                ref = library.get_reference(text)
            except KeyError:
                raise FileNotFoundError(f"{text}: no such file and not a library structure "
                                        f"({', '.join(library.names())})") from None
            struct = ref.structure()
            name, source = ref.name, f"library:{ref.name} ({ref.citation}; doi {ref.doi})"
            order = _element_order(text if text[:1].isupper() and not text.isupper()
                                   else ref.formula)
            info["reference"] = {"citation": ref.citation, "doi": ref.doi,
                                 "coordinates": ref.coordinates}
    if not struct.is_ordered:
        o = order_structure(struct, seed=seed)[0]
        info["ordering"] = {"method": o.method, "supercell": list(o.supercell),
                            "ewald_energy_eV": o.ewald_energy_eV, **o.info}
        struct = o.structure
    else:
        struct = struct.copy()
        if not all(getattr(sp, "oxi_state", None) is not None for site in struct
                   for sp in site.species):
            struct.add_oxidation_state_by_element(oxidation_states_of(struct))
    comp = struct.composition.element_composition
    z = int(round(comp.get_reduced_composition_and_factor()[1]))
    if order and set(order) != {el.symbol for el in comp.elements}:
        order = None
    return Parent(name=name, structure=struct, formula_units=z, source=source,
                  element_order=order, info=info)


@dataclass
class DefectResult:
    """Plan, enumeration and output of :func:`build_variants` (energies eV)."""

    parent: Parent
    plan: DefectPlan
    enumeration: Enumeration
    mlip: str | None = None

    def to_dict(self) -> dict[str, Any]:
        e_min = min((v.ewald_energy_eV for v in self.enumeration.variants), default=None)
        plan = self.plan
        return {
            "parent": self.parent.name, "parent_formula": plan.parent_formula,
            "parent_source": self.parent.source, "parent_info": self.parent.info,
            "mode": plan.mode, "ion": plan.ion, "x_requested": plan.x_requested,
            "x_realised": plan.x_realised, "mechanism": plan.mechanism,
            "default_mechanism_reason": plan.default_reason, "kroger_vink": plan.kroger_vink,
            "reaction": plan.reaction, "general_formula": plan.general_formula,
            "formula": plan.formula, "supercell": list(plan.supercell),
            "formula_units": plan.formula_units, "charge_balanced": plan.charge_balanced,
            "charge_per_formula_unit": plan.charge_per_fu, "forced": plan.forced,
            "notes": plan.notes,
            "enumeration": {"method": self.enumeration.method,
                            "configurations_scored": self.enumeration.n_considered,
                            "combinations": self.enumeration.n_combinations,
                            "distinct": self.enumeration.n_distinct,
                            "dedupe": self.enumeration.dedupe,
                            "interstitial_sites": self.enumeration.interstitial_sites},
            "mlip": self.mlip,
            "variants": [v.to_dict(e_min) for v in self.enumeration.variants],
        }


def build_variants(parent: str | Path | Structure | Parent, *, mode: str | None = None,
                   x: float | None = None, target: str | None = None,
                   mechanism: str | None = None, ion: str = "Li", dopant: str | None = None,
                   host: str | None = None, force: bool = False, n_configs: int = 5,
                   seed: int = 0, mlip: bool = False, out_dir: str | Path | None = None,
                   x_tol: float = 0.05, max_atoms: int = 400,
                   max_enumerate: int = 5000, n_samples: int = 200) -> DefectResult:
    """Plan, enumerate, rank and (with ``out_dir``) write defect variants of ``parent``."""
    par = parent if isinstance(parent, Parent) else resolve_parent(parent, seed=seed)
    if target is not None:
        plan = plan_composition(par.structure, target, ion=ion, formula_units=par.formula_units,
                                force=force, x_tol=x_tol, max_atoms=max_atoms,
                                element_order=par.element_order)
    else:
        if mode is None or x is None:
            raise ValueError("give an excess or a vacancy concentration, or a target formula")
        plan = plan_defects(par.structure, mode=mode, x=x, mechanism=mechanism, ion=ion,
                            formula_units=par.formula_units, dopant=dopant, host=host,
                            force=force, x_tol=x_tol, max_atoms=max_atoms,
                            element_order=par.element_order)
    sup = par.structure * plan.supercell
    enum = enumerate_configurations(sup, plan.operations, n_configs=n_configs, seed=seed,
                                    max_enumerate=max_enumerate, n_samples=n_samples)
    used = None
    if mlip and enum.variants:
        add_mlip_energies(enum.variants)
        used = "CHGNet (pretrained, single point)"
    if out_dir is not None:
        from superionic.defects.enumerate import write_variants

        tag = plan.mode if plan.mode != "composition" else "target"
        stem = re.sub(r"[^A-Za-z0-9.+-]", "_",
                      f"{par.name}_{tag}{plan.x_realised:.4g}_{plan.mechanism}")
        write_variants(enum.variants, out_dir, stem)
    return DefectResult(parent=par, plan=plan, enumeration=enum, mlip=used)
