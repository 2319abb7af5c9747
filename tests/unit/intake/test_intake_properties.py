"""Nothing lost, nothing doubled: whatever arrives on whatever raw topic, every record ends as
exactly one inquiry, dead letter or ignored message, and the handler never raises."""

from __future__ import annotations

import json
from collections import Counter
from email.header import Header
from pathlib import Path
from typing import Any

from aiokafka import ConsumerRecord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.intake.handler import DEAD_LETTER, RECEIVED, process_raw_batch
from services.intake.settings import IntakeSettings
from services.intake.store import Originals, SeenMessages
from shared.database import make_engine
from shared.events import DeadLettered, InquiryReceived
from shared.topics import INQUIRIES_RECEIVED, TopicNames, deadletter_topic, raw_topic
from shared.vocabulary import Channel
from tests.conftest import migrated
from tests.intake_claims import ClaimsInMemory

NAMES = TopicNames("prop.")
SALT = "a-test-salt-of-some-length"
TOPICS = [raw_topic(c) for c in Channel] + ["intake.raw.fax", "somewhere.else"]

words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=80
)
ids = st.text(min_size=0, max_size=12)
cpr_like = st.builds(
    lambda d, m, y, s, dash: f"{d:02d}{m:02d}{y:02d}{'-' if dash else ''}{s:04d}",
    st.integers(1, 31),
    st.integers(1, 12),
    st.integers(0, 99),
    st.integers(0, 9999),
    st.booleans(),
)
text = st.one_of(words, st.builds(lambda a, c, b: f"{a} {c} {b}", words, cpr_like, words))


def _json(document: Any) -> bytes:
    return json.dumps(document).encode()


def _mail(body: str, subject: str, message_id: str, auto: bool) -> bytes:
    """RFC 5322 bytes as a mail server would hand them over (built by hand: the stdlib's
    message builder refuses some ids that real senders nevertheless use)."""
    one_line = " ".join(message_id.split())
    head = (
        f"From: Borger <borger@example.dk>\r\nTo: borgerservice@kk.dk\r\n"
        f"Subject: {Header(subject, 'utf-8').encode()}\r\nMessage-ID: <{one_line}@x>\r\n"
        + ("Auto-Submitted: auto-replied\r\n" if auto else "")
        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return head.encode() + body.encode() + b"\r\n"


def _multipart(body: str, content_type: bytes, filename: bytes) -> bytes:
    """A mail with an attachment whose headers hold arbitrary bytes (a broken client's)."""
    content_type, filename = (
        v.replace(b"\r", b"").replace(b"\n", b"") for v in (content_type, filename)
    )
    return (
        b"From: a@example.dk\r\nSubject: bilag\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body.encode() + b"\r\n--B\r\n"
        b"Content-Type: "
        + content_type
        + b'\r\nContent-Disposition: attachment; filename="'
        + filename
        + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\naGVq\r\n--B--\r\n'
    )


valid_looking = st.one_of(
    st.builds(_mail, text, text, ids, st.booleans()),
    st.builds(_multipart, text, st.binary(max_size=40), st.binary(max_size=40)),
    st.builds(
        lambda i, n, o: _json({"call_id": i, "note": n, "outcome": o}),
        ids,
        text,
        st.sampled_from([None, "transferred", "nonsense"]),
    ),
    st.builds(lambda i, n: _json({"visit_id": i, "note": n}), ids, text),
    st.builds(
        lambda i, turns: _json({"session_id": i, "turns": turns}),
        ids,
        st.lists(
            st.fixed_dictionaries(
                {"from": st.sampled_from(["citizen", "agent", "bot"]), "text": text}
            ),
            max_size=4,
        ),
    ),
    st.builds(lambda i, t: _json({"submission_id": i, "text": t}), ids, text),
    st.builds(lambda t: t.encode("utf-8", "surrogatepass"), text),
    st.builds(
        lambda i: _json(
            {
                "type": "notification_event",
                "topic": "x",
                "data": {
                    "item": {"id": i, "source": {"body": "<p>hej</p>", "author": {"type": "user"}}}
                },
            }
        ),
        ids,
    ),
)
raw_bodies = st.one_of(st.binary(max_size=300), valid_looking)
records = st.lists(
    st.tuples(st.sampled_from(TOPICS), raw_bodies, st.sampled_from([(), (("scan-id", b"s1"),)])),
    min_size=1,
    max_size=12,
)


def as_records(
    drawn: list[tuple[str, bytes, tuple[tuple[str, bytes], ...]]], offset: int
) -> list[Any]:
    return [
        ConsumerRecord(NAMES(topic), 0, offset + n, 0, 0, None, body, None, 0, len(body), headers)
        for n, (topic, body, headers) in enumerate(drawn)
    ]


class Store:
    """The real store on SQLite, one per test session of examples (repeats are duplicates)."""

    seen: SeenMessages | None = None
    originals: Originals | None = None


def test_count_in_equals_inquiries_plus_dead_letters_plus_ignored(tmp_path: Path) -> None:
    engine = make_engine(IntakeSettings(database_url=migrated(f"sqlite:///{tmp_path}/s.db")))
    Store.seen = SeenMessages(engine)
    Store.originals = Originals(engine)
    offsets = iter(range(0, 10**9, 100))

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(records)
    def property_holds(drawn: list[tuple[str, bytes, tuple[tuple[str, bytes], ...]]]) -> None:
        assert Store.seen is not None
        batch = process_raw_batch(
            as_records(drawn, next(offsets)), seen=Store.seen, names=NAMES, salt=SALT
        )
        assert Store.originals is not None
        Store.originals.keep(batch.originals)  # as the service does: originals, then publish
        outcomes = Counter(outcome for _, outcome in batch.outcomes)
        assert sum(outcomes.values()) == len(drawn)
        received = [o for o in batch.outgoing if o.topic == INQUIRIES_RECEIVED]
        dead = [o for o in batch.outgoing if o.topic == deadletter_topic("intake")]
        assert len(received) == outcomes[RECEIVED]
        assert len(dead) == outcomes[DEAD_LETTER]
        assert len(received) + len(dead) == len(batch.outgoing)
        for outgoing in batch.outgoing:  # every event is valid on the wire
            schema = InquiryReceived if outgoing.topic == INQUIRIES_RECEIVED else DeadLettered
            schema.model_validate_json(outgoing.event.model_dump_json())
        for letter in dead:
            assert isinstance(letter.event, DeadLettered)
            assert letter.event.dead_letter.reason

    property_holds()


def test_a_message_near_the_record_limit_still_fits_in_one_record_out() -> None:
    """A publish that cannot succeed would stop intake: what it sends must fit in 1 MiB."""
    limit = 1024 * 1024
    seen = ClaimsInMemory()
    long_mail = _mail("Jeg har et spørgsmål om min sag. " * 28_000, "Lang", "long", auto=False)
    garbage = b"\xff" + b"cpr 120385-1234 \x00" * 58_000
    assert len(long_mail) < limit
    assert len(garbage) < limit
    drawn = [("intake.raw.email", long_mail, ()), ("intake.raw.letter", garbage, ())]
    batch = process_raw_batch(as_records(drawn, 0), seen=seen, names=NAMES, salt=SALT)
    assert sorted(outcome for _, outcome in batch.outcomes) == [DEAD_LETTER, RECEIVED]
    for outgoing in batch.outgoing:
        assert len(outgoing.event.model_dump_json().encode()) < limit - 10_000
    kept = {digest: data for digest, _, data in batch.originals}
    assert long_mail in kept.values(), "the whole e-mail stays in intake's store"
    assert garbage in kept.values(), "the whole dead letter stays in intake's store"
