"""The screen as one typed job: ``ScreenJob(...).run() -> ScreenResult``.

``superionic screen`` parses its arguments into a :class:`ScreenJob`, calls :meth:`ScreenJob.run`
and prints; the ``screen`` stage of ``superionic discover`` builds the same object from the
campaign's settings and stores ``result.to_rows()``. The job loads the pool, the models of the
mobile ion, runs the funnel and ranking (:func:`superionic.screen.funnel.run_screen`) with the
structure resolver and the BVSE cache, and writes the output files when ``out`` is set.

Failures raise :class:`ScreenJobError` naming the phase (``pool``, ``models``, ``screen``) in
the parameters' words, never a CLI flag.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from superionic.config import Settings
from superionic.records import Rejection
from superionic.screen.funnel import ScreenOptions, ScreenResult


class ScreenJobError(RuntimeError):
    """A screen that cannot run: the phase, the message, and the rejected input rows."""

    def __init__(self, phase: str, message: str, rejected: list[Rejection] | None = None
                 ) -> None:
        super().__init__(f"{phase}: {message}")
        self.phase = phase
        self.message = message
        self.rejected = list(rejected or [])


@dataclass(frozen=True)
class ScreenJob:
    """Everything one screen needs. ``pool``: ``"offline"``, ``"mp"``, a CSV file or a folder of
    CIFs; ``model_dir``: the saved models' root (a missing model is trained first with
    ``train_budget`` random-search draws); ``cache_dir``: features, windows, hulls, BVSE (None:
    nothing cached); ``out``: folder of the output files (None: none written)."""

    pool: str = "offline"
    options: ScreenOptions = field(default_factory=ScreenOptions)
    mobile_ion: str = "Li"
    data_dir: Path | None = None
    model_dir: Path | None = None
    cache_dir: Path | None = None
    out: Path | None = None
    mp_api_key: str | None = None
    mp_endpoint: str | None = None
    seed: int = 0
    train_budget: int = 4
    train_if_missing: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, **changes: object) -> ScreenJob:
        """A job with the settings' ion, data folder, MP key/endpoint, seed and cache folder."""
        values: dict[str, object] = {
            "mobile_ion": settings.mobile_ion, "data_dir": settings.data_dir,
            "mp_api_key": settings.mp_api_key, "mp_endpoint": settings.mp_endpoint,
            "seed": settings.seed, "cache_dir": settings.cache_dir / "screen"}
        values.update({k: v for k, v in changes.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def run(self, progress: Callable[[str], None] | None = None,
            progress_bars: bool = False) -> ScreenResult:
        """Pool -> models -> funnel, structures, BVSE, ranking -> (files). ``progress`` gets
        one-line messages; ``progress_bars`` shows tqdm bars (stderr)."""
        from superionic.features.bvse import BVSECache
        from superionic.screen.cache import NullCache, ScreenCache
        from superionic.screen.funnel import default_entry_sources, run_screen
        from superionic.screen.output import write_outputs
        from superionic.screen.pool import load_pool
        from superionic.screen.predict import load_predictors
        from superionic.screen.structures import StructureResolver

        say = progress or (lambda _m: None)
        t0 = time.perf_counter()
        cache = ScreenCache(self.cache_dir) if self.cache_dir else NullCache()
        try:
            pool = load_pool(self.pool, self.mobile_ion, self.data_dir, self.mp_api_key,
                             self.mp_endpoint, cache=cache)
        except (ValueError, OSError, ImportError) as exc:
            raise ScreenJobError("pool", f"pool {self.pool!r}: {exc}") from None
        say(f"pool {self.pool}: {len(pool)} {self.mobile_ion} compounds, "
            f"{len(pool.rejected)} rows rejected")
        if len(pool) == 0:
            raise ScreenJobError("pool", f"pool {self.pool!r}: no usable compound", pool.rejected)
        t_pool = time.perf_counter()
        try:
            predictors = load_predictors(self.model_dir, self.data_dir, self.mobile_ion,
                                         self.seed, progress=say, budget=self.train_budget,
                                         train_if_missing=self.train_if_missing)
        except Exception as exc:  # noqa: BLE001 - loading/training problems: one clear error
            raise ScreenJobError("models", f"{type(exc).__name__}: {exc}") from None
        t_models = time.perf_counter()
        sources = default_entry_sources(self.data_dir, use_api=self.pool == "mp",
                                        api_key=self.mp_api_key, endpoint=self.mp_endpoint)
        resolver = StructureResolver(self.data_dir, self.mp_api_key, self.mp_endpoint,
                                     self.cache_dir.parent / "mp" if self.cache_dir else None,
                                     relax=self.options.relax_prototypes, seed=self.seed,
                                     cache_dir=self.cache_dir / "structures"
                                     if self.cache_dir else None)
        bvse_cache = BVSECache(self.cache_dir / "bvse" if self.cache_dir else None)
        try:
            result = run_screen(pool, predictors, self.options, cache=cache,
                                entry_sources=sources, data_dir=self.data_dir,
                                hull_cache=cache.root / "hulls" if self.cache_dir else None,
                                progress=progress_bars, resolver=resolver,
                                bvse_cache=bvse_cache)
        except ValueError as exc:  # a model or surrogate of another mobile ion
            raise ScreenJobError("screen", str(exc)) from None
        t_screen = time.perf_counter()
        outputs = write_outputs(result, self.out, self.options.top) if self.out else {}
        timings = dict(result.timings_s, pool=round(t_pool - t0, 2),
                       models=round(t_models - t_pool, 2), screen=round(t_screen - t_models, 2),
                       outputs=round(time.perf_counter() - t_screen, 2))
        return replace(result, outputs=outputs, timings_s=timings)
