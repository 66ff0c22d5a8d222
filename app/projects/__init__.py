"""Funded projects: the project pages (private and public), progress reports with the ESF+
indicators, payment claims, the ELY-centre's follow-up dashboard and public statistics."""

from flask import Blueprint

bp = Blueprint("projects", __name__)

from app.projects import (  # noqa: E402,F401
    admin_views,
    dashboard_views,
    officer_views,
    public_views,
    report_views,
)
