"""Routes of announcements (thin: forms in, one service call inside perform(), a template out)."""

from app.announcements import bp  # noqa: F401
