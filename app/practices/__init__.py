"""Service models: writing, publishing, versions, validation, adoption, import and export."""

from flask import Blueprint

bp = Blueprint("practices", __name__)

from app.practices import community_views, edit_views, personal_data, views  # noqa: E402,F401
