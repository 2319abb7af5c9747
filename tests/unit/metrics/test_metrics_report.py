"""`python -m services.metrics report`: the table, the CSV and the chart of a fed period."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.metrics.__main__ import main
from services.metrics.settings import MetricsSettings
from services.metrics.store import Statistics
from shared.database import make_engine
from shared.vocabulary import Channel, Complexity, ContactOutcome, Department
from tests.unit.metrics.events import as_read, received, triaged

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# Inquiries a day in the fed period: 10 phone, 4 in person, 1 letter, 5 digital (20 in all).
A_DAY = {
    Channel.PHONE: 10,
    Channel.IN_PERSON: 4,
    Channel.LETTER: 1,
    Channel.EMAIL: 3,
    Channel.CHAT: 1,
    Channel.SELF_SERVICE: 1,
}


def _feed(database_url: str, first: date, days: int) -> None:
    statistics = Statistics(
        make_engine(MetricsSettings(database_url=database_url)), zone=COPENHAGEN
    )
    for n in range(days):
        moment = datetime.combine(first + timedelta(n), datetime.min.time(), COPENHAGEN)
        batch = []
        for channel, count in A_DAY.items():
            for i in range(count):
                outcome = None
                if channel in (Channel.PHONE, Channel.IN_PERSON):
                    settled = i % 2 == 0
                    outcome = (
                        ContactOutcome.SETTLED_FIRST_CONTACT
                        if settled
                        else ContactOutcome.TRANSFERRED
                    )
                event = received(channel, moment + timedelta(hours=9, minutes=i), outcome=outcome)
                specialist = i % 5 == 0
                batch += [
                    event,
                    triaged(
                        event,
                        event.occurred_at,
                        complexity=Complexity.SPECIALIST if specialist else Complexity.SIMPLE,
                        department=Department.SOF if specialist else Department.OKF,
                    ),
                ]
        statistics.record(as_read(*batch))
    statistics.engine.dispose()


def test_report_prints_the_mix_against_target_and_writes_csv_and_chart(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _feed(database_url, date(2026, 2, 1), days=28)
    monkeypatch.setenv("DATABASE_URL", database_url)

    assert (
        main(["report", "--from", "2026-02-01", "--to", "2026-02-28", "--out", str(tmp_path)]) == 0
    )

    table = capsys.readouterr().out
    assert "560 received, 560 triaged" in table
    lines = {" ".join(line.split()) for line in table.splitlines()}
    # phone: 280 of 560 = 50.0 % against a target of 46 %, so 4 percentage points above
    assert "phone 280 50.0 % 46.0 % +4.0 pp" in lines
    assert "letter/fax 28 5.0 % 2.0 % +3.0 pp" in lines
    assert "digital 140 25.0 % 29.0 % -4.0 pp" in lines
    assert "other 0 0.0 % 4.0 % -4.0 pp" in lines
    assert "specialist 196 35.0 %" in lines
    assert "in_person 112 50.0 %" in lines  # first-contact resolution: half settled

    rows = list(csv.DictReader((tmp_path / "inquiries_2026-02-01_2026-02-28.csv").open()))
    assert len(rows) == 28
    assert rows[0]["date"] == "2026-02-01"
    assert rows[0]["received_total"] == "20"
    assert rows[0]["share_digital"] == "0.2500"
    assert rows[0]["target_digital"] == "0.2900"
    assert rows[0]["phone_settled_first_contact"] == "5"
    assert rows[0]["department_SOF"] == "7"

    chart = tmp_path / "channel-mix_2026-02-01_2026-02-28.png"
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert chart.stat().st_size > 20_000


def test_a_period_ending_before_it_starts_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--from", "2026-02-02", "--to", "2026-02-01"]) == 2
    assert "before" in capsys.readouterr().err
