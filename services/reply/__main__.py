"""`python -m services.reply migrate` brings its database to the newest schema (before serve);
`python -m services.reply [serve]` runs the reply service;
`python -m services.reply queue ...` is the caseworker's command (docs/reply.md)."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from services.reply import queue_command
from services.reply.settings import ReplySettings
from shared.schema import migrate_command, refuse_unless_current


def main(
    argv: list[str] | None = None,
    *,
    settings: ReplySettings | None = None,
    out: Console | None = None,
    err: Console | None = None,
) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.reply")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the reply service (the default)")
    commands.add_parser("migrate", help="bring the database schema to the newest revision")
    queue_command.add_parser(commands)
    args = parser.parse_args(argv)
    settings = settings or ReplySettings()

    if args.command == "queue":
        return queue_command.run(args, settings, out or Console(), err or Console(stderr=True))

    if args.command == "migrate":
        return migrate_command(settings)
    if (refused := refuse_unless_current(settings)) is not None:
        return refused

    from services.reply.app import build_app

    return build_app(settings).serve(settings)


if __name__ == "__main__":
    sys.exit(main())
