#!/usr/bin/env python3
"""Build the demonstration feed: raw inquiries as the channel adapters publish them.

    python demo/feed/build_feed.py

Reads the hand-written texts in texts/<channel>.jsonl beside this script and writes

    email/NNN.eml  phone/NNN.json  in_person/NNN.json  chat/NNN.json
    letter/NNN.txt  self_service/NNN.json  malformed/<channel>-<what>.<ext>
    labels.jsonl   (the expert label of every readable file)

Deterministic (every random choice is seeded by channel and file number) and standard library
only, so the feed can be rebuilt byte for byte. Previously generated files are removed first.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import quopri
import random
import re
import textwrap
from datetime import date, datetime, timedelta, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CET = timezone(timedelta(hours=1))  # November: Copenhagen is on CET (+01:00)
CHANNELS = ("email", "phone", "in_person", "chat", "letter", "self_service")
EXT = {"email": "eml", "phone": "json", "in_person": "json", "chat": "json",
       "letter": "txt", "self_service": "json"}
FIRST_DAY = date(2026, 11, 16)  # Monday; the feed covers 16-27 November 2026
WEEKDAYS = [FIRST_DAY + timedelta(days=i) for i in range(12) if (FIRST_DAY + timedelta(days=i)).weekday() < 5]
ALL_DAYS = [FIRST_DAY + timedelta(days=i) for i in range(12)]


def load(channel: str) -> list[dict]:
    path = HERE / "texts" / f"{channel}.jsonl"
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    numbers = [it["n"] for it in items]
    assert len(numbers) == len(set(numbers)), f"duplicate numbers in {path.name}"
    return items


def rng(channel: str, n: int, salt: str = "") -> random.Random:
    return random.Random(f"{channel}:{n}:{salt}")


def clean(text: str) -> str:
    return text.strip("\n")


def timestamp(channel: str, n: int, fixed: str | None = None) -> datetime:
    """Deterministic local time for an inquiry, in the channel's plausible hours."""
    if fixed:
        return datetime.strptime(fixed, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CET)
    r = rng(channel, n, "time")
    if channel in ("email", "self_service"):
        day = r.choice(ALL_DAYS)
        hour = r.choice([6, 7, 8, 8, 9, 9, 10, 10, 11, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23])
    elif channel == "phone":
        day, hour = r.choice(WEEKDAYS), r.randint(8, 17)
    elif channel == "in_person":
        day = r.choice(WEEKDAYS)
        hour = r.randint(10, 17 if day.weekday() == 3 else 15)  # Thursdays open until 17.30
    else:  # chat
        day, hour = r.choice(WEEKDAYS), r.randint(9, 15)
    return datetime(day.year, day.month, day.day, hour, r.randint(0, 59), r.randint(0, 59), tzinfo=CET)


def danish_phone(r: random.Random) -> str:
    first = r.choice(["2", "3", "4", "5", "6", "7", "9"])
    digits = first + "".join(str(r.randint(0, 9)) for _ in range(7))
    return "+45 " + " ".join(digits[i:i + 2] for i in range(0, 8, 2))


# --------------------------------------------------------------------------- e-mail

def message_id(item: dict) -> str:
    domain = item["frm"][1].split("@", 1)[1]
    h = hashlib.sha1(f"email:{item['n']}:{item['subject']}".encode()).hexdigest().upper()
    if domain in ("gmail.com",):
        return f"<CA{h[:30]}@mail.gmail.com>"
    if domain.endswith(("hotmail.com", "hotmail.dk", "live.dk", "outlook.dk", "outlook.com", "outlook.it")):
        return f"<DB{h[:6]}{h[6:30].lower()}@DB9PR03MB{h[30:34]}.eurprd03.prod.outlook.com>"
    local = f"{h[:12].lower()}.{h[12:20].lower()}"
    # Six digits, a dot and four more read as a CPR number (dd.mm.yy-ssss spelled loosely):
    # intake would rightly hash the id away, and the demo could not find its e-mail by it.
    if re.search(r"\d{6}\.\d{4}", local):
        local = local.replace(".", ".x", 1)
    return f"<{local}@{domain}>"


def body_text(item: dict) -> str:
    text = clean(item.get("body", ""))
    if item.get("sig"):
        text += "\n\n-- \n" + item["sig"]
    return text + "\n"


def hard_wrap(text: str, width: int) -> str:
    out = []
    for line in text.split("\n"):
        if len(line) <= width or line.startswith(">"):
            out.append(line)
        else:
            out.extend(textwrap.wrap(line, width=width, break_long_words=False, break_on_hyphens=False))
    return "\n".join(out)


