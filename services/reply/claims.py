"""The work table: what waits in each queue, and who holds it.

Fed from the queue topics (`feed`), read by the caseworker command and the desk alike. A
caseworker takes the open item with the earliest deadline; the claim is one UPDATE whose
subquery locks the chosen rows and skips rows another caseworker is locking (PostgreSQL:
`FOR UPDATE SKIP LOCKED`; SQLite writes one statement at a time), so two caseworkers never get
the same inquiry and any number of them can take work at once. A claim not worked expires.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import ValidationError
from sqlalchemy import and_, case, func, literal, or_, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from services.reply.store import ReplyStore
from services.reply.tables import PlanRecord, WorkFeedPosition, WorkItem, as_utc
from shared.events import InquiryRouted, derived_id
from shared.kafka_security import client_options
from shared.settings import ServiceSettings
from shared.topics import TopicNames, queue_topic
from shared.vocabulary import ALL_QUEUES, CaseworkerActionKind

INQUIRY, CALLBACK = "inquiry", "callback"


def item_id(inquiry_id: uuid.UUID, kind: str) -> uuid.UUID:
    return derived_id("work item", inquiry_id, kind)


# ---- feeding the table from the queue topics --------------------------------------------------


def add_routed(store: ReplyStore, records: Iterable[tuple[str, int, int, bytes | None]]) -> int:
    """Put what came on the queue topics into the table and move the feed's positions, in one
    transaction. Records are (topic, partition, offset, value); topics are relative names.
    A newer copy of an inquiry (a reroute, with its corrected decision) replaces the older one,
    and moves it to its new queue and frees it if it was elsewhere."""
    routed: dict[uuid.UUID, InquiryRouted] = {}
    ends: dict[tuple[str, int], int] = {}
    for topic, partition, offset, value in records:
        ends[(topic, partition)] = max(ends.get((topic, partition), 0), offset + 1)
        try:
            event = InquiryRouted.model_validate_json(value or b"")
        except ValidationError:
            continue  # not an inquiry: nothing a caseworker could work on
        if event.inquiry_id is None:
            continue
        key = item_id(event.inquiry_id, CALLBACK if event.callback else INQUIRY)
        if key not in routed or routed[key].occurred_at <= event.occurred_at:
            routed[key] = event
    rows = [_row(key, event) for key, event in routed.items()]
    with store.engine.begin() as connection:
        new = set()
        if rows:
            new = _insert_new(connection, rows)
        for row in rows:
            if row["item_id"] in new:
                continue
            moved = col(WorkItem.queue) != row["queue"]
            connection.execute(
                update(WorkItem)
                .where(col(WorkItem.item_id) == row["item_id"])
                .where(col(WorkItem.routed_at) < row["routed_at"])
                .values(
                    queue=row["queue"],
                    routed_at=row["routed_at"],
                    routed_json=row["routed_json"],
                    # Only a move frees it: the caseworker who rerouted it has let it go already.
                    claimed_by=case((moved, None), else_=col(WorkItem.claimed_by)),
                    claimed_at=case((moved, None), else_=col(WorkItem.claimed_at)),
                    claim_expires_at=case((moved, None), else_=col(WorkItem.claim_expires_at)),
                )
            )
        for (topic, partition), end in ends.items():
            _move_position(connection, topic, partition, end)
    return len(rows)


def _row(key: uuid.UUID, event: InquiryRouted) -> dict[str, Any]:
    return {
        "item_id": key,
        "inquiry_id": event.inquiry_id,
        "kind": CALLBACK if event.callback else INQUIRY,
        "queue": event.decision.queue,
        "thread_key": event.inquiry.thread_key,
        "received_at": as_utc(event.inquiry.received_at),
        "routed_at": as_utc(event.occurred_at),
        "deadline": as_utc(event.callback.deadline) if event.callback else None,
        "claimed_by": None,
        "claimed_at": None,
        "claim_expires_at": None,
        "closed_at": None,
        "closed_by": None,
        "routed_json": event.model_dump_json(),
    }


def _insert_new(connection: Any, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    statement = insert(WorkItem).on_conflict_do_nothing().returning(col(WorkItem.item_id))
    return {r for row in rows for r in connection.execute(statement, row).scalars()}


def _move_position(connection: Any, topic: str, partition: int, end: int) -> None:
    moved = connection.execute(
        update(WorkFeedPosition)
        .where(col(WorkFeedPosition.topic) == topic)
        .where(col(WorkFeedPosition.partition) == partition)
        .values(next_offset=func.max(col(WorkFeedPosition.next_offset), end))
        if connection.dialect.name == "sqlite"
        else update(WorkFeedPosition)
        .where(col(WorkFeedPosition.topic) == topic)
        .where(col(WorkFeedPosition.partition) == partition)
        .values(next_offset=func.greatest(col(WorkFeedPosition.next_offset), end))
    )
    if not moved.rowcount:
        if connection.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        connection.execute(
            insert(WorkFeedPosition)
            .values(topic=topic, partition=partition, next_offset=end)
            .on_conflict_do_nothing()
        )


def positions(store: ReplyStore) -> dict[tuple[str, int], int]:
    with Session(store.engine) as session:
        rows = session.exec(select(WorkFeedPosition)).all()
    return {(r.topic, r.partition): r.next_offset for r in rows}


class Feed:
    """Reads every queue topic from where the work table left off (no consumer group: the
    positions live in the table, beside the items they produced)."""

    def __init__(self, settings: ServiceSettings, store: ReplyStore) -> None:
        self.names = TopicNames(settings.topic_prefix)
        self.client = client_options(settings)
        self.store = store
        self.consumer = AIOKafkaConsumer(
            **self.client,
            enable_auto_commit=False,
            isolation_level="read_committed",
        )
        self.partitions: list[TopicPartition] = []

    async def start(self) -> None:
        await self.consumer.start()
        await self.assign()

    async def assign(self) -> None:
        """Every partition of every queue topic that exists; called again as topics appear."""
        admin = AIOKafkaAdminClient(**self.client)
        await admin.start()
        try:
            described = await admin.describe_topics(
                [self.names(queue_topic(q)) for q in ALL_QUEUES]
            )
        finally:
            await admin.close()
        partitions = sorted(
            TopicPartition(d["topic"], p["partition"])
            for d in described
            if d["error_code"] == 0
            for p in d["partitions"]
        )
        if partitions == self.partitions:
            return
        self.partitions = partitions
        self.consumer.assign(partitions)
        stored = positions(self.store)
        for tp in partitions:
            offset = stored.get((self.names.relative(tp.topic), tp.partition))
            if offset is None:
                await self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, offset)

    async def read(self, timeout_ms: int = 500) -> int:
        """One fetch into the table; returns the items added or moved."""
        if not self.partitions:
            return 0
        batch = await self.consumer.getmany(timeout_ms=timeout_ms, max_records=500)
        records = [
            (self.names.relative(r.topic), r.partition, r.offset, r.value)
            for part in batch.values()
            for r in part
        ]
        return add_routed(self.store, records) if records else 0

    async def catch_up(self, timeout: float = 15.0) -> None:
        """Read until every partition is at its end (the command, before it shows anything)."""
        if not self.partitions:
            return
        ends = await self.consumer.end_offsets(self.partitions)
        limit = time.monotonic() + timeout
        while time.monotonic() < limit:
            here = [await self.consumer.position(tp) for tp in self.partitions]
            if all(at >= ends[tp] for at, tp in zip(here, self.partitions, strict=True)):
                return
            await self.read(timeout_ms=300)

    async def stop(self) -> None:
        await self.consumer.stop()


async def catch_up(settings: ServiceSettings, store: ReplyStore) -> None:
    feed = Feed(settings, store)
    await feed.start()
    try:
        await feed.catch_up()
    finally:
        await feed.stop()


# ---- claiming ---------------------------------------------------------------------------------


def _effective_deadline() -> Any:
    return func.coalesce(col(WorkItem.deadline), col(PlanRecord.deadline))


def _open() -> Any:
    """Not closed here nor by reply, and the deadline not paused for the citizen."""
    return and_(
        col(WorkItem.closed_at).is_(None),
        col(PlanRecord.closed_at).is_(None),
        col(PlanRecord.paused_since).is_(None),
    )


def _free(now: datetime) -> Any:
    return or_(
        col(WorkItem.claimed_by).is_(None),
        and_(
            col(WorkItem.claim_expires_at).is_not(None),
            col(WorkItem.claim_expires_at) <= as_utc(now),
        ),
    )


def _joined(*columns: Any) -> Any:
    return (
        select(*columns)
        .select_from(WorkItem)
        .outerjoin(PlanRecord, col(PlanRecord.inquiry_id) == col(WorkItem.inquiry_id))
    )


def claim_next(
    store: ReplyStore,
    queues: Sequence[str],
    caseworker: str,
    now: datetime,
    *,
    hold: timedelta,
    count: int = 1,
) -> list[WorkItem]:
    """Claim the open items with the earliest deadlines in these queues for one caseworker."""
    chosen = (
        _joined(col(WorkItem.item_id))
        .where(col(WorkItem.queue).in_(list(queues)))
        .where(_open())
        .where(_free(now))
        .order_by(
            _effective_deadline().is_(None),
            _effective_deadline(),
            col(WorkItem.received_at),
        )
        .limit(count)
        .with_for_update(of=WorkItem, skip_locked=True)
    )
    statement = (
        update(WorkItem)
        .where(col(WorkItem.item_id).in_(chosen.scalar_subquery()))
        # Checked again as the row is written: a claim someone made meanwhile stands.
        .where(_free(now))
        .values(claimed_by=caseworker, claimed_at=as_utc(now), claim_expires_at=as_utc(now + hold))
        .returning(col(WorkItem.item_id))
    )
    taken = _retry_locked(store, statement)
    return _items(store, taken)


def _retry_locked(store: ReplyStore, statement: Any) -> list[uuid.UUID]:
    """SQLite refuses a writer while another writes ("database is locked"): try again."""
    for attempt in range(20):
        try:
            with store.engine.begin() as connection:
                return list(connection.execute(statement).scalars())
        except OperationalError as error:
            if "locked" not in str(error) or attempt == 19:
                raise
            time.sleep(0.05 * (attempt + 1))
    return []


def _items(store: ReplyStore, ids: Sequence[uuid.UUID]) -> list[WorkItem]:
    if not ids:
        return []
    with Session(store.engine) as session:
        found = {
            w.item_id: w
            for w in session.exec(select(WorkItem).where(col(WorkItem.item_id).in_(ids)))
        }
    return [found[i] for i in ids if i in found]


def unclaim(store: ReplyStore, inquiry_id: uuid.UUID, caseworker: str) -> bool:
    statement = (
        update(WorkItem)
        .where(col(WorkItem.inquiry_id) == inquiry_id)
        .where(col(WorkItem.claimed_by) == caseworker)
        .values(claimed_by=None, claimed_at=None, claim_expires_at=None)
        .returning(col(WorkItem.item_id))
    )
    return bool(_retry_locked(store, statement))


def holder(store: ReplyStore, inquiry_id: uuid.UUID, now: datetime) -> str | None:
    """Who holds the inquiry now (an expired claim holds nothing)."""
    for item in items_of(store, inquiry_id):
        if item.claimed_by and (
            item.claim_expires_at is None or as_utc(item.claim_expires_at) > as_utc(now)
        ):
            return item.claimed_by
    return None


def items_of(store: ReplyStore, inquiry_id: uuid.UUID) -> list[WorkItem]:
    with Session(store.engine) as session:
        return list(session.exec(select(WorkItem).where(col(WorkItem.inquiry_id) == inquiry_id)))


def after_action(
    store: ReplyStore,
    inquiry_id: uuid.UUID,
    kind: CaseworkerActionKind,
    caseworker: str,
    now: datetime,
    *,
    hold: timedelta,
    to_queue: str | None = None,
) -> None:
    """What an action does to the work at once (reply applies it to the plan a moment later):
    closing ends it, a reroute moves and frees it, a pause holds it for its caseworker, any
    other action keeps the caseworker's claim alive."""
    values: dict[str, Any]
    if kind in (CaseworkerActionKind.RESOLVE, CaseworkerActionKind.REPLY_SENT):
        values = {"closed_at": as_utc(now), "closed_by": caseworker}
    elif kind is CaseworkerActionKind.REROUTE:
        values = {"queue": to_queue, "claimed_by": None, "claimed_at": None}
        values["claim_expires_at"] = None
    elif kind is CaseworkerActionKind.AWAITING_CITIZEN:
        values = {"claimed_by": caseworker, "claim_expires_at": None}
    else:
        values = {"claimed_by": caseworker, "claim_expires_at": as_utc(now + hold)}
    statement = (
        update(WorkItem)
        .where(col(WorkItem.inquiry_id) == inquiry_id)
        .where(col(WorkItem.closed_at).is_(None))
        .values(**values)
        .returning(col(WorkItem.item_id))
    )
    if kind is CaseworkerActionKind.REROUTE:
        statement = statement.where(col(WorkItem.kind) == INQUIRY)
    _retry_locked(store, statement)


