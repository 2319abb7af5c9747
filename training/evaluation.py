"""Figures of a triage classifier on labelled inquiries: the same code for `make train`'s report,
for the test that the shipped model reproduces it, and for the independent demo-feed set."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from services.triage.catalogue import Catalogue
from services.triage.classifier import Classification, Classifier, Judgement
from services.triage.decide import decide, rule_inputs
from services.triage.labelled import LabelledInquiry
from services.triage.settings import TriageSettings
from shared.events import Decision, Inquiry
from shared.vocabulary import Channel, Complexity, Department, Language, ReplyChannel

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "training" / "corpus" / "inquiries.jsonl"
DEMO_FEED = REPO / "demo" / "feed"
EVALUATION_SET = REPO / "training" / "evaluation_set" / "inquiries.jsonl"
DEVELOPMENT_SET = REPO / "training" / "development_set" / "inquiries.jsonl"
COMPLEXITIES = [Complexity.SIMPLE.value, Complexity.SPECIALIST.value]
DEPARTMENTS = [d.value for d in Department]
ECE_BINS = 10
DECISION_FIELDS = ("complexity", "department", "queue", "confidence", "reply_channel")
# Base texts b0001-b1274 are the corpus as first written (one author, before any model); later
# ones were added while the model was built (base/more_*.txt). The report shows both apart.
FIRST_CORPUS_BASES = 1274


def corpus_rows(path: Path = CORPUS) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _labelled(row: dict[str, Any], **labels: Any) -> LabelledInquiry:
    return LabelledInquiry(
        key=row["id"],
        channel=row["channel"],
        language=row["language"],
        subject=row.get("subject"),
        text=row["text"],
        complexity=row["complexity"],
        department=row["department"],
        **labels,
    )


def labelled(
    rows: Sequence[dict[str, Any]], split: str, catalogue: Catalogue | None = None
) -> list[LabelledInquiry]:
    """The corpus lines of one split; with the catalogue, also whether each line's service has a
    self-service answer."""
    links = {s.id: s.self_service is not None for s in catalogue.services} if catalogue else {}
    return [
        _labelled(
            r,
            service=r["service_id"],
            written_decision=r.get("written_decision"),
            self_service=links.get(r["service_id"]),
            origin=(
                "first corpus"
                if int(r["base_id"].removeprefix("b")) <= FIRST_CORPUS_BASES
                else "extension"
            ),
        )
        for r in rows
        if r["split"] == split
    ]


def hand_written_set(path: Path) -> list[LabelledInquiry]:
    """A hand-written set the model never learns from, every label and the citizen's profile:
    the evaluation set or the development set (their READMEs say how they were made)."""
    keys = ("written_decision", "self_service", "digitally_ready", "reply_channel", "citizen")
    return [_labelled(r, **{key: r[key] for key in keys}) for r in corpus_rows(path)]


def evaluation_set() -> list[LabelledInquiry]:
    return hand_written_set(EVALUATION_SET)


def demo_feed(feed: Path = DEMO_FEED) -> tuple[list[LabelledInquiry], list[str]]:
    """The demo feed's raw files through intake's own normalisation, with the expert labels.

    Only this evaluation script imports intake; the triage service never does.
    """
    from services.intake.channels.draft import ID_HEADERS
    from services.intake.normalise import Failed, Ignored, Refused, read_messages

    items, skipped = [], []
    labels = feed / "labels.jsonl"
    if not labels.exists():
        return [], ["no labels.jsonl in the demo feed"]
    for line in labels.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        label = json.loads(line)
        path = feed / label["file"]
        try:
            raw = path.read_bytes()
        except OSError as error:
            skipped.append(f"{label['file']}: {error}")
            continue
        [result] = read_messages(
            [(Channel(label["channel"]), raw, dict.fromkeys(ID_HEADERS.values(), path.name))],
            salt="evaluation",
            now=datetime(2026, 1, 1, tzinfo=UTC),
        )
        if isinstance(result, Failed):
            raise RuntimeError(
                f"intake failed on {label['file']} ({result.error}):\n{result.stack}"
            )
        if isinstance(result, Refused):
            skipped.append(f"{label['file']}: {result.reason}")
            continue
        if isinstance(result, Ignored):
            skipped.append(f"{label['file']}: not an inquiry ({result.why})")
            continue
        inquiry = result.inquiry
        items.append(
            LabelledInquiry(
                key=label["file"],
                channel=label["channel"],
                language=label.get("language", inquiry.language.value),
                subject=inquiry.subject,
                text=inquiry.text,
                complexity=label["complexity"],
                department=label["department"],
            )
        )
    return items, skipped


def expected_calibration_error(
    confidence: np.ndarray, correct: np.ndarray, bins: int = ECE_BINS
) -> tuple[float, list[dict[str, float]]]:
    """Top-label ECE over equal-width bins, and the bins for a reliability plot."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    table, ece = [], 0.0
    for k in range(bins):
        upper = confidence <= edges[k + 1] if k == bins - 1 else confidence < edges[k + 1]
        inside = (confidence >= edges[k]) & upper
        n = int(inside.sum())
        if n == 0:
            continue
        mean_confidence = float(confidence[inside].mean())
        accuracy = float(correct[inside].mean())
        ece += n / len(confidence) * abs(mean_confidence - accuracy)
        table.append(
            {
                "from": round(float(edges[k]), 2),
                "to": round(float(edges[k + 1]), 2),
                "n": n,
                "confidence": round(mean_confidence, 4),
                "accuracy": round(accuracy, 4),
            }
        )
    return round(ece, 4), table


