"""The campaign store: round trip, idempotence, atomicity, concurrency; SQLite and PostgreSQL.

PostgreSQL runs when ``SUPERIONIC_TEST_POSTGRES_URL`` is set (``.ci/run`` starts a server on
127.0.0.1 and sets it).
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing as mp
import os
import uuid

import pytest
from sqlalchemy.exc import StatementError

from superionic.store import TABLES, Store, tables

PG_URL = os.environ.get("SUPERIONIC_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'campaign.db'}"
    return PG_URL


def test_round_trip_every_table(store_url):
    store = Store(store_url, campaign=f"rt-{uuid.uuid4().hex[:8]}")
    prov = {"dataset": "obelix", "version": "4eaac88", "seed": 0}
    for table in TABLES:
        keys = store.put(table, [{"formula": "Li3ClO", "sigma_S_cm": 1.5e-3, "bad": math.nan}],
                         prov, stage="s1")
        rows = store.get(table, stage="s1")
        assert [r.key for r in rows] == keys
        assert rows[0].formula == "Li3ClO"
        assert rows[0].payload["sigma_S_cm"] == pytest.approx(1.5e-3, rel=0, abs=0)
        assert rows[0].payload["bad"] is None  # NaN is stored as null, not as a string
        assert rows[0].provenance == prov


def test_idempotent_writes(store_url):
    store = Store(store_url, campaign=f"idem-{uuid.uuid4().hex[:8]}")
    payloads = [{"formula": f"Li{i}Cl{i}", "x": i} for i in range(1, 50)]
    k1 = store.put("labels", payloads, {"dataset": "t"})
    k2 = store.put("labels", payloads, {"dataset": "t"})
    assert k1 == k2
    assert store.count("labels") == len(payloads)
    # a different provenance is a different row
    store.put("labels", payloads[:1], {"dataset": "other"})
    assert store.count("labels") == len(payloads) + 1


def test_batch_is_atomic(store_url):
    """A batch whose second row cannot be written leaves no trace of its first row."""
    store = Store(store_url, campaign=f"atom-{uuid.uuid4().hex[:8]}")
    store.put("labels", [{"formula": "LiCl", "x": 1}], {"dataset": "t"})
    batch = [{"formula": "LiF", "x": 2}, {"formula": "Li2O", "x": _Unserialisable()}]
    with pytest.raises((TypeError, StatementError)):
        _insert_in_one_transaction(store, batch)
    assert store.count("labels") == 1


class _Unserialisable:
    pass


def _insert_in_one_transaction(store, payloads):
    """Insert bypassing the store's JSON cleaning so the second row fails mid-transaction."""
    tbl = tables["labels"]
    with store.engine.begin() as conn:
        for p in payloads:
            conn.execute(tbl.insert(), [dict(key=uuid.uuid4().hex, campaign=store.campaign,
                                              stage=None, formula=p["formula"], payload=p,
                                              provenance={}, created_at=dt.datetime.now(dt.UTC))])


def _worker(args):
    url, campaign, worker = args
    store = Store(url, campaign=campaign)
    for i in range(200):
        store.put("md_runs", [{"formula": f"W{worker}", "i": i}], {"worker": worker})
    store.close()
    return worker


def test_concurrent_writers_lose_nothing(store_url):
    campaign = f"conc-{uuid.uuid4().hex[:8]}"
    Store(store_url, campaign=campaign).close()  # create tables before the race
    ctx = mp.get_context("spawn")
    with ctx.Pool(4) as pool:
        done = pool.map(_worker, [(store_url, campaign, w) for w in range(4)])
    assert sorted(done) == [0, 1, 2, 3]
    store = Store(store_url, campaign=campaign)
    assert store.count("md_runs") == 800
    for w in range(4):
        assert len(store.get("md_runs", formula=f"W{w}")) == 200


def test_campaigns_are_isolated(store_url):
    a = Store(store_url, campaign=f"a-{uuid.uuid4().hex[:8]}")
    b = Store(store_url, campaign=f"b-{uuid.uuid4().hex[:8]}")
    a.put("screen", [{"formula": "LiCl"}], {})
    assert b.count("screen") == 0
    assert a.delete_stage("screen", "none") == 0
