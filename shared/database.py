"""The embedded-or-server database every service's store uses (SQLite default, PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, create_engine

from shared.settings import ServiceSettings


def make_engine(settings: ServiceSettings) -> Engine:
    url = settings.sqlalchemy_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            # WAL lets the caseworker tool read while the service writes.
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def insert_new(engine: Engine, table: type[SQLModel], rows: list[dict[str, Any]]) -> int:
    """Insert rows in one transaction, skipping any whose key is already there (redelivery)."""
    if not rows:
        return 0
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    with engine.begin() as connection:
        # Rows as parameters, not as one multi-VALUES statement: that costs more to compile than
        # to run (500 rows of 28 columns: 0.6 s against 0.05 s).
        statement = insert(table).on_conflict_do_nothing()
        if engine.dialect.name == "sqlite":
            # sqlite3's executemany counts the rows it inserted. With RETURNING, SQLAlchemy sent
            # multi-row statements, a new text for every batch size, and sqlite3 keeps the last
            # 128 it compiled: megabytes each for reply's plans (its memory rose by 130 MB).
            # Cheaper too: seen ids 34 -> 21 µs a row in batches of 12 (docs/performance.md).
            return connection.execute(statement, rows).rowcount
        keys = table.__table__.primary_key.columns  # type: ignore[attr-defined]
        return len(connection.execute(statement.returning(*keys), rows).all())
