"""Danish, English or other, by py3langid's model (langid.py's naive Bayes over 97 languages,
shipped inside the package: nothing is downloaded). See docs/intake.md for why this one.

py3langid walks its tokenizer, a DFA over a text's UTF-8 bytes, one byte at a time in Python;
here a batch of texts walks it in step, one numpy operation per byte position for all texts, and
is scored as one matrix, because at intake's batch sizes that saves more than the copy costs to
keep (docs/performance.md). The n-gram counts, their order and the arithmetic are those of
py3langid 0.4.0, pinned in pyproject.toml, so the languages and their probabilities are its own
to the last bit (tests/unit/intake/test_intake_language.py compares them).

The model is loaded once per process, on first use or by `load_language_model()` in the
service's lifespan.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from py3langid.langid import MODEL_DIR, MODEL_FILE, visit_counts
from py3langid.modelio import load_model

from shared.vocabulary import Language

# The first characters decide: accuracy on the demo feed does not improve past 400, while the
# cost grows with the length.
SAMPLE_CHARS = 400
# Below this normalised probability the inquiry is "other": a person reads it, no guess.
DEFAULT_MIN_CONFIDENCE = 0.5
# Walking in step costs a few numpy calls per byte position whatever the number of texts, so
# fewer texts than this walk byte by byte as py3langid does (docs/performance.md).
MIN_TEXTS_IN_STEP = 8
MAX_TEXTS_IN_STEP = 1000

_OURS = {"da": Language.DA, "en": Language.EN}

Counts = tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]  # features, occurrences


@dataclass(frozen=True, eq=False)
class LanguageModel:
    """py3langid's model as arrays: its tokenizer DFA and its naive Bayes weights."""

    languages: tuple[str, ...]  # per column; a language written in two scripts has two
    weights: npt.NDArray[np.float32]  # (feature, column) log probabilities
    prior: npt.NDArray[np.float32]  # (column,)
    # The DFA: next state at `state_rows[state] + byte`; the feature a state counts, or -1.
    transitions: npt.NDArray[np.unsignedinteger]
    state_rows: npt.NDArray[np.intp]
    state_features: npt.NDArray[np.intp]
    # The same as py3langid's byte-by-byte walk takes them (Python lists index faster one by one).
    byte_walk: tuple[object, list[int], list[int]]
    script_twins: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]  # (first, second) columns

    @classmethod
    def load(cls) -> LanguageModel:
        weights, prior, languages, transitions, rows, features = load_model(MODEL_DIR / MODEL_FILE)
        first: dict[str, int] = {}
        twins = []
        for column, language in enumerate(languages):
            if language in first:
                twins.append((first[language], column))
            first.setdefault(language, column)
        return cls(
            languages=tuple(languages),
            # float16 on disk; numpy would widen every gathered row to float32 per call.
            weights=np.asarray(weights, dtype=np.float32),
            prior=np.asarray(prior, dtype=np.float32),
            transitions=np.frombuffer(transitions, dtype=np.dtype(transitions.typecode)),
            state_rows=np.frombuffer(rows, dtype=np.dtype(rows.typecode)).astype(np.intp) << 8,
            state_features=np.array(features, dtype=np.intp),
            byte_walk=(transitions, [r << 8 for r in rows], features),
            script_twins=(
                np.array([a for a, _ in twins], dtype=np.intp),
                np.array([b for _, b in twins], dtype=np.intp),
            ),
        )

    def classify(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(language code, probability) per text: py3langid's `classify` with `norm_probs`."""
        samples = [_utf8(t) for t in texts]
        counts = self._counts(samples)
        scores = np.zeros((len(samples), len(self.languages)), dtype=np.float32)
        for row, (features, occurrences) in zip(scores, counts, strict=True):
            if len(features):
                row[:] = np.log1p(occurrences) @ self.weights[features] + self.prior
        # Softmax at temperature sqrt(bytes), as py3langid calibrates it, in float32 as it does.
        lengths = np.array([len(s) or 1 for s in samples], dtype=np.float64)
        scores *= (1.0 / np.sqrt(lengths)).astype(np.float32)[:, None]
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        first, second = self.script_twins
        scores[:, first] += scores[:, second]
        scores[:, second] = 0.0
        best = scores.argmax(axis=1)
        chances = scores[np.arange(len(samples)), best]
        return [
            (self.languages[b], p) for b, p in zip(best.tolist(), chances.tolist(), strict=True)
        ]

    def _counts(self, samples: Sequence[bytes]) -> list[Counts]:
        if len(samples) < MIN_TEXTS_IN_STEP:
            return [self._counts_of(s) for s in samples]
        # In slices, so that the walk of a large batch stays within some megabytes.
        return [
            c
            for start in range(0, len(samples), MAX_TEXTS_IN_STEP)
            for c in self._counts_in_step(samples[start : start + MAX_TEXTS_IN_STEP])
        ]

    def _counts_of(self, sample: bytes) -> Counts:
        visits = visit_counts(*self.byte_walk, sample)
        if not visits:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float32)
        return (
            np.fromiter(visits.keys(), dtype=np.intp, count=len(visits)),
            np.fromiter(visits.values(), dtype=np.float32, count=len(visits)),
        )

    def _counts_in_step(self, samples: Sequence[bytes]) -> list[Counts]:
        """Every sample's feature counts, in the order of first occurrence (the order decides
        the last bit of the float32 sums), from one walk of all samples side by side."""
        # Longest first, so the samples still walking at a position are a leading slice.
        order = sorted(range(len(samples)), key=lambda i: -len(samples[i]))
        lengths = np.array([len(samples[i]) for i in order], dtype=np.intp)
        width = int(lengths[0])
        inside = np.arange(width) < lengths[:, None]  # (sample, position)
        padded = np.zeros(inside.shape, dtype=np.uint8)
        padded[inside] = np.frombuffer(b"".join(samples[i] for i in order), dtype=np.uint8)
        columns = np.ascontiguousarray(padded.T)
        states = np.zeros((width + 1, len(samples)), dtype=np.intp)  # row 0: the start state
        for position, walking in enumerate(inside.sum(axis=0).tolist()):
            before = states[position, :walking]
            step = self.state_rows[before] + columns[position, :walking]
            states[position + 1, :walking] = self.transitions[step]
        features = self.state_features[states[1:].T]  # (sample, position)
        counted = inside & (features >= 0)
        # One key per (sample, feature), in reading order: sample by sample, position by position.
        keys = (np.arange(len(samples))[:, None] * len(self.weights) + features)[counted]
        _, firsts, occurrences = np.unique(keys, return_index=True, return_counts=True)
        is_first = np.zeros(len(keys), dtype=bool)
        is_first[firsts] = True
        occurrences_at = np.zeros(len(keys), dtype=np.float32)
        occurrences_at[firsts] = occurrences
        first_keys = keys[is_first]
        sample_of, feature = np.divmod(first_keys, len(self.weights))
        bounds = np.searchsorted(sample_of, np.arange(len(samples) + 1)).tolist()
        occurrences_in_order = occurrences_at[is_first]
        counts = {
            i: (feature[start:end], occurrences_in_order[start:end])
            for i, start, end in zip(order, bounds, bounds[1:], strict=False)
        }
        return [counts[i] for i in range(len(samples))]


def _utf8(text: str) -> bytes:
    """The bytes py3langid reads for a text: NFC, lower-cased when all upper-case."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")


@cache
def _model() -> LanguageModel:
    return LanguageModel.load()


def load_language_model() -> None:
    _model()


def detect_languages(
    texts: Sequence[str], *, min_confidence: float = DEFAULT_MIN_CONFIDENCE
) -> list[Language]:
    """Danish, English or other per text; one call for a batch costs less than one per text."""
    samples = [t[:SAMPLE_CHARS] for t in texts]
    readable = [i for i, s in enumerate(samples) if any(c.isalpha() for c in s)]
    found = _model().classify([samples[i] for i in readable])
    languages = [Language.OTHER] * len(texts)
    for i, (code, probability) in zip(readable, found, strict=True):
        if probability >= min_confidence:
            languages[i] = _OURS.get(code, Language.OTHER)
    return languages


def detect_language(text: str, *, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Language:
    return detect_languages([text], min_confidence=min_confidence)[0]
