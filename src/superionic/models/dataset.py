"""Training tables of every target: labels from :mod:`superionic.data`, features from
:func:`superionic.features.featurize`.

* ``log10_sigma``: OBELiX (Therrien et al. 2025) rows with their official split, family, DOI and
  CIF structure (``featurize`` structure descriptors). The OBELiX CIFs have randomised atomic
  positions, so the position-dependent descriptors (:data:`POSITION_DEPENDENT`) are set to NaN
  for them; rows without a CIF get the tabulated space group (and crystal system). With
  ``extra=True`` the merged
  room-temperature labels of the other sets (:func:`superionic.data.merge.
  merged_conductivity_labels`) whose composition is not in OBELiX join as training rows.
* ``Ea``: merged activation energies (eV).
* ``log10_sigma_T``: the Liverpool sigma(T) series, temperature (K) and 1000/T as features.
* ``reduction_V`` / ``oxidation_V``: Wang et al. 2024 potentials for compounds of the mobile ion.

Feature tables are cached in ``<cache_dir>/features`` under a key made of the label table's
content hash and the feature code version, so repeated runs skip featurisation.
"""

from __future__ import annotations

import functools
import math
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from superionic.models.targets import TargetData, target_spec
from superionic.records import Rejection, content_key

#: Non-numeric columns of ``featurize`` output that are not model inputs.
_DROP = ("formula", "crystal_system")
_CRYSTAL_SYSTEM_NUMBER = ((2, 1), (15, 2), (74, 3), (142, 4), (167, 5), (194, 6), (230, 7))
CACHE_VERSION = 2

#: The cell (setting as given): lengths in Angstrom, angles in degrees. Structure features.
LATTICE_FEATURES = ("lattice_a_A", "lattice_b_A", "lattice_c_A", "lattice_alpha_deg",
                    "lattice_beta_deg", "lattice_gamma_deg")

#: Feature kinds a model can be trained on (recorded in its manifest): composition alone, or
#: composition plus the descriptors a structure (or a tabulated cell) gives.
FEATURE_KINDS = ("composition", "composition+structure")

#: Physically plausible label ranges; rows outside are dropped and counted (e.g. a Laskowski
#: bound printed as "<1E10" that can only have meant 1E-10). log10(S/cm), eV, V.
PLAUSIBLE = {"log10_sigma": (-20.0, 1.0), "log10_sigma_T": (-20.0, 1.5), "Ea": (0.0, 3.0),
             "reduction_V": (-1.0, 10.0), "oxidation_V": (-1.0, 10.0)}


# ------------------------------------------------------------------------------ features --


def crystal_system_number(space_group: float) -> float:
    """1 (triclinic) ... 7 (cubic) from the space group number (1-230), NaN if unknown."""
    if not np.isfinite(space_group) or not 1 <= space_group <= 230:
        return float("nan")
    return float(next(n for top, n in _CRYSTAL_SYSTEM_NUMBER if space_group <= top))


def cell_descriptors(cells: pd.DataFrame) -> pd.DataFrame:
    """Structure descriptors a tabulated cell gives without atomic positions.

    ``cells`` columns (any may be absent): ``space_group_number``, ``a``, ``b``, ``c``
    (Angstrom), ``alpha``, ``beta``, ``gamma`` (degrees), ``cell_formula`` (cell composition).
    Returns
    ``space_group_number``, ``crystal_system_number``, ``volume_per_atom_A3``,
    ``density_g_cm3`` and the cell itself (:data:`LATTICE_FEATURES`: ``lattice_a_A`` ...
    ``lattice_gamma_deg``), NaN where an input is missing.
    """
    from pymatgen.core import Composition, Lattice

    out = pd.DataFrame(index=cells.index, dtype=float)
    sg = pd.to_numeric(cells["space_group_number"], errors="coerce") \
        if "space_group_number" in cells else pd.Series(np.nan, index=cells.index)
    out["space_group_number"] = sg
    out["crystal_system_number"] = [crystal_system_number(v) for v in sg.fillna(np.nan)]
    vpa, dens = [], []
    for _, row in cells.iterrows():
        try:
            lat = Lattice.from_parameters(*(float(row[k]) for k in
                                            ("a", "b", "c", "alpha", "beta", "gamma")))
            comp = Composition(str(row["cell_formula"]))
            vol = lat.volume
            if not (vol > 0 and comp.num_atoms > 0):
                raise ValueError("empty cell")
            vpa.append(vol / comp.num_atoms)
            dens.append(float(comp.weight) / vol * 1.66053906660)  # amu/A^3 -> g/cm^3
        except (KeyError, ValueError, TypeError):
            vpa.append(np.nan)
            dens.append(np.nan)
    out["volume_per_atom_A3"] = vpa
    out["density_g_cm3"] = dens
    for col, key in zip(LATTICE_FEATURES, ("a", "b", "c", "alpha", "beta", "gamma"), strict=True):
        out[col] = pd.to_numeric(cells[key], errors="coerce") if key in cells else np.nan
    return out