# ---- looking at the work ----------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    """An item with the deadline and state its plan gives it."""

    item: WorkItem
    deadline: datetime | None
    paused: bool
    closed: bool

    @property
    def routed(self) -> InquiryRouted:
        return self.item.routed


def _work(rows: Iterable[Any]) -> list[Work]:
    return [
        Work(
            item,
            as_utc(deadline) if deadline else None,
            bool(paused),
            bool(item.closed_at or closed),
        )
        for item, deadline, paused, closed in rows
    ]


def _columns() -> tuple[Any, ...]:
    return (
        WorkItem,
        _effective_deadline(),
        col(PlanRecord.paused_since).is_not(None),
        col(PlanRecord.closed_at).is_not(None),
    )


def waiting(store: ReplyStore, queue: str, now: datetime, *, count: int = 10) -> list[Work]:
    """The next items no caseworker holds, in the order they would be taken."""
    with Session(store.engine) as session:
        rows = session.exec(
            _joined(*_columns())
            .where(col(WorkItem.queue) == queue)
            .where(_open())
            .where(_free(now))
            .order_by(
                _effective_deadline().is_(None), _effective_deadline(), col(WorkItem.received_at)
            )
            .limit(count)
        ).all()
    return _work(rows)


def mine(store: ReplyStore, caseworker: str, now: datetime) -> list[Work]:
    """Open items this caseworker holds: claimed and not expired, or paused for the citizen."""
    with Session(store.engine) as session:
        rows = session.exec(
            _joined(*_columns())
            .where(col(WorkItem.claimed_by) == caseworker)
            .where(col(WorkItem.closed_at).is_(None))
            .where(col(PlanRecord.closed_at).is_(None))
            .where(
                or_(
                    col(WorkItem.claim_expires_at).is_(None),
                    col(WorkItem.claim_expires_at) > as_utc(now),
                )
            )
            .order_by(_effective_deadline().is_(None), _effective_deadline())
        ).all()
    return _work(rows)


