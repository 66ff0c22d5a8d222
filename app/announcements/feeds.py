"""An Atom 1.0 feed of public announcements (newest first), optionally of one call
(`?call=<id>`) or one theme (`?theme=<theme>`), built with app.core.atom (xml.etree, so every
text is escaped by the serializer). Withdrawn and draft announcements are never in it."""

from __future__ import annotations

from datetime import datetime

from flask import abort, request, url_for
from flask_babel import gettext as _

from app.announcements import bp, queries
from app.announcements.forms import KIND_LABELS
from app.announcements.models import Announcement
from app.calls.models import Call, CallState
from app.core import atom, clock
from app.core.codelists import current_language
from app.core.db import ensure_aware
from app.core.fields import parse_int
from app.core.markdown import plain_text
from app.extensions import db


def build_feed(announcements: list[Announcement], language: str, now: datetime, *,
               title: str, self_url: str, alternate_url: str):
    """The feed element (serialise with atom.to_bytes or answer with atom.atom_response)."""
    updated = max((ensure_aware(a.updated_at) for a in announcements), default=None)
    feed = atom.new_feed(feed_id=self_url, title=title, self_url=self_url,
                         alternate_url=alternate_url, updated=updated or now, language=language)
    for announcement in announcements:
        url = url_for("announcements.detail", announcement_id=announcement.id, _external=True)
        atom.add_entry(
            feed, entry_id=url, title=announcement.title, url=url,
            updated=announcement.updated_at, published=announcement.published_at,
            author=announcement.organisation.name,
            summary=plain_text(announcement.body, limit=600),
            categories=[(announcement.kind.value, str(KIND_LABELS[announcement.kind]))],
            language=announcement.language if announcement.language != language else None,
        )
    return feed


@bp.get("/announcements.atom")
def feed():
    language = current_language()
    call_id = parse_int(request.args.get("call"), max_digits=9)
    theme = queries.normalise_theme(request.args.get("theme"))
    title = _("Announcements of the funding authorities – Kohtaamo")
    alternate = url_for("announcements.index", _external=True)
    if call_id:
        call = db.session.get(Call, call_id)
        if call is None or call.state != CallState.published:
            abort(404)
        title = _("Announcements: %(call)s – Kohtaamo", call=call.title(language))
        alternate = url_for("calls.detail", call_id=call.id, _external=True)
        self_url = url_for("announcements.feed", call=call.id, _external=True)
    elif theme:
        title = _("Announcements on the theme %(theme)s – Kohtaamo", theme=theme)
        alternate = url_for("announcements.theme", theme=theme, _external=True)
        self_url = url_for("announcements.feed", theme=theme, _external=True)
    else:
        self_url = url_for("announcements.feed", _external=True)
    items = queries.feed_announcements(call_id=call_id, theme=theme)
    return atom.atom_response(build_feed(items, language, clock.now(), title=title,
                                         self_url=self_url, alternate_url=alternate))
