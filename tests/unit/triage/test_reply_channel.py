"""The reply-channel rule of docs/design.md, rule by rule: the first rule that decides, decides."""

from __future__ import annotations

import pytest

from services.triage.readiness import (
    CUE_WORDS,
    CUES,
    Readiness,
    ReadinessSource,
    digital_readiness,
)
from services.triage.reply_channel import choose_reply_channel
from services.triage.settings import DEFAULT_REPLY_CHANNEL_COSTS
from shared.events import CitizenProfile
from shared.vocabulary import Channel, Complexity, Language, ReplyChannel

SELF_SERVICE = "https://www.kk.dk/selvbetjening"


def choose(
    *,
    channel: Channel = Channel.LETTER,
    complexity: Complexity = Complexity.SIMPLE,
    written_decision: bool = False,
    self_service_url: str | None = None,
    costs: dict[ReplyChannel, float] | None = None,
    offered: frozenset[ReplyChannel] = frozenset(ReplyChannel),
    **citizen: object,
) -> tuple[ReplyChannel, int]:
    choice = choose_reply_channel(
        channel=channel,
        citizen=CitizenProfile.model_validate(citizen),
        complexity=complexity,
        written_decision=written_decision,
        self_service_url=self_service_url,
        costs=costs or DEFAULT_REPLY_CHANNEL_COSTS,
        offered=offered,
    )
    assert choice.reason, "every recommendation carries its reason"
    return choice.channel, choice.rule


def test_rule_1_a_stated_preference_wins_over_everything_else() -> None:
    assert choose(
        preferred_reply_channel="email", written_decision=True, needs_interpreter=True
    ) == (ReplyChannel.EMAIL, 1)


def test_rule_1_a_preference_the_municipality_does_not_offer_is_passed_over() -> None:
    offered = frozenset(ReplyChannel) - {ReplyChannel.CHAT}
    assert choose(preferred_reply_channel="chat", phone="12345678", offered=offered) == (
        ReplyChannel.PHONE,
        5,
    )


def test_rule_2_a_written_decision_goes_by_digital_post() -> None:
    assert choose(written_decision=True, phone="12345678") == (ReplyChannel.DIGITAL_POST, 2)


def test_rule_2_a_citizen_exempt_from_digital_post_gets_a_letter() -> None:
    assert choose(written_decision=True, exempt_digital_post=True) == (ReplyChannel.LETTER, 2)


def test_rule_3_an_interpreter_means_a_meeting_in_person() -> None:
    assert choose(needs_interpreter=True, phone="1234") == (ReplyChannel.IN_PERSON, 3)


@pytest.mark.parametrize(
    ("citizen", "expected"),
    [
        ({"reading_difficulties": True, "phone": "1234"}, ReplyChannel.PHONE),
        ({"reading_difficulties": True}, ReplyChannel.IN_PERSON),
        (
            {"reading_difficulties": True, "phone": "1234", "hearing_impairment": True},
            ReplyChannel.IN_PERSON,
        ),
        ({"hearing_impairment": True, "email": "a@b.dk", "address": "Vej 1"}, ReplyChannel.EMAIL),
        ({"hearing_impairment": True, "address": "Vej 1", "phone": "1"}, ReplyChannel.LETTER),
        ({"hearing_impairment": True, "phone": "1234"}, ReplyChannel.IN_PERSON),
    ],
)
def test_rule_3_accessibility_needs(citizen: dict[str, object], expected: ReplyChannel) -> None:
    assert choose(**citizen) == (expected, 3)


def test_rule_4_simple_matter_with_self_service_for_a_screened_citizen() -> None:
    assert choose(self_service_url=SELF_SERVICE, has_pc=True, uses_netbank=True, phone="1234") == (
        ReplyChannel.SELF_SERVICE,
        4,
    )


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.CHAT, Channel.SELF_SERVICE])
def test_rule_4_writing_digitally_counts_as_digitally_ready(channel: Channel) -> None:
    assert choose(channel=channel, self_service_url=SELF_SERVICE) == (ReplyChannel.SELF_SERVICE, 4)


