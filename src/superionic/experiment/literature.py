"""Activation energies from literature temperature series, compared with reported values.

Both sets are read by the data stage's loaders (``superionic.data.liverpool`` and
``superionic.data.laskowski``: typed :class:`Measurement` records, temperatures in K, pymatgen
reduced formulas, censored values marked and left out here).

* Liverpool Ionics Dataset (``liverpool_ionics/LiIonDatabase.csv``; temperature in degrees C,
  ``target`` sigma in S/cm): one Arrhenius fit (form sigmaT, the paper's
  sigma = A/T exp(-Ea/kT)) per composition with >= 3 distinct temperatures. A composition is its
  pymatgen reduced formula (pseudo-binary glass notations such as ``(Li2O)50 (Al2O3)2 (P2O5)48``
  are summed by the loader). Papers disagree
  (e.g. tetragonal vs cubic Li7La3Zr2O12 differ by ~2 decades), so a composition's series is one
  paper's: the source (DOI) with the most distinct temperatures (then most points, then the
  widest range). Only when no single source has >= 3 temperatures are the sources pooled, and the
  result is flagged ``mixed_sources``.
* Laskowski et al. 2023 (``laskowski_2023/laskowski_parsed.csv``): reported Ea (eV) by reduced
  formula; several rows for one formula are averaged.

Citations: Hargreaves et al., npj Comput. Mater. 9, 9 (2023), doi:10.1038/s41524-022-00951-z;
Laskowski et al., Energy Environ. Sci. 16, 1264 (2023), doi:10.1039/D2EE03499A.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from superionic.records import Measurement, Rejection
from superionic.transport.arrhenius import KB_EV_K, fit_arrhenius


def _data_dir(data_dir: str | Path | None) -> Path:
    if data_dir is not None:
        return Path(data_dir)
    from superionic.config import default_data_dir

    return default_data_dir()


@dataclass(frozen=True)
class TemperaturePoint:
    """One literature conductivity: formula as written, its pymatgen reduced formula, T (K),
    sigma (S/cm), source DOI and the data row it came from."""

    formula: str
    reduced_formula: str
    temperature_K: float
    sigma_S_cm: float
    source: str | None
    row: int | None


def points_from_measurements(records: Iterable[Any]) -> list[TemperaturePoint]:
    """Uncensored sigma_S_cm measurements with a temperature, as :class:`TemperaturePoint`."""
    out = []
    for m in records:
        if (not isinstance(m, Measurement) or m.quantity != "sigma_S_cm" or m.censor is not None
                or m.temperature_K is None):
            continue
        prov = m.provenance
        out.append(TemperaturePoint(m.formula, m.reduced_formula, float(m.temperature_K),
                                    float(m.value), prov.doi if prov else None,
                                    prov.row if prov else None))
    return out


def read_liverpool(data_dir: str | Path | None = None
                   ) -> tuple[list[TemperaturePoint], list[Rejection]]:
    """The Liverpool Ionics Dataset through ``superionic.data.liverpool`` (T in K); rows the
    loader rejects come back as rejections."""
    from superionic.data import liverpool

    d = _data_dir(data_dir)
    if not (d / liverpool.NAME / "LiIonDatabase.csv").is_file():
        raise FileNotFoundError(f"{d / liverpool.NAME}: Liverpool Ionics Dataset not found "
                                "(set SUPERIONIC_DATA)")
    result = liverpool.load(d)
    return points_from_measurements(result.records), list(result.rejected)


@dataclass(frozen=True)
class CompositionEa:
    """Arrhenius fit of one composition's literature sigma(T).

    ``source``: the DOI whose series was fitted (None when ``mixed_sources``); ``n_sources``: how
    many sources report the composition. ``Ea_eV``/``Ea_err_eV``: form sigmaT;
    ``Ea_sigma_form_eV``: the same points fitted as sigma = A exp(-Ea/kT) (lower by ~k_B T_mean);
    ``sigma300_S_cm`` from the sigmaT fit.
    """

    composition: str
    reduced_formula: str
    source: str | None
    mixed_sources: bool
    n_points: int
    n_temperatures: int
    n_sources: int
    T_min_K: float
    T_max_K: float
    Ea_eV: float
    Ea_err_eV: float
    Ea_sigma_form_eV: float
    sigma300_S_cm: float
    r_squared: float


def _n_temps(pts: list[TemperaturePoint]) -> int:
    return len({p.temperature_K for p in pts})


def _series_rank(pts: list[TemperaturePoint]) -> tuple[int, int, float]:
    t = [p.temperature_K for p in pts]
    return _n_temps(pts), len(pts), max(t) - min(t)


def choose_series(pts: list[TemperaturePoint], min_temperatures: int = 3
                  ) -> tuple[list[TemperaturePoint], str | None, bool] | None:
    """(points, source, mixed) of a composition's series to fit, or None if too few temperatures:
    the best single-source series, else all sources pooled (``mixed`` True)."""
    by_source: dict[str | None, list[TemperaturePoint]] = defaultdict(list)
    for p in pts:
        by_source[p.source].append(p)
    single = [(src, grp) for src, grp in by_source.items() if _n_temps(grp) >= min_temperatures]
    if single:
        src, grp = max(single, key=lambda sg: _series_rank(sg[1]))
        return grp, src, False
    if _n_temps(pts) >= min_temperatures:
        return pts, None, len(by_source) > 1
    return None


def fit_compositions(points: Iterable[TemperaturePoint], min_temperatures: int = 3
                     ) -> list[CompositionEa]:
    """One Arrhenius fit per reduced formula with >= ``min_temperatures`` distinct temperatures."""
    groups: dict[str, list[TemperaturePoint]] = defaultdict(list)
    for pt in points:
        groups[pt.reduced_formula].append(pt)
    out = []
    for key, pts in sorted(groups.items()):
        chosen = choose_series(pts, min_temperatures)
        if chosen is None:
            continue
        series, source, mixed = chosen
        t = np.array([p.temperature_K for p in series])
        s = np.array([p.sigma_S_cm for p in series])
        fit = fit_arrhenius(t, s, form="sigmaT")
        plain = fit_arrhenius(t, s, form="sigma")
        out.append(CompositionEa(series[0].formula, key, source, mixed, len(series),
                                 int(np.unique(t).size), len({p.source for p in pts}),
                                 float(t.min()), float(t.max()), fit.Ea_eV, fit.Ea_err_eV,
                                 plain.Ea_eV, float(fit.predict(300.0)[0]), fit.r_squared))
    return out


def reported_ea(records: Iterable[Any]) -> dict[str, list[float]]:
    """Reduced formula -> the Ea_eV values among ``records``."""
    out: dict[str, list[float]] = defaultdict(list)
    for m in records:
        if isinstance(m, Measurement) and m.quantity == "Ea_eV" and m.value > 0:
            out[m.reduced_formula].append(float(m.value))
    return dict(out)


def read_laskowski_ea(data_dir: str | Path | None = None) -> dict[str, list[float]]:
    """Reported Ea (eV) by reduced formula, through ``superionic.data.laskowski``."""
    from superionic.data import laskowski

    d = _data_dir(data_dir)
    if not (d / laskowski.NAME / "laskowski_parsed.csv").is_file():
        raise FileNotFoundError(f"{d / laskowski.NAME}: Laskowski table not found "
                                "(set SUPERIONIC_DATA)")
    return reported_ea(laskowski.load(d).records)


@dataclass(frozen=True)
class EaComparison:
    """Fitted vs reported Ea for the compositions in both sets; MAE (eV) and Pearson r."""

    rows: list[dict[str, Any]]
    mae_eV: float
    mae_sigma_form_eV: float
    pearson_r: float
    n: int


def compare_ea(fits: Iterable[CompositionEa], reported: dict[str, list[float]]) -> EaComparison:
    """Match fits to reported Ea by reduced formula (reported values averaged)."""
    rows = []
    for f in fits:
        if f.reduced_formula not in reported:
            continue
        vals = reported[f.reduced_formula]
        rows.append({"reduced_formula": f.reduced_formula, "composition": f.composition,
                     "source": f.source, "mixed_sources": f.mixed_sources,
                     "n_temperatures": f.n_temperatures, "n_sources": f.n_sources,
                     "T_range_K": (f.T_min_K, f.T_max_K), "Ea_fit_eV": f.Ea_eV,
                     "Ea_fit_err_eV": f.Ea_err_eV, "Ea_fit_sigma_form_eV": f.Ea_sigma_form_eV,
                     "Ea_reported_eV": float(np.mean(vals)), "n_reported": len(vals)})
    if not rows:
        return EaComparison([], math.nan, math.nan, math.nan, 0)
    fit = np.array([r["Ea_fit_eV"] for r in rows])
    plain = np.array([r["Ea_fit_sigma_form_eV"] for r in rows])
    rep = np.array([r["Ea_reported_eV"] for r in rows])
    r = float(np.corrcoef(fit, rep)[0, 1]) if len(rows) > 2 else math.nan
    return EaComparison(rows, float(np.mean(np.abs(fit - rep))),
                        float(np.mean(np.abs(plain - rep))), r, len(rows))


def kT_eV(temperature_K: float) -> float:
    """k_B T in eV (the gap between the sigmaT and sigma forms' Ea near ``temperature_K``)."""
    return KB_EV_K * temperature_K