@dataclass(frozen=True)
class QueueState:
    queue: str
    waiting: int
    held: int
    oldest_deadline: datetime | None
    overdue: int
    due_today: int


def overview(
    store: ReplyStore, queues: Sequence[str], now: datetime, end_of_today: datetime
) -> list[QueueState]:
    """Each queue: items waiting to be taken, held, the earliest open deadline, how many are
    overdue and how many fall due before the end of today (paused deadlines are not running)."""
    deadline = _effective_deadline()
    free = _free(now)
    with Session(store.engine) as session:
        rows = session.exec(
            _joined(
                col(WorkItem.queue),
                func.sum(_case(free)),
                func.sum(_case(~free)),
                func.min(deadline),
                func.sum(_case(deadline < as_utc(now))),
                func.sum(_case(and_(deadline >= as_utc(now), deadline < as_utc(end_of_today)))),
            )
            .where(col(WorkItem.queue).in_(list(queues)))
            .where(_open())
            .group_by(col(WorkItem.queue))
        ).all()
    found = {r[0]: r for r in rows}
    states = []
    for queue in queues:
        _, free_n, held, oldest, late, today = found.get(queue, (queue, 0, 0, None, 0, 0))
        states.append(
            QueueState(
                queue,
                int(free_n or 0),
                int(held or 0),
                as_utc(oldest) if isinstance(oldest, datetime) else _parse(oldest),
                int(late or 0),
                int(today or 0),
            )
        )
    return states


def _case(condition: Any) -> Any:
    return case((condition, literal(1)), else_=literal(0))


def _parse(value: Any) -> datetime | None:
    """SQLite gives min() of a moment back as text."""
    if value is None:
        return None
    return as_utc(datetime.fromisoformat(str(value)))