def lattice_descriptors(structure: Any) -> dict[str, float]:
    """:data:`LATTICE_FEATURES` of a pymatgen Structure: its cell as given (Angstrom, degrees).

    The cell setting is the one the structure comes in, as in the OBELiX table and the OBELiX
    authors' random forest (Therrien et al. 2025); NaN for a missing structure.
    """
    if structure is None or not hasattr(structure, "lattice"):
        return dict.fromkeys(LATTICE_FEATURES, float("nan"))
    lat = structure.lattice
    return dict(zip(LATTICE_FEATURES, (*map(float, lat.abc), *map(float, lat.angles)),
                    strict=True))


def feature_table(formulas: Sequence[str], structures: Sequence[Any] | None = None,
                  mobile_ion: str = "Li", temperature_K: Sequence[float] | None = None,
                  cells: pd.DataFrame | None = None,
                  source: str = "input") -> tuple[pd.DataFrame, list[Rejection]]:
    """Numeric model inputs for ``formulas`` and the rows that could not be featurised.

    The index is the 1-based input row. Columns: ``featurize`` output (Magpie, Eng and, with
    ``structures``, structure descriptors and the cell, :data:`LATTICE_FEATURES`) without text
    columns; ``cells`` (rows aligned with ``formulas``) fill structure descriptors where no
    structure was given; with
    ``temperature_K`` also ``inv_temperature_1000_K`` (1000 / T, 1/K).
    """
    from superionic.features import featurize

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame, rejected = featurize(list(formulas), structures=structures, mobile_ion=mobile_ion,
                                    temperature_K=temperature_K, source=source)
    X = frame.drop(columns=[c for c in _DROP if c in frame.columns])
    if structures is not None and len(X):
        lat = pd.DataFrame([lattice_descriptors(structures[i - 1]) for i in X.index],
                           index=X.index)
        for col in LATTICE_FEATURES:
            X[col] = lat[col]
    if cells is not None and len(X):
        desc = cell_descriptors(cells.reset_index(drop=True)).set_index(
            pd.RangeIndex(1, len(cells) + 1)).loc[X.index]
        for col in desc.columns:
            X[col] = X[col].fillna(desc[col]) if col in X.columns else desc[col]
    if "temperature_K" in X.columns:
        X["inv_temperature_1000_K"] = 1000.0 / X["temperature_K"]
    return X.astype(float), rejected


# -------------------------------------------------------------------------------- labels --

#: Structure descriptors that depend on atomic positions: meaningless for OBELiX CIFs, whose
#: positions were randomised by the publishers (symmetry and cell kept), so set to NaN there.
POSITION_DEPENDENT = ("mobile_ion_nn_distance_A", "mobile_ion_coordination")


def _root(data_dir: Path | None) -> Path:
    from superionic.config import default_data_dir

    return Path(data_dir) if data_dir is not None else default_data_dir()


def _note_field(note: str | None, key: str) -> str:
    for part in (note or "").split(";"):
        if part.startswith(f"{key}="):
            return part[len(key) + 1:]
    return ""


def _hydrate_formula(formula: str) -> str:
    """``"A*(H2O)18"`` or ``"A·18H2O"`` written as one formula pymatgen parses (``"A(H2O)18"``)."""
    text = formula.strip()
    for sep in ("*", "\u00b7", "\u2022"):
        if sep in text:
            head, _, tail = text.partition(sep)
            tail = tail.strip()
            m = re.fullmatch(r"(\d*\.?\d*)\s*\(?H2O\)?(\d*\.?\d*)", tail)
            if m is None:
                return text
            n = m.group(1) or m.group(2) or "1"
            return f"{head.strip()}(H2O){n}"
    return text


def _obelix_table(root: Path) -> pd.DataFrame:
    """The OBELiX release table (``all.csv``) indexed by ID: the cell of every row (a, b, c,
    alpha, beta, gamma, Z, true composition) and the raw conductivity text."""
    from superionic.data import obelix

    table = pd.read_csv(root / obelix.NAME / "all.csv", dtype={"ID": str})
    return table.set_index(table["ID"].astype(str).str.strip())


