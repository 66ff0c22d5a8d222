"""Organisations, memberships, invitations, join requests and verification."""

from flask import Blueprint

bp = Blueprint("organisations", __name__)

from app.organisations import admin_views, member_views, views  # noqa: E402,F401
