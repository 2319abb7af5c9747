#!/usr/bin/env python3
"""Check the demonstration feed and print its counts.

    python demo/feed/check_feed.py

Every JSON payload parses and has its channel's shape, every .eml parses with the standard
library's `email` package and has a body, every letter is UTF-8, every readable file has exactly
one label, the malformed files really are unreadable, and the duplicate e-mail is byte-identical.
Exit status 1 on any problem. Standard library only.
"""
from __future__ import annotations

import argparse
import email
import email.policy
import json
import re
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHANNELS = ("email", "phone", "in_person", "chat", "letter", "self_service")
DEPTS = {"OKF", "KFF", "BUF", "SUF", "SOF", "TMF", "BIF"}
OUTCOMES = {"settled_first_contact", "transferred", "message_taken", "appointment_booked"}
REPLY_CHANNELS = {"self_service", "phone", "chat", "email", "digital_post", "letter", "in_person"}
PROFILE = {"phone": str, "email": str, "address": str, "has_pc": bool, "uses_netbank": bool,
           "preferred_reply_channel": str, "reading_difficulties": bool, "hearing_impairment": bool,
           "needs_interpreter": bool, "exempt_digital_post": bool}
CPR = re.compile(r"(?<![\d-])(\d{2})(\d{2})(\d{2})-?(\d{4})(?![\d-])")
DA_WORDS = {"og", "jeg", "ikke", "det", "er", "har", "til", "på", "af", "min", "vi", "borger", "kan", "med", "hej",
            "om", "at", "en", "skal", "vil", "fra", "den", "som", "efter", "oplyst", "vejledt", "ønsker", "sendt",
            "mor", "bestilt", "ved", "tid", "besked", "gerne", "hvordan", "hvad", "får", "eller", "mit", "sig"}
EN_WORDS = {"the", "and", "is", "to", "my", "we", "have", "of", "can", "caller", "you", "please", "citizen",
            "with", "what", "how", "our", "it", "are", "was", "explained", "asks", "wants", "do", "does"}

problems: list[str] = []


def problem(msg: str) -> None:
    problems.append(msg)


