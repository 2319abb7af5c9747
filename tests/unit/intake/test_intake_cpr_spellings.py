"""CPR numbers however they are written or encoded are masked in every field that leaves
intake, and in what a dead letter carries; ordinary numbers (phone numbers, dates, amounts)
are left as they are."""

from __future__ import annotations

import base64
import json
import quopri
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import ConsumerRecord

from services.intake.cpr import CPR_MARKER, citizen_key, mask_bytes, redact
from services.intake.encoded import holds_cpr_in_bytes, mask
from services.intake.handler import DEAD_LETTER, process_raw_batch
from services.intake.normalise import Normalised
from shared.events import DeadLettered
from shared.topics import TopicNames, raw_topic
from shared.vocabulary import Channel
from tests.intake_claims import ClaimsInMemory
from tests.intake_reading import read_one

SALT = "a-test-salt-of-some-length"
NAMES = TopicNames("spell.")
DIGITS = "1203851234"
SPELLINGS = {
    "en dash": "120385\u20131234",
    "non-breaking space": "120385\u00a01234",
    "non-breaking hyphen": "120385\u20111234",
    "spaced dash": "120385 - 1234",
    "slash": "120385/1234",
    "full stop": "120385.1234",
    "written-out date": "12.03.85-1234",
    "written-out date with dashes": "12-03-85-1234",
    "line break": "120385\n1234",
    "windows line break": "120385\r\n1234",
    "soft hyphen": "120385\u00ad1234",
    "zero-width space": "120385\u200b1234",
    "zero-width space inside a group": "1203\u200b851234",
    "arabic-indic digits": "١٢٠٣٨٥-١٢٣٤",
    "full-width digits and dash": "１２０３８５－１２３４",
    "an en dash read as Windows-1252": "120385â€“1234",
    "any other sign": "120385\u20441234",
    "an en dash's bytes as replacement characters": "120385\ufffd\ufffd\ufffd1234",
}


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=list(SPELLINGS))
def test_a_cpr_number_in_any_spelling_is_masked_and_keys_the_same_citizen(spelling: str) -> None:
    redaction = redact(f"Mit cpr er {spelling}, tak.")
    assert redaction.text == f"Mit cpr er {CPR_MARKER}, tak."
    assert redaction.cpr_numbers == (DIGITS,)


@pytest.mark.parametrize(
    "text",
    [
        "Ring på 21 43 65 87 eller +45 21 43 65 87",
        "Mødet er 12.03.85 kl. 10.05",
        "den 12.03.85 1500 kr",  # a written-out date, then an amount
        "Regning 12 03 85 1234",  # spaces only: not a spelling people use for a CPR number
        "Beløb 1.234.567,50 kr",
        "Konto 1234-120385-1234",
        "Ordrenummer 12038512345",
        "Sag 999999-1234",
        "2143 6587 1234",
        "Faktura 2026-11-12/4411",
        "Postnummer 1165 København K, tlf 33 66 33 66",
    ],
)
def test_ordinary_numbers_are_kept(text: str) -> None:
    assert redact(text).text == text
    assert mask(text).text == text


ENCODED = {
    "RFC 2047 base64 word": "=?utf-8?b?" + base64.b64encode(b"cpr 120385-1234").decode() + "?=",
    "RFC 2047 Q word": "=?utf-8?q?cpr_120385=2D1234?=",
    "base64": base64.b64encode(b"Mit CPR-nummer er 120385-1234").decode(),
    "quoted-printable split by a soft line break": "Mit CPR er 1203=\n85-1234",
    "JSON escapes": "cpr \\u0031\\u0032\\u0030\\u0033\\u0038\\u0035-1234",
    "a JSON line break between the groups": "cpr 120385\\n1234",
    "HTML character references": "cpr &#49;&#50;0385-1234",
    "percent-encoding": "cpr=120385%2D1234",
}


@pytest.mark.parametrize("encoded", ENCODED.values(), ids=list(ENCODED))
def test_a_cpr_number_inside_an_encoding_is_masked(encoded: str) -> None:
    masked = mask(f"Se her: {encoded} tak").text
    assert CPR_MARKER in masked
    assert not holds_cpr_in_bytes(masked.encode())
    assert holds_cpr_in_bytes(encoded.encode())


def _published(result: Any) -> str:
    assert isinstance(result, Normalised)
    return result.inquiry.model_dump_json()


def _has_no_cpr(published: str) -> None:
    document = json.loads(published)
    strings: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(document)
    for text in strings:
        assert not holds_cpr_in_bytes(text.encode()), text


