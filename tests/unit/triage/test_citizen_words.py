"""What the model reads: the citizen's own words, however the channel wrapped them."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from services.triage import citizen_words as preparation
from services.triage.catalogue import fold
from services.triage.citizen_words import citizen_words
from training.evaluation import corpus_rows, demo_feed


def test_a_chat_transcript_reads_as_the_citizens_turns_only() -> None:
    transcript = (
        "[08:51] Chatbot: Hej! Jeg er kommunens chatbot. Hvad drejer din henvendelse sig om?\n"
        "[08:51] Borger: min skraldespand er ikke tømt\n"
        "[08:52] Medarbejder: Et øjeblik, jeg kigger på det."
    )
    assert citizen_words(None, transcript) == "min skraldespand er ikke tomt"


def test_a_quoted_reply_from_the_municipality_is_not_the_citizens_matter() -> None:
    mail = (
        "Hej, jeg har stadig ikke fået mit pas.\n\n"
        "-----Oprindelig meddelelse-----\nFra: Københavns Kommune\n"
        "> Tak for din henvendelse om boligstøtte."
    )
    assert "boligstotte" not in citizen_words("SV: pas", mail)
    assert citizen_words("SV: pas", mail).startswith("sv: pas")


def test_spellings_without_danish_letters_meet_the_proper_ones() -> None:
    assert citizen_words(None, "boligstøtte") == citizen_words(None, "boligstoette")
    assert citizen_words(None, "Boligstøtte") == citizen_words(None, "boligstotte")


def test_numbers_and_addresses_are_not_evidence() -> None:
    assert (
        citizen_words(None, "ring på 21 43 65 87 eller skriv til a@b.dk")
        == "ring pa 0 0 0 0 eller skriv til"
    )


def _citizen_words_before(subject: str | None, text: str) -> str:
    """citizen_words as it was before its spacing and address steps were made faster."""
    folded = fold(f"{subject or ''}\n{text}")
    header = preparation._QUOTE_HEADER.search(folded)
    if header:
        folded = folded[: header.start()]
    folded = preparation._QUOTED_LINE.sub("", folded)
    folded = preparation._MUNICIPAL_TURN.sub("", folded)
    folded = preparation._CITIZEN_TURN.sub("", folded)
    folded = re.sub(r"\S+@\S+", " ", folded)
    folded = re.sub(r"\d+", "0", folded)
    return re.sub(r"[ \t]+", " ", folded).strip()


def test_the_corpus_and_the_demo_feed_read_as_before() -> None:
    texts = [(r.get("subject"), r["text"]) for r in corpus_rows()]
    texts += [(item.subject, item.text) for item in demo_feed()[0]]
    for subject, text in texts:
        assert citizen_words(subject, text) == _citizen_words_before(subject, text)


@given(st.text(alphabet=st.sampled_from("ab æ@.-\t \n\r>:0123x\xa0"), max_size=80))
def test_any_text_reads_as_before(text: str) -> None:
    assert citizen_words(None, text) == _citizen_words_before(None, text)
