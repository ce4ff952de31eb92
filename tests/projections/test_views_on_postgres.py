"""The same equivalence on PostgreSQL: a fixed (seeded) history through the application on a
fresh schema, the views on the same URL (``views_engine`` sets ``search_path`` to the URL's
schema), caught up in random batches with restarts; they equal a rebuild in place, and the
same history's views on SQLite.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from history_walk import TODAY, SeededChooser
from projection_support import (
    ledger_on,
    rebuild_batches,
    scratch,
    sqlite_url,
    views_on,
    walk_and_follow,
)
from sqlalchemy import text
from view_snapshots import Scope, all_tables, assert_same, snapshot

from projections.runner import ProjectionRunner

SEED, STEPS = 2024, 160


@pytest.mark.postgres
def test_views_kept_up_on_postgresql_equal_a_rebuild_and_the_same_history_on_sqlite(
    postgres_url: str,
) -> None:
    schema = parse_qs(urlsplit(postgres_url).query)["schema"][0]
    with ledger_on(postgres_url) as ledger, views_on(postgres_url) as engine:
        walk, follower = walk_and_follow(ledger, engine, SeededChooser(SEED), steps=STEPS)
        assert follower.restarts > 0
        with engine.connect() as conn:
            tables = set(
                conn.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = :s"
                    ),
                    {"s": schema},
                ).scalars()
            )
        assert {t.name for t in all_tables()} <= tables, "the views are not in the URL's schema"
        scope = Scope.of(walk, TODAY)
        incremental = snapshot(engine, scope)
        runner = ProjectionRunner(ledger, engine)
        runner.rebuild()
        assert_same(snapshot(engine, scope), incremental, context="rebuilt in place")
        with rebuild_batches(page=3, commit_every=10):
            runner.rebuild()
        assert_same(snapshot(engine, scope), incremental, context="rebuilt in small batches")

    with scratch() as tmp:
        url = sqlite_url(tmp, "journey.db")
        with ledger_on(url) as ledger, views_on(url) as engine:
            walk_and_follow(ledger, engine, SeededChooser(SEED), steps=STEPS)
            assert_same(snapshot(engine, scope), incremental, context="SQLite vs PostgreSQL")