def _mail(head: str, body: bytes, transfer: str = "8bit", charset: str = "utf-8") -> bytes:
    return (
        f"{head}Message-ID: <m-spell@example.dk>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {transfer}\r\n\r\n"
    ).encode() + body


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=list(SPELLINGS))
def test_every_spelling_is_masked_in_every_field_of_an_email(spelling: str) -> None:
    encoded_name = "=?utf-8?b?" + base64.b64encode(f"Karen {spelling}".encode()).decode() + "?="
    subject = "=?utf-8?q?" + quopri.encodestring(spelling.encode(), header=True).decode() + "?="
    raw = (
        f"From: {encoded_name} <karen@example.dk>\r\nSubject: {subject}\r\n"
        "MIME-Version: 1.0\r\nMessage-ID: <m-spell@example.dk>\r\n"
        'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(f"Mit cpr er {spelling}".encode()).decode()
        + "--B\r\nContent-Type: application/x-"
        + "".join(c for c in spelling if c.isdigit() and c.isascii())
        + "\r\nContent-Disposition: attachment; filename*=utf-8''"
        + "".join(f"%{b:02X}" for b in f"cpr {spelling}.pdf".encode())
        + "\r\nContent-Transfer-Encoding: base64\r\n\r\naGVq\r\n--B--\r\n"
    ).encode()
    published = _published(read_one(Channel.EMAIL, raw, salt=SALT))
    _has_no_cpr(published)
    assert CPR_MARKER in json.loads(published)["text"]


def test_a_quoted_printable_body_split_by_a_soft_line_break_is_masked() -> None:
    raw = _mail(
        "From: a@example.dk\r\nSubject: sag\r\n",
        b"Mit cpr er 1203=\r\n85-1234 tak\r\n",
        "quoted-printable",
    )
    published = _published(read_one(Channel.EMAIL, raw, salt=SALT))
    _has_no_cpr(published)


def test_a_body_left_encoded_by_an_unknown_transfer_encoding_is_masked() -> None:
    body = base64.encodebytes(b"Mit cpr er 120385-1234")
    raw = _mail("From: a@example.dk\r\nSubject: sag\r\n", body, "x-unknown")
    _has_no_cpr(_published(read_one(Channel.EMAIL, raw, salt=SALT)))


def test_json_escapes_in_a_web_form_are_masked_and_key_the_citizen() -> None:
    form = (
        b'{"submission_id": "f-1", "text": "Mit cpr er '
        b'\\u0031\\u0032\\u0030\\u0033\\u0038\\u0035\\u2013\\u0031\\u0032\\u0033\\u0034"}'
    )
    result = read_one(Channel.SELF_SERVICE, form, salt=SALT)
    _has_no_cpr(_published(result))
    assert isinstance(result, Normalised)
    assert result.inquiry.citizen_key == citizen_key(DIGITS, SALT)


def _record(topic: str, value: bytes, offset: int = 0) -> ConsumerRecord[Any, Any]:
    return ConsumerRecord(
        topic=NAMES(topic),
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=None,
        value=value,
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=len(value),
        headers=[("scan-id", b"scan 120385-1234")],
    )


REFUSED = {
    "plain, in any spelling": "{broken json, cpr 12.03.85-1234 og 120385\u00a01234".encode(),
    "JSON escapes": b'{"note": "cpr \\u0031\\u0032\\u0030\\u0033\\u0038\\u0035-1234", broken',
    "base64": b'{"attachment": "' + base64.b64encode(b"cpr 120385-1234 tak") + b'", broken',
    "quoted-printable": b"{broken, cpr 1203=\r\n85-1234",
    "an encoded word in a charset no one knows": b"{broken =?2\xc3\xb8utf-8?q?cpr_120385-1234?=",
}


@pytest.mark.parametrize("raw", REFUSED.values(), ids=list(REFUSED))
def test_a_dead_letter_carries_no_cpr_number_and_points_at_the_kept_original(raw: bytes) -> None:
    batch = process_raw_batch(
        [_record(raw_topic(Channel.PHONE), raw)],
        seen=ClaimsInMemory(),
        names=NAMES,
        salt=SALT,
        now=datetime(2026, 11, 2, tzinfo=UTC),
    )
    assert batch.outcomes == [("phone", DEAD_LETTER)]
    [outgoing] = batch.outgoing
    assert isinstance(outgoing.event, DeadLettered)
    letter = outgoing.event.dead_letter
    carried = letter.original
    assert not holds_cpr_in_bytes(carried)
    assert not holds_cpr_in_bytes(outgoing.event.model_dump_json().encode())
    kept = {digest: data for digest, _, data in batch.originals}
    assert letter.original_sha256 is not None
    assert kept[letter.original_sha256] == raw


def test_masked_bytes_keep_every_other_byte() -> None:
    raw = "Kære kommune, cpr 120385\u20131234; tlf 21 43 65 87 \xff".encode("utf-8") + b"\xff\x00"
    assert mask_bytes(raw) == "Kære kommune, cpr [CPR]; tlf 21 43 65 87 \xff".encode() + b"\xff\x00"


def test_a_decoded_view_that_replaces_the_text_is_printable() -> None:
    form = json.dumps({"submission_id": "f-esc", "text": "cpr 120385\\u002d1234 \\ud800 \\u0000"})
    result = read_one(Channel.SELF_SERVICE, form.encode(), salt=SALT)
    assert isinstance(result, Normalised)
    assert result.inquiry.text.startswith(f"cpr {CPR_MARKER}")
    result.inquiry.model_dump_json()  # lone surrogates would not serialise
