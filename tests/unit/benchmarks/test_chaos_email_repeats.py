"""The chaos run allows an e-mail accepted twice only where SMTP's own window explains it: a
reply instance killed between the server's acceptance and the sender's record of it."""

from __future__ import annotations

from typing import Any

from benchmarks.chaos.audit import email_repeats_without_a_reply_kill


def kill(at: float, target: str = "reply", outcome: str = "killed pid 4242") -> dict[str, Any]:
    return {"at": at, "planned_at": at, "fault": "kill", "target": target, "outcome": outcome}


def test_a_repeat_after_a_reply_kill_is_explained() -> None:
    assert email_repeats_without_a_reply_kill({"<a@r>": [10.0, 31.2]}, [kill(10.3)]) == []
    assert email_repeats_without_a_reply_kill({"<a@r>": [10.0, 31.2]}, [kill(9.9, "reply-2")]) == []


def test_a_repeat_without_a_reply_kill_between_its_acceptances_is_not() -> None:
    faults = [
        kill(5.0),  # before the first acceptance
        kill(40.0),  # after the repeat
        kill(12.0, "triage"),  # another service
        kill(12.0, "reply", "restarted and ready (start 1)"),  # a restart, not a kill
        {
            "at": 12.0,
            "planned_at": 12.0,
            "fault": "broker-kill",
            "target": "2",
            "outcome": "killed",
        },
    ]
    assert email_repeats_without_a_reply_kill({"<a@r>": [10.0, 31.2]}, faults) == ["<a@r>"]


def test_one_kill_explains_one_repeat_only() -> None:
    repeats = {"<a@r>": [10.0, 31.0], "<b@r>": [10.1, 31.5]}
    assert email_repeats_without_a_reply_kill(repeats, [kill(10.2)]) == ["<b@r>"]
    assert email_repeats_without_a_reply_kill(repeats, [kill(10.2), kill(10.4, "reply-2")]) == []


def test_an_email_accepted_three_times_needs_two_kills() -> None:
    thrice = {"<a@r>": [10.0, 31.0, 55.0]}
    assert email_repeats_without_a_reply_kill(thrice, [kill(10.2)]) == ["<a@r>"]
    assert email_repeats_without_a_reply_kill(thrice, [kill(10.2), kill(33.0)]) == []


def test_kills_are_shared_out_so_that_the_most_repeats_are_explained() -> None:
    # The kill at 12 s could serve either; the earliest-ending repeat takes it, and the kill at
    # 25 s, too late for that one, serves the other.
    repeats = {"<long@r>": [11.0, 50.0], "<short@r>": [11.5, 20.0]}
    assert email_repeats_without_a_reply_kill(repeats, [kill(12.0), kill(25.0)]) == []
