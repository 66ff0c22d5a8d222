"""(being written)"""

from app.projects import bp  # noqa: F401


@bp.route("/reports/<int:report_id>")
def report_detail(report_id: int):
    raise NotImplementedError
