"""`python -m services.reply queue ...`: the caseworker's command, tables for a person."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any
from zoneinfo import ZoneInfo

from aiokafka.errors import KafkaConnectionError, KafkaError
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from services.reply import actions as rules
from services.reply import claims
from services.reply import display as words
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from shared.events import InquiryRouted, utc_now
from shared.kafka_security import CredentialsRefused, credentials_checked
from shared.schema import migrated_engine
from shared.vocabulary import ALL_QUEUES, CaseworkerActionKind, Complexity, Department, ReplyChannel

ACTIONS = {
    "resolve": CaseworkerActionKind.RESOLVE,
    "reply-sent": CaseworkerActionKind.REPLY_SENT,
    "reroute": CaseworkerActionKind.REROUTE,
    "awaiting-citizen": CaseworkerActionKind.AWAITING_CITIZEN,
    "citizen-answered": CaseworkerActionKind.CITIZEN_ANSWERED,
}


def add_parser(commands: Any) -> None:
    queue = commands.add_parser(
        "queue",
        help="a caseworker's queue: take the next inquiries, record what you did",
        description="Work a queue. Queues: " + ", ".join(ALL_QUEUES),
    )
    sub = queue.add_subparsers(dest="queue_command", required=True, metavar="COMMAND")
    sub.add_parser("list", help="every queue with the inquiries waiting and the deadlines open")
    peek = sub.add_parser("peek", help="the next inquiries of a queue, without taking them")
    peek.add_argument("queue")
    peek.add_argument("-n", "--count", type=int, default=10)
    take = sub.add_parser(
        "next", help="take the inquiries with the earliest deadlines of a queue and claim them"
    )
    take.add_argument("queue")
    take.add_argument("-n", "--count", type=int, default=1)
    take.add_argument("--caseworker", help="who you are (default: REPLY_CASEWORKER or your login)")
    mine = sub.add_parser("mine", help="the inquiries you hold (claimed, or awaiting the citizen)")
    mine.add_argument("--caseworker", help="who you are (default: REPLY_CASEWORKER or your login)")
    free = sub.add_parser("unclaim", help="give an inquiry you hold back to its queue")
    free.add_argument("inquiry", help="the inquiry id, or its first characters")
    free.add_argument("--caseworker", help="who you are (default: REPLY_CASEWORKER or your login)")
    show = sub.add_parser("show", help="one inquiry: its text, decision, deadline and history")
    show.add_argument("inquiry", help="the inquiry id, or its first characters")
    for name, kind in ACTIONS.items():
        act = sub.add_parser(name, help=f"record '{kind.value}' on caseworker.actions")
        act.add_argument("inquiry", help="the inquiry id, or its first characters")
        act.add_argument("--caseworker", help="who you are (default: REPLY_CASEWORKER or login)")
        act.add_argument("--note", help="free text for the case; never logged")
        if kind is CaseworkerActionKind.REPLY_SENT:
            act.add_argument("--channel", type=ReplyChannel, choices=list(ReplyChannel))
        if kind is CaseworkerActionKind.REROUTE:
            act.add_argument("--to-queue", help="the queue it belongs in")
            act.add_argument("--to-department", type=Department, choices=list(Department))
            act.add_argument("--to-complexity", type=Complexity, choices=list(Complexity))


def run(args: argparse.Namespace, settings: ReplySettings, out: Console, err: Console) -> int:
    # The client's own connection errors would repeat, less clearly, what the command says.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        with credentials_checked():
            return _run(args, settings, out)
    except rules.DeskError as problem:
        err.print(f"[bold red]error:[/] {problem}")
        return 2
    except CredentialsRefused as problem:
        err.print(f"[bold red]error:[/] {problem}")
        return 1
    except (KafkaConnectionError, KafkaError, OSError) as problem:
        err.print(
            f"[bold red]error:[/] cannot reach the Kafka broker at "
            f"{settings.kafka_bootstrap_servers}: {problem}"
        )
        return 1


def _run(args: argparse.Namespace, settings: ReplySettings, out: Console) -> int:
    zone = ZoneInfo(settings.timezone)
    command = args.queue_command
    store = ReplyStore(migrated_engine(settings))
    now = utc_now()
    who = getattr(args, "caseworker", None) or rules.default_caseworker(settings)
    if command in ("peek", "next"):
        rules.known_queue(args.queue)
        if args.count < 1:
            raise rules.DeskError("--count must be at least 1")
    if command in ("list", "peek", "next", "mine"):
        # The work table is fed by the desk; reading up to the queues' ends first shows what
        # arrived since, whether or not the desk runs.
        asyncio.run(claims.catch_up(settings, store))
    if command == "list":
        out.print(_queues_table(claims.overview(store, ALL_QUEUES, now, now)))
        return 0
    if command == "peek":
        work = claims.waiting(store, args.queue, now, count=args.count)
        if not work:
            out.print(f"[green]{args.queue} is empty:[/] nothing waits to be taken.")
            return 0
        out.print(_tasks_table(f"Next in {args.queue}", [w.routed for w in work], store, zone))
        return 0
    if command == "next":
        taken = claims.claim_next(
            store, [args.queue], who, now, hold=settings.claim_hold, count=args.count
        )
        if not taken:
            out.print(f"[green]{args.queue}:[/] nothing waits to be taken.")
            return 0
        announce = [rules.claim_action(t.routed, who, t.queue) for t in taken]
        try:
            asyncio.run(rules.publish(settings, announce))
        except BaseException:
            for item in taken:
                claims.unclaim(store, item.inquiry_id, who)
            raise
        tasks = [t.routed for t in taken]
        out.print(_tasks_table(f"Taken by {who} from {args.queue}", tasks, store, zone))
        for task in tasks:
            out.print(_task_panel(task, store, zone))
        return 0
    if command == "mine":
        held = claims.mine(store, who, now)
        if not held:
            out.print(f"[green]{who} holds no inquiry.[/]")
            return 0
        out.print(_tasks_table(f"Held by {who}", [w.routed for w in held], store, zone))
        return 0
    plan = rules.find_plan(store, args.inquiry)
    if command == "show":
        out.print(_task_panel(plan.routed, store, zone, history=True))
        return 0
    if command == "unclaim":
        if not claims.unclaim(store, plan.inquiry_id, who):
            raise rules.DeskError(f"{who} holds no claim on {words.short(plan.inquiry_id)}")
        out.print(f"[green]back in {plan.queue}:[/] {words.short(plan.inquiry_id)}")
        return 0
    kind = ACTIONS[command]
    holder = claims.holder(store, plan.inquiry_id, now)
    if holder and holder != who:
        raise rules.DeskError(f"{holder} holds {words.short(plan.inquiry_id)}; it is not yours")
    target = None
    if kind is CaseworkerActionKind.REROUTE:
        target = rules.reroute_target(
            plan,
            to_queue=args.to_queue,
            to_department=args.to_department,
            to_complexity=args.to_complexity,
        )
    outgoing = rules.action_for(
        plan,
        kind,
        who,
        note=args.note,
        reply_channel=getattr(args, "channel", None),
        target=target,
    )
    asyncio.run(rules.publish(settings, outgoing))
    claims.after_action(
        store,
        plan.inquiry_id,
        kind,
        who,
        utc_now(),
        hold=settings.claim_hold,
        to_queue=target.queue if target else None,
    )
    where = (
        f" to {target.queue} ({target.complexity.value}, {target.department.value})"
        if target
        else ""
    )
    out.print(
        f"[green]recorded:[/] {kind.value}{where} on inquiry {words.short(plan.inquiry_id)} "
        f"({plan.queue}) by {who}"
    )
    return 0


# ---- tables ---------------------------------------------------------------------------------


def _queues_table(states: list[claims.QueueState]) -> Table:
    table = Table(title="Queues", title_justify="left")
    table.add_column("queue")
    table.add_column("waiting to be taken", justify="right")
    table.add_column("held", justify="right")
    table.add_column("earliest deadline")
    table.add_column("overdue", justify="right")
    for state in states:
        table.add_row(
            state.queue,
            str(state.waiting),
            str(state.held),
            state.oldest_deadline.isoformat(timespec="minutes") if state.oldest_deadline else "-",
            Text(str(state.overdue), style="bold red" if state.overdue else ""),
        )
    return table


def _tasks_table(
    title: str, tasks: list[InquiryRouted], store: ReplyStore, zone: ZoneInfo
) -> Table:
    plans = store.plans_for(t.inquiry_id for t in tasks if t.inquiry_id)
    table = Table(title=title, title_justify="left", show_lines=True, expand=True)
    table.add_column("inquiry", no_wrap=True)
    table.add_column("came", no_wrap=True)
    table.add_column("matter")
    table.add_column("decision", no_wrap=True)
    table.add_column("reply", no_wrap=True)
    table.add_column("deadline")
    table.add_column("reasons", ratio=1, min_width=30)
    for task in tasks:
        plan = plans.get(task.inquiry_id) if task.inquiry_id else None
        d = task.decision
        deadline = words.deadline_words(plan, zone)
        reply = task.callback.reply_channel.value if task.callback else d.reply_channel.value
        table.add_row(
            f"{words.short(task.inquiry_id)}\n{'callback' if task.callback else 'inquiry'}",
            f"{task.inquiry.channel.value}\n{words.local_time(task.inquiry.received_at, zone)}",
            words.matter(task),
            f"{d.complexity.value}\n{d.department.value} ({d.confidence:.2f})",
            f"by {reply}",
            Text(deadline, style="bold red" if deadline.startswith("OVERDUE") else ""),
            "\n".join(f"{r.about}: {r.text}" for r in d.reasons),
        )
    return table


def _task_panel(
    task: InquiryRouted, store: ReplyStore, zone: ZoneInfo, *, history: bool = False
) -> Panel:
    plan = store.plan_for(task.inquiry_id) if task.inquiry_id else None
    inquiry, decision, citizen = task.inquiry, task.decision, task.inquiry.citizen
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("inquiry", str(task.inquiry_id))
    facts.add_row(
        "came by", f"{inquiry.channel.value}, {words.local_time(inquiry.received_at, zone)}"
    )
    contact = ", ".join(x for x in (citizen.name, citizen.phone, citizen.email) if x)
    facts.add_row("citizen", contact or "-")
    facts.add_row("matter", words.matter(task))
    facts.add_row(
        "decision",
        f"{decision.complexity.value} · {decision.department.value} · {decision.queue} "
        f"· confidence {decision.confidence:.2f} · {decision.model_version}",
    )
    if plan is not None and plan.queue != decision.queue:
        facts.add_row("now in", f"{plan.queue} ({plan.complexity} · {plan.department}), rerouted")
    facts.add_row("deadline", words.deadline_words(plan, zone))
    if plan is not None:
        reply = plan.plan
        facts.add_row("reply", f"{reply.kind} by {reply.reply_channel.value} ({reply.delivery})")
        facts.add_row("why", reply.reason)
        for note in reply.notes:
            facts.add_row("note", note)
    if task.callback:
        facts.add_row(
            "callback",
            f"ring {task.callback.recipient} by {words.local_time(task.callback.deadline, zone)}",
        )
    for reason in decision.reasons:
        facts.add_row(reason.about, reason.text)
    parts: list[Any] = [facts]
    body = "\n\n".join(x for x in (inquiry.subject, inquiry.text) if x)
    parts.append(Panel(Text(body), title="the citizen wrote", title_align="left"))
    if history and plan is not None:
        parts += _history(store, plan, zone)
    return Panel(Group(*parts), title=f"inquiry {words.short(task.inquiry_id)}", title_align="left")


def _history(store: ReplyStore, plan: Any, zone: ZoneInfo) -> list[Any]:
    actions = Table(title="actions", title_justify="left")
    for column in ("when", "action", "caseworker", "outcome"):
        actions.add_column(column)
    for record in store.actions(plan.inquiry_id):
        actions.add_row(
            words.local_time(record.occurred_at, zone),
            record.action,
            record.caseworker,
            record.outcome,
        )
    kept = store.pauses(plan.plan_id)
    if not kept:
        return [actions, Text("The deadline was never paused.")]
    pauses = Table(title="deadline pauses (awaiting the citizen)", title_justify="left")
    for column in ("paused", "by", "resumed", "by", "deadline before", "deadline after"):
        pauses.add_column(column)
    for pause in kept:
        pauses.add_row(
            words.local_time(pause.paused_at, zone),
            pause.paused_by,
            words.local_time(pause.resumed_at, zone) if pause.resumed_at else "still waiting",
            pause.resumed_by or "",
            words.local_time(pause.deadline_before, zone),
            words.local_time(pause.deadline_after, zone) if pause.deadline_after else "",
        )
    return [actions, pauses]
