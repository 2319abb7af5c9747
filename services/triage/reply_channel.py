"""The cheapest adequate reply channel (DESIGN.md, "Reply-channel rule").

Rules are evaluated in order; the first that decides, decides, and the recommendation carries
the rule in words a caseworker understands.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from shared.events import CitizenProfile
from shared.vocabulary import DIGITAL_CHANNELS, Channel, Complexity, ReplyChannel

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
) -> ReplyChannelChoice:
    preferred = citizen.preferred_reply_channel
    if preferred is not None and preferred in offered:
        return ReplyChannelChoice(
            preferred, 1, f"The citizen asked to be answered by {preferred.value}."
        )

    if written_decision:
        if citizen.exempt_digital_post:
            return ReplyChannelChoice(
                ReplyChannel.LETTER,
                2,
                "The answer is a decision that must be given in writing, and the citizen is "
                "exempt from digital post: by letter.",
            )
        return ReplyChannelChoice(
            ReplyChannel.DIGITAL_POST,
            2,
            "The answer is a decision that must be given in writing: by digital post.",
        )

    if citizen.needs_interpreter:
        return ReplyChannelChoice(
            ReplyChannel.IN_PERSON, 3, "The citizen needs an interpreter: a meeting in person."
        )
    if citizen.reading_difficulties:
        if citizen.phone and not citizen.hearing_impairment:
            return ReplyChannelChoice(
                ReplyChannel.PHONE,
                3,
                "The citizen has reading difficulties and we have a phone number: a phone call.",
            )
        return ReplyChannelChoice(
            ReplyChannel.IN_PERSON,
            3,
            "The citizen has reading difficulties and cannot be phoned: a meeting in person.",
        )
    if citizen.hearing_impairment:
        if citizen.email:
            return ReplyChannelChoice(
                ReplyChannel.EMAIL, 3, "The citizen is hearing impaired: in writing by e-mail."
            )
        if citizen.address:
            return ReplyChannelChoice(
                ReplyChannel.LETTER,
                3,
                "The citizen is hearing impaired and we have no e-mail address: by letter.",
            )
        return ReplyChannelChoice(
            ReplyChannel.IN_PERSON,
            3,
            "The citizen is hearing impaired and we have no written contact details: in person.",
        )

    digitally_ready = (citizen.has_pc and citizen.uses_netbank) or channel in DIGITAL_CHANNELS
    if complexity is Complexity.SIMPLE and self_service_url and digitally_ready:
        why = (
            "wrote to us digitally"
            if channel in DIGITAL_CHANNELS
            else "has a PC and uses online banking"
        )
        return ReplyChannelChoice(
            ReplyChannel.SELF_SERVICE,
            4,
            f"A simple matter with a self-service solution, and the citizen {why}: "
            f"guide to self-service ({self_service_url}).",
        )

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
        shift = f" (it came by {channel.value})" if cheapest is not came_by else ""
        return ReplyChannelChoice(
            cheapest,
            5,
            f"{cheapest.value} is the cheapest channel we have contact details for{shift}.",
        )
    same = SAME_CONVERSATION[channel]
    return ReplyChannelChoice(
        same,
        5,
        f"We hold no contact details: the answer is given in the same conversation ({same.value}).",
    )