def per_class(truth: Sequence[str], predicted: Sequence[str], classes: Sequence[str]) -> dict:
    figures = {}
    for c in classes:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == c and p == c)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if t != c and p == c)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == c and p != c)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        figures[c] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
        }
    return figures


def confusion(
    truth: Sequence[str], predicted: Sequence[str], rows: Sequence[str], columns: Sequence[str]
) -> dict[str, dict[str, int]]:
    table = {r: dict.fromkeys(columns, 0) for r in rows}
    for t, p in zip(truth, predicted, strict=True):
        table[t][p] += 1
    return table


def figures(items: Sequence[LabelledInquiry], found: Sequence[Classification]) -> dict[str, Any]:
    """Every figure of the report for one set of inquiries and the classifier's answers."""
    n = len(items)
    if n == 0:
        return {"n": 0}
    decided = [i for i, f in enumerate(found) if f.complexity is not Complexity.UNDETERMINED]
    truth_cx = [items[i].complexity for i in decided]
    pred_cx = [found[i].complexity.value for i in decided]
    truth_dep = [items[i].department for i in decided]
    pred_dep = [found[i].department.value for i in decided]
    cx_classes = per_class(truth_cx, pred_cx, COMPLEXITIES)
    dep_classes = per_class(truth_dep, pred_dep, DEPARTMENTS)
    present = [d for d in DEPARTMENTS if dep_classes[d]["support"]]

    confidence = np.array([f.confidence for f in found])
    both = np.array(
        [
            f.complexity.value == it.complexity and f.department.value == it.department
            for it, f in zip(items, found, strict=True)
        ]
    )
    # The model's leaning, also where it abstained: how good the guess would have been.
    leaning = [_leaning(f) for f in found]
    both_leaning = np.array(
        [
            cx == it.complexity and f.department.value == it.department
            for it, f, cx in zip(items, found, leaning, strict=True)
        ]
    )
    ece, bins = expected_calibration_error(confidence, both_leaning)
    head_confidence = {
        "complexity": np.array([f.extra.get("p_complexity", f.confidence) for f in found]),
        "department": np.array([f.extra.get("p_department", f.confidence) for f in found]),
    }
    ece_complexity, _ = expected_calibration_error(
        head_confidence["complexity"],
        np.array([cx == it.complexity for it, cx in zip(items, leaning, strict=True)]),
    )
    ece_department, _ = expected_calibration_error(
        head_confidence["department"],
        np.array([f.department.value == it.department for it, f in zip(items, found, strict=True)]),
    )
    return {
        "n": n,
        "decided": len(decided),
        "abstain_rate": round(1 - len(decided) / n, 4),
        "complexity": {
            "macro_f1": _macro(cx_classes, COMPLEXITIES),
            "accuracy": _accuracy(truth_cx, pred_cx),
            "per_class": cx_classes,
            "confusion": confusion(
                [it.complexity for it in items],
                [f.complexity.value for f in found],
                COMPLEXITIES,
                [*COMPLEXITIES, Complexity.UNDETERMINED.value],
            ),
        },
        "department": {
            "accuracy": _accuracy(truth_dep, pred_dep),
            "macro_f1": _macro(dep_classes, present),
            "per_class": dep_classes,
            "confusion": confusion(truth_dep, pred_dep, DEPARTMENTS, DEPARTMENTS),
        },
        "decision_accuracy": round(float(both[decided].mean()), 4) if decided else 0.0,
        "service": _service_figures([items[i] for i in decided], [found[i] for i in decided]),
        "without_abstaining": {
            "complexity_macro_f1": _macro(
                per_class([it.complexity for it in items], leaning, COMPLEXITIES), COMPLEXITIES
            ),
            "department_accuracy": _accuracy(
                [it.department for it in items], [f.department.value for f in found]
            ),
        },
        "calibration": {
            "ece": ece,
            "ece_complexity": ece_complexity,
            "ece_department": ece_department,
            "bins": bins,
        },
    }


def breakdown(
    items: Sequence[LabelledInquiry], found: Sequence[Classification], attribute: str
) -> dict[str, Any]:
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        groups.setdefault(getattr(item, attribute), []).append(i)
    result = {}
    for value in sorted(groups):
        members = groups[value]
        full = figures([items[i] for i in members], [found[i] for i in members])
        result[value] = {
            "n": full["n"],
            "abstain_rate": full["abstain_rate"],
            "complexity_macro_f1": full["complexity"]["macro_f1"],
            "department_accuracy": full["department"]["accuracy"],
            "decision_accuracy": full["decision_accuracy"],
            "ece": full["calibration"]["ece"],
        }
    return result


