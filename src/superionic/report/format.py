"""Numbers and labels for the report: significant figures, bounds, intervals, human units.

Every function returns plain text (HTML-escaped by the caller) or ``None`` when the quantity is
missing or carries no information, so a caller shows "not computed" or drops it; nothing here ever
prints ``None``, ``nan`` or a number below :data:`FLOOR`.
"""

from __future__ import annotations

import math
from typing import Any

#: Smallest magnitude printed as a number; anything below reads "< 10⁻²⁰" (a conductivity of
#: 1e-35 S/cm is "insulating", not a measurement).
FLOOR = 1e-20
MISSING = "not computed"

_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def finite(value: Any) -> float | None:
    """``value`` as a finite float, else None (None, NaN, inf, strings, bools)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _special(value: Any) -> tuple[float | None, str | None]:
    """(x, None) for a finite nonzero ``value`` at or above :data:`FLOOR`, else (None, its text:
    None for missing, "0", or the floor)."""
    x = finite(value)
    if x is None:
        return None, None
    if x == 0:
        return None, "0"
    if abs(x) < FLOOR:
        return None, "< 10⁻²⁰" if x > 0 else "> −10⁻²⁰"
    return x, None


def _mantissa(x: float, digits: int) -> tuple[str, int]:
    """``x`` as (mantissa text with ``digits`` significant figures, decimal exponent)."""
    exp = math.floor(math.log10(abs(x)))
    mant = round(x / 10**exp, digits - 1)
    if abs(mant) >= 10:  # 9.96 -> 10.0
        mant, exp = mant / 10, exp + 1
    return f"{mant:.{max(digits - 1, 0)}f}", exp


def sig(value: Any, digits: int = 2) -> str | None:
    """``value`` to ``digits`` significant figures; scientific (``3.2×10⁻⁴``) outside 1e-3..1e5."""
    x, text = _special(value)
    if x is None:
        return text
    exp = math.floor(math.log10(abs(x)))
    if -3 <= exp < 5:
        decimals = max(digits - 1 - exp, 0)
        return f"{round(x, decimals):.{decimals}f}".replace("-", "−")
    m, exp = _mantissa(x, digits)
    if m in ("1", "1.0", "-1"):
        return ("−" if x < 0 else "") + "10" + str(exp).translate(_SUP)
    return m.replace("-", "−") + "×10" + str(exp).translate(_SUP)


def sci(value: Any, digits: int = 2) -> str | None:
    """Always scientific: ``3.2×10⁻⁴``, ``1×10⁻²`` (conductivities and diffusivities, so a column
    reads in one notation); ``< 10⁻²⁰`` below :data:`FLOOR`."""
    x, text = _special(value)
    if x is None:
        return text
    m, exp = _mantissa(x, digits)
    return m.replace("-", "−") + "×10" + str(exp).translate(_SUP)


def general(value: Any) -> str | None:
    """Shortest faithful form of a setting (0.03, 1.5, 1300): Python's ``g`` format."""
    x = finite(value)
    return None if x is None else f"{x:g}".replace("-", "−")


def fixed(value: Any, decimals: int = 2) -> str | None:
    """``value`` with ``decimals`` decimals (energies in eV, potentials in V, probabilities)."""
    x = finite(value)
    if x is None:
        return None
    if round(x, decimals) == 0:
        x = 0.0  # no "−0.000"
    return f"{x:.{decimals}f}".replace("-", "−")


def pm(value: Any, err: Any, unit: str = "") -> str | None:
    """``0.31 ± 0.04 eV``: the error to 1 significant figure, the value to the same decimal."""
    x, e = finite(value), finite(err)
    if x is None:
        return None
    u = f" {unit}" if unit else ""
    if e is None or e <= 0 or e < 5e-4 * max(abs(x), 1e-300):  # no information in the error
        return f"{sig(x, 2)}{u}"
    d = max(0, -math.floor(math.log10(e)))
    return f"{x:.{d}f} ± {e:.{d}f}{u}".replace("-", "−")


def from_log10(value: Any) -> float | None:
    """10**value for a log10 quantity (None when missing)."""
    x = finite(value)
    return None if x is None else 10.0**x


