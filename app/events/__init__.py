"""Events with registration, a waiting list and iCalendar feeds."""

from flask import Blueprint

bp = Blueprint("events", __name__)

from app.events import registration_views, views  # noqa: E402,F401
