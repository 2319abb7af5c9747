"""Alembic's entry for the project's one schema (every service's tables): `shared.schema.migrate`
runs it with a connection of its own; `alembic -x url=... revision --autogenerate` compares the
models with a database to draft a new revision (docs/reliability.md, "Schema migrations")."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine

config = context.config


def target_metadata() -> Any:
    """The models, for autogenerate only: an upgrade runs the revisions as written."""
    from shared.schema import models

    return models()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # the alembic command line
        url = context.get_x_argument(as_dictionary=True).get("url")
        if not url:
            raise SystemExit("give the database: alembic -x url=sqlite:///.state/reply.db ...")
        with create_engine(url).connect() as own:
            configure_and_run(own)
        return
    configure_and_run(connection)


def configure_and_run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),
        # SQLite alters a table by copying it; PostgreSQL in place.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
