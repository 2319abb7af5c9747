"""The e-mail channel: RFC 5322 bytes as a draft inquiry, with the standard library's `email`
package (policy default).

The body is the text/plain part when there is one, else the HTML part made readable by a real
HTML parser; quoted earlier messages and the signature are kept apart from the new words;
attachments become metadata plus their bytes for intake's own store; auto-replies and delivery
reports are recognised so they are counted, not triaged.
"""

from __future__ import annotations

import email
import hashlib
import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from services.intake.channels.draft import Draft, Ignored, Original, Unreadable
from services.intake.library_failure import raised_inside, refused_when_failing_inside
from shared.events import Attachment
from shared.raw import CitizenAsSent
from shared.vocabulary import Channel

MAX_ATTACHMENTS = 100
_BLANK_LINES = re.compile(r"\n{3,}")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


class _ParsedOnce(HeaderRegistry):
    """`email.headerregistry` parses a header again on every access (a message's Content-Type
    about a dozen times while its body is found; docs/intake.md, "Speed"). Parsed headers are
    read-only, so one parse serves every access and every message with that line."""

    _MAX_ENTRIES = 4096
    _MAX_VALUE = 1000  # long, unique values (References) gain nothing from the cache

    def __init__(self) -> None:
        super().__init__()
        self._parsed: dict[tuple[str, str], BaseHeader] = {}

    def __call__(self, name: str, value: str) -> BaseHeader:
        if len(value) > self._MAX_VALUE:
            return super().__call__(name, value)
        key = (name, value)
        header = self._parsed.get(key)
        if header is None:
            if len(self._parsed) >= self._MAX_ENTRIES:
                self._parsed.clear()
            header = self._parsed[key] = super().__call__(name, value)
        return header


POLICY = policy.default.clone(header_factory=_ParsedOnce())


