"""The desk's web pages (Starlette, Jinja2 and htmx): sign-in, the queues overview, taking the
next inquiry, the inquiry page and its actions. Every page and action checks on the server that
the queue belongs to one of the caseworker's teams (403 otherwise)."""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from prometheus_client import CollectorRegistry, Histogram
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from services.reply import actions as rules
from services.reply import claims
from services.reply import display as words_of
from services.reply.business_hours import BusinessCalendar
from services.reply.desk.accounts import Caseworker, LocalAccounts, from_trusted_headers
from services.reply.desk.settings import DeskSettings
from services.reply.desk.words import WORDS
from services.reply.settings import ReplySettings
from services.reply.store import ReplyStore
from services.reply.tables import PlanRecord, as_utc
from services.reply.templates import ReplyTemplates
from shared.bus import Outgoing
from shared.events import utc_now
from shared.vocabulary import ALL_QUEUES, CaseworkerActionKind, Language, ReplyChannel

HERE = Path(__file__).resolve().parent
Publish = Callable[[Sequence[Outgoing]], Awaitable[None]]


@dataclass
class DeskMetrics:
    time_to_claim: Histogram
    time_to_resolve: Histogram

    @classmethod
    def on(cls, registry: CollectorRegistry) -> DeskMetrics:
        minutes = (60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 3 * 24 * 3600)
        return cls(
            Histogram(
                "desk_time_to_claim_seconds",
                "From an inquiry's arrival in its queue to a caseworker taking it, by queue",
                ["queue"],
                buckets=minutes,
                registry=registry,
            ),
            Histogram(
                "desk_time_to_resolve_seconds",
                "From an inquiry's arrival in its queue to its resolution or reply, by queue",
                ["queue"],
                buckets=minutes,
                registry=registry,
            ),
        )


@dataclass
class Desk:
    """What the pages work with; the store and the calendar are set when the desk starts."""

    reply: ReplySettings
    settings: DeskSettings
    publish: Publish
    metrics: DeskMetrics
    clock: Callable[[], datetime] = utc_now
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def store(self) -> ReplyStore:
        store: ReplyStore = self.state["store"]
        return store

    @property
    def calendar(self) -> BusinessCalendar:
        calendar: BusinessCalendar = self.state["calendar"]
        return calendar

    @property
    def templates(self) -> ReplyTemplates:
        templates: ReplyTemplates = self.state["templates"]
        return templates

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.reply.timezone)


