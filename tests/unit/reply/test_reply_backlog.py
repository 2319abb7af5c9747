"""reply_queue_backlog and reply_queue_oldest_age_seconds: what waits in each queue, from the
store, on SQLite and PostgreSQL."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from services.reply.backlog import QueueBacklog
from services.reply.store import ReplyStore
from shared.vocabulary import CaseworkerActionKind as Kind
from tests.unit.reply.inquiries import CALENDAR, action, add, local, triaged


def test_backlog_and_age_of_the_oldest_open_inquiry_per_queue(store: ReplyStore) -> None:
    registry = CollectorRegistry()
    now = local(2026, 12, 4, 12)
    QueueBacklog(lambda: store, lambda: now, registry)
    assert registry.get_sample_value("reply_queue_backlog", {"queue": "contact-centre"}) is None

    old = triaged(received_at=local(2026, 12, 4, 9))
    new = triaged(received_at=local(2026, 12, 4, 11, 30))
    closed = triaged(received_at=local(2026, 12, 4, 8))
    specialist = triaged(received_at=local(2026, 12, 4, 10), queue="specialist.SOF")
    for event in (old, new, closed, specialist):
        add(store, event, due=local(2026, 12, 7, 16))
    store.apply_action(action(closed, Kind.RESOLVE, local(2026, 12, 4, 11)), CALENDAR)

    def sample(name: str, queue: str) -> float | None:
        return registry.get_sample_value(name, {"queue": queue})

    assert sample("reply_queue_backlog", "contact-centre") == 2
    assert sample("reply_queue_oldest_age_seconds", "contact-centre") == 3 * 3600
    assert sample("reply_queue_backlog", "specialist.SOF") == 1
    assert sample("reply_queue_oldest_age_seconds", "specialist.SOF") == 2 * 3600


def test_nothing_is_reported_before_the_store_is_open() -> None:
    registry = CollectorRegistry()
    QueueBacklog(lambda: None, lambda: local(2026, 12, 4, 12), registry)
    assert registry.get_sample_value("reply_queue_backlog", {"queue": "contact-centre"}) is None