def reply_figures(
    items: Sequence[LabelledInquiry],
    inquiries: Sequence[Inquiry],
    found: Sequence[Classification],
    settings: TriageSettings,
) -> dict[str, Any]:
    """The reply-channel rule's inputs as triage used them, against the labels where there
    are labels, and the reply channel the decision recommends."""
    used = [rule_inputs(i, f, Language.EN) for i, f in zip(inquiries, found, strict=True)]
    result: dict[str, Any] = {}
    judged: dict[str, list[Judgement | None]] = {
        "written_decision": [f.written_decision for f in found],
        "self_service": [f.self_service for f in found],
    }
    values = {
        "written_decision": [u.written_decision for u in used],
        "self_service": [u.self_service_url is not None for u in used],
        "digitally_ready": [u.readiness.ready for u in used],
    }
    for name, value in values.items():
        labelled_ = [k for k, it in enumerate(items) if getattr(it, name) is not None]
        if not labelled_:
            continue
        truth = np.array([getattr(items[k], name) for k in labelled_])
        entry: dict[str, Any] = {
            "n": len(labelled_),
            "accuracy": round(float((np.array(value)[labelled_] == truth).mean()), 4),
            "confusion": confusion(
                [str(t).lower() for t in truth],
                [str(value[k]).lower() for k in labelled_],
                ["true", "false"],
                ["true", "false"],
            ),
        }
        heads = judged.get(name)
        if heads is not None and all(heads[k] is not None for k in labelled_):
            p = np.array([heads[k].probability for k in labelled_])  # type: ignore[union-attr]
            sure = np.array([heads[k].sure for k in labelled_])  # type: ignore[union-attr]
            leaning = p >= 0.5
            entry["head_accuracy"] = round(float((leaning == truth).mean()), 4)
            entry["unsure_rate"] = round(float(1 - sure.mean()), 4)
            entry["accuracy_when_sure"] = (
                round(float((leaning[sure] == truth[sure]).mean()), 4) if sure.any() else 0.0
            )
            entry["ece"], entry["bins"] = expected_calibration_error(
                np.maximum(p, 1 - p), leaning == truth
            )
        result[name] = entry
    expected = [k for k, it in enumerate(items) if it.reply_channel is not None]
    if expected:
        decided = [
            decide(inquiries[k], found[k], settings, "evaluation", Language.EN) for k in expected
        ]
        truth_channels = [str(items[k].reply_channel) for k in expected]
        predicted = [d.reply_channel.value for d in decided]
        channels = [c.value for c in ReplyChannel]
        result["reply_channel"] = {
            "n": len(expected),
            "accuracy": _accuracy(truth_channels, predicted),
            "confusion": confusion(truth_channels, predicted, channels, channels),
        }
        # Each decision, for the test that the CLI and the service decide as the report says.
        result["decisions"] = {
            items[k].key: decision_summary(d) for k, d in zip(expected, decided, strict=True)
        }
    return result


def decision_summary(decision: Decision | dict[str, Any]) -> dict[str, Any]:
    """What a decision decided, without its reasons and model version: comparable across the
    report, the CLI's output and the service's events."""
    data = decision if isinstance(decision, dict) else decision.model_dump(mode="json")
    return {key: data[key] for key in DECISION_FIELDS}


def evaluate(
    classifier: Classifier, items: Sequence[LabelledInquiry], settings: TriageSettings | None = None
) -> dict[str, Any]:
    inquiries = [it.inquiry() for it in items]
    found = classifier.classify(inquiries)
    result = figures(items, found)
    if items:
        result["rule_inputs"] = reply_figures(items, inquiries, found, settings or TriageSettings())
    if items:
        result["per_channel"] = breakdown(items, found, "channel")
        result["per_language"] = breakdown(items, found, "language")
        if any(it.origin for it in items):
            result["per_origin"] = breakdown(items, found, "origin")
    return result


def _service_figures(
    items: Sequence[LabelledInquiry], found: Sequence[Classification]
) -> dict[str, float]:
    """How often a decision names a catalogue service, and how often that is the labelled one."""
    labelled_ = [(it, f) for it, f in zip(items, found, strict=True) if it.service]
    named = [(it, f) for it, f in labelled_ if f.service is not None]
    right = sum(1 for it, f in named if f.service is not None and f.service.id == it.service)
    return {
        "named": round(len(named) / len(labelled_), 4) if labelled_ else 0.0,
        "right_when_named": round(right / len(named), 4) if named else 0.0,
    }


def _leaning(found: Classification) -> str:
    if found.complexity is not Complexity.UNDETERMINED:
        return found.complexity.value
    return (found.leaning or Complexity.SIMPLE).value


def _macro(classes: dict[str, dict[str, float]], names: Sequence[str]) -> float:
    return round(sum(classes[c]["f1"] for c in names) / len(names), 4) if names else 0.0


def _accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    if not truth:
        return 0.0
    return round(sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth), 4)
