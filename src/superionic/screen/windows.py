"""Electrochemical stability windows of pool compounds: exact where the entries cover the
chemical system, the ML surrogate elsewhere, each labelled, with intervals, cached on disk.

* ``exact``: the grand-potential window with the mobile ion open (mu_Li, mu_Na ...; V vs that
  ion's metal) of :mod:`superionic.stability.window` from
  entries that cover the compound's chemical system plus the mobile ion (the MP entries fixture,
  C-Cl-K-Li-Mn-Na-O-Y, offline; the MP API as well when asked and ``MP_API_KEY`` is set). It has
  no model interval: ``*_low == *_high == value`` (DFT/MP2020 errors are not quantified here).
* ``ML surrogate``: :mod:`superionic.stability.surrogate` (boosted trees on the Wang et al. 2024
  rows of the mobile ion: 712 Li, 386 Na rows, potentials vs that ion's metal).
  It gives no intervals of its own, so the interval is the split-conformal one from its held-out
  error: half-width = the ceil(level (n+1))-th smallest absolute error on the surrogate's
  held-out (chemical-system group) split, n held-out rows (Vovk et al. 2005; Lei et al. JASA
  113, 1094 (2018)). Reported per potential; the width's interval adds the two half-widths.
  Predictions and interval ends below 0 V are raised to 0 V: no window limit lies below the
  potential of the mobile-ion metal itself.
"""

from __future__ import annotations

import importlib.metadata as md
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from superionic.records import content_key
from superionic.screen.cache import ScreenCache, code_digest
from superionic.screen.pool import sha256_file

WINDOW_TABLE = "windows"
EXACT = "exact"
SURROGATE = "ML surrogate"
WINDOW_COLUMNS = ("reduction_V", "oxidation_V", "width_V", "reduction_V_low",
                  "reduction_V_high", "oxidation_V_low", "oxidation_V_high", "width_V_low",
                  "width_V_high", "window_source", "window_entries", "window_note",
                  "window_error")


@dataclass
class SurrogateProvider:
    """The window surrogate, built only when needed: ``fingerprint`` is known without fitting
    (hash of the training file, ion and hyper-parameters) so cached windows need no fit."""

    mobile_ion: str = "Li"
    data_dir: Path | None = None
    seed: int = 0
    max_iter: int = 300
    surrogate: Any = None  # a fitted WindowSurrogate, or None to fit on first use
    _fitted: Any = field(default=None, repr=False)

    @property
    def fingerprint(self) -> str:
        from superionic.stability import surrogate as sur

        if self.surrogate is not None:
            s = self.surrogate
            return content_key(["given", s.mobile_ion, s.metrics, s.feature_columns,
                                sorted(s.train_formulas)])[:16]
        path = sur.wang_path(self.data_dir)
        data = sha256_file(path) if path.is_file() else "missing"
        return content_key([data, self.mobile_ion, self.seed, self.max_iter,
                            code_digest(sur), md.version("scikit-learn")])[:16]

    def get(self) -> Any:
        if self.surrogate is not None:
            return self.surrogate
        if self._fitted is None:
            from superionic.stability.surrogate import fit_window_surrogate

            self._fitted = fit_window_surrogate(mobile_ion=self.mobile_ion, seed=self.seed,
                                                max_iter=self.max_iter, data_dir=self.data_dir)
        return self._fitted


def conformal_halfwidth(abs_errors: np.ndarray, level: float) -> float:
    """Split-conformal half-width: the ceil(level (n+1))-th smallest |error| (inf if n is too
    small for ``level``)."""
    errors = np.sort(np.asarray(abs_errors, dtype=float))
    n = errors.size
    k = math.ceil(level * (n + 1))
    return float(errors[k - 1]) if 1 <= k <= n else math.inf


