"""Screening: the funnel over a candidate pool, composite score and Pareto ranking.

Modules: :mod:`.pool` (offline / MP / user pools), :mod:`.features` and :mod:`.windows` (cached
per-compound work), :mod:`.predict` (sigma, Ea with intervals), :mod:`.electronic` (sigma_e
estimate), :mod:`.score` (composite score, Pareto ranks), :mod:`.funnel` (the stages and the
result), :mod:`.output` (tables and plots), :mod:`.cache` (on-disk cache).

Typical use (the job the CLI and ``discover`` run)::

    result = ScreenJob(pool="offline", options=ScreenOptions(top=50),
                       cache_dir=Path("~/.cache/superionic/screen").expanduser()).run()
    rows = result.to_rows()          # store rows; result.summary() is the CLI's JSON
    famous_ranks(result)             # where the famous fast conductors landed

Modules added for the conductivity-first ranking: :mod:`.rank` (p_fast, modes, reasons),
:mod:`.structures` (structure resolver), :mod:`.job` (the typed job), :mod:`.sanity`; BVSE lives
in :mod:`superionic.features.bvse`.
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
from superionic.screen.job import ScreenJob, ScreenJobError
from superionic.screen.output import write_outputs
from superionic.screen.pool import Pool, cif_folder_pool, csv_pool, load_pool, offline_pool
from superionic.screen.predict import Predictors, load_predictors, predict_properties
from superionic.screen.rank import FastProbability, IntervalProbability, Margins, RankingMode
from superionic.screen.sanity import FAMOUS_FAST_CONDUCTORS, famous_ranks
from superionic.screen.score import Weights, composite_score, pareto_objectives, pareto_ranks
from superionic.screen.structures import StructureResolver
from superionic.screen.windows import SurrogateProvider

__all__ = [
    "FAMOUS_FAST_CONDUCTORS", "STAGES", "FastProbability", "IntervalProbability", "Margins",
    "NullCache", "Pool", "Predictors", "RankingMode", "ScreenCache", "ScreenJob",
    "ScreenJobError", "ScreenOptions", "ScreenResult", "StructureResolver",
    "SurrogateProvider", "Weights", "famous_ranks", "cif_folder_pool", "composite_score", "csv_pool",
    "default_entry_sources", "intrinsic_sigma_e", "known_placements", "load_pool",
    "load_predictors", "offline_pool", "pareto_objectives", "pareto_ranks", "predict_properties",
    "run_screen", "sigma_e_estimate", "write_outputs",
]
