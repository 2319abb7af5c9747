"""The record of each erasure: who asked, under which reference, when, and how many rows went
from which store. It names the citizen only by the salted citizen key, so that an erasure can be
applied again after a restore from backup; it keeps nothing of what was erased."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from sqlalchemy import Column, String
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select


class ErasureRecord(SQLModel, table=True):
    __tablename__ = "privacy_erasure"

    erasure_id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    citizen_key: str = Field(index=True, max_length=128)
    requested_by: str = Field(max_length=200)
    reference: str = Field(max_length=200, description="The request's case or journal number")
    erased_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    inquiries: int
    rows_json: str = Field(sa_column=Column(String, nullable=False))  # {store: rows deleted}

    @property
    def rows(self) -> dict[str, int]:
        return dict(json.loads(self.rows_json))


class ErasureLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, record: ErasureRecord) -> ErasureRecord:
        with Session(self.engine, expire_on_commit=False) as session:
            session.add(record)
            session.commit()
        return record

    def of_citizen(self, citizen_key: str) -> list[ErasureRecord]:
        """The citizen's erasures, oldest first."""
        query = select(ErasureRecord).where(ErasureRecord.citizen_key == citizen_key)
        with Session(self.engine) as session:
            return list(session.exec(query.order_by(col(ErasureRecord.erased_at))))
