"""Partner calls: announce, edit, close, answer, and talk in the private thread.

Services take model objects and values, check their actor with the predicates of
permissions.py, flush, and never commit (the view's unit of work does). Mail goes through the
outbox via `notify`.

A call whose deadline has passed counts as closed ("expired") everywhere, by query: nothing
has to run at midnight, and the row keeps `state = open` until someone closes it by hand. The
stored closure "expired" is not written by the application (it is reserved for a clean-up
command, should one ever be wanted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from app.core import audit, clock
from app.core.codelists import ORGANISATION_TYPES, REGIONS, SERVICE_LANGUAGES, TARGET_GROUPS
from app.core.db import contains_folded
from app.core.domain import Conflict, DomainError, NotAllowed
from app.extensions import db
from app.notifications.models import NotificationKind
from app.organisations.models import Organisation
from app.organisations.partnership import WRITERS, people_of
from app.partners import permissions
from app.partners.models import (
    PartnerCall,
    PartnerCallClosure,
    PartnerCallState,
    PartnerMessage,
    PartnerThread,
)

MESSAGE_MAX = 5000
TITLE_MAX = 200
KIND_MAX = 500
DESCRIPTION_MAX = 10_000

CLOSED_MESSAGE = _l("This partner call is closed: it no longer takes answers.")
CONFLICT_MESSAGE = _l("Someone else changed this partner call after you opened it. Your "
                      "changes were not saved: check the current version and try again.")


@dataclass
class PartnerCallInput:
    title: str = ""
    description: str = ""
    partner_kind: str = ""
    partner_types: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    call_id: int | None = None
    practice_id: int | None = None
    deadline: date | None = None


# --- reading ---------------------------------------------------------------------------------


def today() -> date:
    return clock.local_date()


def open_condition(on: date | None = None):
    """SQL: the call takes answers (open, and its deadline not passed in Helsinki)."""
    on = on or today()
    return and_(PartnerCall.state == PartnerCallState.open,
                or_(PartnerCall.deadline.is_(None), PartnerCall.deadline >= on))


def is_accepting(partner_call: PartnerCall, on: date | None = None) -> bool:
    """The same rule in Python: open and not past its deadline."""
    on = on or today()
    return partner_call.is_open and (partner_call.deadline is None
                                     or partner_call.deadline >= on)


def shown_closure(partner_call: PartnerCall, on: date | None = None) -> PartnerCallClosure | None:
    """Why the call is closed (expired when only its deadline passed), or None when open."""
    if is_accepting(partner_call, on):
        return None
    return partner_call.closure or PartnerCallClosure.expired


def thread_of(partner_call: PartnerCall, organisation: Organisation) -> PartnerThread | None:
    return db.session.scalar(select(PartnerThread).where(
        PartnerThread.partner_call_id == partner_call.id,
        PartnerThread.organisation_id == organisation.id))


def _unread_condition(side: str):
    """SQL on PartnerMessage joined to PartnerThread: a message of the other side after the
    side's read marker."""
    if side == "caller":
        return and_(PartnerMessage.organisation_id == PartnerThread.organisation_id,
                    or_(PartnerThread.caller_read_at.is_(None),
                        PartnerMessage.created_at > PartnerThread.caller_read_at))
    return and_(PartnerMessage.organisation_id != PartnerThread.organisation_id,
                or_(PartnerThread.answerer_read_at.is_(None),
                    PartnerMessage.created_at > PartnerThread.answerer_read_at))


def unread_counts(thread_ids: list[int], side: str) -> dict[int, int]:
    """{thread id: unread messages for `side` ("caller" or "answerer")}: one query."""
    if not thread_ids:
        return {}
    rows = db.session.execute(
        select(PartnerThread.id, func.count(PartnerMessage.id))
        .join(PartnerMessage, PartnerMessage.thread_id == PartnerThread.id)
        .where(PartnerThread.id.in_(thread_ids), _unread_condition(side))
        .group_by(PartnerThread.id))
    return {thread_id: count for thread_id, count in rows}


def message_counts(thread_ids: list[int]) -> dict[int, int]:
    if not thread_ids:
        return {}
    rows = db.session.execute(
        select(PartnerMessage.thread_id, func.count(PartnerMessage.id))
        .where(PartnerMessage.thread_id.in_(thread_ids)).group_by(PartnerMessage.thread_id))
    return dict(rows.all())


# --- writing a call --------------------------------------------------------------------------


