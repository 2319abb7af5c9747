"""The desk in a real headless Chromium (Debian's, driven by Playwright) against the reply service
and the desk as processes on the real broker, with a real SMTP server (aiosmtpd) as the sink."""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from benchmarks.pipeline import Pipeline
from services.reply.settings import ReplySettings
from shared.bus import ensure_topics
from shared.events import Envelope, InquiryRouted, InquiryTriaged
from shared.topics import CASEWORKER_ACTIONS, INQUIRIES_TRIAGED, queue_topic
from shared.vocabulary import ALL_QUEUES
from tests.conftest import free_port
from tests.integration.reply_harness import Mailbox

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parents[2] / "services/reply/desk/static/vendor/axe-core/axe.min.js"


@dataclass
class Stack:
    pipeline: Pipeline
    mailbox: Mailbox
    desk_url: str

    async def publish(self, topic: str, event: Envelope) -> None:
        await self.pipeline.publish(topic, event.model_dump_json().encode())

    async def route(self, event: InquiryTriaged) -> None:
        """What triage publishes: the triaged event for reply and the inquiry on its queue."""
        routed = InquiryRouted(
            **{
                **event.model_dump(),
                "event_type": InquiryRouted.EVENT_TYPE,
                "event_id": uuid.uuid4(),
            }
        )
        await self.publish(INQUIRIES_TRIAGED, event)
        await self.publish(queue_topic(event.decision.queue), routed)

    async def actions(
        self, until: Callable[[list[dict[str, Any]]], bool], timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        import json

        records = await self.pipeline.collect(
            [CASEWORKER_ACTIONS],
            until=lambda rs: until([json.loads(v) for _, v in rs]),
            timeout=timeout,
        )
        return [json.loads(v) for _, v in records]


@pytest.fixture(scope="module")
async def stack(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    pipeline = Pipeline(
        kafka_bootstrap,
        prefix=f"br{uuid.uuid4().hex[:8]}.",
        state_dir=tmp_path_factory.mktemp("desk"),
        settings={
            "REPLY_SMTP_HOST": "127.0.0.1",
            "REPLY_SMTP_PORT": str(smtp.port),
            "REPLY_WATCH_INTERVAL_SECONDS": "0.5",
            "DESK_REFRESH_SECONDS": "1",
        },
    )
    # Triage creates the queue topics in a deployment.
    await ensure_topics(
        ReplySettings(kafka_bootstrap_servers=kafka_bootstrap, topic_prefix=pipeline.prefix),
        [queue_topic(q) for q in ALL_QUEUES],
    )
    pipeline.start("reply", "desk")
    try:
        pipeline.wait_ready("reply", "desk")
        yield Stack(pipeline, mailbox, pipeline.url("desk", ""))
    finally:
        pipeline.stop()
        smtp.stop()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


async def signed_in(browser: Browser, stack: Stack, login: str) -> tuple[BrowserContext, Page]:
    """A caseworker of their own browser context (cookies of their own), signed in."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(stack.desk_url + "/")
    await page.get_by_label("Brugernavn").fill(login)
    await page.get_by_label("Adgangskode").fill("demo")
    await page.get_by_role("button", name="Log ind").click()
    await page.wait_for_url(stack.desk_url + "/")
    return context, page


async def serious_violations(page: Page) -> list[Any]:
    """axe-core in the page: violations of WCAG 2.1 A/AA rated serious or critical."""
    await page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = await page.evaluate(
        """async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a',
        'wcag21aa']})).violations.filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.html)}))"""
    )
    return list(found)


async def eventually(check: Callable[[], Any], timeout: float = 30.0, what: str = "it") -> Any:
    import asyncio

    deadline = time.monotonic() + timeout
    while not (value := await check()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not seen in {timeout} s")
        await asyncio.sleep(0.3)
    return value
