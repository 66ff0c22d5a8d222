"""Funding calls (ESF+) and their selection criteria. Applications to them are in
app/applications, which depends on this package (never the other way round)."""

from flask import Blueprint

bp = Blueprint("calls", __name__)

from app.calls import fee_views, feeds, views  # noqa: E402,F401
