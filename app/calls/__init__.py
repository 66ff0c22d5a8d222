"""Funding calls (ESF+) and their selection criteria. Applications to them are in
app/applications, which depends on this package (never the other way round)."""

from flask import Blueprint

bp = Blueprint("calls", __name__)

from app.calls import document_views, fee_views, feeds, provider_views, views  # noqa: E402,F401
