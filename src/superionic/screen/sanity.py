"""Sanity check of a Li screen: where do the famous fast conductors land?

:data:`FAMOUS_FAST_CONDUCTORS` are Li-ion conductors measured at >= 1e-4 S/cm at room temperature
(values from the cited papers). Compounds whose fast form needs a dopant the composition does not
show (Ta-doped cubic LLZO, Al-doped LATP) are left out: their pool formula is the slow phase. :func:`famous_ranks`
reports for each one present in the pool its rank, the rank as a percentile of the ranked list
(``rank_pct``: 1 = best 1 %), or the funnel stage that removed it, and :func:`famous_summary`
the median percentile (a compound the funnel removed counts as 100 %) and the median predicted
conductivity of the top 20.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

#: (formula, measured sigma(RT) in S/cm, reference).
FAMOUS_FAST_CONDUCTORS: tuple[tuple[str, float, str], ...] = (
    ("Li10GeP2S12", 1.2e-2, "Kamaya et al., Nat. Mater. 10, 682 (2011)"),
    ("Li7P3S11", 3.2e-3, "Mizuno et al., Adv. Mater. 17, 918 (2005)"),
    ("Li6PS5Cl", 1.9e-3, "Rao & Adams, Phys. Status Solidi A 208, 1804 (2011)"),
    ("Li6PS5Br", 1.0e-3, "Rao & Adams (2011)"),
    ("Li3InCl6", 1.5e-3, "Li et al., Energy Environ. Sci. 12, 2665 (2019)"),
    ("Li3YCl6", 5.1e-4, "Asano et al., Adv. Mater. 30, 1803075 (2018)"),
    ("Li3YBr6", 1.7e-3, "Asano et al. (2018)"),
    ("Li3ErCl6", 3.1e-4, "Muy et al., iScience 16, 270 (2019)"),
    ("Li3PS4", 1.6e-4, "Liu et al., JACS 135, 975 (2013) (nanoporous beta)"),
)


def famous_ranks(result: Any, formulas: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Per famous conductor in the pool: ``formula``, ``rank`` (0: not ranked), ``n_ranked``,
    ``rank_pct`` (100 * rank / n_ranked; None when not ranked), ``left_at``, ``p_fast``,
    ``log10_sigma_mean``, ``structure_source``, ``bvse_barrier_eV``. ``result`` is a
    :class:`~superionic.screen.ScreenResult` or its table."""
    from pymatgen.core import Composition

    table: pd.DataFrame = getattr(result, "table", result)
    names = list(formulas) if formulas is not None else [f for f, _, _ in FAMOUS_FAST_CONDUCTORS]
    n_ranked = int((table["rank"] > 0).sum())
    out = []
    for f in names:
        red = Composition(f).reduced_formula
        hit = table[table["reduced_formula"] == red]
        if hit.empty:
            continue
        row = hit.iloc[0]
        rank = int(row["rank"])

        def val(c: str, row: pd.Series = row) -> Any:
            v = row.get(c)
            return None if v is None or (isinstance(v, float) and not np.isfinite(v)) or \
                v is pd.NA else (v.item() if hasattr(v, "item") else v)

        out.append({"formula": f, "rank": rank, "n_ranked": n_ranked,
                    "rank_pct": round(100.0 * rank / n_ranked, 2) if rank > 0 else None,
                    "left_at": row["left_at"], "p_fast": val("p_fast"),
                    "log10_sigma_mean": val("log10_sigma_mean"),
                    "structure_source": val("structure_source"),
                    "bvse_barrier_eV": val("bvse_barrier_eV")})
    return out


def famous_summary(result: Any, top: int = 20) -> dict[str, Any]:
    """Median rank percentile of the famous conductors in the pool (unranked = 100 %), how many
    are in the top 10 %, and the median predicted log10 sigma of the ``top`` best ranked."""
    ranks = famous_ranks(result)
    pct = [r["rank_pct"] if r["rank_pct"] is not None else 100.0 for r in ranks]
    table: pd.DataFrame = getattr(result, "table", result)
    best = table[table["rank"] > 0].sort_values("rank").head(top)
    med = float(np.nanmedian(best["log10_sigma_mean"])) if len(best) else float("nan")
    return {"n_famous_in_pool": len(ranks),
            "median_rank_pct": float(np.median(pct)) if pct else None,
            "n_in_top_10pct": int(sum(p <= 10.0 for p in pct)),
            f"top{top}_median_log10_sigma": round(med, 2) if np.isfinite(med) else None,
            f"top{top}_median_sigma_S_cm": float(f"{10 ** med:.2g}") if np.isfinite(med) else None}
