"""Applications to funding calls: sections, budgets, partners, linked service models,
attachments, revisions and the workflow from draft to decision."""

from flask import Blueprint

bp = Blueprint("applications", __name__)

from app.applications import (  # noqa: E402,F401
    budget_views,
    eura_views,
    list_views,
    outcome_views,
    part_views,
    personal_data,
    views,
    voucher_views,
    workflow_views,
)
