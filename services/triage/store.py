"""Triage's memory for learning: the words of each triaged inquiry and the caseworkers' reroutes.

A reroute on `caseworker.actions` names the inquiry and where it should have gone; joined to the
inquiry's words it is a labelled example, and `make train` adds these to the corpus.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from services.triage.labelled import LabelledInquiry
from services.triage.settings import TriageSettings
from shared.database import insert_new
from shared.events import CaseworkerAction, InquiryTriaged
from shared.retention import Expiry, delete_rows
from shared.vocabulary import (
    CITIZEN_SERVICE_QUEUE,
    CONTACT_CENTRE_QUEUE,
    CaseworkerActionKind,
    Complexity,
    Department,
)


class TriagedInquiry(SQLModel, table=True):
    """The words triage decided on, kept so that a later correction has something to learn from."""

    __tablename__ = "triage_inquiry"

    inquiry_id: uuid.UUID = Field(primary_key=True)
    # The salted hash of the citizen's CPR number, when the inquiry gave one: what an erasure finds.
    citizen_key: str | None = Field(default=None, index=True, max_length=128)
    channel: str
    language: str
    subject: str | None = None
    text: str
    complexity: str
    department: str
    model_version: str
    triaged_at: datetime


class Correction(SQLModel, table=True):
    """A caseworker's reroute: the complexity and department the inquiry should have had."""

    __tablename__ = "triage_correction"

    event_id: uuid.UUID = Field(primary_key=True)
    inquiry_id: uuid.UUID = Field(index=True)
    complexity: str
    department: str
    from_queue: str
    to_queue: str | None = None
    caseworker: str
    corrected_at: datetime


def correction_of(action: CaseworkerAction, triaged_department: str | None) -> Correction | None:
    """The label a reroute implies, or None when it implies none (not a reroute, or to manual
    triage, or a simple queue with no department known)."""
    if action.action is not CaseworkerActionKind.REROUTE or action.inquiry_id is None:
        return None
    complexity, department = action.to_complexity, action.to_department
    queue = action.to_queue or ""
    if complexity is None:
        if queue.startswith("specialist."):
            complexity = Complexity.SPECIALIST
        elif queue in (CONTACT_CENTRE_QUEUE, CITIZEN_SERVICE_QUEUE):
            complexity = Complexity.SIMPLE
    if department is None and queue.startswith("specialist."):
        department = Department(queue.removeprefix("specialist."))
    known = triaged_department or (action.from_department.value if action.from_department else None)
    decided_department = department.value if department else known
    if complexity in (None, Complexity.UNDETERMINED) or decided_department is None:
        return None
    assert complexity is not None
    return Correction(
        event_id=action.event_id,
        inquiry_id=action.inquiry_id,
        complexity=complexity.value,
        department=decided_department,
        from_queue=action.queue,
        to_queue=action.to_queue,
        caseworker=action.caseworker,
        corrected_at=action.occurred_at,
    )


class CorrectionStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def remember_triaged(self, events: Iterable[InquiryTriaged]) -> int:
        now = datetime.now(UTC)
        rows = {
            e.inquiry_id: {
                "inquiry_id": e.inquiry_id,
                "citizen_key": e.inquiry.citizen_key,
                "channel": e.inquiry.channel.value,
                "language": e.inquiry.language.value,
                "subject": e.inquiry.subject,
                "text": e.inquiry.text,
                "complexity": e.decision.complexity.value,
                "department": e.decision.department.value,
                "model_version": e.decision.model_version,
                "triaged_at": now,
            }
            for e in events
            if e.inquiry_id is not None
        }
        return insert_new(self.engine, TriagedInquiry, list(rows.values()))

    def purge(self, before: datetime) -> int:
        """Words and corrections older than the retention: learning keeps a recent window."""
        words = delete_rows(self.engine, TriagedInquiry, col(TriagedInquiry.triaged_at) < before)
        return words + delete_rows(self.engine, Correction, col(Correction.corrected_at) < before)

    def inquiries_of_citizen(self, citizen_key: str) -> list[uuid.UUID]:
        with Session(self.engine) as session:
            found = session.exec(
                select(TriagedInquiry.inquiry_id).where(TriagedInquiry.citizen_key == citizen_key)
            )
            return list(found.all())

    def forget_inquiries(self, inquiry_ids: Iterable[uuid.UUID]) -> int:
        """A citizen's erasure: the words of their inquiries and the reroutes learnt from them."""
        ids = list(inquiry_ids)
        words = delete_rows(self.engine, TriagedInquiry, col(TriagedInquiry.inquiry_id).in_(ids))
        return words + delete_rows(self.engine, Correction, col(Correction.inquiry_id).in_(ids))

    def departments_of(self, inquiry_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        wanted = list(set(inquiry_ids))
        found: dict[uuid.UUID, str] = {}
        with Session(self.engine) as session:
            for start in range(0, len(wanted), 400):
                chunk = wanted[start : start + 400]
                rows = session.exec(
                    select(TriagedInquiry.inquiry_id, TriagedInquiry.department).where(
                        col(TriagedInquiry.inquiry_id).in_(chunk)
                    )
                )
                found.update(dict(rows.all()))
        return found

    def record(self, actions: Sequence[CaseworkerAction]) -> int:
        """Store the corrections the reroutes imply; a redelivered action is stored once."""
        reroutes = [a for a in actions if a.action is CaseworkerActionKind.REROUTE]
        known = self.departments_of(a.inquiry_id for a in reroutes if a.inquiry_id)
        rows = [
            c.model_dump()
            for a in reroutes
            if (c := correction_of(a, known.get(a.inquiry_id) if a.inquiry_id else None))
        ]
        return insert_new(self.engine, Correction, rows)

    def corrections(self) -> list[Correction]:
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(Correction).order_by(
                        col(Correction.corrected_at), col(Correction.event_id)
                    )
                ).all()
            )

    def labelled(self) -> list[LabelledInquiry]:
        """Corrected inquiries with their words; the latest correction of an inquiry wins."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(Correction, TriagedInquiry)
                .join(TriagedInquiry, col(TriagedInquiry.inquiry_id) == col(Correction.inquiry_id))
                .order_by(col(Correction.corrected_at), col(Correction.event_id))
            ).all()
        latest = {
            correction.inquiry_id: LabelledInquiry(
                key=str(inquiry.inquiry_id),
                channel=inquiry.channel,
                language=inquiry.language,
                subject=inquiry.subject,
                text=inquiry.text,
                complexity=correction.complexity,
                department=correction.department,
                corrected_by_event=str(correction.event_id),
            )
            for correction, inquiry in rows
        }
        return sorted(latest.values(), key=lambda r: r.key)


def expiries(settings: TriageSettings, engine: Engine) -> list[Expiry]:
    """What triage keeps and for how long (docs/privacy.md)."""
    store = CorrectionStore(engine)
    return [
        Expiry(
            "triaged inquiries' words and corrections", settings.inquiry_retention_days, store.purge
        )
    ]
