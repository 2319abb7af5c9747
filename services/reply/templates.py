"""Reply texts as data: one YAML file of Jinja2 templates per language (templates/<lang>.yaml).

A template missing for a language is taken from the fallback languages, and the rendering says
so; a template that does not compile or names an unknown variable stops the service at start-up.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import jinja2
import yaml

from shared.vocabulary import Language

MessageKind = Literal["acknowledgement", "reply", "callback"]
TEXT_TEMPLATES = (
    "deadline",
    "subject",
    "acknowledgement",
    "reply",
    "callback",
    "caseworker_subject",
    "caseworker_reply",
)

# What every template may use; rendering with these at load time finds a misspelt variable.
_SAMPLE = {
    "name": "Jens Hansen",
    "matter": "Passport",
    "municipality": "Københavns Kommune",
    "deadline": "by Friday 4 December",
    "self_service_url": "https://www.kk.dk/pas",
    "phone": "+45 21 43 65 87",
    "weekday": "Friday",
    "day": 4,
    "month": "December",
    "year": 2026,
    "time": "14:00",
}


class TemplateProblem(ValueError):
    """A template file that cannot be used; the message names the file and the template."""


@dataclass(frozen=True)
class LanguageTemplates:
    language: Language
    texts: dict[str, jinja2.Template]
    weekdays: tuple[str, ...] | None
    months: tuple[str, ...] | None


@dataclass(frozen=True)
class Rendered:
    """A message in one language, with what had to fall back, in words."""

    language: Language
    subject: str
    text: str
    deadline_text: str
    notes: list[str] = field(default_factory=list)


class ReplyTemplates:
    def __init__(
        self, by_language: dict[Language, LanguageTemplates], fallback: Sequence[Language]
    ) -> None:
        self.by_language = by_language
        self.fallback = tuple(fallback)
        # Replies of a day share a handful of deadlines (the close of the next business day for
        # every e-mail), so each deadline's wording is rendered once per language.
        self._deadline_text = functools.lru_cache(maxsize=4096)(self._render_deadline)

    @classmethod
    def load(cls, directory: Path, fallback: Sequence[Language]) -> ReplyTemplates:
        environment = jinja2.Environment(
            undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False
        )
        by_language = {}
        for language in (Language.DA, Language.EN):
            path = directory / f"{language.value}.yaml"
            if path.exists():
                by_language[language] = _load_language(environment, path, language)
        if not by_language:
            raise TemplateProblem(f"no reply templates in {directory} (da.yaml, en.yaml)")
        return cls(by_language, fallback)

    def _candidates(self, language: Language) -> list[Language]:
        return list(dict.fromkeys([language, *self.fallback, *self.by_language]))

    def language_for(self, kind: MessageKind, wanted: Language) -> tuple[Language, list[str]]:
        """The language the message is written in: the wanted one if it has the template."""
        for language in self._candidates(wanted):
            found = self.by_language.get(language)
            if found and kind in found.texts:
                notes = []
                if language is not wanted:
                    notes.append(
                        f"No {_name(wanted)} template for the {kind}: written in {_name(language)}."
                    )
                return language, notes
        raise TemplateProblem(f"no template for the {kind} in any language")

    def _text(self, name: str, language: Language, notes: list[str]) -> jinja2.Template | None:
        for candidate in self._candidates(language):
            found = self.by_language.get(candidate)
            if found and name in found.texts:
                if candidate is not language:
                    notes.append(
                        f"No {_name(language)} template for the {name}: "
                        f"used the {_name(candidate)} one."
                    )
                return found.texts[name]
        return None

    def _names(self, language: Language, notes: list[str]) -> tuple[tuple[str, ...], ...]:
        for candidate in self._candidates(language):
            found = self.by_language.get(candidate)
            if found and found.weekdays and found.months:
                if candidate is not language:
                    notes.append(
                        f"No {_name(language)} names of days and months: used {_name(candidate)}."
                    )
                return found.weekdays, found.months
        raise TemplateProblem("no language file names the weekdays and months")

    def deadline_text(
        self, deadline: datetime, language: Language, *, show_time: bool, notes: list[str]
    ) -> str:
        # Keyed by the wall clock it is written in: equal moments in two zones read differently.
        text, fell_back = self._deadline_text(deadline.replace(tzinfo=None), language, show_time)
        notes += fell_back
        return text

    def _render_deadline(
        self, deadline: datetime, language: Language, show_time: bool
    ) -> tuple[str, tuple[str, ...]]:
        """The wording of a deadline and what had to fall back for it."""
        notes: list[str] = []
        weekdays, months = self._names(language, notes)
        template = self._text("deadline", language, notes)
        if template is None:
            raise TemplateProblem("no template for the deadline in any language")
        text = template.render(
            weekday=weekdays[deadline.weekday()],
            day=deadline.day,
            month=months[deadline.month - 1],
            year=deadline.year,
            time=f"{deadline:%H:%M}" if show_time else "",
        ).strip()
        return text, tuple(notes)

    def render(
        self,
        kind: MessageKind,
        wanted: Language,
        *,
        local_deadline: datetime,
        show_time: bool,
        context: dict[str, Any],
    ) -> Rendered:
        """The message of this kind; `context` gives name, matter by language, and the rest."""
        language, notes = self.language_for(kind, wanted)
        deadline = self.deadline_text(local_deadline, language, show_time=show_time, notes=notes)
        values = {
            **context,
            "matter": context.get("matter", {}).get(language),
            "deadline": deadline,
        }
        subject_template = self._text("subject", language, notes)
        subject = subject_template.render(**values).strip() if subject_template else ""
        text = self.by_language[language].texts[kind].render(**values).strip()
        return Rendered(language, subject, text, deadline, notes)

    def caseworker_draft(self, language: Language, context: dict[str, Any]) -> tuple[str, str]:
        """The subject and text a caseworker starts a reply from, in this language if it has it."""
        found = self.by_language.get(language)
        if found is None or "caseworker_reply" not in found.texts:
            found = next(
                (t for t in self.by_language.values() if "caseworker_reply" in t.texts), None
            )
        if found is None:
            raise TemplateProblem("no template for the caseworker's reply in any language")
        values = {**context, "matter": context.get("matter", {}).get(found.language)}
        subject = found.texts.get("caseworker_subject")
        return (
            subject.render(**values).strip() if subject else "",
            found.texts["caseworker_reply"].render(**values).strip(),
        )


def _name(language: Language) -> str:
    return {Language.DA: "Danish", Language.EN: "English"}.get(language, language.value)


def _load_language(
    environment: jinja2.Environment, path: Path, language: Language
) -> LanguageTemplates:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise TemplateProblem(f"{path}: cannot be read: {error}") from error
    if not isinstance(data, dict):
        raise TemplateProblem(f"{path}: expected a mapping of template names to texts")
    texts = {}
    for name in TEXT_TEMPLATES:
        source = data.get(name)
        if source is None:
            continue
        try:
            template = environment.from_string(str(source))
            # Jinja keeps a template's globals as a ChainMap over the environment's and copies
            # it into a new dict on every render, two thirds of the cost of rendering a reply;
            # the same names in one plain dict render the same for a third.
            template.globals = dict(template.globals)
            template.render(**_SAMPLE)
            texts[name] = template
        except jinja2.TemplateError as error:
            raise TemplateProblem(f"{path}: template '{name}': {error}") from error
    weekdays, months = data.get("weekdays"), data.get("months")
    if weekdays is not None and len(weekdays) != 7:
        raise TemplateProblem(f"{path}: 'weekdays' must name 7 days, Monday first")
    if months is not None and len(months) != 12:
        raise TemplateProblem(f"{path}: 'months' must name 12 months, January first")
    return LanguageTemplates(
        language,
        texts,
        tuple(map(str, weekdays)) if weekdays else None,
        tuple(map(str, months)) if months else None,
    )
