"""Organisation pages (placeholder endpoints; the full views are being written)."""

from flask import abort, render_template

from app.organisations import bp


@bp.get("/organisations")
def directory():
    return render_template("main/home.html")


@bp.get("/organisations/<int:org_id>")
def detail(org_id: int):
    abort(404)


@bp.get("/organisations/<int:org_id>/members")
def members(org_id: int):
    abort(404)


@bp.get("/dashboard")
def dashboard():
    return render_template("main/home.html")


@bp.get("/admin/organisations")
def admin_queue():
    abort(404)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation_accept(token: str):
    abort(404)
