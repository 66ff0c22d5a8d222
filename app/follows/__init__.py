"""Follow organisations, target groups and regions: notices, a weekly digest, What's new."""

from flask import Blueprint

bp = Blueprint("follows", __name__)

from app.follows import personal_data, views  # noqa: E402,F401
