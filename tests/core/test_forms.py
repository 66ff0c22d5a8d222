"""show_domain_error and the error_summary macro: a refusal that belongs to no field is flashed
on pages and listed in the form's own errors for htmx (whose fragments show no flashes)."""

from flask import get_flashed_messages, render_template_string
from wtforms import StringField
from wtforms.validators import DataRequired

from app.core.domain import DomainError
from app.core.forms import BaseForm, show_domain_error

SUMMARY = '{% from "_macros/forms.html" import error_summary %}{{ error_summary(form) }}'


class _Form(BaseForm):
    class Meta:
        csrf = False

    title = StringField("Otsikko", validators=[DataRequired()])


def test_a_field_error_goes_to_its_field(app):
    with app.test_request_context("/", method="POST", headers={"HX-Request": "true"}):
        form = _Form(data={"title": "x"})
        show_domain_error(form, DomainError("Varattu.", field="title"))
        assert form.title.errors == ["Varattu."] and form.form_errors == []
        assert get_flashed_messages() == []


def test_without_htmx_a_general_error_is_flashed(app):
    with app.test_request_context("/", method="POST"):
        form = _Form(data={"title": "x"})
        show_domain_error(form, DomainError("Ei onnistu."))
        assert form.form_errors == []
        assert get_flashed_messages() == ["Ei onnistu."]


def test_for_htmx_a_general_error_is_in_the_form_and_its_summary(app):
    with app.test_request_context("/", method="POST", headers={"HX-Request": "true"}):
        form = _Form(data={"title": ""})
        form.validate()
        show_domain_error(form, DomainError("Ei onnistu."))
        assert form.form_errors == ["Ei onnistu."]
        assert ["Ei onnistu."] in form.errors.values()  # WTForms' key for them: "" or None
        assert get_flashed_messages() == []
        html = render_template_string(SUMMARY, form=form)
        assert 'class="error-summary"' in html
        assert "<li>Ei onnistu.</li>" in html
        assert 'href="#title"' in html  # the field errors are still listed


def test_the_summary_lists_only_general_errors_too(app):
    with app.test_request_context("/", method="POST", headers={"HX-Request": "true"}):
        form = _Form(data={"title": "x"})
        assert render_template_string(SUMMARY, form=form).strip() == ""
        show_domain_error(form, DomainError("Joku muu ehti ensin."))
        html = render_template_string(SUMMARY, form=form)
        assert "<li>Joku muu ehti ensin.</li>" in html and "href=" not in html
