"""The deadline state machine without a database: a plan's row and its open pause, as plain objects."""

from __future__ import annotations

from services.reply.deadlines import apply_action
from services.reply.store import plan_row
from services.reply.tables import PlanRecord
from shared.vocabulary import CaseworkerActionKind as Kind
from tests.unit.reply.inquiries import CALENDAR, acknowledgement, action, local, triaged


def test_a_pause_and_the_citizens_answer_move_the_deadline_by_the_business_time_waited() -> None:
    event = triaged()
    plan = PlanRecord(**plan_row(event, acknowledgement(event), event.model_dump_json()))
    paused = action(event, Kind.AWAITING_CITIZEN, local(2026, 12, 4, 12))
    outcome, pause = apply_action(plan, paused, None, CALENDAR)
    assert (outcome, plan.paused_since) == ("deadline paused", local(2026, 12, 4, 12))
    assert (
        apply_action(plan, paused, pause, CALENDAR)[0] == "ignored: the deadline is paused already"
    )
    # Friday 12:00-15:00, Monday 8:00-16:00 and Tuesday 8:00-10:00: 13 business hours.
    answered = action(event, Kind.CITIZEN_ANSWERED, local(2026, 12, 8, 10), caseworker="bo")
    outcome, ended = apply_action(plan, answered, pause, CALENDAR)
    assert outcome.startswith("deadline resumed after 13.0 h of business time")
    assert pause is not None
    assert ended is pause
    assert plan.paused_since is None
    assert plan.deadline == pause.deadline_after == local(2026, 12, 9, 13)
    closed = apply_action(plan, action(event, Kind.RESOLVE, local(2026, 12, 9, 9)), None, CALENDAR)
    assert closed == ("closed: resolve", None)
    assert apply_action(plan, answered, None, CALENDAR)[0].startswith(
        "ignored: the plan was closed"
    )
