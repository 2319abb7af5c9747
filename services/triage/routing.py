"""Which queue a decision goes to (DESIGN.md, "Queues")."""

from __future__ import annotations

from shared.vocabulary import (
    CITIZEN_SERVICE_QUEUE,
    CONTACT_CENTRE_QUEUE,
    MANUAL_TRIAGE_QUEUE,
    Channel,
    Complexity,
    Department,
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


def queue_reason(queue: str, complexity: Complexity, channel: Channel) -> str:
    if complexity is Complexity.UNDETERMINED:
        return "Not confident enough to classify: a person triages it in manual-triage."
    if complexity is Complexity.SPECIALIST:
        return f"A specialist matter goes straight to the department's expert ({queue})."
    return f"A simple matter that came by {channel.value} is settled by {queue}."