def _clean(values: PartnerCallInput, organisation: Organisation, on: date,
           current: PartnerCall | None = None) -> PartnerCallInput:
    title = " ".join((values.title or "").split())
    if not title:
        raise DomainError(_l("Give the partner call a title."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(_l("The title can be at most 200 characters long."), field="title")
    description = (values.description or "").strip()
    if not description:
        raise DomainError(_l("Describe what you are looking for."), field="description")
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(_l("The description can be at most 10,000 characters long."),
                          field="description")
    kind = " ".join((values.partner_kind or "").split())
    if len(kind) > KIND_MAX:
        raise DomainError(_l("The text can be at most 500 characters long."),
                          field="partner_kind")
    if values.deadline is None:
        raise DomainError(_l("Give the last day for answers."), field="deadline")
    unchanged = current is not None and current.deadline == values.deadline
    if values.deadline < on and not unchanged:
        raise DomainError(_l("The deadline cannot be in the past."), field="deadline")
    if values.deadline.year > 2100:
        raise DomainError(_l("Enter a date between the years 2000 and 2100."), field="deadline")
    call_id = values.call_id
    if call_id is not None and (current is None or current.call_id != call_id):
        if call_id not in {c for c, _t in open_funding_calls()}:
            raise DomainError(_l("Choose one of the open funding calls."), field="call_id")
    practice_id = values.practice_id
    if practice_id is not None and (current is None or current.practice_id != practice_id):
        if practice_id not in {p for p, _t in own_practices(organisation)}:
            raise DomainError(_l("Choose one of your organisation's service models."),
                              field="practice_id")
    return PartnerCallInput(
        title=title, description=description, partner_kind=kind,
        partner_types=ORGANISATION_TYPES.clean(values.partner_types),
        regions=REGIONS.clean(values.regions),
        target_groups=TARGET_GROUPS.clean(values.target_groups),
        languages=SERVICE_LANGUAGES.clean(values.languages),
        call_id=call_id, practice_id=practice_id, deadline=values.deadline)


def open_funding_calls() -> list[tuple[int, str]]:
    """(id, title in the reader's language) of the open funding calls, for the link choice."""
    from app.calls.models import CallPhase
    from app.calls.services import public_calls
    from app.core.codelists import current_language

    language = current_language()
    return [(c.id, c.title(language)) for c in db.session.scalars(public_calls(CallPhase.open))]


def own_practices(organisation: Organisation) -> list[tuple[int, str]]:
    """(id, title) of the organisation's published service models, for the link choice."""
    from app.practices.models import Practice, PracticeState

    return list(db.session.execute(
        select(Practice.id, Practice.title)
        .where(Practice.organisation_id == organisation.id,
               Practice.state == PracticeState.published)
        .order_by(func.lower(Practice.title), Practice.id)).all())


def _apply(partner_call: PartnerCall, values: PartnerCallInput) -> None:
    partner_call.title = values.title
    partner_call.description = values.description
    partner_call.partner_kind = values.partner_kind
    partner_call.partner_types = list(values.partner_types)
    partner_call.regions = list(values.regions)
    partner_call.target_groups = list(values.target_groups)
    partner_call.languages = list(values.languages)
    partner_call.call_id = values.call_id
    partner_call.practice_id = values.practice_id
    partner_call.deadline = values.deadline


def create_partner_call(actor, organisation: Organisation, values: PartnerCallInput,
                        on: date | None = None) -> PartnerCall:
    """A new open partner call of `organisation`, by one of its writers (verified only)."""
    if not permissions.can_create_partner_call(actor, organisation):
        raise NotAllowed(_l("Only the owners and editors of a verified organisation announce "
                            "partner calls."), field="organisation")
    values = _clean(values, organisation, on or today())
    partner_call = PartnerCall(organisation=organisation, created_by_id=actor.id,
                               state=PartnerCallState.open)
    _apply(partner_call, values)
    db.session.add(partner_call)
    db.session.flush()
    audit.record("partner_call.created", actor=actor, obj=partner_call,
                 organisation=organisation)
    return partner_call


def _check_version(partner_call: PartnerCall, seen_version) -> None:
    if seen_version is not None and str(seen_version) != str(partner_call.lock_version):
        raise Conflict(CONFLICT_MESSAGE)


def update_partner_call(actor, partner_call: PartnerCall, values: PartnerCallInput,
                        seen_version=None, on: date | None = None) -> PartnerCall:
    """Save an edit; an edit of an older version than the stored one raises Conflict."""
    on = on or today()
    if not permissions.can_manage_partner_call(actor, partner_call):
        raise NotAllowed()
    if not is_accepting(partner_call, on):
        raise DomainError(_l("A closed partner call cannot be edited."))
    _check_version(partner_call, seen_version)
    _apply(partner_call, _clean(values, partner_call.organisation, on, current=partner_call))
    db.session.flush()
    return partner_call


def close_partner_call(actor, partner_call: PartnerCall, closure: PartnerCallClosure,
                       seen_version=None, now: datetime | None = None) -> PartnerCall:
    """Close an open call as filled or withdrawn (not reopened)."""
    if not permissions.can_manage_partner_call(actor, partner_call):
        raise NotAllowed()
    if closure not in (PartnerCallClosure.filled, PartnerCallClosure.withdrawn):
        raise DomainError(_l("Choose one of the options."), field="closure")
    if not partner_call.is_open:
        raise DomainError(_l("This partner call is already closed."))
    _check_version(partner_call, seen_version)
    partner_call.state = PartnerCallState.closed
    partner_call.closure = closure
    partner_call.closed_at = clock.resolve(now)
    db.session.flush()
    audit.record("partner_call.closed", actor=actor, obj=partner_call,
                 organisation=partner_call.organisation, closure=str(closure))
    return partner_call


# --- answers and messages --------------------------------------------------------------------


def _clean_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError(_l("Write a message."), field="body")
    if len(body) > MESSAGE_MAX:
        raise DomainError(_l("The message can be at most 5,000 characters long."), field="body")
    return body


def answer_partner_call(actor, partner_call: PartnerCall, organisation: Organisation,
                        body: str | None, now: datetime | None = None) -> PartnerMessage:
    """An answer in `organisation`'s name: its thread (opened by the first answer) gets the
    message, and the announcing organisation's writers are told."""
    if not permissions.can_answer(actor, partner_call, organisation):
        raise NotAllowed(_l("Only the owners and editors of a verified organisation answer "
                            "partner calls."), field="organisation")
    if not is_accepting(partner_call):
        raise DomainError(CLOSED_MESSAGE, field="body")
    body = _clean_body(body)
    now = clock.resolve(now)
    thread = thread_of(partner_call, organisation)
    first = thread is None
    if first:
        thread = PartnerThread(partner_call=partner_call, organisation=organisation,
                               created_by_id=actor.id, created_at=now, last_message_at=now)
        db.session.add(thread)
        db.session.flush()
    message = _add_message(actor, thread, organisation, body, now)
    if first:
        audit.record("partner_call.answered", actor=actor, obj=thread,
                     organisation=organisation, partner_call_id=partner_call.id)
    _notify_other_side(actor, thread, organisation, first=first)
    return message


def post_message(actor, thread: PartnerThread, body: str | None,
                 now: datetime | None = None) -> PartnerMessage:
    """A message in the thread by a writer of either organisation; the other one is told."""
    organisation = permissions.posting_organisation(actor, thread)
    if organisation is None:
        raise NotAllowed()
    body = _clean_body(body)
    message = _add_message(actor, thread, organisation, body, clock.resolve(now))
    _notify_other_side(actor, thread, organisation, first=False)
    return message


def _add_message(actor, thread: PartnerThread, organisation: Organisation, body: str,
                 now: datetime) -> PartnerMessage:
    message = PartnerMessage(thread=thread, organisation_id=organisation.id, author_id=actor.id,
                             body=body, created_at=now)
    db.session.add(message)
    thread.last_message_at = now
    # The writer has read what they answer.
    if organisation.id == thread.organisation_id:
        thread.answerer_read_at = now
    else:
        thread.caller_read_at = now
    db.session.flush()
    return message


def _notify_other_side(actor, thread: PartnerThread, author_org: Organisation,
                       first: bool) -> None:
    from app.notifications.services import notify, path_for

    partner_call = thread.partner_call
    other = (thread.organisation if author_org.id == partner_call.organisation_id
             else partner_call.organisation)
    own = {u.id for u in people_of([author_org.id])}
    people = [u for u in people_of([other.id], roles=WRITERS)
              if u.id != actor.id and u.id not in own]
    kind = NotificationKind.partner_call_answered if first else NotificationKind.partner_message
    url = path_for("partners.thread", partner_call_id=partner_call.id, thread_id=thread.id)
    notify(people, kind, url=url, subject=thread,
           params={"title": partner_call.title, "organisation": author_org.display_name},
           mail_template="partner_call_answered" if first else "partner_message",
           partner_call=partner_call, organisation=author_org, thread=thread)


def mark_read(user, thread: PartnerThread, now: datetime | None = None) -> bool:
    """Move the reader's side's marker to now; False when nothing changed."""
    side = permissions.thread_side(user, thread)
    if side is None:
        return False
    now = clock.resolve(now)
    if side == "caller":
        thread.caller_read_at = now
    else:
        thread.answerer_read_at = now
    db.session.flush()
    return True



# --- lists -----------------------------------------------------------------------------------


def _like(text: str, lower: bool = True) -> str:
    text = text.lower() if lower else text
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _has_code(column, code: str):
    """SQL: a JSON list column holds `code` (codes are plain identifiers: no quotes inside)."""
    from sqlalchemy import String, cast

    # Codes keep their case (regions are "MK10"): PostgreSQL's LIKE is case-sensitive.
    return cast(column, String).like(_like(f'"{code}"', lower=False), escape="\\")


@dataclass
class ListFilter:
    q: str = ""
    state: str = "open"
    types: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    organisation_id: int | None = None
    sort: str = "newest"

    @classmethod
    def from_args(cls, args) -> ListFilter:
        from app.core.fields import parse_int

        state, sort = args.get("state", "open"), args.get("sort", "newest")
        return cls(q=" ".join((args.get("q") or "").split())[:100],
                   state=state if state in ("open", "closed") else "open",
                   types=ORGANISATION_TYPES.clean(args.getlist("type")),
                   regions=REGIONS.clean(args.getlist("region")),
                   target_groups=TARGET_GROUPS.clean(args.getlist("target_group")),
                   organisation_id=parse_int(args.get("organisation")),
                   sort=sort if sort in ("newest", "deadline") else "newest")

    @property
    def active(self) -> bool:
        return bool(self.q or self.types or self.regions or self.target_groups
                    or self.organisation_id or self.state != "open")


def public_query(flt: ListFilter, on: date | None = None):
    """Partner calls of verified organisations matching the filter, sorted (for db.paginate)."""
    from sqlalchemy.orm import joinedload

    from app.organisations.models import OrganisationStatus

    accepting = open_condition(on)
    stmt = (select(PartnerCall).join(PartnerCall.organisation)
            .options(joinedload(PartnerCall.organisation))
            .where(Organisation.status == OrganisationStatus.verified))
    stmt = stmt.where(accepting if flt.state == "open" else ~accepting)
    if flt.organisation_id:
        stmt = stmt.where(PartnerCall.organisation_id == flt.organisation_id)
    for word in flt.q.split()[:10]:  # any case, with or without diacritics
        stmt = stmt.where(or_(*(contains_folded(c, word) for c in (
            PartnerCall.title, PartnerCall.description, PartnerCall.partner_kind))))
    for column, codes in ((PartnerCall.partner_types, flt.types),
                          (PartnerCall.regions, flt.regions),
                          (PartnerCall.target_groups, flt.target_groups)):
        if codes:
            stmt = stmt.where(or_(*(_has_code(column, code) for code in codes)))
    if flt.sort == "deadline":
        order = (PartnerCall.deadline.is_(None), PartnerCall.deadline, PartnerCall.id)
    else:
        order = (PartnerCall.created_at.desc(), PartnerCall.id.desc())
    return stmt.order_by(*order)


def organisation_open_calls(organisation: Organisation, limit: int = 5) -> list[PartnerCall]:
    """The organisation's open calls, nearest deadline first (its page shows them)."""
    return list(db.session.scalars(
        select(PartnerCall).where(PartnerCall.organisation_id == organisation.id,
                                  open_condition())
        .order_by(PartnerCall.deadline, PartnerCall.id).limit(limit)))


def my_overview(user) -> dict:
    """What "My partner calls" shows, in a bounded number of queries: the calls of the
    user's organisations (with answers and unread counts) and the threads those organisations
    take part in as answerers (with unread counts)."""
    from sqlalchemy.orm import joinedload, selectinload

    from app.organisations.services import memberships_by_organisation

    org_ids = list(memberships_by_organisation(user))
    if not org_ids:
        return {"calls": [], "threads": [], "caller_unread": {}, "answerer_unread": {},
                "call_unread": {}, "messages": {}}
    calls = list(db.session.scalars(
        select(PartnerCall).options(joinedload(PartnerCall.organisation),
                                    selectinload(PartnerCall.threads))
        .where(PartnerCall.organisation_id.in_(org_ids))
        .order_by(PartnerCall.created_at.desc(), PartnerCall.id.desc()).limit(200)))
    threads = list(db.session.scalars(
        select(PartnerThread)
        .options(joinedload(PartnerThread.partner_call).joinedload(PartnerCall.organisation),
                 joinedload(PartnerThread.organisation))
        .where(PartnerThread.organisation_id.in_(org_ids))
        .order_by(PartnerThread.last_message_at.desc(), PartnerThread.id.desc()).limit(200)))
    caller_ids = [t.id for c in calls for t in c.threads]
    unread = unread_counts(caller_ids, "caller")
    call_unread = {c.id: sum(unread.get(t.id, 0) for t in c.threads) for c in calls}
    return {"calls": calls, "threads": threads, "caller_unread": unread, "call_unread": call_unread,
            "answerer_unread": unread_counts([t.id for t in threads], "answerer"),
            "messages": message_counts(caller_ids + [t.id for t in threads])}
