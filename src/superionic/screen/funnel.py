"""The screening funnel: pool -> e_hull -> band gap -> ESW -> predictions -> score.

Stages (every threshold from :class:`superionic.config.Thresholds`):

1. ``e_hull``: energy above hull <= ``e_above_hull_max_eV_per_atom`` (0.03 eV/atom);
2. ``band_gap``: PBE gap >= ``band_gap_min_eV`` (1.5 eV) (both inclusive, with the reason codes
   of :mod:`superionic.stability.filters`: ``e_hull>0.03``, ``missing e_hull``, ``gap<1.5``,
   ``missing gap``);
3. ``esw``: a window exists (exact or surrogate, :mod:`superionic.screen.windows`) with width >=
   ``esw_width_min_V``, oxidation limit >= ``oxidation_min_V`` and reduction limit <=
   ``reduction_max_V`` (V vs the mobile-ion metal); codes ``esw_width<X``, ``oxidation<X``,
   ``reduction>X``, ``missing window: ...``;
4. ``predictions``: log10 sigma(300 K) predicted (code ``no prediction: ...`` when the compound
   cannot be featurised);
5. ``score``: composite score and Pareto rank over the survivors (:mod:`superionic.screen.score`).

The mobile ion (the pool's) carries through every stage: the pool holds only its compounds,
windows are computed with it open (V vs its metal), the models and the window surrogate must be
its own (``ValueError`` otherwise). A target with no model for the ion (``Predictors.unavailable``,
e.g. Ea for Na) leaves its columns NaN and its term out of the score and the Pareto ranks; the
reason is in ``ScreenResult.unavailable``. Without a conductivity model nothing is ranked (code
``no prediction: <reason>``).

Every compound keeps the stage it left at (``left_at``) and why (``reasons``). Features,
log10 sigma and Ea are predicted for every featurisable pool compound (cheap), so the sigma
percentile over the whole pool (``sigma_pool_percentile``) is known also for compounds the funnel
cut; windows are computed for the compounds that reach the ESW stage. The stage never prints,
never touches the store, and reads/writes only its on-disk cache.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from superionic.config import ScoreWeights, Settings, Thresholds
from superionic.features.bvse import BVSECache, BVSEError
from superionic.records import Rejection, jsonable
from superionic.screen.cache import NullCache, ScreenCache
from superionic.screen.electronic import SIGMA0_S_CM, sigma_e_estimate
from superionic.screen.features import REJECTION, feature_matrix_ok, pool_features
from superionic.screen.pool import E_HULL, GAP, SIGMA_E, Pool
from superionic.screen.predict import Predictors, predict_properties
from superionic.screen.rank import (
    FAST_THRESHOLD_S_CM,
    FastProbability,
    IntervalProbability,
    Margins,
    RankingMode,
    explain,
    margin_notes,
    p_fast_order,
    rounded_p_fast,
)
from superionic.screen.score import composite_score, pareto_objectives, pareto_ranks
from superionic.screen.structures import StructureResolver
from superionic.screen.windows import SurrogateProvider, pool_windows

STAGES = ("pool", "e_hull", "band_gap", "esw", "predictions", "bvse", "score")
#: Known fast Li conductors (> 1 mS/cm at room temperature) checked by the benchmark.
KNOWN_FAST_CONDUCTORS = ("Li10GeP2S12", "Li7P3S11", "Li6PS5Cl", "Li6PS5Br", "Li6PS5I",
                         "Li3InCl6", "Li3YCl6", "Li3YBr6", "Li3ErCl6")
RANKED = "ranked"

#: Columns of a candidate in the JSON output and the ranked table, in order.
CANDIDATE_COLUMNS = (
    "rank", "formula", "reduced_formula", "source_id", "material_id", "score", "p_fast",
    "weighted_score", "pareto_rank",
    "log10_sigma_mean", "log10_sigma_low", "log10_sigma_high", "sigma_S_cm",
    "structure_source", "bvse_barrier_eV", "bvse_dim", "bvse_barrier_3d_eV", "bvse_note",
    "Ea_eV", "Ea_eV_low", "Ea_eV_high",
    "esw_width_V", "esw_width_V_low", "esw_width_V_high",
    "reduction_V", "reduction_V_low", "reduction_V_high",
    "oxidation_V", "oxidation_V_low", "oxidation_V_high", "window_source",
    "esw_low_V", "esw_high_V",
    "sigma_e_S_cm", "sigma_e_S_cm_low", "sigma_e_S_cm_high", "sigma_e_source",
    E_HULL, f"{E_HULL}_source", "e_hull_eV_atom", GAP, f"{GAP}_source",
    "sigma_pool_percentile", "imputed", "reasons",
)


@dataclass(frozen=True)
class ScreenOptions:
    """Funnel thresholds; ranking mode (:class:`~superionic.screen.rank.RankingMode`), fast
    threshold (S/cm, 300 K), constraint margins and p_fast source (None: the regression's
    interval at ``level``); score weights and normalisation of the weighted mode; interval level
    (0-1); temperature (K) and sigma_0 (S/cm) of the electronic estimate; the shortlist size;
    how many of the best-ranked candidates get a structure looked up beyond the pool's own
    (``structures_top``: MP API, fixture, library, prototype substitution, relaxed with the
    potential when ``relax_prototypes``); BVSE (on/off, grid spacing in Angstrom, largest cell
    in sites: the grid's cost grows with the cell volume) and the
    largest BVSE barrier (eV) a candidate with a structure may have (None: no filter)."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    ranking: RankingMode = RankingMode.P_FAST
    fast_threshold_S_cm: float = FAST_THRESHOLD_S_CM
    margins: Margins = field(default_factory=Margins)
    p_fast_source: FastProbability | None = None
    weights: ScoreWeights = field(default_factory=ScoreWeights)
    normalisation: str = "minmax"
    level: float = 0.9
    temperature_K: float = 300.0
    sigma0_S_cm: float = SIGMA0_S_CM
    top: int = 150
    structures_top: int = 20
    relax_prototypes: bool = False
    bvse: bool = True
    bvse_resolution_A: float = 0.3
    bvse_max_sites: int = 200
    max_bvse_barrier_eV: float | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.level < 1.0:
            raise ValueError(f"interval level must be in (0, 1), got {self.level}")
        if self.normalisation not in ("minmax", "zscore"):
            raise ValueError(f"normalisation must be minmax or zscore, got {self.normalisation!r}")
        if self.top < 1:
            raise ValueError(f"top must be >= 1, got {self.top}")
        if self.structures_top < 0:
            raise ValueError(f"structures_top must be >= 0, got {self.structures_top}")
        if not self.fast_threshold_S_cm > 0:
            raise ValueError(f"fast threshold must be > 0 S/cm, got {self.fast_threshold_S_cm}")
        if self.max_bvse_barrier_eV is not None and not self.max_bvse_barrier_eV > 0:
            raise ValueError(f"max BVSE barrier must be > 0 eV, got {self.max_bvse_barrier_eV}")
        if not 0.05 <= self.bvse_resolution_A <= 1.0:
            raise ValueError(f"BVSE grid spacing must be in [0.05, 1] A, got "
                             f"{self.bvse_resolution_A}")
        object.__setattr__(self, "ranking", RankingMode(self.ranking))

    @property
    def fast_probability(self) -> FastProbability:
        return self.p_fast_source or IntervalProbability(self.level)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> ScreenOptions:
        """Thresholds and weights from ``settings``; ``overrides`` (None ignored) on top."""
        values: dict[str, Any] = {"thresholds": settings.thresholds, "weights": settings.weights}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return {"thresholds": vars(self.thresholds), "ranking": self.ranking.value,
                "fast_threshold_S_cm": self.fast_threshold_S_cm,
                "p_fast_source": self.fast_probability.name, "margins": vars(self.margins),
                "weights": vars(self.weights), "normalisation": self.normalisation,
                "level": self.level, "temperature_K": self.temperature_K,
                "sigma0_S_cm": self.sigma0_S_cm, "top": self.top,
                "structures_top": self.structures_top, "relax_prototypes": self.relax_prototypes,
                "bvse": self.bvse, "bvse_resolution_A": self.bvse_resolution_A,
                "bvse_max_sites": self.bvse_max_sites,
                "max_bvse_barrier_eV": self.max_bvse_barrier_eV}


@dataclass(frozen=True)
class ScreenResult:
    """Every pool compound with its properties, predictions, stage reached and reasons
    (``table``), the count per stage, rejected input rows, provenance, and the files written
    (``outputs``, by :class:`superionic.screen.job.ScreenJob`)."""

    table: pd.DataFrame
    stages: dict[str, int]
    rejected: list[Rejection]
    mobile_ion: str
    options: ScreenOptions
    provenance: dict[str, Any] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)
    cache_stats: dict[str, dict[str, int]] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def pool_size(self) -> int:
        return len(self.table)

    @property
    def ranked(self) -> pd.DataFrame:
        """The funnel's survivors, best score first (``rank`` 1, 2, ...)."""
        t = self.table[self.table["rank"] > 0]
        return t.sort_values("rank").reset_index(drop=True)

    def candidates(self, n: int | None = None) -> list[dict[str, Any]]:
        """The top ``n`` (default ``options.top``) as JSON-ready dicts of :data:`CANDIDATE_COLUMNS`."""
        top = self.ranked.head(self.options.top if n is None else n)
        return _with_reason_lists(jsonable(top.reindex(columns=list(CANDIDATE_COLUMNS))
                                           .to_dict("records")))

    def reason_counts(self) -> dict[str, int]:
        """How many compounds carry each reason code (a compound may carry several)."""
        counts: dict[str, int] = {}
        for text in self.table.loc[self.table["left_at"] != RANKED, "reasons"]:
            for code in filter(None, (c.strip() for c in str(text).split(";"))):
                key = code.split(":", 1)[0] if code.startswith(("missing window", "no prediction")) \
                    else code
                counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: -kv[1]))

    def summary(self, n: int | None = None) -> dict[str, Any]:
        """The JSON document of the CLI (without ``outputs``)."""
        return jsonable({
            "pool_size": self.pool_size, "mobile_ion": self.mobile_ion,
            "potentials": f"V vs {self.mobile_ion}/{self.mobile_ion}+",
            "unavailable": self.unavailable, "stages": self.stages,
            "reasons": self.reason_counts(), "candidates": self.candidates(n),
            "rejected": [{"file": r.file, "row": r.row, "reason": r.reason} for r in self.rejected],
            "options": self.options.to_dict(),
            "provenance": self.provenance, "timings_s": self.timings_s,
            "cache": self.cache_stats, "outputs": self.outputs})

    def store_rows(self) -> dict[str, list[dict[str, Any]]]:
        """Rows for the campaign store's ``screen`` table (every pool compound)."""
        cols = [c for c in (*CANDIDATE_COLUMNS, "left_at", "window_note") if c in self.table]
        rows = _with_reason_lists(jsonable(self.table[cols].to_dict("records")))
        for r in rows:
            r["mobile_ion"] = self.mobile_ion
        return {"screen": rows}

    def to_rows(self) -> dict[str, list[dict[str, Any]]]:
        """Rows for the campaign store (table ``screen``: every pool compound)."""
        return self.store_rows()


