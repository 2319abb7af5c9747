"""The statistics report of a period: a table for the terminal, a CSV of the days for a
spreadsheet, and a chart of the channel mix over time against the target."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from services.metrics.mix import GROUP_TITLES, MixGroup, group_counts, mix_group, shares
from services.metrics.store import DailyCount, Statistics
from shared.events import InquiryReceived, InquiryTriaged
from shared.vocabulary import Channel, Complexity, ContactOutcome, Department

CONTACT_CHANNELS = (Channel.PHONE, Channel.IN_PERSON)


@dataclass
class Day:
    """One day's counts; Counters keyed by the vocabulary's strings."""

    received: Counter[str] = field(default_factory=Counter)
    complexity: Counter[str] = field(default_factory=Counter)
    department: Counter[str] = field(default_factory=Counter)
    # (channel, outcome) of phone calls and visits
    outcome: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, other: Day) -> None:
        self.received.update(other.received)
        self.complexity.update(other.complexity)
        self.department.update(other.department)
        self.outcome.update(other.outcome)

    def groups(self) -> dict[MixGroup, int]:
        return group_counts({Channel(c): n for c, n in self.received.items()})


@dataclass
class Report:
    first: date
    last: date
    days: dict[date, Day]
    target: dict[MixGroup, float]
    year_before: Day | None = None

    @property
    def total(self) -> Day:
        total = Day()
        for day in self.days.values():
            total.add(day)
        return total


def _days(rows: Sequence[DailyCount], first: date, last: date) -> dict[date, Day]:
    days = {first + timedelta(n): Day() for n in range((last - first).days + 1)}
    for row in rows:
        day = days[row.day]
        if row.event_type == InquiryReceived.EVENT_TYPE:
            day.received[row.channel] += row.count
            if row.outcome:
                day.outcome[row.channel, row.outcome] += row.count
        elif row.event_type == InquiryTriaged.EVENT_TYPE:
            day.complexity[row.complexity] += row.count
            day.department[row.department] += row.count
    return days


def _a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def build_report(
    statistics: Statistics, first: date, last: date, target: Mapping[MixGroup, float]
) -> Report:
    days = _days(statistics.daily_counts(first, last), first, last)
    before_first, before_last = _a_year_before(first), _a_year_before(last)
    before = Day()
    for day in _days(
        statistics.daily_counts(before_first, before_last), before_first, before_last
    ).values():
        before.add(day)
    return Report(
        first,
        last,
        days,
        dict(target),
        year_before=before if sum(before.received.values()) else None,
    )


# ---- the table --------------------------------------------------------------------------


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    – "


def print_table(report: Report, out: TextIO) -> None:
    total = report.total
    received = sum(total.received.values())
    span = (report.last - report.first).days + 1
    out.write(
        f"Inquiries {report.first} to {report.last} ({span} days): {received:,} received, "
        f"{sum(total.complexity.values()):,} triaged\n\n"
    )
    groups = total.groups()
    before = report.year_before.groups() if report.year_before else None
    before_total = sum(before.values()) if before else 0
    header = f"{'channel mix':<24}{'inquiries':>10}{'share':>9}{'target':>9}{'vs target':>11}"
    if before:
        header += f"{'a year before':>15}"
    out.write(header + "\n")
    for group in MixGroup:
        share = groups[group] / received if received else 0.0
        line = (
            f"{GROUP_TITLES[group]:<24}{groups[group]:>10,}{_pct(groups[group], received):>9}"
            f"{_pct(report.target[group], 1):>9}"
            f"{(share - report.target[group]) * 100:>+8.1f} pp"
        )
        if before:
            line += f"{_pct(before[group], before_total):>15}"
        out.write(line + "\n")
        for channel in Channel:
            if mix_group(channel) is MixGroup.DIGITAL and group is MixGroup.DIGITAL:
                count = total.received[channel.value]
                out.write(f"  {channel.value:<22}{count:>10,}{_pct(count, received):>9}\n")

    _section(out, "complexity", [c.value for c in Complexity], total.complexity)
    _section(out, "department", [d.value for d in Department], total.department)

    out.write(f"\n{'first contact':<24}{'contacts':>10}{'settled':>9}\n")
    for channel in CONTACT_CHANNELS:
        outcomes = {o: n for (c, o), n in total.outcome.items() if c == channel.value}
        contacts = sum(outcomes.values())
        settled = outcomes.get(ContactOutcome.SETTLED_FIRST_CONTACT.value, 0)
        out.write(f"{channel.value:<24}{contacts:>10,}{_pct(settled, contacts):>9}\n")
        for outcome in ContactOutcome:
            if outcome.value in outcomes:
                n = outcomes[outcome.value]
                out.write(f"  {outcome.value:<22}{n:>10,}{_pct(n, contacts):>9}\n")


def _section(out: TextIO, title: str, keys: Sequence[str], counts: Counter[str]) -> None:
    whole = sum(counts.values())
    out.write(f"\n{title:<24}{'inquiries':>10}{'share':>9}\n")
    for key in keys:
        out.write(f"{key:<24}{counts.get(key, 0):>10,}{_pct(counts.get(key, 0), whole):>9}\n")


# ---- the CSV ----------------------------------------------------------------------------

_OUTCOME_COLUMNS = [(c.value, o.value) for c in CONTACT_CHANNELS for o in ContactOutcome]


def write_csv(report: Report, path: Path) -> None:
    """One row a day, every day of the period, zeros included: a continuous time series."""
    columns = [
        "date",
        *(f"received_{c.value}" for c in Channel),
        "received_total",
        *(f"share_{g.value}" for g in MixGroup),
        *(f"target_{g.value}" for g in MixGroup),
        *(f"triaged_{c.value}" for c in Complexity),
        *(f"department_{d.value}" for d in Department),
        *(f"{c}_{o}" for c, o in _OUTCOME_COLUMNS),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(columns)
        for day, counts in report.days.items():
            mix = shares(counts.groups())
            writer.writerow(
                [
                    day.isoformat(),
                    *(counts.received.get(c.value, 0) for c in Channel),
                    sum(counts.received.values()),
                    *(f"{mix[g]:.4f}" for g in MixGroup),
                    *(f"{report.target[g]:.4f}" for g in MixGroup),
                    *(counts.complexity.get(c.value, 0) for c in Complexity),
                    *(counts.department.get(d.value, 0) for d in Department),
                    *(counts.outcome.get(key, 0) for key in _OUTCOME_COLUMNS),
                ]
            )


# ---- the chart --------------------------------------------------------------------------

GROUP_COLOURS = {
    MixGroup.PHONE: "#1f77b4",
    MixGroup.IN_PERSON: "#ff7f0e",
    MixGroup.LETTER_FAX: "#7f7f7f",
    MixGroup.DIGITAL: "#2ca02c",
    MixGroup.OTHER: "#9467bd",
}


def _bucket_start(day: date, span_days: int) -> date:
    """Days for a quarter of a year or less, weeks up to two years, months beyond."""
    if span_days <= 92:
        return day
    if span_days <= 731:
        return day - timedelta(day.weekday())
    return day.replace(day=1)


def buckets(report: Report) -> dict[date, Day]:
    span = (report.last - report.first).days + 1
    merged: dict[date, Day] = {}
    for day, counts in report.days.items():
        merged.setdefault(_bucket_start(day, span), Day()).add(counts)
    return merged


def draw_chart(report: Report, path: Path) -> None:
    # The object-oriented API on the Agg canvas: no display, no global pyplot state.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    periods = buckets(report)
    starts = list(periods)
    volumes = {g: [periods[s].groups()[g] for s in starts] for g in MixGroup}
    totals = [sum(volumes[g][i] for g in MixGroup) for i in range(len(starts))]

    figure = Figure(figsize=(11, 7.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    share_axes, volume_axes = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.2]}
    )
    span = (report.last - report.first).days + 1
    unit = "day" if span <= 92 else "week" if span <= 731 else "month"
    for group in MixGroup:
        colour = GROUP_COLOURS[group]
        values = [v / t if t else float("nan") for v, t in zip(volumes[group], totals, strict=True)]
        share_axes.plot(
            starts, values, color=colour, linewidth=2, marker="o", markersize=3,
            label=f"{GROUP_TITLES[group]}",
        )  # fmt: skip
        share_axes.axhline(report.target[group], color=colour, linestyle="--", linewidth=1.2)
        share_axes.annotate(
            f"target {GROUP_TITLES[group]} {report.target[group]:.0%}",
            xy=(1.0, report.target[group]),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=colour,
        )
    share_axes.set_ylim(0, max(0.6, *(report.target.values())) + 0.05)
    share_axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    share_axes.set_ylabel(f"share of inquiries per {unit}")
    share_axes.set_title(
        f"Channel mix {report.first} to {report.last} against the national target (dashed)",
        loc="left",
    )
    share_axes.grid(axis="y", alpha=0.3)
    share_axes.legend(loc="upper left", ncols=5, frameon=False, fontsize=9)

    bottom = [0] * len(starts)
    width = {"day": 0.8, "week": 5.6, "month": 24.0}[unit]
    for group in MixGroup:
        counts = volumes[group]
        volume_axes.bar(
            starts, counts, bottom=bottom, width=width,
            color=GROUP_COLOURS[group], label=GROUP_TITLES[group],
        )  # fmt: skip
        bottom = [b + v for b, v in zip(bottom, counts, strict=True)]
    volume_axes.set_ylabel(f"inquiries per {unit}")
    volume_axes.grid(axis="y", alpha=0.3)
    figure.autofmt_xdate()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
