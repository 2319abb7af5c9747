"""The self-service channel's reader: a web form as the municipality's site submits it."""

from __future__ import annotations

from datetime import datetime

from services.intake.channels.draft import Draft, json_document, validated
from shared.raw import WebForm
from shared.vocabulary import Channel


def read_web_form(raw: bytes, now: datetime) -> Draft:
    form = validated(WebForm, json_document(raw, Channel.SELF_SERVICE), Channel.SELF_SERVICE)
    return Draft(
        message_id=form.submission_id,
        thread=form.submission_id,
        text=form.text,
        received_at=form.submitted_at or now,
        citizen=form.citizen,
        subject=form.subject,
    )
