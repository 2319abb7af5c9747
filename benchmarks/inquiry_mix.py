"""The benchmark's inquiries: copies of the demo feed (all six channels in the feed's mix,
the resent e-mail and the unreadable messages included), each message under channel ids of its own
so that intake takes every copy for a new inquiry, and every routed inquiry tells which message
it was."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from enum import StrEnum

from demo.feed import RawInquiry, load_feed, new_run_id, stamp
from shared.vocabulary import Channel


class Outcome(StrEnum):
    """What intake makes of a message; decides what the benchmark waits for."""

    INQUIRY = "inquiry"  # routed to a queue, triaged, planned, counted
    DEAD_LETTER = "dead_letter"  # unreadable: on deadletter.intake
    DROPPED = "dropped"  # a resend: nothing downstream


@dataclass(frozen=True)
class Message:
    number: int  # unique in the run; routed inquiries carry it in their channel ids
    channel: Channel
    body: bytes
    headers: tuple[tuple[str, bytes], ...]
    outcome: Outcome


def feed_outcomes(feed: Sequence[RawInquiry]) -> list[Outcome]:
    """What the feed says of itself (demo/feed/README.md): the malformed messages belong on the
    dead-letter topic, a byte-identical resend is dropped, every other message is an inquiry.
    Not intake's code: a pipeline that loses a readable inquiry fails the benchmark."""
    outcomes = []
    seen: set[tuple[bytes, tuple[tuple[str, bytes], ...]]] = set()
    for raw in feed:
        key = (raw.body, raw.headers)
        if raw.malformed:
            outcomes.append(Outcome.DEAD_LETTER)
        elif key in seen:
            outcomes.append(Outcome.DROPPED)
        else:
            outcomes.append(Outcome.INQUIRY)
        seen.add(key)
    return outcomes


_DATE_HEADER = re.compile(rb"^Date:[^\r\n]*", re.IGNORECASE | re.MULTILINE)
_TIME_FIELDS = ("received_at", "started_at", "submitted_at")


def arriving_now(raw: RawInquiry, now: datetime) -> RawInquiry:
    """The inquiry as if it came in at `now`. The feed's dates lie days back, so its reply
    deadlines would have passed and the reply service would be reporting them overdue while
    being measured, more with every day the benchmark is run later; live traffic arrives now.
    Letters carry no arrival time (intake takes the scan's) and unreadable ones stay as they are."""
    if raw.malformed or raw.channel is Channel.LETTER:
        return raw
    if raw.channel is Channel.EMAIL:
        date = b"Date: " + format_datetime(now).encode()
        return replace(raw, body=_DATE_HEADER.sub(date, raw.body, count=1))
    document = json.loads(raw.body)
    for name in _TIME_FIELDS:
        if isinstance(document.get(name), str):
            document[name] = now.isoformat()
    return replace(raw, body=json.dumps(document, ensure_ascii=False).encode())


class InquiryMix:
    """Message n is feed item n mod len(feed), stamped with a token that holds n.

    A byte-identical resend in the feed keeps the token of its original, so that it stays a
    resend in every copy.
    """

    def __init__(self, feed: Sequence[RawInquiry] | None = None) -> None:
        self.run = new_run_id(6)
        self.arrival = datetime.now(UTC)
        feed = feed if feed is not None else load_feed(f"bench{self.run}")
        self.feed = [arriving_now(raw, self.arrival) for raw in feed]
        self.outcomes = feed_outcomes(self.feed)
        first: dict[tuple[bytes, tuple[tuple[str, bytes], ...]], int] = {}
        self._original = [first.setdefault((r.body, r.headers), i) for i, r in enumerate(self.feed)]
        self._token = re.compile(rb"b" + self.run.encode() + rb"n(\d{8})")

    def token(self, number: int) -> str:
        return f"b{self.run}n{number:08d}"

    def messages(self, start: int, count: int) -> list[Message]:
        """Messages start .. start+count-1; numbers never repeat within one mix."""
        size = len(self.feed)
        out = []
        for number in range(start, start + count):
            copy, item = divmod(number, size)
            original = copy * size + self._original[item]
            raw = stamp(self.feed[item], self.token(original))
            out.append(Message(original, raw.channel, raw.body, raw.headers, self.outcomes[item]))
        return out

    def number_in(self, value: bytes) -> int | None:
        """The message a routed inquiry came from, by the token in its channel ids."""
        found = self._token.search(value)
        return int(found.group(1)) if found else None

    def shares(self) -> dict[str, float]:
        """The channel mix of one copy of the feed, and the share of each outcome."""
        size = len(self.feed)
        mix: dict[str, float] = {}
        for raw, outcome in zip(self.feed, self.outcomes, strict=True):
            key = raw.channel.value if outcome is Outcome.INQUIRY else outcome.value
            mix[key] = mix.get(key, 0.0) + 1 / size
        return {k: round(v, 4) for k, v in sorted(mix.items())}
