"""Templates translate in the request's language, looked up once per request and locale
(app/core/templating.py): a locale forced inside the request (a mail in its recipient's
language) translates in that language, and the request's own language comes back after it."""

from __future__ import annotations

from contextlib import contextmanager

import flask
from flask import render_template_string
from flask_babel import force_locale

TEMPLATE = "{{ _('Upcoming events') }}|{{ ngettext('%(num)d result', '%(num)d results', 2) }}"


@contextmanager
def _request(app, language: str):
    """A request in its own application context, as in production (the tests' own context
    is English: see conftest)."""
    token = flask.globals._cv_app.set(None)
    try:
        with app.test_request_context("/", headers={"Accept-Language": language}):
            yield
    finally:
        flask.globals._cv_app.reset(token)


def test_a_template_translates_in_the_request_language_and_in_a_forced_one(app):
    with _request(app, "sv"):
        assert render_template_string(TEMPLATE) == "Kommande evenemang|2 resultat"
        with force_locale("fi"):
            assert render_template_string(TEMPLATE) == "Tulevat tapahtumat|2 tulosta"
            with force_locale("en"):
                assert render_template_string(TEMPLATE) == "Upcoming events|2 results"
            assert render_template_string(TEMPLATE) == "Tulevat tapahtumat|2 tulosta"
        assert render_template_string(TEMPLATE) == "Kommande evenemang|2 resultat"
    with _request(app, "fi"):
        assert render_template_string(TEMPLATE) == "Tulevat tapahtumat|2 tulosta"


def test_translated_strings_are_formatted_and_escaped_as_jinjas_newstyle_gettext(app):
    """A translation is the template's HTML (kept as it is), always %-formatted (100%% is
    100%), its variables escaped in HTML and not in text templates (mails); a fixed string
    kept from an earlier render is the same."""
    html = ("{{ _('Fish & <i>chips</i>: 100%%') }}|{{ _('Hello %(name)s', name=who) }}|"
            "{{ ngettext('%(num)d <b>pie</b> for %(name)s', '%(num)d pies', 1, name=who) }}|"
            "{{ _('Fish & <i>chips</i>: 100%%')|e }}")
    text = "{% autoescape false %}" + html + "{% endautoescape %}"
    with _request(app, "en"):
        for _ in range(2):
            assert render_template_string(html, who="<Ann>") == (
                "Fish & <i>chips</i>: 100%|Hello &lt;Ann&gt;|1 <b>pie</b> for &lt;Ann&gt;|"
                "Fish & <i>chips</i>: 100%")
            assert render_template_string(text, who="<Ann>") == (
                "Fish & <i>chips</i>: 100%|Hello <Ann>|1 <b>pie</b> for <Ann>|"
                "Fish &amp; &lt;i&gt;chips&lt;/i&gt;: 100%")  # a str, as Jinja gives
        assert render_template_string("{{ _('Upcoming events')|length }}") == "15"
    with _request(app, "fi"):
        assert render_template_string("{{ _('Upcoming events') }}") == "Tulevat tapahtumat"
