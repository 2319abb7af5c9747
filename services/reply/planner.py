"""The acknowledgement a citizen receives: on the recommended channel, with its deadline."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from services.reply.settings import ReplySettings
from shared.events import InquiryTriaged, ReplyPlan, derived_id
from shared.vocabulary import Language, ReplyChannel

_WEEKDAYS = {
    Language.DA: ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    Language.EN: ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    Language.DA: ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
                  "september", "oktober", "november", "december"),
    Language.EN: ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"),
}  # fmt: skip


def deadline_in_words(deadline: datetime, language: Language, zone: ZoneInfo) -> str:
    local = deadline.astimezone(zone)
    lang = Language.DA if language is Language.DA else Language.EN
    day = _WEEKDAYS[lang][local.weekday()]
    month = _MONTHS[lang][local.month - 1]
    if lang is Language.DA:
        return f"Du hører fra os senest {day} den {local.day}. {month} kl. {local:%H.%M}"
    return f"You will hear from us by {day} {local.day} {month}, {local:%H:%M}"


def _recipient(event: InquiryTriaged) -> str | None:
    citizen, reply_channel = event.inquiry.citizen, event.decision.reply_channel
    if reply_channel is ReplyChannel.PHONE:
        return citizen.phone
    if reply_channel is ReplyChannel.EMAIL:
        return citizen.email
    if reply_channel in (ReplyChannel.LETTER, ReplyChannel.DIGITAL_POST):
        return citizen.address or event.inquiry.citizen_key
    return None


def plan_acknowledgement(event: InquiryTriaged, settings: ReplySettings) -> ReplyPlan:
    inquiry, decision = event.inquiry, event.decision
    zone = ZoneInfo(settings.timezone)
    deadline = inquiry.received_at + settings.response_targets[inquiry.channel]
    language = Language.DA if inquiry.language is Language.DA else Language.EN
    when = deadline_in_words(deadline, language, zone)
    name = inquiry.citizen.name
    if language is Language.DA:
        greeting = f"Kære {name}" if name else "Kære borger"
        text = f"{greeting}\n\nTak for din henvendelse. Vi har modtaget den. {when}."
        if decision.self_service_url:
            text += f"\nDu kan også ordne det selv her: {decision.self_service_url}"
    else:
        greeting = f"Dear {name}" if name else "Dear citizen"
        text = f"{greeting}\n\nThank you for your inquiry; we have received it. {when}."
        if decision.self_service_url:
            text += f"\nYou can also do it yourself here: {decision.self_service_url}"
    reply_reason = next(
        (r.text for r in decision.reasons if r.about == "reply_channel"), "recommended by triage"
    )
    return ReplyPlan(
        plan_id=derived_id("plan", event.inquiry_id, "acknowledgement"),
        kind="acknowledgement",
        reply_channel=decision.reply_channel,
        language=language,
        deadline=deadline,
        deadline_text=when,
        text=text,
        reason=reply_reason,
        recipient=_recipient(event),
    )