def _cell_formula(true_composition: Any, z: Any) -> str | None:
    """Composition of the whole cell: OBELiX's true composition times Z, or None."""
    from pymatgen.core import Composition

    try:
        return (Composition(str(true_composition)) * float(z)).formula
    except (ValueError, KeyError, TypeError):
        return None


def _obelix_labels(data_dir: Path | None, mobile_ion: str) -> pd.DataFrame:
    """OBELiX rows (:mod:`superionic.data.obelix`): formula, y = log10(sigma / S cm^-1),
    censored, official split, family, DOI, tabulated space group and cell, CIF structure or
    None. A hydrate the loader rejects (``Li3(...)*(H2O)18``, the 121st test row) is recovered
    with its water written as a group."""
    from superionic.data import obelix
    from superionic.data.base import parse_conductivity, reduced_formula

    root = _root(data_dir)
    res = obelix.load(root)
    structures, _ = obelix.load_structures(root)
    table = _obelix_table(root)
    sg = res.extras.get("space_group_number", {})
    split_of = res.extras["split"]
    items = []
    for rec in res.records:
        ident = _note_field(rec.provenance.note if rec.provenance else None, "ID")
        items.append((ident, rec.reduced_formula, rec.value, rec.censor,
                      rec.family, rec.provenance.doi if rec.provenance else None))
    done = {i[0] for i in items}
    for ident, row in table.iterrows():  # rows the loader rejected: hydrates only
        if ident in done or ident not in split_of:
            continue
        formula = _hydrate_formula(str(row["Reduced Composition"]))
        try:
            red = reduced_formula(formula)
            value, censor = parse_conductivity(str(row[obelix.SIGMA_COLUMN]))
        except ValueError:
            continue
        family = row.get("Family")
        items.append((ident, red, value, censor, family if isinstance(family, str) else None,
                      row.get("DOI") if isinstance(row.get("DOI"), str) else None))
    rows = []
    for ident, formula, value, censor, family, doi in items:
        struct = structures.get(ident)
        cell = table.loc[ident] if ident in table.index else None
        rows.append({
            "id": ident, "formula": formula, "y": math.log10(value),
            "censored": censor == "upper", "split": split_of.get(ident, ""),
            "family": family, "sources": doi,
            "space_group_number": sg.get(ident, np.nan) if cell is None
            else pd.to_numeric(cell["Space group #"], errors="coerce"),
            **{k: (np.nan if cell is None else pd.to_numeric(cell[k], errors="coerce"))
               for k in ("a", "b", "c", "alpha", "beta", "gamma")},
            "cell_formula": None if cell is None else _cell_formula(cell["True Composition"],
                                                                   cell["Z"]),
            "structure": struct,
            "randomised": bool(struct is not None
                               and struct.properties.get("positions_randomised", False))})
    return pd.DataFrame(rows)


def _source_dois(text: Any) -> str | None:
    """The DOIs of a merged row's JSON ``sources`` list, ``;``-joined."""
    import json

    try:
        items = json.loads(text) if isinstance(text, str) else []
    except json.JSONDecodeError:
        return text if isinstance(text, str) else None
    dois = sorted({str(i.get("doi")) for i in items if isinstance(i, dict) and i.get("doi")})
    return ";".join(dois) or None


def _merged_labels(data_dir: Path | None, mobile_ion: str, column: str) -> pd.DataFrame:
    """Rows of the merged label table (:func:`superionic.data.merge.merged_conductivity_labels`)
    with a finite ``column`` (``log10_sigma_S_cm`` or ``Ea_eV``)."""
    from superionic.data.merge import merged_conductivity_labels

    df = merged_conductivity_labels(data_dir=_root(data_dir), mobile_ion=mobile_ion)
    df = df[np.isfinite(pd.to_numeric(df[column], errors="coerce"))]
    censored = (df["censor"] == "upper") if column == "log10_sigma_S_cm" else False
    return pd.DataFrame({
        "formula": df["reduced_formula"].astype(str), "y": df[column].astype(float),
        "censored": censored, "split": "", "family": df["family"],
        "sources": [_source_dois(s) for s in df["sources"]]}).reset_index(drop=True)