#: Separator of the reasons of one compound inside the table's ``reasons`` string column.
REASON_SEP = "; "


def _with_reason_lists(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``reasons`` as a list of short strings (the table keeps one joined string)."""
    for r in rows:
        text = r.get("reasons")
        r["reasons"] = [c for c in str(text).split(REASON_SEP) if c] if text else []
    return rows


# ------------------------------------------------------------------------------ stages --


def hull_gap_reasons(frame: pd.DataFrame, thresholds: Thresholds) -> tuple[pd.Series, pd.Series]:
    """Reason codes of the e_hull and the band-gap stages ('' where a row passes)."""
    from superionic.stability.filters import filter_frame

    e_codes = filter_frame(frame, thresholds, e_hull_col=E_HULL, gap_col=None)
    both = filter_frame(frame, thresholds, e_hull_col=E_HULL, gap_col=GAP)
    gap_codes = pd.Series([b[len(e):].lstrip("; ") if b.startswith(e) else b
                           for e, b in zip(e_codes, both, strict=True)], index=frame.index)
    return e_codes, gap_codes


def esw_reasons(windows: pd.DataFrame, thresholds: Thresholds) -> pd.Series:
    """Reason codes of the ESW stage for rows with window columns ('' where a row passes)."""
    out = []
    for _, w in windows.iterrows():
        if not np.isfinite(w.get("reduction_V", np.nan)):
            err = w.get("window_error")
            out.append(f"missing window: {err}" if isinstance(err, str) and err
                       else "missing window")
            continue
        codes = []
        if w["esw_width_V"] < thresholds.esw_width_min_V:
            codes.append(f"esw_width<{thresholds.esw_width_min_V:g}")
        if w["oxidation_V"] < thresholds.oxidation_min_V:
            codes.append(f"oxidation<{thresholds.oxidation_min_V:g}")
        if w["reduction_V"] > thresholds.reduction_max_V:
            codes.append(f"reduction>{thresholds.reduction_max_V:g}")
        out.append("; ".join(codes))
    return pd.Series(out, index=windows.index, dtype=object)


def percentile_rank(values: np.ndarray) -> np.ndarray:
    """Percentile (0-100] of each finite value among the finite values (ties averaged); NaN
    elsewhere. 100 = the highest."""
    v = np.asarray(values, dtype=float)
    out = np.full(v.shape, np.nan)
    ok = np.isfinite(v)
    if ok.any():
        out[ok] = pd.Series(v[ok]).rank(method="average", pct=True).to_numpy() * 100.0
    return out


class LazyFixture:
    """The MP entries fixture as an entry source that knows its elements without loading the
    entries (from :func:`superionic.screen.pool.fixture_index`) and loads them on first use."""

    def __init__(self, data_dir: str | Path | None = None) -> None:
        from superionic.screen.pool import fixture_index
        from superionic.stability.hull import fixture_path
        from superionic.stability.sources import MP_FIXTURE_SOURCE

        self.data_dir = data_dir
        self.path = fixture_path(data_dir)
        self.label = f"{MP_FIXTURE_SOURCE}: {self.path.name}"
        self.elements = fixture_index(self.path)[1]
        self._source: Any = None

    def covers(self, elements: Any) -> bool:
        return set(elements) <= self.elements

    def entries_for(self, elements: Any, mobile_ion: str | None = None) -> list[Any]:
        from superionic.stability.sources import EntryList

        if self._source is None:
            self._source = EntryList.mp_fixture(self.data_dir)
        return self._source.entries_for(elements, mobile_ion)


class MPEntries:
    """MP API entries per chemical system (:meth:`superionic.data.mp.MPSource.entries_in_chemsys`,
    cached on disk) as an entry source of :func:`superionic.stability.window.compute_windows`."""

    label = "MP computed entries (API)"

    def __init__(self, api_key: str | None, endpoint: str | None = None,
                 cache_dir: str | Path | None = None) -> None:
        from superionic.config import user_cache_dir
        from superionic.data.mp import MPSource

        self.source = MPSource(api_key or os.environ.get("MP_API_KEY", ""), endpoint,
                               cache_dir or user_cache_dir() / "mp")

    def entries_for(self, elements: Any, mobile_ion: str | None = None) -> list[Any]:
        from superionic.stability.hull import check_coverage

        elements = sorted(set(elements))
        entries = self.source.entries_in_chemsys(elements)
        check_coverage(entries, elements, mobile_ion=mobile_ion)
        return entries


def default_entry_sources(data_dir: str | Path | None = None, use_api: bool = False,
                          api_key: str | None = None, endpoint: str | None = None
                          ) -> tuple[Callable[[], Sequence[Any]], str]:
    """Exact entry sources (the MP fixture; the MP API too when ``use_api``) as a lazy factory,
    and an id for cache keys (the fixture's size and name, ``+api``)."""
    from superionic.stability.hull import fixture_path

    path = fixture_path(data_dir)
    ident = f"{path.name}:{path.stat().st_size}" if path.is_file() else "no fixture"

    def make() -> list[Any]:
        out: list[Any] = [LazyFixture(data_dir)] if path.is_file() else []
        if use_api:
            out.append(MPEntries(api_key, endpoint))
        return out

    return make, ident + (f"+api:{endpoint or 'default'}" if use_api else "")


#: Score term of each predicted target (:data:`superionic.screen.score.TERMS`).
TARGET_TERMS = {"log10_sigma": "sigma", "Ea": "ea"}


def check_mobile_ion(ion: str, predictors: Predictors, surrogate: SurrogateProvider) -> None:
    """Raise ``ValueError`` when a model or the window surrogate belongs to another ion than
    the pool's ``ion``."""
    predictors.check_ion(ion)
    given = getattr(surrogate.surrogate, "mobile_ion", ion)
    if surrogate.mobile_ion != ion or given != ion:
        raise ValueError(f"the window surrogate is for mobile ion {given!r} "
                         f"(provider {surrogate.mobile_ion!r}), the pool's is {ion!r}")


def _score_formula(skip: Sequence[str]) -> str:
    parts = {"sigma": "w1*sigma", "esw": "+ w2*ESW", "ea": "- w3*Ea", "sigma_e": "- w4*sigma_e"}
    return "S = " + " ".join(v for k, v in parts.items() if k not in skip)


def _timer(timings: dict[str, float], name: str, start: float) -> float:
    now = time.perf_counter()
    timings[name] = round(now - start, 3)
    return now


RANKING_ORDER = {
    RankingMode.P_FAST: "p_fast (to 2 decimals), then clear of every constraint margin, then lower "
                        "BVSE barrier, then lower predicted Ea, then higher p_fast",
    RankingMode.WEIGHTED: "weighted composite score S, highest first",
    RankingMode.PARETO: "Pareto front (non-dominated sorting), then weighted score inside a front",
}


def _order(table: pd.DataFrame, idx: np.ndarray, options: ScreenOptions,
           near: list[list[str]]) -> np.ndarray:
    """``idx`` (table rows) in ranking order for ``options.ranking``."""
    if not len(idx):
        return idx
    sub = table.iloc[idx]
    if options.ranking is RankingMode.P_FAST:
        notes = near if near else [[] for _ in idx]
        return idx[p_fast_order(sub, sub["p_fast"].to_numpy(float), notes)]
    w = -sub["weighted_score"].to_numpy(float)
    if options.ranking is RankingMode.PARETO:
        front = sub["pareto_rank"].to_numpy(int)
        front = np.where(front > 0, front, np.iinfo(np.int64).max)  # 0: not ranked, last
        return idx[np.lexsort((w, front))]
    return idx[np.argsort(w, kind="stable")]


def attach_structures(table: pd.DataFrame, pool: Pool, idx: np.ndarray, order: np.ndarray,
                      resolver: StructureResolver, options: ScreenOptions) -> dict[str, Any]:
    """Columns ``structure_source``, ``material_id`` and the structures (``_structure``, in
    memory) for the survivors ``idx``: the pool's own for all, looked up (MP API, fixture,
    library, prototype substitution) for the first ``options.structures_top`` of ``order``."""
    table["structure_source"] = None
    table["_structure"] = None
    refs = table["structure_ref"] if "structure_ref" in table else pd.Series(None, index=table.index)
    own = [i for i in idx if isinstance(refs.iloc[i], str)]
    for i, st in zip(own, pool.get_structures([refs.iloc[i] for i in own]), strict=True):
        if st is not None:
            r = resolver.resolve(table.at[i, "reduced_formula"], table.at[i, "material_id"],
                                 st, refs.iloc[i])
            table.at[i, "_structure"], table.at[i, "structure_source"] = r.structure, r.source
            table.at[i, "material_id"] = r.material_id
    top = [i for i in order[:options.structures_top] if table.at[i, "_structure"] is None]
    fetched = resolver.fetch_mp([table.at[i, "material_id"] for i in top])
    for i in top:
        r = resolver.resolve(table.at[i, "reduced_formula"], table.at[i, "material_id"],
                             mp_fetched=fetched)
        if r is not None:
            table.at[i, "_structure"], table.at[i, "structure_source"] = r.structure, r.source
            table.at[i, "material_id"] = r.material_id or table.at[i, "material_id"]
    src = table.loc[idx, "structure_source"].dropna()
    kinds: dict[str, int] = {}
    for text in src:
        key = str(text).split(" mp-")[0].split(" from ")[0].split(" /")[0]
        key = "user CIF" if key.startswith("user CIF") else key
        kinds[key] = kinds.get(key, 0) + 1
    return {"with_structure": int(len(src)), "by_source": kinds,
            "looked_up_for_top": options.structures_top, "errors": dict(resolver.errors)}


def attach_bvse(table: pd.DataFrame, idx: np.ndarray, ion: str, options: ScreenOptions,
                cache: BVSECache) -> dict[str, Any]:
    """BVSE columns (``bvse_barrier_eV``, ``bvse_dim``, ``bvse_barrier_3d_eV``, ``bvse_note``)
    for the survivors with a structure."""
    for c in ("bvse_barrier_eV", "bvse_barrier_3d_eV"):
        table[c] = np.nan
    table["bvse_dim"] = pd.array([pd.NA] * len(table), dtype="Int64")
    table["bvse_note"] = None
    n_ok = n_err = 0
    for i in idx:
        st = table.at[i, "_structure"]
        if st is None:
            continue
        if len(st) > options.bvse_max_sites:
            table.at[i, "bvse_note"] = (f"not computed: {len(st)} sites > "
                                        f"{options.bvse_max_sites}")
            continue
        res = cache.get(st, ion, options.bvse_resolution_A)
        if isinstance(res, BVSEError):
            table.at[i, "bvse_note"] = str(res)
            n_err += 1
            continue
        n_ok += 1
        if res.barrier_eV is None:
            table.at[i, "bvse_note"] = "no percolation below encut"
            continue
        table.at[i, "bvse_barrier_eV"] = res.barrier_eV
        table.at[i, "bvse_dim"] = res.dim
        table.at[i, "bvse_barrier_3d_eV"] = res.barrier_3d_eV if res.barrier_3d_eV is not None \
            else np.nan
    return {"computed": n_ok, "failed": n_err, "resolution_A": options.bvse_resolution_A,
            "cache_hits": cache.hits, "cache_misses": cache.misses,
            "method": "bvlain percolation barriers (bond-valence site energy)"}


def run_screen(pool: Pool, predictors: Predictors, options: ScreenOptions | None = None,
               cache: ScreenCache | None = None, surrogate: SurrogateProvider | None = None,
               entry_sources: tuple[Callable[[], Sequence[Any]], str] | None = None,
               data_dir: str | Path | None = None, hull_cache: str | Path | None = None,
               progress: bool = False, resolver: StructureResolver | None = None,
               bvse_cache: BVSECache | None = None) -> ScreenResult:
    """Run the funnel over ``pool`` and score the survivors (see the module docstring).

    ``cache`` (default none) holds features and windows on disk; ``surrogate`` provides the
    window surrogate (default: fitted on Wang 2024 rows of the pool's ion when first needed);
    ``entry_sources`` is ``(factory, id)`` of exact entry sources (default the MP fixture);
    ``resolver`` finds structures beyond the pool's own (default: offline sources and prototype
    substitution); ``bvse_cache`` keeps BVSE results (default: none, recomputed).
    """
    options = options or ScreenOptions()
    cache = cache or NullCache()
    resolver = resolver or StructureResolver(data_dir, relax=options.relax_prototypes)
    bvse_cache = bvse_cache or BVSECache(None)
    ion = pool.mobile_ion
    surrogate = surrogate or SurrogateProvider(ion, Path(data_dir) if data_dir else None)
    check_mobile_ion(ion, predictors, surrogate)
    unavailable = dict(predictors.unavailable)
    skip = [TARGET_TERMS[t] for t in unavailable if t in TARGET_TERMS]
    make_sources, sources_id = entry_sources or default_entry_sources(data_dir)
    thr = options.thresholds
    timings: dict[str, float] = {}
    t = time.perf_counter()

    table = pool.frame.copy().reset_index(drop=True)
    n = len(table)
    e_codes, gap_codes = hull_gap_reasons(table, thr)
    pass_e = (e_codes == "").to_numpy()
    pass_g = pass_e & (gap_codes == "").to_numpy()
    t = _timer(timings, "hull_gap", t)

    features = pool_features(pool, cache, progress)
    ok_feat = feature_matrix_ok(features)
    t = _timer(timings, "features", t)

    windows = pd.DataFrame(index=table.index)
    esw_codes = pd.Series([""] * n, index=table.index, dtype=object)
    surrogate_facts: dict[str, Any] = {}
    reach = np.flatnonzero(pass_g)
    if len(reach):
        formulas = table.loc[reach, "reduced_formula"].tolist()
        outcome = pool_windows(formulas, features.iloc[reach].reset_index(drop=True), ion, cache,
                               surrogate, make_sources, sources_id, options.level,
                               Path(hull_cache) if hull_cache else None, progress)
        surrogate_facts = outcome.surrogate
        w = outcome.table.loc[formulas].reset_index(drop=True)
        w.index = reach
        w = w.rename(columns={"width_V": "esw_width_V", "width_V_low": "esw_width_V_low",
                              "width_V_high": "esw_width_V_high"})
        windows = w.reindex(table.index)
        esw_codes.loc[reach] = esw_reasons(w, thr)
    pass_w = pass_g & (esw_codes == "").to_numpy()
    t = _timer(timings, "windows", t)

    preds = predict_properties(features, predictors, ok_feat, options.level, progress)
    has_pred = np.isfinite(preds.get("log10_sigma_mean", pd.Series(np.nan, index=table.index))
                           .to_numpy(dtype=float))
    pred_codes = pd.Series("", index=table.index, dtype=object)
    miss = pass_w & ~has_pred
    no_model = unavailable.get("log10_sigma")
    pred_codes[miss] = [f"no prediction: {no_model or r}" if no_model or r else "no prediction"
                        for r in features.loc[miss, REJECTION]]
    survivors = pass_w & has_pred
    t = _timer(timings, "predictions", t)

    sig, lo, hi, src = sigma_e_estimate(table[GAP].to_numpy(), table[SIGMA_E].to_numpy(),
                                        options.temperature_K, options.sigma0_S_cm)
    table = pd.concat([table.drop(columns=[SIGMA_E]), windows, preds], axis=1)
    table["sigma_e_S_cm"], table["sigma_e_S_cm_low"], table["sigma_e_S_cm_high"] = sig, lo, hi
    table["sigma_e_source"] = src
    table["sigma_pool_percentile"] = percentile_rank(table.get("log10_sigma_mean", np.nan))

    stage_codes = [("e_hull", e_codes), ("band_gap", gap_codes), ("esw", esw_codes),
                   ("predictions", pred_codes)]
    left = np.full(n, RANKED, dtype=object)
    reasons = np.full(n, "", dtype=object)
    for name, codes in reversed(stage_codes):  # the first failing stage wins
        fail = (codes != "").to_numpy()
        left[fail], reasons[fail] = name, codes.to_numpy()[fail]
    table["left_at"], table["reasons"] = left, reasons

    table["score"], table["weighted_score"], table["pareto_rank"] = np.nan, np.nan, 0
    table["rank"] = 0
    table["imputed"] = ""
    for c in ("term_sigma", "term_esw", "term_ea", "term_sigma_e"):
        table[c] = np.nan
    table["esw_low_V"] = table.get("reduction_V", np.nan)
    table["esw_high_V"] = table.get("oxidation_V", np.nan)
    table["e_hull_eV_atom"] = table[E_HULL]
    p_source = options.fast_probability
    table["p_fast"] = p_source(table, options.fast_threshold_S_cm) if has_pred.any() \
        else np.nan
    idx = np.flatnonzero(survivors)
    if len(idx):
        scored = composite_score(table.iloc[idx], options.weights, options.normalisation, skip)
        table.loc[idx, "weighted_score"] = scored["score"].to_numpy()
        for c in ("imputed", "term_sigma", "term_esw", "term_ea", "term_sigma_e"):
            table.loc[idx, c] = scored[c].to_numpy()
        table.loc[idx, "pareto_rank"] = pareto_ranks(pareto_objectives(table.iloc[idx], skip))
    t = _timer(timings, "score", t)

    # structures: the pool's own for every survivor; looked up for the best-ranked ones
    structure_stats = attach_structures(table, pool, idx, _order(table, idx, options, []),
                                        resolver, options)
    t = _timer(timings, "structures", t)
    bvse_stats = attach_bvse(table, idx if options.bvse else idx[:0], ion, options, bvse_cache)
    bvse_codes = pd.Series("", index=table.index, dtype=object)
    if options.max_bvse_barrier_eV is not None:
        b = pd.to_numeric(table["bvse_barrier_eV"], errors="coerce").to_numpy(float)
        over = survivors & np.isfinite(b) & (b > options.max_bvse_barrier_eV)
        bvse_codes[over] = f"bvse_barrier>{options.max_bvse_barrier_eV:g}"
        no_perc = survivors & table["bvse_note"].eq("no percolation below encut").to_numpy()
        bvse_codes[no_perc] = "bvse: no percolating network"
        fail = (bvse_codes != "").to_numpy()
        left[fail], reasons[fail] = "bvse", bvse_codes.to_numpy()[fail]
        table["left_at"], table["reasons"] = left, reasons
    ranked_mask = survivors & (bvse_codes == "").to_numpy()
    idx_r = np.flatnonzero(ranked_mask)
    near = margin_notes(table.iloc[idx_r], thr, options.margins)
    order = _order(table, idx_r, options, near)
    table.loc[order, "rank"] = np.arange(1, len(order) + 1)
    table.loc[idx_r, "score"] = rounded_p_fast(table.loc[idx_r, "p_fast"].to_numpy(float)) \
        if options.ranking is RankingMode.P_FAST else table.loc[idx_r, "weighted_score"].to_numpy()
    near_of = dict(zip(idx_r, near, strict=True))
    for i in idx_r:
        table.at[i, "reasons"] = REASON_SEP.join(
            explain(table.loc[i], options.ranking, options.fast_threshold_S_cm, thr, near_of[i]))
    table["pareto_rank"] = table["pareto_rank"].astype(int)
    table["rank"] = table["rank"].astype(int)
    t = _timer(timings, "rank", t)

    stages = {"pool": n, "e_hull": int(pass_e.sum()), "band_gap": int(pass_g.sum()),
              "esw": int(pass_w.sum()), "predictions": int(survivors.sum()),
              "bvse": int(ranked_mask.sum()), "score": int(np.isfinite(table["score"]).sum())}
    provenance = {
        "pool": pool.origin, "mobile_ion": ion, "potentials": f"V vs {ion}/{ion}+",
        "models": predictors.describe(), "unavailable": unavailable, "level": options.level,
        "window_sources": {k: int(v) for k, v in
                           table["window_source"].value_counts().items()}
        if "window_source" in table else {},
        "window_entries": sources_id, "surrogate": surrogate_facts,
        "score": {"sigma": "log10(sigma / S cm^-1)", "sigma_e": "log10(sigma_e / S cm^-1)",
                  "normalisation": f"{options.normalisation} over the {len(idx)} scored "
                                   "compounds",
                  "formula": _score_formula(skip),
                  "dropped_terms": {TARGET_TERMS[t]: r for t, r in unavailable.items()
                                    if t in TARGET_TERMS}},
        "sigma_e_model": f"intrinsic estimate sigma_0 (T/300)^1.5 exp(-Eg/2kT), sigma_0 = "
                         f"{options.sigma0_S_cm:.3g} S/cm, T = {options.temperature_K:g} K "
                         "(order of magnitude; band = sigma_0 x/÷ 10)",
        "data_dir": str(data_dir) if data_dir else None,
        "ranking": {"mode": options.ranking.value, "p_fast": p_source.name,
                    "fast_threshold_S_cm": options.fast_threshold_S_cm,
                    "order": RANKING_ORDER[options.ranking]},
        "structures": structure_stats, "bvse": bvse_stats,
    }
    return ScreenResult(table, stages, list(pool.rejected), ion, options, jsonable(provenance),
                        timings, cache.stats(), unavailable)


def known_placements(result: ScreenResult | pd.DataFrame,
                     formulas: Sequence[str]) -> list[dict[str, Any]]:
    """Where each named compound lands (``result`` or its ``table``, e.g. read back from
    ``all_compounds.parquet``): in the pool or not, the stage it left at and why, its score rank,
    and the percentile of its predicted sigma over the whole pool (before the funnel) and over
    the ranked survivors (100 = highest)."""
    from pymatgen.core import Composition

    table = result.table if isinstance(result, ScreenResult) else result
    ranked = (table["rank"] > 0).to_numpy()
    surv_pct = np.full(len(table), np.nan)
    surv_pct[ranked] = percentile_rank(table.loc[ranked, "log10_sigma_mean"])
    out = []
    for f in formulas:
        red = Composition(f).reduced_formula
        hit = np.flatnonzero((table["reduced_formula"] == red).to_numpy())
        if not len(hit):
            out.append({"formula": f, "in_pool": False})
            continue
        i = hit[0]
        row = table.iloc[i]
        out.append(jsonable({
            "formula": f, "in_pool": True, "source_id": row["source_id"],
            "left_at": row["left_at"], "reasons": row["reasons"], "rank": int(row["rank"]),
            "n_ranked": int(ranked.sum()), "log10_sigma_mean": row.get("log10_sigma_mean"),
            "log10_sigma_low": row.get("log10_sigma_low"),
            "log10_sigma_high": row.get("log10_sigma_high"),
            "sigma_pool_percentile": row["sigma_pool_percentile"],
            "sigma_ranked_percentile": surv_pct[i],
            E_HULL: row[E_HULL], GAP: row[GAP]}))
    return out
