"""Routes of partners (thin: forms in, one service call inside perform(), a template out)."""

from app.partners import bp  # noqa: F401
