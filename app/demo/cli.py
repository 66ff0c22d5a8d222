"""`flask demo seed` and `flask demo logins` (placeholder)."""

import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True)
def seed(if_empty: bool) -> None:
    """Load the demo data (idempotent)."""


@demo_cli.command("logins")
def logins() -> None:
    """Print the demo log-ins."""