class _TextOfHtml(HTMLParser):
    """Readable text of an HTML body: blocks become line breaks, scripts and styles vanish,
    and quoted earlier messages (blockquote, Gmail's and Outlook's reply markers) get "> "."""

    _BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "ul"}
    )
    _HIDDEN = frozenset({"script", "style", "head", "title", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[tuple[str, bool]] = []
        self._hidden = 0
        self._quote_depth = 0
        self._div_depth = 0
        self._quote_divs: list[int] = []
        self._rest_quoted = False

    @property
    def _quoted(self) -> bool:
        return self._rest_quoted or self._quote_depth > 0 or bool(self._quote_divs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
            return
        if tag == "blockquote":
            self._quote_depth += 1
        elif tag == "div":
            self._div_depth += 1
            marks = " ".join(v or "" for k, v in attrs if k in ("class", "id"))
            if "gmail_quote" in marks or "moz-cite-prefix" in marks:
                self._quote_divs.append(self._div_depth)
            elif "divRplyFwdMsg" in marks or "appendonsend" in marks:
                self._rest_quoted = True  # Outlook: the earlier message follows this marker
        if tag in self._BLOCKS or tag == "blockquote":
            self._parts.append(("\n", False))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
            return
        if tag == "blockquote":
            self._quote_depth = max(0, self._quote_depth - 1)
        elif tag == "div":
            if self._quote_divs and self._quote_divs[-1] == self._div_depth:
                self._quote_divs.pop()
            self._div_depth = max(0, self._div_depth - 1)
        if tag in self._BLOCKS or tag == "blockquote":
            self._parts.append(("\n", False))
        elif tag in ("td", "th"):
            self._parts.append((" ", False))  # cells of a row are words apart, not run together

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._parts.append((data, self._quoted))

    def text(self) -> str:
        lines: list[str] = []
        current: list[str] = []
        quoted = False
        for data, in_quote in self._parts:
            pieces = data.split("\n")
            for n, piece in enumerate(pieces):
                if n:
                    lines.append(_line(current, quoted))
                    current, quoted = [], False
                # White space between inline elements ("<b>Hej</b> <i>med</i>") is kept.
                current.append(piece)
                if piece.strip():
                    quoted = quoted or in_quote
        lines.append(_line(current, quoted))
        return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _line(pieces: list[str], quoted: bool) -> str:
    line = " ".join("".join(pieces).split())
    return f"> {line}" if quoted and line else line


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return parser.text()


# `$` matches before "\n" only: a body read with CRLF line ends has "-- \r" on the line.
_SIGNATURE = re.compile(r"^-- ?\r?$", re.MULTILINE)
_QUOTE_HEADER = re.compile(
    r"^(?:On .{5,200} wrote:|Den .{5,200} skrev .{0,200}:|.{0,40}\bskrev\b.{0,200}:"
    r"|-{3,}\s*(?:Original Message|Oprindelig meddelelse|Forwarded message"
    r"|Videresendt meddelelse)\s*-{3,}|_{10,}"
    r"|(?:From|Fra):[^\n]{1,300}\n(?:Sent|Sendt|Date|Dato):)\s*$",
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
    quoted = [line for line in lines if line.lstrip().startswith(">")]
    quoted += body[cut:].splitlines()
    # Quoting marks and blank lines go: the earlier messages are context, not layout.
    unquoted = (line.lstrip().lstrip(">").lstrip(" >").rstrip() for line in quoted)
    quoted_text = "\n".join(line for line in unquoted if line)
    return "\n".join(new).strip(), quoted_text or None


def _decoded_text(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, UnicodeError, ValueError, KeyError):
        content = None
    if isinstance(content, str):
        return content
    # An unknown or lying charset: keep what can be read rather than refuse the mail.
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace")


def _text_of_part(part: Message) -> str:
    text = _decoded_text(part)
    return html_to_text(text) if part.get_content_type() == "text/html" else text


def _body_text(message: EmailMessage) -> str:
    """The body by the standard's rules; else, for what the rules do not cover (a forwarded
    message/rfc822, a multipart without its boundary), the first inline text found."""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        text = _text_of_part(body)
        if text.strip():
            return text
    for part in message.walk():
        payload = part.get_payload()
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        if part.get_content_maintype() == "text":
            text = _text_of_part(part)
        elif part.get_content_maintype() == "multipart" and isinstance(payload, str):
            text = payload  # the boundary is missing: the parser left the body as it came
        else:
            continue
        if text.strip():
            return text
    return ""


def _raw_header(message: Message, name: str) -> str:
    """A header's value as it came, unfolded, without the structured parse (ids, dates)."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            text = str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            return " ".join(text.split())
    return ""


def _header(message: Message, name: str) -> str | None:
    """A decoded header (RFC 2047); a header the parser cannot read is treated as absent."""
    try:
        value = message.get(name)
    except Exception as error:  # the stdlib's header parser raises on a few malformed inputs
        if not raised_inside(error, email):
            raise
        return _raw_header(message, name) or None
    if value is None:
        return None
    return str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _automatic(message: Message) -> str | None:
    content_type = message.get_content_type()
    if content_type in ("multipart/report", "message/delivery-status") or message.get(
        "X-Failed-Recipients"
    ):
        return "delivery_report"
    auto = _raw_header(message, "Auto-Submitted").lower()
    precedence = _raw_header(message, "Precedence").lower()
    if (
        (auto and auto != "no")
        or message.get("X-Autoreply")
        or message.get("X-Autorespond")
        or precedence == "auto_reply"
    ):
        return "auto_reply"
    return None


def _attachments(message: EmailMessage) -> list[tuple[str | None, Original]]:
    """Each attachment's file name and its bytes for intake's store."""
    files: list[tuple[str | None, Original]] = []
    for part in message.iter_attachments():
        if len(files) >= MAX_ATTACHMENTS:
            break
        if part.is_multipart():
            data = part.as_bytes(policy=POLICY)
        else:
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
        try:
            filename = part.get_filename()
        except Exception as error:  # an undecodable RFC 2231 name: the file is kept, unnamed
            if not raised_inside(error, email):
                raise
            filename = None
        digest = hashlib.sha256(data).hexdigest()
        files.append((filename, Original(digest, _printable(part.get_content_type()), data)))
    return files


def _printable(content_type: str) -> str:
    """A MIME type as a database and JSON take it (a malformed header can hold anything)."""
    kept = "".join(c for c in content_type if c.isascii() and c.isprintable())[:255]
    return kept or "application/octet-stream"


def _sender(message: Message) -> tuple[str | None, str | None]:
    from_header = _header(message, "From") or ""
    addresses = getaddresses([from_header])
    name, address = addresses[0] if addresses else ("", "")
    return name or None, address if "@" in address else None


def _sent_at(message: Message, now: datetime) -> datetime | None:
    date_header = _raw_header(message, "Date")
    if not date_header:
        return None
    try:
        sent = parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    try:
        sent.astimezone(UTC)
    except OverflowError:  # a year at the calendar's edge, shifted past it
        return None
    # A clock far ahead is wrong, not a message from the future.
    return None if sent > now + timedelta(days=1) else sent


def _ids(message: Message) -> tuple[str, str | None]:
    message_id = _raw_header(message, "Message-ID")
    references = _MESSAGE_ID.findall(_raw_header(message, "References"))
    in_reply_to = _MESSAGE_ID.findall(_raw_header(message, "In-Reply-To"))
    root = references[0] if references else (in_reply_to[0] if in_reply_to else None)
    return message_id, root


def _unreadable(why: str) -> Unreadable:
    return Unreadable(f"e-mail cannot be read: {why}")


def read_email(raw: bytes, now: datetime) -> Draft | Ignored:
    """The message as a draft inquiry, or `Ignored` when it is an auto-reply or a delivery
    report; `Unreadable` with the reason when it is no e-mail."""
    if not raw.strip():
        raise _unreadable("the message is empty")
    # The standard library fails on a few malformed MIME structures.
    with refused_when_failing_inside(email, _unreadable, "the MIME structure"):
        message = message_from_bytes(raw, policy=POLICY)
        if not message.keys():
            raise _unreadable("no RFC 5322 header block was found")
        if not {k.lower() for k in message} & {"from", "message-id", "subject", "date"}:
            raise _unreadable("no From, Subject, Date or Message-ID header: not an e-mail")
        return _read(message, raw, now)


def _read(message: EmailMessage, raw: bytes, now: datetime) -> Draft | Ignored:
    message_id, root = _ids(message)
    if not message_id:
        # Without a Message-ID the bytes themselves identify the message.
        message_id = "<sha256:" + hashlib.sha256(raw).hexdigest() + ">"
    automatic = _automatic(message)
    text, quoted = split_new_text(_body_text(message))
    if not text and quoted:
        text, quoted = quoted, None  # forwarded without a word of one's own: that is the matter
    if not text and automatic is None:
        raise _unreadable("the e-mail has no readable text (no text/plain or text/html body)")
    name, address = _sender(message)
    subject = _header(message, "Subject")
    sent_at = _sent_at(message, now)
    if automatic is not None:
        return Ignored(Channel.EMAIL, message_id, automatic)
    files = _attachments(message)
    return Draft(
        message_id=message_id,
        thread=root or message_id,
        text=text,
        received_at=sent_at.astimezone(UTC) if sent_at else now,
        citizen=CitizenAsSent(name=name, email=address),
        subject=subject,
        quoted=quoted,
        attachments=[
            Attachment(
                filename=filename,
                content_type=o.content_type,
                size_bytes=len(o.data),
                sha256=o.sha256,
            )
            for filename, o in files
        ],
        originals=[o for _, o in files],
    )
