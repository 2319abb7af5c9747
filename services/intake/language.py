"""Danish, English or other, by py3langid (langid.py's naive Bayes model over 97 languages,
shipped inside the package: nothing is downloaded). See docs/intake.md for why this one.

The model is loaded once per process, on first use or by `load_language_model()` in the
service's lifespan; it is about 75 MB of arrays, read in under a second.
"""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from shared.vocabulary import Language

# The first characters decide: accuracy on the demo feed does not improve past 400, while the
# cost grows with the length (the tokenizer walks every byte in Python).
SAMPLE_CHARS = 400
# Below this normalised probability the inquiry is "other": a person reads it, no guess.
DEFAULT_MIN_CONFIDENCE = 0.5

_OURS = {"da": Language.DA, "en": Language.EN}


@cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def load_language_model() -> None:
    _identifier()


def detect_language(text: str, *, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Language:
    sample = text[:SAMPLE_CHARS]
    if not any(c.isalpha() for c in sample):
        return Language.OTHER
    code, probability = _identifier().classify(sample)
    if probability < min_confidence:
        return Language.OTHER
    return _OURS.get(code, Language.OTHER)
