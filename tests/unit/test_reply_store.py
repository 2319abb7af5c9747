"""The reply store on SQLite and PostgreSQL: plans, pauses kept for audit, idempotent actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect, text

from services.reply.business_hours import BusinessCalendar
from services.reply.settings import ReplySettings
from services.reply.store import WAITING_FOR_PLAN, ReplyStore, plan_row
from shared.database import make_engine
from shared.events import InquiryRouted, InquiryTriaged, ReplyPlan, derived_id
from shared.vocabulary import CaseworkerActionKind as Kind
from shared.vocabulary import Channel, Complexity, Department, Language, ReplyChannel
from tests.reply_inquiries import action, local, triaged

CALENDAR = BusinessCalendar.from_settings(ReplySettings())


@pytest.fixture
def store(database_url: str) -> ReplyStore:
    return ReplyStore(make_engine(ReplySettings(database_url=database_url)))


def add(store: ReplyStore, event: InquiryTriaged, *, due: object) -> ReplyPlan:
    plan = ReplyPlan(
        plan_id=derived_id("plan", event.inquiry_id),
        kind="acknowledgement",
        reply_channel=ReplyChannel.EMAIL,
        language=Language.EN,
        deadline=due,  # type: ignore[arg-type]
        deadline_text="You will hear from us by Monday 7 December",
        text="Dear Karen Holm, ...",
        reason="Rule 5",
        recipient="karen.holm@example.dk",
        delivery="email",
    )
    store.add_plans([plan_row(event, plan, event.model_dump_json())], CALENDAR)
    return plan


def test_a_redelivered_plan_is_stored_once(store: ReplyStore) -> None:
    event = triaged()
    add(store, event, due=local(2026, 12, 7, 16))
    add(store, event, due=local(2026, 12, 7, 16))
    assert len(store.find(str(event.inquiry_id)[:8])) == 1
    saved = store.plan_for(event.inquiry_id)
    assert saved is not None
    assert saved.deadline == local(2026, 12, 7, 16)
    assert saved.routed.inquiry == event.inquiry
    assert [p.plan_id for p in store.pending_emails()] == [saved.plan_id]


def test_paused_deadline_resumes_moved_by_the_business_time_waited_and_is_audited(
    store: ReplyStore,
) -> None:
    event = triaged()
    add(store, event, due=local(2026, 12, 7, 16))
    paused = action(event, Kind.AWAITING_CITIZEN, local(2026, 12, 4, 12))
    assert store.apply_action(paused, CALENDAR).outcome == "deadline paused"
    # While paused, the deadline is never overdue.
    assert store.past_deadline(local(2026, 12, 10, 9)) == []
    # Friday 12:00-15:00 and Monday 8:00-16:00 and Tuesday 8:00-10:00: 13 business hours.
    answered = action(event, Kind.CITIZEN_ANSWERED, local(2026, 12, 8, 10), caseworker="bo")
    outcome = store.apply_action(answered, CALENDAR).outcome
    assert outcome.startswith("deadline resumed after 13.0 h of business time")
    plan = store.plan_for(event.inquiry_id)
    assert plan is not None
    # Monday 16:00 + 13 business hours: Tuesday 8 h, Wednesday 5 h, so Wednesday 13:00.
    assert plan.deadline == local(2026, 12, 9, 13)
    assert plan.first_deadline == local(2026, 12, 7, 16)
    [pause] = store.pauses(plan.plan_id)
    assert (pause.paused_by, pause.resumed_by) == ("anna", "bo")
    assert pause.paused_at == local(2026, 12, 4, 12)
    assert pause.resumed_at == local(2026, 12, 8, 10)
    assert pause.paused_business_seconds == 13 * 3600
    assert (pause.deadline_before, pause.deadline_after) == (plan.first_deadline, plan.deadline)


def test_a_redelivered_action_is_applied_once(store: ReplyStore) -> None:
    event = triaged()
    add(store, event, due=local(2026, 12, 7, 16))
    pause = action(event, Kind.AWAITING_CITIZEN, local(2026, 12, 4, 12))
    resume = action(event, Kind.CITIZEN_ANSWERED, local(2026, 12, 7, 12))
    for act in (pause, resume, pause, resume):
        store.apply_action(act, CALENDAR)
    plan = store.plan_for(event.inquiry_id)
    assert plan is not None
    assert plan.paused_since is None
    assert len(store.pauses(plan.plan_id)) == 1
    assert len(store.actions(event.inquiry_id)) == 2
    again = store.apply_action(resume, CALENDAR)
    assert not again.new


def test_resolve_closes_the_plan_and_later_actions_are_ignored(store: ReplyStore) -> None:
    event = triaged()
    add(store, event, due=local(2026, 12, 7, 16))
    store.apply_action(action(event, Kind.RESOLVE, local(2026, 12, 4, 11)), CALENDAR)
    late = store.apply_action(
        action(event, Kind.AWAITING_CITIZEN, local(2026, 12, 4, 12)), CALENDAR
    )
    assert late.outcome == "ignored: the plan was closed by resolve already"
    assert store.past_deadline(local(2026, 12, 24, 9)) == []


def test_overdue_is_flagged_once(store: ReplyStore) -> None:
    event = triaged()
    plan = add(store, event, due=local(2026, 12, 7, 16))
    assert store.past_deadline(local(2026, 12, 7, 15, 59)) == []
    [late] = store.past_deadline(local(2026, 12, 7, 16))
    assert store.mark_overdue([late.plan_id], local(2026, 12, 7, 16)) == [plan.plan_id]
    assert store.mark_overdue([late.plan_id], local(2026, 12, 7, 16, 1)) == []
    assert store.past_deadline(local(2026, 12, 8, 9)) == []


def test_the_watch_is_given_only_the_running_plans_past_their_deadline_once_each(
    store: ReplyStore,
) -> None:
    due = local(2026, 12, 7, 16)
    reported, closed, paused, later, late, later_late = (triaged() for _ in range(6))
    for event in (reported, closed, paused, late):
        add(store, event, due=due)
    add(store, later, due=local(2026, 12, 8, 16))
    add(store, later_late, due=local(2026, 12, 7, 12))
    store.mark_overdue([derived_id("plan", reported.inquiry_id)], due)
    store.apply_action(action(closed, Kind.RESOLVE, local(2026, 12, 4, 11)), CALENDAR)
    store.apply_action(action(paused, Kind.AWAITING_CITIZEN, local(2026, 12, 4, 11)), CALENDAR)
    now = local(2026, 12, 7, 17)
    found = store.past_deadline(now)
    # The longest overdue first.
    assert [p.inquiry_id for p in found] == [later_late.inquiry_id, late.inquiry_id]
    ids = [p.plan_id for p in found] + [derived_id("plan", reported.inquiry_id)]
    assert store.mark_overdue(ids, now) == [p.plan_id for p in found]
    assert store.past_deadline(now) == []


def test_a_store_made_before_the_deadline_index_gets_it_and_keeps_its_plans(
    database_url: str,
) -> None:
    engine = make_engine(ReplySettings(database_url=database_url))
    ReplyStore(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_reply_plan_awaiting_deadline"))
    event = triaged()
    add(ReplyStore(engine), event, due=local(2026, 12, 7, 16))
    reopened = ReplyStore(engine)
    indexes = {i["name"] for i in inspect(engine).get_indexes("reply_plan")}
    assert "ix_reply_plan_awaiting_deadline" in indexes
    [late] = reopened.past_deadline(local(2026, 12, 7, 16))
    assert late.inquiry_id == event.inquiry_id
    engine.dispose()


def test_the_stored_inquiry_is_the_triaged_event_read_back_under_the_routed_type(
    store: ReplyStore,
) -> None:
    events = [
        triaged(channel=channel, citizen_key="k" if channel is Channel.LETTER else None)
        for channel in Channel
    ]
    for event in events:
        add(store, event, due=local(2026, 12, 7, 16))
        saved = store.plan_for(event.inquiry_id)
        assert saved is not None
        assert saved.routed_json == event.model_dump_json()  # as it came from the bus
        routed = InquiryRouted(**{**event.model_dump(), "event_type": InquiryRouted.EVENT_TYPE})
        assert saved.routed == routed
        assert saved.routed.model_dump_json() == routed.model_dump_json()
        # A store written before kept the routed copy itself: it reads the same.
        saved.routed_json = routed.model_dump_json()
        assert saved.routed == routed


def test_an_action_that_comes_before_its_plan_is_applied_when_the_plan_arrives(
    store: ReplyStore,
) -> None:
    event = triaged()
    early = store.apply_action(action(event, Kind.RESOLVE, local(2026, 12, 4, 10, 5)), CALENDAR)
    assert early.outcome == WAITING_FOR_PLAN
    add(store, event, due=local(2026, 12, 7, 16))
    plan = store.plan_for(event.inquiry_id)
    assert plan is not None
    assert plan.closed_action == "resolve"
    assert [a.outcome for a in store.actions(event.inquiry_id)] == ["closed: resolve"]


def test_reroute_moves_the_plan_to_its_new_queue(store: ReplyStore) -> None:
    event = triaged()
    add(store, event, due=local(2026, 12, 7, 16))
    store.apply_action(
        action(
            event,
            Kind.REROUTE,
            local(2026, 12, 4, 11),
            to_queue="specialist.SOF",
            to_department=Department.SOF,
            to_complexity=Complexity.SPECIALIST,
        ),
        CALENDAR,
    )
    plan = store.plan_for(event.inquiry_id)
    assert plan is not None
    assert (plan.queue, plan.department, plan.complexity) == ("specialist.SOF", "SOF", "specialist")
    assert store.open_by_queue(local(2026, 12, 4, 12)) == {"specialist.SOF": (1, 0)}


def test_an_email_is_taken_for_sending_by_one_instance_only(store: ReplyStore) -> None:
    event = triaged()
    plan = add(store, event, due=local(2026, 12, 7, 16))
    assert store.start_sending(plan.plan_id)
    assert not store.start_sending(plan.plan_id)
    store.not_sent(plan.plan_id, "421 try later", final=False)
    assert store.start_sending(plan.plan_id)
    store.sent(plan.plan_id, local(2026, 12, 4, 10, 1) + timedelta(seconds=1))
    saved = store.plan_for(event.inquiry_id)
    assert saved is not None
    assert (saved.delivery_state, saved.delivery_attempts) == ("sent", 2)
    assert store.pending_emails() == []
