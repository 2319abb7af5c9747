"""The fitted heads' probabilities in numpy: one sparse product per batch for every linear part,
then the calibrations, the vote and the decision confidence, step by step as scikit-learn does
them (sklearn/calibration.py, naive_bayes.py, ensemble/_voting.py, linear_model/_base.py).

scikit-learn checks its input once for every estimator of the ensemble, a fixed cost per call
that small batches pay on few inquiries (docs/performance.md has what it saves). The weights are
read from the loaded `TriageModel`, so the shipped artifact stays as `make train` writes it. The
steps mirror scikit-learn 1.9 (pyproject.toml pins `>=1.9,<1.10`); tests/unit/triage/
test_inference.py compares the probabilities with `predict_proba` over the corpus and the demo
feed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.ensemble import VotingClassifier
from sklearn.naive_bayes import ComplementNB
from sklearn.preprocessing import LabelEncoder
from sklearn.svm import LinearSVC

from services.triage.features import confidence_features


@dataclass(frozen=True)
class _Calibrated:
    """One calibrated classifier: its scores' columns in the shared product, and per class the
    sigmoid (a, b) that turns a score into a probability."""

    columns: slice
    intercept: np.ndarray | None  # a linear SVM's; naive Bayes has none
    naive_bayes: bool
    n_classes: int
    targets: np.ndarray  # per calibrator, the class (column of the probabilities) it gives
    slopes: np.ndarray
    offsets: np.ndarray

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        predictions = np.ascontiguousarray(scores[:, self.columns])
        if self.intercept is not None:
            predictions = predictions + self.intercept
        if self.naive_bayes:
            predictions = _naive_bayes_probabilities(predictions)
            if self.n_classes == 2:
                predictions = predictions[:, -1:]  # the positive class's, as calibrated
        proba = np.zeros((len(scores), self.n_classes))
        # Each class's sigmoid at once: the same arithmetic per element as one at a time.
        proba[:, self.targets] = expit(-(self.slopes * predictions + self.offsets))
        if self.n_classes == 2:
            proba[:, 0] = 1.0 - proba[:, 1]
        else:
            denominator = np.sum(proba, axis=1)[:, np.newaxis]
            uniform = np.full_like(proba, 1 / self.n_classes)
            proba = np.divide(proba, denominator, out=uniform, where=denominator != 0)
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba


def _naive_bayes_probabilities(jll: np.ndarray) -> np.ndarray:
    """`_BaseNB.predict_proba` from the joint log-likelihoods, its log-sum-exp as written in
    sklearn.utils._array_api._logsumexp."""
    top = np.max(jll, axis=1, keepdims=True)
    is_top = jll == top
    rest = np.array(jll, copy=True)
    rest[is_top] = -np.inf
    tops = np.sum(is_top.astype(jll.dtype), axis=1, keepdims=True, dtype=jll.dtype)
    shift = np.where(np.isfinite(top), top, 0)
    summed = np.sum(np.exp(rest - shift), axis=1, keepdims=True, dtype=jll.dtype)
    summed = np.where(summed == 0, summed, summed / tops)
    log_prob_x = np.squeeze(np.log1p(summed) + np.log(tops) + top, axis=1)
    return np.asarray(np.exp(jll - np.atleast_2d(log_prob_x).T))


@dataclass(frozen=True)
class _Head:
    """A soft vote of calibrated classifiers."""

    members: tuple[tuple[_Calibrated, ...], ...]
    weights: list[float] | None

    def members_probabilities(self, scores: np.ndarray) -> list[np.ndarray]:
        """Each member's probabilities, as the vote's `estimators_[i].predict_proba`."""
        found = []
        for calibrated in self.members:
            mean = np.zeros((len(scores), calibrated[0].n_classes))
            for member in calibrated:
                mean += member.probabilities(scores)
            mean /= len(calibrated)
            found.append(mean)
        return found

    def vote(self, members: list[np.ndarray]) -> np.ndarray:
        """`np.average` of the members' probabilities, its arithmetic spelled out: the
        function's checks of its arguments cost more than the sum for a small batch."""
        weights = self.weights or [1.0] * len(members)
        total = members[0] * weights[0]
        for member, weight in zip(members[1:], weights[1:], strict=True):
            total += member * weight
        return np.asarray(total / sum(weights))

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        return self.vote(self.members_probabilities(scores))


