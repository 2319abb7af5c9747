"""The caseworker's command without the broker: clear refusals, and reroutes that carry a full
correction."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from services.reply import actions as desk
from services.reply.__main__ import main
from services.reply.business_hours import BusinessCalendar
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore, plan_row
from services.reply.tables import PlanRecord
from shared.database import make_engine
from shared.events import CaseworkerAction, InquiryRouted
from shared.vocabulary import CaseworkerActionKind as Kind
from shared.vocabulary import Channel, Complexity, Department
from tests.conftest import migrated
from tests.unit.reply.inquiries import acknowledgement, action, local, triaged


@pytest.fixture
def settings(tmp_path: Path) -> ReplySettings:
    return ReplySettings(
        database_url=migrated(f"sqlite:///{tmp_path / 'reply.db'}"), caseworker="anna"
    )


def stored(settings: ReplySettings, **fields: object) -> PlanRecord:
    event = triaged(**fields)  # type: ignore[arg-type]
    plan = acknowledgement(event)
    store = ReplyStore(make_engine(settings))
    store.add_plans(
        [plan_row(event, plan, event.model_dump_json())], BusinessCalendar.from_settings(settings)
    )
    found = store.plan_for(event.inquiry_id)
    assert found is not None
    return found


def command(settings: ReplySettings, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["queue", *argv],
        settings=settings,
        out=Console(file=out, width=160),
        err=Console(file=err, width=160),
    )
    return code, out.getvalue(), err.getvalue()


def test_unknown_queue_is_refused_with_the_list_of_queues(settings: ReplySettings) -> None:
    code, _, err = command(settings, "next", "front-desk")
    assert code == 2
    assert "unknown queue 'front-desk'; the queues are: contact-centre, citizen-service" in err


def test_unknown_inquiry_id_is_refused_clearly(settings: ReplySettings) -> None:
    stored(settings)
    code, _, err = command(settings, "resolve", "ffffffff")
    assert code == 2
    assert "no inquiry 'ffffffff' in the reply store" in err
    code, _, err = command(settings, "resolve", "ab")
    assert code == 2
    assert "too short for an inquiry id" in err


def test_show_prints_the_inquiry_its_decision_and_deadline(settings: ReplySettings) -> None:
    plan = stored(settings)
    code, out, _ = command(settings, "show", str(plan.inquiry_id)[:8])
    assert code == 0
    for expected in (str(plan.inquiry_id), "Passport", "Mon 07 Dec 16:00", "I need a new passport"):
        assert expected in out


def test_reroute_to_a_specialist_queue_carries_the_whole_correction(
    settings: ReplySettings,
) -> None:
    plan = stored(settings)
    target = desk.reroute_target(
        plan, to_queue="specialist.SOF", to_department=None, to_complexity=None
    )
    assert target == desk.Target("specialist.SOF", Department.SOF, Complexity.SPECIALIST)
    action_out, moved_out = desk.action_for(plan, Kind.REROUTE, "anna", target=target)
    correction = action_out.event
    assert isinstance(correction, CaseworkerAction)
    assert action_out.topic == "caseworker.actions"
    assert correction.inquiry_id == plan.inquiry_id
    assert (correction.queue, correction.to_queue) == ("contact-centre", "specialist.SOF")
    assert (correction.to_department, correction.to_complexity) == (
        Department.SOF,
        Complexity.SPECIALIST,
    )
    assert (correction.from_department, correction.from_complexity) == (
        Department.OKF,
        Complexity.SIMPLE,
    )
    assert correction.model_version == "keywords-1"
    moved = moved_out.event
    assert isinstance(moved, InquiryRouted)
    assert moved_out.topic == "queue.specialist.SOF"
    assert moved.decision.queue == "specialist.SOF"
    assert moved.decision.reasons[-1].text.startswith("Rerouted from contact-centre")
    assert moved.inquiry.text == "I need a new passport, mine has expired."


def test_reroute_to_another_department_keeps_a_specialist_matter_specialist(
    settings: ReplySettings,
) -> None:
    plan = stored(
        settings,
        complexity=Complexity.SPECIALIST,
        department=Department.SUF,
        queue="specialist.SUF",
    )
    target = desk.reroute_target(
        plan, to_queue=None, to_department=Department.SOF, to_complexity=None
    )
    assert target == desk.Target("specialist.SOF", Department.SOF, Complexity.SPECIALIST)


def test_reroute_that_cannot_say_where_is_refused(settings: ReplySettings) -> None:
    specialist = stored(
        settings,
        complexity=Complexity.SPECIALIST,
        department=Department.SUF,
        queue="specialist.SUF",
    )
    with pytest.raises(desk.DeskError, match="say which with --to-queue"):
        desk.reroute_target(
            specialist, to_queue=None, to_department=None, to_complexity=Complexity.SIMPLE
        )
    with pytest.raises(desk.DeskError, match="is SOF's queue, not BUF's"):
        desk.reroute_target(
            specialist, to_queue="specialist.SOF", to_department=Department.BUF, to_complexity=None
        )
    with pytest.raises(desk.DeskError, match="already"):
        desk.reroute_target(
            specialist, to_queue="specialist.SUF", to_department=None, to_complexity=None
        )


def test_closed_or_unpaused_plans_refuse_actions_that_make_no_sense(
    settings: ReplySettings,
) -> None:
    plan = stored(settings, channel=Channel.EMAIL)
    with pytest.raises(desk.DeskError, match="is not paused"):
        desk.action_for(plan, Kind.CITIZEN_ANSWERED, "anna")
    store = ReplyStore(make_engine(settings))
    calendar = BusinessCalendar.from_settings(settings)
    store.apply_action(action(plan.routed, Kind.RESOLVE, local(2026, 12, 4, 11)), calendar)
    closed = store.plan_for(plan.inquiry_id)
    assert closed is not None
    with pytest.raises(desk.DeskError, match="was closed \\(resolve\\) by anna already"):
        desk.action_for(closed, Kind.REPLY_SENT, "bo")
