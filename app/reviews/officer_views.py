"""(placeholder: being built)"""

from app.reviews import bp  # noqa: F401