def surrogate_halfwidths(surrogate: Any, level: float = 0.9,
                         data: pd.DataFrame | None = None,
                         data_dir: str | Path | None = None) -> dict[str, float]:
    """Held-out half-widths (V) of the surrogate's reduction and oxidation predictions at
    ``level``: clones of its pipelines refitted on its training split, scored on its held-out
    split (``data``: ``formula, reduction_V, oxidation_V``; default the Wang 2024 rows)."""
    from superionic.features import featurize
    from superionic.stability.surrogate import TARGETS, load_wang_esw

    data = load_wang_esw(surrogate.mobile_ion, data_dir) if data is None else data
    test = set(surrogate.test_formulas)
    train = set(surrogate.train_formulas)
    feats, _ = featurize(data["formula"].tolist(), mobile_ion=surrogate.mobile_ion,
                         source="surrogate data")
    rows = feats.index.to_numpy() - 1
    formulas = data["formula"].to_numpy()[rows]
    x = feats[surrogate.feature_columns].to_numpy(dtype=float)
    is_test = np.isin(formulas, list(test))
    is_train = np.isin(formulas, list(train))
    out: dict[str, float] = {"level": level, "n_test": int(is_test.sum())}
    with threadpool_limits(surrogate.n_threads, user_api="openmp"):
        for t in TARGETS:
            y = data[t].to_numpy(dtype=float)[rows]
            model = clone(surrogate.models[t]).fit(x[is_train], y[is_train])
            out[t] = conformal_halfwidth(np.abs(y[is_test] - model.predict(x[is_test])), level)
    return out


def _exact_windows(formulas: Sequence[str], mobile_ion: str, sources: Sequence[Any],
                   hull_cache: Path | None) -> dict[str, Any]:
    """Exact WindowResult (or the last WindowError) per formula, first covering source wins."""
    from superionic.stability.hull import parse_formula
    from superionic.stability.window import WindowError, compute_windows

    out: dict[str, Any] = {}
    todo = list(formulas)
    for source in sources:
        covered = []
        for f in todo:
            els = {e.symbol for e in parse_formula(f).elements} | {mobile_ion}
            if getattr(source, "covers", lambda _e: True)(els):
                covered.append(f)
        if not covered:
            continue
        results = compute_windows(covered, source, mobile_ion, cache_dir=hull_cache)
        for f, r in zip(covered, results, strict=True):
            out[f] = r
        todo = [f for f in todo if f not in out or isinstance(out[f], WindowError)]
    return out


def _exact_row(result: Any, mobile_ion: str) -> dict[str, Any]:
    from superionic.stability.window import WindowError

    if isinstance(result, WindowError):
        return {"window_error": f"{result.kind}: {result.error}"}
    if result.mobile_ion != mobile_ion:
        raise ValueError(f"{result.formula}: window computed with {result.mobile_ion} open, the "
                         f"screen's mobile ion is {mobile_ion}")
    return {"reduction_V": result.reduction_V, "oxidation_V": result.oxidation_V,
            "width_V": result.width_V, "reduction_V_low": result.reduction_V,
            "reduction_V_high": result.reduction_V, "oxidation_V_low": result.oxidation_V,
            "oxidation_V_high": result.oxidation_V, "width_V_low": result.width_V,
            "width_V_high": result.width_V, "window_source": EXACT,
            "window_entries": result.source, "window_note": result.note, "window_error": ""}


