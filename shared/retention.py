"""How long each store keeps personal data, and the purge that enforces it.

A store lists its `Expiry`s (what, how many days, the delete); `python -m services.<name> purge`
runs them (docs/privacy.md). Deleting is by age alone, so the purge is safe to run at any time,
from cron or by hand, while the service runs."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, delete
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from shared.schema import migrated_engine
from shared.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


@dataclass(frozen=True)
class Expiry:
    what: str  # e.g. "stored originals"
    days: float
    purge: Callable[[datetime], int]  # deletes what is older than the cutoff, returns how many


def delete_rows(engine: Engine, table: type[SQLModel], *where: ColumnElement[bool]) -> int:
    """Delete the matching rows in one transaction; how many went."""
    with engine.begin() as connection:
        return connection.execute(delete(table).where(*where)).rowcount or 0


def run_purges(expiries: Sequence[Expiry], now: datetime | None = None) -> dict[str, int]:
    now = now or datetime.now(UTC)
    return {e.what: e.purge(now - timedelta(days=e.days)) for e in expiries}


def purge_command(settings: S, expiries_of: Callable[[S, Engine], Sequence[Expiry]]) -> int:
    """`python -m services.<name> purge`: prints what went, never what it held."""
    engine = migrated_engine(settings)
    try:
        expiries = expiries_of(settings, engine)
        purged = run_purges(expiries)
    finally:
        engine.dispose()
    for expiry in expiries:
        print(
            f"{settings.service_name}: purged {purged[expiry.what]} {expiry.what} "
            f"older than {expiry.days:g} days"
        )
    sys.stdout.flush()
    return 0