def to_html(text: str) -> str:
    parts = []
    for para in text.strip("\n").split("\n\n"):
        lines = [html.escape(line) for line in para.split("\n")]
        parts.append("<p>" + "<br>\n".join(lines) + "</p>")
    return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>\n'
            '<body><div dir="ltr" style="font-family: Calibri, Arial, sans-serif; font-size: 11pt">\n'
            + "\n".join(parts) + "\n</div></body></html>\n")


def tiny_pdf(title: str) -> bytes:
    stream = f"BT /F1 14 Tf 72 770 Td ({title}) Tj ET".encode("latin-1")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def latin1_message(item: dict, when: datetime, mid: str, crlf: bool) -> bytes:
    """A hand-assembled Outlook-style message in iso-8859-1 with RFC 2047 Q-encoded headers."""
    def q(s: str) -> str:
        enc = "".join(c if (c.isalnum() and ord(c) < 128) else ("_" if c == " " else "=%02X" % ord(c))
                      for c in s)
        return f"=?iso-8859-1?Q?{enc}?="
    name, addr = item["frm"]
    body = quopri.encodestring(body_text(item).encode("latin-1")).decode("ascii")
    head = [
        f"From: {q(name)} <{addr}>",
        f"To: <{item['to']}>",
        f"Subject: {q(item['subject'])}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: {mid}",
        "MIME-Version: 1.0",
        'Content-Type: text/plain;\r\n\tcharset="iso-8859-1"',
        "Content-Transfer-Encoding: quoted-printable",
        "X-Mailer: Microsoft Outlook 16.0",
        "Thread-Index: AdtaK4wes1f2mP0RQoiYz7Lq5nH3Zg==",
        "Content-Language: da",
    ]
    text = "\r\n".join(head) + "\r\n\r\n" + body.replace("\r\n", "\n").replace("\n", "\r\n")
    if not crlf:
        text = text.replace("\r\n", "\n")
    return text.encode("ascii")


def build_email(item: dict, ids: dict[int, str]) -> bytes:
    n, kind = item["n"], item.get("kind", "plain")
    when = timestamp("email", n, item.get("at"))
    mid = ids[n]
    crlf = n % 2 == 1
    if kind == "latin1":
        return latin1_message(item, when, mid, crlf)

    msg = EmailMessage(policy=policy.default)
    name, addr = item["frm"]
    user, domain = addr.split("@", 1)
    msg["From"] = Address(display_name=name, username=user, domain=domain)
    msg["To"] = item["to"]
    msg["Subject"] = item["subject"]
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = mid
    if item.get("in_reply_to"):
        msg["In-Reply-To"] = item["in_reply_to"]
        refs = [ids[int(r[1:])] if r.startswith("@") else r for r in item.get("references", [])]
        msg["References"] = " ".join(refs)
    msg["MIME-Version"] = "1.0"
    r = rng("email", n, "agent")
    agent = r.choice([None, None, "Mozilla Thunderbird", "Apple Mail (2.3774)", "Microsoft Outlook 16.0"])
    if agent:
        msg["X-Mailer"] = agent

    text = body_text(item)
    if kind == "plain" and n % 3 == 0:
        # a client that hard-wraps at 72 columns: short lines, so the body goes out as 8bit
        text = hard_wrap(text, 72)
    if kind == "plain":
        msg.set_content(text)
    elif kind == "qp":
        msg.set_content(text, cte="quoted-printable")
    elif kind == "b64":
        msg.set_content(text, cte="base64")
    elif kind == "alt":
        msg.set_content(text)
        msg.add_alternative(to_html(text), subtype="html")
    elif kind == "html":
        msg.set_content(item.get("html") or to_html(text), subtype="html")
    else:
        raise ValueError(f"email {n}: unknown kind {kind}")

    if item.get("attach"):
        filename, maintype, subtype, data = item["attach"]
        if maintype == "application" and subtype == "pdf":
            payload = tiny_pdf("Ryesgade 19 - situationsplan og snit A-A, 1:100")
            msg.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
        else:
            msg.add_attachment(data.encode("utf-8"), maintype=maintype, subtype=subtype, filename=filename)

    for i, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        h = hashlib.sha1(f"boundary:{n}:{i}".encode()).hexdigest()[:24]
        part.set_boundary(f"----=_Part_{n}_{i}.{h}")
    linesep = "\r\n" if crlf else "\n"
    return msg.as_bytes(policy=policy.default.clone(linesep=linesep))


# --------------------------------------------------------------------------- notes

