"""Caseworkers' corrections from triage's store, as training examples."""

from __future__ import annotations

from pathlib import Path

from services.triage.settings import TriageSettings
from training.evaluation import Labelled


def load_corrections(source: str, settings: TriageSettings) -> list[Labelled]:
    """'none', 'store' (the database the service is configured with, when it exists) or a URL."""
    if source == "none":
        return []
    if source == "store":
        if settings.database_url:
            url = settings.sqlalchemy_url()
        else:
            path = settings.state_dir / f"{settings.topic_prefix}{settings.service_name}.db"
            if not Path(path).exists():
                return []
            url = f"sqlite:///{path}"
    else:
        url = source.replace("postgresql://", "postgresql+psycopg://", 1)

    from sqlmodel import create_engine

    from services.triage.store import CorrectionStore

    engine = create_engine(url)
    try:
        rows = CorrectionStore(engine).labelled()
    finally:
        engine.dispose()
    return [
        Labelled(
            key=row.inquiry_id,
            channel=row.channel,
            language=row.language,
            subject=row.subject,
            text=row.text,
            complexity=row.complexity,
            department=row.department,
        )
        for row in rows
    ]
