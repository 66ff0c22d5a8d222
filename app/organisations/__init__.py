"""Organisations, memberships, invitations, join requests and verification."""

from flask import Blueprint

bp = Blueprint("organisations", __name__)

from app.organisations import views  # noqa: E402,F401
