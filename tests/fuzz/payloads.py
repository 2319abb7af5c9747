"""What the fuzz tier sends: each channel's payloads generated from scratch and the demo feed's
real payloads mutated, many with a CPR number planted in a spelling or an encoding that intake
claims to mask (docs/intake.md).

Everything is drawn through hypothesis strategies, so a run is reproducible from its seed.
"""

from __future__ import annotations

import base64
import json
import quopri
from dataclasses import dataclass
from datetime import date

from hypothesis import strategies as st

from demo.feed import load_feed
from shared.vocabulary import Channel
from tests.unit.intake.samples import pdf_with_text


@dataclass(frozen=True)
class Payload:
    channel: Channel
    body: bytes
    how: str  # "generated <kind>" or "mutated <seed file>", for the report
    planted: str | None = None  # the ten digits of a planted CPR number


# A date that exists and a serial whose seventh digit puts it in the right century.
_cpr_numbers = st.builds(
    lambda day, serial: day.strftime("%d%m%y") + f"{serial:04d}",
    st.dates(min_value=date(1938, 1, 1), max_value=date(1999, 12, 31)),
    st.integers(0, 3999),
)

# How a number is written: the spellings intake claims to mask (docs/intake.md).
_SPELLINGS = (
    lambda n: f"{n[:6]}-{n[6:]}",
    lambda n: n,
    lambda n: f"{n[:6]} {n[6:]}",
    lambda n: f"{n[:6]}\u2013{n[6:]}",
    lambda n: f"{n[:6]}\u00a0{n[6:]}",
    lambda n: f"{n[:6]}\u2011{n[6:]}",
    lambda n: f"{n[:6]} - {n[6:]}",
    lambda n: f"{n[:6]}/{n[6:]}",
    lambda n: f"{n[:6]}.{n[6:]}",
    lambda n: f"{n[:2]}.{n[2:4]}.{n[4:6]}-{n[6:]}",
    lambda n: f"{n[:6]}\n{n[6:]}",
    lambda n: f"{n[:6]}\u00ad{n[6:]}",
    lambda n: f"{n[:6]}\u200b{n[6:]}",
    lambda n: "".join(chr(0x0660 + int(d)) for d in n[:6]) + "-" + n[6:],
    lambda n: "".join(chr(0xFF10 + int(d)) for d in n),
)
spelled = st.tuples(_cpr_numbers, st.sampled_from(_SPELLINGS)).map(lambda t: (t[0], t[1](t[0])))

_ALPHABET = st.characters(
    codec="utf-8",
    exclude_categories=("Cs",),
    include_characters="\x00\r\n\t\u2028\u00ad\u200b\u00a0æøåÆØÅ0123456789-./@<>=?%&#;:",
)
words = st.text(alphabet=_ALPHABET, max_size=120)
danish = st.sampled_from(
    [
        "Hej, jeg har ikke fået svar på min ansøgning om boligstøtte.",
        "Skraldet er ikke hentet i to uger på Nørregade 1, 1165 København K.",
        "Ring på 21 43 65 87 eller skriv til karen@example.dk. Mødet er 12.03.2026 kl. 10.05.",
        "Beløb 1.234,50 kr. betalt 03/11-2026, faktura 2026-11-12/4411.",
        "I have moved and need a new health card.",
    ]
)


@st.composite
def citizen_text(draw: st.DrawFn) -> tuple[str, str | None]:
    """Words, sometimes with a CPR number planted in them."""
    before, after = draw(st.one_of(words, danish)), draw(st.one_of(words, danish))
    if draw(st.booleans()):
        number, written = draw(spelled)
        return f"{before} cpr {written} {after}", number
    return f"{before} {after}", None


def _encoded_word(text: str, b: bool) -> str:
    if b:
        return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="
    return "=?utf-8?q?" + quopri.encodestring(text.encode(), header=True).decode() + "?="


