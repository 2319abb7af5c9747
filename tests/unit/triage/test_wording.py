"""What the model reads: the citizen's own words, however the channel wrapped them."""

from __future__ import annotations

from services.triage.wording import citizen_words


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
