"""The application in EURA 2021's section order: a printable page and JSON (app.applications.eura).
Whoever sees the application gets it (404 otherwise); nothing changes."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_login import login_required

from app.applications import bp
from app.applications import eura as export
from app.applications.loaders import get_application_or_404
from app.core import clock


@bp.get("/calls/applications/<int:application_id>/eura")
@login_required
def eura(application_id: int):
    application = get_application_or_404(application_id)
    return render_template("applications/eura.html", application=application,
                           call=application.call, sections=export.export_sections(application),
                           generated_at=clock.now())


@bp.get("/calls/applications/<int:application_id>/eura.json")
@login_required
def eura_json(application_id: int):
    application = get_application_or_404(application_id)
    data = export.as_json(application, export.export_sections(application), clock.now())
    response = jsonify(data)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="application-{application.id}-eura2021.json"')
    response.headers["Cache-Control"] = "private, no-store"
    return response