def build_note(channel: str, item: dict) -> dict:
    n = item["n"]
    r = rng(channel, n, "meta")
    when = timestamp(channel, n, item.get("at"))
    if channel == "phone":
        out: dict[str, Any] = {"call_id": f"ph-{(n * 7919 + 104729) % 1000000:06d}"}
        agent = f"agent-{r.randint(1, 42):02d}"
        spread = (90, 900) if item["cx"] == "specialist" else (45, 420)
    else:
        out = {"visit_id": f"bs-{(n * 3571 + 40009) % 1000000:06d}"}
        agent = f"bs-agent-{r.randint(1, 18):02d}"
        spread = (300, 1500) if item["cx"] == "specialist" else (120, 780)
    out["received_at"] = when.isoformat()
    out["agent"] = agent
    out["duration_seconds"] = r.randint(*spread)
    caller = {"name": item.get("name")}
    if "phone" in item:
        caller["phone"] = item["phone"]
    elif channel == "phone" and item.get("name"):
        caller["phone"] = danish_phone(r)
    out["caller"] = caller
    out["note"] = item["note"]
    out["outcome"] = item["outcome"]
    if item.get("citizen"):
        out["citizen"] = item["citizen"]
    return out


def build_chat(item: dict) -> dict:
    n = item["n"]
    r = rng("chat", n, "turns")
    t = timestamp("chat", n, item.get("at"))
    citizen = {"name": item["name"]}
    if item.get("email"):
        citizen["email"] = item["email"]
    citizen.update(item.get("citizen", {}))
    turns: list[dict[str, str]] = []
    for who, text in item["turns"]:
        t = t + timedelta(seconds=r.randint(15, 40) if not turns else r.randint(25, 160))
        turns.append({"from": "citizen" if who == "c" else "agent", "at": t.isoformat(), "text": text})
    return {
        "session_id": "chat-" + hashlib.sha1(f"chat:{n}".encode()).hexdigest()[:16],
        "started_at": timestamp("chat", n, item.get("at")).isoformat(),
        "citizen": citizen,
        "turns": turns,
    }


def build_self_service(item: dict) -> dict:
    n = item["n"]
    return {
        "submission_id": "web-" + hashlib.sha1(f"web:{n}".encode()).hexdigest()[:12],
        "submitted_at": timestamp("self_service", n, item.get("at")).isoformat(),
        "form": "contact",
        "subject": item["subject"],
        "text": item["text"],
        "citizen": item["citizen"],
    }


# --------------------------------------------------------------------------- letters

OCR_SWAPS = [("rn", "m"), ("m", "rn"), ("l", "1"), ("i", "l"), ("ø", "o"), ("æ", "ae"), ("å", "a"),
             ("e", "c"), ("h", "b"), ("t", "f"), ("ø", "0")]
STRAY = ["'", ",", ".", "`", "¦", "|", "~", "·", "»", ";"]


def wrap_letter(text: str, width: int) -> str:
    out = []
    for line in clean(text).split("\n"):
        if len(line) <= width:
            out.append(line)
        else:
            out.extend(textwrap.wrap(line, width=width, break_long_words=False, break_on_hyphens=False))
    return "\n".join(out)


def ocr_noise(text: str, level: float, seed: str) -> str:
    if level <= 0:
        return text
    r = random.Random(seed)
    lines = []
    for line in text.split("\n"):
        words = line.split(" ")
        for i, w in enumerate(words):
            if not w or any(ch.isdigit() for ch in w) or "@" in w or r.random() >= level:
                continue
            op = r.random()
            if op < 0.6:
                options = [(a, b) for a, b in OCR_SWAPS if a in w]
                if options:
                    a, b = r.choice(options)
                    k = r.choice([j for j in range(len(w)) if w.startswith(a, j)])
                    words[i] = w[:k] + b + w[k + len(a):]
            elif op < 0.8:
                words[i] = w + r.choice(STRAY)
            elif i + 1 < len(words) and not any(ch.isdigit() for ch in words[i + 1]):  # a lost space
                words[i] = w + words[i + 1]
                words[i + 1] = ""
        line = " ".join(x for x in words if x != "")
        if line and r.random() < level * 1.5:
            line = r.choice(STRAY) + " " + line if r.random() < 0.5 else line + " " + r.choice(STRAY)
        lines.append(line)
        if line and r.random() < level * 0.6:
            lines.append("")  # the scanner saw an extra gap
    return "\n".join(lines)


def build_letter(item: dict) -> str:
    text = wrap_letter(item["text"], item.get("width", 70))
    text = ocr_noise(text, item.get("noise", 0.0), f"letter:{item['n']}")
    r = rng("letter", item["n"], "scan")
    if item.get("noise", 0) > 0 and r.random() < 0.6:
        stamp = r.choice(["MODTAGET", "MODTAGET", "M0DTAGET", "MODTAGET:"])
        day = 16 + r.randint(0, 9)
        text = f"{stamp}\n{day}. NOV. 2026\nKøbenhavns Kommune - Scanning\n\n" + text
    return text + "\n"


# --------------------------------------------------------------------------- malformed

