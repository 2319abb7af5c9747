"""E-mail replies over SMTP (aiosmtplib): one connection for a round of e-mails."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib

from services.reply.settings import ReplySettings
from services.reply.store import CaseworkerEmail
from shared.events import InquiryRouted, ReplyPlan, utc_now
from shared.vocabulary import Channel


@dataclass(frozen=True)
class Outcome:
    """What became of one e-mail: sent, refused for good (a bad address), or not yet."""

    sent: bool
    error: str | None = None
    final: bool = False


def compose(plan: ReplyPlan, routed: InquiryRouted, settings: ReplySettings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = plan.recipient or ""
    message["Subject"] = plan.subject or ""
    message["Date"] = format_datetime(utc_now())
    # A stable id: a repeated send after a crash is recognisable as the same message.
    message["Message-ID"] = make_msgid(idstring=str(plan.plan_id), domain="reply.invalid")
    message["Content-Language"] = plan.language.value
    inquiry = routed.inquiry
    if inquiry.channel is Channel.EMAIL and inquiry.channel_message_id.startswith("<"):
        # The answer joins the citizen's own thread in their mail program.
        message["In-Reply-To"] = inquiry.channel_message_id
        message["References"] = inquiry.channel_message_id
    message.set_content(plan.text + "\n")
    return message


def compose_caseworker_reply(email: CaseworkerEmail, settings: ReplySettings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message["Date"] = format_datetime(utc_now())
    message["Message-ID"] = make_msgid(idstring=str(email.event_id), domain="reply.invalid")
    message["Content-Language"] = email.language
    if email.in_reply_to:
        message["In-Reply-To"] = email.in_reply_to
        message["References"] = email.in_reply_to
    message.set_content(email.text + "\n")
    return message


class SmtpMailer:
    def __init__(self, settings: ReplySettings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host)

    async def send(self, messages: Sequence[EmailMessage]) -> list[Outcome]:
        """Send each message; a connection failure raises (the whole round waits for the next)."""
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
        outcomes = []
        async with client:
            for message in messages:
                try:
                    await client.send_message(message)
                    outcomes.append(Outcome(sent=True))
                except aiosmtplib.SMTPRecipientsRefused as refused:
                    reasons = "; ".join(f"{r.code} {r.message}" for r in refused.recipients)
                    final = all(r.code >= 500 for r in refused.recipients)
                    outcomes.append(Outcome(False, f"the mail server refused: {reasons}", final))
                except aiosmtplib.SMTPResponseException as error:
                    # 5xx is permanent, 4xx is worth another try.
                    final = error.code >= 500
                    outcomes.append(Outcome(False, f"{error.code} {error.message}", final))
        return outcomes
