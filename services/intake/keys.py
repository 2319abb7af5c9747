"""The HTTP gateway's API keys, kept as hashes in intake's store: `python -m services.intake keys
add|rotate|revoke|list` changes them while the service runs, and the gateway sees the change
within `INTAKE_GATEWAY_KEYS_REFRESH_SECONDS`. A key is shown once, when it is made.

A key is 32 random bytes, so a plain SHA-256 of it cannot be reversed or guessed; a slow
password hash would only slow every request down."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from shared.vocabulary import Channel

KEY_PREFIX = "itk_"  # recognisable in a leaked-secret scan


class GatewayKey(SQLModel, table=True):
    __tablename__ = "intake_gateway_key"

    key_hash: str = Field(primary_key=True, max_length=64)  # SHA-256 of the key, hex
    adapter: str = Field(index=True, max_length=100)
    channels: str = Field(max_length=200)  # comma-separated channel names
    rate_per_minute: int | None = None  # None: the gateway's default
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class Grant:
    """What a presented key allows: who it is, where it may post, how often."""

    adapter: str
    channels: frozenset[Channel]
    rate_per_minute: int | None = None


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class GatewayKeys:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, adapter: str, channels: list[Channel], rate_per_minute: int | None = None) -> str:
        """A new key for the adapter (its earlier keys stay valid); returns the key, once."""
        if not channels:
            raise ValueError("name at least one channel the adapter may post to")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with Session(self.engine) as session:
            session.add(
                GatewayKey(
                    key_hash=key_hash(key),
                    adapter=adapter,
                    channels=",".join(sorted(c.value for c in channels)),
                    rate_per_minute=rate_per_minute,
                )
            )
            session.commit()
        return key

    def rotate(self, adapter: str) -> str:
        """A new key with the adapter's channels and rate; its other keys are revoked."""
        current = self._active_rows(adapter)
        if not current:
            raise LookupError(f"adapter {adapter!r} has no active key to rotate")
        newest = max(current, key=lambda row: row.created_at)
        channels = [Channel(c) for c in newest.channels.split(",")]
        key = self.add(adapter, channels, newest.rate_per_minute)
        self._revoke(adapter, keep=key_hash(key))
        return key

    def revoke(self, adapter: str) -> int:
        """Revoke every key of the adapter; how many."""
        return self._revoke(adapter, keep=None)

    def _revoke(self, adapter: str, keep: str | None) -> int:
        statement = (
            update(GatewayKey)
            .where(col(GatewayKey.adapter) == adapter, col(GatewayKey.revoked_at).is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        if keep is not None:
            statement = statement.where(col(GatewayKey.key_hash) != keep)
        with self.engine.begin() as connection:
            return connection.execute(statement).rowcount or 0

    def _active_rows(self, adapter: str | None = None) -> list[GatewayKey]:
        query = select(GatewayKey).where(col(GatewayKey.revoked_at).is_(None))
        if adapter is not None:
            query = query.where(GatewayKey.adapter == adapter)
        with Session(self.engine) as session:
            return list(session.exec(query))

    def active(self) -> dict[str, Grant]:
        """Every valid key's hash and what it allows."""
        return {
            row.key_hash: Grant(
                row.adapter,
                frozenset(Channel(c) for c in row.channels.split(",")),
                row.rate_per_minute,
            )
            for row in self._active_rows()
        }

    def listing(self) -> list[tuple[str, str, int | None, int]]:
        """(adapter, channels, rate per minute, active keys), never a key or a hash."""
        count: dict[tuple[str, str, int | None], int] = {}
        for row in self._active_rows():
            entry = (row.adapter, row.channels, row.rate_per_minute)
            count[entry] = count.get(entry, 0) + 1
        return [(a, c, r, n) for (a, c, r), n in sorted(count.items(), key=lambda i: i[0][0])]
