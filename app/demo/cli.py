"""`flask demo seed` and `flask demo logins`."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.db import read_only
from app.demo import data
from app.demo.seed import has_users, seed_demo
from app.extensions import db
from app.organisations.models import JoinRequest, JoinRequestState, Membership, Role

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when the database already has any user account.")
def seed(if_empty: bool) -> None:
    """Load the demo data (idempotent: only what is missing is added)."""
    if if_empty and has_users(db.session):
        click.echo("The database already has user accounts; demo data not loaded.")
        return
    click.echo("Loading the demo data ...")

    def progress(name: str, count: int) -> None:
        click.echo(f"  {name.replace('_', ' ')}: {count} added")

    summary = seed_demo(db.session, progress=progress)
    db.session.commit()
    if summary.total:
        click.echo(f"Demo data loaded ({summary.total} rows). See them with `flask demo logins`.")
    else:
        click.echo("The demo data was already there; nothing added.")


def _role_text(membership: Membership) -> str:
    parts = [str(membership.role)]
    if membership.is_call_manager:
        parts.append("call manager")
    if membership.is_reviewer:
        parts.append("reviewer")
    if membership.is_observer:
        parts.append("national observer")
    return " + ".join(parts)


_ROLE_ORDER = {Role.owner: 0, Role.editor: 1, Role.member: 2}


def _rows(users: list[User], memberships: dict[int, list[Membership]],
          pending: dict[int, str]) -> list[tuple[str, str, str, str]]:
    """One row per log-in and organisation: e-mail, name, organisation, role."""
    rows = []
    for user in users:
        if user.is_admin:
            rows.append((user.email, user.name, "-", "platform administrator"))
        own = sorted(memberships.get(user.id, []),
                     key=lambda m: (_ROLE_ORDER[m.role], m.organisation.name))
        for membership in own:
            organisation = membership.organisation
            name = organisation.name + ("" if organisation.is_verified else " (unverified)")
            rows.append((user.email, user.name, name, _role_text(membership)))
        if not user.is_admin and not own:
            note = f"asked to join {pending[user.id]}" if user.id in pending else "none yet"
            rows.append((user.email, user.name, "-", f"no organisation ({note})"))
    return rows


def _authority_name(key: str) -> str:
    """A demo organisation's name as data.py declares it (never written here: reforms rename
    the authorities)."""
    return next(spec["name"] for spec in data.ORGANISATIONS if spec["key"] == key)


def _review_guide() -> list[str]:
    """Who to sign in as to try the review and decisions (app/demo/reviews_data.py)."""
    from app.demo import reviews_data as r

    return [
        f"Review and decisions at {_authority_name('ely-etela-savo')}:",
        f"  reviewers           {r.LEENA} (has an application to declare and score),",
        f"                      {r.VILLE}, {r.OUTI}",
        f"  presenting officer  {r.OFFICER} (assigns reviewers, ranking, proposes decisions)",
        f"  decision maker      {r.DECISION_MAKER} (confirms or returns proposals)",
        f"  decisions to read   {r.APPLICANT_FI} (in Finnish), {r.APPLICANT_SV} (in Swedish)",
    ]


@demo_cli.command("logins")
def logins() -> None:
    """Print the demo log-ins."""
    emails = [person["email"] for person in data.USERS]
    with read_only():
        try:
            found = {
                u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))
            }
        except (OperationalError, ProgrammingError) as error:
            raise click.ClickException(
                "The database is not set up yet. Run `flask db upgrade` and `flask demo seed` "
                "(or `make run`)."
            ) from error
        if not found:
            click.echo("No demo data in this database. Load it with `flask demo seed` "
                       "(or `make run`, which does it for you).")
            return
        users = [found[email] for email in emails if email in found]
        pending = {
            jr.user_id: jr.organisation.name
            for jr in db.session.scalars(
                select(JoinRequest)
                .options(selectinload(JoinRequest.organisation))
                .where(JoinRequest.user_id.in_([u.id for u in users]),
                       JoinRequest.state == JoinRequestState.pending)
            )
        }
        memberships: dict[int, list[Membership]] = {}
        for membership in db.session.scalars(
            select(Membership)
            .options(selectinload(Membership.organisation))
            .where(Membership.user_id.in_([u.id for u in users]))
        ):
            memberships.setdefault(membership.user_id, []).append(membership)
        rows = _rows(users, memberships, pending)
    header = ("E-mail", "Name", "Organisation", "Role")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]

    def line(cells) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    click.echo(f"Kohtaamo demo at {data.URL}")
    click.echo("")
    click.echo(line(header).rstrip())
    click.echo(line("-" * w for w in widths))
    for row in rows:
        click.echo(line(row).rstrip())
    click.echo("")
    for text in _review_guide():
        click.echo(text)
    click.echo("")
    from app.demo import projects_data

    for text in projects_data.guide():
        click.echo(text)
    click.echo("")
    click.echo(f"Every demo account has the password: {data.PASSWORD}")
    missing = len(emails) - len(found)
    if missing:
        click.echo(f"({missing} demo accounts are missing; `flask demo seed` adds them back.)")
