"""Funding calls (ESF+), selection criteria, applications, budgets, partners and revisions."""

from flask import Blueprint

bp = Blueprint("calls", __name__)

from app.calls import (  # noqa: E402,F401
    application_views,
    feeds,
    list_views,
    part_views,
    views,
    workflow_views,
)
