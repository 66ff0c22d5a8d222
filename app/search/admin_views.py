"""Platform administration of the search thesaurus: the concept sets (terms in Finnish,
Swedish and English) that a query in one language also finds the others with. A change
takes effect on the next searches without rebuilding the index (see thesaurus.py)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, or_
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.core.forms import BaseForm, show_domain_error
from app.core.pagination import SortOption, page_arg, sort_arg
from app.core.unit_of_work import perform
from app.extensions import db
from app.search import thesaurus
from app.search.thesaurus import ConceptInput, SearchConcept, can_edit_thesaurus

bp = Blueprint("search_admin", __name__, url_prefix="/admin/thesaurus")

PER_PAGE = 25
MAX_FILTER_CHARS = 100
SORTS = {
    "name": SortOption("name", _l("Concept id"), (SearchConcept.slug,)),
    "updated": SortOption("updated", _l("Recently changed first"),
                          (SearchConcept.updated_at.desc(), SearchConcept.id.desc())),
    "fi": SortOption("fi", _l("Finnish term"),
                     (func.lower(SearchConcept.terms_fi), SearchConcept.id)),
}
LANGUAGE_LABELS = {"fi": _l("Finnish terms"), "sv": _l("Swedish terms"),
                   "en": _l("English terms")}
TERMS_HINT = _l("One term per line (or separated by |), the preferred term first. Inflected "
                "forms are found without listing them.")


class ConceptForm(BaseForm):
    fi = TextAreaField(LANGUAGE_LABELS["fi"], validators=[Length(max=2000)],
                       description=TERMS_HINT)
    sv = TextAreaField(LANGUAGE_LABELS["sv"], validators=[Length(max=2000)],
                       description=TERMS_HINT)
    en = TextAreaField(LANGUAGE_LABELS["en"], validators=[Length(max=2000)],
                       description=TERMS_HINT)
    source = StringField(_l("Source of the terms"), validators=[Length(max=300)],
                         description=_l("Where the equivalence is taken from, e.g. "
                                        "“TE-palvelut / Työmarkkinatori” or “YSO/Finto”."))
    note = TextAreaField(_l("Note"), validators=[Length(max=1000)])
    lock_version = HiddenField()

    def values(self) -> ConceptInput:
        return ConceptInput(
            terms={lang: _terms(getattr(self, lang).data) for lang in ("fi", "sv", "en")},
            source=self.source.data or "", note=self.note.data or "")

    def fill(self, concept: SearchConcept) -> None:
        for lang in ("fi", "sv", "en"):
            getattr(self, lang).data = "\n".join(concept.terms(lang))
        self.source.data = concept.source
        self.note.data = concept.note
        self.lock_version.data = str(concept.lock_version)


class DeleteForm(BaseForm):
    lock_version = HiddenField(validators=[DataRequired()])


def _terms(text: str | None) -> list[str]:
    return [term for line in (text or "").splitlines() for term in thesaurus.split_terms(line)]


def _require_admin() -> None:
    if not can_edit_thesaurus(current_user):
        abort(403)


def _concept_or_404(concept_id: int) -> SearchConcept:
    concept = db.session.get(SearchConcept, concept_id)
    if concept is None or concept.deleted_at is not None:
        abort(404)
    return concept


def _listing(q: str, sort: SortOption):
    query = thesaurus.live_concepts()
    if q:
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") \
            + "%"
        query = query.where(or_(*(func.lower(column).like(pattern, escape="\\") for column in (
            SearchConcept.slug, SearchConcept.terms_fi, SearchConcept.terms_sv,
            SearchConcept.terms_en, SearchConcept.source))))
    return query.order_by(*sort.columns)


@bp.get("")
@login_required
def index():
    _require_admin()
    q = " ".join((request.args.get("q") or "").split())[:MAX_FILTER_CHARS]
    sort = sort_arg(SORTS, "name")
    pagination = db.paginate(_listing(q, sort), page=page_arg(), per_page=PER_PAGE,
                             error_out=False)
    total = db.session.scalar(thesaurus.live_concepts().with_only_columns(
        func.count(SearchConcept.id)))
    return render_template("admin/thesaurus.html", pagination=pagination, q=q, sort=sort.key,
                           sorts=SORTS, total=total)


def _form_page(form: ConceptForm, concept: SearchConcept | None, status: int = 200):
    return render_template("admin/thesaurus_form.html", form=form, concept=concept), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def concept_new():
    _require_admin()
    form = ConceptForm()
    if not form.is_submitted():
        return _form_page(form, None)
    if not form.validate():
        return _form_page(form, None, 422)
    outcome = perform(lambda: thesaurus.create_concept(current_user, form.values()), form=form)
    if outcome.ok:
        flash(_l("The concept set “%(name)s” has been added. Searches use it from now on.",
                 name=outcome.value.title), "success")
        return redirect(url_for("search_admin.index"))
    return _form_page(form, None, outcome.status)


@bp.route("/<int:concept_id>", methods=["GET", "POST"])
@login_required
def concept_edit(concept_id: int):
    _require_admin()
    concept = _concept_or_404(concept_id)
    form = ConceptForm()
    if not form.is_submitted():
        form.fill(concept)
        return _form_page(form, concept)
    if not form.validate():
        return _form_page(form, concept, 422)
    outcome = perform(lambda: thesaurus.update_concept(
        current_user, concept, form.values(), seen_version=form.lock_version.data or None),
        form=form)
    if outcome.ok:
        flash(_l("The concept set “%(name)s” has been saved. Searches use it from now on.",
                 name=concept.title), "success")
        return redirect(url_for("search_admin.index"))
    if outcome.conflict:
        if outcome.error is not None:  # the service's Conflict: say so on the page
            show_domain_error(form, outcome.error)
        form.lock_version.data = str(db.session.get(SearchConcept, concept_id).lock_version)
    return _form_page(form, db.session.get(SearchConcept, concept_id), outcome.status)


@bp.route("/<int:concept_id>/delete", methods=["GET", "POST"])
@login_required
def concept_delete(concept_id: int):
    _require_admin()
    concept = _concept_or_404(concept_id)
    form = DeleteForm()
    status = 200
    if form.is_submitted():
        if not form.validate():
            status = 400
        else:
            title = concept.title
            outcome = perform(lambda: thesaurus.delete_concept(
                current_user, concept, seen_version=form.lock_version.data or None), form=form)
            if outcome.ok:
                flash(_l("The concept set “%(name)s” has been deleted.", name=title), "success")
                return redirect(url_for("search_admin.index"))
            status = outcome.status
            if outcome.conflict and outcome.error is not None:
                show_domain_error(form, outcome.error)
            concept = _concept_or_404(concept_id)
    form.lock_version.data = str(concept.lock_version)
    return render_template("admin/thesaurus_delete.html", form=form, concept=concept), status
