"""Finding and erasing one citizen's data in every store that holds inquiry text, by citizen key
(the salted hash of the CPR number that intake puts on each inquiry that gave one).

Reply's plans and triage's words are found by the key; their inquiry ids then find intake's
channel ids and the attachments' bytes. The bus itself cannot delete single records: what the
topics hold expires with their retention (docs/privacy.md), and the record says when."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from privacy.store import ErasureLog, ErasureRecord
from services.intake.cpr import citizen_key, redact
from services.intake.settings import IntakeSettings
from services.intake.store import Originals, SeenMessages
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from services.triage.settings import TriageSettings
from services.triage.store import CorrectionStore
from shared.database import make_engine
from shared.schema import migrate, migrated_engine
from shared.settings import ServiceSettings


def key_of_cpr(cpr_number: str, salt: str) -> str:
    """The citizen key intake gives inquiries that carry this CPR number."""
    found = redact(cpr_number).cpr_numbers
    if len(found) != 1:
        raise ValueError("not one valid CPR number (DDMMYY-SSSS)")
    return citizen_key(found[0], salt)


@dataclass
class Stores:
    """The services' stores, each on its own service's database settings."""

    intake: Engine
    triage: Engine
    reply: Engine
    log: Engine

    @classmethod
    def from_environment(cls) -> Stores:
        def own_log(settings: ServiceSettings) -> Engine:
            engine = make_engine(settings)
            migrate(engine)
            return engine

        return cls(
            intake=migrated_engine(IntakeSettings()),
            triage=migrated_engine(TriageSettings()),
            reply=migrated_engine(ReplySettings()),
            # The erasure log is this command's own store: it brings it to the newest schema.
            log=own_log(ServiceSettings(service_name="privacy")),
        )

    def dispose(self) -> None:
        for engine in (self.intake, self.triage, self.reply, self.log):
            engine.dispose()


@dataclass
class Found:
    inquiry_ids: set[uuid.UUID] = field(default_factory=set)
    attachments: set[str] = field(default_factory=set)
    open_plans: int = 0


def find(stores: Stores, key: str) -> Found:
    found = Found()
    for plan in ReplyStore(stores.reply).citizen_plans(key):
        found.inquiry_ids.add(plan.inquiry_id)
        found.attachments.update(a.sha256 for a in plan.routed.inquiry.attachments)
        found.open_plans += plan.is_open
    found.inquiry_ids.update(CorrectionStore(stores.triage).inquiries_of_citizen(key))
    return found


def erase(stores: Stores, key: str, *, requested_by: str, reference: str) -> ErasureRecord:
    """Delete everything of the citizen's inquiries in every store; record that it was done."""
    found = find(stores, key)
    ids = sorted(found.inquiry_ids)
    rows = {
        "reply plans, pauses and actions": ReplyStore(stores.reply).forget_inquiries(ids),
        "triage words and corrections": CorrectionStore(stores.triage).forget_inquiries(ids),
        "intake channel ids": SeenMessages(stores.intake).forget_inquiries(ids),
        "intake attachments": Originals(stores.intake).forget(found.attachments),
    }
    record = ErasureRecord(
        citizen_key=key,
        requested_by=requested_by,
        reference=reference,
        inquiries=len(ids),
        rows_json=json.dumps(rows),
    )
    return ErasureLog(stores.log).add(record)


def bus_expiry(settings: ServiceSettings, erased_at: datetime) -> datetime:
    """When the last copy on the bus is gone: the longest topic retention after the erasure."""
    longest = max(settings.topic_retention_ms, settings.raw_topic_retention_ms)
    return erased_at.astimezone(UTC) + timedelta(milliseconds=longest)
