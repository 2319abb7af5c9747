"""The benchmark's inquiry mix: every copy of the feed is new to intake, and a routed inquiry
tells which message it came from."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.utils import parsedate_to_datetime

from benchmarks.inquiry_mix import InquiryMix, Outcome
from benchmarks.load import expected, percentiles
from demo.feed import new_run_id
from services.intake.canonical import Normalised
from services.intake.normalise import read_messages
from shared.vocabulary import Channel


def test_each_copy_of_the_feed_carries_ids_of_its_own() -> None:
    mix = InquiryMix()
    size = len(mix.feed)
    messages = mix.messages(0, 3 * size)
    readable = [m for m in messages if m.outcome is Outcome.INQUIRY]
    assert len({(m.body, m.headers) for m in readable}) == len(readable)
    for m in readable:
        carrier = dict(m.headers)["scan-id"] if m.channel is Channel.LETTER else m.body
        assert mix.number_in(carrier) == m.number


def test_every_inquirys_token_comes_through_intake() -> None:
    """The audit finds a routed inquiry's message by the token in its channel ids: intake must
    keep them. A run id of digits once spelt a CPR number with an e-mail's Message-ID
    ("bench010203.6811..."), intake masked it, and a chaos run counted 16 inquiries lost."""
    mix = InquiryMix()
    messages = [m for m in mix.messages(0, len(mix.feed)) if m.outcome is Outcome.INQUIRY]
    read = read_messages(
        [(m.channel, m.body, {k: v.decode() for k, v in m.headers}) for m in messages],
        salt="test-salt",
    )
    assert [mix.number_in(_inquiry_json(r)) for r in read] == [m.number for m in messages]


def _inquiry_json(read: object) -> bytes:
    assert isinstance(read, Normalised), read
    return read.inquiry.model_dump_json().encode()


def test_a_run_id_has_no_digits_to_spell_a_number_with() -> None:
    # One random id in about 450 spelt a date with hex digits: many draws show a regression.
    assert all(new_run_id().isalpha() for _ in range(2000))


def test_the_resent_email_stays_a_resend_of_its_original_in_every_copy() -> None:
    mix = InquiryMix()
    messages = mix.messages(0, 2 * len(mix.feed))
    by_number = {m.number: m for m in messages if m.outcome is Outcome.INQUIRY}
    resent = [m for m in messages if m.outcome is Outcome.DROPPED]
    assert len(resent) == 2
    assert all(by_number[m.number].body == m.body for m in resent)


def test_the_mix_accounts_for_unreadable_messages() -> None:
    mix = InquiryMix()
    messages = mix.messages(0, len(mix.feed))
    inquiries, dead = expected(messages)
    outcomes = Counter(m.outcome for m in messages)
    assert dead == outcomes[Outcome.DEAD_LETTER] == sum(r.malformed for r in mix.feed)
    assert len(inquiries) == outcomes[Outcome.INQUIRY]
    assert {m.channel for m in messages if m.outcome is Outcome.INQUIRY} == set(Channel)


def test_percentiles_are_nearest_rank() -> None:
    assert percentiles([float(v) for v in range(100, 0, -1)]) == {
        "p50": 50.0,
        "p95": 95.0,
        "p99": 99.0,
        "max": 100.0,
    }


def test_inquiries_of_the_benchmark_arrive_now_not_on_the_feeds_dates() -> None:
    mix = InquiryMix()
    arrival = mix.arrival.astimezone(UTC)
    for m in mix.messages(0, len(mix.feed)):
        if m.outcome is not Outcome.INQUIRY or m.channel is Channel.LETTER:
            continue
        if m.channel is Channel.EMAIL:
            dated = message_from_bytes(m.body)["Date"]
            assert abs(parsedate_to_datetime(dated) - arrival) < timedelta(seconds=1)
        else:
            stamps = [v for k, v in json.loads(m.body).items() if k.endswith("_at")]
            assert stamps
            assert all(datetime.fromisoformat(v) == arrival for v in stamps)
