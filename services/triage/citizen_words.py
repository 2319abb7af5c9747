"""The citizen's own words, as the model reads them: the same preparation in training and serving.

Intake already gives chat as the citizen's turns and e-mail without the quoted mail; the corpus
and other scripts may hand over the whole transcript or mail. Both come out the same here, so a
model never learns the chatbot's greeting or a quoted auto-reply as evidence.
"""

from __future__ import annotations

import re

from services.triage.catalogue import fold

# Who speaks for the municipality in a chat transcript; their turns are not the citizen's matter.
_MUNICIPAL_SPEAKERS = r"chatbot|bot|kommunen|medarbejder|agent|municipality|city|kk|operator"
_CITIZEN_SPEAKERS = r"borger|du|gast|guest|citizen|you|me|jeg"
_STAMP = r"(?:\[\d{1,2}[:.]\d{2}(?::\d{2})?\]\s*)?"
_MUNICIPAL_TURN = re.compile(rf"^{_STAMP}(?:{_MUNICIPAL_SPEAKERS})\s*:.*$", re.M)
_CITIZEN_TURN = re.compile(rf"^{_STAMP}(?:{_CITIZEN_SPEAKERS})\s*:\s*", re.M)
# Everything after a quoted-mail header is the municipality's earlier message.
_QUOTE_HEADER = re.compile(
    r"^(?:-{2,}\s*(?:oprindelig meddelelse|original message|videresendt)|"
    r"(?:den|on) .{0,80}(?:skrev|wrote)\s*:?$|fra: .*(?:kk\.dk|kommune))",
    re.M,
)
_QUOTED_LINE = re.compile(r"^\s*>.*$", re.M)
# A CPR marker, a phone number, an e-mail address: contact details, not the matter.
_EMAIL_ADDRESS = re.compile(r"\S+@\S+")
_DIGITS = re.compile(r"\d+")
# Runs of spaces and tabs become one space: tabs made spaces first, and only runs of two or
# more are replaced, since replacing every single space between words is most of the cost.
_SPACES = re.compile(" {2,}")


def citizen_words(subject: str | None, text: str) -> str:
    """Folded (lower case, æøå spelled out the same way however typed) and without boilerplate."""
    folded = fold(f"{subject or ''}\n{text}")
    header = _QUOTE_HEADER.search(folded)
    if header:
        folded = folded[: header.start()]
    folded = _QUOTED_LINE.sub("", folded)
    folded = _MUNICIPAL_TURN.sub("", folded)
    folded = _CITIZEN_TURN.sub("", folded)
    if "@" in folded:  # the search for an address tries every run of letters without one
        folded = _EMAIL_ADDRESS.sub(" ", folded)
    folded = _DIGITS.sub("0", folded)
    return _SPACES.sub(" ", folded.replace("\t", " ")).strip()
