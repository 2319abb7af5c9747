"""The cheapest adequate reply channel (docs/design.md, "Reply-channel rule").

Rules are evaluated in order; the first that decides, decides, and the recommendation carries
the rule in words a caseworker understands.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from services.triage.phrases import say
from services.triage.readiness import Readiness, digital_readiness
from shared.events import CitizenProfile
from shared.vocabulary import Channel, Complexity, Language, ReplyChannel

# Answering in the same conversation: the reply channel of each arrival channel.
SAME_CONVERSATION = {
    Channel.PHONE: ReplyChannel.PHONE,
    Channel.EMAIL: ReplyChannel.EMAIL,
    Channel.CHAT: ReplyChannel.CHAT,
    Channel.LETTER: ReplyChannel.LETTER,
    Channel.IN_PERSON: ReplyChannel.IN_PERSON,
    Channel.SELF_SERVICE: ReplyChannel.SELF_SERVICE,
}


@dataclass(frozen=True)
class ReplyChannelChoice:
    channel: ReplyChannel
    rule: int
    reason: str


def choose_reply_channel(
    *,
    channel: Channel,
    citizen: CitizenProfile,
    complexity: Complexity,
    written_decision: bool,
    self_service_url: str | None,
    costs: Mapping[ReplyChannel, float],
    offered: Collection[ReplyChannel] = frozenset(ReplyChannel),
    readiness: Readiness | None = None,
    language: Language = Language.DA,
) -> ReplyChannelChoice:
    """`readiness`: whether the citizen is digitally ready as triage judged it; by default the
    screening answers or a digital channel, as the design words rule 4."""

    def choice(
        reply_channel: ReplyChannel, rule: int, key: str, **values: Any
    ) -> ReplyChannelChoice:
        return ReplyChannelChoice(reply_channel, rule, say(key, language, **values))

    preferred = citizen.preferred_reply_channel
    if preferred is not None and preferred in offered:
        return choice(preferred, 1, "preferred", channel=preferred.value)

    if written_decision:
        if citizen.exempt_digital_post:
            return choice(ReplyChannel.LETTER, 2, "written.exempt")
        return choice(ReplyChannel.DIGITAL_POST, 2, "written")

    if citizen.needs_interpreter:
        return choice(ReplyChannel.IN_PERSON, 3, "interpreter")
    if citizen.reading_difficulties:
        if citizen.phone and not citizen.hearing_impairment:
            return choice(ReplyChannel.PHONE, 3, "reading.phone")
        return choice(ReplyChannel.IN_PERSON, 3, "reading.in_person")
    if citizen.hearing_impairment:
        if citizen.email:
            return choice(ReplyChannel.EMAIL, 3, "hearing.email")
        if citizen.address:
            return choice(ReplyChannel.LETTER, 3, "hearing.letter")
        return choice(ReplyChannel.IN_PERSON, 3, "hearing.in_person")

    ready = readiness or digital_readiness(channel, citizen, "")
    if complexity is Complexity.SIMPLE and self_service_url and ready.ready:
        why = say(f"ready.{ready.source.value}", language, cue=ready.cue)
        return choice(ReplyChannel.SELF_SERVICE, 4, "self_service", why=why, url=self_service_url)

    reachable = [
        (reply_channel, detail)
        for reply_channel, detail in (
            (ReplyChannel.PHONE, citizen.phone),
            (ReplyChannel.EMAIL, citizen.email),
            (ReplyChannel.LETTER, citizen.address),
        )
        if detail and reply_channel in offered
    ]
    if reachable:
        cheapest, _ = min(reachable, key=lambda pair: costs[pair[0]])
        came_by = SAME_CONVERSATION[channel]
        shift = say("shift", language, channel=channel.value) if cheapest is not came_by else ""
        return choice(cheapest, 5, "cheapest", channel=cheapest.value, shift=shift)
    same = SAME_CONVERSATION[channel]
    return choice(same, 5, "same_conversation", channel=same.value)
