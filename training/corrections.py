"""Caseworkers' corrections from triage's store, as training examples."""

from __future__ import annotations

from services.triage.labelled import LabelledInquiry
from services.triage.settings import TriageSettings


def load_corrections(source: str, settings: TriageSettings) -> list[LabelledInquiry]:
    """'none', 'store' (the database the service is configured with, when it exists) or a URL."""
    if source == "none":
        return []
    if source != "store":
        settings = settings.model_copy(update={"database_url": source})
    elif (
        not settings.database_url
        and not (settings.state_dir / f"{settings.topic_prefix}{settings.service_name}.db").exists()
    ):
        return []  # no service has run here: no corrections yet
    url = settings.sqlalchemy_url()

    from sqlmodel import create_engine

    from services.triage.store import CorrectionStore

    engine = create_engine(url)
    try:
        return CorrectionStore(engine).labelled()
    finally:
        engine.dispose()
