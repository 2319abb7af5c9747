"""`python -m services.intake migrate` brings its database to the newest schema (before serve);
`python -m services.intake [serve]` runs the service;
`python -m services.intake normalise --channel CHANNEL FILE` prints one normalised inquiry;
`python -m services.intake original SHA256 [--out FILE]` writes an original kept by intake;
`python -m services.intake purge` deletes what is past its retention (docs/privacy.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.intake.channels.draft import ID_HEADERS
from services.intake.normalise import Failed, Ignored, Refused, read_messages
from services.intake.settings import IntakeSettings
from shared.schema import migrate_command, migrated_engine, refuse_unless_current
from shared.vocabulary import Channel


def write_original(settings: IntakeSettings, sha256: str, out: Path | None) -> int:
    """For an operator: the untouched bytes, e.g. to replay a dead letter once it can be read."""
    from services.intake.store import Originals

    engine = migrated_engine(settings)
    try:
        stored = Originals(engine).get(sha256.lower())
    finally:
        engine.dispose()
    if stored is None:
        print(f"no original {sha256} in intake's store", file=sys.stderr)
        return 2
    if out is None:
        sys.stdout.buffer.write(stored.data)
    else:
        out.write_bytes(stored.data)
    return 0


def manage_keys(settings: IntakeSettings, args: argparse.Namespace) -> int:
    """Changes take effect in the running service within its key refresh interval."""
    from services.intake.keys import GatewayKeys

    engine = migrated_engine(settings)
    try:
        keys = GatewayKeys(engine)
        if args.keys_command == "add":
            try:
                channels = [Channel(c.strip()) for c in args.channels.split(",") if c.strip()]
                print(keys.add(args.adapter, channels, args.rate))
            except ValueError as error:
                print(f"keys add: {error}", file=sys.stderr)
                return 2
        elif args.keys_command == "rotate":
            try:
                print(keys.rotate(args.adapter))
            except LookupError as error:
                print(f"keys rotate: {error.args[0]}", file=sys.stderr)
                return 2
        elif args.keys_command == "revoke":
            print(f"revoked {keys.revoke(args.adapter)} keys of {args.adapter}", file=sys.stderr)
        else:
            for adapter, allowed, rate, count in keys.listing():
                print(f"{adapter}\t{allowed}\t{rate or 'default'}/min\t{count} key(s)")
    finally:
        engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.intake")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the intake service (the default)")
    commands.add_parser("migrate", help="bring the database schema to the newest revision")
    one = commands.add_parser("normalise", help="print one raw message as a normalised inquiry")
    one.add_argument("--channel", required=True, choices=[c.value for c in Channel])
    one.add_argument("file", type=Path)
    kept = commands.add_parser(
        "original", help="write an original kept in intake's store (attachment, dead letter)"
    )
    kept.add_argument(
        "sha256", help="from an attachment's sha256 or a dead letter's original_sha256"
    )
    kept.add_argument("--out", type=Path, help="file to write (default: standard output)")
    commands.add_parser("purge", help="delete what is older than intake's retention settings")
    keys = commands.add_parser("keys", help="the HTTP gateway's API keys (kept as hashes)")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    added = key_commands.add_parser("add", help="a new key for an adapter; printed once")
    added.add_argument("adapter")
    added.add_argument("--channels", required=True, help="comma-separated, e.g. letter,email")
    added.add_argument("--rate", type=int, help="requests a minute (default: the gateway's)")
    for name, text in (
        ("rotate", "a new key; the adapter's others stop working"),
        ("revoke", "every key of the adapter stops working"),
    ):
        key_commands.add_parser(name, help=text).add_argument("adapter")
    key_commands.add_parser("list", help="adapters, channels, rates, how many keys")
    args = parser.parse_args(argv)
    settings = IntakeSettings()

    if args.command == "keys":
        return manage_keys(settings, args)

    if args.command == "purge":
        from services.intake.store import expiries
        from shared.retention import purge_command

        return purge_command(settings, expiries)

    if args.command == "original":
        return write_original(settings, args.sha256, args.out)

    if args.command == "normalise":
        try:
            raw = args.file.read_bytes()
        except OSError as error:
            print(f"cannot read {args.file}: {error.strerror}", file=sys.stderr)
            return 2
        # The file's name is its channel id, as an adapter's id header would give it.
        headers = dict.fromkeys(ID_HEADERS.values(), args.file.name)
        [result] = read_messages([(Channel(args.channel), raw, headers)], salt=settings.cpr_salt)
        if isinstance(result, Refused):
            print(f"unreadable: {result.reason}", file=sys.stderr)
            return 2
        if isinstance(result, Failed):
            print(
                f"intake failed on this message ({result.error}), at:\n{result.stack}",
                file=sys.stderr,
            )
            return 1
        if isinstance(result, Ignored):
            print(f"not an inquiry: {result.why} ({result.channel_message_id})", file=sys.stderr)
            return 2
        print(result.inquiry.model_dump_json(indent=2))
        return 0

    if args.command == "migrate":
        return migrate_command(settings)
    if (refused := refuse_unless_current(settings)) is not None:
        return refused

    from services.intake.app import build_app

    return build_app(settings).serve(settings)


if __name__ == "__main__":
    sys.exit(main())
