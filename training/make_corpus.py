"""Build the labelled inquiry corpus from hand-written base texts.

    python training/make_corpus.py            # writes training/corpus/inquiries.jsonl
    python training/make_corpus.py --stats    # also prints the counts as Markdown tables
    python training/make_corpus.py --check    # validate only, write nothing

Standard library only, deterministic: the same base files and seed give byte-identical output.

Inputs
  training/corpus/base/*.txt          hand-written base inquiries, grouped by department
  services/triage/data/catalogue.yaml the service catalogue (id, department, complexity per service)

Each base text becomes two or three corpus lines, each in a different channel's styling (agent phone
note, e-mail with greeting/signature/quoted mail, chat turns, OCR'd letter, Citizen Service desk
note, web form), with realistic noise (typos, missing æøå, [CPR] markers, phone numbers, e-mail
addresses, mixed Danish/English). The label always comes from the base text's service; the
reply-channel rule's `written_decision` comes from the service too, or from the base text's tag
`written` (its answer must be documented in writing, whatever the service); a base text tagged
`report` (a report or a request to be contacted) has none.

The split is decided per base text (all its variants share one split), from a hash of base_id:
~70 % train, 15 % validation, 15 % test. base_id is positional ("b0001" is the first text of the
first file in sorted order), so add new base texts at the end of a file's last block or in a new
file sorting last, or accept that later ids (and so their splits) shift.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import hashlib
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASE_DIR = ROOT / "training" / "corpus" / "base"
CATALOGUE = ROOT / "services" / "triage" / "data" / "catalogue.yaml"
OUT = ROOT / "training" / "corpus" / "inquiries.jsonl"

SEED = "kk-triage-corpus-v1"
CHANNELS = ("phone", "email", "chat", "letter", "in_person", "self_service")
# Relative weight of each channel when picking a base text's variants; roughly Copenhagen's mix
# moving towards the national target (docs/design.md), with letters kept visible for OCR styling.
CHANNEL_WEIGHTS = {
    "phone": 30,
    "email": 24,
    "chat": 13,
    "letter": 9,
    "in_person": 13,
    "self_service": 11,
}
# Share of base texts that get a third variant (the rest get two). Specialist texts are
# over-represented among the hand-written bases (every specialist service needs enough of them),
# so they get fewer third variants, which brings the corpus lines near the 80/20 split.
THIRD_VARIANT_SHARE = {"simple": 0.55, "specialist": 0.2}
DEPARTMENTS = ("OKF", "KFF", "BUF", "SUF", "SOF", "TMF", "BIF")


@dataclass(frozen=True)
class Base:
    base_id: str
    service_id: str
    language: str
    tags: tuple[str, ...]
    text: str
    source: str


# --------------------------------------------------------------------------------------------
# Reading the inputs
# --------------------------------------------------------------------------------------------


def read_catalogue(path: Path = CATALOGUE) -> dict[str, tuple[str, str]]:
    """Map service id -> (department, complexity).

    The catalogue is YAML; this reads only the three leading keys of each entry, which the
    catalogue always writes in this order, so that the build needs no YAML library.
    """
    text = path.read_text(encoding="utf-8")
    services: dict[str, tuple[str, str]] = {}
    pattern = re.compile(r"^- id: (\S+)\n  department: (\w+)\n  complexity: (\w+)$", re.M)
    for m in pattern.finditer(text):
        if m[1] in services:
            raise ValueError(f"duplicate service id in catalogue: {m[1]}")
        services[m[1]] = (m[2], m[3])
    entries = len(re.findall(r"^- id: ", text, re.M))
    if entries != len(services):
        raise ValueError(
            "catalogue entries must start with id, department, complexity in that order"
        )
    return services


def written_services(path: Path = CATALOGUE) -> set[str]:
    """The ids of the services whose answer is a decision or documentation given in writing."""
    written, current = set(), None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("- id: "):
            current = line.removeprefix("- id: ").strip()
        elif line.strip() == "written_decision: true" and current is not None:
            written.add(current)
    return written


def read_bases(base_dir: Path = BASE_DIR) -> list[Base]:
    bases: list[Base] = []
    for path in sorted(base_dir.glob("*.txt")):
        service = None
        for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            where = f"{path.name}:{lineno}"
            if line.startswith("@"):
                service = line[1:].strip()
                continue
            head, sep, text = line.partition(" | ")
            if not sep or not text.strip():
                raise ValueError(f"{where}: expected 'LANG [TAGS] | text'")
            if service is None:
                raise ValueError(f"{where}: text before the first '@ service-id'")
            lang, *tags = head.split()
            if lang not in ("da", "en"):
                raise ValueError(f"{where}: language must be da or en, got {lang!r}")
            unknown = set(tags) - {"hard", "note", "written", "report"}
            if unknown:
                raise ValueError(f"{where}: unknown tags {sorted(unknown)}")
            bases.append(
                Base(
                    base_id=f"b{len(bases) + 1:04d}",
                    service_id=service,
                    language=lang,
                    tags=tuple(tags),
                    text=text.strip().replace("\\n", "\n"),
                    source=where,
                )
            )
    return bases


def split_of(base_id: str) -> str:
    bucket = int(hashlib.sha256(f"{SEED}:split:{base_id}".encode()).hexdigest(), 16) % 100
    if bucket < 70:
        return "train"
    if bucket < 85:
        return "validation"
    return "test"


# --------------------------------------------------------------------------------------------
# Material for channel styling
# --------------------------------------------------------------------------------------------

STYLING: dict[str, Any] = json.loads(
    (ROOT / "training" / "corpus" / "styling.json").read_text(encoding="utf-8")
)
FIRST_NAMES_DA = STYLING["first_names_da"]
LAST_NAMES_DA = STYLING["last_names_da"]
NAMES_OTHER = STYLING["names_other"]
STREETS = STYLING["streets"]
POSTCODES = STYLING["postcodes"]
MAIL_DOMAINS = STYLING["mail_domains"]
CITIZEN_SERVICE_SITES = STYLING["citizen_service_sites"]
MONTHS_DA = STYLING["months_da"]
MONTHS_EN = STYLING["months_en"]
GREETINGS = STYLING["greetings"]
CLOSINGS = STYLING["closings"]
GENERIC_SUBJECTS = STYLING["generic_subjects"]
QUOTED_REPLIES = STYLING["quoted_replies"]
BOT_OPENERS = STYLING["bot_openers"]
AGENT_FILLERS = STYLING["agent_fillers"]
FORM_TOPICS = STYLING["form_topics"]
MIX_PHRASES = STYLING["mix_phrases"]
MIX_WORDS = STYLING["mix_words"]
NOTE_ABBREVIATIONS = STYLING["note_abbreviations"]
DA_THIRD_PERSON = STYLING["da_third_person"]


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9\"'])", text.strip())
    return [p for p in (s.strip() for s in parts) if p]


def person(rng: random.Random, language: str) -> str:
    if language == "en" or rng.random() < 0.25:
        return str(rng.choice(NAMES_OTHER))
    return f"{rng.choice(FIRST_NAMES_DA)} {rng.choice(LAST_NAMES_DA)}"


def phone_number(rng: random.Random) -> str:
    digits = f"{rng.choice('2345678')}{rng.randrange(10**7):07d}"
    form = rng.randrange(3)
    if form == 0:
        return " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    if form == 1:
        return "+45 " + " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    return digits


def email_address(rng: random.Random, name: str) -> str:
    ascii_name = name.lower()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ü", "u")):
        ascii_name = ascii_name.replace(a, b)
    first, *rest = ascii_name.split()
    last = rest[-1] if rest else "x"
    local = rng.choice(
        [
            f"{first}.{last}",
            f"{first}{rng.randrange(10, 99)}",
            f"{first[0]}{last}",
            f"{first}_{last}{rng.randrange(1950, 2005)}",
        ]
    )
    return f"{local}@{rng.choice(MAIL_DOMAINS)}"


def address(rng: random.Random) -> str:
    floor = rng.choice(["", ", st. tv.", ", 1. th.", ", 2. tv.", ", 3. mf.", ", 4. th.", ", 5."])
    return f"{rng.choice(STREETS)} {rng.randrange(1, 180)}{floor}\n{rng.choice(POSTCODES)}"


def date_text(rng: random.Random, language: str) -> str:
    day, month, year = rng.randrange(1, 29), rng.randrange(12), rng.choice([2023, 2024, 2025])
    if language == "da":
        return rng.choice(
            [
                f"{day}. {MONTHS_DA[month]} {year}",
                f"{day:02d}.{month + 1:02d}.{year}",
                f"København, den {day}. {MONTHS_DA[month]} {year}",
            ]
        )
    return rng.choice(
        [
            f"{day} {MONTHS_EN[month]} {year}",
            f"{MONTHS_EN[month]} {day}, {year}",
            f"{day:02d}/{month + 1:02d}/{year}",
        ]
    )


def clock(rng: random.Random) -> str:
    return f"{rng.randrange(8, 20):02d}:{rng.randrange(60):02d}"


def third_person(text: str, rng: random.Random) -> str:
    # Guess the caller's gender where the text gives it away, so a note never reads "han er gravid".
    if re.search(
        r"\b(gravid|min mand|min kæreste og jeg er gravide|alenemor|nybagt mor|jeg er mor)\b",
        text,
        re.I,
    ):
        female = True
    elif re.search(r"\b(min kone|min hustru|jeg er far|far på barsel)\b", text, re.I):
        female = False
    else:
        female = rng.random() < 0.5
    values = {
        "{P}": "Hun" if female else "Han",
        "{p}": "hun" if female else "han",
        "{o}": "hende" if female else "ham",
        "{g}": "hendes" if female else "hans",
        "{G}": "Hendes" if female else "Hans",
    }
    for pattern, repl in DA_THIRD_PERSON:
        text = re.sub(pattern, repl, text)
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def abbreviate(text: str, rng: random.Random) -> str:
    for pattern, repl in NOTE_ABBREVIATIONS:
        if rng.random() < 0.6:
            text = re.sub(pattern, repl, text, flags=re.I)
    return text


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


# --------------------------------------------------------------------------------------------
# Channel styles
# --------------------------------------------------------------------------------------------


def style_phone(base: Base, rng: random.Random) -> tuple[str, None]:
    text = base.text
    if "note" in base.tags:
        return abbreviate(text, rng), None
    call = rng.choice(["Opkald", "Tlf.", "Indgående opkald", "Samtale", "Tlf.notat"])
    callback = rng.random() < 0.55
    number = phone_number(rng)
    if base.language == "da":
        if rng.random() < 0.55:
            body = abbreviate(third_person(text, rng), rng)
            opener = rng.choice(
                [
                    "Borger ringer ang. følgende:",
                    "Borger ringer.",
                    "Borger ringer:",
                    f"{call} kl. {clock(rng)}. Borger oplyser:",
                    "B. ringer -",
                    "Pårørende/borger ringer:",
                ]
            )
        else:
            body = f'"{text}"'
            opener = rng.choice(
                [
                    "Borger ringer og siger:",
                    f"{call}: borger spørger",
                    "Citat borger:",
                    "Borger i telefonen:",
                ]
            )
        tail = (
            rng.choice(
                [
                    f" Ønsker tilbagekald på {number}.",
                    f" Tlf. {number}.",
                    " Ønsker tilbagekald.",
                    " Vejledt, men ønsker svar fra fagområdet.",
                    f" Tilbagekald ml. 9-12, tlf {number}.",
                    "",
                ]
            )
            if callback
            else ""
        )
        cpr = " CPR [CPR]." if rng.random() < 0.12 else ""
    else:
        if rng.random() < 0.5:
            opener = rng.choice(
                [
                    "Engelsktalende borger ringer:",
                    "Borger ringer (engelsk):",
                    "Opkald på engelsk. Borger siger:",
                ]
            )
        else:
            opener = rng.choice(
                [
                    "Caller (English) says:",
                    "Call from citizen:",
                    "Phone note - caller:",
                    "Inbound call, English-speaking:",
                ]
            )
        body = f'"{text}"'
        tail = (
            rng.choice(
                [
                    f" Callback requested on {number}.",
                    f" Ønsker tilbagekald, tlf {number}.",
                    " Wants a call back.",
                    f" Tlf. {number}.",
                    "",
                ]
            )
            if callback
            else ""
        )
        cpr = " CPR [CPR]." if rng.random() < 0.12 else ""
    return f"{opener} {body}{tail}{cpr}".strip(), None


def style_in_person(base: Base, rng: random.Random) -> tuple[str, None]:
    site = rng.choice(CITIZEN_SERVICE_SITES)
    if "note" in base.tags:
        return abbreviate(base.text, rng), None
    if base.language == "da":
        if rng.random() < 0.5:
            opener = rng.choice(
                [
                    f"Personligt fremmøde, Borgerservice {site}.",
                    f"Skranke {site}:",
                    "Borger møder op i Borgerservice.",
                    f"Fremmøde ({site}), borger spørger:",
                ]
            )
            body = abbreviate(third_person(base.text, rng), rng)
        else:
            opener = rng.choice(
                [
                    "Borger ved skranken:",
                    f"Borgerservice {site}, borger siger:",
                    "Henvendelse ved personligt fremmøde:",
                ]
            )
            body = f'"{base.text}"'
        tail = rng.choice(
            [
                "",
                "",
                " Har ikke MitID med.",
                " Viste pas.",
                " Kommer tilbage senere.",
                " Har fået udleveret vejledning.",
            ]
        )
    else:
        opener = rng.choice(
            [
                f"Walk-in at Citizen Service {site}, English-speaking:",
                f"Fremmøde {site}, borger taler engelsk:",
                "Personligt fremmøde (engelsk):",
                "Walk-in, citizen says:",
            ]
        )
        body = f'"{base.text}"'
        tail = rng.choice(
            [
                "",
                "",
                " Tolk ikke nødvendig.",
                " Needs interpreter next time.",
                " Har ikke CPR-nr. endnu.",
            ]
        )
    return f"{opener} {body}{tail}".strip(), None


def style_email(base: Base, rng: random.Random) -> tuple[str, str]:
    lang = base.language
    name = person(rng, lang)
    parts = sentences(base.text)
    if len(parts) > 2 and rng.random() < 0.5:
        cut = rng.randrange(1, len(parts))
        body = " ".join(parts[:cut]) + "\n\n" + " ".join(parts[cut:])
    else:
        body = base.text
    greeting = rng.choice(GREETINGS[lang])
    closing = rng.choice(CLOSINGS[lang])
    signature = name if rng.random() < 0.8 else name.split()[0]
    extra = []
    if rng.random() < 0.35:
        extra.append(
            ("Tlf. " if lang == "da" else rng.choice(["Phone: ", "Tel. ", "Mobile: "]))
            + phone_number(rng)
        )
    if rng.random() < 0.15:
        extra.append(address(rng))
    if rng.random() < 0.12:
        extra.append(("CPR: " if lang == "da" else rng.choice(["CPR: ", "CPR no. "])) + "[CPR]")
    if rng.random() < 0.15:
        extra.append(
            rng.choice(
                [
                    "Sendt fra min iPhone",
                    "Sent from my iPhone",
                    "Sendt fra Outlook til Android",
                    "Get Outlook for iOS",
                ]
            )
        )
    pieces = [greeting, body, "\n".join(x for x in [closing, signature, *extra] if x)]
    text = "\n\n".join(p for p in pieces if p)
    subject = (
        first_words_subject(base.text, rng)
        if rng.random() < 0.55
        else rng.choice(GENERIC_SUBJECTS[lang])
    )
    if rng.random() < 0.18:
        quoted = rng.choice(QUOTED_REPLIES[lang])
        sender = rng.choice(
            ["Borgerservice", "Københavns Kommune", "Kontaktcenter", "noreply@kk.dk"]
        )
        when = date_text(rng, lang)
        head = f"Den {when} skrev {sender}:" if lang == "da" else f"On {when}, {sender} wrote:"
        if rng.random() < 0.5:
            head = (
                "-----Oprindelig meddelelse-----\nFra: " + sender
                if lang == "da"
                else "-----Original Message-----\nFrom: " + sender
            )
        text += "\n\n" + head + "\n" + "\n".join("> " + line for line in wrap(quoted, 70, rng))
        subject = rng.choice(["SV: ", "Re: ", "RE: "]) + subject
    return text, subject


def first_words_subject(text: str, rng: random.Random) -> str:
    words = re.sub(r"[\"“”]", "", sentences(text)[0]).split()
    n = rng.randrange(3, 8)
    subject = " ".join(words[:n]).rstrip(".,!?:")
    if len(words) > n:
        subject += rng.choice(["...", "", " ..."])
    return subject


def style_chat(base: Base, rng: random.Random) -> tuple[str, None]:
    lang = base.language
    who_citizen = (
        rng.choice(["Borger", "Du", "Gæst"])
        if lang == "da"
        else rng.choice(["Citizen", "You", "Guest", "Borger"])
    )
    who_bot = (
        rng.choice(["Chatbot", "Kommunen", "Medarbejder"])
        if lang == "da"
        else rng.choice(["Chatbot", "Agent", "Medarbejder"])
    )
    stamps = rng.random() < 0.5
    t = rng.randrange(8 * 60, 19 * 60)

    def turn(who: str, msg: str) -> str:
        nonlocal t
        t += rng.randrange(0, 2)
        stamp = f"[{t // 60:02d}:{t % 60:02d}] " if stamps else ""
        return f"{stamp}{who}: {msg}"

    lines = []
    if rng.random() < 0.7:
        lines.append(turn(who_bot, rng.choice(BOT_OPENERS[lang])))
    if rng.random() < 0.4:
        lines.append(
            turn(who_citizen, rng.choice(["hej", "hej!", "hi", "hello", "hej hej", "goddag"]))
        )
    parts = sentences(base.text)
    casual = rng.random() < 0.6
    for i, part in enumerate(parts):
        msg = part
        if casual:
            msg = lower_first(msg).rstrip(".")
        lines.append(turn(who_citizen, msg))
        if i < len(parts) - 1 and rng.random() < 0.2:
            lines.append(turn(who_bot, rng.choice(AGENT_FILLERS[lang])))
    if rng.random() < 0.3:
        lines.append(turn(who_bot, rng.choice(AGENT_FILLERS[lang])))
    return "\n".join(lines), None


def wrap(text: str, width: int, rng: random.Random, hyphenate: bool = False) -> list[str]:
    out: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            if len(line) + len(word) + 1 > width and line:
                if hyphenate and len(word) > 6 and rng.random() < 0.35:
                    cut = rng.randrange(3, len(word) - 2)
                    out.append(f"{line} {word[:cut]}-")
                    line = word[cut:]
                    continue
                out.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        out.append(line)
    return out


OCR_SUBSTITUTIONS = [
    ("rn", "m"),
    ("m", "rn"),
    ("l", "1"),
    ("I", "l"),
    ("O", "0"),
    ("e", "c"),
    ("ø", "o"),
    ("å", "a"),
    ("æ", "ae"),
    ("h", "b"),
    ("cl", "d"),
    ("i", "í"),
    (",", "."),
    ("t", "f"),
]


def ocr_noise(text: str, rng: random.Random, rate: float) -> str:
    chars = []
    i = 0
    while i < len(text):
        done = False
        if rng.random() < rate:
            for src, dst in rng.sample(OCR_SUBSTITUTIONS, len(OCR_SUBSTITUTIONS)):
                if text.startswith(src, i):
                    chars.append(dst)
                    i += len(src)
                    done = True
                    break
        if not done:
            ch = text[i]
            if ch == " " and rng.random() < rate / 4:
                ch = rng.choice(["  ", "", " | "])
            chars.append(ch)
            i += 1
    return "".join(chars)


def style_letter(base: Base, rng: random.Random) -> tuple[str, None]:
    lang = base.language
    name = person(rng, lang)
    header = [name, address(rng)]
    if rng.random() < 0.3:
        header.append(("Tlf. " if lang == "da" else "Tel. ") + phone_number(rng))
    if rng.random() < 0.3:
        header.append("CPR-nr.: [CPR]" if lang == "da" else "CPR: [CPR]")
    recipient = rng.choice(
        [
            "Københavns Kommune\nBorgerservice",
            "Københavns Kommune",
            "Til kommunen",
            "Københavns Kommune\nKontaktcenter\nPostboks 457\n1505 København V",
            "",
        ]
    )
    regarding = ""
    if rng.random() < 0.5:
        regarding = ("Vedr.: " if lang == "da" else "Re: ") + first_words_subject(base.text, rng)
    salutation = rng.choice(GREETINGS[lang])
    closing = rng.choice(CLOSINGS[lang]) or (
        "Med venlig hilsen" if lang == "da" else "Yours sincerely"
    )
    body = "\n".join(wrap(base.text, rng.randrange(48, 72), rng, hyphenate=True))
    blocks = [
        "\n".join(header),
        recipient,
        date_text(rng, lang),
        regarding,
        salutation,
        body,
        f"{closing}\n\n{name}",
    ]
    text = "\n\n".join(b for b in blocks if b)
    text = ocr_noise(text, rng, rng.choice([0.005, 0.015, 0.03]))
    if rng.random() < 0.25:
        text += "\n" + rng.choice(["Side 1 af 1", "- 1 -", "Bilag: kopi af brev", "Bilag vedlagt"])
    return text, None


def style_self_service(base: Base, rng: random.Random) -> tuple[str, None]:
    lang = base.language
    if rng.random() < 0.4:
        return base.text, None
    name = person(rng, lang)
    labels = (
        ("Navn", "E-mail", "Telefon", "Emne", "Besked")
        if lang == "da" or rng.random() < 0.3
        else ("Name", "E-mail", "Phone", "Topic", "Message")
    )
    fields = [f"{labels[0]}: {name}"]
    if rng.random() < 0.8:
        fields.append(f"{labels[1]}: {email_address(rng, name)}")
    if rng.random() < 0.5:
        fields.append(f"{labels[2]}: {phone_number(rng)}")
    fields.append(f"{labels[3]}: {rng.choice(FORM_TOPICS[lang])}")
    fields.append(f"{labels[4]}: {base.text}")
    form = rng.choice(
        [
            "Kontaktformular - kk.dk",
            "Skriv til Københavns Kommune",
            "Webformular",
            "Contact form - kk.dk",
            "",
        ]
    )
    return "\n".join(([form] if form else []) + fields), None


STYLES = {
    "phone": style_phone,
    "email": style_email,
    "chat": style_chat,
    "letter": style_letter,
    "in_person": style_in_person,
    "self_service": style_self_service,
}


# --------------------------------------------------------------------------------------------
# Noise on top of the channel styling
# --------------------------------------------------------------------------------------------

KEYBOARD_NEIGHBOURS = {
    "a": "sq",
    "s": "ad",
    "d": "sf",
    "e": "wr",
    "r": "et",
    "t": "ry",
    "n": "bm",
    "m": "n",
    "i": "uo",
    "o": "ip",
    "l": "kø",
    "k": "jl",
    "g": "fh",
    "h": "gj",
    "u": "yi",
    "p": "oå",
    "v": "cb",
    "b": "vn",
}


def typos(text: str, rng: random.Random, count: int) -> str:
    chars = list(text)
    for _ in range(count):
        positions = [i for i, c in enumerate(chars) if c.isalpha()]
        if len(positions) < 10:
            break
        i = rng.choice(positions)
        kind = rng.randrange(4)
        if kind == 0 and i + 1 < len(chars) and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif kind == 1:
            del chars[i]
        elif kind == 2:
            chars.insert(i, chars[i])
        else:
            chars[i] = rng.choice(KEYBOARD_NEIGHBOURS.get(chars[i].lower(), chars[i]))
    return "".join(chars)


def strip_danish_letters(text: str, rng: random.Random) -> str:
    if rng.random() < 0.6:
        table = {"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"}
    else:
        table = {"æ": "a", "ø": "o", "å": "a", "Æ": "A", "Ø": "O", "Å": "A"}
    return "".join(table.get(c, c) for c in text)


def mix_language(text: str, rng: random.Random, language: str) -> str:
    swapped = False
    for word, other in MIX_WORDS[language]:
        if re.search(rf"\b{re.escape(word)}\b", text) and rng.random() < 0.7:
            text = re.sub(rf"\b{re.escape(word)}\b", other, text, count=1)
            swapped = True
    if swapped and rng.random() < 0.6:
        return text
    parts = sentences(text)
    parts.insert(rng.randrange(len(parts) + 1), rng.choice(MIX_PHRASES[language]))
    return " ".join(parts)


def add_contact_details(text: str, rng: random.Random, language: str, channel: str) -> str:
    if channel not in ("email", "chat", "self_service"):
        return text
    roll = rng.random()
    if roll < 0.08:
        return text + (" Mit cpr er [CPR]." if language == "da" else " My CPR is [CPR].")
    if roll < 0.14:
        return text + (
            f" Ring gerne på {phone_number(rng)}."
            if language == "da"
            else f" You can call me on {phone_number(rng)}."
        )
    if roll < 0.18:
        name = person(rng, language)
        return text + (
            f" Svar gerne på {email_address(rng, name)}"
            if language == "da"
            else f" Please reply to {email_address(rng, name)}"
        )
    return text


def add_noise(text: str, base: Base, channel: str, rng: random.Random, level: float) -> str:
    """Noise on the citizen's own words, before the channel's styling wraps them."""
    if rng.random() < 0.45 * level:
        text = typos(text, rng, rng.randrange(1, 2 + len(text) // 120))
    if (
        base.language == "da"
        and rng.random() < (0.3 if channel in ("chat", "self_service", "email") else 0.1) * level
    ):
        text = strip_danish_letters(text, rng)
    if rng.random() < 0.08 * level:
        text = mix_language(text, rng, base.language)
    return add_contact_details(text, rng, base.language, channel)


# --------------------------------------------------------------------------------------------
# Building the corpus
# --------------------------------------------------------------------------------------------


def pick_channels(base: Base, complexity: str, rng: random.Random) -> list[str]:
    pool = {"phone": 3, "in_person": 1} if "note" in base.tags else dict(CHANNEL_WEIGHTS)
    wanted = 3 if rng.random() < THIRD_VARIANT_SHARE[complexity] else 2
    chosen: list[str] = []
    while pool and len(chosen) < wanted:
        names = list(pool)
        channel = rng.choices(names, weights=[pool[n] for n in names])[0]
        chosen.append(channel)
        del pool[channel]
    return chosen


def written_decision(base: Base, written: frozenset[str] | set[str]) -> bool:
    """Whether the line's answer must be given in writing: a report or a request to be
    contacted is answered by a person, whatever its service decides; else the tag `written` or
    the service."""
    if "report" in base.tags:
        return False
    return base.service_id in written or "written" in base.tags


def build(
    bases: list[Base],
    services: dict[str, tuple[str, str]],
    written: frozenset[str] | set[str] = frozenset(),
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for base in bases:
        department, complexity = services[base.service_id]
        channels = pick_channels(base, complexity, random.Random(f"{SEED}:channels:{base.base_id}"))
        for k, channel in enumerate(channels):
            rng = random.Random(f"{SEED}:{base.base_id}:{k}:{channel}")
            # The first variant stays close to what the author wrote; later ones get more noise.
            noisy = add_noise(base.text, base, channel, rng, level=0.5 if k == 0 else 1.0)
            text, subject = STYLES[channel](dataclasses.replace(base, text=noisy), rng)
            if channel == "chat" and rng.random() < 0.25:
                text = text.lower()
            if subject is not None and base.language == "da" and rng.random() < 0.15:
                subject = strip_danish_letters(subject, rng)
            rows.append(
                {
                    "id": f"c{len(rows) + 1:05d}",
                    "base_id": base.base_id,
                    "channel": channel,
                    "language": base.language,
                    "subject": subject,
                    "text": text,
                    "complexity": complexity,
                    "department": department,
                    "service_id": base.service_id,
                    "written_decision": written_decision(base, written),
                    "split": split_of(base.base_id),
                }
            )
    return rows


def check(bases: list[Base], services: dict[str, tuple[str, str]]) -> list[str]:
    problems = []
    for base in bases:
        if base.service_id not in services:
            problems.append(f"{base.source}: unknown service {base.service_id!r}")
    texts = collections.Counter(b.text.lower() for b in bases)
    problems += [f"duplicate base text: {t[:60]!r}" for t, n in texts.items() if n > 1]
    per_service = collections.Counter(b.service_id for b in bases)
    problems += [
        f"service {s} has {per_service[s]} base texts (< 5)" for s in services if per_service[s] < 5
    ]
    departments = {d for d, _ in services.values()}
    if departments != set(DEPARTMENTS):
        problems.append(f"catalogue departments {sorted(departments)} != {list(DEPARTMENTS)}")
    return problems


def table(
    title: str,
    counter: collections.Counter[str],
    order: list[str] | None = None,
    unit: str = "lines",
) -> str:
    keys = order or sorted(counter)
    total = sum(counter.values())
    lines = [f"| {title} | {unit} | share |", "| --- | ---: | ---: |"]
    lines += [
        f"| {k} | {counter[k]} | {100 * counter[k] / total:.1f} % |" for k in keys if counter[k]
    ]
    lines.append(f"| total | {total} | |")
    return "\n".join(lines)


def stats(
    rows: list[dict[str, Any]], bases: list[Base], services: dict[str, tuple[str, str]]
) -> str:
    out = ["### Base texts (hand-written)", ""]
    by_base = {
        "complexity": (collections.Counter(services[b.service_id][1] for b in bases), None),
        "language": (collections.Counter(b.language for b in bases), None),
        "department": (
            collections.Counter(services[b.service_id][0] for b in bases),
            list(DEPARTMENTS),
        ),
        "split": (
            collections.Counter(split_of(b.base_id) for b in bases),
            ["train", "validation", "test"],
        ),
    }
    for title, (counter, order) in by_base.items():
        out += [table(title, counter, order, unit="base texts"), ""]
    hard = sum("hard" in b.tags for b in bases)
    note = sum("note" in b.tags for b in bases)
    per_service = collections.Counter(b.service_id for b in bases)
    out += [
        f"{len(bases)} base texts for {len(per_service)} services "
        f"(min {min(per_service.values())}, max {max(per_service.values())} per service); "
        f"{hard} tagged hard, {note} written as agent notes.",
        "",
    ]
    out += ["### Corpus lines (base texts styled per channel, with noise)", ""]
    out.append(table("channel", collections.Counter(r["channel"] for r in rows), list(CHANNELS)))
    out += ["", table("language", collections.Counter(r["language"] for r in rows))]
    out += ["", table("complexity", collections.Counter(r["complexity"] for r in rows))]
    out += [
        "",
        table("department", collections.Counter(r["department"] for r in rows), list(DEPARTMENTS)),
    ]
    out += [
        "",
        table(
            "split", collections.Counter(r["split"] for r in rows), ["train", "validation", "test"]
        ),
    ]
    by_split: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for r in rows:
        by_split[r["split"]][r["complexity"]] += 1
    out += ["", "| split | simple | specialist |", "| --- | ---: | ---: |"]
    out += [
        f"| {s} | {by_split[s]['simple']} | {by_split[s]['specialist']} |"
        for s in ("train", "validation", "test")
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="validate the inputs, write nothing")
    parser.add_argument("--stats", action="store_true", help="print counts as Markdown tables")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    services = read_catalogue()
    bases = read_bases()
    problems = check(bases, services)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    rows = build(bases, services, written_services())
    if not args.check:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(
            f"wrote {len(rows)} lines from {len(bases)} base texts to {args.out.relative_to(ROOT)}"
        )
    if args.stats:
        print(stats(rows, bases, services))
    return 0


if __name__ == "__main__":
    sys.exit(main())