class LinearHeads:
    """The complexity and department heads, the decision confidence and the reply-channel
    rule's input heads of a `TriageModel`."""

    def __init__(
        self,
        complexity: Any,
        department: Any,
        confidence: Any,
        rule_inputs: Mapping[str, Any] | None = None,
    ) -> None:
        weights: list[np.ndarray] = []
        self.complexity = _head(complexity, weights)
        self.department = _head(department, weights)
        # Binary heads of "holds": their columns join the one product.
        self.rule_inputs = {
            name: _head(head, weights) for name, head in (rule_inputs or {}).items()
        }
        # One matrix, one product a batch: every score column of every classifier.
        self._weights = np.ascontiguousarray(np.vstack(weights).T, dtype=np.float64)
        self._confidence_coef = np.asarray(confidence.coef_).T
        self._confidence_intercept = np.asarray(confidence.intercept_)
        if list(confidence.classes_) != [False, True]:
            raise ValueError("the decision confidence must be a binary model of 'right'")

    def probabilities(
        self, x: sp.csr_matrix
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Per row of `x`: the complexity head's and the department head's probabilities, the
        decision confidence, and each rule input's probability that it holds."""
        scores = np.asarray(x @ self._weights)
        complexity_members = self.complexity.members_probabilities(scores)
        department_members = self.department.members_probabilities(scores)
        complexity = self.complexity.vote(complexity_members)
        department = self.department.vote(department_members)
        evidence = confidence_features(
            (complexity, complexity_members), (department, department_members)
        )
        return (
            complexity,
            department,
            self.decision_confidence(evidence),
            {name: head.probabilities(scores)[:, 1] for name, head in self.rule_inputs.items()},
        )

    def decision_confidence(self, features: np.ndarray) -> np.ndarray:
        """P(right) from `features.confidence_features`: LogisticRegression's `predict_proba`."""
        decision = features @ self._confidence_coef + self._confidence_intercept
        return np.asarray(expit(decision.reshape(-1)))


def _head(vote: Any, weights: list[np.ndarray]) -> _Head:
    if not isinstance(vote, VotingClassifier) or vote.voting != "soft":
        raise ValueError(f"no numpy path for a head of {type(vote).__name__}")
    members = tuple(
        tuple(_calibrated(fitted, weights) for fitted in calibrated.calibrated_classifiers_)
        for calibrated in vote.estimators_
    )
    if vote.weights is None:
        return _Head(members, None)
    kept = [w for (_, e), w in zip(vote.estimators, vote.weights, strict=True) if e != "drop"]
    return _Head(members, kept)


def _calibrated(fitted: Any, weights: list[np.ndarray]) -> _Calibrated:
    """One of `CalibratedClassifierCV.calibrated_classifiers_`; its weights are appended to
    the shared matrix's rows."""
    if fitted.method != "sigmoid":
        raise ValueError(f"no numpy path for {fitted.method} calibration")
    estimator = fitted.estimator
    start = sum(len(w) for w in weights)
    if isinstance(estimator, LinearSVC):
        weights.append(np.asarray(estimator.coef_))
        intercept, naive_bayes = np.asarray(estimator.intercept_), False
    elif isinstance(estimator, ComplementNB) and len(estimator.classes_) > 1:
        weights.append(np.asarray(estimator.feature_log_prob_))
        intercept, naive_bayes = None, True
    else:
        raise ValueError(f"no numpy path for {type(estimator).__name__}")
    targets = LabelEncoder().fit(fitted.classes).transform(estimator.classes_)
    if len(fitted.classes) == 2:
        # Binary: one score and one calibrator, for the second class.
        targets = targets[:1] + 1
    return _Calibrated(
        columns=slice(start, start + len(weights[-1])),
        intercept=intercept,
        naive_bayes=naive_bayes,
        n_classes=len(fitted.classes),
        targets=targets,
        slopes=np.array([c.a_ for c in fitted.calibrators]),
        offsets=np.array([c.b_ for c in fitted.calibrators]),
    )
