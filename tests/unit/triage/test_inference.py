"""The service's numpy inference is the shipped model's scikit-learn inference: the same
features, the same probabilities, the same decisions and reasons, over the corpus's test split
and the demo feed (through intake's normalisation, as the pipeline sees it)."""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
from sklearn.feature_extraction.text import TfidfVectorizer

from services.triage.artifact import TriageModel
from services.triage.catalogue import Catalogue, fold
from services.triage.citizen_words import citizen_words
from services.triage.classifier import Candidates, ModelClassifier, Probabilities
from services.triage.features import (
    CharGrams,
    WordGrams,
    catalogue_matches,
    confidence_features,
    fitted_features,
)
from services.triage.reasons import NOT_EVIDENCE, WrittenWords, linear_coef
from services.triage.settings import TriageSettings
from shared.events import Inquiry
from shared.vocabulary import Complexity, Department
from tests.conftest import run_module
from training.evaluation import corpus_rows, demo_feed, labelled

SETTINGS = TriageSettings()


def original_words(text: str) -> dict[str, str]:
    """The reasons' words as they were found before: one fold a word."""
    words: dict[str, str] = {}
    for word in re.findall(r"\w+", text):
        if word.isalpha():
            words.setdefault(fold(word), word.lower())
    return words


class ScikitLearnClassifier(ModelClassifier):
    """The reference: the shipped model's own vectorisers and `predict_proba`s, and the
    reasons' words found one inquiry at a time, as before the numpy path."""

    def __init__(self, model: TriageModel, catalogue: Catalogue) -> None:
        super().__init__(model, catalogue)
        self.terms_shown = self.weighed_words.terms_shown
        self.weighed_words = self._reason_words  # type: ignore[assignment]

    @functools.cached_property
    def _names(self) -> list[str]:
        return [
            *self.model.words.get_feature_names_out(),
            *self.model.chars.get_feature_names_out(),
        ]

    def _closeness(
        self, x: sp.csr_matrix, rows: Sequence[int], candidates: Candidates
    ) -> np.ndarray:
        n_text = len(self.model.words.vocabulary_) + len(self.model.chars.vocabulary_)
        every_row = np.asarray((x[:, :n_text] @ self.model.service_centroids.T).toarray())
        return every_row[np.ix_(list(rows), candidates.columns)]

    def _reason_words(
        self,
        inquiries: Sequence[Inquiry],
        x: sp.csr_matrix,
        complexities: np.ndarray,
        departments: np.ndarray,
    ) -> list[tuple[list[str], list[str]]]:
        coef = {
            "complexity": linear_coef(self.model.complexity)[0],
            "department": linear_coef(self.model.department),
        }
        terms = []
        for i, inquiry in enumerate(inquiries):
            row = slice(x.indptr[i], x.indptr[i + 1])
            indices, values = x.indices[row], x.data[row]
            words = original_words(f"{inquiry.subject or ''} {inquiry.text}")
            complexity = coef["complexity"] if complexities[i] == 1 else -coef["complexity"]
            department = coef["department"][departments[i]]
            terms.append(
                (
                    self._strongest_one_by_one(indices, values, complexity, words),
                    self._strongest_one_by_one(indices, values, department, words),
                )
            )
        return terms

    def _strongest_one_by_one(
        self, indices: np.ndarray, values: np.ndarray, coef: np.ndarray, words: dict[str, str]
    ) -> list[str]:
        names = self._names
        n_words = len(self.model.words.vocabulary_)
        text_part = indices < len(names)
        indices, values = indices[text_part], values[text_part]
        contributions = values * coef[indices]
        # The rule in plain Python, the same on every processor: the largest pushes, equal
        # ones in column order.
        order = sorted(range(len(indices)), key=lambda k: (-contributions[k], indices[k]))[:24]
        weight: dict[str, float] = {}
        for k in order:
            if contributions[k] <= 0:
                break
            index = int(indices[k])
            gram = str(names[index]).strip()
            if index < n_words:
                owners = [w for w in gram.split() if w in words]
            else:
                owners = [w for w in words if gram in w]
            for owner in owners:
                weight[owner] = weight.get(owner, 0.0) + float(contributions[k]) / len(owners)
        ranked = sorted(weight, key=lambda w: (-weight[w], w))
        return [words[w] for w in ranked if len(w) > 2 and w not in NOT_EVIDENCE][
            : self.terms_shown
        ]

    def probabilities(
        self, inquiries: Sequence[Inquiry]
    ) -> tuple[Probabilities, sp.csr_matrix, list[list]]:
        prepared = [citizen_words(i.subject, i.text) for i in inquiries]
        matches = catalogue_matches(self.catalogue, prepared)
        x = fitted_features(self.model, self.catalogue, prepared, matches)
        complexity = self.model.complexity.predict_proba(x)
        department = self.model.department.predict_proba(x)
        features = confidence_features(
            (complexity, [m.predict_proba(x) for m in self.model.complexity.estimators_]),
            (department, [m.predict_proba(x) for m in self.model.department.estimators_]),
        )
        return (
            Probabilities(
                complexity=complexity,
                department=department,
                complexity_classes=tuple(Complexity(c) for c in self.model.complexity.classes_),
                department_classes=tuple(Department(c) for c in self.model.department.classes_),
                decision_confidence=self.model.confidence.predict_proba(features)[:, 1],
                rule_inputs={
                    name: head.predict_proba(x)[:, 1]
                    for name, head in self.model.rule_inputs.items()
                },
            ),
            x,
            matches,
        )


