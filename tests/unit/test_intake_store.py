from __future__ import annotations

import hashlib
import uuid

from services.intake.settings import IntakeSettings
from services.intake.store import SeenMessages
from shared.database import make_engine


def test_seen_message_ids_survive_a_restart_and_repeat_without_error(database_url: str) -> None:
    settings = IntakeSettings(database_url=database_url)
    first = SeenMessages(make_engine(settings))
    inquiry_id = uuid.uuid4()
    first.remember([("email", "<a@x>", inquiry_id), ("phone", "ph-1", None)])
    first.remember([("email", "<a@x>", inquiry_id)])  # a replay after a crash
    first.engine.dispose()

    restarted = SeenMessages(make_engine(settings))
    assert restarted.already_seen([("email", "<a@x>"), ("email", "<b@x>"), ("phone", "ph-1")]) == {
        ("email", "<a@x>"),
        ("phone", "ph-1"),
    }


def test_originals_are_kept_once_by_content_and_read_back(database_url: str) -> None:
    from services.intake.store import Originals

    store = Originals(make_engine(IntakeSettings(database_url=database_url)))
    pdf = b"%PDF-1.4 \x00\xff binary bytes"
    digest = hashlib.sha256(pdf).hexdigest()
    store.keep([(digest, "application/pdf", pdf), (digest, "application/pdf", pdf)])
    store.keep([(digest, "application/pdf", pdf)])  # a redelivery: no error, nothing doubled
    kept = store.get(digest)
    assert kept is not None
    assert (kept.data, kept.content_type, kept.size_bytes) == (pdf, "application/pdf", len(pdf))
    assert store.get("0" * 64) is None
    store.engine.dispose()
