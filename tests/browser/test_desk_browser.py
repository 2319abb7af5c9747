"""A person's work at the desk, in Chromium, on the real broker: two caseworkers taking from one
queue, a specialist refused another department's inquiry, pause, resume, reroute and resolve on
caseworker.actions and in the deadline's state, a reply that reaches the SMTP server once, and
axe-core finding no serious accessibility violation."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from playwright.async_api import Browser, Page

from shared.vocabulary import Complexity, Department
from tests.browser.conftest import Stack, eventually, serious_violations, signed_in
from tests.unit.reply.inquiries import triaged

pytestmark = [pytest.mark.kafka, pytest.mark.browser]


async def waiting_in(page: Page, queue: str, at_least: int) -> None:
    cell = page.locator(f"tr[data-queue='{queue}'] [data-field='waiting']")

    async def enough() -> bool:
        text = await cell.text_content() if await cell.count() else None
        return bool(text) and int(text or 0) >= at_least

    # The overview polls by itself: no reload.
    await eventually(enough, what=f"{at_least} waiting in {queue}")


async def take_next(page: Page, queue: str) -> str:
    await page.locator(f"tr[data-queue='{queue}'] button").click()
    await page.wait_for_url("**/inquiries/*")
    return page.url.rsplit("/", 1)[1]


async def press(page: Page, button: str, exact: bool = False) -> None:
    """Press a form's button and wait until the page it posts back to has loaded: reloading while
    the post's redirect is still under way detaches the page."""
    async with page.expect_navigation():
        await page.get_by_role("button", name=button, exact=exact).click()


async def deadline_state(page: Page, wanted: str) -> None:
    async def shown() -> bool:
        await page.reload()
        return await page.locator("#deadline-state").get_attribute("data-state") == wanted

    await eventually(shown, what=f"the deadline {wanted}")


async def test_two_caseworkers_in_two_browsers_take_different_inquiries(
    stack: Stack, browser: Browser
) -> None:
    events = [triaged(queue="contact-centre") for _ in range(3)]
    for event in events:
        await stack.route(event)
    (anna_context, anna), (bo_context, bo) = await asyncio.gather(
        signed_in(browser, stack, "anna"), signed_in(browser, stack, "bo")
    )
    await waiting_in(anna, "contact-centre", 3)
    await waiting_in(bo, "contact-centre", 3)
    anna_took, bo_took = await asyncio.gather(
        take_next(anna, "contact-centre"), take_next(bo, "contact-centre")
    )
    assert anna_took != bo_took
    assert {anna_took, bo_took} <= {str(e.inquiry_id) for e in events}
    claims = await stack.actions(
        lambda rs: (
            {(r["caseworker"], r["inquiry_id"]) for r in rs if r["action"] == "claim"}
            >= {("anna", anna_took), ("bo", bo_took)}
        )
    )
    assert {(r["caseworker"], r["inquiry_id"]) for r in claims if r["action"] == "claim"} == {
        ("anna", anna_took),
        ("bo", bo_took),
    }
    await anna.goto(stack.desk_url + "/")
    assert await anna.get_by_role("link", name="contact-centre").count() == 1  # my inquiries
    await anna_context.close()
    await bo_context.close()


async def test_a_specialist_is_refused_another_departments_inquiry_by_the_server(
    stack: Stack, browser: Browser
) -> None:
    event = triaged(
        queue="specialist.SOF", complexity=Complexity.SPECIALIST, department=Department.SOF
    )
    await stack.route(event)
    emil_context, emil = await signed_in(browser, stack, "emil")
    await waiting_in(emil, "specialist.SOF", 1)  # fed: the desk knows the inquiry
    dina_context, dina = await signed_in(browser, stack, "dina")
    assert await dina.locator("tr[data-queue='specialist.SOF']").count() == 0
    response = await dina.goto(f"{stack.desk_url}/inquiries/{event.inquiry_id}")
    assert response is not None
    assert response.status == 403
    assert "ikke adgang" in await dina.locator("h1").inner_text()
    await dina.goto(stack.desk_url + "/")
    token = await dina.locator("input[name=csrf]").first.get_attribute("value")
    taken = await dina.request.post(
        f"{stack.desk_url}/queues/specialist.SOF/next", form={"csrf": token or ""}
    )
    assert taken.status == 403
    forged = await dina.request.post(f"{stack.desk_url}/queues/specialist.BUF/next", form={})
    assert forged.status == 403  # no CSRF token: refused before anything is taken
    await dina_context.close()
    await emil_context.close()