def interval(low: Any, high: Any, digits: int = 1) -> str | None:
    """``3×10⁻⁵–2×10⁻³``: the two ends of an interval (one significant figure by default)."""
    lo, hi = sci(low, digits), sci(high, digits)
    if lo is None or hi is None:
        return None
    return f"{lo} – {hi}"


def upper_bound(value: Any, unit: str = "", digits: int = 1) -> str | None:
    """``< 3×10⁻⁷ cm²/s``: a quantity only bounded from above."""
    x = finite(value)
    if x is None:
        return None
    u = f" {unit}" if unit else ""
    text = sci(x, digits)
    return f"{text}{u}" if text and text.startswith("<") else f"< {text}{u}"


def plain(value: Any) -> str | None:
    """A scalar for a key-value table: numbers via :func:`sig`, lists joined, empties dropped."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    if isinstance(value, float):
        x = finite(value)
        if x is None:
            return None
        return sig(x, 3) if x != 0 and not 1e-3 <= abs(x) < 1e5 else f"{x:.4g}"
    if isinstance(value, list | tuple):
        parts = [p for p in (plain(v) for v in value) if p]
        return ", ".join(parts) if parts else None
    if isinstance(value, dict):
        parts = [f"{k} = {p}" for k, v in value.items() if (p := plain(v))]
        return "; ".join(parts) if parts else None
    return str(value)


def count(n: Any) -> str:
    """A count with thousands separators."""
    x = finite(n)
    return "?" if x is None else f"{int(x):,}"


#: how the report names the MD potentials (series store the model names of superionic.md.engine)
POTENTIAL_LABELS = {"sevennet": "SevenNet-0", "sevennet:7net-0": "SevenNet-0", "chgnet": "CHGNet",
                    "chgnet:0.3.0": "CHGNet"}


def potential_label(name: Any) -> str:
    """``"sevennet"`` -> ``"SevenNet-0"``, ``"chgnet"`` -> ``"CHGNet"``; other names as given."""
    key = str(name).strip()
    return POTENTIAL_LABELS.get(key.lower(), key)


def humanize(key: str) -> str:
    """A readable label for a snake_case key that has no entry in :data:`LABELS`."""
    if key in LABELS:
        return LABELS[key]
    return key.replace("_", " ").strip().capitalize()


#: Column and field labels with units (keys of the stage summaries and store rows).
LABELS: dict[str, str] = {
    "formula": "Formula", "rank": "Rank", "score": "Score",
    "model": "Model", "split": "Split", "split_label": "Split",
    "mae": "MAE (log₁₀ S/cm)", "mae_uncensored": "MAE, uncensored rows (log₁₀ S/cm)",
    "rmse": "RMSE (log₁₀ S/cm)", "mse": "MSE (log₁₀² S²/cm²)", "r2": "R²",
    "spearman": "Spearman ρ", "pearson": "Pearson r",
    "coverage_90": "90 % interval coverage", "interval_width_90": "90 % interval width (decades)",
    "censored_bound_respected": "Censored rows at or below bound (fraction)",
    "censored_as": "Censored labels used as", "n_train": "Training rows", "n_test": "Test rows",
    "n_folds": "Folds", "seconds": "Time (s)", "params": "Hyper-parameters",
    "n_label_compositions": "Compositions with a measured σ", "n_censored": "Censored labels",
    "n_with_Ea": "Compositions with a measured Ea", "n_rows": "Training rows",
    "best_model": "Best model", "target": "Target", "unit": "Unit",
    "pool_size": "Pool size (compounds)", "n_rejected_rows": "Pool rows rejected",
    "round": "Round", "n_labelled": "Labelled compounds", "acquisition": "Acquisition",
    "label_file": "Labels file", "n_not_featurised": "Not featurised",
    "temperatures_K": "Temperatures (K)", "equil_ps": "Equilibration (ps)",
    "prod_ps": "Production (ps)", "timestep_fs": "Time step (fs)", "potential": "Potential",
    "ensemble": "Ensemble", "seed": "Seed", "mobile_ion": "Mobile ion",
}
