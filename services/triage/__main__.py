"""`python -m services.triage migrate` brings its database to the newest schema (before serve);
`python -m services.triage [serve]` runs the service;
`python -m services.triage classify --in IN.jsonl --out OUT.jsonl` triages a file line by line;
`python -m services.triage purge` deletes stored words past their retention (docs/privacy.md)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from pydantic import BaseModel, ConfigDict, ValidationError

from services.triage.phrases import REASON_LANGUAGES
from services.triage.settings import TriageSettings
from shared.events import CitizenProfile, Inquiry
from shared.schema import migrate_command, refuse_unless_current
from shared.vocabulary import Channel, Language

CLASSIFY_BATCH = 256


class InquiryLine(BaseModel):
    """One line of the classify command's input; extra fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    channel: Channel
    text: str
    subject: str | None = None
    language: Language | None = None
    citizen: CitizenProfile = CitizenProfile()


def _read(lines: TextIO) -> Iterator[tuple[int, Inquiry | str]]:
    now = datetime.now(UTC)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = InquiryLine.model_validate_json(line)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            yield number, f"line {number}: {where}: {first['msg']}"
            continue
        yield (
            number,
            Inquiry(
                channel=item.channel,
                channel_message_id=f"line-{number}",
                received_at=now,
                text=item.text,
                subject=item.subject,
                language=item.language or Language.OTHER,
                citizen=item.citizen,
                thread_key=f"line-{number}",
            ),
        )


def classify_file(source: TextIO, target: TextIO, settings: TriageSettings) -> int:
    """Write one decision a line in input order; a bad line gets an error line in its place."""
    from services.triage.classifier import load_classifier
    from services.triage.decide import decide_batch

    classifier = load_classifier(settings)
    errors = 0
    pending: list[tuple[int, Inquiry | str]] = []

    def flush() -> None:
        inquiries = [item for _, item in pending if isinstance(item, Inquiry)]
        decisions = iter(decide_batch(inquiries, classifier, settings))
        for _, item in pending:
            if isinstance(item, str):
                target.write(json.dumps({"error": item}) + "\n")
            else:
                decision = next(decisions)
                target.write(
                    decision.model_dump_json(
                        include={"complexity", "department", "queue", "confidence",
                                 "reply_channel", "reasons", "model_version"}
                    ) + "\n"
                )  # fmt: skip
        pending.clear()

    for number, item in _read(source):
        if isinstance(item, str):
            errors += 1
            print(item, file=sys.stderr)
        pending.append((number, item))
        if len(pending) >= CLASSIFY_BATCH:
            flush()
    flush()
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.triage")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the triage service (the default)")
    commands.add_parser("migrate", help="bring the database schema to the newest revision")
    classify = commands.add_parser("classify", help="triage a JSONL file of inquiries")
    classify.add_argument("--in", dest="source", type=Path, required=True)
    classify.add_argument("--out", dest="target", type=Path, required=True)
    classify.add_argument(
        "--language",
        choices=[language.value for language in REASON_LANGUAGES],
        help="the language of the reasons (default: TRIAGE_REASON_LANGUAGE, else Danish)",
    )
    commands.add_parser("purge", help="delete what is older than triage's retention setting")
    args = parser.parse_args(argv)
    settings = TriageSettings()
    if getattr(args, "language", None):
        settings = settings.model_copy(update={"reason_language": Language(args.language)})

    if args.command == "purge":
        from services.triage.store import expiries
        from shared.retention import purge_command

        return purge_command(settings, expiries)

    if args.command == "classify":
        try:
            with args.source.open(encoding="utf-8") as source, args.target.open("w") as target:
                errors = classify_file(source, target, settings)
        except OSError as error:
            print(f"cannot open {error.filename}: {error.strerror}", file=sys.stderr)
            return 2
        except UnicodeDecodeError as error:
            print(f"{args.source} is not UTF-8 text: {error}", file=sys.stderr)
            return 2
        return 2 if errors else 0

    if args.command == "migrate":
        return migrate_command(settings)
    if (refused := refuse_unless_current(settings)) is not None:
        return refused

    from services.triage.app import build_app

    return build_app(settings).serve(settings)


if __name__ == "__main__":
    sys.exit(main())
