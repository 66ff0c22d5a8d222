"""Questions on published service models and the owner's answers."""

from flask import Blueprint

bp = Blueprint("questions", __name__)

from app.questions import personal_data, views  # noqa: E402,F401
