"""`python -m services.metrics [serve]` runs the metrics service."""

from __future__ import annotations

import argparse
import sys

from services.metrics.settings import MetricsSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.metrics")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the metrics service (the default)")
    parser.parse_args(argv)
    settings = MetricsSettings()

    from services.metrics.app import build_app

    return build_app(settings).serve(settings)


if __name__ == "__main__":
    sys.exit(main())
