from __future__ import annotations

import hashlib
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import event

from services.intake.settings import IntakeSettings
from services.intake.store import Claim, SeenMessages
from shared.database import make_engine
from tests.conftest import migrated


def _claims(*entries: tuple[str, str, str]) -> list[Claim]:
    return [Claim(channel, message_id, None, record) for channel, message_id, record in entries]


def test_seen_message_ids_survive_a_restart_and_repeat_without_error(database_url: str) -> None:
    settings = IntakeSettings(database_url=database_url)
    first = SeenMessages(make_engine(settings))
    inquiry_id = uuid.uuid4()
    first.claim(
        [Claim("email", "<a@x>", inquiry_id, "raw:0:1"), *_claims(("phone", "ph-1", "raw:1:1"))]
    )
    first.claim([Claim("email", "<a@x>", inquiry_id, "raw:0:1")])  # a replay after a crash
    first.engine.dispose()

    restarted = SeenMessages(make_engine(settings))
    assert set(
        restarted.claimants([("email", "<a@x>"), ("email", "<b@x>"), ("phone", "ph-1")])
    ) == {
        ("email", "<a@x>"),
        ("phone", "ph-1"),
    }


def test_a_message_id_belongs_to_the_first_record_that_claims_it(database_url: str) -> None:
    seen = SeenMessages(make_engine(IntakeSettings(database_url=database_url)))
    # Two copies in one batch: the first in the batch's order wins.
    assert seen.claim(_claims(("email", "<a@x>", "raw:0:7"), ("email", "<a@x>", "raw:2:3"))) == {
        ("email", "<a@x>"): "raw:0:7"
    }
    # Read again after its commit was aborted, the claimant still holds it; a copy read later
    # (first in its batch this time) does not take it over.
    assert seen.claim(_claims(("email", "<a@x>", "raw:2:3"), ("email", "<a@x>", "raw:0:7"))) == {
        ("email", "<a@x>"): "raw:0:7"
    }
    assert seen.claim(_claims(("chat", "<a@x>", "raw:2:3"))) == {("chat", "<a@x>"): "raw:2:3"}
    seen.engine.dispose()


def test_instances_claiming_one_id_at_once_find_one_claimant(database_url: str) -> None:
    """Two intake instances read two copies of a message at the same moment (an adapter that
    sends it twice without a key): the database's unique key makes one of them its claimant."""
    settings = IntakeSettings(database_url=database_url)
    stores = [SeenMessages(make_engine(settings)) for _ in range(4)]
    ids = [f"<{n}@x>" for n in range(200)]
    start = threading.Barrier(len(stores))

    def claim_all(n: int) -> dict[tuple[str, str], str | None]:
        start.wait()
        return stores[n].claim(_claims(*(("email", i, f"raw:{n}:{k}") for k, i in enumerate(ids))))

    with ThreadPoolExecutor(len(stores)) as pool:
        answers = list(pool.map(claim_all, range(len(stores))))
    for key in answers[0]:
        assert len({answer[key] for answer in answers}) == 1, key
    for store in stores:
        store.engine.dispose()


def test_originals_are_kept_once_by_content_and_read_back(database_url: str) -> None:
    from services.intake.store import Originals

    store = Originals(make_engine(IntakeSettings(database_url=database_url)))
    pdf = b"%PDF-1.4 \x00\xff binary bytes"
    digest = hashlib.sha256(pdf).hexdigest()
    store.keep([(digest, "application/pdf", pdf), (digest, "application/pdf", pdf)])
    store.keep([(digest, "application/pdf", pdf)])  # a redelivery: no error, nothing doubled
    kept = store.get(digest)
    assert kept is not None
    assert (kept.data, kept.content_type, kept.size_bytes) == (pdf, "application/pdf", len(pdf))
    assert store.get("0" * 64) is None
    store.engine.dispose()


def test_seen_ids_are_found_among_many_on_every_channel(database_url: str) -> None:
    seen = SeenMessages(make_engine(IntakeSettings(database_url=database_url)))
    channels = ["email", "phone", "letter"]
    seen.claim(_claims(*((channels[n % 3], f"id-{n}", "raw:0:0") for n in range(0, 1_000, 2))))
    asked = [(channels[n % 3], f"id-{n}") for n in range(1_000)]
    asked += [("chat", "id-0"), ("email", "id-1")]  # the same id on another channel is new
    assert set(seen.claimants(asked)) == {(channels[n % 3], f"id-{n}") for n in range(0, 1_000, 2)}
    assert seen.claimants([]) == {}
    seen.engine.dispose()


def test_the_seen_lookup_searches_the_key_and_never_scans_the_table(tmp_path: Path) -> None:
    """A scan costs in proportion to every message intake has ever seen (SQLite scans the key
    for a row-value IN): the lookup must be a search of the primary key, whatever the table."""
    engine = make_engine(IntakeSettings(database_url=migrated(f"sqlite:///{tmp_path / 'seen.db'}")))
    seen = SeenMessages(engine)
    seen.claim(_claims(*(("email", f"<{n}@x>", f"raw:0:{n}") for n in range(100))))
    statements: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    seen.claimants([("email", "<1@x>"), ("phone", "p-1"), ("chat", "c-1"), ("email", "<z@x>")])
    event.remove(engine, "before_cursor_execute", _record)
    assert statements
    with engine.connect() as connection:
        for statement, parameters in statements:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            steps = [row[3] for row in plan]
            assert not [s for s in steps if s.startswith("SCAN intake_seen_message")], steps
            assert any(s.startswith("SEARCH intake_seen_message") for s in steps), steps
    engine.dispose()
