"""Partner finder and partner calls: organisations look for partners and talk in private threads."""

from flask import Blueprint

bp = Blueprint("partners", __name__)

from app.partners import finder_views, views  # noqa: E402,F401
