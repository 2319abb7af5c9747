"""Intake's HTTP front door in process: the real gateway and the real health routes of the
service process, with a publish that keeps what it is given instead of a broker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry

from services.intake.gateway import Gateway, Publish
from services.intake.settings import IntakeSettings
from shared.bus import make_broker
from shared.service import ServiceProcess
from shared.vocabulary import Channel

ADAPTER_KEY = "fuzz-adapter-key-0123456789abcdef"
SALT = "a-test-salt-of-some-length"


@dataclass
class Published:
    messages: list[tuple[Channel, bytes, dict[str, str], str]] = field(default_factory=list)

    async def __call__(
        self, channel: Channel, body: bytes, headers: dict[str, str], key: str
    ) -> None:
        self.messages.append((channel, body, headers, key))


_DEFAULTS = IntakeSettings.model_fields


def gateway_app(
    published: Publish,
    *,
    max_bytes: int = _DEFAULTS["gateway_max_bytes"].default,
    rate_per_minute: int = _DEFAULTS["gateway_rate_per_minute"].default,
) -> Any:
    """An ASGI app with the gateway's routes beside /health/live; nothing connects."""
    settings = IntakeSettings(
        cpr_salt=SALT,
        gateway_max_bytes=max_bytes,
        gateway_rate_per_minute=rate_per_minute,
        gateway_adapters={"fuzz": {"key": ADAPTER_KEY, "channels": list(Channel)}},
    )
    registry = CollectorRegistry()

    @asynccontextmanager
    async def no_lifespan() -> AsyncIterator[None]:
        yield

    process = ServiceProcess(
        make_broker(settings, registry),
        registry,
        lifespan=no_lifespan,
        title="intake",
        routes=Gateway(settings, published, registry).routes(),
    )
    return process.app


AUTHORISED = {"Authorization": f"Bearer {ADAPTER_KEY}"}
