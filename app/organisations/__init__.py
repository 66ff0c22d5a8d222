"""Organisations, memberships, invitations, join requests and verification."""

from flask import Blueprint

bp = Blueprint("organisations", __name__)

from app.organisations import admin_views, member_views, personal_data, views  # noqa: E402,F401
