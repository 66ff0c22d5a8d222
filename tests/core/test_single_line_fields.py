"""Issue 12: a carriage return in an organisation name made every mail with it in the subject
fail with a 500. Every single-line field of every form refuses line breaks and control
characters; multi-line fields keep line breaks and tabs."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import SimpleNamespace

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FileField, SelectFieldBase
from wtforms.widgets import TextArea

import app as app_package
from app.core.forms import SINGLE_LINE_MESSAGE, BaseForm
from app.core.text import bad_character, single_line
from app.organisations.models import Organisation

# Forms that are not BaseForms: GET filters read from the query string; they store nothing and
# their values only narrow a query.
NOT_BASE_FORMS = {
    "app.organisations.forms.DirectoryForm",
    "app.practices.forms.PartnerSearchForm",
    "app.practices.forms.ListFilterForm",
    "app.questions.forms.QuestionListForm",
}
HOSTILE = ["Oy\rBcc: x@evil.example", "a\nb", "tab\there", "nel\x85", "ls\u2028", "ps\u2029",
           "esc\x1b[31m", "del\x7f", "nul\x00"]


def _all_forms() -> list[type]:
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(module.name)

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    return sorted(set(walk(FlaskForm)), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# What a form's own validate() reads from the context its constructor was given.
CONTEXT = {"LineApprovalForm": {"line": SimpleNamespace(claimed_cents=0, id=0)}}


def _instantiate(cls, formdata):
    """The form with `formdata`. A form whose constructor needs context (an application, a
    project line...) is built from its declared fields alone, with its own validate()."""
    kwargs = {}
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if param.kind == param.KEYWORD_ONLY and param.default is param.empty:
            kwargs[name] = None
    try:
        return cls(formdata=formdata, meta={"csrf": False}, **kwargs)
    except (AttributeError, TypeError):
        def bare_init(self, formdata=None, meta=None):
            BaseForm.__init__(self, formdata=formdata, meta=meta)
            for attribute, value in CONTEXT.get(cls.__name__, {}).items():
                setattr(self, attribute, value)

        probe = type(cls.__name__, (cls,), {"__init__": bare_init})
        return probe(formdata=formdata, meta={"csrf": False})


def _single_line_fields(form) -> list:
    return [f for f in form if not isinstance(f.widget, TextArea)
            and not isinstance(f, (FileField, BooleanField, SelectFieldBase))
            and f.type not in ("CSRFTokenField", "SubmitField")]


def test_every_form_is_a_base_form():
    """A new FlaskForm that is not a BaseForm would bypass the rule."""
    others = {_name(c) for c in _all_forms() if not issubclass(c, BaseForm)}
    assert others == NOT_BASE_FORMS


def test_every_single_line_field_of_every_form_refuses_line_breaks(app):
    checked = 0
    with app.test_request_context("/", method="POST", headers={"Accept-Language": "en"}):
        for cls in _all_forms():
            if not issubclass(cls, BaseForm) or cls.__name__ in ("PrefixedForm",):
                continue
            names = [f.short_name for f in _single_line_fields(_instantiate(cls, MultiDict()))]
            for name in names:
                for value in HOSTILE:
                    if value.startswith("tab") and _instantiate(cls, MultiDict())[name].type == \
                            "PasswordField":
                        continue  # see test_a_password_may_hold_a_tab
                    form = _instantiate(cls, MultiDict({f.name: value for f in
                                                        _instantiate(cls, MultiDict())
                                                        if f.short_name == name}))
                    assert form.validate() is False, (_name(cls), name, value)
                    assert SINGLE_LINE_MESSAGE in form[name].errors, (_name(cls), name, value)
                checked += 1
    assert checked > 50  # the walk found the forms (names, titles, e-mail addresses...)


def test_choice_and_checkbox_fields_refuse_control_characters_too(app):
    from app.auth.forms import RegisterForm

    with app.test_request_context("/", method="POST"):
        form = RegisterForm(formdata=MultiDict({"language": "fi\r\n"}), meta={"csrf": False})
        assert form.validate() is False
        assert form.language.errors == [SINGLE_LINE_MESSAGE]


def test_multi_line_fields_keep_line_breaks_and_tabs_but_refuse_other_controls(app):
    from app.practices.forms import PracticeForm

    with app.test_request_context("/", method="POST"):
        textarea = next(f for f in PracticeForm(meta={"csrf": False}) if isinstance(
            f.widget, TextArea))
        ok = PracticeForm(formdata=MultiDict({textarea.name: "one\r\ntwo\n\tthree"}),
                          meta={"csrf": False})
        ok.validate()
        assert not any("not allowed" in str(e) or "line breaks" in str(e)
                       for e in ok[textarea.short_name].errors)
        bad = PracticeForm(formdata=MultiDict({textarea.name: "one\x1b[2J"}), meta={"csrf": False})
        assert bad.validate() is False
        assert [str(e) for e in bad[textarea.short_name].errors] == [
            "The text contains characters that are not allowed."]


def test_bad_character_and_single_line():
    for value in HOSTILE:
        assert bad_character(value, multiline=False) is not None, value
    assert bad_character("Åbo Akademi – ääkköset ﬁ 😀", multiline=False) is None
    assert bad_character("a\r\nb\tc", multiline=True) is None
    assert bad_character("a\ud800", multiline=True) == "\ud800"
    assert single_line("Oy\r\nBcc: x@evil.example\u2028\tAb") == "Oy Bcc: x@evil.example Ab"
    assert single_line(None) == ""
    assert "\n" not in single_line("a\n\n\nb") and "\r" not in single_line("a\rb")


@pytest.mark.parametrize("name", ["Uusi Oy\rBcc: x@evil.example", "Uusi\nOy", "Uusi\u2028Oy"])
def test_registering_an_organisation_with_a_line_break_in_its_name_is_refused(
        db, client, login_as, make_user, name):
    login_as(make_user())
    before = db.session.scalar(select(func.count(Organisation.id)))
    response = client.post("/organisations/new", data={
        "name": name, "business_id": "1572860-0", "type": "ngo",
        "regions": ["MK10"], "description": "Kuvaus", "contact_email": "info@example.fi"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name-error"' in html
    assert str(SINGLE_LINE_MESSAGE) in html
    assert db.session.scalar(select(func.count(Organisation.id))) == before


def test_editing_an_organisation_name_to_contain_a_carriage_return_is_refused(
        db, client, login_as, make_user, make_organisation):
    owner = make_user()
    org = make_organisation(name="Vanha Oy", owner=owner)
    login_as(owner)
    response = client.post(f"/organisations/{org.id}/edit", data={
        "name": "Vanha\rOy", "type": org.type, "regions": ["MK10"],
        "description": "Kuvaus", "contact_email": "info@example.fi"})
    assert response.status_code == 422
    assert str(SINGLE_LINE_MESSAGE) in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).name == "Vanha Oy"


def test_a_password_may_hold_a_tab_but_no_line_break(app):
    from app.auth.forms import LoginForm

    with app.test_request_context("/", method="POST"):
        form = LoginForm(formdata=MultiDict({"email": "a@example.fi",
                                             "password": "pitkä\tsalasana"}), meta={"csrf": False})
        form.validate()
        assert not form.password.errors
        form = LoginForm(formdata=MultiDict({"email": "a@example.fi", "password": "pitkä\rsala"}),
                         meta={"csrf": False})
        assert form.validate() is False
        assert form.password.errors == [SINGLE_LINE_MESSAGE]
