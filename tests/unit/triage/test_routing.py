from __future__ import annotations

import pytest

from services.triage.routing import queue_for
from shared.vocabulary import Channel, Complexity, Department


@pytest.mark.parametrize(
    ("complexity", "channel", "queue"),
    [
        (Complexity.SIMPLE, Channel.PHONE, "contact-centre"),
        (Complexity.SIMPLE, Channel.EMAIL, "contact-centre"),
        (Complexity.SIMPLE, Channel.CHAT, "contact-centre"),
        (Complexity.SIMPLE, Channel.SELF_SERVICE, "contact-centre"),
        (Complexity.SIMPLE, Channel.LETTER, "citizen-service"),
        (Complexity.SIMPLE, Channel.IN_PERSON, "citizen-service"),
        (Complexity.SPECIALIST, Channel.PHONE, "specialist.SOF"),
        (Complexity.SPECIALIST, Channel.LETTER, "specialist.SOF"),
        (Complexity.UNDETERMINED, Channel.EMAIL, "manual-triage"),
    ],
)
def test_queue_follows_complexity_channel_and_department(
    complexity: Complexity, channel: Channel, queue: str
) -> None:
    assert queue_for(complexity, Department.SOF, channel) == queue
