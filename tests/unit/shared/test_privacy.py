"""A citizen's data found and erased across the stores by citizen key, with a record of the
erasure and not of the data; each store's purge by age (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from privacy.__main__ import main as privacy_main
from privacy.erasure import Stores, erase, find, key_of_cpr
from privacy.store import ErasureLog
from services.intake.settings import IntakeSettings
from services.intake.store import Claim, Originals, SeenMessages
from services.intake.store import expiries as intake_expiries
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from services.reply.store import expiries as reply_expiries
from services.triage.settings import TriageSettings
from services.triage.store import CorrectionStore
from services.triage.store import expiries as triage_expiries
from shared.database import make_engine
from shared.events import Attachment, InquiryTriaged
from shared.retention import run_purges
from shared.settings import ServiceSettings
from shared.vocabulary import CaseworkerActionKind as Kind
from tests.unit.reply.inquiries import CALENDAR, action, add, local, triaged

SALT = "unit-test-salt-for-citizen-keys"
KEY_A = key_of_cpr("120385-1234", SALT)
KEY_B = key_of_cpr("070761-4285", SALT)
PDF = b"%PDF-1.4 a scanned letter"


@pytest.fixture
def stores(database_url: str) -> Stores:
    # One database may hold every service's tables: their names carry the service's.
    engine = make_engine(ServiceSettings(database_url=database_url))
    return Stores(intake=engine, triage=engine, reply=engine, log=engine)


def with_attachment(event: InquiryTriaged, data: bytes) -> InquiryTriaged:
    attachment = Attachment(
        filename="brev.pdf",
        content_type="application/pdf",
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    inquiry = event.inquiry.model_copy(update={"attachments": [attachment]})
    return event.model_copy(update={"inquiry": inquiry})


def fill(stores: Stores) -> dict[str, InquiryTriaged]:
    events = {
        "a1": with_attachment(triaged(citizen_key=KEY_A), PDF),
        "a2": triaged(citizen_key=KEY_A, text="About my housing benefit."),
        "b1": with_attachment(triaged(citizen_key=KEY_B), PDF + b" of another citizen"),
    }
    CorrectionStore(stores.triage).remember_triaged(events.values())
    reply = ReplyStore(stores.reply)
    for name in ("a1", "b1"):  # a2 has no plan yet: triage's store alone knows it
        add(reply, events[name], due=local(2026, 12, 7, 16))
    SeenMessages(stores.intake).claim(
        [
            Claim("email", e.inquiry.channel_message_id, e.inquiry_id, f"raw:0:{n}")
            for n, e in enumerate(events.values())
        ]
    )
    Originals(stores.intake).keep(
        [(a.sha256, a.content_type, d) for d, a in
         ((PDF, events["a1"].inquiry.attachments[0]),
          (PDF + b" of another citizen", events["b1"].inquiry.attachments[0]))]
    )  # fmt: skip
    return events


def test_a_citizens_inquiries_are_found_by_key_in_every_store(stores: Stores) -> None:
    events = fill(stores)
    found = find(stores, KEY_A)
    assert found.inquiry_ids == {events["a1"].inquiry_id, events["a2"].inquiry_id}
    assert found.attachments == {events["a1"].inquiry.attachments[0].sha256}
    assert found.open_plans == 1


def test_erasure_removes_the_citizen_everywhere_keeps_others_and_records_only_counts(
    stores: Stores,
) -> None:
    events = fill(stores)
    record = erase(stores, KEY_A, requested_by="DPO Hansen", reference="J.nr. 2026-0042")

    assert record.inquiries == 2
    assert record.rows == {
        "reply plans, pauses and actions": 1,
        "triage words and corrections": 2,
        "intake channel ids": 2,
        "intake attachments": 1,
    }
    assert find(stores, KEY_A).inquiry_ids == set()
    reply, intake = ReplyStore(stores.reply), Originals(stores.intake)
    assert reply.plan_for(events["a1"].inquiry_id) is None
    assert intake.get(events["a1"].inquiry.attachments[0].sha256) is None
    seen = set(
        SeenMessages(stores.intake).claimants(
            ("email", e.inquiry.channel_message_id) for e in events.values()
        )
    )
    assert seen == {("email", events["b1"].inquiry.channel_message_id)}
    # The other citizen is untouched.
    assert reply.plan_for(events["b1"].inquiry_id) is not None
    assert intake.get(events["b1"].inquiry.attachments[0].sha256) is not None
    assert find(stores, KEY_B).inquiry_ids == {events["b1"].inquiry_id}

    logged = ErasureLog(stores.log).of_citizen(KEY_A)
    assert [r.erasure_id for r in logged] == [record.erasure_id]
    kept = logged[0].model_dump_json()
    assert "passport" not in kept.lower()
    assert "housing" not in kept.lower()
    assert "karen" not in kept.lower()


def test_the_purges_delete_by_age_and_leave_open_plans(stores: Stores) -> None:
    events = fill(stores)
    reply = ReplyStore(stores.reply)
    reply.apply_action(action(events["a1"], Kind.RESOLVE, local(2026, 12, 4, 12)), CALENDAR)
    later = datetime.now(UTC) + timedelta(days=400)

    assert run_purges(reply_expiries(ReplySettings(), stores.reply), now=later) == {
        "closed plans with their pauses and actions": 2  # the plan and its action
    }
    assert reply.plan_for(events["a1"].inquiry_id) is None
    assert reply.plan_for(events["b1"].inquiry_id) is not None  # open: a caseworker needs it

    assert run_purges(intake_expiries(IntakeSettings(), stores.intake)) == {
        "stored originals": 0,
        "seen message ids": 0,
    }
    assert run_purges(intake_expiries(IntakeSettings(), stores.intake), now=later) == {
        "stored originals": 2,
        "seen message ids": 3,
    }
    assert run_purges(triage_expiries(TriageSettings(), stores.triage), now=later) == {
        "triaged inquiries' words and corrections": 3
    }


def test_the_dpo_command_erases_by_key_and_prints_counts_not_data(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    engine = make_engine(ServiceSettings(database_url=database_url))
    events = fill(Stores(intake=engine, triage=engine, reply=engine, log=engine))

    assert privacy_main(["find", "--citizen-key", KEY_A]) == 0
    assert "2 inquiries (1 with an open reply plan), 1 attachments" in capsys.readouterr().out
    erased = ["erase", "--citizen-key", KEY_A, "--by", "DPO", "--reference", "J.nr. 7"]
    assert privacy_main(erased) == 0
    out = capsys.readouterr().out
    assert "2 inquiries" in out
    assert "copies on the bus expire by" in out
    assert events["a1"].inquiry.text not in out
    assert privacy_main(["log", "--citizen-key", KEY_A]) == 0
    assert "by DPO (J.nr. 7): 2 inquiries" in capsys.readouterr().out


def test_a_cpr_number_becomes_the_key_intake_gives() -> None:
    assert key_of_cpr("120385-1234", SALT) == key_of_cpr("1203851234", SALT)
    with pytest.raises(ValueError, match="not one valid CPR number"):
        key_of_cpr("12345", SALT)
