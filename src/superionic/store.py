"""The campaign store: SQLAlchemy over SQLite by default, any database URL (PostgreSQL) at scale.

Every table has the same shape: a content-hash primary key ``key`` (sha256 of the row's payload,
so a rerun with the same inputs writes nothing new), the ``campaign`` name, a few indexed columns
for look-ups (``stage``, ``formula``), the ``payload`` itself (JSON), its ``provenance`` (data
version, model, parameters, seed; JSON) and ``created_at``. Writes are atomic (one transaction per
batch) and idempotent (insert ... on conflict do nothing).

Only the campaign layer writes here; stages never import this module.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from superionic._extras import optional_import
from superionic.records import content_key, jsonable

#: Tables of the store; each holds rows of one kind.
TABLES = (
    "materials",  # compounds (composition, structure as JSON, computed properties)
    "labels",  # measured / literature / MD-derived values with units
    "features",  # feature vectors per formula (and feature-set version)
    "predictions",  # model predictions with intervals
    "md_runs",  # MD runs and their transport results
    "al_rounds",  # active-learning rounds: training set, manifest, batch, labels, metrics
    "screen",  # ranked screening results
    "stage_runs",  # which stage ran with which inputs (for resume)
)

metadata = MetaData()


def _table(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("key", String(64), primary_key=True),
        Column("campaign", String(128), nullable=False, index=True),
        Column("stage", String(64), nullable=True, index=True),
        Column("formula", String(256), nullable=True, index=True),
        Column("payload", JSON, nullable=False),
        Column("provenance", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )


tables: dict[str, Table] = {name: _table(name) for name in TABLES}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cur.execute("PRAGMA busy_timeout=30000")  # concurrent writers wait instead of failing
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


@dataclass(frozen=True)
class Row:
    """A row read back from the store."""

    key: str
    campaign: str
    stage: str | None
    formula: str | None
    payload: dict[str, Any]
    provenance: dict[str, Any]
    created_at: dt.datetime


def sa_exc_operational(message: str) -> Exception:
    """An SQLAlchemy OperationalError carrying ``message`` (what SQLite would raise later)."""
    from sqlalchemy import exc as sa_exc

    return sa_exc.OperationalError(message, None, Exception(message))


def _bad_url(url: str, exc: BaseException) -> BaseException:
    """A :class:`~superionic.errors.BadURL` naming the (password-hidden) URL and what is wrong
    with it, for the errors a user's URL causes; any other exception is returned unchanged."""
    from sqlalchemy import exc as sa_exc

    from superionic.errors import BadURL

    try:
        from sqlalchemy.engine import make_url

        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL that does not even parse is shown as given
        shown = url.split("@")[-1] if "@" in url else url
    text = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    if isinstance(exc, sa_exc.NoSuchModuleError | ImportError):
        reason = f"unknown database dialect or missing driver ({text}); use sqlite:/// or " \
                 "postgresql+psycopg://"
    elif isinstance(exc, sa_exc.ArgumentError):
        reason = f"not a database URL ({text}); e.g. sqlite:///campaign.db"
    elif isinstance(exc, sa_exc.OperationalError | sa_exc.DatabaseError):
        reason = f"cannot use the database ({text})"
        if "readonly" in text or "read-only" in text:
            reason = f"the database is read-only ({text})"
        elif "not a database" in text:
            reason = f"the file is not an SQLite database ({text})"
    elif isinstance(exc, OSError):
        reason = f"cannot create the database's folder ({exc})"
    else:
        return exc
    return BadURL(f"database URL {shown}: {reason}", option="database_url", value=shown)


class Store:
    """A campaign store at ``url`` (``sqlite:///path/campaign.db`` or ``postgresql+psycopg://...``)."""

    def __init__(self, url: str, campaign: str = "default") -> None:
        self.url = url
        self.campaign = campaign
        try:
            self.engine: Engine = self._make_engine(url)
            metadata.create_all(self.engine)
        except Exception as exc:  # noqa: BLE001 - sorted below: a bad URL or a bug
            raise _bad_url(url, exc) from exc

    @staticmethod
    def _make_engine(url: str) -> Engine:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                if Path(path).is_dir():
                    raise sa_exc_operational(f"{path} is a folder, not a database file")
                if Path(path).exists() and not os.access(path, os.W_OK):
                    raise sa_exc_operational(f"{path}: attempt to write a readonly database")
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        if url.startswith("postgresql+psycopg:"):
            optional_import("psycopg", "a PostgreSQL store")  # psycopg 3: superionic[scale]
        return create_engine(url, pool_pre_ping=True)

    @classmethod
    def from_settings(cls, settings: Any, campaign: str = "default") -> Store:
        return cls(settings.store_url, campaign=campaign)

    def _insert(self, table: Table) -> Any:
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        if self.engine.dialect.name == "sqlite":
            return sqlite.insert(table)
        raise NotImplementedError(f"unsupported database dialect {self.engine.dialect.name!r}")

    def put(
        self,
        table: str,
        payloads: Iterable[Mapping[str, Any]],
        provenance: Mapping[str, Any],
        stage: str | None = None,
        formula_key: str = "formula",
    ) -> list[str]:
        """Write ``payloads`` to ``table`` in one transaction; return their content keys.

        The key hashes (campaign, stage, payload, provenance): the same row written twice is
        stored once. ``formula`` is taken from ``payload[formula_key]`` when present.
        """
        tbl = tables[table]
        now = dt.datetime.now(dt.UTC)
        rows, keys = [], []
        for payload in payloads:
            payload = dict(payload)
            key = content_key([self.campaign, stage, payload, dict(provenance)])
            keys.append(key)
            rows.append(
                dict(key=key, campaign=self.campaign, stage=stage,
                     formula=_as_str(payload.get(formula_key)), payload=jsonable(payload),
                     provenance=jsonable(dict(provenance)), created_at=now)
            )
        if rows:
            stmt = self._insert(tbl).on_conflict_do_nothing(index_elements=["key"])
            with self.engine.begin() as conn:
                for start in range(0, len(rows), 500):
                    conn.execute(stmt, rows[start:start + 500])
        return keys

    def get(self, table: str, stage: str | None = None, formula: str | None = None) -> list[Row]:
        """Rows of this campaign in ``table``, optionally filtered, oldest first."""
        tbl = tables[table]
        q = select(tbl).where(tbl.c.campaign == self.campaign)
        if stage is not None:
            q = q.where(tbl.c.stage == stage)
        if formula is not None:
            q = q.where(tbl.c.formula == formula)
        q = q.order_by(tbl.c.created_at, tbl.c.key)
        with self.engine.connect() as conn:
            return [Row(**r._mapping) for r in conn.execute(q)]

    def count(self, table: str, stage: str | None = None) -> int:
        tbl = tables[table]
        q = select(func.count()).select_from(tbl).where(tbl.c.campaign == self.campaign)
        if stage is not None:
            q = q.where(tbl.c.stage == stage)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def delete_stage(self, table: str, stage: str) -> int:
        """Remove this campaign's rows of ``stage`` from ``table`` (to redo a stage); returns count."""
        tbl = tables[table]
        with self.engine.begin() as conn:
            res = conn.execute(tbl.delete().where(tbl.c.campaign == self.campaign,
                                                  tbl.c.stage == stage))
            return int(res.rowcount or 0)

    def close(self) -> None:
        self.engine.dispose()


def _as_str(value: Any) -> str | None:
    return None if value is None else str(value)