@st.composite
def emails(draw: st.DrawFn) -> tuple[bytes, str | None]:
    text, planted = draw(citizen_text())
    subject, planted_subject = draw(citizen_text())
    planted = planted or planted_subject
    name = draw(st.one_of(words, st.just("Karen Holm")))
    if draw(st.booleans()):
        name = _encoded_word(name, draw(st.booleans()))
    charset = draw(st.sampled_from(["utf-8", "iso-8859-1", "cp1252", "utf-7", "x-unknown", ""]))
    transfer = draw(st.sampled_from(["8bit", "base64", "quoted-printable", "x-garbage", "7bit"]))
    codec = charset if charset in ("utf-8", "iso-8859-1", "cp1252") else "utf-8"
    raw_body = text.encode(codec, "replace")
    if transfer == "base64":
        body = base64.encodebytes(raw_body)
    elif transfer == "quoted-printable":
        body = quopri.encodestring(raw_body)
    else:
        body = raw_body
    headers = [
        f"From: {name} <{draw(st.sampled_from(['karen@example.dk', 'a@b.dk', 'x', '']))}>",
        f"Subject: {_encoded_word(subject, True) if draw(st.booleans()) else subject}",
        f"Message-ID: <{draw(st.text(max_size=20))}@example.dk>",
        f"Date: {draw(st.sampled_from(['Mon, 2 Nov 2026 10:00:00 +0100', 'garbage', 'Fri, 31 Dec 9999 23:59:59 -1200', '']))}",
        "MIME-Version: 1.0",
    ]
    if draw(st.booleans()):
        headers.append("X-Long: " + "a" * draw(st.integers(0, 200_000)))
    part = (
        f"Content-Type: text/{draw(st.sampled_from(['plain', 'html']))}; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {transfer}\r\n\r\n"
    ).encode() + body
    depth = draw(st.integers(0, 60))
    for level in range(depth):
        boundary = f"b{level}"
        attachment = b""
        if draw(st.booleans()):
            filename, planted_file = draw(citizen_text())
            planted = planted or planted_file
            attachment = (
                f"--{boundary}\r\nContent-Type: application/{draw(st.text(max_size=10))}\r\n"
                f'Content-Disposition: attachment; filename="{filename}"\r\n'
                "Content-Transfer-Encoding: base64\r\n\r\naGVq\r\n"
            ).encode("utf-8", "replace")
        part = (
            f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n--{boundary}\r\n'.encode()
            + part
            + b"\r\n"
            + attachment
            + f"--{boundary}--\r\n".encode()
        )
    raw = ("\r\n".join(headers) + "\r\n").encode("utf-8", "replace") + part
    if draw(st.booleans()):
        raw = raw[: draw(st.integers(0, len(raw)))]  # truncated in transit
    return raw, planted


def _json_value(draw: st.DrawFn, text: str) -> object:
    return draw(
        st.sampled_from(
            [
                text,
                10 ** draw(st.integers(0, 400)),
                None,
                [text],
                {"nested": text},
                -(10**15),
                10**15,
            ]
        )
    )


def _broken(draw: st.DrawFn, document: bytes) -> bytes:
    kind = draw(st.sampled_from(["whole", "whole", "truncated", "deep", "huge integer", "escaped"]))
    if kind == "truncated":
        return document[: draw(st.integers(0, len(document)))]
    if kind == "deep":
        depth = draw(st.integers(1, 200_000))
        return b"[" * depth + document + b"]" * draw(st.integers(0, depth))
    if kind == "huge integer":
        return document.replace(b"}", b', "n": ' + b"9" * draw(st.integers(1, 20_000)) + b"}", 1)
    if kind == "escaped":  # every non-ASCII character and every digit as a \\u escape
        return b"".join(
            b"\\u%04x" % c if chr(c).isdigit() and draw(st.booleans()) else bytes([c])
            for c in document
        )
    return document


@st.composite
def agent_notes(draw: st.DrawFn) -> tuple[bytes, str | None]:
    text, planted = draw(citizen_text())
    if draw(st.booleans()):
        return text.encode("utf-8", "surrogatepass"), planted  # pasted as plain text
    name, planted_name = draw(citizen_text())
    document = {
        "call_id": draw(st.one_of(words, st.just("c-1"))),
        "visit_id": draw(st.one_of(words, st.just("v-1"))),
        "note": text,
        "received_at": draw(
            st.sampled_from(["2026-11-02T10:00:00+01:00", "0001-01-01T00:00:00+05:00", "x", None])
        ),
        "duration_seconds": _json_value(draw, "4"),
        "caller": {
            "name": name,
            "email": draw(st.sampled_from(["a@b.dk\r\nBcc: c@d.dk", "a@b.dk"])),
        },
        "outcome": draw(st.sampled_from(["besked_taget", "x", None])),
    }
    return _broken(draw, json.dumps(document).encode()), planted or planted_name