def build_pages(desk: Desk) -> Starlette:
    accounts = LocalAccounts.load(desk.settings.accounts_file)
    jinja = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def language(request: Request) -> str:
        return str(request.session.get("language") or desk.settings.language)

    def csrf_token(request: Request) -> str:
        token = request.session.get("csrf")
        if not token:
            token = request.session["csrf"] = secrets.token_urlsafe(32)
        return str(token)

    async def form_checked(request: Request) -> Any:
        """The form of a POST, refused unless it carries this session's token."""
        form = await request.form()
        sent = str(form.get("csrf") or request.headers.get("X-CSRF-Token") or "")
        if not hmac.compare_digest(sent, csrf_token(request)):
            raise HTTPException(403, "the form is out of date: reload the page and try again")
        return form

    def who(request: Request) -> Caseworker | None:
        if desk.settings.sign_on == "trusted-header":
            host = request.client.host if request.client else ""
            if host not in desk.settings.trusted_proxies:
                raise HTTPException(403, "sign-on headers are accepted only from the proxy")
            h = request.headers
            return from_trusted_headers(
                h.get(desk.settings.user_header),
                h.get(desk.settings.name_header),
                h.get(desk.settings.teams_header),
            )
        login = request.session.get("login")
        return accounts.get(str(login)) if login else None

    def shown_as(request: Request) -> Caseworker | None:
        """Who the page header names; nobody on a refusal of the sign-on itself."""
        try:
            return who(request)
        except HTTPException:
            return None

    def signed_in(request: Request) -> Caseworker:
        person = who(request)
        if person is None:
            raise HTTPException(401, "the sign-on proxy named nobody")
        return person

    def page(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        lang = language(request)
        text = WORDS[lang]
        body = jinja.get_template(name).render(
            t=text,
            lang=lang,
            csrf=csrf_token(request),
            me=shown_as(request),
            flash=request.session.pop("flash", None),
            trusted=desk.settings.sign_on == "trusted-header",
            refresh=desk.settings.refresh_seconds,
            **values,
        )
        return HTMLResponse(body, status_code=status)

    def refuse(request: Request, key: str = "forbidden") -> HTMLResponse:
        return page(request, "refused.html", status=403, message=WORDS[language(request)][key])

    def local(moment: datetime | None) -> str:
        return f"{as_utc(moment).astimezone(desk.zone):%d.%m.%Y %H:%M}" if moment else "–"

    def end_of_today(now: datetime) -> datetime:
        today = now.astimezone(desk.zone).date() + timedelta(days=1)
        return datetime.combine(today, datetime.min.time(), desk.zone)

    # ---- sign-in

    async def sign_in(request: Request) -> Response:
        if request.method == "GET":
            return page(request, "sign_in.html", failed=False)
        form = await form_checked(request)
        person = accounts.sign_in(str(form.get("login") or ""), str(form.get("password") or ""))
        if person is None:
            return page(request, "sign_in.html", status=401, failed=True)
        request.session.clear()
        request.session["login"] = person.login
        request.session["language"] = language(request)
        return RedirectResponse("/", status_code=303)

    async def sign_out(request: Request) -> Response:
        await form_checked(request)
        request.session.clear()
        return RedirectResponse("/sign-in", status_code=303)

    async def switch_language(request: Request) -> Response:
        form = await form_checked(request)
        request.session["language"] = "en" if form.get("language") == "en" else "da"
        return RedirectResponse(str(form.get("back") or "/"), status_code=303)

    # ---- the queues

    def overview_values(request: Request, person: Caseworker) -> dict[str, Any]:
        now = desk.clock()
        states = claims.overview(desk.store, person.queues, now, end_of_today(now))
        held = claims.mine(desk.store, person.login, now)
        lang = Language(language(request))
        return {
            "states": states,
            "local": local,
            "mine": [
                {
                    "work": w,
                    "matter": words_of.matter(w.routed, lang),
                    "countdown": _countdown(desk, w.deadline, now, w.paused, w.closed).words(lang),
                }
                for w in held
            ],
        }

    async def overview(request: Request) -> Response:
        person = signed_in(request)
        return page(request, "overview.html", **overview_values(request, person))

    async def overview_live(request: Request) -> Response:
        person = signed_in(request)
        return page(request, "queues_table.html", **overview_values(request, person))

    async def take_next(request: Request) -> Response:
        person = signed_in(request)
        await form_checked(request)
        queue = request.path_params["queue"]
        if queue not in ALL_QUEUES or not person.may_open(queue):
            return refuse(request)
        now = desk.clock()
        taken = claims.claim_next(
            desk.store, [queue], person.login, now, hold=desk.reply.claim_hold
        )
        if not taken:
            request.session["flash"] = WORDS[language(request)]["nothing_waiting"]
            return RedirectResponse("/", status_code=303)
        item = taken[0]
        try:
            await desk.publish([rules.claim_action(item.routed, person.login, queue)])
        except BaseException:
            claims.unclaim(desk.store, item.inquiry_id, person.login)
            raise
        waited = (now - as_utc(item.routed_at)).total_seconds()
        desk.metrics.time_to_claim.labels(queue).observe(max(waited, 0.0))
        return RedirectResponse(f"/inquiries/{item.inquiry_id}", status_code=303)

    # ---- one inquiry

    def the_inquiry(request: Request, person: Caseworker) -> tuple[PlanRecord | None, Any]:
        try:
            inquiry_id = uuid.UUID(request.path_params["inquiry_id"])
        except ValueError as error:
            raise HTTPException(404) from error
        items = claims.items_of(desk.store, inquiry_id)
        plan = desk.store.plan_for(inquiry_id)
        item = next((i for i in items if i.kind == claims.INQUIRY), items[0] if items else None)
        if item is None and plan is None:
            raise HTTPException(404)
        queue = item.queue if item is not None else plan.queue  # type: ignore[union-attr]
        if not person.may_open(queue):
            raise HTTPException(403)
        return plan, item

    async def inquiry(request: Request) -> Response:
        person = signed_in(request)
        plan, item = the_inquiry(request, person)
        now = desk.clock()
        lang = Language(language(request))
        routed = item.routed if item is not None else plan.routed  # type: ignore[union-attr]
        deadline = (item.deadline if item is not None else None) or (
            plan.deadline if plan else None
        )
        paused = bool(plan and plan.paused_since)
        closed = bool((item and item.closed_at) or (plan and not plan.is_open))
        countdown = _countdown(desk, deadline, now, paused, closed)
        citizen = routed.inquiry.citizen
        context = {
            "name": citizen.name,
            "municipality": desk.reply.municipality,
            "matter": routed.decision.service_names or {},
        }
        draft_language = Language(request.query_params.get("draft", lang.value))
        if draft_language not in (Language.DA, Language.EN):
            draft_language = lang
        subject, draft = desk.templates.caseworker_draft(draft_language, context)
        holder = claims.holder(desk.store, routed.inquiry_id, now) if routed.inquiry_id else None
        return page(
            request,
            "inquiry.html",
            routed=routed,
            plan=plan,
            item=item,
            local=local,
            short=words_of.short,
            matter=words_of.matter(routed, lang),
            countdown=countdown,
            countdown_words=countdown.words(lang),
            deadline=deadline,
            paused=paused,
            closed=closed,
            holder=holder,
            history=desk.store.actions(plan.inquiry_id) if plan else [],
            pauses=desk.store.pauses(plan.plan_id) if plan else [],
            queues=[q for q in ALL_QUEUES if q != (item.queue if item else None)],
            channels=list(ReplyChannel),
            recommended=plan.plan.reply_channel if plan else routed.decision.reply_channel,
            draft_language=draft_language.value,
            subject=subject,
            draft=draft,
            recipient=citizen.email or "",
        )

    async def act(request: Request) -> Response:
        person = signed_in(request)
        form = await form_checked(request)
        plan, item = the_inquiry(request, person)
        what = request.path_params["action"]
        text = WORDS[language(request)]
        now = desk.clock()
        if plan is None:
            return page(request, "refused.html", status=409, message=text["not_found"])
        back = RedirectResponse(f"/inquiries/{plan.inquiry_id}", status_code=303)
        holder = claims.holder(desk.store, plan.inquiry_id, now)
        if holder and holder != person.login:
            request.session["flash"] = f"{text['held_by']} {holder}"
            return back
        if what == "unclaim":
            claims.unclaim(desk.store, plan.inquiry_id, person.login)
            return RedirectResponse("/", status_code=303)
        kinds = {
            "resolve": CaseworkerActionKind.RESOLVE,
            "reply": CaseworkerActionKind.REPLY_SENT,
            "reroute": CaseworkerActionKind.REROUTE,
            "pause": CaseworkerActionKind.AWAITING_CITIZEN,
            "resume": CaseworkerActionKind.CITIZEN_ANSWERED,
        }
        if what not in kinds:
            raise HTTPException(404)
        kind = kinds[what]
        note = str(form.get("note") or "").strip() or None
        target, email, channel = None, None, None
        try:
            if kind is CaseworkerActionKind.REROUTE:
                to_queue = str(form.get("to_queue") or "")
                if not note:
                    raise rules.DeskError(text["reason"] + ": ?")
                target = rules.reroute_target(
                    plan, to_queue=to_queue, to_department=None, to_complexity=None
                )
            if kind is CaseworkerActionKind.REPLY_SENT:
                channel = ReplyChannel(str(form.get("channel") or plan.reply_channel))
                if channel is ReplyChannel.EMAIL:
                    recipient = str(form.get("recipient") or "").strip()
                    message = str(form.get("message") or "").strip()
                    if "@" not in recipient or not message:
                        raise rules.DeskError(f"{text['recipient']} / {text['message']}: ?")
                    email = (recipient, str(form.get("subject") or "").strip(), message)
            outgoing = rules.action_for(
                plan, kind, person.login, note=note, reply_channel=channel, target=target,
                email=email,
            )  # fmt: skip
        except (rules.DeskError, ValueError) as problem:
            request.session["flash"] = str(problem)
            return back
        await desk.publish(outgoing)
        queue = item.queue if item is not None else plan.queue
        claims.after_action(
            desk.store,
            plan.inquiry_id,
            kind,
            person.login,
            now,
            hold=desk.reply.claim_hold,
            to_queue=target.queue if target else None,
        )
        if kind in (CaseworkerActionKind.RESOLVE, CaseworkerActionKind.REPLY_SENT) and item:
            waited = (now - as_utc(item.routed_at)).total_seconds()
            desk.metrics.time_to_resolve.labels(queue).observe(max(waited, 0.0))
        flash = f"{text['recorded']}: {text[what]}"
        if email:
            flash += f". {text['sent_by_email']}"
        request.session["flash"] = flash
        if target is not None and not person.may_open(target.queue):
            request.session["flash"] = f"{flash}. {text['gone']}"
            return RedirectResponse("/", status_code=303)
        return back

    async def errors(request: Request, problem: Exception) -> Response:
        assert isinstance(problem, HTTPException)
        if problem.status_code == 401 and desk.settings.sign_on == "trusted-header":
            return page(request, "refused.html", status=401, message=problem.detail)
        if problem.status_code == 401:
            return RedirectResponse("/sign-in", status_code=303)
        if problem.status_code == 403:
            return refuse(request)
        if problem.status_code == 404:
            return page(
                request, "refused.html", status=404, message=WORDS[language(request)]["not_found"]
            )
        return page(request, "refused.html", status=problem.status_code, message=problem.detail)

    return Starlette(
        routes=[
            Route("/", overview),
            Route("/overview/live", overview_live),
            Route("/sign-in", sign_in, methods=["GET", "POST"]),
            Route("/sign-out", sign_out, methods=["POST"]),
            Route("/language", switch_language, methods=["POST"]),
            Route("/queues/{queue}/next", take_next, methods=["POST"]),
            Route("/inquiries/{inquiry_id}", inquiry),
            Route("/inquiries/{inquiry_id}/{action}", act, methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=desk.settings.session_secret.get_secret_value(),
                session_cookie="desk_session",
                same_site="strict",
                https_only=desk.settings.secure_cookies,
                max_age=12 * 3600,
            )
        ],
        exception_handlers={HTTPException: errors},
    )


def _countdown(
    desk: Desk, deadline: datetime | None, now: datetime, paused: bool, closed: bool
) -> words_of.Countdown:
    return words_of.countdown(deadline, desk.calendar, now, paused=paused, closed=closed)
