"""The evaluation report of `make train`: report.json (every figure), report.md (for people) and
reliability.png (calibration), all byte-identical for the same model.

    python -m training.report [DIR]   # the headline figures of DIR/report.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

TARGET_ROWS = (
    ("complexity macro-F1", ("complexity", "macro_f1"), "complexity_macro_f1", ">="),
    ("department accuracy", ("department", "accuracy"), "department_accuracy", ">="),
    ("abstain rate", ("abstain_rate",), "abstain_rate", "<="),
    ("expected calibration error", ("calibration", "ece"), "ece", "<="),
)


def figure(section: dict[str, Any], path: tuple[str, ...]) -> float:
    value: Any = section
    for key in path:
        value = value[key]
    return float(value)


def meets(value: float, target: float, sense: str) -> bool:
    return value >= target if sense == ">=" else value <= target


def write_report(report: dict[str, Any], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.json").write_text(
        json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (directory / "report.md").write_text(markdown(report), encoding="utf-8")
    reliability_plot(report, directory / "reliability.png")


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def _set_summary(name: str, s: dict[str, Any], targets: dict[str, float]) -> list[str]:
    lines = [f"### {name}: {s['n']} inquiries, {s['decided']} decided", ""]
    lines += ["| figure | value | target | met |", "| --- | ---: | ---: | --- |"]
    for label, path, key, sense in TARGET_ROWS:
        value = figure(s, path)
        shown = _pct(value) if key == "abstain_rate" else f"{value:.3f}"
        goal = _pct(targets[key]) if key == "abstain_rate" else f"{targets[key]:.2f}"
        lines.append(
            f"| {label} | {shown} | {sense} {goal} | "
            f"{'yes' if meets(value, targets[key], sense) else '**no**'} |"
        )
    w = s["without_abstaining"]
    lines += [
        f"| decision accuracy (complexity and department right, decided only) | "
        f"{s['decision_accuracy']:.3f} | | |",
        f"| complexity macro-F1 without abstaining | {w['complexity_macro_f1']:.3f} | | |",
        f"| department accuracy without abstaining | {w['department_accuracy']:.3f} | | |",
        *(
            [
                f"| decisions naming a catalogue service / of those the labelled one | "
                f"{_pct(s['service']['named'])} / {_pct(s['service']['right_when_named'])} | | |"
            ]
            if s.get("service", {}).get("named")
            else []
        ),
        f"| ECE of the complexity head / department head | "
        f"{s['calibration']['ece_complexity']:.3f} / {s['calibration']['ece_department']:.3f}"
        " | | |",
        "",
    ]
    return lines


RULE_INPUTS = (
    ("written_decision", "needs a written decision or documentation"),
    ("self_service", "has a self-service answer"),
    ("digitally_ready", "digitally ready"),
)


def _hand_written_summary(title: str, s: dict[str, Any], targets: dict[str, float]) -> list[str]:
    """Issue 17's bar on a hand-written set."""
    values = {
        "complexity_macro_f1": s["complexity"]["macro_f1"],
        "department_accuracy": s["department"]["accuracy"],
        "reply_channel_accuracy": s["rule_inputs"]["reply_channel"]["accuracy"],
        "abstain_rate": s["abstain_rate"],
        "ece": s["calibration"]["ece"],
    }
    names = {
        "complexity_macro_f1": "complexity macro-F1 (decided)",
        "department_accuracy": "department accuracy (decided)",
        "reply_channel_accuracy": "reply-channel accuracy (all inquiries)",
        "abstain_rate": "abstain rate",
        "ece": "expected calibration error (decision confidence)",
    }
    lines = [
        f"### {title}: {s['n']} inquiries, {s['decided']} decided",
        "",
        "| figure | value | bar | met |",
        "| --- | ---: | ---: | --- |",
    ]
    for key, value in values.items():
        sense = "<=" if key in ("abstain_rate", "ece") else ">="
        shown = _pct(value) if key == "abstain_rate" else f"{value:.3f}"
        goal = _pct(targets[key]) if key == "abstain_rate" else f"{targets[key]:.2f}"
        lines.append(
            f"| {names[key]} | {shown} | {sense} {goal} | "
            f"{'yes' if meets(value, targets[key], sense) else '**no**'} |"
        )
    return [*lines, ""]


