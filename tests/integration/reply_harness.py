"""The reply service in the test's own process, on the real broker, with a clock the test moves
and a real SMTP server (aiosmtpd) that the test starts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiosmtpd.controller import Controller

from services.reply.app import build_app
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from shared.bus import ensure_topics
from shared.database import make_engine
from shared.events import Envelope
from shared.topics import queue_topic
from shared.vocabulary import ALL_QUEUES
from tests.conftest import free_port, migrated

Records = list[tuple[str, bytes]]


@dataclass
class MovableClock:
    """The deadline watch's clock: the test sets the time instead of waiting for it."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it receives; it can refuse with 451 for its first
    `refuse_first` messages, and drop the connection without an answer at the messages numbered
    in `drop_at` (counting every DATA it was sent, from 1)."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse_first: int = 0
    drop_at: set[int] = field(default_factory=set)
    delay: float = 0.0  # a slow server: seconds before each answer to DATA
    data_seen: int = 0

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.data_seen += 1
        await asyncio.sleep(self.delay)
        if self.data_seen in self.drop_at:
            server.transport.abort()  # gone before it answered: the message is not kept
            return "421 4.3.0 gone"
        if self.data_seen <= self.refuse_first:
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


@contextmanager
def smtp_sink(mailbox: Mailbox) -> Iterator[Controller]:
    """A real SMTP server on a free port of the loopback."""
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@dataclass
class ReplyHarness:
    settings: ReplySettings
    clock: MovableClock
    mailbox: Mailbox
    port: int

    @property
    def store(self) -> ReplyStore:
        return ReplyStore(make_engine(self.settings))

    def topic(self, name: str) -> str:
        return f"{self.settings.topic_prefix}{name}"

    async def publish(self, topic: str, *events: Envelope | bytes, key: str | None = None) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.settings.kafka_bootstrap_servers)
        await producer.start()
        try:
            for event in events:
                body = event if isinstance(event, bytes) else event.model_dump_json().encode()
                await producer.send_and_wait(
                    self.topic(topic), body, key=key.encode() if key else None
                )
        finally:
            await producer.stop()

    async def collect(
        self, topics: Sequence[str], until: Callable[[Records], bool], *, timeout: float = 30.0
    ) -> Records:
        """Read the topics from the beginning until `until(records)` or the time runs out."""
        consumer = AIOKafkaConsumer(
            *(self.topic(t) for t in topics),
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        records: Records = []
        try:
            deadline = time.monotonic() + timeout
            while not until(records) and time.monotonic() < deadline:
                for tp, batch in (await consumer.getmany(timeout_ms=300)).items():
                    name = tp.topic.removeprefix(self.settings.topic_prefix)
                    records += [(name, r.value) for r in batch]
        finally:
            await consumer.stop()
        return records

    async def metric(self, name: str, **labels: str) -> float:
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"http://127.0.0.1:{self.port}/metrics")).text
        total = 0.0
        for line in text.splitlines():
            if line.startswith((name + "{", name + " ")):
                sample, value = line.rsplit(" ", 1)
                if all(f'{k}="{v}"' in sample for k, v in labels.items()):
                    total += float(value)
        return total

    async def checks_done(self) -> float:
        return await self.metric("reply_deadline_checks_total")

    async def wait_for(
        self, condition: Callable[[], Any], *, timeout: float = 30.0, what: str = "condition"
    ) -> Any:
        """Poll the store (or anything) until `condition()` is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while not (value := condition()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} not reached in {timeout} s")
            await asyncio.sleep(0.1)
        return value

    async def more_checks(self, rounds: int = 3) -> None:
        """Wait until the deadline watch has run `rounds` more times."""
        start = await self.checks_done()
        deadline = time.monotonic() + 30
        while await self.checks_done() < start + rounds:
            if time.monotonic() > deadline:
                raise TimeoutError("the deadline watch does not run")
            await asyncio.sleep(0.1)


@asynccontextmanager
async def running_reply(
    bootstrap: str, prefix: str, state_dir: Path, now: datetime
) -> AsyncIterator[ReplyHarness]:
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    settings = ReplySettings(
        kafka_bootstrap_servers=bootstrap,
        topic_prefix=prefix,
        state_dir=state_dir,
        database_url=migrated(f"sqlite:///{state_dir / 'reply.db'}"),
        environment="test",
        log_level="WARNING",
        http_port=port,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        watch_interval_seconds=0.2,
        batch_timeout_ms=20,
    )
    # Triage creates the queue topics in a deployment; reroutes publish to them.
    await ensure_topics(settings, [queue_topic(q) for q in ALL_QUEUES])
    clock = MovableClock(now)
    process = build_app(settings, clock=clock)
    server = uvicorn.Server(
        uvicorn.Config(process.app, host="127.0.0.1", port=port, lifespan="on", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    try:
        async with httpx.AsyncClient() as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    ready = await client.get(f"http://127.0.0.1:{port}/health/ready")
                    if ready.status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if task.done() or time.monotonic() > deadline:
                    raise RuntimeError("the reply service did not become ready")
                await asyncio.sleep(0.1)
        yield ReplyHarness(settings, clock, mailbox, port)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)
        smtp.stop()
