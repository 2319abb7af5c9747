"""`insert_new`: rows in one transaction, a row whose key is there already skipped, and the count
of the rows that were new, on SQLite (the driver's count) and PostgreSQL (RETURNING)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlmodel import Session, select

from services.intake.settings import IntakeSettings
from services.intake.store import SeenMessage
from shared.database import insert_new, make_engine


def test_insert_new_counts_only_the_rows_that_were_new(database_url: str) -> None:
    engine = make_engine(IntakeSettings(database_url=database_url))
    now = datetime.now(UTC)

    def row(message_id: str) -> dict[str, object]:
        return {"channel": "chat", "channel_message_id": message_id, "inquiry_id": uuid.uuid4(),
                "seen_at": now}  # fmt: skip

    first = [row(f"m{i}") for i in range(30)]
    assert insert_new(engine, SeenMessage, first) == 30
    assert insert_new(engine, SeenMessage, first) == 0
    assert insert_new(engine, SeenMessage, [first[0], row("m30"), first[5], row("m31")]) == 2
    assert insert_new(engine, SeenMessage, [row("m32")]) == 1
    assert insert_new(engine, SeenMessage, [row("m32")]) == 0
    assert insert_new(engine, SeenMessage, []) == 0
    with Session(engine) as session:
        stored = session.exec(select(SeenMessage)).all()
    assert len(stored) == 33
    # A skipped repeat leaves the first row as it was.
    assert {s.channel_message_id: s.inquiry_id for s in stored}["m0"] == first[0]["inquiry_id"]
