"""The HTTP gateway for channel systems that do not speak Kafka: `POST /v1/intake/{channel}`.

The raw body is what the channel's raw topic carries (MIME bytes, a JSON note, OCR text, a PDF).
Each adapter has its own key (`Authorization: Bearer KEY` or `X-API-Key: KEY`, or a webhook
signature made with it, as Intercom sends) and the channels it may post. The body is read by intake's own normalisation before it is accepted, so a sender
hears at once what is wrong (422) instead of finding it later on deadletter.intake; an accepted
body is published to `intake.raw.<channel>` and confirmed by the broker before the 202.
The tracking id in the 202 is the inquiry id the message will have on every topic downstream.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter

from services.intake.cpr import redact
from services.intake.handler import inquiry_id_of
from services.intake.normalise import ID_HEADERS, Ignored, Unreadable, read_message
from services.intake.settings import IntakeSettings
from shared.vocabulary import Channel

# (channel, body, Kafka headers, key) -> awaited until the broker confirms
Publish = Callable[[Channel, bytes, dict[str, str], str], Awaitable[None]]
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# (status, JSON body, extra response headers)
Answer = tuple[int, dict[str, Any], list[tuple[bytes, bytes]]]

PATH = "/v1/intake/{channel}"


class TooLarge(Exception):
    pass


class Gateway:
    def __init__(
        self, settings: IntakeSettings, publish: Publish, registry: CollectorRegistry
    ) -> None:
        self.settings = settings
        self.publish = publish
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

    def _adapter(self, headers: dict[str, str]) -> str | None:
        offered = headers.get("x-api-key", "")
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            offered = authorization[7:].strip()
        if not offered:
            return None
        found = None
        for name, adapter in self.settings.gateway_adapters.items():
            # Every key is compared, so the time taken does not tell which one nearly matched.
            if hmac.compare_digest(offered.encode(), adapter.key.get_secret_value().encode()):
                found = name
        return found

    def _signed_by(self, signature: str, body: bytes) -> str | None:
        """Intercom signs its webhooks (X-Hub-Signature: sha1=HMAC of the body with the app's
        client secret) and cannot send a key header: that adapter's key is the client secret."""
        found = None
        for name, adapter in self.settings.gateway_adapters.items():
            secret = adapter.key.get_secret_value().encode()
            expected = "sha1=" + hmac.new(secret, body, hashlib.sha1).hexdigest()
            if hmac.compare_digest(signature.strip().encode(), expected.encode()):
                found = name
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
        adapter = self._adapter(headers)
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
        if channel not in self.settings.gateway_adapters[adapter].channels:
            return 403, {"error": f"adapter {adapter!r} may not post to {channel.value}"}, []
        if raw is None:
            try:
                raw = await self._read_body(headers, receive)
            except TooLarge:
                return too_large
        if not raw.strip():
            return 400, {"error": "the body is empty: send the raw message as the body"}, []
        kafka_headers = {"adapter": adapter}
        id_header = ID_HEADERS.get(channel)
        if id_header and (given := headers.get(f"x-{id_header}")):
            kafka_headers[id_header] = given
        try:
            result = read_message(
                channel,
                raw,
                salt=self.settings.cpr_salt,
                headers=kafka_headers,
                min_language_confidence=self.settings.language_min_confidence,
            )
        except Unreadable as error:
            return 422, {"error": redact(str(error)).text}, []
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
