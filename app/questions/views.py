"""Routes of questions (thin: forms in, one service call inside perform(), a template out).

The model is loaded with the practices' own loader (404 for a model the viewer may not see);
a question the viewer may not see answers 404 too (an unanswered one is private)."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.htmx import is_htmx, render_page_or_fragment
from app.core.pagination import page_arg
from app.core.unit_of_work import perform
from app.extensions import db
from app.practices.views import display_title, get_practice_or_404
from app.questions import bp, permissions, queries, services
from app.questions.forms import AskForm, HideForm, QuestionListForm, ReplyForm
from app.questions.permissions import (
    asking_organisations,
    can_answer_question,
    can_ask_question,
    can_moderate,
    can_reply,
    can_view_question,
)


@bp.app_context_processor
def _question_helpers():
    return {
        "question_perms": permissions,
        "practice_questions": lambda practice: queries.section(current_user, practice),
        "open_question_counts": lambda practices: queries.open_counts(
            [p.id for p in practices]),
    }


def _question_or_404(practice_id: int, question_id: int):
    practice = get_practice_or_404(practice_id)
    question = queries.load_question(practice, question_id)
    if question is None or not can_view_question(current_user, question):
        abort(404)
    return practice, question


def _thread(practice, question, form, status: int = 200):
    """The thread (messages and the reply form): the fragment for htmx, else the page."""
    response = make_response(render_page_or_fragment(
        "questions/detail.html", "questions/_thread.html", practice=practice, question=question,
        form=form, practice_title=display_title(practice)), status)
    return response


# --- reading ---------------------------------------------------------------------------------


@bp.get("/practices/<int:practice_id>/questions")
def index(practice_id: int):
    practice = get_practice_or_404(practice_id)
    form = QuestionListForm(request.args)
    show = form.show.data if form.show.data in ("all", "answered", "open") else "all"
    sort = form.sort.data if form.sort.data in queries.SORTS else "activity"
    pagination = db.paginate(queries.list_query(current_user, practice, show, sort),
                             page=page_arg(), per_page=queries.PER_PAGE, error_out=False)
    return render_page_or_fragment(
        "questions/index.html", "questions/_list_results.html", practice=practice,
        practice_title=display_title(practice), form=form, pagination=pagination,
        summaries=queries.summaries([q.id for q in pagination.items]), show=show,
        can_ask=can_ask_question(current_user, practice))


@bp.get("/practices/<int:practice_id>/questions/<int:question_id>")
def detail(practice_id: int, question_id: int):
    practice, question = _question_or_404(practice_id, question_id)
    form = ReplyForm(formdata=None) if can_reply(current_user, question) else None
    return _thread(practice, question, form)


# --- writing ---------------------------------------------------------------------------------


@bp.route("/practices/<int:practice_id>/questions/new", methods=["GET", "POST"])
@login_required
def ask(practice_id: int):
    practice = get_practice_or_404(practice_id, check=can_ask_question)
    organisations = asking_organisations(current_user, practice)
    form = AskForm(organisations=organisations)
    status = 200
    if form.validate_on_submit():
        organisation = next(org for org in organisations if str(org.id) == form.organisation.data)
        outcome = perform(lambda: services.ask_question(
            current_user, organisation, practice, form.title.data, form.body.data), form=form)
        if outcome.ok:
            flash(_l("Your question has been sent to %(org)s. It is shown to others once it "
                     "has been answered.", org=practice.organisation.name), "success")
            return redirect(url_for("questions.detail", practice_id=practice.id,
                                    question_id=outcome.value.id))
        status = outcome.status
        practice = get_practice_or_404(practice_id)
    elif request.method == "POST":
        status = 422
    return render_template("questions/ask.html", practice=practice, form=form,
                           practice_title=display_title(practice)), status


@bp.post("/practices/<int:practice_id>/questions/<int:question_id>/reply")
@login_required
def reply(practice_id: int, question_id: int):
    practice, question = _question_or_404(practice_id, question_id)
    if not can_reply(current_user, question):
        abort(403)
    form = ReplyForm()
    status = 422
    if form.validate_on_submit():
        service = (services.answer_question if can_answer_question(current_user, question)
                   else services.add_follow_up)
        outcome = perform(lambda: service(current_user, question, form.body.data), form=form)
        if outcome.ok:
            message_id = outcome.value.id
            if not is_htmx():
                flash(_l("Your message has been added."), "success")
                return redirect(url_for("questions.detail", practice_id=practice_id,
                                        question_id=question_id, _anchor=f"message-{message_id}"))
            practice, question = _question_or_404(practice_id, question_id)
            return _thread(practice, question, ReplyForm(formdata=None))
        status = outcome.status
        practice, question = _question_or_404(practice_id, question_id)
    return _thread(practice, question, form, status)


@bp.route("/practices/<int:practice_id>/questions/<int:question_id>/messages/<int:message_id>"
          "/hide", methods=["GET", "POST"])
@login_required
def hide(practice_id: int, question_id: int, message_id: int):
    practice, question = _question_or_404(practice_id, question_id)
    message = next((m for m in question.messages if m.id == message_id), None)
    if message is None:
        abort(404)
    if not can_moderate(current_user, practice):
        abort(403)
    back = url_for("questions.detail", practice_id=practice_id, question_id=question_id,
                   _anchor=f"message-{message_id}")
    if message.hidden_at is not None:
        flash(_l("The message has already been hidden."), "info")
        return redirect(back)
    form = HideForm()
    status = 200
    if form.validate_on_submit():
        outcome = perform(lambda: services.hide_message(current_user, message, form.reason.data),
                          form=form)
        if outcome.ok:
            flash(_l("The message has been hidden."), "success")
            return redirect(back)
        status = outcome.status
        practice, question = _question_or_404(practice_id, question_id)
        message = next(m for m in question.messages if m.id == message_id)
    elif request.method == "POST":
        status = 422
    return render_template("questions/hide.html", practice=practice, question=question,
                           message=message, form=form, back=back,
                           practice_title=display_title(practice)), status
