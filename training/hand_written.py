"""Builds a hand-written set's inquiries.jsonl from its source/*.txt: each inquiry with its
labels and the reply channel the design's rule gives for those labels and the attached citizen
profile. The evaluation set and the development set are written this way.

    python -m training.hand_written training/evaluation_set
    python -m training.hand_written training/development_set

Run once when a source changes; the labels are the authors', the reply channel follows from
them by the rule (services/triage/reply_channel.py), never from a prediction.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from services.triage.reply_channel import choose_reply_channel
from services.triage.settings import TriageSettings
from shared.events import CitizenProfile
from shared.vocabulary import DIGITAL_CHANNELS, Channel, Complexity

PHONE, EMAIL, ADDRESS = "+45 20 30 40 50", "borger@example.dk", "Testvej 1, 2300 København S"
# What the channel or an agent told intake about the citizen.
PROFILES: dict[str, dict[str, Any]] = {
    "none": {},
    "phone": {"phone": PHONE},
    "email": {"email": EMAIL},
    "addr": {"address": ADDRESS},
    "email+phone": {"email": EMAIL, "phone": PHONE},
    "screen": {"phone": PHONE, "has_pc": True, "uses_netbank": True},
    "exempt": {"address": ADDRESS, "exempt_digital_post": True},
    "interp": {"phone": PHONE, "needs_interpreter": True},
    "read": {"phone": PHONE, "reading_difficulties": True},
    "hearaddr": {"address": ADDRESS, "hearing_impairment": True},
    "pref-phone": {"email": EMAIL, "phone": PHONE, "preferred_reply_channel": "phone"},
}
HEADER = re.compile(
    r"@@ (?P<id>\S+) (?P<channel>\S+) (?P<language>da|en|mixed) (?P<complexity>simple|specialist)"
    r" (?P<department>[A-Z]{3}) (?P<written>[yn]) (?P<self_service>[yn]) (?P<ready>[yn-])"
    r" (?P<profile>\S+)$"
)


def parse(text: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    lines: list[str] = []
    header: re.Match[str] | None = None

    def close() -> None:
        if header is None:
            return
        body = "\n".join(lines).strip("\n")
        subject = None
        if body.startswith("Subject: "):
            first, _, body = body.partition("\n")
            subject = first.removeprefix("Subject: ")
        items.append(label(header, subject, body.strip()))

    for line in text.splitlines():
        if line.startswith("@@"):
            close()
            header, lines = HEADER.match(line), []
            if header is None:
                raise ValueError(f"bad header: {line}")
        elif header is not None:
            lines.append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"text before the first header: {line}")
    close()
    return items


def digitally_ready(channel: Channel, citizen: CitizenProfile, says: str) -> bool:
    """The screening answers, else the channel, else what the text says; unknown is not ready."""
    if citizen.has_pc is not None and citizen.uses_netbank is not None:
        return bool(citizen.has_pc and citizen.uses_netbank)
    return channel in DIGITAL_CHANNELS or says == "y"


def label(header: re.Match[str], subject: str | None, text: str) -> dict[str, Any]:
    channel = Channel(header["channel"])
    citizen = CitizenProfile.model_validate(PROFILES[header["profile"]])
    ready = digitally_ready(channel, citizen, header["ready"])
    settings = TriageSettings()
    # The rule reads readiness from the screening answers: the label stands in for them.
    screened = citizen.model_copy(update={"has_pc": ready, "uses_netbank": ready})
    choice = choose_reply_channel(
        channel=channel,
        citizen=screened,
        complexity=Complexity(header["complexity"]),
        written_decision=header["written"] == "y",
        self_service_url="https://self-service" if header["self_service"] == "y" else None,
        costs=settings.reply_channel_costs,
        offered=settings.offered_reply_channels,
    )
    return {
        "id": header["id"],
        "channel": channel.value,
        "language": header["language"],
        "subject": subject,
        "text": text,
        "citizen": citizen.model_dump(exclude_none=True),
        "complexity": header["complexity"],
        "department": header["department"],
        "written_decision": header["written"] == "y",
        "self_service": header["self_service"] == "y",
        "digitally_ready": ready,
        "readiness_from_text": header["ready"] != "-",
        "reply_channel": choice.channel.value,
        "reply_rule": choice.rule,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m training.hand_written",
        description="Write a hand-written set's inquiries.jsonl from its source/*.txt.",
    )
    parser.add_argument("folder", type=Path, help="the set's folder, e.g. training/evaluation_set")
    args = parser.parse_args(argv)
    sources = sorted((args.folder / "source").glob("*.txt"))
    if not sources:
        parser.error(f"no source/*.txt in {args.folder}")
    items = [item for path in sources for item in parse(path.read_text(encoding="utf-8"))]
    ids = [item["id"] for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate ids")
    target = args.folder / "inquiries.jsonl"
    with target.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"{len(items)} inquiries -> {target}")


if __name__ == "__main__":
    main()
