"""E-mail from real RFC 5322 bytes: bodies, charsets, encoded headers, attachments, quotes,
threads, and the automatic messages that are counted but not triaged."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from services.intake.channels.draft import Unreadable
from services.intake.channels.email import html_to_text, read_email, split_new_text
from services.intake.normalise import Ignored, Normalised
from shared.vocabulary import Channel, Language
from tests.intake_reading import read_one
from tests.unit.intake.samples import email_message

SALT = "a-test-salt-of-some-length"


def read(message: EmailMessage | bytes) -> Normalised:
    raw = message if isinstance(message, bytes) else message.as_bytes()
    result = read_one(Channel.EMAIL, raw, salt=SALT)
    assert isinstance(result, Normalised)
    return result


def test_plain_text_is_preferred_to_the_html_alternative() -> None:
    message = email_message("Hej, mit pas er udløbet.", html="<p>HTML-udgaven</p>")
    inquiry = read(message).inquiry
    assert inquiry.text == "Hej, mit pas er udløbet."
    assert inquiry.language is Language.DA
    assert inquiry.citizen.email == "karen@example.dk"
    assert inquiry.citizen.name == "Karen Holm"


def test_html_only_mail_becomes_readable_text_without_markup_or_scripts() -> None:
    html = (
        "<html><head><style>p {color: red}</style><script>alert(1)</script></head><body>"
        "<p>Dear Sir,</p><p>My bin was <b>not</b> emptied&nbsp;on Monday.</p>"
        "<ul><li>Address: Nørrebrogade 1</li></ul></body></html>"
    )
    inquiry = read(email_message("", html=html)).inquiry
    assert (
        inquiry.text == "Dear Sir,\n\nMy bin was not emptied on Monday.\n\nAddress: Nørrebrogade 1"
    )
    assert "alert" not in inquiry.text
    assert "color" not in inquiry.text


def test_words_in_neighbouring_inline_elements_and_table_cells_stay_apart() -> None:
    html = (
        "<p><b>Hej</b> <i>med</i> dig</p>"
        "<table><tr><th>Adresse</th><th>Antal</th></tr>"
        "<tr><td>Lyngbyvej 150</td><td>2</td></tr></table>"
    )
    assert html_to_text(html) == "Hej med dig\n\nAdresse Antal\n\nLyngbyvej 150 2"


def test_quoted_html_reply_is_kept_apart_from_the_new_words() -> None:
    html = (
        "<div>Tak, det passer fint.</div>"
        '<div class="gmail_quote"><div>Den 20. nov. skrev Borgerservice:</div>'
        "<blockquote>Vi kan tilbyde en tid torsdag.</blockquote></div>"
    )
    assert split_new_text(html_to_text(html)) == (
        "Tak, det passer fint.",
        "Den 20. nov. skrev Borgerservice:\nVi kan tilbyde en tid torsdag.",
    )


def test_every_charset_and_transfer_encoding_is_decoded() -> None:
    for charset, encoding in [
        ("iso-8859-1", "quoted-printable"),
        ("windows-1252", "base64"),
        ("utf-8", "8bit"),
        ("utf-8", "base64"),
    ]:
        message = EmailMessage()
        message["From"] = "a@example.dk"
        message["Subject"] = "Pas"
        message["Message-ID"] = f"<{charset}.{encoding}@example.dk>"
        message.set_content(
            "Hvornår får jeg mit pas? Æblegrød på Ærø.", charset=charset, cte=encoding
        )
        assert read(message).inquiry.text == "Hvornår får jeg mit pas? Æblegrød på Ærø."


def test_an_unknown_charset_is_read_rather_than_refused() -> None:
    raw = (
        b"From: a@example.dk\r\nSubject: x\r\nMessage-ID: <u@x>\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nHej med dig\r\n"
    )
    assert read(raw).inquiry.text == "Hej med dig"


def test_rfc2047_encoded_subject_and_sender_name_are_decoded() -> None:
    raw = (
        b"From: =?iso-8859-1?q?S=F8ren_=C5berg?= <soren@example.dk>\r\n"
        b"Subject: =?utf-8?b?TnQgc3VuZGhlZHNrb3J0IC0gZmx5dHRldA==?=\r\n"
        b"Message-ID: <e@x>\r\n\r\nJeg er flyttet.\r\n"
    )
    inquiry = read(raw).inquiry
    assert inquiry.subject == "Nt sundhedskort - flyttet"
    assert inquiry.citizen.name == "Søren Åberg"


def test_attachments_are_metadata_on_the_bus_and_bytes_for_the_store() -> None:
    message = email_message("Se vedhæftede ansøgning.")
    pdf = b"%PDF-1.4 an application form"
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename="ansøgning.pdf")
    message.add_attachment(b"\x89PNG...", maintype="image", subtype="png", filename="kort.png")
    result = read(message)
    assert [(a.filename, a.content_type, a.size_bytes) for a in result.inquiry.attachments] == [
        ("ansøgning.pdf", "application/pdf", len(pdf)),
        ("kort.png", "image/png", 7),
    ]
    assert {o.sha256: o.data for o in result.originals}[result.inquiry.attachments[0].sha256] == pdf
    assert b"PDF-1.4" not in result.inquiry.model_dump_json().encode()


def test_nested_multipart_finds_the_body_inside_mixed_and_alternative() -> None:
    inner = email_message("Svar på min ansøgning?", html="<p>Svar på min ansøgning?</p>")
    inner.make_mixed()
    inner.add_attachment(b"data", maintype="application", subtype="octet-stream", filename="a.bin")
    assert read(inner).inquiry.text == "Svar på min ansøgning?"


def test_quoted_earlier_message_and_signature_are_separated() -> None:
    body = (
        "Tak for svaret. Jeg kommer torsdag.\n\n"
        "Den 20. nov. 2026 kl. 10.00 skrev Borgerservice <bs@kk.dk>:\n"
        "> Vi kan tilbyde en tid torsdag kl. 10.\n"
    )
    inquiry = read(email_message(body)).inquiry
    assert inquiry.text == "Tak for svaret. Jeg kommer torsdag."
    assert inquiry.quoted_text is not None
    assert "Vi kan tilbyde en tid torsdag kl. 10." in inquiry.quoted_text

    signed = read(email_message("Hvornår åbner I?\n-- \nKaren Holm\nTlf 12345678")).inquiry
    assert signed.text == "Hvornår åbner I?"
    assert signed.quoted_text == "--\nKaren Holm\nTlf 12345678"


def test_the_signature_is_found_in_a_message_with_crlf_line_ends() -> None:
    """Mail on the wire ends its lines with CRLF, and the body read keeps them."""
    raw = email_message("Hvornår åbner I?\n-- \nKaren Holm\nTlf 12345678")
    crlf = raw.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    signed = read(crlf).inquiry
    assert signed.text == "Hvornår åbner I?"
    assert signed.quoted_text == "--\nKaren Holm\nTlf 12345678"


def test_replies_share_the_thread_key_of_the_first_message() -> None:
    first = read(email_message("Første henvendelse", message_id="<root@example.dk>")).inquiry
    reply = email_message(
        "Opfølgning", message_id="<second@example.dk>", In_Reply_To="<root@example.dk>"
    )
    later = email_message(
        "Tredje",
        message_id="<third@example.dk>",
        References="<root@example.dk> <second@example.dk>",
    )
    assert first.thread_key == read(reply).inquiry.thread_key == read(later).inquiry.thread_key
    assert first.thread_key == "email:<root@example.dk>"


def test_auto_replies_and_delivery_reports_are_recognised_not_triaged() -> None:
    auto = email_message("Jeg er på ferie til 1. december.", Auto_Submitted="auto-replied")
    result = read_one(Channel.EMAIL, auto.as_bytes(), salt=SALT)
    assert isinstance(result, Ignored)
    assert result.why == "auto_reply"

    report = (
        b"From: MAILER-DAEMON@example.dk\r\nSubject: Undelivered Mail\r\nMessage-ID: <r@x>\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--B--\r\n"
    )
    result = read_one(Channel.EMAIL, report, salt=SALT)
    assert isinstance(result, Ignored)
    assert result.why == "delivery_report"


def test_a_message_without_message_id_is_identified_by_its_bytes() -> None:
    raw = b"From: a@example.dk\r\nSubject: Hej\r\n\r\nHvornaar har I aabent?\r\n"
    first = read(raw).inquiry
    assert first.channel_message_id == read(raw).inquiry.channel_message_id
    assert first.channel_message_id.startswith("<sha256:")


def test_a_forward_without_words_of_ones_own_is_the_forwarded_text() -> None:
    body = "---------- Forwarded message ---------\nFra: Kommunen\n\nDin ansøgning er modtaget."
    assert "Din ansøgning er modtaget." in read(email_message(body)).inquiry.text


def test_parse_refuses_what_is_not_an_email_with_a_reason() -> None:
    for raw, reason in [
        (b"", "empty"),
        (b"just some words\r\n", "header"),
        (b"X-Custom: 1\r\n\r\nbody", "not an e-mail"),
        (b"From: a@example.dk\r\nSubject: tomt\r\n\r\n", "no readable text"),
    ]:
        with pytest.raises(Unreadable, match=reason):
            read_email(raw, datetime.now(UTC))
