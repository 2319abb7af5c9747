"""The SMTP receiver: mail for the municipality's configured addresses, published as it came to
`intake.raw.email`. The 250 is given only once the broker confirmed the record; anything else
is a 4xx, so the sending server keeps the message and tries again (RFC 5321 4.5.4.1).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from prometheus_client import CollectorRegistry, Counter

from services.intake.settings import IntakeSettings

log = logging.getLogger(__name__)

# (MIME bytes, Kafka headers) -> awaited until the broker confirms
PublishMail = Callable[[bytes, dict[str, str]], Awaitable[None]]


class MunicipalMailbox:
    """aiosmtpd's handler: which recipients are ours, and what to do with a message."""

    def __init__(
        self, recipients: list[str], publish: PublishMail, registry: CollectorRegistry
    ) -> None:
        self.addresses = {r.lower() for r in recipients if not r.startswith("@")}
        self.domains = {r[1:].lower() for r in recipients if r.startswith("@")}
        self.publish = publish
        self.messages = Counter(
            "intake_smtp_messages",
            "Mail offered to the SMTP receiver, by what it answered",
            ["outcome"],
            registry=registry,
        )
        for outcome in ("accepted", "deferred", "recipient_refused"):
            self.messages.labels(outcome)  # reported from the start, at 0

    def accepts(self, address: str) -> bool:
        address = address.lower()
        return address in self.addresses or address.rpartition("@")[2] in self.domains

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if not self.accepts(address):
            self.messages.labels("recipient_refused").inc()
            return f"550 5.1.1 <{address}>: not a mailbox of the municipality's intake"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        headers = {
            "smtp-mail-from": envelope.mail_from or "",
            "smtp-rcpt-to": ",".join(envelope.rcpt_tos),
        }
        try:
            await self.publish(content, headers)
        except Exception as error:
            log.error("could not publish received mail (%s); answered 451", type(error).__name__)
            self.messages.labels("deferred").inc()
            return "451 4.3.0 the message could not be queued; try again later"
        self.messages.labels("accepted").inc()
        return "250 2.0.0 message accepted for delivery"


async def start_smtp(
    settings: IntakeSettings, mailbox: MunicipalMailbox, port: int
) -> asyncio.AbstractServer:
    """Serve on the running loop, beside the broker (no thread of its own)."""
    loop = asyncio.get_running_loop()
    tls = None
    if settings.smtp_tls_cert_file is not None:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(settings.smtp_tls_cert_file, settings.smtp_tls_key_file)

    def protocol() -> Any:
        return SMTP(
            mailbox,
            hostname=settings.smtp_hostname,
            data_size_limit=settings.smtp_max_bytes,
            enable_SMTPUTF8=True,
            tls_context=tls,
            require_starttls=tls is not None and settings.smtp_require_starttls,
            loop=loop,
        )

    return await loop.create_server(protocol, host=settings.smtp_host, port=port)
