"""The fuzz tier's short run, part of `make test`: a few thousand inputs across the channels and
a few hundred requests to the running gateway (`make fuzz` runs the full counts)."""

from __future__ import annotations

from tests.fuzz.harness import fuzz_gateway, fuzz_normalisation

SHORT_NORMALISATION = 2_000
SHORT_GATEWAY = 240


def test_generated_and_mutated_payloads_are_all_accounted_for_and_leak_no_cpr_number() -> None:
    tally = fuzz_normalisation(SHORT_NORMALISATION, run_seed=15)
    print(tally.report())
    assert tally.total == SHORT_NORMALISATION
    assert len(tally.sent) == 6, "every channel is driven"
    assert tally.outcomes["accepted"] > 0
    assert tally.outcomes["refused"] > 0
    assert tally.failures() == []


def test_the_running_gateway_answers_every_request_with_a_202_or_a_reasoned_4xx() -> None:
    tally = fuzz_gateway(SHORT_GATEWAY, run_seed=15)
    print(tally.report())
    assert tally.total == SHORT_GATEWAY
    assert tally.outcomes["accepted"] > 0
    assert {"refused 401", "refused 405", "refused 413", "refused 422"} <= set(tally.outcomes)
    assert tally.failures() == []