@st.composite
def chats(draw: st.DrawFn) -> tuple[bytes, str | None]:
    text, planted = draw(citizen_text())
    if draw(st.booleans()):
        document: dict[str, object] = {
            "session_id": draw(st.one_of(words, st.just("s-1"))),
            "turns": [{"from": draw(st.sampled_from(["citizen", "agent", "x"])), "text": text}],
            "citizen": {"email": draw(st.sampled_from(["a@b.dk\nBcc: x", "a@b.dk", "@@"]))},
        }
    else:
        document = {
            "type": "notification_event",
            "topic": "conversation.user.created",
            "data": {
                "item": {
                    "id": "ic-1",
                    "created_at": _json_value(draw, "1"),
                    "source": {"body": f"<p>{text}</p>", "author": {"type": "user"}},
                }
            },
        }
    return _broken(draw, json.dumps(document).encode()), planted


@st.composite
def web_forms(draw: st.DrawFn) -> tuple[bytes, str | None]:
    text, planted = draw(citizen_text())
    subject, planted_subject = draw(citizen_text())
    document = {
        "submission_id": draw(st.one_of(words, st.just("f-1"))),
        "submitted_at": draw(
            st.sampled_from(["2026-11-02T10:00:00Z", "9999-12-31T23:59:59-05:00"])
        ),
        "subject": subject,
        "text": text,
        "citizen": {"name": draw(words), "email": draw(words), "address": draw(words)},
    }
    return _broken(draw, json.dumps(document).encode()), planted or planted_subject


@st.composite
def letters(draw: st.DrawFn) -> tuple[bytes, str | None]:
    text, planted = draw(citizen_text())
    lines = ["Karen Jensen", "Nørregade 1", "1165 København K", "", *text.split("\n")]
    if draw(st.booleans()):
        return "\n".join(lines).encode("utf-8", "surrogatepass"), planted
    printable = ["".join(c for c in line if c.isprintable() and ord(c) < 256) for line in lines]
    pdf = pdf_with_text(printable)
    if draw(st.booleans()):  # a damaged file
        pdf = draw(_mutation(pdf))
    return pdf, planted


@st.composite
def _mutation(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate"]))
        at = draw(st.integers(0, len(data)))
        if kind == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(
                st.sampled_from([b"\x00", b"\xff\xfe", b"\r\n", b"=\r\n", b"\\u0000", b"{", b"--"])
                | st.binary(max_size=8)
            )
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 512))] * draw(st.integers(1, 50))
        elif kind == "truncate":
            del data[at:]
    return bytes(data)


GENERATORS = {
    Channel.EMAIL: emails(),
    Channel.PHONE: agent_notes(),
    Channel.IN_PERSON: agent_notes(),
    Channel.CHAT: chats(),
    Channel.SELF_SERVICE: web_forms(),
    Channel.LETTER: letters(),
}


def _seeds() -> dict[Channel, list[tuple[str, bytes]]]:
    seeds: dict[Channel, list[tuple[str, bytes]]] = {c: [] for c in Channel}
    for raw in load_feed("fuzz"):
        seeds[raw.channel].append((raw.path.name, raw.body))
    # The scanner also sends PDFs: the first letters with a text layer (Latin-1 fonts only).
    seeds[Channel.LETTER] += [
        (f"{name}.pdf", pdf_with_text(text.splitlines()))
        for name, text in ((n, b.decode("utf-8")) for n, b in seeds[Channel.LETTER][:8])
        if all(ord(c) < 256 for c in text)
    ]
    return seeds


SEEDS = _seeds()


@st.composite
def mutated(draw: st.DrawFn, channel: Channel) -> tuple[bytes, str, str | None]:
    name, seed = draw(st.sampled_from(SEEDS[channel]))
    planted = None
    if draw(st.booleans()):
        planted, written = draw(spelled)
        at = draw(st.integers(0, len(seed)))
        seed = seed[:at] + f" {written} ".encode() + seed[at:]
    return draw(_mutation(seed)), name, planted


@st.composite
def payloads(draw: st.DrawFn, channel: Channel) -> Payload:
    if draw(st.booleans()):
        body, planted = draw(GENERATORS[channel])
        return Payload(channel, body, f"generated {channel.value}", planted)
    body, name, planted = draw(mutated(channel))
    return Payload(channel, body, f"mutated {channel.value}/{name}", planted)


def any_payload() -> st.SearchStrategy[Payload]:
    return st.sampled_from(list(Channel)).flatmap(payloads)
