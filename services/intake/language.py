"""Danish, English or other, from the words an inquiry uses."""

from __future__ import annotations

import re

from shared.vocabulary import Language

# Frequent function words: short inquiries still contain several of them.
_DANISH = frozenset(
    [
        "og",
        "jeg",
        "er",
        "det",
        "at",
        "en",
        "til",
        "på",
        "ikke",
        "har",
        "med",
        "den",
        "for",
        "af",
        "min",
        "mit",
        "mig",
        "vil",
        "kan",
        "hvad",
        "hvordan",
        "hvornår",
        "skal",
        "om",
        "som",
        "vi",
        "de",
        "der",
        "fra",
        "eller",
        "os",
        "jer",
        "hej",
        "tak",
        "venlig",
        "hilsen",
        "mvh",
        "også",
        "mine",
        "hvor",
        "får",
        "være",
        "blev",
        "bliver",
        "nu",
        "så",
        "men",
        "have",
        "kommune",
        "borger",
        "ønsker",
        "ang",
        "vedr",
    ]
)
_ENGLISH = frozenset(
    [
        "the",
        "and",
        "i",
        "is",
        "it",
        "to",
        "of",
        "a",
        "in",
        "for",
        "my",
        "me",
        "we",
        "you",
        "that",
        "this",
        "have",
        "has",
        "with",
        "be",
        "can",
        "how",
        "what",
        "when",
        "would",
        "could",
        "please",
        "thank",
        "thanks",
        "regards",
        "dear",
        "hello",
        "hi",
        "not",
        "are",
        "was",
        "will",
        "do",
        "does",
        "about",
        "from",
        "your",
        "our",
        "need",
    ]
)
_WORD = re.compile(r"[a-zæøåé]+")


def detect_language(text: str) -> Language:
    words = _WORD.findall(text.lower())
    danish = sum(w in _DANISH for w in words) + 2 * sum(c in "æøå" for c in text.lower())
    english = sum(w in _ENGLISH for w in words)
    if danish == english == 0:
        return Language.OTHER
    return Language.DA if danish >= english else Language.EN
