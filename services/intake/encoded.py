"""CPR numbers hidden in an encoding: RFC 2047 encoded words, base64, quoted-printable (a soft
line break may split the number), JSON and HTML escapes, percent-encoding.

Intake's readers decode what the standards say to decode, so a number usually reaches `redact`
in clear. These are for what they leave encoded (a header the parser could not read, a part
with an unknown transfer encoding, a string field that carries a file) and for raw bytes that
leave intake as a dead letter.
"""

from __future__ import annotations

import binascii
import html
import re
from collections.abc import Callable, Iterator
from email.errors import MessageError
from email.header import decode_header, make_header
from urllib.parse import unquote

from services.intake.cpr import CPR_MARKER, Redaction, redact

# Each starts with a character the text rarely holds and ends where the encoding ends, so the
# search takes time in proportion to the text.
_ENCODED_WORD = re.compile(r"=\?[\w.:-]{1,40}\?[BbQq]\?[^?\s]{0,2000}\?=")
# Ten digits and a separator, encoded, are 16 characters; a body's later lines may be shorter.
_BASE64 = re.compile(
    r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?:[ \t]*\r?\n[A-Za-z0-9+/]{4,}={0,2})*"
)
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|([nrt/\\\"]))")
_ESCAPED = {"n": "\n", "r": "\r", "t": "\t", "/": "/", "\\": "\\", '"': '"'}
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SOFT_LINE_BREAK = re.compile(r"=[ \t]*\r?\n")
_QUOTED_BYTE = re.compile(r"=([0-9A-Fa-f]{2})")


def _printable(view: str) -> str:
    """A decoded view as text may travel: escapes can spell lone surrogates and control
    characters, which the JSON on the bus cannot carry."""
    return _UNPRINTABLE.sub("", view.encode("utf-8", "replace").decode("utf-8"))


def _encoded_words(text: str) -> str:
    def decoded(word: re.Match[str]) -> str:
        try:
            return str(make_header(decode_header(word[0])))
        except (MessageError, LookupError, UnicodeError, ValueError):  # a charset no one knows
            return word[0]

    return _ENCODED_WORD.sub(decoded, text)


def _quoted_printable(text: str) -> str:
    joined = _SOFT_LINE_BREAK.sub("", text)
    return _QUOTED_BYTE.sub(lambda b: chr(int(b[1], 16)), joined)


def _escapes(text: str) -> str:
    """JSON's (and Python's) backslash escapes: "\\u0031", and "\\n" between the groups."""
    return _ESCAPE.sub(lambda e: chr(int(e[1], 16)) if e[1] else _ESCAPED[e[2]], text)


# (a sign the text may hold the encoding, its decoder): each is a view of its own, since one
# decoder can garble another's encoding ("cpr=120385%2D1234" read as quoted-printable).
_DECODERS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("=?", _encoded_words),
    ("\\", _escapes),
    ("&#", html.unescape),
    ("%", unquote),
    ("=", _quoted_printable),
)


def _decoded_views(text: str) -> Iterator[str]:
    for sign, decoder in _DECODERS:
        if sign in text and (view := decoder(text)) != text:
            yield view


def _base64_holds_cpr(token: str) -> bool:
    core = "".join(token.split()).rstrip("=")
    try:
        data = binascii.a2b_base64(core + "=" * (-len(core) % 4))
    except (binascii.Error, ValueError):
        return False
    return bool(holds_cpr_in_bytes(data, decode_base64=False))


def mask(text: str) -> Redaction:
    """`redact`, and then the numbers in an encoding: where a decoded view of the text shows
    more numbers, the text becomes that view, redacted (it reads better decoded anyway); a
    base64 run that decodes to one is replaced by the marker."""
    redaction = redact(text)
    for _ in _DECODERS:  # each decoding that shows a number is kept, until none shows more
        for view in _decoded_views(redaction.text):
            if (decoded := redact(_printable(view))).cpr_numbers:
                redaction = Redaction(decoded.text, redaction.cpr_numbers + decoded.cpr_numbers)
                break
        else:
            break

    def replace(run: re.Match[str]) -> str:
        if _base64_holds_cpr(run[0]):
            return CPR_MARKER
        return run[0]

    if not _BASE64.search(redaction.text):
        return redaction
    # A number known only in its base64 form keys no citizen: its digits are not read back.
    return Redaction(_BASE64.sub(replace, redaction.text), redaction.cpr_numbers)


def holds_cpr(text: str, *, decode_base64: bool = True) -> bool:
    """Whether the text holds a CPR number in any spelling and encoding intake knows."""
    if any(redact(view).cpr_numbers for view in (text, *_decoded_views(text))):
        return True
    return decode_base64 and any(_base64_holds_cpr(run[0]) for run in _BASE64.finditer(text))


def holds_cpr_in_bytes(raw: bytes, *, decode_base64: bool = True) -> bool:
    """Whether the bytes, read as UTF-8 or as a single-byte character set, hold a CPR number in
    any spelling and encoding intake knows."""
    return any(
        holds_cpr(text, decode_base64=decode_base64)
        for text in (raw.decode("utf-8", "surrogateescape"), raw.decode("latin-1"))
    )
