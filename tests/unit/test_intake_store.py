from __future__ import annotations

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
