"""The reply store on SQLite and PostgreSQL: plans, pauses kept for audit, idempotent actions."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from alembic import command
from sqlalchemy import insert, inspect, text

from services.reply.settings import ReplySettings
from services.reply.store import WAITING_FOR_PLAN, ReplyStore, plan_row
from services.reply.tables import PlanRecord
from shared.database import make_engine
from shared.events import InquiryRouted, derived_id, utc_now
from shared.schema import alembic_config, migrate
from shared.vocabulary import CaseworkerActionKind as Kind
from shared.vocabulary import Channel, Complexity, Department
from tests.unit.reply.inquiries import CALENDAR, action, add, email_plan, local, triaged


def test_a_redelivered_plan_is_stored_once(store: ReplyStore) -> None:
    event = triaged()
    add(store, event, due=local(2026, 12, 7, 16))
    add(store, event, due=local(2026, 12, 7, 16))
    assert len(store.find(str(event.inquiry_id)[:8])) == 1
    saved = store.plan_for(event.inquiry_id)
    assert saved is not None
    assert saved.deadline == local(2026, 12, 7, 16)
    assert saved.routed.inquiry == event.inquiry
    assert [p.plan_id for p in claim(store, "a")] == [saved.plan_id]


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


def test_a_store_made_before_migrations_and_the_deadline_index_gets_both_and_keeps_its_plans(
    database_url: str,
) -> None:
    engine = make_engine(ReplySettings(database_url=database_url))
    event = triaged()
    # As the service left it before migrations: the first revision's tables, no version, and
    # no deadline index (it came after the table); the e-mail sent already.
    with engine.connect() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0001_initial_schema")
        connection.commit()
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_reply_plan_awaiting_deadline"))
        connection.execute(text("DROP TABLE alembic_version"))
    plan = email_plan(event, due=local(2026, 12, 7, 16))
    row = plan_row(event, plan, event.model_dump_json()) | {"delivery_state": "sent"}
    legacy = {
        k: v
        for k, v in row.items()
        if not k.startswith(
            ("delivery_next", "delivery_lease", "delivery_announced", "citizen_key")
        )
    }
    with engine.begin() as connection:
        connection.execute(insert(PlanRecord), [legacy])
    assert migrate(engine).before is None
    indexes = {i["name"] for i in inspect(engine).get_indexes("reply_plan")}
    assert {"ix_reply_plan_awaiting_deadline", "ix_reply_plan_unannounced"} <= indexes
    store = ReplyStore(engine)
    [late] = store.past_deadline(local(2026, 12, 7, 16))
    assert late.inquiry_id == event.inquiry_id
    # Sent before the outbox: announced by the code of its time, not again.
    assert store.unannounced_emails(limit=10) == []
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


LEASE = timedelta(minutes=5)


def claim(store: ReplyStore, owner: str, now: datetime | None = None) -> list[PlanRecord]:
    return store.claim_emails(owner, now or utc_now(), lease=LEASE, limit=50)


def test_an_email_is_claimed_by_one_instance_until_its_lease_runs_out(store: ReplyStore) -> None:
    event = triaged()
    plan = add(store, event, due=local(2026, 12, 7, 16))
    now = utc_now()
    [claimed] = claim(store, "a", now)
    assert (claimed.delivery_state, claimed.delivery_lease_owner) == ("sending", "a")
    assert claim(store, "b", now + LEASE - timedelta(seconds=1)) == []
    # Instance a died with the e-mail: b takes it over once the lease has run out, and a can
    # no longer record an outcome for it.
    [taken] = claim(store, "b", now + LEASE)
    assert taken.delivery_lease_owner == "b"
    assert not store.email_sent(plan.plan_id, "a", now)
    assert store.email_sent(plan.plan_id, "b", now + LEASE)
    saved = store.plan_for(event.inquiry_id)
    assert saved is not None
    assert (saved.delivery_state, saved.delivery_attempts) == ("sent", 1)
    assert saved.delivery_lease_owner is None
    assert claim(store, "c", now + 10 * LEASE) == []


def test_a_refused_email_waits_for_its_back_off(store: ReplyStore) -> None:
    event = triaged()
    plan = add(store, event, due=local(2026, 12, 7, 16))
    now = utc_now()
    claim(store, "a", now)
    assert store.email_retry(plan.plan_id, "a", "421 try later", next_attempt_at=now + LEASE)
    assert claim(store, "a", now + LEASE - timedelta(seconds=1)) == []
    assert store.next_email_due() == now + LEASE
    [again] = claim(store, "b", now + LEASE)
    assert (again.delivery_attempts, again.delivery_error) == (1, "421 try later")
    store.release_emails([plan.plan_id], "b")
    [released] = claim(store, "a", now + LEASE)
    assert released.delivery_attempts == 1


def test_outcomes_are_announced_once(store: ReplyStore) -> None:
    sent, failed = triaged(), triaged()
    for event in (sent, failed):
        add(store, event, due=local(2026, 12, 7, 16))
    now = utc_now()
    first, second = claim(store, "a", now)
    store.email_sent(first.plan_id, "a", now)
    store.email_failed(second.plan_id, "a", "550 no such user", attempted=True)
    done = store.unannounced_emails(limit=10)
    assert {p.delivery_state for p in done} == {"sent", "failed"}
    store.announced([p.plan_id for p in done], now)
    assert store.unannounced_emails(limit=10) == []


def test_instances_claiming_at_the_same_time_never_share_an_email(database_url: str) -> None:
    stores = [ReplyStore(make_engine(ReplySettings(database_url=database_url))) for _ in range(4)]
    for _ in range(120):
        add(stores[0], triaged(), due=local(2026, 12, 7, 16))
    claimed: dict[str, list[uuid.UUID]] = {}

    start = threading.Barrier(len(stores), timeout=30)
    # E-mails that stay due however often they are claimed fail the test instead of hanging it.
    give_up = time.monotonic() + 60

    def take(owner: str, store: ReplyStore) -> None:
        mine = claimed.setdefault(owner, [])
        store.next_email_due()  # connected before the start
        start.wait()
        while (due := store.next_email_due()) is not None and due <= utc_now():
            if time.monotonic() > give_up:
                return
            mine += [p.plan_id for p in store.claim_emails(owner, utc_now(), lease=LEASE, limit=7)]
            time.sleep(0.002)  # the others get their turn, as rounds of real senders do

    with ThreadPoolExecutor(len(stores)) as pool:
        for future in [pool.submit(take, f"i{n}", s) for n, s in enumerate(stores)]:
            future.result(timeout=90)
    every = [plan_id for ids in claimed.values() for plan_id in ids]
    assert len(every) == len(set(every)) == 120
    assert sum(1 for ids in claimed.values() if ids) > 1
