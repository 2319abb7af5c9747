"""The reply to one triaged inquiry: on the recommended channel (or the cheapest one the
municipality can reach the citizen by, when details are missing), in the inquiry's language,
with the deadline the channel's response target gives, and the reason for the channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.reply.business_hours import BusinessCalendar
from services.reply.settings import ReplySettings
from services.reply.templates import MessageKind, ReplyTemplates, TemplateProblem
from shared.events import CitizenProfile, Inquiry, InquiryTriaged, ReplyPlan, derived_id
from shared.vocabulary import Language, ReplyChannel

Delivery = Literal["email", "outbox", "callback", "conversation"]

# Channels answered in the conversation itself need no contact details.
_IN_CONVERSATION = frozenset({ReplyChannel.CHAT, ReplyChannel.IN_PERSON})

_CHANNEL_WORDS = {
    ReplyChannel.PHONE: "phone number",
    ReplyChannel.EMAIL: "e-mail address",
    ReplyChannel.LETTER: "postal address",
    ReplyChannel.DIGITAL_POST: "CPR key or postal address for digital post",
}


class CannotPlan(ValueError):
    """No reply can be planned; the message says why, for a dead letter."""


@dataclass(frozen=True)
class Route:
    """How the reply reaches the citizen."""

    reply_channel: ReplyChannel
    delivery: Delivery
    recipient: str | None
    note: str | None = None


def contact_for(channel: ReplyChannel, inquiry: Inquiry) -> str | None:
    """The detail a reply by `channel` needs, if the municipality holds it."""
    citizen: CitizenProfile = inquiry.citizen
    match channel:
        case ReplyChannel.PHONE:
            return citizen.phone
        case ReplyChannel.EMAIL:
            return citizen.email
        case ReplyChannel.LETTER:
            if not citizen.address:
                return None
            return f"{citizen.name}\n{citizen.address}" if citizen.name else citizen.address
        case ReplyChannel.DIGITAL_POST:
            # Digital post is addressed by CPR number: the gateway resolves the salted key
            # through intake (the only store that holds the number), or looks the citizen up in
            # the CPR register by name and address.
            return inquiry.citizen_key or contact_for(ReplyChannel.LETTER, inquiry)
    return None


def _delivery(channel: ReplyChannel) -> Delivery:
    if channel is ReplyChannel.EMAIL:
        return "email"
    if channel is ReplyChannel.PHONE:
        return "callback"
    return "outbox"


def route_reply(
    recommended: ReplyChannel, inquiry: Inquiry, fallback: tuple[ReplyChannel, ...]
) -> Route:
    if recommended in _IN_CONVERSATION:
        return Route(recommended, "conversation", None)
    if recommended is ReplyChannel.SELF_SERVICE:
        # The link must reach the citizen: by e-mail, else by SMS, else in the web form's
        # receipt or the chat where the inquiry was made.
        if inquiry.citizen.email:
            return Route(recommended, "email", inquiry.citizen.email)
        if inquiry.citizen.phone:
            return Route(recommended, "outbox", inquiry.citizen.phone)
        return Route(recommended, "conversation", None)

    detail = contact_for(recommended, inquiry)
    if detail:
        return Route(recommended, _delivery(recommended), detail)
    missing = f"No {_CHANNEL_WORDS[recommended]} on file for a reply by {recommended.value}"
    candidates = (
        (ReplyChannel.LETTER, *fallback) if recommended is ReplyChannel.DIGITAL_POST else fallback
    )
    for candidate in candidates:
        detail = contact_for(candidate, inquiry)
        if detail and candidate is not recommended:
            return Route(
                candidate,
                _delivery(candidate),
                detail,
                f"{missing}: answered by {candidate.value}.",
            )
    same = ReplyChannel(inquiry.channel.value)
    if same in _IN_CONVERSATION or same is ReplyChannel.SELF_SERVICE:
        return Route(same, "conversation", None, f"{missing}: answered in the conversation.")
    raise CannotPlan(
        f"{missing}, and the citizen has no phone number, e-mail address or postal address on "
        f"file: the inquiry came by {inquiry.channel.value}, which cannot carry an answer back"
    )


def _kind(route: Route, self_service_url: str | None) -> MessageKind:
    if route.delivery == "callback":
        return "callback"
    if route.reply_channel is ReplyChannel.SELF_SERVICE and self_service_url:
        return "reply"
    return "acknowledgement"


def _channel_reason(event: InquiryTriaged, route: Route) -> str:
    decided = next(
        (r.text for r in event.decision.reasons if r.about == "reply_channel"),
        "Recommended by triage.",
    )
    came_by = event.inquiry.channel
    parts = []
    if route.reply_channel.value != came_by.value and route.delivery != "conversation":
        parts.append(
            f"Channel shift on reply: it came by {came_by.value}, "
            f"we answer by {route.reply_channel.value}."
        )
    parts.append(decided)
    if route.note:
        parts.append(route.note)
    return " ".join(parts)


def plan_reply(
    event: InquiryTriaged,
    *,
    settings: ReplySettings,
    calendar: BusinessCalendar,
    templates: ReplyTemplates,
) -> ReplyPlan:
    """The plan for one triaged inquiry; raises CannotPlan with a reason a person can act on."""
    inquiry, decision = event.inquiry, event.decision
    route = route_reply(decision.reply_channel, inquiry, settings.contact_fallback)
    kind = _kind(route, decision.self_service_url)
    deadline = calendar.deadline(inquiry.received_at, settings.response_targets[inquiry.channel])
    wanted = (
        inquiry.language if inquiry.language is not Language.OTHER else settings.language_for_other
    )
    try:
        rendered = templates.render(
            kind,
            wanted,
            local_deadline=deadline.astimezone(calendar.zone),
            show_time=not calendar.closes_at(deadline),
            context={
                "name": inquiry.citizen.name or "",
                "matter": decision.service_names or {},
                "municipality": settings.municipality,
                "self_service_url": decision.self_service_url or "",
                "phone": inquiry.citizen.phone or "",
            },
        )
    except TemplateProblem as problem:
        raise CannotPlan(str(problem)) from problem
    notes = [n for n in (route.note,) if n] + rendered.notes
    return ReplyPlan(
        plan_id=derived_id("plan", event.inquiry_id),
        kind=kind,
        reply_channel=route.reply_channel,
        language=rendered.language,
        deadline=deadline,
        deadline_text=rendered.deadline_text,
        text=rendered.text,
        reason=_channel_reason(event, route),
        recipient=route.recipient,
        subject=rendered.subject or None,
        delivery=route.delivery,
        notes=notes,
    )
