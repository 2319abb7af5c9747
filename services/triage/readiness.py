"""Is the citizen digitally ready (the reply-channel rule's fourth rule)? The screening answers
when the profile has them, else a digital channel, else what the citizen's own words say; when
nothing tells, the citizen is not counted ready: the safe side, a person answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from services.triage.catalogue import fold
from shared.events import CitizenProfile
from shared.vocabulary import DIGITAL_CHANNELS, Channel


class ReadinessSource(StrEnum):
    SCREENING = "screening"
    CHANNEL = "channel"
    TEXT = "text"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Readiness:
    ready: bool
    source: ReadinessSource
    cue: str | None = None  # the citizen's words that told, when the text did


# Statements of having no PC or online banking come first: they hold the words of the others.
_NOT_READY = (
    "ingen computer", "ikke computer", "ikke en computer", "ingen pc", "ikke pc", "ikke en pc",
    "ikke nogen computer", "bruger ikke netbank", "ikke netbank", "ingen netbank",
    "kan ikke bruge computer", "kan ikke finde ud af computer", "kan ikke finde ud af nettet",
    "ikke på nettet", "ikke paa nettet", "ingen mitid", "no computer", "not have a computer",
    "don't have a computer",
    "dont have a computer", "no pc", "no online banking", "not use online banking",
    "don't use online banking", "not online", "no internet", "ingen internet",
    "ikke mitid", "ikke noget mitid", "no mitid", "don't have mitid", "dont have mitid",
    "not have mitid",
)  # fmt: skip
_READY = (
    "bruger netbank", "har computer", "har en computer", "har pc", "har en pc",
    "bruger computer", "use online banking", "uses online banking", "have a computer",
    "has a computer", "online banking every day", "bruger mitid", "har mitid",
    "mitid og netbank", "mitid hver dag", "mitid dagligt", "netbank hver dag", "netbank dagligt",
    "use mitid", "uses mitid", "have mitid",
)  # fmt: skip


def _pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    """The cues as written and with æøå folded, in one pattern over the lower-cased text:
    cheaper than folding every text."""
    spellings = sorted({s for cue in cues for s in (cue, fold(cue))}, key=lambda s: (-len(s), s))
    return re.compile(r"\b(" + "|".join(re.escape(s) for s in spellings) + r")\b")


_NOT_READY_PATTERN, _READY_PATTERN = _pattern(_NOT_READY), _pattern(_READY)
# Every cue holds one of these words (a test checks it): most texts hold none, and a substring
# test is cheap.
CUE_WORDS = ("computer", "pc", "netbank", "online", "internet", "nettet", "mitid")
CUES = _NOT_READY + _READY


def digital_readiness(channel: Channel, citizen: CitizenProfile, text: str) -> Readiness:
    if citizen.has_pc is not None and citizen.uses_netbank is not None:
        return Readiness(bool(citizen.has_pc and citizen.uses_netbank), ReadinessSource.SCREENING)
    if channel in DIGITAL_CHANNELS:
        return Readiness(True, ReadinessSource.CHANNEL)
    lowered = text.lower()
    if not any(word in lowered for word in CUE_WORDS):
        return Readiness(False, ReadinessSource.UNKNOWN)
    for pattern, ready in ((_NOT_READY_PATTERN, False), (_READY_PATTERN, True)):
        found = pattern.search(lowered)
        if found:
            return Readiness(ready, ReadinessSource.TEXT, found.group(0))
    return Readiness(False, ReadinessSource.UNKNOWN)
