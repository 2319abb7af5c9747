"""The HTTP gateway for channel systems that do not speak Kafka: `POST /v1/intake/{channel}`.

The raw body is what the channel's raw topic carries (MIME bytes, a JSON note, OCR text, a PDF).
Each adapter has its own key (`Authorization: Bearer KEY` or `X-API-Key: KEY`, or a webhook
signature made with it, as Intercom sends) and the channels it may post. The body is read by intake's own normalisation before it is accepted, so a sender
hears at once what is wrong (422) instead of finding it later on deadletter.intake; an accepted
body is published to `intake.raw.<channel>` and confirmed by the broker before the 202.
The tracking id in the 202 is the inquiry id the message will have on every topic downstream.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter

from services.intake.admission import IdempotencyConflict, IdempotentAnswers, RateLimits
from services.intake.channels.draft import ID_HEADERS
from services.intake.encoded import mask
from services.intake.handler import inquiry_id_of
from services.intake.keys import Grant, key_hash
from services.intake.normalise import Failed, Ignored, Read, Refused, read_messages
from services.intake.settings import IntakeSettings
from shared.vocabulary import Channel

log = logging.getLogger(__name__)

# (channel, body, Kafka headers, key) -> awaited until the broker confirms
Publish = Callable[[Channel, bytes, dict[str, str], str], Awaitable[None]]
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# (status, JSON body, extra response headers)
Answer = tuple[int, dict[str, Any], list[tuple[bytes, bytes]]]

PATH = "/v1/intake/{channel}"
# The keys in intake's store (services/intake/keys.py), by hash; read off the event loop.
LoadKeys = Callable[[], dict[str, Grant]]


class TooLarge(Exception):
    pass


class Gateway:
    def __init__(
        self,
        settings: IntakeSettings,
        publish: Publish,
        registry: CollectorRegistry,
        load_keys: LoadKeys | None = None,
    ) -> None:
        self.settings = settings
        self.publish = publish
        self.load_keys = load_keys
        self.stored_keys: dict[str, Grant] = {}
        self.keys_read_at = -math.inf
        self.rates = RateLimits()
        self.answers = IdempotentAnswers(settings.gateway_idempotency_hours * 3600)
        self.requests = Counter(
            "intake_gateway_requests",
            "Requests to the HTTP gateway, by channel and response status",
            ["channel", "status"],
            registry=registry,
        )
        for channel in Channel:
            # Reported from the start, at 0: a dashboard shows no requests, not no data.
            self.requests.labels(channel.value, "202")

    def routes(self) -> list[tuple[str, Any]]:
        return [(PATH.format(channel=c.value), self._endpoint(c)) for c in Channel]

    def _endpoint(self, channel: Channel) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
        async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
            status, body, extra = await self._handle(channel, scope, receive)
            self.requests.labels(channel.value, str(status)).inc()
            headers = [(b"content-type", b"application/json"), *extra]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": json.dumps(body).encode()})

        return endpoint

    async def _stored_keys(self) -> dict[str, Grant]:
        """The store's keys, read again once they are older than the refresh interval, so that a
        key added or revoked with the CLI counts without a restart."""
        if self.load_keys is None:
            return {}
        now = time.monotonic()
        if now - self.keys_read_at >= self.settings.gateway_keys_refresh_seconds:
            self.stored_keys = await asyncio.to_thread(self.load_keys)
            self.keys_read_at = now
        return self.stored_keys

    async def _adapter(self, headers: dict[str, str]) -> Grant | None:
        offered = headers.get("x-api-key", "")
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            offered = authorization[7:].strip()
        if not offered:
            return None
        if (stored := (await self._stored_keys()).get(key_hash(offered))) is not None:
            return stored
        found = None
        for name, adapter in self.settings.gateway_adapters.items():
            # Every key is compared, so the time taken does not tell which one nearly matched.
            if hmac.compare_digest(offered.encode(), adapter.key.get_secret_value().encode()):
                found = Grant(name, frozenset(adapter.channels))
        return found

    def _signed_by(self, signature: str, body: bytes) -> Grant | None:
        """Intercom signs its webhooks (X-Hub-Signature: sha1=HMAC of the body with the app's
        client secret) and cannot send a key header: that adapter's key is the client secret."""
        found = None
        for name, adapter in self.settings.gateway_adapters.items():
            secret = adapter.key.get_secret_value().encode()
            expected = "sha1=" + hmac.new(secret, body, hashlib.sha1).hexdigest()
            if hmac.compare_digest(signature.strip().encode(), expected.encode()):
                found = Grant(name, frozenset(adapter.channels))
        return found

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> bytes:
        limit = self.settings.gateway_max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise TooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _read(self, channel: Channel, raw: bytes, kafka_headers: dict[str, str]) -> Read:
        """Normalised in a worker thread: a megabyte PDF or e-mail takes long enough to stall
        the event loop that the consumers and the health checks share."""
        [result] = await asyncio.to_thread(
            read_messages,
            [(channel, raw, kafka_headers)],
            salt=self.settings.cpr_salt,
            min_language_confidence=self.settings.language_min_confidence,
        )
        return result

    async def _handle(self, channel: Channel, scope: Scope, receive: Receive) -> Answer:
        if scope.get("method") != "POST":
            return (
                405,
                {"error": "use POST with the raw message as the body"},
                [(b"allow", b"POST")],
            )
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        too_large: Answer = (
            413,
            {"error": f"the body is larger than {self.settings.gateway_max_bytes} bytes"},
            [],
        )
        adapter = await self._adapter(headers)
        raw = None
        if adapter is None and (signature := headers.get("x-hub-signature")):
            try:
                raw = await self._read_body(headers, receive)
            except TooLarge:
                return too_large
            adapter = self._signed_by(signature, raw)
        if adapter is None:
            return (
                401,
                {"error": "a valid API key is needed (Authorization: Bearer KEY or X-API-Key)"},
                [(b"www-authenticate", b"Bearer")],
            )
        if channel not in adapter.channels:
            return (
                403,
                {"error": f"adapter {adapter.adapter!r} may not post to {channel.value}"},
                [],
            )
        rate = adapter.rate_per_minute or self.settings.gateway_rate_per_minute
        if wait := self.rates.wait_for(adapter.adapter, rate):
            return (
                429,
                {"error": f"more than {rate} requests a minute from {adapter.adapter!r}"},
                [(b"retry-after", str(wait).encode())],
            )
        if raw is None:
            try:
                raw = await self._read_body(headers, receive)
            except TooLarge:
                return too_large
        if not raw.strip():
            return 400, {"error": "the body is empty: send the raw message as the body"}, []
        idempotency_key = headers.get("idempotency-key", "").strip()
        if not idempotency_key:
            return await self._accept(channel, adapter.adapter, raw, headers, None)
        try:
            earlier = self.answers.begin(
                adapter.adapter, idempotency_key, hashlib.sha256(raw).hexdigest()
            )
        except IdempotencyConflict as conflict:
            return conflict.status, {"error": conflict.reason}, []
        if earlier is not None:
            return earlier
        answer: Answer | None = None
        try:
            answer = await self._accept(channel, adapter.adapter, raw, headers, idempotency_key)
        finally:
            accepted = answer is not None and answer[0] == 202
            self.answers.finish(adapter.adapter, idempotency_key, answer if accepted else None)
        return answer

    async def _accept(
        self,
        channel: Channel,
        adapter: str,
        raw: bytes,
        headers: dict[str, str],
        idempotency_key: str | None,
    ) -> Answer:
        kafka_headers = {"adapter": adapter}
        id_header = ID_HEADERS.get(channel)
        # The channel's own id first; else the Idempotency-Key names the message, so that a
        # retry is recognised by intake even after the gateway restarted.
        if id_header and (given := headers.get(f"x-{id_header}") or idempotency_key):
            kafka_headers[id_header] = given
        result = await self._read(channel, raw, kafka_headers)
        if isinstance(result, Refused):
            return 422, {"error": mask(result.reason).text}, []
        if isinstance(result, Failed):  # a bug of ours: logged where it happened, not the content
            log.error(
                "unexpected %s reading a %s message, at:\n%s",
                result.error,
                channel.value,
                result.stack,
            )
            return 500, {"error": "intake failed on this message; it was not queued"}, []
        tracking_id = str(inquiry_id_of(channel, result.channel_message_id))
        try:
            await self.publish(channel, raw, kafka_headers, result.channel_message_id)
        except Exception:
            return 503, {"error": "the message could not be queued; send it again"}, []
        body: dict[str, Any] = {
            "tracking_id": tracking_id,
            "channel": channel.value,
            "channel_message_id": result.channel_message_id,
        }
        if isinstance(result, Ignored):
            body["note"] = f"not an inquiry ({result.why}): counted, not triaged"
        return 202, body, []
