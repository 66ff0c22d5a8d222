"""In-app notifications (/notifications) and each person's choice of mail per kind."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from app.notifications import personal_data, views  # noqa: E402,F401
