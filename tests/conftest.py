"""Test tiers: plain unit tests, handler tests on FastStream's in-memory broker, and integration
tests (marker `kafka`) against a real Apache Kafka broker, started once per test session on its
own port unless KAFKA_BOOTSTRAP_SERVERS points at one."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from benchmarks.broker import broker, kafka_version
from benchmarks.pipeline import free_port
from shared.database import make_engine
from shared.schema import migrate
from shared.settings import ServiceSettings

REPO = Path(__file__).resolve().parent.parent


def run_module(*argv: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m ARGV` from the repository, as a person runs it, with what it printed."""
    return subprocess.run(
        [sys.executable, "-m", *argv],
        cwd=REPO,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


TEST_KAFKA_PORT = int(os.environ.get("TEST_KAFKA_PORT", "29092"))

__all__ = ["free_port"]


def migrated(url: str) -> str:
    """The database at `url`, brought to the newest schema revision (shared.schema.migrate)."""
    engine = make_engine(ServiceSettings(database_url=url))
    try:
        migrate(engine)
    finally:
        engine.dispose()
    return url


def pytest_report_header(config: pytest.Config) -> list[str]:
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    where = external or f"127.0.0.1:{TEST_KAFKA_PORT} (started for this session)"
    return [f"kafka broker: Apache Kafka {kafka_version()} at {where}"]


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    with broker(os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), TEST_KAFKA_PORT) as bootstrap:
        yield bootstrap


@pytest.fixture
def topic_prefix() -> str:
    """Every test gets topics of its own."""
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each store test runs on SQLite and on PostgreSQL, in a fresh database of its own, with
    the schema made by the migrations, as `python -m services.<name> migrate` makes it."""
    if request.param == "sqlite":
        yield migrated(f"sqlite:///{tmp_path / 'store.db'}")
        return
    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        if os.environ.get("CI"):
            pytest.fail("TEST_POSTGRES_URL is not set: .ci/run starts PostgreSQL for CI")
        pytest.skip("PostgreSQL: run deploy/postgres/pgctl up; export TEST_POSTGRES_URL=$(...url)")
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield migrated(server.rsplit("/", 1)[0] + f"/{name}")
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
