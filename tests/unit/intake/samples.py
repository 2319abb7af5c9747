"""Raw messages as the channels send them, built here so each test shows what it feeds."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime


def pdf_with_text(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds the lines (Helvetica, WinAnsi: Danish letters)."""

    def literal(line: str) -> str:
        return "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"

    content = "BT /F1 11 Tf 72 760 Td 14 TL " + " ".join(f"{literal(s)} '" for s in lines) + " ET"
    stream = content.encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def email_message(
    text: str = "Hej, hvornår bliver skraldet hentet?",
    *,
    subject: str = "Affald",
    sender: str = "Karen Holm <karen@example.dk>",
    message_id: str = "<m1@example.dk>",
    html: str | None = None,
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "borgerservice@kk.dk"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(datetime(2026, 11, 23, 9, 12, tzinfo=UTC))
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if text:
        message.set_content(text)
    if html is not None:
        if text:
            message.add_alternative(html, subtype="html")
        else:
            message.set_content(html, subtype="html")
    return message
