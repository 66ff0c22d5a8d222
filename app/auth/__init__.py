"""Accounts: registration, e-mail verification, sessions, password reset, personal data."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import personal_data, views  # noqa: E402,F401
