"""Reference structures of well-known solid electrolytes, built from published crystallography.

Each entry records the space group, lattice parameters (Angstrom, degrees), the asymmetric unit
(Wyckoff letter, fractional coordinates, site occupancies) and the citation; the structure is
generated with :meth:`pymatgen.core.Structure.from_spacegroup`. Partial occupancies are kept in
the structure returned by :func:`get_structure`; :func:`ordered` orders them by Ewald energy
(:mod:`superionic.defects.ordering`).

``coordinates`` says how far each entry's free atomic coordinates can be trusted:

- ``"published"``: every coordinate is fixed by symmetry, or the values are those of the cited
  refinement as distributed with pymatgen (Li10GeP2S12 = pymatgen's bundled copy of the ICSD
  record of Kamaya et al.; the test suite checks the two agree);
- ``"transcribed"``: free coordinates entered from the cited refinement without access to the
  paper during entry, checked by interatomic distances and bond-valence sums in the tests;
- ``"idealised"``: anion positions of the ideal close packing (refined values not available
  offline); the structure is a model within ~0.1 Angstrom of the refined one, not a transcription.

Lattice parameters of every entry are the published ones and are cross-checked against
independent copies (OBELiX, the AFLOW prototype library in pymatgen) in the tests.

Li4TiO4 (Cmcm, Dittrich & Hoppe 1969) is listed but has no coordinates: none could be obtained
offline, and entering unverifiable numbers would be worse than none. :func:`get_structure` raises
:class:`StructureUnavailable` for it, naming where to get one (Materials Project mp-9172).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from pymatgen.core import Lattice, Structure

#: Avogadro constant (1/mol) for densities in g/cm^3.
_NA = 6.02214076e23


class StructureUnavailable(KeyError):
    """A library entry exists but carries no atomic coordinates."""

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class WyckoffSite:
    """One site of the asymmetric unit: species -> occupancy, fractional coordinates."""

    label: str
    wyckoff: str
    species: dict[str, float]
    coords: tuple[float, float, float]


@dataclass(frozen=True)
class ReferenceStructure:
    """Published crystal structure of one compound (lengths Angstrom, angles degrees)."""

    name: str
    formula: str
    space_group: str
    number: int
    lattice: dict[str, float]
    sites: tuple[WyckoffSite, ...]
    oxidation_states: dict[str, int]
    citation: str
    doi: str | None
    coordinates: str  # "published" | "transcribed" | "idealised" | "unavailable"
    temperature_K: float | None = 298.0
    density_g_cm3: float | None = None  # published (measured or X-ray) density when known
    aliases: tuple[str, ...] = ()
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    md_model: MDModel | None = None  # how md_cell turns the entry into an MD cell

    def lattice_obj(self) -> Lattice:
        p = self.lattice
        return Lattice.from_parameters(p["a"], p["b"], p["c"], p["alpha"], p["beta"], p["gamma"])

    def structure(self) -> Structure:
        """Conventional cell with partial occupancies, oxidation states and Wyckoff labels."""
        if not self.sites:
            raise StructureUnavailable(
                f"{self.name}: no atomic coordinates in the library ({self.notes})")
        species = [dict(s.species) for s in self.sites]
        coords = [list(s.coords) for s in self.sites]
        props = {"label": [s.label for s in self.sites],
                 "wyckoff": [s.wyckoff for s in self.sites]}
        struct = Structure.from_spacegroup(self.space_group, self.lattice_obj(), species, coords,
                                           site_properties=props, tol=1e-3)
        struct.add_oxidation_state_by_element(self.oxidation_states)
        return struct

    def summary(self) -> dict[str, Any]:
        """JSON-safe description (lattice in Angstrom/degrees, density in g/cm^3)."""
        out: dict[str, Any] = {
            "name": self.name, "formula": self.formula, "space_group": self.space_group,
            "space_group_number": self.number, "lattice": dict(self.lattice),
            "citation": self.citation, "doi": self.doi, "coordinates": self.coordinates,
            "temperature_K": self.temperature_K, "published_density_g_cm3": self.density_g_cm3,
            "aliases": list(self.aliases), "notes": self.notes,
            "md_model": None if self.md_model is None else dict(self.md_model.__dict__),
            "sites": [{"label": s.label, "wyckoff": s.wyckoff, "species": s.species,
                       "coords": list(s.coords)} for s in self.sites],
        }
        if self.sites:
            s = self.structure()
            out["n_sites"] = len(s)
            out["is_ordered"] = s.is_ordered
            out["density_g_cm3"] = round(density_g_cm3(s), 4)
        return out


@dataclass(frozen=True)
class MDModel:
    """How :func:`md_cell` models an entry whose measured conductor is not the nominal
    composition: ``vacancies_per_fu`` mobile-ion vacancies per formula unit, compensated by
    ``compensate`` (a mechanism of :data:`superionic.defects.li_defects.MECHANISMS`) with
    ``dopant``; ``formula`` is the resulting model composition."""

    formula: str
    vacancies_per_fu: float
    compensate: str
    dopant: str | None
    note: str


def density_g_cm3(structure: Structure) -> float:
    """Mass density (g/cm^3) of a structure, partial occupancies included."""
    return structure.composition.weight / (_NA * structure.volume * 1e-24)


def _lat(a: float, b: float | None = None, c: float | None = None, alpha: float = 90.0,
         beta: float = 90.0, gamma: float = 90.0) -> dict[str, float]:
    return {"a": a, "b": a if b is None else b, "c": a if c is None else c,
            "alpha": alpha, "beta": beta, "gamma": gamma}


def _s(label: str, wyckoff: str, species: str | dict[str, float],
       x: float, y: float, z: float) -> WyckoffSite:
    sp = {species: 1.0} if isinstance(species, str) else dict(species)
    return WyckoffSite(label, wyckoff, sp, (x, y, z))


_ENTRIES: tuple[ReferenceStructure, ...] = (
    ReferenceStructure(
        name="Li3N", formula="Li3N", space_group="P6/mmm", number=191,
        lattice=_lat(3.6576, c=3.8735, gamma=120.0),
        sites=(_s("N1", "1a", "N", 0, 0, 0), _s("Li1", "1b", "Li", 0, 0, 0.5),
               _s("Li2", "2c", "Li", 1 / 3, 2 / 3, 0)),
        oxidation_states={"Li": 1, "N": -3},
        citation="D. H. Gregory, P. M. O'Meara, A. G. Gordon, J. P. Hodges, S. Short, "
                 "J. D. Jorgensen, Chem. Mater. 14, 2063-2070 (2002)",
        doi="10.1021/cm010718t", coordinates="published", density_g_cm3=1.27,
        aliases=("alpha-Li3N",),
        notes="alpha-Li3N, powder neutron diffraction at room temperature. Density: CRC "
              "Handbook value."),
    ReferenceStructure(
        name="Li2S", formula="Li2S", space_group="Fm-3m", number=225, lattice=_lat(5.708),
        sites=(_s("S1", "4a", "S", 0, 0, 0), _s("Li1", "8c", "Li", 0.25, 0.25, 0.25)),
        oxidation_states={"Li": 1, "S": -2},
        citation="E. Zintl, A. Harder, B. Dauth, Z. Elektrochem. Angew. Phys. Chem. 40, "
                 "588-593 (1934)",
        doi=None, coordinates="published", density_g_cm3=1.66,
        notes="Antifluorite. No DOI recorded for this 1934 paper. Density: CRC Handbook value."),
    ReferenceStructure(
        name="LiCl", formula="LiCl", space_group="Fm-3m", number=225, lattice=_lat(5.1295),
        sites=(_s("Li1", "4a", "Li", 0, 0, 0), _s("Cl1", "4b", "Cl", 0.5, 0.5, 0.5)),
        oxidation_states={"Li": 1, "Cl": -1},
        citation="H. E. Swanson, E. Tatge, Standard X-ray Diffraction Powder Patterns, "
                 "NBS Circular 539, Vol. 1, p. 62 (1953)",
        doi=None, coordinates="published", density_g_cm3=2.07,
        notes="Rock salt, 25 C. Density: CRC Handbook value."),
    ReferenceStructure(
        name="Li3ClO", formula="Li3ClO", space_group="Pm-3m", number=221, lattice=_lat(3.91),
        sites=(_s("Cl1", "1a", "Cl", 0, 0, 0), _s("O1", "1b", "O", 0.5, 0.5, 0.5),
               _s("Li1", "3c", "Li", 0, 0.5, 0.5)),
        oxidation_states={"Li": 1, "O": -2, "Cl": -1},
        citation="Y. Zhao, L. L. Daemen, J. Am. Chem. Soc. 134, 15042-15047 (2012)",
        doi="10.1021/ja305709z", coordinates="published", aliases=("Li3OCl", "LiRAP"),
        notes="Li-rich antiperovskite: OLi6 octahedra, Cl at the cube corner."),
    ReferenceStructure(
        name="beta-Li3PS4", formula="Li3PS4", space_group="Pnma", number=62,
        lattice=_lat(12.8190, 8.2195, 6.1236), temperature_K=637.0,
        sites=(_s("P1", "4c", "P", 0.0877, 0.25, 0.1647),
               _s("S1", "8d", "S", 0.1609, 0.0459, 0.2866),
               _s("S2", "4c", "S", 0.0998, 0.25, 0.8265),
               _s("S3", "4c", "S", 0.9289, 0.25, 0.2504),
               _s("Li1", "8d", "Li", 0.3359, 0.0090, 0.1834),
               _s("Li2", "4b", {"Li": 0.7}, 0.0, 0.0, 0.5),
               _s("Li3", "4c", {"Li": 0.3}, 0.8938, 0.25, 0.9264)),
        oxidation_states={"Li": 1, "P": 5, "S": -2},
        citation="K. Homma, M. Yonemura, T. Kobayashi, M. Nagao, M. Hirayama, R. Kanno, "
                 "Solid State Ionics 182, 53-58 (2011)",
        doi="10.1016/j.ssi.2010.10.001", coordinates="transcribed",
        aliases=("Li3PS4", "b-Li3PS4", "beta_Li3PS4"),
        notes="Synchrotron XRD at 637 K (ICSD 180319). Site model (Li1 8d full, Li2 4b 0.7, "
              "Li3 4c 0.3) as in the ICSD record; the Li3 position is the least certain "
              "(shortest Li3-S 2.03 A)."),
    ReferenceStructure(
        name="Li10GeP2S12", formula="Li10GeP2S12", space_group="P4_2/nmc", number=137,
        lattice=_lat(8.69407, c=12.5994),
        sites=(_s("Li1", "16h", {"Li": 0.691}, 0.7437, 0.7282, 0.8168),
               _s("Li2", "4d", "Li", 0.0, 0.5, 0.0554),
               _s("Li3", "8f", {"Li": 0.643}, 0.7537, 0.7537, 0.0),
               _s("Ge1", "4d", {"Ge": 0.515, "P": 0.485}, 0.0, 0.5, 0.3093),
               _s("P2", "2b", "P", 0.0, 0.0, 0.5),
               _s("S1", "8g", "S", 0.0, 0.8157, 0.5897),
               _s("S2", "8g", "S", 0.0, 0.7009, 0.9050),
               _s("S3", "8g", "S", 0.0, 0.3010, 0.2086)),
        oxidation_states={"Li": 1, "Ge": 4, "P": 5, "S": -2},
        citation="N. Kamaya, K. Homma, Y. Yamakawa, M. Hirayama, R. Kanno, M. Yonemura, "
                 "T. Kamiyama, Y. Kato, S. Hama, K. Kawamoto, A. Mitsui, Nat. Mater. 10, "
                 "682-686 (2011)",
        doi="10.1038/nmat3066", coordinates="published", aliases=("LGPS",),
        notes="Neutron Rietveld refinement; refined composition Li10.1Ge1.03P1.97S12 "
              "(ordering rounds to Li10GeP2S12)."),
    ReferenceStructure(
        name="Li6PS5Cl", formula="Li6PS5Cl", space_group="F-43m", number=216,
        lattice=_lat(9.85),
        sites=(_s("P1", "4b", "P", 0.5, 0.5, 0.5), _s("S1", "16e", "S", 0.6196, 0.6196, 0.6196),
               _s("S2", "4c", "S", 0.25, 0.25, 0.25), _s("Cl1", "4a", "Cl", 0.0, 0.0, 0.0),
               _s("Li1", "48h", {"Li": 0.5}, 0.3148, 0.3148, 0.0229)),
        oxidation_states={"Li": 1, "P": 5, "S": -2, "Cl": -1},
        citation="H.-J. Deiseroth, S.-T. Kong, H. Eckert, J. Vannahme, C. Reiner, T. Zaiss, "
                 "M. Schlosser, Angew. Chem. Int. Ed. 47, 755-758 (2008)",
        doi="10.1002/anie.200703900", coordinates="transcribed", aliases=("LPSCl", "argyrodite"),
        notes="Ordered-anion model (Cl on 4a, S2- on 4c); later neutron studies report partial "
              "S/Cl exchange between 4a and 4c, not included here. Li half-occupies 48h pairs "
              "1.8 A apart."),
    ReferenceStructure(
        name="Li3YCl6", formula="Li3YCl6", space_group="P-3m1", number=164,
        lattice=_lat(11.2217, c=6.05517, gamma=120.0),
        sites=(_s("Y1", "1a", "Y", 0.0, 0.0, 0.0),
               _s("Y2", "2d", {"Y": 0.566}, 1 / 3, 2 / 3, 0.488),
               _s("Y3", "2d", {"Y": 0.434}, 1 / 3, 2 / 3, 0.982),
               _s("Li1", "6h", {"Li": 0.875}, 1 / 3, 0.0, 0.5),
               _s("Li2", "6g", {"Li": 0.625}, 1 / 3, 0.0, 0.0),
               _s("Cl1", "6i", "Cl", 1 / 9, -1 / 9, 0.75),
               _s("Cl2", "6i", "Cl", 4 / 9, -4 / 9, 0.75),
               _s("Cl3", "6i", "Cl", 2 / 9, -2 / 9, 0.25)),
        oxidation_states={"Li": 1, "Y": 3, "Cl": -1},
        citation="T. Asano, A. Sakai, S. Ouchi, M. Sakaida, A. Miyazaki, S. Hasegawa, "
                 "Adv. Mater. 30, 1803075 (2018)",
        doi="10.1002/adma.201803075", coordinates="idealised",
        notes="hcp Cl- with Y/Li in octahedral holes. Lattice, site model and occupancies "
              "(Y 1a; Y2/Y3 split 2d; Li 6h 0.875 / 6g 0.625) as published; Cl at ideal hcp "
              "positions (refined x, z not available offline)."),
    ReferenceStructure(
        name="Li3InCl6", formula="Li3InCl6", space_group="C2/m", number=12,
        lattice=_lat(6.432, 11.093, 6.398, beta=109.8),
        sites=(_s("In1", "2a", "In", 0.0, 0.0, 0.0), _s("Li1", "4h", "Li", 0.0, 0.1659, 0.5),
               _s("Li2", "2d", "Li", 0.0, 0.5, 0.5),
               _s("Cl1", "8j", "Cl", 0.2434, 0.1673, 0.2339),
               _s("Cl2", "4i", "Cl", 0.2534, 0.0, 0.7636)),
        oxidation_states={"Li": 1, "In": 3, "Cl": -1},
        citation="X. Li, J. Liang, N. Chen, J. Luo, K. R. Adair, C. Wang, M. N. Banis, "
                 "T.-K. Sham, L. Zhang, S. Zhao, S. Lu, H. Huang, R. Li, X. Sun, "
                 "Angew. Chem. Int. Ed. 58, 16427-16432 (2019)",
        doi="10.1002/anie.201909805", coordinates="transcribed",
        notes="ccp Cl-, In on 2a, Li on 4h and 2d (Li3ScCl6 type). The ~7 % In/Li antisite "
              "disorder onto 4g reported in some refinements is not included."),
    ReferenceStructure(
        name="Li7La3Zr2O12", formula="Li7La3Zr2O12", space_group="Ia-3d", number=230,
        lattice=_lat(12.9682),
        sites=(_s("La1", "24c", "La", 0.125, 0.0, 0.25), _s("Zr1", "16a", "Zr", 0.0, 0.0, 0.0),
               _s("O1", "96h", "O", 0.2817, 0.1003, 0.1955),
               _s("Li1", "24d", {"Li": 0.564}, 0.375, 0.0, 0.25),
               _s("Li2", "96h", {"Li": 0.442}, 0.0948, 0.6840, 0.5847)),
        oxidation_states={"Li": 1, "La": 3, "Zr": 4, "O": -2},
        citation="J. Awaka, A. Takashima, K. Kataoka, N. Kijima, Y. Idemoto, J. Akimoto, "
                 "Chem. Lett. 40, 60-62 (2011)",
        doi="10.1246/cl.2011.60", coordinates="transcribed", density_g_cm3=5.1,
        aliases=("LLZO", "c-LLZO", "cubic-LLZO"),
        notes="Cubic garnet; Li on tetrahedral 24d (0.564) and split octahedral 96h (0.442), "
              "55.97 Li per cell. Density: ~5.1 g/cm^3 (Murugan et al. 2007).",
        md_model=MDModel(
            formula="Li6.5La3Zr1.5Ta0.5O12", vacancies_per_fu=0.5, compensate="aliovalent",
            dopant="Ta",
            note="the measured cubic conductor is Ta-stabilised (Li6.4La3Zr1.4Ta0.6O12); the MD "
                 "model orders the published cubic Li sites by Ewald energy in the 96-atom "
                 "primitive cell, then removes 0.5 Li per formula unit with Ta on Zr "
                 "(V_Li' + Ta_Zr^., placed apart among the lowest-Ewald configurations); the lattice is "
                 "the undoped one (12.968 A)")),
    ReferenceStructure(
        name="Li4TiO4", formula="Li4TiO4", space_group="Cmcm", number=63, lattice={},
        sites=(), oxidation_states={"Li": 1, "Ti": 4, "O": -2},
        citation="K. Dittrich, R. Hoppe, Z. Anorg. Allg. Chem. 368, 262 (1969)",
        doi=None, coordinates="unavailable",
        notes="published lattice and coordinates could not be obtained offline; pass a CIF "
              "(e.g. Materials Project mp-9172, Cmcm) instead of the library name"),
)


def _key(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(" ", "")


_INDEX: dict[str, ReferenceStructure] = {}
for _entry in _ENTRIES:
    for _alias in (_entry.name, *_entry.aliases):
        _INDEX[_key(_alias)] = _entry


def names() -> list[str]:
    """Canonical names of all library entries."""
    return [e.name for e in _ENTRIES]


def get_reference(name: str) -> ReferenceStructure:
    """The library entry called ``name`` (case-insensitive; aliases such as LGPS, LLZO)."""
    try:
        return _INDEX[_key(name)]
    except KeyError:
        raise KeyError(f"{name!r} is not in the structure library; known: "
                       f"{', '.join(names())}") from None


def has_structure(name: str) -> bool:
    """True when ``name`` is a library entry with atomic coordinates."""
    try:
        return bool(get_reference(name).sites)
    except KeyError:
        return False


def get_structure(name: str) -> Structure:
    """The published (possibly disordered) conventional cell of ``name``."""
    return get_reference(name).structure()


def list_structures() -> list[dict[str, Any]]:
    """One row per entry: name, formula, space group, lattice, citation, DOI, trust level."""
    rows = []
    for e in _ENTRIES:
        rows.append({"name": e.name, "formula": e.formula, "space_group": e.space_group,
                     "space_group_number": e.number, "lattice": dict(e.lattice),
                     "citation": e.citation, "doi": e.doi, "coordinates": e.coordinates,
                     "has_structure": bool(e.sites)})
    return rows


def ordered(name: str | Structure, **kwargs: Any) -> Structure:
    """Lowest-Ewald-energy ordering of a library entry (or of a disordered structure).

    Keyword arguments go to :func:`superionic.defects.ordering.order_structure` (``supercell``,
    ``seed``, ``max_enumerate``, ``n_samples``). An ordered input is returned unchanged.
    """
    from superionic.defects.ordering import order_structure

    struct = get_structure(name) if isinstance(name, str) else name
    if struct.is_ordered:
        return struct.copy()
    return order_structure(struct, n_structures=1, **kwargs)[0].structure


#: Atom range of the library's MD-ready cells (:func:`md_cell`).
MD_ATOM_RANGE = (50, 110)
#: Atom range of the larger cells of a finite-size check.
MD_LARGE_ATOM_RANGE = (150, 260)
#: Library entries of the MD-versus-experiment benchmark (known fast or moderate conductors).
MD_BENCHMARK = ("Li10GeP2S12", "Li6PS5Cl", "Li3YCl6", "Li3InCl6", "Li7La3Zr2O12", "Li3N",
                "beta-Li3PS4")


def md_cell(name: str, *, atom_range: tuple[int, int] = MD_ATOM_RANGE, seed: int = 0,
            use_model: bool = True) -> Any:
    """An ordered, charge-neutral MD cell of a library entry
    (:class:`superionic.defects.cell.PreparedCell`; ``.structure`` is the pymatgen Structure).

    The supercell (of the conventional or primitive cell) with the largest minimum-image
    distance in ``atom_range`` is ordered by Ewald energy (:func:`superionic.defects.cell.
    prepare_cell`); entries with an :class:`MDModel` (cubic LLZO -> Ta-doped
    Li6.5La3Zr1.5Ta0.5O12) get its vacancies and dopants unless ``use_model`` is False. The
    same ``seed`` gives the same cell.
    """
    from pymatgen.core import Composition

    from superionic.defects.cell import choose_supercell, prepare_cell

    ref = get_reference(name)
    struct = ref.structure()
    model = ref.md_model if use_model else None
    n_vac, compensate, dopant = 0, "auto", None
    if model is not None:
        _, choice = choose_supercell(struct, atom_range)
        z = choice.n_atoms / Composition(ref.formula).num_atoms
        n_vac = model.vacancies_per_fu * z
        if abs(n_vac - round(n_vac)) > 1e-6 or round(n_vac) < 1:
            raise ValueError(f"{ref.name}: the {model.formula} model needs a whole number of "
                             f"vacancies; the {choice.n_atoms}-atom cell would need {n_vac:g}; "
                             "choose another atom_range")
        n_vac, compensate, dopant = int(round(n_vac)), model.compensate, model.dopant
    return prepare_cell(struct, atom_range=atom_range, n_vacancies=n_vac, compensate=compensate,
                        dopant=dopant, seed=seed)


def lattice_deviation(structure: Structure, reference: ReferenceStructure) -> float:
    """Largest relative deviation of a/b/c (and of the angles, in degrees/degrees) between a
    structure's conventional cell and the published lattice."""
    p = reference.lattice
    abc, ang = structure.lattice.abc, structure.lattice.angles
    devs = [abs(x - p[k]) / p[k] for x, k in zip(abc, "abc", strict=True)]
    devs += [abs(x - p[k]) / p[k] for x, k in zip(ang, ("alpha", "beta", "gamma"), strict=True)]
    return max(devs) if all(math.isfinite(d) for d in devs) else math.inf
