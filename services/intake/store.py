"""Intake's memory of the channels' own message ids: a redelivered or resent message is
recognised across restarts by a unique key, so it never becomes a second inquiry.

Each id is claimed by the raw record that first read it (its topic, partition and offset) before
that record's inquiry is published: the claim survives a crash between the two, and a copy of the
message on another record, on this instance or another, finds the id claimed by someone else."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import LargeBinary, bindparam
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from services.intake.settings import IntakeSettings
from shared.database import insert_new
from shared.retention import Expiry, delete_rows


@dataclass(frozen=True)
class Claim:
    channel: str
    channel_message_id: str
    inquiry_id: uuid.UUID | None
    record: str  # topic:partition:offset


class SeenMessage(SQLModel, table=True):
    __tablename__ = "intake_seen_message"

    channel: str = Field(primary_key=True)
    channel_message_id: str = Field(primary_key=True, max_length=998)
    inquiry_id: uuid.UUID | None = None
    # `topic:partition:offset` of the raw record whose inquiry this id became (docs/reliability.md).
    claimed_by: str | None = Field(default=None, max_length=300)
    seen_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


# One channel's ids a statement, `channel = ? AND id IN (...)`: SQLite searches the primary key
# for each, but scans all of it for a (channel, id) row-value IN, a cost that grew with every
# message intake had seen. Built once, its IN list expanded at execution, because building an ORM
# query for every batch cost more than the lookup (docs/performance.md).
_SEEN_ON_CHANNEL = select(
    SeenMessage.channel, SeenMessage.channel_message_id, SeenMessage.claimed_by
).where(
    col(SeenMessage.channel) == bindparam("channel"),
    col(SeenMessage.channel_message_id).in_(bindparam("ids", expanding=True)),
)


class SeenMessages:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claimants(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        """Of these (channel, message id) keys, those seen, each with the record that claimed it."""
        ids: dict[str, list[str]] = {}
        for channel, message_id in sorted(set(keys)):
            ids.setdefault(channel, []).append(message_id)
        found: dict[tuple[str, str], str | None] = {}
        if not ids:
            return found
        with self.engine.connect() as connection:
            for channel, some in ids.items():
                # Chunked: SQLite limits the number of bound parameters of one statement.
                for start in range(0, len(some), 400):
                    rows = connection.execute(
                        _SEEN_ON_CHANNEL, {"channel": channel, "ids": some[start : start + 400]}
                    )
                    found.update(((c, m), by) for c, m, by in rows)
        return found

    def claim(self, claims: Sequence[Claim]) -> dict[tuple[str, str], str | None]:
        """Claim each message id for its record, unless it is claimed already; returns every
        key's claimant. The first claim of a key wins, in the order given: a record that finds
        its own position there may publish (again, if its last attempt was not committed)."""
        now = datetime.now(UTC)
        insert_new(
            self.engine,
            SeenMessage,
            [
                {
                    "channel": c.channel,
                    "channel_message_id": c.channel_message_id,
                    "inquiry_id": c.inquiry_id,
                    "claimed_by": c.record,
                    "seen_at": now,
                }
                for c in claims
            ],
        )
        return self.claimants((c.channel, c.channel_message_id) for c in claims)

    def purge(self, before: datetime) -> int:
        return delete_rows(self.engine, SeenMessage, col(SeenMessage.seen_at) < before)

    def forget_inquiries(self, inquiry_ids: Iterable[uuid.UUID]) -> int:
        """A citizen's erasure: the channel ids of their inquiries (a Message-ID can name them)."""
        return delete_rows(
            self.engine, SeenMessage, col(SeenMessage.inquiry_id).in_(list(inquiry_ids))
        )


class StoredOriginal(SQLModel, table=True):
    """Bytes that never go on the bus: attachments, PDF letters, and the untouched originals
    of dead letters whose copy on the bus had its CPR numbers masked. Keyed by content."""

    __tablename__ = "intake_original"

    sha256: str = Field(primary_key=True, max_length=64)
    content_type: str = Field(max_length=255)
    size_bytes: int
    data: bytes = Field(sa_type=LargeBinary)
    stored_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class Originals:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def keep(self, originals: Iterable[tuple[str, str, bytes]]) -> None:
        """Store (sha256, content type, bytes); a file already there is not written again."""
        rows = {
            digest: {
                "sha256": digest,
                "content_type": content_type[:255],
                "size_bytes": len(data),
                "data": data,
                "stored_at": datetime.now(UTC),
            }
            for digest, content_type, data in originals
        }
        insert_new(self.engine, StoredOriginal, list(rows.values()))

    def get(self, sha256: str) -> StoredOriginal | None:
        with Session(self.engine) as session:
            return session.get(StoredOriginal, sha256)

    def purge(self, before: datetime) -> int:
        return delete_rows(self.engine, StoredOriginal, col(StoredOriginal.stored_at) < before)

    def forget(self, sha256s: Iterable[str]) -> int:
        """A citizen's erasure: the attachments of their inquiries."""
        return delete_rows(
            self.engine, StoredOriginal, col(StoredOriginal.sha256).in_(list(sha256s))
        )


def expiries(settings: IntakeSettings, engine: Engine) -> list[Expiry]:
    """What intake keeps and for how long (docs/privacy.md)."""
    return [
        Expiry("stored originals", settings.originals_retention_days, Originals(engine).purge),
        Expiry("seen message ids", settings.seen_retention_days, SeenMessages(engine).purge),
    ]