def malformed() -> dict[str, bytes]:
    r = random.Random("malformed:letter-binary")
    noise = bytes([0xFF, 0xFE, 0x00, 0xC3]) + bytes(r.randint(0, 255) for _ in range(508))
    noise += b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc"  # invalid UTF-8 sequences, for sure
    return {
        "phone-not-json.json": (b'{"call_id": "ph-990017", "received_at": "2026-11-24T10:02:11+01:00", '
                                b'"agent": "agent-04", "duration_seconds": 97, "caller": {"name": "Karl Me'
                                b'jer", "phone": "+45 22 31 40 5'),
        "chat-no-citizen-turn.json": json.dumps({
            "session_id": "chat-0bad0c1712a4e9f1",
            "started_at": "2026-11-25T13:40:02+01:00",
            "citizen": {"name": "Gæst"},
            "turns": [
                {"from": "agent", "at": "2026-11-25T13:40:20+01:00",
                 "text": "Hej, du chatter med Borgerservice. Hvad kan jeg hjælpe med?"},
                {"from": "agent", "at": "2026-11-25T13:45:20+01:00",
                 "text": "Chatten lukkes, da vi ikke har hørt fra dig. Du er velkommen til at skrive igen."},
            ],
        }, ensure_ascii=False, indent=2).encode("utf-8") + b"\n",
        "email-empty.eml": (b"From: Ukendt Afsender <noreply.4471@gmail.com>\r\n"
                            b"To: borgerservice@kk.dk\r\n"
                            b"Subject: \r\n"
                            b"Date: Tue, 24 Nov 2026 03:12:44 +0100\r\n"
                            b"Message-ID: <CAempty0000000000000000000000000@mail.gmail.com>\r\n"
                            b"MIME-Version: 1.0\r\n"
                            b"Content-Type: text/plain; charset=\"UTF-8\"\r\n"
                            b"\r\n"),
        "letter-binary.txt": noise,
        "self_service-missing-text.json": json.dumps({
            "submission_id": "web-00000000dead",
            "submitted_at": "2026-11-22T23:58:10+01:00",
            "form": "contact",
            "subject": "Spørgsmål om parkering",
            "citizen": {"name": "Peter Holm", "email": "peter.holm@gmail.com", "has_pc": True, "uses_netbank": True},
        }, ensure_ascii=False, indent=2).encode("utf-8") + b"\n",
        "in_person-wrong-type.json": json.dumps({
            "visit_id": "bs-000000",
            "received_at": "2026-11-26T11:20:00+01:00",
            "agent": "bs-agent-09",
            "duration_seconds": 240,
            "caller": {"name": "Lene Dahl"},
            "note": 4471,
            "outcome": "settled_first_contact",
        }, indent=2).encode("utf-8") + b"\n",
    }


# --------------------------------------------------------------------------- main

def write_json(path: Path, obj: dict) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    for folder in (*CHANNELS, "malformed"):
        d = HERE / folder
        d.mkdir(exist_ok=True)
        for old in d.iterdir():
            if old.is_file() and old.suffix in (".eml", ".json", ".txt"):
                old.unlink()

    labels = []

    def label(channel: str, fname: str, item: dict, **extra) -> None:
        labels.append({"file": f"{channel}/{fname}", "channel": channel, "language": item["lang"],
                       "complexity": item["cx"], "department": item["dept"], **extra})

    emails = load("email")
    ids = {it["n"]: message_id(it) for it in emails}
    assert len(set(ids.values())) == len(ids), "Message-IDs must be unique"
    for it in emails:
        raw = build_email(it, ids)
        fname = f"{it['n']:03d}.eml"
        (HERE / "email" / fname).write_bytes(raw)
        label("email", fname, it)
        if it.get("duplicate"):  # the same message delivered twice: byte-identical, same Message-ID
            dup = f"{it['n']:03d}b.eml"
            (HERE / "email" / dup).write_bytes(raw)
            label("email", dup, it, duplicate_of=f"email/{fname}")

    for channel in ("phone", "in_person"):
        for it in load(channel):
            fname = f"{it['n']:03d}.json"
            write_json(HERE / channel / fname, build_note(channel, it))
            label(channel, fname, it)

    for it in load("chat"):
        fname = f"{it['n']:03d}.json"
        write_json(HERE / "chat" / fname, build_chat(it))
        label("chat", fname, it)

    for it in load("letter"):
        fname = f"{it['n']:03d}.txt"
        (HERE / "letter" / fname).write_text(build_letter(it), encoding="utf-8")
        label("letter", fname, it)

    for it in load("self_service"):
        fname = f"{it['n']:03d}.json"
        write_json(HERE / "self_service" / fname, build_self_service(it))
        label("self_service", fname, it)

    for name, raw in malformed().items():
        (HERE / "malformed" / name).write_bytes(raw)

    with open(HERE / "labels.jsonl", "w", encoding="utf-8") as fh:
        for row in labels:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(labels)} labelled files and {len(malformed())} malformed files under {HERE}")


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    main()
