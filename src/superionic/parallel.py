"""One executor interface: a local process pool by default, a Dask client when configured.

``map_tasks(fn, items)`` returns results in input order. A task that raises does not kill the
batch: its slot holds a :class:`TaskError` naming the item and the problem, so callers report
and skip it. ``fn`` must be a module-level function (picklable) for the process pool and Dask.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from tqdm.auto import tqdm

from superionic._extras import optional_import

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class TaskError:
    """The failure of one task: its index in the input, a label for it, and the reason."""

    index: int
    item: str
    error: str
    traceback: str = ""


def _guarded(payload: tuple[Callable[[Any], Any], int, Any]) -> Any:
    fn, index, item = payload
    try:
        return fn(item)
    except Exception as exc:  # noqa: BLE001 - reported per task, the batch continues
        return TaskError(index, repr(item)[:200], f"{type(exc).__name__}: {exc}",
                         traceback.format_exc(limit=5))


@dataclass
class Executor:
    """Where tasks run. ``kind`` is ``"serial"``, ``"local"`` (process pool) or ``"dask"``.

    For Dask pass ``address`` (a scheduler, e.g. from ``dask_jobqueue.SLURMCluster``) or a
    ready ``client``; a ``distributed.LocalCluster`` client works the same way in tests.
    """

    kind: str = "local"
    n_workers: int = max(1, os.cpu_count() or 1)
    address: str | None = None
    client: Any = None
    progress: bool = True

    def map(self, fn: Callable[[T], R], items: Iterable[T], desc: str = "tasks") -> list[R | TaskError]:
        items = list(items)
        payloads = [(fn, i, item) for i, item in enumerate(items)]
        bar = dict(total=len(items), desc=desc, disable=not self.progress or len(items) < 2)
        if self.kind == "serial" or (self.kind == "local" and (self.n_workers <= 1 or len(items) < 2)):
            return [_guarded(p) for p in tqdm(payloads, **bar)]
        if self.kind == "local":
            with ProcessPoolExecutor(max_workers=self.n_workers) as pool:
                return list(tqdm(pool.map(_guarded, payloads, chunksize=_chunksize(len(items), self.n_workers)), **bar))
        if self.kind == "dask":
            return self._map_dask(payloads, bar)
        raise ValueError(f"unknown executor kind {self.kind!r}")

    def _map_dask(self, payloads: Sequence[Any], bar: dict[str, Any]) -> list[Any]:
        distributed = optional_import("distributed", "the dask executor")
        Client, as_completed = distributed.Client, distributed.as_completed

        client = self.client or Client(self.address)
        try:
            futures = client.map(_guarded, payloads, pure=False)
            index = {f.key: i for i, f in enumerate(futures)}
            out: list[Any] = [None] * len(futures)
            for fut in tqdm(as_completed(futures), **bar):
                out[index[fut.key]] = fut.result()
            return out
        finally:
            if self.client is None:
                client.close()


def _chunksize(n_items: int, n_workers: int) -> int:
    return max(1, n_items // (8 * n_workers))


def executor_from_settings(settings: Any, progress: bool = True) -> Executor:
    """The executor a :class:`superionic.config.Settings` asks for."""
    return Executor(kind=settings.executor, n_workers=settings.n_workers,
                    address=settings.dask_address, progress=progress)


def map_tasks(fn: Callable[[T], R], items: Iterable[T], executor: Executor | None = None,
              desc: str = "tasks") -> list[R | TaskError]:
    """Run ``fn`` over ``items`` on ``executor`` (a local process pool by default)."""
    return (executor or Executor()).map(fn, items, desc=desc)


def split_failures(results: Sequence[R | TaskError]) -> tuple[list[tuple[int, R]], list[TaskError]]:
    """Separate successful ``(index, result)`` pairs from :class:`TaskError` entries."""
    ok = [(i, r) for i, r in enumerate(results) if not isinstance(r, TaskError)]
    bad = [r for r in results if isinstance(r, TaskError)]
    return ok, bad