def _liverpool_series(data_dir: Path | None, mobile_ion: str) -> pd.DataFrame:
    """Every Liverpool sigma(T) row (:mod:`superionic.data.liverpool`): y = log10 sigma, T (K)."""
    from superionic.data import liverpool
    from superionic.data.base import contains

    res = liverpool.load(_root(data_dir))
    return pd.DataFrame([{
        "formula": r.reduced_formula, "y": math.log10(r.value), "censored": r.censor == "upper",
        "split": "", "family": r.family, "temperature_K": r.temperature_K,
        "sources": r.provenance.doi if r.provenance else None}
        for r in res.records if r.temperature_K is not None
        and contains(r.reduced_formula, mobile_ion)])


def _esw_labels(data_dir: Path | None, mobile_ion: str, quantity: str) -> pd.DataFrame:
    """Wang 2024 potentials (V vs the mobile-ion metal) of compounds whose ion is ``mobile_ion``."""
    from superionic.data import esw_wang2024

    res = esw_wang2024.load(_root(data_dir))
    return pd.DataFrame([{
        "formula": r.reduced_formula, "y": r.value, "censored": False, "split": "",
        "family": None, "sources": None}
        for r in res.records if r.quantity == quantity
        and _note_field(r.provenance.note if r.provenance else None, "ion") == mobile_ion])


# ----------------------------------------------------------------------------- assembly --


def labels_for(target: str, data_dir: Path | None = None, mobile_ion: str = "Li",
               extra: bool = False) -> pd.DataFrame:
    """The label table of ``target`` (columns formula, y, censored, split, family, sources and,
    where available, temperature_K, structure and cell columns). Memoised per process (the
    OBELiX CIFs take ~20 s to parse); a copy is returned."""
    return _labels(target_spec(target).name, _root(data_dir), mobile_ion, extra).copy()


@functools.lru_cache(maxsize=8)
def _labels(target: str, data_dir: Path, mobile_ion: str, extra: bool) -> pd.DataFrame:
    spec = target_spec(target)
    if spec.name == "log10_sigma":
        if mobile_ion != "Li":  # OBELiX holds Li conductors only
            return _merged_labels(data_dir, mobile_ion, "log10_sigma_S_cm")
        table = _obelix_labels(data_dir, mobile_ion)
        if extra:
            more = _merged_labels(data_dir, mobile_ion, "log10_sigma_S_cm")
            more = more[~more["formula"].isin(set(table["formula"]))]
            table = pd.concat([table, more], ignore_index=True)
        return table
    if spec.name == "Ea":
        return _merged_labels(data_dir, mobile_ion, "Ea_eV")
    if spec.name == "log10_sigma_T":
        return _liverpool_series(data_dir, mobile_ion)
    return _esw_labels(data_dir, mobile_ion, spec.name)


def structure_columns(columns: Sequence[str]) -> list[str]:
    """The columns of ``columns`` that need a structure or a tabulated cell (structure
    descriptors of :data:`superionic.features.structure.STRUCTURE_FEATURES` and
    :data:`LATTICE_FEATURES`)."""
    from superionic.features.structure import STRUCTURE_FEATURES

    names = set(STRUCTURE_FEATURES) | set(LATTICE_FEATURES)
    return [c for c in columns if c in names]


