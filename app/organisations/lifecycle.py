"""Organisations after the reforms: the funding-authority capability, renaming (former names
are public history), the lifecycle (valid from / to, predecessor), units under one Business ID
and an employment area's member municipalities.

The funding authority is a capability an administrator grants, never a type or a name in
code: the regional authorities are renamed and reorganised by reforms (the ELY-centres' tasks
move to the elinvoimakeskukset in 2026), and a renamed or new authority works unchanged.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select

from app.auth.models import User
from app.core import audit, clock
from app.core.changes import record_change
from app.core.domain import DomainError, NotAllowed
from app.extensions import db
from app.organisations.models import Organisation
from app.organisations.permissions import can_edit_organisation, is_admin

MAX_MUNICIPALITIES = 60
MAX_MUNICIPALITY_NAME = 100


# --- the funding-authority capability ---------------------------------------------------------


def set_funding_authority(admin: User, organisation: Organisation, enabled: bool) -> None:
    """A platform administrator grants or revokes the capability. Revoking removes nothing
    (calls, call roles and decisions stay), but the call roles stop working: the predicates
    of calls and reviews ask for a verified funding authority."""
    if not is_admin(admin):
        raise NotAllowed(_l("Only a platform administrator grants or revokes the funding "
                            "authority's role."))
    if enabled and not organisation.is_verified:
        raise DomainError(_l("Only a verified organisation can be a funding authority. "
                             "Verify it first."))
    if bool(organisation.is_funding_authority) == bool(enabled):
        raise DomainError(_l("%(org)s is already a funding authority.", org=organisation.name)
                          if enabled else
                          _l("%(org)s is not a funding authority.", org=organisation.name))
    organisation.is_funding_authority = bool(enabled)
    audit.record("organisation.funding_authority_granted" if enabled
                 else "organisation.funding_authority_revoked",
                 actor=admin, obj=organisation, organisation=organisation)
    record_change("organisation", organisation.id)


# --- names ------------------------------------------------------------------------------------


def rename_organisation(actor: User, organisation: Organisation, new_name: str,
                        on: date | None = None) -> bool:
    """Give the organisation a new name; the old one is kept in `former_names` with the day
    it was used until (public history). Owners and administrators rename. False when the
    name did not change."""
    if not (can_edit_organisation(actor, organisation) or is_admin(actor)):
        raise NotAllowed()
    new_name = " ".join((new_name or "").split())
    if not new_name:
        raise DomainError(_l("Enter the name of the organisation."), field="name")
    if len(new_name) > 200:
        raise DomainError(_l("The name can be at most 200 characters long."), field="name")
    old = organisation.name
    if new_name == old:
        return False
    until = on or clock.local_date()
    # A new list: the JSON column notices a replaced value, not an appended one.
    organisation.former_names = [*(organisation.former_names or []),
                                 {"name": old, "until": until.isoformat()}]
    organisation.name = new_name
    audit.record("organisation.renamed", actor=actor, obj=organisation,
                 organisation=organisation, old=old, new=new_name, until=until.isoformat())
    record_change("organisation", organisation.id)
    return True


def former_names(organisation: Organisation) -> list[dict]:
    """The former names, the latest first, each {"name", "until": date or None}."""
    rows = []
    for entry in organisation.former_names or []:
        try:
            until = date.fromisoformat(entry.get("until") or "")
        except ValueError:
            until = None
        rows.append({"name": entry.get("name", ""), "until": until})
    return sorted(rows, key=lambda row: row["until"] or date.min, reverse=True)


# --- lifecycle --------------------------------------------------------------------------------


def update_lifecycle(admin: User, organisation: Organisation, *, valid_from: date | None,
                     valid_to: date | None, predecessor: Organisation | None) -> None:
    """A platform administrator records when the organisation was valid and whose tasks it
    took over (an elinvoimakeskus those of an ELY-centre, an employment area a TE-office's)."""
    if not is_admin(admin):
        raise NotAllowed()
    if valid_from and valid_to and valid_to < valid_from:
        raise DomainError(_l("The end date cannot be before the start date."), field="valid_to")
    if predecessor is not None:
        if predecessor.id == organisation.id:
            raise DomainError(_l("An organisation cannot be its own predecessor."),
                              field="predecessor")
        seen = {organisation.id}
        step = predecessor
        while step is not None:  # the chain of predecessors must not come back here
            if step.id in seen:
                raise DomainError(_l("%(org)s already follows this organisation: the "
                                     "predecessors would go round in a circle.",
                                     org=predecessor.name), field="predecessor")
            seen.add(step.id)
            step = step.predecessor
    before = {"valid_from": _iso(organisation.valid_from), "valid_to": _iso(organisation.valid_to),
              "predecessor": organisation.predecessor_id}
    organisation.valid_from = valid_from
    organisation.valid_to = valid_to
    organisation.predecessor = predecessor
    after = {"valid_from": _iso(valid_from), "valid_to": _iso(valid_to),
             "predecessor": predecessor.id if predecessor else None}
    if before != after:
        audit.record("organisation.lifecycle_changed", actor=admin, obj=organisation,
                     organisation=organisation, before=before, after=after)
        record_change("organisation", organisation.id)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- units and Business IDs -------------------------------------------------------------------


def organisations_with_business_id(business_id: str) -> list[Organisation]:
    """Every organisation (unit) with this Business ID, the organisation itself first."""
    return list(db.session.scalars(
        select(Organisation).where(Organisation.business_id == business_id)
        .order_by(case((Organisation.unit_name == "", 0), else_=1), Organisation.unit_name,
                  Organisation.id)
    ))


def organisation_for_business_id(business_id: str) -> Organisation | None:
    """The one organisation a Business ID names: the one without a unit name, or the only
    unit when there is just one; None when there is none or only several units."""
    rows = organisations_with_business_id(business_id)
    if not rows:
        return None
    if rows[0].unit_name == "" or len(rows) == 1:
        return rows[0]
    return None


def other_units(organisation: Organisation) -> list[Organisation]:
    """The other organisations and units with the same Business ID, by name."""
    return [org for org in organisations_with_business_id(organisation.business_id)
            if org.id != organisation.id]


def clean_municipalities(text: str) -> list[str]:
    """One municipality a line: blank lines and repeats dropped, at most 60 of 100 chars."""
    names: list[str] = []
    for line in (text or "").splitlines():
        name = " ".join(line.split())
        if not name:
            continue
        if len(name) > MAX_MUNICIPALITY_NAME:
            raise DomainError(_l("A municipality's name can be at most %(n)s characters long.",
                                 n=MAX_MUNICIPALITY_NAME), field="member_municipalities")
        if name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    if len(names) > MAX_MUNICIPALITIES:
        raise DomainError(_l("An employment area can have at most %(n)s member municipalities.",
                             n=MAX_MUNICIPALITIES), field="member_municipalities")
    return names


def administer_organisation(admin: User, organisation: Organisation, *, name: str,
                            renamed_on: date | None, valid_from: date | None,
                            valid_to: date | None, predecessor: Organisation | None) -> None:
    """The administrator's form: the name (a new one keeps the old as a former name, used
    until `renamed_on`), valid from / to and the predecessor, in one change."""
    if not is_admin(admin):
        raise NotAllowed()
    if renamed_on and renamed_on > clock.local_date():
        raise DomainError(_l("The day of the renaming cannot be in the future."),
                          field="renamed_on")
    rename_organisation(admin, organisation, name, on=renamed_on)
    update_lifecycle(admin, organisation, valid_from=valid_from, valid_to=valid_to,
                     predecessor=predecessor)
