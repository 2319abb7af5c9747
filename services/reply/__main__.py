"""`python -m services.reply migrate` brings its database to the newest schema (before serve);
`python -m services.reply [serve]` runs the reply service;
`python -m services.reply queue ...` is the caseworker's command (docs/reply.md);
`python -m services.reply purge` deletes closed plans past their retention (docs/privacy.md);
`python -m services.reply desk` runs the caseworkers' desk (docs/desk.md)."""

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
    commands.add_parser("desk", help="run the caseworkers' desk in the browser (docs/desk.md)")
    commands.add_parser("migrate", help="bring the database schema to the newest revision")
    queue_command.add_parser(commands)
    commands.add_parser("purge", help="delete closed plans older than reply's retention setting")
    args = parser.parse_args(argv)
    settings = settings or ReplySettings()

    if args.command == "purge":
        from services.reply.store import expiries
        from shared.retention import purge_command

        return purge_command(settings, expiries)

    if args.command == "queue":
        return queue_command.run(args, settings, out or Console(), err or Console(stderr=True))

    if args.command == "migrate":
        return migrate_command(settings)
    if (refused := refuse_unless_current(settings)) is not None:
        return refused

    if args.command == "desk":
        from services.reply.desk.app import serve
        from services.reply.desk.settings import DeskSettings

        return serve(settings, DeskSettings())

    from services.reply.app import build_app

    return build_app(settings).serve(settings)


if __name__ == "__main__":
    sys.exit(main())
