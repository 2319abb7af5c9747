"""What a caseworker's action does to a plan: claimed, rerouted, closed, or its deadline paused for
the citizen and resumed, moved by the business time the municipality waited. Plain functions on
the plan's row and its open pause: the store reads them before and keeps them after."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.reply.business_hours import BusinessCalendar
from services.reply.tables import DeadlinePause, PlanRecord, as_utc
from shared.events import CaseworkerAction
from shared.vocabulary import CaseworkerActionKind, Complexity, specialist_queue


def apply_action(
    plan: PlanRecord,
    action: CaseworkerAction,
    open_pause: DeadlinePause | None,
    calendar: BusinessCalendar,
) -> tuple[str, DeadlinePause | None]:
    """What one action does to a plan in `open_pause` (if it waits for the citizen): the outcome
    in words, for the audit, and the pause it opened or ended, to keep."""
    at = as_utc(action.occurred_at)
    kind = action.action
    if kind is CaseworkerActionKind.CLAIM:
        plan.claimed_by, plan.claimed_at = action.caseworker, at
        return f"claimed by {action.caseworker}", None
    if kind is CaseworkerActionKind.REROUTE:
        plan.queue = action.to_queue or (
            specialist_queue(action.to_department)
            if action.to_department and action.to_complexity is Complexity.SPECIALIST
            else plan.queue
        )
        if action.to_department:
            plan.department = action.to_department.value
        if action.to_complexity:
            plan.complexity = action.to_complexity.value
        plan.claimed_by = plan.claimed_at = None
        return f"rerouted to {plan.queue}", None
    if not plan.is_open:
        return f"ignored: the plan was closed by {plan.closed_action} already", None
    if kind in (CaseworkerActionKind.RESOLVE, CaseworkerActionKind.REPLY_SENT):
        _end_pause(plan, open_pause, action, at, calendar, closing=True)
        plan.closed_at, plan.closed_by, plan.closed_action = at, action.caseworker, kind.value
        return f"closed: {kind.value}", open_pause
    if kind is CaseworkerActionKind.AWAITING_CITIZEN:
        if plan.paused_since is not None:
            return "ignored: the deadline is paused already", None
        plan.paused_since = at
        pause = DeadlinePause(
            pause_id=action.event_id,
            plan_id=plan.plan_id,
            paused_at=at,
            paused_by=action.caseworker,
            deadline_before=as_utc(plan.deadline),
        )
        return "deadline paused", pause
    # The citizen answered.
    if plan.paused_since is None:
        return "ignored: the deadline was not paused", None
    return _end_pause(plan, open_pause, action, at, calendar, closing=False), open_pause


def _end_pause(
    plan: PlanRecord,
    pause: DeadlinePause | None,
    action: CaseworkerAction,
    at: datetime,
    calendar: BusinessCalendar,
    *,
    closing: bool,
) -> str:
    """Resume: the deadline moves by the business time the municipality waited."""
    plan.paused_since = None
    if pause is None:
        return "ignored: no open pause"
    waited = calendar.business_time_between(as_utc(pause.paused_at), at)
    before = as_utc(plan.deadline)
    after = before if closing else calendar.add_business_time(before, waited)
    pause.resumed_at, pause.resumed_by, pause.resume_event_id = (
        at,
        action.caseworker,
        action.event_id,
    )
    pause.paused_business_seconds = int(waited.total_seconds())
    pause.deadline_after = after
    plan.deadline = after
    return f"deadline resumed after {_hours(waited)} of business time: due {after.isoformat()}"


def _hours(amount: timedelta) -> str:
    hours = amount.total_seconds() / 3600
    return f"{hours:.1f} h"
