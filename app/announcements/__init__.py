"""Announcements of funding authorities per call or theme, with an Atom feed."""

from flask import Blueprint

bp = Blueprint("announcements", __name__)

from app.announcements import feeds, views  # noqa: E402,F401
