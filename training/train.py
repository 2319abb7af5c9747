"""`make train`: rebuild the shipped triage model and its evaluation report, deterministically.

    python -m training.train                     # corpus + stored corrections -> model + report
    python -m training.train --corrections none  # the corpus alone

Fits on the corpus's train split (and caseworkers' corrections), chooses the abstain threshold on
the validation split only, and reports on the test split, which is never used for fitting or
choosing, on the demo feed, labelled independently of the corpus, and on the two hand-written
sets: the evaluation set, never looked at while the model changes, and the development set. The
same inputs give the same artifact bytes and the same report.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import VotingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from services.triage.artifact import TriageModel, catalogue_sha
from services.triage.catalogue import Catalogue
from services.triage.citizen_words import citizen_words
from services.triage.classifier import ModelClassifier
from services.triage.features import confidence_features, fitted_features
from services.triage.labelled import LabelledInquiry
from services.triage.settings import TriageSettings
from training.evaluation import (
    CORPUS,
    DEMO_FEED,
    DEVELOPMENT_SET,
    EVALUATION_SET,
    REPO,
    corpus_rows,
    demo_feed,
    evaluate,
    hand_written_set,
    labelled,
)
from training.report import headline, write_report

REPORT_DIR = REPO / "training" / "report"
# The code that turns words into features and probabilities: part of the version too.
CODE = [
    REPO / "training" / "train.py",
    REPO / "services" / "triage" / "artifact.py",
    REPO / "services" / "triage" / "classifier.py",
    REPO / "services" / "triage" / "reasons.py",
    REPO / "services" / "triage" / "features.py",
    REPO / "services" / "triage" / "heads.py",
    REPO / "services" / "triage" / "citizen_words.py",
    REPO / "services" / "triage" / "catalogue.py",
]
# What turns probabilities into the report's reply channels: part of what the report states.
DECISION_CODE = [
    REPO / "services" / "triage" / "decide.py",
    REPO / "services" / "triage" / "readiness.py",
    REPO / "services" / "triage" / "reply_channel.py",
]
# Every choice that shapes the model; part of its version.
PARAMETERS: dict[str, Any] = {
    "words": {"ngram_range": [1, 2], "min_df": 1, "sublinear_tf": True},
    "chars": {"ngram_range": [2, 5], "min_df": 2, "sublinear_tf": True, "max_features": 60000},
    "catalogue_weight": 0.5,
    # Each head: a linear SVM and a complement naive Bayes, each calibrated, averaged with the
    # bayes model's weight; naive Bayes learns well from few examples of a word, the SVM from many.
    "complexity": {
        "svm": {"C": 0.5, "class_weight": "balanced"},
        "nb_alpha": 0.1,
        "nb_weight": 0.3,
    },
    "department": {"svm": {"C": 0.5}, "nb_alpha": 0.3, "nb_weight": 0.5},
    "calibration": {"complexity": "sigmoid", "department": "sigmoid", "folds": 5},
    # The threshold is the lowest confidence at which the decided inquiries of the validation
    # split are at least this often right (complexity and department), within the abstain budget.
    "target_decision_accuracy": 0.9,
    "service_centroid_terms": 300,
    # The reply-channel rule's inputs the words tell: each a vote like the heads', on the same
    # features (naive Bayes' share chosen on the validation split's judgements). A judgement is
    # acted on when its probability either way reaches the input's level, else the decision
    # falls to the safe side (written; no self-service); the level is the lowest whose acted-on
    # validation judgements are right this often, leaving at most the budget of them unsure.
    "rule_inputs": {
        "heads": ["written_decision", "self_service"],
        "svm": {"C": 0.5},
        "nb_alpha": 0.3,
        "nb_weight": 0.3,
        "target_accuracy": 0.95,
        "unsure_budget": 0.05,
    },
    "abstain_budget": 0.09,
}
TARGETS = {
    "complexity_macro_f1": 0.90,
    "department_accuracy": 0.90,
    "abstain_rate": 0.10,
    "ece": 0.05,
}
# Issue 17's bar, on the hand-written evaluation set the model never learns from.
EVALUATION_SET_TARGETS = {
    "complexity_macro_f1": 0.95,
    "department_accuracy": 0.95,
    "reply_channel_accuracy": 0.95,
    "abstain_rate": 0.05,
    "ece": 0.03,
}


def model_version(corpus: bytes, corrections: Sequence[LabelledInquiry], catalogue: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(corpus)
    digest.update(json.dumps([c.__dict__ for c in corrections], sort_keys=True).encode())
    digest.update(catalogue)
    digest.update(json.dumps(PARAMETERS, sort_keys=True).encode())
    for source in CODE + DECISION_CODE:
        digest.update(source.read_bytes())
    digest.update(sklearn.__version__.encode())
    return "tm-" + digest.hexdigest()[:10]


def _calibrated(p: dict[str, Any], method: str, folds: list[tuple[np.ndarray, np.ndarray]]) -> Any:
    """A linear SVM and a complement naive Bayes, each calibrated on `folds`, soft vote."""
    svm = CalibratedClassifierCV(
        LinearSVC(random_state=0, **p["svm"]), method=method, cv=folds, ensemble=False
    )
    bayes = CalibratedClassifierCV(
        ComplementNB(alpha=p["nb_alpha"]), method=method, cv=folds, ensemble=False
    )
    return VotingClassifier(
        [("svm", svm), ("bayes", bayes)],
        voting="soft",
        weights=[1 - p["nb_weight"], p["nb_weight"]],
    )


def fit(
    train: Sequence[LabelledInquiry],
    groups: Sequence[str],
    catalogue: Catalogue,
    *,
    version: str,
    catalogue_digest: str,
) -> TriageModel:
    prepared = [citizen_words(t.subject, t.text) for t in train]
    w, c = PARAMETERS["words"], PARAMETERS["chars"]
    words = TfidfVectorizer(
        analyzer="word",
        ngram_range=tuple(w["ngram_range"]),
        min_df=w["min_df"],
        sublinear_tf=w["sublinear_tf"],
        token_pattern=r"(?u)\b\w\w+\b",
    ).fit(prepared)
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=tuple(c["ngram_range"]),
        min_df=c["min_df"],
        sublinear_tf=c["sublinear_tf"],
        max_features=c["max_features"],
    ).fit(prepared)
    for vectoriser in (words, chars):
        # Only for introspection, a set whose pickled order varies from run to run.
        if hasattr(vectoriser, "stop_words_"):
            del vectoriser.stop_words_
    model = TriageModel(
        version=version,
        words=words,
        chars=chars,
        catalogue_weight=PARAMETERS["catalogue_weight"],
        complexity=None,
        department=None,
        confidence=None,
        abstain_below=0.0,
        catalogue_sha=catalogue_digest,
    )
    x = fitted_features(model, catalogue, prepared)
    model.service_ids, model.service_centroids = _service_centroids(
        x, train, n_text=words_and_chars(model)
    )
    # Folds by base text: variants of one text on both sides would flatter the calibration.
    y_complexity = np.array([t.complexity for t in train])
    y_department = np.array([t.department for t in train])
    model.complexity, model.department = _heads(x, y_complexity, y_department, np.array(groups))
    # The decision confidence learns from predictions on base texts the heads did not see, each
    # vote member's apart: where the SVM and naive Bayes agree, a decision is right more often.
    right = np.zeros(len(train), dtype=bool)
    members = len(model.complexity.estimators_) + len(model.department.estimators_)
    features = np.zeros((len(train), members))
    for fitted, held in _folds(x, np.array(groups)):
        complexity, department = _heads(
            x[fitted], y_complexity[fitted], y_department[fitted], np.array(groups)[fitted]
        )
        voted_complexity, voted_department = (
            _voted(complexity, x[held]),
            _voted(department, x[held]),
        )
        features[held] = confidence_features(voted_complexity, voted_department)
        p_complexity, p_department = voted_complexity[0], voted_department[0]
        right[held] = (complexity.classes_[p_complexity.argmax(axis=1)] == y_complexity[held]) & (
            department.classes_[p_department.argmax(axis=1)] == y_department[held]
        )
    model.confidence = LogisticRegression(C=100.0, max_iter=1000).fit(features, right)
    for head in (model.complexity, model.department):
        _slim(head)
    model.rule_inputs = _rule_input_heads(x, train, np.array(groups))
    return model


def _voted(head: Any, x: Any) -> tuple[np.ndarray, list[np.ndarray]]:
    """A vote's probabilities and each of its members'."""
    return head.predict_proba(x), [member.predict_proba(x) for member in head.estimators_]


def _rule_input_heads(
    x: Any, train: Sequence[LabelledInquiry], groups: np.ndarray
) -> dict[str, Any]:
    """Per rule input, a calibrated classifier of "holds", fitted on the lines that label it
    (caseworkers' corrections do not)."""
    p = PARAMETERS["rule_inputs"]
    heads = {}
    for name in p["heads"]:
        known = np.array([getattr(t, name) is not None for t in train])
        y = np.array([bool(getattr(t, name)) for t in train])[known]
        rows = x[np.flatnonzero(known)]
        head = _calibrated(p, "sigmoid", _folds(rows, groups[known])).fit(rows, y)
        _slim(head)
        heads[name] = head
    return heads


def _slim(head: Any) -> None:
    """Keep what prediction uses, in single precision: the artifact stays a few MB. Done before
    any evaluation, so the report is what the shipped artifact does."""
    for estimator in [e for _, e in head.estimators] + list(head.estimators_):
        # The fold indices were for fitting only.
        estimator.cv = PARAMETERS["calibration"]["folds"]
    for calibrated in head.estimators_:
        _slim_calibrated(calibrated)


def _slim_calibrated(calibrated: Any) -> None:
    calibrated.cv = PARAMETERS["calibration"]["folds"]
    for fitted in calibrated.calibrated_classifiers_:
        model = fitted.estimator
        for counts in ("feature_count_", "feature_all_"):  # naive Bayes: for refitting only
            if hasattr(model, counts):
                delattr(model, counts)
        for weights in ("coef_", "feature_log_prob_"):
            if hasattr(model, weights):
                setattr(model, weights, getattr(model, weights).astype(np.float32))


def words_and_chars(model: TriageModel) -> int:
    return len(model.words.vocabulary_) + len(model.chars.vocabulary_)


def _service_centroids(
    x: Any, train: Sequence[LabelledInquiry], *, n_text: int
) -> tuple[tuple[str, ...], Any]:
    """Per service, the mean n-gram weights of its training texts, its strongest few hundred
    kept (single precision): enough to tell a department's services apart, a few hundred kB."""
    keep = PARAMETERS["service_centroid_terms"]
    services = tuple(sorted({t.service for t in train if t.service}))
    text = x[:, :n_text].tocsr()
    rows, columns, values = [], [], []
    for row, service in enumerate(services):
        members = [i for i, t in enumerate(train) if t.service == service]
        mean = np.asarray(text[members].mean(axis=0)).ravel()
        strongest = np.argsort(-mean, kind="stable")[:keep]
        strongest = strongest[mean[strongest] > 0]
        rows += [row] * len(strongest)
        columns += strongest.tolist()
        values += mean[strongest].tolist()
    centroids = sp.csr_matrix(
        (np.array(values, dtype=np.float32), (rows, columns)), shape=(len(services), n_text)
    )
    return services, centroids


def _folds(x: Any, groups: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    # Folds by base text: variants of one text on both sides would flatter the calibration.
    splitter = GroupKFold(n_splits=PARAMETERS["calibration"]["folds"])
    return list(splitter.split(x, groups=groups))


def _heads(
    x: Any, y_complexity: np.ndarray, y_department: np.ndarray, groups: np.ndarray
) -> tuple[Any, Any]:
    folds = _folds(x, groups)
    method = PARAMETERS["calibration"]
    complexity = _calibrated(PARAMETERS["complexity"], method["complexity"], folds)
    department = _calibrated(PARAMETERS["department"], method["department"], folds)
    return complexity.fit(x, y_complexity), department.fit(x, y_department)


def choose_threshold(
    classifier: ModelClassifier, validation: Sequence[LabelledInquiry]
) -> tuple[float, list[dict[str, float]]]:
    """The lowest confidence whose decided validation inquiries reach the target accuracy,
    abstaining on at most the budget; the coverage curve for the report."""
    found, _, _ = classifier.probabilities([v.inquiry() for v in validation])
    confidence = found.decision_confidence
    complexity = [found.complexity_classes[k].value for k in found.complexity.argmax(axis=1)]
    department = [found.department_classes[k].value for k in found.department.argmax(axis=1)]
    right = np.array(
        [
            cx == v.complexity and dep == v.department
            for v, cx, dep in zip(validation, complexity, department, strict=True)
        ]
    )
    order = np.argsort(confidence, kind="stable")
    n = len(validation)
    budget = int(np.floor(PARAMETERS["abstain_budget"] * n))
    curve, chosen = [], None
    for abstained in range(budget + 1):
        kept = order[abstained:]
        accuracy = float(right[kept].mean())
        threshold = float(confidence[order[abstained]])
        if abstained % max(1, budget // 10) == 0 or abstained == budget:
            curve.append(
                {
                    "abstain_rate": round(abstained / n, 4),
                    "threshold": round(threshold, 4),
                    "decision_accuracy": round(accuracy, 4),
                }
            )
        if chosen is None and accuracy >= PARAMETERS["target_decision_accuracy"]:
            chosen = threshold
    if chosen is None:
        chosen = float(confidence[order[budget]])
    return chosen, curve


def choose_rule_input_levels(
    classifier: ModelClassifier, validation: Sequence[LabelledInquiry]
) -> dict[str, float]:
    """Per rule input, the probability either way from which its judgement is acted on: the
    lowest at which the acted-on validation judgements reach the target accuracy, within the
    unsure budget (then the budget's level)."""
    found, _, _ = classifier.probabilities([v.inquiry() for v in validation])
    p = PARAMETERS["rule_inputs"]
    levels = {}
    for name, probability in found.rule_inputs.items():
        truth = np.array([bool(getattr(v, name)) for v in validation])
        sureness = np.maximum(probability, 1 - probability)
        right = (probability >= 0.5) == truth
        order = np.argsort(sureness, kind="stable")
        budget = int(np.floor(p["unsure_budget"] * len(validation)))
        chosen = float(sureness[order[budget]])
        for unsure in range(budget + 1):
            if right[order[unsure:]].mean() >= p["target_accuracy"]:
                chosen = float(sureness[order[unsure]])
                break
        levels[name] = round(chosen, 4)
    return levels


def _step(what: str) -> None:
    print(f"train: {what}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.train",
        description="Fit the triage model on the corpus and corrections; write it and its report.",
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--model", type=Path, default=TriageSettings().model_path)
    parser.add_argument("--report", type=Path, default=REPORT_DIR)
    parser.add_argument("--demo-feed", default=str(DEMO_FEED), help="a folder, or 'none'")
    parser.add_argument("--evaluation-set", type=Path, default=EVALUATION_SET)
    parser.add_argument("--development-set", type=Path, default=DEVELOPMENT_SET)
    parser.add_argument(
        "--corrections",
        default="store",
        help="'store' (triage's database, as the service is configured), a database URL, or 'none'",
    )
    args = parser.parse_args(argv)

    from training.corrections import load_corrections

    settings = TriageSettings()
    _step(f"reading {args.corpus.name} and the corrections ({args.corrections})")
    catalogue = Catalogue.from_file(settings.catalogue_path)
    rows = corpus_rows(args.corpus)
    corrections = load_corrections(args.corrections, settings)
    train = labelled(rows, "train", catalogue)
    groups = [r["base_id"] for r in rows if r["split"] == "train"]
    train += corrections
    groups += [f"correction:{c.key}" for c in corrections]
    validation, test = labelled(rows, "validation", catalogue), labelled(rows, "test", catalogue)

    version = model_version(
        args.corpus.read_bytes(), corrections, settings.catalogue_path.read_bytes()
    )
    _step(f"fitting {version} on {len(train)} inquiries ({len(corrections)} corrections)")
    model = fit(
        train,
        groups,
        catalogue,
        version=version,
        catalogue_digest=catalogue_sha(settings.catalogue_path),
    )
    _step(f"choosing the abstain threshold and rule-input levels on {len(validation)} inquiries")
    classifier = ModelClassifier(model, catalogue)
    threshold, curve = choose_threshold(classifier, validation)
    model.abstain_below = threshold
    model.rule_input_sure = choose_rule_input_levels(classifier, validation)
    classifier = ModelClassifier(model, catalogue)
    _step(
        "evaluating on the evaluation and development sets, the validation and test splits and "
        "the demo feed"
    )
    demo, skipped = demo_feed(Path(args.demo_feed)) if args.demo_feed != "none" else ([], [])
    model.facts = {
        "train_lines": len(train) - len(corrections),
        "corrections": len(corrections),
        "features": int(len(model.words.vocabulary_) + len(model.chars.vocabulary_)),
        "sklearn": sklearn.__version__,
    }
    report: dict[str, Any] = {
        "model_version": version,
        "parameters": PARAMETERS,
        "targets": TARGETS,
        "trained_on": model.facts,
        "abstain_threshold": threshold,
        "rule_input_levels": model.rule_input_sure,
        "threshold_curve_validation": curve,
        "evaluation_set_targets": EVALUATION_SET_TARGETS,
        "evaluation_set": evaluate(classifier, hand_written_set(args.evaluation_set), settings),
        "development_set": evaluate(classifier, hand_written_set(args.development_set), settings),
        "validation": evaluate(classifier, validation, settings),
        "test": evaluate(classifier, test, settings),
        "demo_feed": {**evaluate(classifier, demo, settings), "skipped": skipped},
    }
    _step(f"writing {args.model} and {args.report}")
    args.model.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.model)
    report["artifact"] = {
        "path": str(args.model.relative_to(REPO)) if args.model.is_relative_to(REPO) else "",
        "sha256": hashlib.sha256(args.model.read_bytes()).hexdigest(),
        "bytes": args.model.stat().st_size,
    }
    write_report(report, args.report)
    print(headline(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
