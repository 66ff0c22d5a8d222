"""Routes of follows (thin: forms in, one service call inside perform(), a template out)."""

from app.follows import bp  # noqa: F401
