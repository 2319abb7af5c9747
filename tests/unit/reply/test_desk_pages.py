"""The desk's pages in process (no broker: nothing here publishes): local accounts, the sign-on
proxy's headers and whom they are accepted from, teams, CSRF tokens and the language."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from services.reply.business_hours import BusinessCalendar
from services.reply.desk.accounts import LocalAccounts, from_trusted_headers
from services.reply.desk.pages import Desk, DeskMetrics, build_pages
from services.reply.desk.settings import DEMO_ACCOUNTS, DeskSettings
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from services.reply.templates import ReplyTemplates
from shared.database import make_engine
from tests.conftest import migrated


async def nothing_published(outgoing: Any) -> None:
    raise AssertionError(f"nothing should be published here: {outgoing}")


def desk_for(tmp_path: Path, **settings: Any) -> Desk:
    reply = ReplySettings(database_url=migrated(f"sqlite:///{tmp_path / 'reply.db'}"))
    desk = Desk(
        reply, DeskSettings(**settings), nothing_published, DeskMetrics.on(CollectorRegistry())
    )
    desk.state.update(
        store=ReplyStore(make_engine(reply)),
        calendar=BusinessCalendar.from_settings(reply),
        templates=ReplyTemplates.load(reply.templates_dir, reply.template_fallback),
    )
    return desk


@pytest.fixture
async def local_desk(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = build_pages(desk_for(tmp_path))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://desk") as client:
        yield client


def token(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def test_demo_accounts_check_argon2_hashes_and_know_their_teams() -> None:
    accounts = LocalAccounts.load(DEMO_ACCOUNTS)
    dina = accounts.sign_in("dina", "demo")
    assert dina is not None
    assert dina.queues == ("specialist.BUF",)
    assert not dina.may_open("specialist.SOF")
    assert accounts.sign_in("dina", "wrong") is None
    assert accounts.sign_in("nobody", "demo") is None
    anna = accounts.get("anna")
    assert anna is not None
    assert anna.queues == ("contact-centre", "manual-triage")


def test_the_proxy_names_the_caseworker_and_only_known_teams_count() -> None:
    person = from_trusted_headers("k123", "Kim", "specialists.SOF, admins ,citizen-service")
    assert person is not None
    assert person.teams == ("specialists.SOF", "citizen-service")
    assert from_trusted_headers(None, None, "citizen-service") is None


def test_production_refuses_the_placeholder_secret_and_the_demo_accounts() -> None:
    with pytest.raises(ValueError, match="DESK_SESSION_SECRET"):
        DeskSettings(environment="production")
    with pytest.raises(ValueError, match="demo accounts are refused"):
        DeskSettings(environment="production", session_secret="s3cret-enough")
    DeskSettings(environment="production", session_secret="s", sign_on="trusted-header")


async def test_sign_in_needs_the_forms_token_and_the_right_password(
    local_desk: httpx.AsyncClient,
) -> None:
    assert (await local_desk.get("/")).headers["location"] == "/sign-in"
    form = await local_desk.get("/sign-in")
    assert '<html lang="da">' in form.text
    forged = await local_desk.post("/sign-in", data={"login": "lead", "password": "demo"})
    assert forged.status_code == 403
    wrong = await local_desk.post(
        "/sign-in", data={"login": "lead", "password": "nope", "csrf": token(form.text)}
    )
    assert wrong.status_code == 401
    assert "Forkert brugernavn" in wrong.text
    right = await local_desk.post(
        "/sign-in", data={"login": "dina", "password": "demo", "csrf": token(form.text)}
    )
    assert right.status_code == 303
    overview = await local_desk.get("/")
    assert "specialist.BUF" in overview.text
    assert "specialist.SOF" not in overview.text
    english = await local_desk.post(
        "/language", data={"language": "en", "csrf": token(overview.text)}
    )
    assert english.status_code == 303
    assert "Caseworkers&#39; desk" in (await local_desk.get("/")).text
    refused = await local_desk.post(
        "/queues/specialist.SOF/next", data={"csrf": token(overview.text)}
    )
    assert refused.status_code == 403


async def test_trusted_headers_are_taken_only_from_the_proxy(tmp_path: Path) -> None:
    behind_proxy = build_pages(desk_for(tmp_path, sign_on="trusted-header"))
    elsewhere = build_pages(
        desk_for(tmp_path, sign_on="trusted-header", trusted_proxies=["10.0.0.5"])
    )
    headers = {"X-Remote-User": "k123", "X-Remote-Groups": "specialists.SOF"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=behind_proxy), base_url="http://desk"
    ) as client:
        page = await client.get("/", headers=headers)
        assert page.status_code == 200
        assert "specialist.SOF" in page.text
        assert "specialist.BUF" not in page.text
        assert (await client.get("/")).status_code == 401
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=elsewhere), base_url="http://desk"
    ) as client:
        assert (await client.get("/", headers=headers)).status_code == 403
