"""E-mail from RFC 5322 bytes, with the standard library's `email` package (policy default)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from shared.events import Attachment


class UnreadableEmail(ValueError):
    pass


@dataclass
class ParsedEmail:
    message_id: str
    thread_root: str
    sender_name: str | None
    sender_address: str | None
    subject: str | None
    sent_at: datetime | None
    text: str
    quoted_text: str | None
    attachments: list[Attachment] = field(default_factory=list)
    automatic: str | None = None  # "auto_reply" or "delivery_report": not an inquiry


class _TextOfHtml(HTMLParser):
    """Readable text of an HTML body: block elements become line breaks, scripts vanish."""

    _BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})
    _HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return parser.text()


_SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)
_QUOTE_HEADER = re.compile(
    r"^(On .{5,200} wrote:|Den .{5,200} skrev .{0,200}:|-----\s*Original Message\s*-----|"
    r"-----\s*Oprindelig meddelelse\s*-----)\s*$",
    re.MULTILINE | re.IGNORECASE,
)


def split_new_text(body: str) -> tuple[str, str | None]:
    """The citizen's new words, and the quoted earlier messages and signature apart."""
    cut = len(body)
    for pattern in (_SIGNATURE, _QUOTE_HEADER):
        match = pattern.search(body)
        if match:
            cut = min(cut, match.start())
    lines = body[:cut].splitlines()
    new = [line for line in lines if not line.lstrip().startswith(">")]
    quoted = [line.lstrip("> ") for line in lines if line.lstrip().startswith(">")]
    rest = body[cut:].strip()
    quoted_text = "\n".join([*quoted, rest] if rest else quoted).strip()
    return "\n".join(new).strip(), quoted_text or None


def _decoded_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        # An unknown or lying charset: keep what can be read rather than refuse the mail.
        payload = part.get_payload(decode=True)
        content = payload.decode("latin-1") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _automatic(message: EmailMessage) -> str | None:
    if message.get_content_type() == "multipart/report":
        return "delivery_report"
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto != "no" or message.get("X-Autoreply") or message.get("X-Autorespond"):
        return "auto_reply"
    return None


def parse_email(raw: bytes) -> ParsedEmail:
    if not raw.strip():
        raise UnreadableEmail("the message is empty")
    message = message_from_bytes(raw, policy=policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise UnreadableEmail("no RFC 5322 header block was found")
    try:
        from_header = str(message.get("From", ""))
        subject = str(message["Subject"]) if message["Subject"] is not None else None
        message_id = str(message.get("Message-ID", "")).strip()
        references = str(message.get("References", "")).split()
        in_reply_to = str(message.get("In-Reply-To", "")).strip()
        date_header = message.get("Date")
    except (ValueError, TypeError, IndexError) as error:
        raise UnreadableEmail(f"a header cannot be decoded: {error}") from error
    if not message_id:
        # Without a Message-ID the bytes themselves identify the message.
        message_id = "<sha256:" + hashlib.sha256(raw).hexdigest() + ">"
    thread_root = (references[0] if references else in_reply_to) or message_id

    body_part = message.get_body(preferencelist=("plain", "html"))
    body = ""
    if body_part is not None:
        body = _decoded_text(body_part)  # type: ignore[arg-type]
        if body_part.get_content_type() == "text/html":
            body = html_to_text(body)
    text, quoted = split_new_text(body)

    attachments = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        attachments.append(
            Attachment(
                filename=part.get_filename(),
                content_type=part.get_content_type(),
                size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )
    automatic = _automatic(message)
    if not text and automatic is None:
        raise UnreadableEmail("the e-mail has no readable text (no text/plain or text/html body)")

    addresses = getaddresses([from_header])
    name, address = addresses[0] if addresses else ("", "")
    sent_at = None
    if date_header is not None:
        try:
            sent_at = parsedate_to_datetime(str(date_header))
        except (TypeError, ValueError):
            sent_at = None
    return ParsedEmail(
        message_id=message_id,
        thread_root=thread_root,
        sender_name=name or None,
        sender_address=address or None,
        subject=subject,
        sent_at=sent_at,
        text=text,
        quoted_text=quoted,
        attachments=attachments,
        automatic=automatic,
    )
