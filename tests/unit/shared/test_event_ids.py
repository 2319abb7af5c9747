"""Event ids are derived, never drawn: the same cause gives the same id in every version of
the code, so a redelivery after an upgrade is still recognised as a repeat."""

from __future__ import annotations

import uuid

import pytest

from shared.events import EVENT_NAMESPACE, InquiryReceived, InquiryTriaged, derived_id

CAUSE = uuid.UUID("0f1e2d3c-4b5a-4968-8776-655443322110")


@pytest.mark.parametrize(
    "parts",
    [
        ("triage", "inquiry.triaged", CAUSE, ""),
        ("plan", CAUSE),
        ("intake", None, 3, "æøå/ü"),
        (),
    ],
)
def test_an_id_is_the_name_based_uuid_of_its_parts(parts: tuple[object, ...]) -> None:
    expected = uuid.uuid5(EVENT_NAMESPACE, "/".join(str(p) for p in parts))
    assert derived_id(*parts) == expected
    assert derived_id(*parts).version == 5


def test_a_known_cause_keeps_its_id() -> None:
    # Written down once: a change to the derivation would make every redelivery look new.
    known = uuid.UUID("c6520e0a-d866-55dc-9466-2fa3c12cbffd")
    assert derived_id("triage", "inquiry.triaged", CAUSE, "") == known


def test_different_kinds_of_event_from_one_cause_get_different_ids() -> None:
    ids = {
        derived_id("triage", kind.EVENT_TYPE, CAUSE) for kind in (InquiryReceived, InquiryTriaged)
    }
    assert len(ids) == 2