def _surrogate_rows(formulas: Sequence[str], features: pd.DataFrame, surrogate: Any,
                    half: dict[str, float]) -> dict[str, dict[str, Any]]:
    """Surrogate windows with conformal intervals; ``features`` indexed by formula."""
    out: dict[str, dict[str, Any]] = {}
    ok = [f for f in formulas if features.at[f, "_rejection"] == ""]
    for f in formulas:
        if f not in ok:
            out[f] = {"window_error": f"no window: featurisation failed "
                                      f"({features.at[f, '_rejection']})"}
    if not ok:
        return out
    x = features.loc[ok, surrogate.feature_columns].to_numpy(dtype=float)
    with threadpool_limits(surrogate.n_threads, user_api="openmp"):
        red = surrogate.models["reduction_V"].predict(x)
        ox = surrogate.models["oxidation_V"].predict(x)
    hr, ho = half["reduction_V"], half["oxidation_V"]
    red, ox = np.maximum(red, 0.0), np.maximum(ox, 0.0)  # no limit lies below the metal (0 V)
    for f, r, o in zip(ok, red, ox, strict=True):
        out[f] = {"reduction_V": r, "oxidation_V": o, "width_V": max(o - r, 0.0),
                  "reduction_V_low": max(r - hr, 0.0), "reduction_V_high": r + hr,
                  "oxidation_V_low": max(o - ho, 0.0), "oxidation_V_high": o + ho,
                  "width_V_low": max(o - r - hr - ho, 0.0), "width_V_high": max(o - r + hr + ho, 0.0),
                  "window_source": SURROGATE,
                  "window_entries": f"Wang et al. 2024 (held-out {half['level']:.0%} half-widths "
                                    f"{hr:.2f} / {ho:.2f} V)",
                  "window_note": "no covering phase diagram: predicted by the ML surrogate",
                  "window_error": ""}
    return out


@dataclass
class WindowOutcome:
    """Windows per formula (:data:`WINDOW_COLUMNS`, index = formula) and the surrogate facts."""

    table: pd.DataFrame
    surrogate: dict[str, Any]


def pool_windows(formulas: Sequence[str], features: pd.DataFrame, mobile_ion: str,
                 cache: ScreenCache, provider: SurrogateProvider,
                 entry_sources: Callable[[], Sequence[Any]], sources_id: str,
                 level: float = 0.9, hull_cache: Path | None = None,
                 progress: bool = False) -> WindowOutcome:
    """Window of each (reduced) formula; ``features`` holds their composition features indexed by
    formula. ``entry_sources()`` returns the exact entry sources (called only on a cache miss);
    ``sources_id`` identifies them in cache keys."""
    from tqdm.auto import tqdm

    from superionic.stability import window as win

    unique = list(dict.fromkeys(formulas))
    fp = provider.fingerprint
    config = content_key([sources_id, fp, level, code_digest(win)])[:16]
    keys = {f: content_key(["window", f, mobile_ion, config]) for f in unique}
    half_key = content_key(["surrogate-halfwidths", fp, level])
    facts = cache.get_blob(half_key)
    cached = cache.get(WINDOW_TABLE, list(keys.values()))
    todo = [f for f in unique if keys[f] not in cached.index]
    rows: dict[str, dict[str, Any]] = {}
    with tqdm(total=len(unique), desc="windows", disable=not progress, leave=False) as bar:
        bar.update(len(unique) - len(todo))
        if todo:
            exact = _exact_windows(todo, mobile_ion, entry_sources(), hull_cache)
            for f, r in exact.items():
                row = _exact_row(r, mobile_ion)
                if row["window_error"] == "":
                    rows[f] = row
            rest = [f for f in todo if f not in rows]
            if rest:
                surrogate = provider.get()
                if facts is None:
                    facts = {**surrogate_halfwidths(surrogate, level, data_dir=provider.data_dir),
                             "metrics": surrogate.metrics}
                    cache.put_blob(half_key, facts)
                feats = features.set_index(pd.Index(formulas)).loc[~pd.Index(formulas).duplicated()]
                rows.update(_surrogate_rows(rest, feats, surrogate, facts))
            bar.update(len(todo))
    if rows:
        new = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=list(WINDOW_COLUMNS))
        new.index = [keys[f] for f in new.index]
        cache.put(WINDOW_TABLE, new)
        cached = pd.concat([cached, new]) if len(cached) else new
    table = cached.reindex([keys[f] for f in unique]).reindex(columns=list(WINDOW_COLUMNS))
    table.index = pd.Index(unique, name="formula")
    return WindowOutcome(table, facts or {})
