"""`flask users ...` commands."""

from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup

from app.auth.models import User
from app.auth.passwords import hash_password, password_problem
from app.auth.services import get_user_by_email, normalise_email
from app.core import audit
from app.core.db import utcnow
from app.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Ylläpitäjä", help="Display name for a new account.")
@click.option("--password", envvar="KOHTAAMO_ADMIN_PASSWORD", default=None,
              help="Password for a new account (default: a random one, printed once).")
def create_admin(email: str, name: str, password: str | None) -> None:
    """Make EMAIL a platform administrator, creating the account if needed."""
    email = normalise_email(email)
    user = get_user_by_email(email)
    if user is None:
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        problem = password_problem(password, email=email)
        if problem:
            raise click.ClickException(f"The password is not acceptable ({problem}).")
        user = User(email=email, name=name, password_hash=hash_password(password),
                    email_verified_at=utcnow(), is_admin=True)
        db.session.add(user)
        db.session.flush()
        audit.record("account.admin_created", obj=user)
        db.session.commit()
        click.echo(f"Created administrator {email}.")
        if generated:
            click.echo(f"Password (shown once): {password}")
        return
    if user.is_admin:
        click.echo(f"{email} is already an administrator.")
        return
    user.is_admin = True
    audit.record("account.admin_granted", obj=user)
    db.session.commit()
    click.echo(f"{email} is now an administrator.")


@users_cli.command("prune-sessions")
def prune_sessions_command() -> None:
    """Delete the sessions that have ended by time (idle or absolute lifetime)."""
    from app.auth.sessions import prune_sessions

    count = prune_sessions()
    db.session.commit()
    click.echo(f"Deleted {count} expired sessions.")
