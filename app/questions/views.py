"""Routes of questions (thin: forms in, one service call inside perform(), a template out)."""

from app.questions import bp  # noqa: F401
