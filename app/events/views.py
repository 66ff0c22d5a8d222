"""Routes of events (thin: forms in, one service call inside perform(), a template out)."""

from app.events import bp  # noqa: F401
