"""The stores' schema, by Alembic migrations (shared/migrations): one history for every service's
tables, applied by an explicit step (`python -m services.<name> migrate`), never at service start.
A service refuses to start on a database whose schema is not the newest revision."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, NamedTuple

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Engine, make_url

from shared.database import make_engine
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# One number for every copy of every service: PostgreSQL's advisory lock around an upgrade, so
# that instances migrating at the same moment take turns (the second finds the work done).
MIGRATION_LOCK = 0x7472_6961_6765  # "triage"


class SchemaNotCurrent(RuntimeError):
    """The database's schema is older (or newer) than this code's newest revision."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    """The newest revision this code knows."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def revision_of(engine: Engine) -> str | None:
    """The revision a database is at; None when it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


class Migrated(NamedTuple):
    before: str | None  # None: the database had no schema version (new, or made before)
    after: str


def migrate(engine_or_settings: Engine | ServiceSettings) -> Migrated:
    """Bring the database to the newest revision. Safe to run at the same moment from several
    processes: on PostgreSQL they take turns by an advisory lock, and the ones that waited find
    the work done (`before` is then the newest revision already)."""
    engine = (
        engine_or_settings
        if isinstance(engine_or_settings, Engine)
        else make_engine(engine_or_settings)
    )
    config = alembic_config()
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        if postgres:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()
        try:
            before = MigrationContext.configure(connection).get_current_revision()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        finally:
            if postgres:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
    if not isinstance(engine_or_settings, Engine):
        engine.dispose()
    return Migrated(before, head())


def require_current(engine: Engine, service: str) -> None:
    """Raise SchemaNotCurrent, with what to do, unless the database is at the newest revision."""
    current, newest = revision_of(engine), head()
    if current == newest:
        return
    where = make_url(str(engine.url)).render_as_string(hide_password=True)
    state = "has no schema yet" if current is None else f"is at revision {current}"
    raise SchemaNotCurrent(
        f"the database {where} {state}, not at {newest} as this code needs: "
        f"run `python -m services.{service} migrate` (make migrate) first"
    )


def migrated_engine(settings: ServiceSettings) -> Engine:
    """The service's database, refused unless its schema is current."""
    engine = make_engine(settings)
    try:
        require_current(engine, settings.service_name)
    except BaseException:
        engine.dispose()
        raise
    return engine


def migrate_command(settings: ServiceSettings) -> int:
    """`python -m services.<name> migrate`: the explicit step before `serve`."""
    engine = make_engine(settings)
    where = make_url(str(engine.url)).render_as_string(hide_password=True)
    try:
        before, after = migrate(engine)
    finally:
        engine.dispose()
    if before == after:
        print(f"{settings.service_name}: {where} is at {after} already")
    else:
        print(f"{settings.service_name}: {where} migrated from {before or 'nothing'} to {after}")
    return 0


def refuse_unless_current(settings: ServiceSettings) -> int | None:
    """Before `serve`: 2 and the reason on stderr when the schema is not current, else None."""
    engine = make_engine(settings)
    try:
        require_current(engine, settings.service_name)
    except SchemaNotCurrent as problem:
        print(f"{settings.service_name} does not start: {problem}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return None


def models() -> MetaData:
    """Every store's tables, as the code defines them (for autogenerate and the schema test)."""
    from sqlmodel import SQLModel

    # Imported for their tables, which SQLModel's metadata collects.
    import privacy.store  # noqa: F401
    import services.intake.keys
    import services.intake.store
    import services.metrics.store
    import services.reply.tables
    import services.triage.store  # noqa: F401

    metadata: Any = SQLModel.metadata
    return metadata
