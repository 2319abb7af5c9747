"""Which queue a decision goes to (docs/design.md, "Queues")."""

from __future__ import annotations

from services.triage.phrases import say
from shared.vocabulary import (
    CITIZEN_SERVICE_QUEUE,
    CONTACT_CENTRE_QUEUE,
    MANUAL_TRIAGE_QUEUE,
    Channel,
    Complexity,
    Department,
    Language,
    specialist_queue,
)

# Citizen Service handles letters and visitors; the contact centre everything else.
_CITIZEN_SERVICE_CHANNELS = frozenset({Channel.LETTER, Channel.IN_PERSON})


def queue_for(complexity: Complexity, department: Department, channel: Channel) -> str:
    if complexity is Complexity.UNDETERMINED:
        return MANUAL_TRIAGE_QUEUE
    if complexity is Complexity.SPECIALIST:
        return specialist_queue(department)
    return CITIZEN_SERVICE_QUEUE if channel in _CITIZEN_SERVICE_CHANNELS else CONTACT_CENTRE_QUEUE


def queue_reason(
    queue: str, complexity: Complexity, channel: Channel, language: Language = Language.DA
) -> str:
    if complexity is Complexity.UNDETERMINED:
        return say("queue.manual", language)
    if complexity is Complexity.SPECIALIST:
        return say("queue.specialist", language, queue=queue)
    return say("queue.simple", language, channel=channel.value, queue=queue)
