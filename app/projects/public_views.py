"""(being written)"""

from app.projects import bp  # noqa: F401
