"""Screening: the funnel over a candidate pool, composite score and Pareto ranking.

Modules: :mod:`.pool` (offline / MP / user pools), :mod:`.features` and :mod:`.windows` (cached
per-compound work), :mod:`.predict` (sigma, Ea with intervals), :mod:`.electronic` (sigma_e
estimate), :mod:`.score` (composite score, Pareto ranks), :mod:`.funnel` (the stages and the
result), :mod:`.output` (tables and plots), :mod:`.cache` (on-disk cache).

Typical use::

    pool = load_pool("offline")
    result = run_screen(pool, load_predictors(), ScreenOptions(), cache=ScreenCache(dir))
    write_outputs(result, "screen_out")
"""

from superionic.screen.cache import NullCache, ScreenCache
from superionic.screen.electronic import intrinsic_sigma_e, sigma_e_estimate
from superionic.screen.funnel import (
    STAGES,
    ScreenOptions,
    ScreenResult,
    default_entry_sources,
    known_placements,
    run_screen,
)
from superionic.screen.output import write_outputs
from superionic.screen.pool import Pool, cif_folder_pool, csv_pool, load_pool, offline_pool
from superionic.screen.predict import Predictors, load_predictors, predict_properties
from superionic.screen.score import Weights, composite_score, pareto_objectives, pareto_ranks
from superionic.screen.windows import SurrogateProvider

__all__ = [
    "STAGES", "NullCache", "Pool", "Predictors", "ScreenCache", "ScreenOptions", "ScreenResult",
    "SurrogateProvider", "Weights", "cif_folder_pool", "composite_score", "csv_pool",
    "default_entry_sources", "intrinsic_sigma_e", "known_placements", "load_pool",
    "load_predictors", "offline_pool", "pareto_objectives", "pareto_ranks", "predict_properties",
    "run_screen", "sigma_e_estimate", "write_outputs",
]
