"""The chaos run allows an e-mail accepted twice only where SMTP's own window explains it: a
reply instance killed between the server's acceptance and the sender's record of it."""

from __future__ import annotations

from typing import Any

from benchmarks.chaos.audit import email_repeats_without_a_reply_kill
from benchmarks.chaos.faults import KILLED, kill_moments


def logged(at: float, target: str, outcome: str, fault: str = "kill") -> dict[str, Any]:
    return {"at": at, "planned_at": at, "fault": fault, "target": target, "outcome": outcome}


def test_the_moments_a_service_was_killed_are_read_from_the_faults_log() -> None:
    log = [
        logged(12.0, "reply", f"{KILLED} 4242"),
        logged(15.0, "reply", "restarted and ready (start 1)"),
        logged(20.0, "reply-2", f"{KILLED} 4343"),
        logged(21.0, "triage", f"{KILLED} 4444"),
        logged(22.0, "replyish", f"{KILLED} 4545"),
        logged(23.0, "reply-2", "FAILED: reply-2 was not running to be killed"),
        logged(24.0, "2", "killed", fault="broker-kill"),
    ]
    assert kill_moments(log, "reply") == [12.0, 20.0]
    assert kill_moments(log, "triage") == [21.0]


def test_a_repeat_after_a_reply_kill_is_explained() -> None:
    assert email_repeats_without_a_reply_kill({"<a@r>": [10.0, 31.2]}, [10.3]) == []
    # moments are rounded to a tenth of a second: a kill logged 0.1 s before still counts
    assert email_repeats_without_a_reply_kill({"<a@r>": [10.0, 31.2]}, [9.9]) == []


def test_a_repeat_without_a_reply_kill_between_its_acceptances_is_not() -> None:
    kills = [5.0, 40.0]  # before the first acceptance, after the repeat
    assert email_repeats_without_a_reply_kill({"<a@r>": [10.0, 31.2]}, kills) == ["<a@r>"]
    assert email_repeats_without_a_reply_kill({"<a@r>": [10.0, 31.2]}, []) == ["<a@r>"]


def test_one_kill_explains_one_repeat_only() -> None:
    repeats = {"<a@r>": [10.0, 31.0], "<b@r>": [10.1, 31.5]}
    assert email_repeats_without_a_reply_kill(repeats, [10.2]) == ["<b@r>"]
    assert email_repeats_without_a_reply_kill(repeats, [10.2, 10.4]) == []


def test_an_email_accepted_three_times_needs_two_kills() -> None:
    thrice = {"<a@r>": [10.0, 31.0, 55.0]}
    assert email_repeats_without_a_reply_kill(thrice, [10.2]) == ["<a@r>"]
    assert email_repeats_without_a_reply_kill(thrice, [10.2, 33.0]) == []


def test_kills_are_shared_out_so_that_the_most_repeats_are_explained() -> None:
    # The kill at 12 s could serve either; the earliest-ending repeat takes it, and the kill at
    # 25 s, too late for that one, serves the other.
    repeats = {"<long@r>": [11.0, 50.0], "<short@r>": [11.5, 20.0]}
    assert email_repeats_without_a_reply_kill(repeats, [12.0, 25.0]) == []
