"""The gateway's front door on its own ASGI app: keys from intake's store (kept as hashes, added,
rotated and revoked while it runs), channels per adapter, a rate per key (429 with Retry-After)
and the Idempotency-Key header."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import text

from services.intake.gateway import Gateway
from services.intake.keys import GatewayKeys
from services.intake.settings import IntakeSettings
from shared.database import make_engine
from shared.schema import migrate
from shared.vocabulary import Channel

NOTE = (
    "Borger: Ali Hassan, tlf. 21 43 65 87\nUdfald: viderestillet\n\n"
    "Skraldespanden er ikke tømt i to uger."
).encode()


class Front:
    def __init__(self, tmp_path: Path, **settings: Any) -> None:
        self.settings = IntakeSettings(
            state_dir=tmp_path, gateway_keys_refresh_seconds=0, **settings
        )
        self.engine = make_engine(self.settings)
        migrate(self.engine)
        self.keys = GatewayKeys(self.engine)
        self.published: list[tuple[Channel, bytes, dict[str, str], str]] = []

        async def publish(channel: Channel, body: bytes, headers: dict[str, str], key: str) -> None:
            self.published.append((channel, body, headers, key))

        gateway = Gateway(self.settings, publish, CollectorRegistry(), self.keys.active)
        routes = dict(gateway.routes())

        async def app(scope: Any, receive: Any, send: Any) -> None:
            await routes[scope["path"]](scope, receive, send)

        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        )

    async def post(self, channel: str, key: str, body: bytes = NOTE, **headers: str) -> Any:
        return await self.client.post(
            f"/v1/intake/{channel}",
            content=body,
            headers={"Authorization": f"Bearer {key}", **headers},
        )


@pytest.fixture
async def front(tmp_path: Path) -> AsyncIterator[Front]:
    made = Front(tmp_path)
    yield made
    await made.client.aclose()
    made.engine.dispose()


async def test_a_stored_key_is_kept_as_a_hash_and_works_until_revoked(front: Front) -> None:
    key = front.keys.add("desk", [Channel.PHONE])
    assert (await front.post("phone", key, **{"X-Call-Id": "call-1"})).status_code == 202
    with front.engine.connect() as connection:
        stored = connection.execute(text("SELECT * FROM intake_gateway_key")).all()
    assert key not in repr(stored)
    assert front.keys.listing() == [("desk", "phone", None, 1)]

    assert front.keys.revoke("desk") == 1
    refused = await front.post("phone", key, **{"X-Call-Id": "call-2"})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert len(front.published) == 1


async def test_rotation_replaces_the_key_and_keeps_channels_and_rate(front: Front) -> None:
    old = front.keys.add("scanner", [Channel.LETTER, Channel.PHONE], rate_per_minute=30)
    new = front.keys.rotate("scanner")
    assert (await front.post("phone", old)).status_code == 401
    assert (await front.post("phone", new, **{"X-Call-Id": "c"})).status_code == 202
    assert front.keys.listing() == [("scanner", "letter,phone", 30, 1)]


async def test_an_adapter_may_post_only_to_its_channels(front: Front) -> None:
    key = front.keys.add("scanner", [Channel.LETTER])
    answer = await front.post("phone", key)
    assert answer.status_code == 403
    assert "scanner" in answer.json()["error"]
    assert (await front.post("phone", "itk_not-a-key")).status_code == 401


async def test_a_key_over_its_rate_gets_429_with_retry_after(front: Front) -> None:
    key = front.keys.add("chatbot", [Channel.PHONE], rate_per_minute=2)
    other = front.keys.add("desk", [Channel.PHONE], rate_per_minute=2)
    statuses = [(await front.post("phone", key, **{"X-Call-Id": f"r{i}"})) for i in range(3)]
    assert [s.status_code for s in statuses] == [202, 202, 429]
    assert statuses[2].headers["retry-after"] == "30"
    # The limit is per adapter: another key is not held back.
    assert (await front.post("phone", other, **{"X-Call-Id": "o"})).status_code == 202


async def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(front: Front) -> None:
    key = front.keys.add("desk", [Channel.PHONE])
    first = await front.post("phone", key, **{"Idempotency-Key": "note-7f3a"})
    again = await front.post("phone", key, **{"Idempotency-Key": "note-7f3a"})
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    # Published once, named by the key (the note has no call id of its own).
    assert len(front.published) == 1
    assert first.json()["channel_message_id"] == "note-7f3a"
    assert front.published[0][2]["call-id"] == "note-7f3a"

    other_body = await front.post(
        "phone", key, body=NOTE + b" Mere.", **{"Idempotency-Key": "note-7f3a"}
    )
    assert other_body.status_code == 422
    assert "different body" in other_body.json()["error"]


async def test_a_refused_request_does_not_use_up_its_idempotency_key(front: Front) -> None:
    key = front.keys.add("desk", [Channel.PHONE])
    unreadable = await front.post("phone", key, body=b"{", **{"Idempotency-Key": "k1"})
    assert unreadable.status_code == 422
    accepted = await front.post("phone", key, **{"Idempotency-Key": "k1"})
    assert accepted.status_code == 202
