"""Intake's language detection walks py3langid's model its own way; the answers must be
py3langid's own, the probability to the last bit, over real texts: the demo feed, the training
corpus, CPython's e-mail messages and a few hard cases."""

from __future__ import annotations

import json

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from demo.feed import load_feed
from services.intake.language import (
    MIN_TEXTS_IN_STEP,
    SAMPLE_CHARS,
    LanguageModel,
    detect_language,
    detect_languages,
)
from services.intake.normalise import Normalised, read_messages
from shared.settings import REPO_ROOT

SALT = "a-test-salt-of-some-length"
HARD_CASES = [
    "",
    "12345 67 89",
    "TAK FOR HJÆLPEN, JEG KOMMER PÅ TORSDAG",  # all upper case: py3langid lower-cases it
    "Thanks",
    "Guten Tag, ich brauche eine Wohnsitzbescheinigung.",
    "مرحبا، أحتاج إلى مساعدة بخصوص السكن",
    "Merhaba, konut yardımı hakkında bilgi istiyorum.",
    "你好，我需要帮助",
    "Здраво, треба ми помоћ око стана.",  # Serbian: one language, two scripts, two columns
    "Zdravo, treba mi pomoć oko stana.",
    "Hej 👋 kan jeg få hjælp?",
    "e\u0301 composed by NFC, a lone surrogate \ud800 passed through",
    "\x00\x01 control bytes and ÆØÅ æøå",
]


def _feed_texts() -> list[str]:
    feed = load_feed("language")
    read = read_messages(
        [(raw.channel, raw.body, {k: v.decode() for k, v in raw.headers}) for raw in feed],
        salt=SALT,
    )
    inquiries = [r.inquiry for r in read if isinstance(r, Normalised)]
    return [f"{i.subject or ''}\n{i.text}" for i in inquiries]


def _corpus_texts() -> list[str]:
    lines = (REPO_ROOT / "training" / "corpus" / "inquiries.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [f"{r.get('subject') or ''}\n{r['text']}" for r in rows]


def _cpython_texts() -> list[str]:
    # Undecodable bytes become lone surrogates, which the detector must read as py3langid does.
    folder = REPO_ROOT / "tests" / "data" / "cpython_email"
    return [p.read_bytes().decode("utf-8", "surrogateescape") for p in sorted(folder.glob("*"))]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    every = [*_feed_texts(), *_corpus_texts(), *_cpython_texts(), *HARD_CASES]
    assert len(every) > 7_000
    return [t[:SAMPLE_CHARS] for t in every]


@pytest.fixture(scope="module")
def reference(texts: list[str]) -> list[tuple[str, float]]:
    py3langid = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return [py3langid.classify(t) for t in texts]


@pytest.fixture(scope="module")
def model() -> LanguageModel:
    return LanguageModel.load()


def test_a_batch_gets_py3langids_languages_and_probabilities_exactly(
    model: LanguageModel, texts: list[str], reference: list[tuple[str, float]]
) -> None:
    assert model.classify(texts) == reference


def test_batches_of_every_size_get_the_same_answers(
    model: LanguageModel, texts: list[str], reference: list[tuple[str, float]]
) -> None:
    # Below MIN_TEXTS_IN_STEP texts are walked byte by byte; from it on, in step.
    start = 0
    for size in [1, 2, MIN_TEXTS_IN_STEP - 1, MIN_TEXTS_IN_STEP, MIN_TEXTS_IN_STEP + 1, 500]:
        for _ in range(5):
            batch = texts[start : start + size]
            assert model.classify(batch) == reference[start : start + size]
            start += size


def test_the_languages_of_a_batch_are_those_of_each_text_alone(texts: list[str]) -> None:
    sample = texts[::7]
    assert detect_languages(sample) == [detect_language(t) for t in sample]
    assert detect_languages(sample, min_confidence=0.9) == [
        detect_language(t, min_confidence=0.9) for t in sample
    ]


def test_no_texts_no_languages() -> None:
    assert detect_languages([]) == []
