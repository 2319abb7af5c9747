"""The channel mix: the groups of the national statistics and each group's share of inquiries.

The national figures (docs/design.md) group the channels as phone, in person, letter/fax, digital and
other; digital is e-mail + chat + self-service. No channel of ours is "other", so its share is
always zero: it stays in the mix so that the target adds up to 100 %.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from shared.vocabulary import DIGITAL_CHANNELS, Channel


class MixGroup(StrEnum):
    PHONE = "phone"
    IN_PERSON = "in_person"
    LETTER_FAX = "letter_fax"
    DIGITAL = "digital"
    OTHER = "other"


GROUP_TITLES = {
    MixGroup.PHONE: "phone",
    MixGroup.IN_PERSON: "in person",
    MixGroup.LETTER_FAX: "letter/fax",
    MixGroup.DIGITAL: "digital",
    MixGroup.OTHER: "other",
}

# The national average of 2005, the strategy's target (docs/design.md).
NATIONAL_TARGET: dict[MixGroup, float] = {
    MixGroup.PHONE: 0.46,
    MixGroup.IN_PERSON: 0.19,
    MixGroup.LETTER_FAX: 0.02,
    MixGroup.DIGITAL: 0.29,
    MixGroup.OTHER: 0.04,
}


def mix_group(channel: Channel) -> MixGroup:
    if channel in DIGITAL_CHANNELS:
        return MixGroup.DIGITAL
    if channel is Channel.LETTER:
        return MixGroup.LETTER_FAX
    if channel is Channel.IN_PERSON:
        return MixGroup.IN_PERSON
    return MixGroup.PHONE


def group_counts(per_channel: Mapping[Channel, int]) -> dict[MixGroup, int]:
    counts = dict.fromkeys(MixGroup, 0)
    for channel, count in per_channel.items():
        counts[mix_group(channel)] += count
    return counts


def shares(counts: Mapping[MixGroup, int]) -> dict[MixGroup, float]:
    """Each group's share of the total; all zero when nothing was counted."""
    total = sum(counts.values())
    return {g: (counts.get(g, 0) / total if total else 0.0) for g in MixGroup}