@pytest.mark.parametrize(
    "situation",
    [
        {"has_pc": True, "uses_netbank": False, "phone": "1234"},  # one screening answer only
        {"complexity": Complexity.SPECIALIST, "channel": Channel.EMAIL, "phone": "1234"},
        {"self_service_url": None, "channel": Channel.EMAIL, "phone": "1234"},
    ],
)
def test_rule_4_does_not_decide_without_all_its_conditions(situation: dict[str, object]) -> None:
    situation.setdefault("self_service_url", SELF_SERVICE)
    assert choose(**situation) == (ReplyChannel.PHONE, 5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        # Danish by default: the municipality works in Danish.
        (None, "phone er den billigste kanal, vi har kontaktoplysninger til (henvendelsen kom via letter)."),
        (Language.EN, "phone is the cheapest channel we have contact details for (it came by letter)."),
    ],
)  # fmt: skip
def test_rule_5_a_letter_with_a_known_phone_number_is_answered_by_phone(
    language: Language | None, reason: str
) -> None:
    choice = choose_reply_channel(
        channel=Channel.LETTER,
        citizen=CitizenProfile(phone="12345678", address="Vej 1"),
        complexity=Complexity.SIMPLE,
        written_decision=False,
        self_service_url=None,
        costs=DEFAULT_REPLY_CHANNEL_COSTS,
        **({"language": language} if language else {}),
    )
    assert (choice.channel, choice.rule) == (ReplyChannel.PHONE, 5)
    assert choice.reason == reason


def test_rule_4_readiness_the_citizen_stated_counts_where_the_profile_is_silent() -> None:
    stated = digital_readiness(Channel.PHONE, CitizenProfile(), "Jeg bruger netbank hver dag")
    assert stated == Readiness(True, ReadinessSource.TEXT, "bruger netbank")
    choice = choose_reply_channel(
        channel=Channel.PHONE,
        citizen=CitizenProfile(phone="1234"),
        complexity=Complexity.SIMPLE,
        written_decision=False,
        self_service_url=SELF_SERVICE,
        costs=DEFAULT_REPLY_CHANNEL_COSTS,
        readiness=stated,
        language=Language.EN,
    )
    assert (choice.channel, choice.rule) == (ReplyChannel.SELF_SERVICE, 4)
    assert "says 'bruger netbank'" in choice.reason


def test_every_readiness_cue_holds_a_word_the_quick_test_looks_for() -> None:
    assert all(any(word in cue for word in CUE_WORDS) for cue in CUES)


@pytest.mark.parametrize(
    ("channel", "profile", "text", "expected"),
    [
        # The screening answers decide, whatever the text says.
        (Channel.PHONE, {"has_pc": False, "uses_netbank": True}, "bruger netbank", False),
        (Channel.LETTER, {"has_pc": True, "uses_netbank": True}, "ingen computer", True),
        # A digital channel is ready.
        (Channel.CHAT, {}, "Jeg har ingen computer", True),
        # The text, no before yes: "bruger ikke netbank" holds "netbank".
        (Channel.PHONE, {}, "Har ingen computer og bruger ikke netbank", False),
        (Channel.LETTER, {}, "I don't have a computer", False),
        (Channel.IN_PERSON, {}, "Hun har pc og bruger netbank", True),
        (Channel.LETTER, {}, "Jeg bruger ellers MitID og netbank hver dag", True),
        (Channel.PHONE, {}, "Oplyser at hun bruger MitID dagligt", True),
        (Channel.PHONE, {}, "Han har ikke MitID og vil have brev", False),
        # Nothing tells: not ready, the safe side.
        (Channel.PHONE, {}, "Hvornår tømmes skraldespanden?", False),
    ],
)
def test_digital_readiness(channel: Channel, profile: dict, text: str, expected: bool) -> None:
    readiness = digital_readiness(channel, CitizenProfile.model_validate(profile), text)
    assert readiness.ready is expected


def test_rule_5_costs_are_configuration() -> None:
    costs = {**DEFAULT_REPLY_CHANNEL_COSTS, ReplyChannel.EMAIL: 0.5}
    assert choose(phone="1234", email="a@b.dk", costs=costs) == (ReplyChannel.EMAIL, 5)


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        (Channel.PHONE, ReplyChannel.PHONE),
        (Channel.IN_PERSON, ReplyChannel.IN_PERSON),
        (Channel.CHAT, ReplyChannel.CHAT),
    ],
)
def test_rule_5_without_contact_details_the_answer_comes_in_the_same_conversation(
    channel: Channel, expected: ReplyChannel
) -> None:
    assert choose(channel=channel) == (expected, 5)
