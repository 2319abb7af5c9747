"""The schema by Alembic migrations: what they make is what the models say, on SQLite and
PostgreSQL; a service refuses a database that is not migrated; instances migrating one
PostgreSQL database at the same moment take turns; databases made before migrations are kept."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from services.intake.store import SeenMessages
from services.metrics.settings import MetricsSettings
from shared.database import make_engine
from shared.schema import (
    SchemaNotCurrent,
    head,
    migrate,
    models,
    refuse_unless_current,
    require_current,
    revision_of,
)
from shared.settings import REPO_ROOT, ServiceSettings
from tests.conftest import run_module

HEAD = "0004_intake_claims"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(ServiceSettings(database_url=database_url))
    yield engine
    engine.dispose()


def test_the_migrations_make_the_schema_the_models_define(engine: Engine) -> None:
    assert revision_of(engine) == head() == HEAD
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, models()) == []


def test_migrating_again_changes_nothing(engine: Engine) -> None:
    assert migrate(engine) == (HEAD, HEAD)
    require_current(engine, "reply")


def test_a_service_refuses_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    with pytest.raises(SchemaNotCurrent, match=r"has no schema yet.*services\.metrics migrate"):
        require_current(make_engine(MetricsSettings(database_url=url)), "metrics")
    assert refuse_unless_current(MetricsSettings(database_url=url)) == 2


def _run(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    return run_module(
        *args, env={**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    )


def test_serve_says_why_it_does_not_start_and_migrate_is_the_step_that_fixes_it(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    refused = _run("services.metrics", "serve", database_url=url)
    assert refused.returncode == 2
    assert "metrics does not start: the database" in refused.stderr
    assert "run `python -m services.metrics migrate`" in refused.stderr
    done = _run("services.metrics", "migrate", database_url=url)
    assert done.returncode == 0, done.stderr
    assert f"migrated from nothing to {HEAD}" in done.stdout
    again = _run("services.metrics", "migrate", database_url=url)
    assert f"is at {HEAD} already" in again.stdout


@pytest.mark.postgres
def test_instances_migrating_one_postgresql_database_at_once_take_turns() -> None:
    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        pytest.skip("PostgreSQL: export TEST_POSTGRES_URL")
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + f"/{name}"
    try:
        env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
        # Four processes, as four services (or copies) started at the same moment.
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", f"services.{service}", "migrate"],
                cwd=REPO_ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for service in ("intake", "triage", "reply", "metrics")
        ]
        outputs = [run.communicate(timeout=180)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0, 0, 0], outputs
        assert sum(f"migrated from nothing to {HEAD}" in out for out in outputs) == 1, outputs
        assert sum(f"at {HEAD} already" in out for out in outputs) == 3, outputs
        engine = make_engine(ServiceSettings(database_url=url))
        try:
            assert revision_of(engine) == HEAD
            assert {"reply_plan", "intake_seen_message"} <= set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_database_made_before_migrations_keeps_its_rows_and_gains_the_rest(
    tmp_path: Path,
) -> None:
    engine = make_engine(ServiceSettings(database_url=f"sqlite:///{tmp_path / 'intake.db'}"))
    # As intake made it at start before: its own table only, no version.
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE intake_seen_message (channel VARCHAR NOT NULL,"
            " channel_message_id VARCHAR(998) NOT NULL, inquiry_id CHAR(32), seen_at DATETIME"
            " NOT NULL, PRIMARY KEY (channel, channel_message_id))"
        )
        connection.exec_driver_sql(
            "INSERT INTO intake_seen_message VALUES"
            " ('email', '<kept@example.dk>', NULL, '2026-11-30 10:00:00.000000')"
        )
    assert revision_of(engine) is None
    assert migrate(engine) == (None, HEAD)
    assert set(SeenMessages(engine).claimants([("email", "<kept@example.dk>")])) == {
        ("email", "<kept@example.dk>")
    }
    assert "reply_plan" in inspect(engine).get_table_names()
    engine.dispose()