def _rule_inputs(s: dict[str, Any]) -> list[str]:
    """Each rule input as triage used it (the safe side where unsure) and as its head leaned."""
    found = s.get("rule_inputs", {})
    lines = [
        "| rule input | n | accuracy as used | head's accuracy | unsure (safe side) | "
        "accuracy when sure | head ECE |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, name in RULE_INPUTS:
        if key not in found:
            continue
        e = found[key]
        head = (
            f"{e['head_accuracy']:.3f} | {_pct(e['unsure_rate'])} | "
            f"{e['accuracy_when_sure']:.3f} | {e['ece']:.3f}"
            if "head_accuracy" in e
            else "(no head: screening, channel, the citizen's words) | | |"
        )
        lines.append(f"| {name} | {e['n']} | {e['accuracy']:.3f} | {head} |")
    lines.append("")
    for key, name in RULE_INPUTS:
        if key in found:
            lines += [f"{name.capitalize()} (rows: label, columns: as used):", ""]
            lines += _confusion(found[key]["confusion"], "label \\ used")
    if "reply_channel" in found:
        lines += ["Reply channel (rows: expected by the rule, columns: recommended):", ""]
        lines += _confusion(found["reply_channel"]["confusion"], "expected \\ recommended")
    return lines


def _classes(s: dict[str, Any], head: str) -> list[str]:
    lines = [
        f"| {head} | precision | recall | F1 | support |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, c in s[head]["per_class"].items():
        lines.append(
            f"| {name} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['support']} |"
        )
    return [*lines, ""]


def _confusion(table: dict[str, dict[str, int]], corner: str) -> list[str]:
    columns = list(next(iter(table.values())))
    lines = [
        f"| {corner} | " + " | ".join(columns) + " |",
        "| --- |" + " ---: |" * len(columns),
    ]
    lines += [
        f"| {row} | " + " | ".join(str(v) for v in cells.values()) + " |"
        for row, cells in table.items()
    ]
    return [*lines, ""]


def _breakdown(s: dict[str, Any], key: str, title: str) -> list[str]:
    lines = [
        f"| {title} | n | abstain | complexity macro-F1 | department accuracy | decision accuracy | ECE |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, g in s[key].items():
        lines.append(
            f"| {name} | {g['n']} | {_pct(g['abstain_rate'])} | {g['complexity_macro_f1']:.3f} | "
            f"{g['department_accuracy']:.3f} | {g['decision_accuracy']:.3f} | {g['ece']:.3f} |"
        )
    return [*lines, ""]


def _detail(name: str, s: dict[str, Any]) -> list[str]:
    lines = [f"## {name} in detail", ""]
    if s.get("rule_inputs"):
        lines += ["The reply-channel rule's inputs:", "", *_rule_inputs(s)]
    lines += ["Complexity (decided inquiries):", ""]
    lines += _classes(s, "complexity")
    lines += ["Complexity confusion (rows: label, columns: decision):", ""]
    lines += _confusion(s["complexity"]["confusion"], "label \\ decision")
    lines += ["Department (decided inquiries):", ""]
    lines += _classes(s, "department")
    lines += ["Department confusion (decided inquiries; rows: label, columns: decision):", ""]
    lines += _confusion(s["department"]["confusion"], "label \\ decision")
    lines += ["Per channel:", "", *_breakdown(s, "per_channel", "channel")]
    lines += ["Per language:", "", *_breakdown(s, "per_language", "language")]
    if "per_origin" in s:
        lines += [
            "Per origin of the base text (the first corpus, or the extension written while the",
            "model was built; see training/corpus/README.md):",
            "",
            *_breakdown(s, "per_origin", "origin"),
        ]
    lines += ["Calibration of the decision confidence (reliability bins):", ""]
    lines += ["| confidence bin | n | mean confidence | accuracy |", "| --- | ---: | ---: | ---: |"]
    lines += [
        f"| {b['from']:.1f}–{b['to']:.1f} | {b['n']} | {b['confidence']:.3f} | {b['accuracy']:.3f} |"
        for b in s["calibration"]["bins"]
    ]
    return [*lines, ""]


def markdown(report: dict[str, Any]) -> str:
    t = report["targets"]
    facts = report["trained_on"]
    lines = [
        f"# Triage model {report['model_version']}: evaluation report",
        "",
        "Written by `make train` (training/train.py); do not edit. The figures are for decided",
        "inquiries unless the row says otherwise; an abstained inquiry goes to manual triage.",
        "",
        f"Trained on {facts['train_lines']} corpus lines (train split) and {facts['corrections']} "
        f"caseworker corrections; {facts['features']} features; scikit-learn {facts['sklearn']}. "
        f"Abstain threshold {report['abstain_threshold']:.3f} on the decision confidence "
        "(probability that complexity and department are both right), chosen on the validation split.",
        "The rule inputs' judgements are acted on from these probabilities either way (else the",
        "safe side), chosen on the validation split: "
        + ", ".join(f"{k} {v:.3f}" for k, v in sorted(report["rule_input_levels"].items()))
        + ".",
        "",
        "## Summary",
        "",
    ]
    held_out, development = report["evaluation_set"], report["development_set"]
    lines += _hand_written_summary(
        "Evaluation set (hand-written, never looked at while the model changes)",
        held_out,
        report["evaluation_set_targets"],
    )
    lines += _hand_written_summary(
        "Development set (hand-written; its misses are looked at, so not a held-out figure)",
        development,
        report["evaluation_set_targets"],
    )
    lines += _set_summary("Evaluation set, the earlier targets", held_out, t)
    lines += _set_summary("Test split (never used for fitting or choosing)", report["test"], t)
    lines += _set_summary(
        "Validation split (the threshold was chosen here)", report["validation"], t
    )
    demo = report["demo_feed"]
    if demo.get("n"):
        lines += _set_summary(
            "Demo feed (demo/feed, labelled independently of the corpus, through intake)", demo, t
        )
    if demo.get("skipped"):
        lines += ["Demo feed files not evaluated:", ""] + [f"- {s}" for s in demo["skipped"]] + [""]
    lines += ["## Abstain threshold on the validation split", ""]
    lines += ["| abstain rate | threshold | decision accuracy |", "| ---: | ---: | ---: |"]
    lines += [
        f"| {_pct(c['abstain_rate'])} | {c['threshold']:.3f} | {c['decision_accuracy']:.3f} |"
        for c in report["threshold_curve_validation"]
    ]
    lines.append("")
    lines += _detail("Evaluation set", held_out)
    lines += _detail("Development set", development)
    lines += _detail("Test split", report["test"])
    if demo.get("n"):
        lines += _detail("Demo feed", demo)
    a = report["artifact"]
    lines += [
        "## Artifact",
        "",
        f"`{a['path']}`, {a['bytes']} bytes, sha256 `{a['sha256']}`.",
        "",
        "![reliability](reliability.png)",
        "",
    ]
    return "\n".join(lines)


def reliability_plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure_, axis = plt.subplots(figsize=(5, 5), dpi=100)
    axis.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfect calibration")
    for name, colour in (
        ("evaluation_set", "tab:red"),
        ("development_set", "tab:purple"),
        ("test", "tab:blue"),
        ("validation", "tab:orange"),
        ("demo_feed", "tab:green"),
    ):
        section = report.get(name, {})
        bins = section.get("calibration", {}).get("bins", [])
        if not bins:
            continue
        axis.plot(
            [b["confidence"] for b in bins],
            [b["accuracy"] for b in bins],
            marker="o",
            color=colour,
            label=f"{name.replace('_', ' ')} (ECE {section['calibration']['ece']:.3f})",
        )
    axis.axvline(
        report["abstain_threshold"],
        color="black",
        linewidth=0.8,
        linestyle="--",
        label=f"abstain below {report['abstain_threshold']:.2f}",
    )
    axis.set_xlabel("decision confidence")
    axis.set_ylabel("share right (complexity and department)")
    axis.set_title(f"Reliability, model {report['model_version']}")
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    axis.legend(loc="upper left", fontsize=8)
    figure_.tight_layout()
    figure_.savefig(path, metadata={"Software": None})
    plt.close(figure_)


def headline(report: dict[str, Any]) -> str:
    """The figures `make train` ends with: the evaluation set's, the test split's, the feed's."""
    version, held_out, test = report["model_version"], report["evaluation_set"], report["test"]
    demo = report["demo_feed"]
    return (
        f"{version}: evaluation set complexity macro-F1 {held_out['complexity']['macro_f1']:.3f}, "
        f"department accuracy {held_out['department']['accuracy']:.3f}, reply channel "
        f"{held_out['rule_inputs']['reply_channel']['accuracy']:.3f}, "
        f"abstain {held_out['abstain_rate']:.3f}, ECE {held_out['calibration']['ece']:.3f}\n"
        f"{version}: development set reply channel "
        f"{report['development_set']['rule_inputs']['reply_channel']['accuracy']:.3f}\n"
        f"{version}: test complexity macro-F1 {test['complexity']['macro_f1']:.3f}, "
        f"department accuracy {test['department']['accuracy']:.3f}, "
        f"abstain {test['abstain_rate']:.3f}, ECE {test['calibration']['ece']:.3f}"
        f"; demo feed {demo.get('complexity', {}).get('macro_f1', 0):.3f} / "
        f"{demo.get('department', {}).get('accuracy', 0):.3f} / "
        f"{demo.get('abstain_rate', 0):.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.report",
        description="Print the headline figures of DIR/report.json (make train writes it).",
    )
    parser.add_argument("dir", nargs="?", type=Path, default=Path(__file__).parent / "report")
    directory = parser.parse_args(argv).dir
    print(headline(json.loads((directory / "report.json").read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
