"""`python -m services.reply [serve]` runs the reply service."""

from __future__ import annotations

import argparse
import sys

from services.reply.settings import ReplySettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.reply")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the reply service (the default)")
    parser.parse_args(argv)
    settings = ReplySettings()

    from services.reply.app import build_app

    return build_app(settings).serve(settings)


if __name__ == "__main__":
    sys.exit(main())
