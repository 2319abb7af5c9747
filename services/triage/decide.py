"""A classification becomes a decision: the queue, the reply channel, and every reason."""

from __future__ import annotations

from collections.abc import Sequence

from services.triage.classifier import Classification, Classifier
from services.triage.reply_channel import choose_reply_channel
from services.triage.routing import queue_for, queue_reason
from services.triage.settings import TriageSettings
from shared.events import Decision, Inquiry, Reason
from shared.vocabulary import Language


def decide(
    inquiry: Inquiry, found: Classification, settings: TriageSettings, version: str
) -> Decision:
    queue = queue_for(found.complexity, found.department, inquiry.channel)
    service = found.service
    written = bool(service and service.written_decision)
    self_service_url = service.self_service if service else None
    reply = choose_reply_channel(
        channel=inquiry.channel,
        citizen=inquiry.citizen,
        complexity=found.complexity,
        written_decision=written,
        self_service_url=self_service_url,
        costs=settings.reply_channel_costs,
        offered=settings.offered_reply_channels,
    )
    return Decision(
        complexity=found.complexity,
        department=found.department,
        queue=queue,
        confidence=found.confidence,
        reply_channel=reply.channel,
        reasons=[
            Reason(about="complexity", text=found.complexity_evidence),
            Reason(about="department", text=found.department_evidence),
            Reason(about="queue", text=queue_reason(queue, found.complexity, inquiry.channel)),
            Reason(about="reply_channel", text=f"Rule {reply.rule}: {reply.reason}"),
        ],
        model_version=version,
        service_id=service.id if service else None,
        self_service_url=self_service_url if reply.rule == 4 else None,
        written_decision=written,
        service_names={Language.DA: service.name_da, Language.EN: service.name_en}
        if service
        else None,
    )


def decide_batch(
    inquiries: Sequence[Inquiry], classifier: Classifier, settings: TriageSettings
) -> list[Decision]:
    found = classifier.classify(inquiries)
    return [
        decide(i, f, settings, classifier.version) for i, f in zip(inquiries, found, strict=True)
    ]
