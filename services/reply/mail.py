"""E-mail replies over SMTP (aiosmtplib): the message built from a plan, and one connection that
sends a round of them, each with an outcome of its own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from enum import StrEnum

import aiosmtplib

from services.reply.settings import ReplySettings
from services.reply.tables import CaseworkerEmail
from shared.events import InquiryRouted, ReplyPlan, utc_now
from shared.vocabulary import Channel


class Unsendable(ValueError):
    """A reply that cannot become an e-mail (no address, a line break in it, a header that does
    not encode): trying again cannot help."""


class MailServerUnavailable(Exception):
    """No session with the mail server (connect, greeting, TLS or login failed)."""


class Result(StrEnum):
    SENT = "sent"  # the server accepted it (250 after DATA)
    REFUSED = "refused"  # for good: 5xx, or it cannot be sent through this server
    REFUSED_FOR_NOW = "refused for now"  # 4xx: another attempt later
    # The connection broke or timed out while this e-mail was under way: the server may or may
    # not have accepted it; the session is over.
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class Outcome:
    result: Result
    error: str | None = None


def message_id(plan_id: uuid.UUID, settings: ReplySettings) -> str:
    """The same Message-ID on every attempt at one reply, so that a repeat is recognisable."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "reply.invalid"
    return f"<reply-{plan_id}@{domain}>"


def recipient(plan: ReplyPlan) -> str:
    """The citizen's address as one valid header value, or Unsendable with the reason."""
    address = (plan.recipient or "").strip()
    if not address:
        raise Unsendable("the reply has no e-mail address")
    if "\r" in address or "\n" in address:
        raise Unsendable(f"the e-mail address {address!r} contains a line break")
    try:
        parsed = Address(addr_spec=address)
    except (ValueError, IndexError, HeaderParseError) as error:
        raise Unsendable(f"the e-mail address {address!r} is not valid: {error}") from error
    if not parsed.username or not parsed.domain:
        raise Unsendable(f"the e-mail address {address!r} is not valid")
    return parsed.addr_spec


def compose(plan: ReplyPlan, routed: InquiryRouted, settings: ReplySettings) -> EmailMessage:
    """RFC 5322 bytes-to-be; raises Unsendable when the plan cannot make one."""
    try:
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = recipient(plan)
        message["Subject"] = plan.subject or ""
        message["Date"] = format_datetime(utc_now())
        message["Message-ID"] = message_id(plan.plan_id, settings)
        message["Content-Language"] = plan.language.value
        inquiry = routed.inquiry
        if inquiry.channel is Channel.EMAIL and inquiry.channel_message_id.startswith("<"):
            # The answer joins the citizen's own thread in their mail program.
            message["In-Reply-To"] = inquiry.channel_message_id
            message["References"] = inquiry.channel_message_id
        message.set_content(plan.text + "\n")
        message.as_bytes()  # a header that cannot be encoded fails here, not at the server
    except Unsendable:
        raise
    except (ValueError, TypeError, LookupError, UnicodeError, HeaderParseError) as error:
        raise Unsendable(f"the e-mail cannot be built: {error}") from error
    return message


def compose_caseworker_reply(email: CaseworkerEmail, settings: ReplySettings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message["Date"] = format_datetime(utc_now())
    message["Message-ID"] = message_id(email.event_id, settings)
    message["Content-Language"] = email.language
    if email.in_reply_to:
        message["In-Reply-To"] = email.in_reply_to
        message["References"] = email.in_reply_to
    message.set_content(email.text + "\n")
    return message


class MailSession:
    """One connection to the mail server: each message sent gets an outcome of its own."""

    def __init__(self, client: aiosmtplib.SMTP, timeout: float) -> None:
        self.client = client
        self.timeout = timeout
        self.broken = False

    @property
    def open(self) -> bool:
        """Still good for another message (not broken, not closed by the server)."""
        return not self.broken and self.client.is_connected

    async def send(self, message: EmailMessage) -> Outcome:
        try:
            # One bound for the whole exchange (MAIL, RCPT, DATA), not only for each command.
            async with asyncio.timeout(self.timeout):
                await self.client.send_message(message)
            return Outcome(Result.SENT)
        except aiosmtplib.SMTPRecipientsRefused as refused:
            reasons = "; ".join(f"{r.code} {r.message}" for r in refused.recipients)
            permanent = all(r.code >= 500 for r in refused.recipients)
            result = Result.REFUSED if permanent else Result.REFUSED_FOR_NOW
            return Outcome(result, f"the mail server refused: {reasons}")
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, TimeoutError,
                OSError) as error:  # fmt: skip
            self.broken = True
            return Outcome(Result.INTERRUPTED, f"the connection broke: {error or type(error)}")
        except aiosmtplib.SMTPResponseException as error:
            # 5xx is permanent, 4xx is worth another try.
            result = Result.REFUSED if error.code >= 500 else Result.REFUSED_FOR_NOW
            return Outcome(result, f"the mail server refused: {error.code} {error.message}")
        except (aiosmtplib.SMTPException, ValueError, UnicodeError) as error:
            # E.g. an address that needs SMTPUTF8 on a server without it.
            return Outcome(Result.REFUSED, f"cannot be sent through this server: {error}")


class SmtpMailer:
    def __init__(self, settings: ReplySettings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[MailSession]:
        """A connection for one round; MailServerUnavailable when none can be had."""
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_use_tls,
            start_tls=s.smtp_start_tls,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            timeout=s.smtp_timeout_seconds,
        )
        try:
            async with asyncio.timeout(s.smtp_timeout_seconds * 2):
                await client.connect()
        except (aiosmtplib.SMTPException, TimeoutError, OSError) as error:
            client.close()
            raise MailServerUnavailable(
                f"mail server unreachable: {error or type(error)}"
            ) from error
        session = MailSession(client, s.smtp_timeout_seconds)
        try:
            yield session
        finally:
            if session.broken or not client.is_connected:
                client.close()
            else:
                try:
                    async with asyncio.timeout(s.smtp_timeout_seconds):
                        await client.quit()
                except (aiosmtplib.SMTPException, TimeoutError, OSError):
                    client.close()
