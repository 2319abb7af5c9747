"""The work table on SQLite and PostgreSQL: fed from queue-topic records, taken in deadline
order, never by two caseworkers at once, claims that expire, unclaim, "my inquiries"."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

from services.reply import claims
from services.reply.business_hours import BusinessCalendar
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore, plan_row
from shared.events import InquiryRouted, InquiryTriaged
from shared.vocabulary import CaseworkerActionKind
from tests.unit.reply.inquiries import acknowledgement, local, triaged

NOW = local(2026, 12, 4, 9)
HOLD = timedelta(minutes=30)
QUEUE = "contact-centre"


def routed(event: InquiryTriaged, queue: str = QUEUE, **changes: object) -> InquiryRouted:
    data = {**event.model_dump(), "event_type": InquiryRouted.EVENT_TYPE, "event_id": uuid.uuid4()}
    data["decision"] = {**data["decision"], "queue": queue}
    return InquiryRouted(**{**data, **changes})


def planned(store: ReplyStore, event: InquiryTriaged, deadline_day: int) -> None:
    plan = acknowledgement(event, local(2026, 12, deadline_day, 16))
    store.add_plans(
        [plan_row(event, plan, event.model_dump_json())],
        BusinessCalendar.from_settings(ReplySettings()),
    )


def feed(store: ReplyStore, *events: InquiryRouted, topic: str = "queue.contact-centre") -> None:
    records = [(topic, 0, i, e.model_dump_json().encode()) for i, e in enumerate(events)]
    claims.add_routed(store, records)


def test_work_is_taken_earliest_deadline_first_whatever_the_order_it_came_in(
    store: ReplyStore,
) -> None:
    late, early, middle = triaged(), triaged(), triaged()
    for event, day in ((late, 10), (early, 7), (middle, 8)):
        planned(store, event, day)
    feed(store, routed(late), routed(early), routed(middle))
    order = [w.item.inquiry_id for w in claims.waiting(store, QUEUE, NOW)]
    assert order == [early.inquiry_id, middle.inquiry_id, late.inquiry_id]
    [first] = claims.claim_next(store, [QUEUE], "anna", NOW, hold=HOLD)
    [second] = claims.claim_next(store, [QUEUE], "bo", NOW, hold=HOLD)
    assert (first.inquiry_id, second.inquiry_id) == (early.inquiry_id, middle.inquiry_id)
    assert [w.item.inquiry_id for w in claims.mine(store, "anna", NOW)] == [early.inquiry_id]
    assert claims.positions(store) == {("queue.contact-centre", 0): 3}


def test_a_claim_expires_if_not_worked_and_unclaim_gives_it_back(store: ReplyStore) -> None:
    event = triaged()
    planned(store, event, 7)
    feed(store, routed(event))
    [item] = claims.claim_next(store, [QUEUE], "anna", NOW, hold=HOLD)
    assert claims.claim_next(store, [QUEUE], "bo", NOW + timedelta(minutes=29), hold=HOLD) == []
    assert claims.holder(store, event.inquiry_id, NOW) == "anna"
    later = NOW + timedelta(minutes=31)
    assert claims.holder(store, event.inquiry_id, later) is None
    assert claims.mine(store, "anna", later) == []
    [again] = claims.claim_next(store, [QUEUE], "bo", later, hold=HOLD)
    assert again.item_id == item.item_id
    assert not claims.unclaim(store, event.inquiry_id, "anna")
    assert claims.unclaim(store, event.inquiry_id, "bo")
    assert [w.item.item_id for w in claims.waiting(store, QUEUE, later)] == [item.item_id]


def test_actions_close_move_and_hold_the_work(store: ReplyStore) -> None:
    done, moved, paused = triaged(), triaged(), triaged()
    for event in (done, moved, paused):
        planned(store, event, 7)
        feed(store, routed(event))
    claims.claim_next(store, [QUEUE], "anna", NOW, hold=HOLD, count=3)
    after = NOW + timedelta(hours=2)  # every claim would have expired
    claims.after_action(
        store, done.inquiry_id, CaseworkerActionKind.RESOLVE, "anna", NOW, hold=HOLD
    )
    claims.after_action(
        store, moved.inquiry_id, CaseworkerActionKind.REROUTE, "anna", NOW, hold=HOLD,
        to_queue="specialist.SOF",
    )  # fmt: skip
    claims.after_action(
        store, paused.inquiry_id, CaseworkerActionKind.AWAITING_CITIZEN, "anna", NOW, hold=HOLD
    )
    assert [w.item.inquiry_id for w in claims.mine(store, "anna", after)] == [paused.inquiry_id]
    assert claims.waiting(store, QUEUE, after) == []
    assert [w.item.inquiry_id for w in claims.waiting(store, "specialist.SOF", after)] == [
        moved.inquiry_id
    ]
    # The rerouted copy arriving on its new topic changes nothing more; an older copy neither.
    feed(store, routed(moved, "specialist.SOF"), topic="queue.specialist.SOF")
    feed(store, routed(moved, QUEUE, occurred_at=NOW - timedelta(days=1)))
    [state] = claims.overview(store, ["specialist.SOF"], after, after + timedelta(days=4))
    assert (state.waiting, state.held, state.due_today) == (1, 0, 1)


def test_a_reroute_arriving_on_the_bus_moves_the_item_and_frees_it(store: ReplyStore) -> None:
    event = triaged()
    feed(store, routed(event))
    claims.claim_next(store, [QUEUE], "anna", NOW, hold=HOLD)
    later = event.occurred_at + timedelta(seconds=1)
    feed(store, routed(event, "specialist.BUF", occurred_at=later), topic="queue.specialist.BUF")
    [work] = claims.waiting(store, "specialist.BUF", NOW)
    assert work.item.claimed_by is None
    assert work.routed.decision.queue == "specialist.BUF"  # the corrected decision is shown
    assert work.deadline is None  # not planned yet: taken after every planned one


def test_overview_counts_waiting_held_overdue_and_due_today(store: ReplyStore) -> None:
    overdue, today, later = triaged(), triaged(), triaged()
    planned(store, overdue, 3)
    planned(store, today, 4)
    planned(store, later, 9)
    feed(store, routed(overdue), routed(today), routed(later))
    claims.claim_next(store, [QUEUE], "anna", NOW, hold=HOLD)
    [state] = claims.overview(store, [QUEUE], NOW, local(2026, 12, 5, 0))
    assert (state.waiting, state.held, state.overdue, state.due_today) == (2, 1, 1, 1)
    assert state.oldest_deadline == local(2026, 12, 3, 16)


def test_many_caseworkers_claiming_at_once_never_get_the_same_inquiry(store: ReplyStore) -> None:
    events = [triaged() for _ in range(40)]
    for n, event in enumerate(events):
        planned(store, event, 7 + n % 5)
    feed(store, *(routed(e) for e in events))
    taken: dict[str, list[uuid.UUID]] = {}
    start = threading.Barrier(8, timeout=30)
    # A queue that never runs dry fails the test instead of hanging it.
    give_up = time.monotonic() + 60

    def caseworker(name: str) -> None:
        start.wait()
        mine: list[uuid.UUID] = []
        while time.monotonic() < give_up and (
            got := claims.claim_next(store, [QUEUE], name, NOW, hold=HOLD)
        ):
            mine += [i.inquiry_id for i in got]
        taken[name] = mine

    threads = [threading.Thread(target=caseworker, args=(f"cw{n}",), daemon=True) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not any(thread.is_alive() for thread in threads), "a caseworker is still claiming"
    everything = [i for ids in taken.values() for i in ids]
    assert len(everything) == len(set(everything)) == len(events)
    assert sum(1 for ids in taken.values() if ids) >= 2, taken