def iso(value: object, where: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(str(value))
    except ValueError:
        problem(f"{where}: not an ISO 8601 time: {value!r}")
        return None
    if dt.tzinfo is None:
        problem(f"{where}: time without offset")
    return dt


def check_citizen(c: object, where: str, need_name: bool = False) -> None:
    if not isinstance(c, dict):
        problem(f"{where}: citizen is not an object")
        return
    for key, value in c.items():
        if key == "name":
            if not (value is None or isinstance(value, str)):
                problem(f"{where}: citizen.name must be a string")
        elif key not in PROFILE:
            problem(f"{where}: unknown citizen field {key!r}")
        elif not isinstance(value, PROFILE[key]):
            problem(f"{where}: citizen.{key} has type {type(value).__name__}")
        elif key == "preferred_reply_channel" and value not in REPLY_CHANNELS:
            problem(f"{where}: unknown reply channel {value!r}")
    if need_name and not c.get("name"):
        problem(f"{where}: citizen has no name")


def text_of(channel: str, path: Path) -> str:
    """The words a reader of the inquiry sees (for the language and CPR checks)."""
    raw = path.read_bytes()
    if channel == "email":
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain", "html"))
        content = body.get_content() if body is not None else ""
        if body is not None and body.get_content_type() == "text/html":
            content = re.sub(r"<[^>]+>", " ", content)
        return f"{msg['subject']}\n{content}"
    if channel == "letter":
        return raw.decode("utf-8")
    obj = json.loads(raw)
    if channel in ("phone", "in_person"):
        return obj["note"]
    if channel == "chat":
        return "\n".join(t["text"] for t in obj["turns"] if t["from"] == "citizen")
    return f"{obj['subject']}\n{obj['text']}"


def check_email(path: Path) -> None:
    raw = path.read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for header in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version"):
        if not msg[header]:
            problem(f"{path.name}: no {header}")
    if msg["From"] and not msg["From"].addresses[0].display_name:
        problem(f"{path.name}: From has no display name")
    if msg["Date"] and msg["Date"].datetime is None:
        problem(f"{path.name}: unreadable Date")
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None or not body.get_content().strip():
        problem(f"{path.name}: no body text")


def check_note(channel: str, path: Path, obj: dict) -> None:
    id_key = "call_id" if channel == "phone" else "visit_id"
    prefix = "ph-" if channel == "phone" else "bs-"
    if not str(obj.get(id_key, "")).startswith(prefix):
        problem(f"{path}: bad {id_key}")
    iso(obj.get("received_at"), str(path))
    if not isinstance(obj.get("agent"), str):
        problem(f"{path}: agent")
    if not isinstance(obj.get("duration_seconds"), int) or obj["duration_seconds"] <= 0:
        problem(f"{path}: duration_seconds")
    caller = obj.get("caller")
    if not isinstance(caller, dict) or "name" not in caller:
        problem(f"{path}: caller")
    if not isinstance(obj.get("note"), str) or not obj["note"].strip():
        problem(f"{path}: note")
    if obj.get("outcome") not in OUTCOMES:
        problem(f"{path}: outcome {obj.get('outcome')!r}")
    if "citizen" in obj:
        check_citizen(obj["citizen"], str(path))


def check_chat(path: Path, obj: dict) -> None:
    if not str(obj.get("session_id", "")).startswith("chat-"):
        problem(f"{path}: session_id")
    start = iso(obj.get("started_at"), str(path))
    check_citizen(obj.get("citizen"), str(path), need_name=True)
    turns = obj.get("turns")
    if not isinstance(turns, list) or len(turns) < 2:
        problem(f"{path}: fewer than two turns")
        return
    last = start
    for i, t in enumerate(turns):
        if t.get("from") not in ("citizen", "agent") or not str(t.get("text", "")).strip():
            problem(f"{path}: turn {i}")
        at = iso(t.get("at"), f"{path} turn {i}")
        if at and last and at < last:
            problem(f"{path}: turn {i} goes back in time")
        last = at or last
    if not any(t.get("from") == "citizen" for t in turns):
        problem(f"{path}: no citizen turn")


def check_self_service(path: Path, obj: dict) -> None:
    if not str(obj.get("submission_id", "")).startswith("web-"):
        problem(f"{path}: submission_id")
    iso(obj.get("submitted_at"), str(path))
    if obj.get("form") != "contact":
        problem(f"{path}: form")
    for key in ("subject", "text"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            problem(f"{path}: {key}")
    check_citizen(obj.get("citizen"), str(path), need_name=True)


def check_malformed() -> int:
    d = HERE / "malformed"
    files = sorted(d.iterdir())
    for path in files:
        raw = path.read_bytes()
        name = path.name
        if name.endswith(".json"):
            try:
                obj = json.loads(raw)
            except ValueError:
                continue  # unreadable: fine
            if name.startswith("chat-") and any(t.get("from") == "citizen" for t in obj.get("turns", [])):
                problem(f"malformed/{name}: has a citizen turn")
            if name.startswith("self_service-") and obj.get("text"):
                problem(f"malformed/{name}: has text")
            if name.startswith("in_person-") and isinstance(obj.get("note"), str):
                problem(f"malformed/{name}: note is a string")
        elif name.endswith(".eml"):
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            body = msg.get_body(preferencelist=("plain", "html"))
            if body is not None and body.get_content().strip():
                problem(f"malformed/{name}: has a body")
        elif name.endswith(".txt"):
            try:
                raw.decode("utf-8")
                problem(f"malformed/{name}: decodes as UTF-8")
            except UnicodeDecodeError:
                pass
    return len(files)


def valid_cpr(m: re.Match) -> bool:
    dd, mm, yy = int(m.group(1)), int(m.group(2)), int(m.group(3))
    for century in (1900, 2000):
        try:
            date(century + yy, mm, dd)
            return True
        except ValueError:
            pass
    return False


def main() -> int:
    labels = [json.loads(line) for line in (HERE / "labels.jsonl").read_text(encoding="utf-8").splitlines() if line]
    by_file = Counter(row["file"] for row in labels)
    for f, k in by_file.items():
        if k > 1:
            problem(f"labels: {f} labelled {k} times")

    files = []
    message_ids: dict[str, str] = {}
    for channel in CHANNELS:
        ext = {"email": ".eml", "letter": ".txt"}.get(channel, ".json")
        for path in sorted((HERE / channel).glob(f"*{ext}")):
            rel = f"{channel}/{path.name}"
            files.append((channel, rel, path))
            if rel not in by_file:
                problem(f"{rel}: no label")
            try:
                if channel == "email":
                    check_email(path)
                    mid = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["Message-ID"]
                    if mid in message_ids and not path.stem.endswith("b"):
                        problem(f"{rel}: Message-ID reused from {message_ids[mid]}")
                    message_ids.setdefault(mid, rel)
                    if path.stem.endswith("b"):
                        original = path.with_name(path.stem[:-1] + ".eml")
                        if original.read_bytes() != path.read_bytes():
                            problem(f"{rel}: not byte-identical to {original.name}")
                elif channel == "letter":
                    if not path.read_bytes().decode("utf-8").strip():
                        problem(f"{rel}: empty letter")
                else:
                    obj = json.loads(path.read_text(encoding="utf-8"))
                    {"phone": lambda: check_note("phone", path, obj),
                     "in_person": lambda: check_note("in_person", path, obj),
                     "chat": lambda: check_chat(path, obj),
                     "self_service": lambda: check_self_service(path, obj)}[channel]()
            except Exception as exc:  # noqa: BLE001 - report and go on
                problem(f"{rel}: {type(exc).__name__}: {exc}")

    known = {rel for _, rel, _ in files}
    label_of = {row["file"]: row for row in labels}
    for row in labels:
        if row["file"] not in known:
            problem(f"labels: {row['file']} does not exist")
        if row["language"] not in ("da", "en") or row["complexity"] not in ("simple", "specialist") \
                or row["department"] not in DEPTS or row["channel"] != row["file"].split("/")[0]:
            problem(f"labels: bad row {row}")

    # crude language sanity check of the labels
    cpr_files = []
    for channel, rel, path in files:
        try:
            text = text_of(channel, path)
        except Exception:  # noqa: BLE001 - already reported
            continue
        words = re.findall(r"[a-zæøå]+", text.lower())
        da = sum(w in DA_WORDS for w in words)
        en = sum(w in EN_WORDS for w in words)
        guess = "da" if da > en else "en"
        if rel in label_of and label_of[rel]["language"] != guess:
            problem(f"{rel}: labelled {label_of[rel]['language']} but reads as {guess} ({da} da / {en} en)")
        if any(valid_cpr(m) for m in CPR.finditer(text)):
            cpr_files.append(rel)

    n_malformed = check_malformed()

    unique = [r for r in labels if "duplicate_of" not in r]
    print(f"files with a label: {len(labels)} ({len(unique)} distinct inquiries + "
          f"{len(labels) - len(unique)} duplicate delivery); malformed: {n_malformed}")
    for key in ("channel", "language", "complexity", "department"):
        c = Counter(r[key] for r in unique)
        total = sum(c.values())
        print(f"{key:>11}: " + ", ".join(f"{k} {v} ({100 * v / total:.0f} %)" for k, v in sorted(c.items())))
    print("\nchannel x language / complexity:")
    for ch in CHANNELS:
        rows = [r for r in unique if r["channel"] == ch]
        lang, cx = Counter(r["language"] for r in rows), Counter(r["complexity"] for r in rows)
        print(f"  {ch:<13} {len(rows):>3}  da {lang['da']:>3}  en {lang['en']:>3}  "
              f"simple {cx['simple']:>3}  specialist {cx['specialist']:>3}")
    print("\ndepartment x complexity:")
    for d in sorted(DEPTS):
        rows = [r for r in unique if r["department"] == d]
        cx = Counter(r["complexity"] for r in rows)
        print(f"  {d}  {len(rows):>3}  simple {cx['simple']:>3}  specialist {cx['specialist']:>3}")
    print(f"\nfiles containing a CPR number: {len(cpr_files)}")
    for rel in cpr_files:
        print(f"  {rel}")

    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  " + p)
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    sys.exit(main())
