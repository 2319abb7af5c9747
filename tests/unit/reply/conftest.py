"""The reply store every store test uses: on SQLite and PostgreSQL, migrated (tests/conftest.py)."""

from __future__ import annotations

import pytest

from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from shared.database import make_engine


@pytest.fixture
def store(database_url: str) -> ReplyStore:
    return ReplyStore(make_engine(ReplySettings(database_url=database_url)))