def build_target_data(target: str, data_dir: str | Path | None = None, mobile_ion: str = "Li",
                      extra: bool = False, cache: bool = True,
                      feature_kind: str = "composition+structure",
                      censored_as: str = "bound") -> TargetData:
    """Features and labels of ``target`` as a :class:`TargetData` (unusable rows skipped and
    counted in ``meta["rejected"]``).

    ``feature_kind`` (:data:`FEATURE_KINDS`): ``"composition"`` drops every structure column
    (:func:`structure_columns`), ``"composition+structure"`` keeps them (NaN, imputed and
    flagged, where a row has neither structure nor tabulated cell). ``censored_as``
    (:data:`~superionic.models.targets.CENSORED_AS`): ``"bound"`` keeps a censored label at its
    bound, ``"paper"`` stores it at 1e-15 S/cm as the OBELiX authors' benchmark does.
    """
    from superionic.models.targets import apply_censored_as

    if feature_kind not in FEATURE_KINDS:
        raise ValueError(f"feature kind must be one of {FEATURE_KINDS}, got {feature_kind!r}")
    spec = target_spec(target)
    data_dir = Path(data_dir) if data_dir is not None else None
    labels = labels_for(spec.name, data_dir, mobile_ion, extra)
    y = pd.to_numeric(labels["y"], errors="coerce")
    lo, hi = PLAUSIBLE[spec.name]
    implausible = labels[np.isfinite(y) & ~y.between(lo, hi)]
    labels = labels[np.isfinite(y) & y.between(lo, hi)].reset_index(drop=True)
    X, rejected = _cached_features(labels, mobile_ion, cache)
    keep = X.index.to_numpy() - 1
    lab = labels.iloc[keep].reset_index(drop=True)
    X = X.reset_index(drop=True)
    split = lab["split"].fillna("").astype(str).to_numpy(dtype=object)
    meta = {"target": spec.name, "unit": spec.unit, "n_rows": len(lab),
            "n_rejected": len(rejected), "rejected": [str(r) for r in rejected[:50]],
            "implausible": [f"{f}: {v:.3g} outside [{lo}, {hi}] {spec.unit}" for f, v in
                            zip(implausible["formula"], implausible["y"], strict=True)],
            "labels_sha256": _label_key(labels), "extra": extra,
            "sources": sorted({s for s in ("obelix" if (split != "").any() else None,
                                          "merged" if (split == "").any() else None) if s})}
    if feature_kind == "composition":
        X = X.drop(columns=structure_columns(X.columns))
    meta["feature_kind"] = feature_kind
    data = TargetData(
        target=spec.name, X=X, y=lab["y"].astype(float).to_numpy(),
        formulas=lab["formula"].astype(str).tolist(),
        families=[f if isinstance(f, str) else None for f in lab["family"]],
        censored=lab["censored"].fillna(False).astype(bool).to_numpy(),
        obelix_split=split if (split == "test").any() else None,
        sources=[s if isinstance(s, str) else None for s in lab["sources"]],
        mobile_ion=mobile_ion, meta=meta,
        has_structure=lab["structure"].notna().to_numpy() if "structure" in lab else None)
    return apply_censored_as(data, censored_as)


def _label_key(labels: pd.DataFrame) -> str:
    """Content hash of a label table; structures enter as lattice, species and coordinates."""
    cols = [c for c in labels.columns if c != "structure"]
    payload = labels[cols].astype(str).to_numpy().tolist()
    structs = [_structure_digest(s) for s in labels.get("structure", [None] * len(labels))]
    return content_key({"cols": cols, "rows": payload, "structures": structs})


def _structure_digest(s: Any) -> Any:
    if s is None or not hasattr(s, "lattice"):
        return None
    return [np.round(s.lattice.matrix, 6).tolist(), np.round(s.frac_coords, 6).tolist(),
            [str(site.species) for site in s]]


def _cached_features(labels: pd.DataFrame, mobile_ion: str,
                     cache: bool) -> tuple[pd.DataFrame, list[Rejection]]:
    """``feature_table`` of the label rows, read from / written to the feature cache."""
    from superionic.config import user_cache_dir

    has_struct = "structure" in labels and labels["structure"].notna().any()
    cell_cols = [c for c in ("space_group_number", "a", "b", "c", "alpha", "beta", "gamma",
                             "cell_formula") if c in labels]
    key = content_key({"labels": _label_key(labels), "ion": mobile_ion, "v": CACHE_VERSION,
                       "features": _features_version()})
    path = user_cache_dir() / "features" / f"{key[:32]}.parquet"
    if cache and path.is_file():
        X = pd.read_parquet(path)
        rejected = [Rejection(**r) for r in X.attrs.get("rejected", [])]
        return X, rejected
    temps = labels["temperature_K"].astype(float).tolist() if "temperature_K" in labels else None
    structures = None
    if has_struct:
        structures = [s if s is not None and not (isinstance(s, float) and math.isnan(s))
                      else None for s in labels["structure"]]
    X, rejected = feature_table(
        labels["formula"].astype(str).tolist(), structures=structures, mobile_ion=mobile_ion,
        temperature_K=temps, cells=labels[cell_cols] if cell_cols else None, source="labels")
    if "randomised" in labels:
        rand = labels["randomised"].fillna(False).astype(bool).to_numpy()[X.index - 1]
        for col in POSITION_DEPENDENT:
            if col in X.columns:
                X.loc[rand, col] = np.nan
    if cache:
        from superionic.fileio import atomic_write_parquet

        X.attrs = {"rejected": [vars(r) for r in rejected]}
        atomic_write_parquet(path, X)
    return X, rejected


def _features_version() -> str:
    """Hash of the feature code, so a changed featuriser invalidates the cache."""
    import superionic.features as feats

    root = Path(feats.__file__).parent
    return content_key({p.name: p.read_text() for p in sorted(root.glob("*.py"))})
