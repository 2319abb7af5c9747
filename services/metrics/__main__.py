"""`python -m services.metrics migrate` brings its database to the newest schema (before serve);
`python -m services.metrics [serve]` runs the metrics service;
`python -m services.metrics report --from DATE --to DATE` prints the statistics of a period and
writes its CSV and channel-mix chart."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from services.metrics.settings import MetricsSettings
from shared.schema import migrate_command, migrated_engine, refuse_unless_current


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.metrics")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the metrics service (the default)")
    commands.add_parser("migrate", help="bring the database schema to the newest revision")
    report = commands.add_parser(
        "report", help="a period's statistics: a table here, a CSV and a channel-mix chart"
    )
    report.add_argument("--from", dest="first", required=True, type=date.fromisoformat)
    report.add_argument("--to", dest="last", required=True, type=date.fromisoformat)
    report.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for the CSV and the PNG (default: STATE_DIR/reports)",
    )
    args = parser.parse_args(argv)
    settings = MetricsSettings()

    if args.command == "report":
        if args.last < args.first:
            print("--to is before --from", file=sys.stderr)
            return 2
        return _report(settings, args.first, args.last, args.out)

    if args.command == "migrate":
        return migrate_command(settings)
    if (refused := refuse_unless_current(settings)) is not None:
        return refused

    from services.metrics.app import build_app

    return build_app(settings).serve(settings)


def _report(settings: MetricsSettings, first: date, last: date, out: Path | None) -> int:
    from zoneinfo import ZoneInfo

    from services.metrics.report import build_report, draw_chart, print_table, write_csv
    from services.metrics.store import Statistics

    engine = migrated_engine(settings)
    try:
        statistics = Statistics(engine, zone=ZoneInfo(settings.timezone))
        report = build_report(statistics, first, last, settings.channel_mix_target)
    finally:
        engine.dispose()
    folder = out or settings.state_dir / "reports"
    csv_path = folder / f"inquiries_{first}_{last}.csv"
    chart_path = folder / f"channel-mix_{first}_{last}.png"
    print_table(report, sys.stdout)
    write_csv(report, csv_path)
    draw_chart(report, chart_path)
    print(f"\nCSV:   {csv_path}\nchart: {chart_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
