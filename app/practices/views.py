"""Reading service models: the public list, the model page, versions, diffs, attachments.

Writing is in edit_views.py; partners, validation and adoption in community_views.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.fields import parse_int
from app.core.htmx import is_htmx, render_page_or_fragment
from app.core.pagination import page_arg
from app.extensions import db
from app.organisations.permissions import is_admin, membership_of
from app.practices import bp, permissions, queries
from app.practices.diff import compare
from app.practices.forms import FIELD_LABELS, ListFilterForm, ValidateForm, WithdrawForm
from app.practices.models import CLASSIFICATION, SECTIONS, Practice, PracticeAttachment
from app.practices.permissions import can_view_practice

DIFF_FIELDS = ("title", "summary", *SECTIONS, "language", *CLASSIFICATION)


# --- template helpers ----------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationPractices:
    pagination: object
    members: bool  # the viewer sees drafts and archived models too
    page_name: str


def organisation_practices(organisation, page_name: str | None = None) -> OrganisationPractices:
    """An organisation's models for the list partial, 10 a page: with drafts and archived ones
    for its members (and administrators), published ones for everyone else."""
    include = is_admin(current_user) or membership_of(current_user, organisation) is not None
    page_name = page_name or f"practices_page_{organisation.id}"
    pagination = db.paginate(queries.practices_for_organisation(organisation, include),
                             page=page_arg(page_name), per_page=queries.ORG_PER_PAGE,
                             error_out=False)
    return OrganisationPractices(pagination, include, page_name)


def my_practices(page_name: str = "models_page"):
    """The models of every organisation the current user belongs to, one page of them in one
    query however many organisations that is (the dashboard)."""
    from app.organisations.services import memberships_by_organisation

    org_ids = list(memberships_by_organisation(current_user))
    return db.paginate(queries.practices_for_organisations(org_ids), page=page_arg(page_name),
                       per_page=queries.DASHBOARD_PER_PAGE, error_out=False)


@bp.app_context_processor
def _practice_helpers():
    return {
        "practice_perms": permissions,
        "organisation_practices": organisation_practices,
        "my_practices": my_practices,
        "pending_partner_invitations": lambda: queries.pending_partner_invitations(current_user),
        "practice_field_labels": FIELD_LABELS,
        "practice_sections": SECTIONS,
    }


# --- loading -------------------------------------------------------------------------------


def get_practice_or_404(practice_id: int, check=None, *, full: bool = False,
                        allow=None) -> Practice:
    """Load a model the current user may see (else 404), then apply `check` (else 403).

    `allow` is a second way to see it (an invited partner answering a draft's invitation)."""
    practice = queries.load_practice(practice_id, full=full)
    if practice is None:
        abort(404)
    visible = can_view_practice(current_user, practice) or (allow and allow(current_user, practice))
    if not visible:
        abort(404)
    if check is not None and not check(current_user, practice):
        abort(403)
    return practice


def shown_content(practice: Practice) -> dict:
    """What readers see: the current published version, or the working copy of a model that
    has never been published (only its organisation sees that)."""
    if practice.current_version is not None:
        return practice.current_version.content
    return practice.content()


def display_title(practice: Practice) -> str:
    """The title readers know: the published one, else the working copy's."""
    return practice.current_version.title if practice.current_version else practice.title


def canonical_url(practice: Practice, **kwargs) -> str:
    return url_for("practices.detail", practice_id=practice.id, slug=practice.slug or "malli",
                   **kwargs)


def render_detail(practice: Practice, *, validate_form=None, withdraw_form=None, status: int = 200):
    """The model page (also re-rendered by the validation views with their form errors)."""
    user = current_user
    if validate_form is None and permissions.can_validate_practice(user, practice):
        validate_form = ValidateForm(
            formdata=None, organisations=permissions.validating_organisations(user, practice))
    if withdraw_form is None and permissions.can_withdraw_validation(user, practice):
        withdraw_form = WithdrawForm(formdata=None)
    accepted = [p for p in practice.partners if p.state == "accepted"]
    return render_template(
        "practices/detail.html",
        practice=practice,
        content=shown_content(practice),
        partners=accepted,
        is_member=permissions.can_view_working_copy(user, practice),
        validate_form=validate_form,
        withdraw_form=withdraw_form,
    ), status


# --- public pages --------------------------------------------------------------------------


@bp.get("/practices")
def index():
    flt = queries.ListFilter.from_args(request.args)
    form = ListFilterForm(request.args, sorts=queries.SORTS)
    pagination = db.paginate(queries.published_query(flt), page=page_arg(),
                             per_page=queries.PER_PAGE, error_out=False)
    return render_page_or_fragment(
        "practices/index.html",
        "practices/_list_results.html",
        form=form,
        flt=flt,
        pagination=pagination,
        htmx_request=is_htmx(),
    )


@bp.get("/practices/<int:practice_id>", defaults={"slug": None})
@bp.get("/practices/<int:practice_id>-<slug>")
def detail(practice_id: int, slug: str | None):
    practice = get_practice_or_404(practice_id, full=True)
    if slug != practice.slug:
        # Permalinks: an old or wrong slug, or none, moves permanently to the current one.
        return redirect(canonical_url(practice), 301)
    return render_detail(practice)


@bp.get("/practices/<int:practice_id>/versions")
def history(practice_id: int):
    practice = get_practice_or_404(practice_id)
    pagination = db.paginate(queries.versions_query(practice), page=page_arg(), per_page=50,
                             error_out=False)
    return render_template("practices/history.html", practice=practice, pagination=pagination,
                           numbers=queries.version_numbers(practice),
                           display_title=display_title(practice))


@bp.get("/practices/<int:practice_id>/versions/<int:number>")
def version(practice_id: int, number: int):
    practice = get_practice_or_404(practice_id)
    found = queries.version(practice, number)
    if found is None:
        abort(404)
    return render_template("practices/version.html", practice=practice, version=found,
                           content=found.content)


def _version_arg(name: str) -> int | None | bool:
    """A version number from the query string: None when absent, False when not a number."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    value = parse_int(raw, max_digits=6)
    return False if value is None else value


def diff_display(content: dict) -> dict:
    """A version's fields as text for comparison: code lists as labels."""
    from app.core import codelists

    lists = {"target_groups": codelists.TARGET_GROUPS, "work_forms": codelists.WORK_FORMS,
             "regions": codelists.REGIONS}
    single = {"stage": codelists.STAGES, "evidence": codelists.EVIDENCE_LEVELS,
              "language": codelists.LANGUAGES}
    shown = {}
    for name in DIFF_FIELDS:
        value = content.get(name)
        if name in lists:
            value = [lists[name].label(code) for code in value or []]
        elif name in single:
            value = single[name].label(value) if value else ""
        shown[name] = value
    return shown


@bp.get("/practices/<int:practice_id>/diff")
def diff(practice_id: int):
    practice = get_practice_or_404(practice_id)
    numbers = queries.version_numbers(practice)
    old_n, new_n = _version_arg("from"), _version_arg("to")
    if old_n is None and new_n is None and len(numbers) >= 2:
        old_n, new_n = numbers[1], numbers[0]
    error = None
    old = new = None
    if len(numbers) < 2:
        error = (_l("There is only one published version, so there is nothing to compare yet.")
                 if numbers else _l("The service model has not been published yet."))
    elif old_n in (None, False) or new_n in (None, False):
        error = _l("Choose two versions to compare.")
    else:
        old, new = queries.version(practice, old_n), queries.version(practice, new_n)
        if old is None or new is None:
            error = _l("There is no such version. Choose two versions from the lists.")
        elif old_n == new_n:
            error = _l("Choose two different versions.")
    if error:
        status = 400 if (request.args.get("from") or request.args.get("to")) else 200
        return render_template("practices/diff.html", practice=practice, numbers=numbers,
                               display_title=display_title(practice), error=error, diffs=None,
                               old=None, new=None,
                               old_n=old_n or None, new_n=new_n or None), status
    diffs = compare(diff_display(old.content), diff_display(new.content), DIFF_FIELDS)
    return render_template("practices/diff.html", practice=practice, numbers=numbers, error=None,
                           display_title=display_title(practice),
                           diffs=diffs, old=old, new=new, old_n=old_n, new_n=new_n)


@bp.get("/practices/<int:practice_id>/attachments/<int:attachment_id>")
def attachment_download(practice_id: int, attachment_id: int):
    from app.core.uploads import send_upload

    practice = get_practice_or_404(practice_id, check=permissions.can_download_attachment)
    attachment = db.session.get(PracticeAttachment, attachment_id)
    if attachment is None or attachment.practice_id != practice.id:
        abort(404)
    if not permissions.can_download_this_attachment(current_user, practice, attachment):
        abort(404)  # a draft attachment is the organisation's until it is published
    try:
        return send_upload(attachment.stored_name, attachment.filename, attachment.content_type)
    except (FileNotFoundError, ValueError):
        abort(404)  # the row outlived its file (a lost disk): nothing to send
