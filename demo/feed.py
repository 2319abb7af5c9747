"""The shipped feed of raw inquiries (demo/feed/<channel>/...), stamped with a run id so that a
second run is not taken for a resend of the first (intake deduplicates on the channels' ids)."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from shared.vocabulary import Channel

FEED_DIR = Path(__file__).resolve().parent / "feed"
SCAN_ID_HEADER = "scan-id"
_ID_FIELDS = ("call_id", "visit_id", "session_id", "submission_id")
# The header with its folded continuation lines: long References often span several.
_MIME_IDS = re.compile(
    rb"^(Message-ID|In-Reply-To|References):(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE
)


def new_run_id(length: int = 8) -> str:
    """A run's mark for the feed's channel ids: letters only. Digits beside the digits of the
    feed's own ids can spell a CPR number (`010203.6811`), which intake rightly masks, and the
    mark with it, so that the run's inquiries could no longer be told from others."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(length))


@dataclass(frozen=True)
class RawInquiry:
    channel: Channel
    path: Path
    body: bytes
    headers: tuple[tuple[str, bytes], ...] = ()
    malformed: bool = False


def _stamp(channel: Channel, body: bytes, run: str) -> bytes:
    if channel is Channel.EMAIL:
        return _MIME_IDS.sub(
            lambda m: m.group(1) + b":" + m.group(2).replace(b"<", f"<{run}.".encode()), body
        )
    if channel is Channel.LETTER:
        return body
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return body  # malformed on purpose: sent as it is
    if isinstance(document, dict):
        for field in _ID_FIELDS:
            if isinstance(document.get(field), str):
                document[field] = f"{run}.{document[field]}"
    return json.dumps(document, ensure_ascii=False).encode()


def load_feed(run: str, feed_dir: Path = FEED_DIR) -> list[RawInquiry]:
    inquiries = []
    for path in sorted(p for p in feed_dir.rglob("*") if p.is_file()):
        folder = path.parent.name
        malformed = folder == "malformed"
        name = path.name.split("-")[0] if malformed else folder
        if name not in Channel.__members__.values() or path.suffix not in (".eml", ".json", ".txt"):
            continue
        channel = Channel(name)
        inquiries.append(stamp(RawInquiry(channel, path, path.read_bytes(), (), malformed), run))
    return inquiries


def stamp(raw: RawInquiry, run: str) -> RawInquiry:
    """The same inquiry under the channel ids of another run: intake takes it for a new one.
    The benchmark stamps each copy of the feed like this."""
    headers: tuple[tuple[str, bytes], ...] = raw.headers
    if raw.channel is Channel.LETTER:
        headers = ((SCAN_ID_HEADER, f"{run}/{raw.path.name}".encode()),)
    body = _stamp(raw.channel, raw.body, run)
    return RawInquiry(raw.channel, raw.path, body, headers, raw.malformed)


def expected_inquiries(feed: list[RawInquiry]) -> int:
    """Well-formed inquiries, a byte-identical resend counted once."""
    return len({hashlib.sha256(i.body).digest() for i in feed if not i.malformed})
