"""A classification becomes a decision: the reply-channel rule's inputs, the queue, the reply
channel, and every reason, in the caseworker's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.triage.catalogue import Service
from services.triage.classifier import Classification, Classifier, Judgement
from services.triage.phrases import say
from services.triage.readiness import Readiness, ReadinessSource, digital_readiness
from services.triage.reply_channel import choose_reply_channel
from services.triage.routing import queue_for, queue_reason
from services.triage.settings import TriageSettings
from shared.events import Decision, Inquiry, Reason
from shared.vocabulary import Language


def decide(
    inquiry: Inquiry,
    found: Classification,
    settings: TriageSettings,
    version: str,
    language: Language | None = None,
) -> Decision:
    language = language or settings.reason_language
    queue = queue_for(found.complexity, found.department, inquiry.channel)
    service = found.service
    inputs = rule_inputs(inquiry, found, language)
    reply = choose_reply_channel(
        channel=inquiry.channel,
        citizen=inquiry.citizen,
        complexity=found.complexity,
        written_decision=inputs.written_decision,
        self_service_url=inputs.self_service_url,
        costs=settings.reply_channel_costs,
        offered=settings.offered_reply_channels,
        readiness=inputs.readiness,
        language=language,
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
            Reason(
                about="queue",
                text=queue_reason(queue, found.complexity, inquiry.channel, language),
            ),
            Reason(
                about="reply_channel",
                text=say("rule", language, rule=reply.rule, reason=reply.reason),
            ),
            *inputs.reasons,
        ],
        model_version=version,
        service_id=service.id if service else None,
        self_service_url=inputs.self_service_url if reply.rule == 4 else None,
        written_decision=inputs.written_decision,
        service_names={Language.DA: service.name_da, Language.EN: service.name_en}
        if service
        else None,
    )


@dataclass(frozen=True)
class RuleInputs:
    """The reply-channel rule's inputs for one inquiry, as triage uses them (the safe side
    where the model is unsure), with the reasons."""

    written_decision: bool
    self_service_url: str | None
    readiness: Readiness
    reasons: list[Reason]


def rule_inputs(inquiry: Inquiry, found: Classification, language: Language) -> RuleInputs:
    written, written_reason = _written(found.written_decision, found.service, language)
    link, link_reason = _self_service(found.self_service, found.service, language)
    readiness = digital_readiness(
        inquiry.channel, inquiry.citizen, f"{inquiry.subject or ''}\n{inquiry.text}"
    )
    reasons = [
        *([Reason(about="written_decision", text=written_reason)] if written_reason else []),
        *([Reason(about="self_service", text=link_reason)] if link_reason else []),
        Reason(about="digitally_ready", text=_readiness_reason(readiness, inquiry, language)),
    ]
    return RuleInputs(written, link, readiness, reasons)


def _written(
    judged: Judgement | None, service: Service | None, language: Language
) -> tuple[bool, str | None]:
    """Whether the answer must be given in writing: the model's judgement, and when it is not
    sure, yes (a decision given by phone is no decision); without a judgement, the service's."""
    if judged is None:
        return bool(service and service.written_decision), None
    if not judged.sure:
        return True, say("input.written.unsure", language, p=judged.probability)
    key = "input.written.yes" if judged.holds else "input.written.no"
    return judged.holds, say(key, language, p=judged.probability)


def _self_service(
    judged: Judgement | None, service: Service | None, language: Language
) -> tuple[str | None, str | None]:
    """The self-service link to guide to: only where the model is sure the matter has one and
    the catalogue gives it (a wrong link sends the citizen astray); without a judgement, the
    service's link."""
    link = service.self_service if service else None
    if judged is None:
        return link, None
    p = judged.probability
    if not judged.sure:
        return None, say("input.self_service.unsure", language, p=p)
    if not judged.holds:
        return None, say("input.self_service.no", language, p=p)
    if service is None or link is None:
        return None, say("input.self_service.no_link", language, p=p)
    name = service.name_en if language is Language.EN else service.name_da
    named = say("input.self_service.service", language, name=name, url=link)
    return link, say("input.self_service.yes", language, p=p, service=named)


def _readiness_reason(readiness: Readiness, inquiry: Inquiry, language: Language) -> str:
    if readiness.source is ReadinessSource.CHANNEL:
        return say("input.ready.channel", language, channel=inquiry.channel.value)
    if readiness.source is ReadinessSource.UNKNOWN:
        return say("input.ready.unknown", language)
    answer = "yes" if readiness.ready else "no"
    return say(f"input.ready.{readiness.source.value}.{answer}", language, cue=readiness.cue)


def decide_batch(
    inquiries: Sequence[Inquiry],
    classifier: Classifier,
    settings: TriageSettings,
    language: Language | None = None,
) -> list[Decision]:
    found = classifier.classify(inquiries)
    return [
        decide(i, f, settings, classifier.version, language)
        for i, f in zip(inquiries, found, strict=True)
    ]