@pytest.fixture(scope="module")
def classifier() -> ModelClassifier:
    return ModelClassifier.load(SETTINGS.model_path, Catalogue.from_file(SETTINGS.catalogue_path))


@dataclass(frozen=True)
class Grams:
    words: WordGrams
    chars: CharGrams


@pytest.fixture(scope="module")
def grams(classifier: ModelClassifier) -> Grams:
    return Grams(WordGrams(classifier.model.words), CharGrams(classifier.model.chars))


@pytest.fixture(scope="module")
def reference(classifier: ModelClassifier) -> ScikitLearnClassifier:
    return ScikitLearnClassifier(classifier.model, classifier.catalogue)


@pytest.fixture(scope="module", params=["corpus test split", "demo feed"])
def inquiries(request: pytest.FixtureRequest) -> list[Inquiry]:
    if request.param == "demo feed":
        found, _ = demo_feed()
        assert found, "the demo feed has labelled inquiries"
    else:
        found = labelled(corpus_rows(), "test")
    return [item.inquiry() for item in found]


def _same_matrix(fast: sp.csr_matrix, slow: sp.csr_matrix) -> None:
    assert fast.shape == slow.shape
    assert np.array_equal(fast.indptr, slow.indptr)
    assert np.array_equal(fast.indices, slow.indices)
    assert np.array_equal(fast.data, slow.data)


def test_the_ngram_features_are_the_vectorisers_own(
    classifier: ModelClassifier, grams: Grams, inquiries: list[Inquiry]
) -> None:
    model = classifier.model
    prepared = [citizen_words(i.subject, i.text) for i in inquiries]
    _same_matrix(grams.words(prepared), model.words.transform(prepared))
    _same_matrix(grams.chars(prepared), model.chars.transform(prepared))


def test_unusual_text_gets_the_vectorisers_features_too(
    classifier: ModelClassifier, grams: Grams
) -> None:
    # Empty, one letter, runs of white space, letters outside the vocabulary, a text alone.
    texts = ["", "a", "  x \t y\n\nz  ", "é ü ß 𝔘 İ ǅ", "0 0 0 0", "ab|cd [x] a.b-c"]
    texts += ["hej\x1c\x1cmed\x85dig\xa0\xa0og\u2003dem", "Σ ΑΣ ǅemal ÆØÅ æøå"]
    model = classifier.model
    for batch in (texts, *([t] for t in texts)):
        _same_matrix(grams.words(batch), model.words.transform(batch))
        _same_matrix(grams.chars(batch), model.chars.transform(batch))


def test_the_probabilities_are_scikit_learns(
    classifier: ModelClassifier, reference: ScikitLearnClassifier, inquiries: list[Inquiry]
) -> None:
    fast, x, _ = classifier.probabilities(inquiries)
    slow, x_slow, _ = reference.probabilities(inquiries)
    _same_matrix(x, x_slow)
    for name in ("complexity", "department", "decision_confidence"):
        assert np.allclose(getattr(fast, name), getattr(slow, name), rtol=1e-12, atol=1e-15), name
    assert set(fast.rule_inputs) == set(slow.rule_inputs) == {"written_decision", "self_service"}
    for name, probability in fast.rule_inputs.items():
        assert np.allclose(probability, slow.rule_inputs[name], rtol=1e-12, atol=1e-15), name
    assert fast.complexity_classes == slow.complexity_classes
    assert fast.department_classes == slow.department_classes


