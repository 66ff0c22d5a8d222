"""(placeholder: being built)"""

from app.notifications import bp  # noqa: F401
