"""The gateway's rate per adapter and its memory of Idempotency-Keys, on a clock of the test's."""

from __future__ import annotations

import pytest

from services.intake.admission import IdempotencyConflict, IdempotentAnswers, RateLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_rate_refills_evenly_and_says_how_long_to_wait() -> None:
    clock = Clock()
    limits = RateLimits(clock)
    assert [limits.wait_for("desk", 6) for _ in range(6)] == [0] * 6  # a minute's burst
    assert limits.wait_for("desk", 6) == 10
    clock.now += 10
    assert limits.wait_for("desk", 6) == 0
    assert limits.wait_for("scanner", 6) == 0  # per adapter


def test_a_key_in_use_or_reused_for_another_body_is_a_conflict() -> None:
    clock = Clock()
    answers = IdempotentAnswers(ttl_seconds=60, clock=clock)
    assert answers.begin("desk", "k", "body-1") is None
    with pytest.raises(IdempotencyConflict) as running:
        answers.begin("desk", "k", "body-1")
    assert running.value.status == 409
    answers.finish("desk", "k", (202, {"tracking_id": "t"}, []))
    assert answers.begin("desk", "k", "body-1") == (202, {"tracking_id": "t"}, [])
    with pytest.raises(IdempotencyConflict) as other:
        answers.begin("desk", "k", "body-2")
    assert other.value.status == 422
    assert answers.begin("scanner", "k", "body-2") is None  # keys are per adapter
    clock.now += 61
    assert answers.begin("desk", "k", "body-2") is None  # expired: a new request


def test_the_memory_is_bounded() -> None:
    answers = IdempotentAnswers(ttl_seconds=60, max_entries=2, clock=Clock())
    for key in ("a", "b", "c"):
        answers.begin("desk", key, "x")
        answers.finish("desk", key, (202, {}, []))
    assert answers.begin("desk", "a", "x") is None  # the oldest was dropped