def test_the_decisions_and_reasons_are_scikit_learns(
    classifier: ModelClassifier, reference: ScikitLearnClassifier, inquiries: list[Inquiry]
) -> None:
    assert classifier.classify(inquiries) == reference.classify(inquiries)


def test_one_inquiry_a_call_gets_the_same_probabilities_as_a_batch(
    classifier: ModelClassifier, inquiries: list[Inquiry]
) -> None:
    batch, _, _ = classifier.probabilities(inquiries[:25])
    for i, inquiry in enumerate(inquiries[:25]):
        alone, _, _ = classifier.probabilities([inquiry])
        assert np.allclose(alone.complexity[0], batch.complexity[i], rtol=1e-12, atol=1e-15)
        assert np.allclose(alone.department[0], batch.department[i], rtol=1e-12, atol=1e-15)


def test_the_reasons_name_the_same_words_whichever_vector_instructions_numpy_uses(
    classifier: ModelClassifier, reference: ScikitLearnClassifier, tmp_path: Path
) -> None:
    """numpy chooses its sort by the processor's vector instructions, and equal pushes are
    common (n-grams that always occur together weigh the same): the words named must not
    depend on the processor. The same rows' words, by the rule in plain Python, here and in a
    process whose numpy uses only its baseline instructions, over training texts, where n-grams
    tie the most (the model's weights were fitted on them)."""
    present = [name for name in __cpu_dispatch__ if __cpu_features__.get(name)]
    if not present:
        pytest.skip("numpy uses only its baseline instructions on this processor already")
    batch = [item.inquiry() for item in labelled(corpus_rows(), "train")[:1000]]
    found, x, _ = classifier.probabilities(batch)
    complexities, departments = found.complexity.argmax(axis=1), found.department.argmax(axis=1)
    np.savez(
        tmp_path / "rows.npz", data=x.data, indices=x.indices, indptr=x.indptr,
        shape=np.array(x.shape), complexities=complexities, departments=departments,
    )  # fmt: skip
    lines = [inquiry.model_dump_json() for inquiry in batch]
    (tmp_path / "inquiries.jsonl").write_text("\n".join(lines), encoding="utf-8")
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(present)}
    elsewhere = run_module("tests.unit.triage.words_elsewhere", str(tmp_path), env=env)
    assert elsewhere.returncode == 0, elsewhere.stderr
    here = classifier.weighed_words(batch, x, complexities, departments)
    assert here == reference.weighed_words(batch, x, complexities, departments)
    assert json.loads(elsewhere.stdout) == [[list(c), list(d)] for c, d in here]


def test_the_reasons_find_the_citizens_words_as_one_fold_a_word_did(
    classifier: ModelClassifier, inquiries: list[Inquiry]
) -> None:
    unusual = ["", "123 abc", "Ærø ØRE åå Åse", "ΑΣ Σ σς", "ﷺ café naïve ǅemal straße İstanbul"]
    texts = [f"{i.subject or ''} {i.text}" for i in inquiries] + unusual
    weighed = classifier.weighed_words
    grams = [g for g in weighed.grams[weighed.n_words :] if g]
    for text in texts:
        words = WrittenWords(text)
        assert words.spelled == original_words(text)
        for gram in [*grams[:: max(1, len(grams) // 300)], "a", "e", "ss", "o"]:
            assert words.containing(gram) == [w for w in words.spelled if gram in w]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("abekltorsæøå0 .-'\t\n\x1c\xa0ÉΣ𝔘"), max_size=60),
        min_size=1,
        max_size=4,
    )
)
def test_any_text_gets_the_vectorisers_features(
    classifier: ModelClassifier, grams: Grams, texts: list[str]
) -> None:
    model = classifier.model
    _same_matrix(grams.words(texts), model.words.transform(texts))
    _same_matrix(grams.chars(texts), model.chars.transform(texts))


@pytest.mark.parametrize("ngram_range", [(1, 3), (3, 4), (2, 6)])
def test_other_character_ngram_ranges_get_the_vectorisers_features(
    ngram_range: tuple[int, int],
) -> None:
    texts = [citizen_words(r.get("subject"), r["text"]) for r in corpus_rows()[:600]]
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, sublinear_tf=True)
    vectoriser.fit(texts[:400])
    _same_matrix(CharGrams(vectoriser)(texts[400:]), vectoriser.transform(texts[400:]))
