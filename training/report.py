"""The evaluation report of `make train`: report.json (every figure), report.md (for people) and
reliability.png (calibration), all byte-identical for the same model."""

from __future__ import annotations

import json
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
    lines = [f"## {name} in detail", "", "Complexity (decided inquiries):", ""]
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
        "",
        "## Summary",
        "",
    ]
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