async def test_pause_resume_reroute_and_resolve_reach_the_bus_and_the_deadline(
    stack: Stack, browser: Browser
) -> None:
    first, second = (triaged(queue="citizen-service") for _ in range(2))
    await stack.route(first)
    await stack.route(second)
    context, carl = await signed_in(browser, stack, "carl")
    await waiting_in(carl, "citizen-service", 2)
    one = await take_next(carl, "citizen-service")

    def acted(kind: str, inquiry: str):  # type: ignore[no-untyped-def]
        return lambda rs: any(r["action"] == kind and r["inquiry_id"] == inquiry for r in rs)

    await press(carl, "Afventer borgeren")
    await stack.actions(acted("awaiting_citizen", one))
    await deadline_state(carl, "paused")
    await press(carl, "Borgeren har svaret")
    await stack.actions(acted("citizen_answered", one))
    await deadline_state(carl, "running")

    await carl.get_by_label("Til kø").select_option("contact-centre")
    await carl.get_by_label("Begrundelse").fill("Et spørgsmål til kontaktcentret")
    await carl.get_by_role("button", name="Omdiriger").click()
    await carl.wait_for_url(stack.desk_url + "/")  # no longer one of carl's queues
    rerouted = await stack.actions(acted("reroute", one))
    [reroute] = [r for r in rerouted if r["action"] == "reroute" and r["inquiry_id"] == one]
    assert (reroute["queue"], reroute["to_queue"]) == ("citizen-service", "contact-centre")
    assert reroute["from_department"] == "OKF"
    assert reroute["caseworker"] == "carl"

    two = await take_next(carl, "citizen-service")
    assert two != one
    await press(carl, "Afslut", exact=True)
    await stack.actions(acted("resolve", two))
    await deadline_state(carl, "closed")
    await context.close()


async def test_a_reply_from_the_desk_reaches_the_mail_server_once_and_pages_pass_axe(
    stack: Stack, browser: Browser
) -> None:
    event = triaged(
        queue="specialist.TMF", complexity=Complexity.SPECIALIST, department=Department.TMF
    )
    await stack.route(event)
    context, lead = await signed_in(browser, stack, "lead")
    await waiting_in(lead, "specialist.TMF", 1)
    assert await serious_violations(lead) == []
    taken = await take_next(lead, "specialist.TMF")
    assert taken == str(event.inquiry_id)
    assert await serious_violations(lead) == []

    marker = f"svar-{uuid.uuid4().hex[:8]}"
    assert await lead.get_by_label("Kanal").input_value() == "email"
    message = lead.get_by_label("Besked")
    await message.fill((await message.input_value()).replace("[Skriv svaret her]", marker))
    await press(lead, "Send svar")
    await stack.actions(
        lambda rs: any(r["action"] == "reply_sent" and r["inquiry_id"] == taken for r in rs)
    )

    def delivered() -> list[str]:
        return [m["To"] for m in stack.mailbox.messages if marker in m.get_content()]

    async def arrived() -> list[str]:
        return delivered()

    assert await eventually(arrived, what="the reply at the mail server") == [
        "karen.holm@example.dk"
    ]
    await asyncio.sleep(2.0)  # four more rounds of the deadline watch: nothing is sent again
    assert delivered() == ["karen.holm@example.dk"]
    await deadline_state(lead, "closed")
    await context.close()
