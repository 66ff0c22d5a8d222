"""Shared machinery of the attack suites (tests/security/test_attack_*.py): hostile values and
hypothesis strategies, XSS payloads, one-query row counting, and form discovery.

Form discovery is generic: an empty POST to a rule, as a role that may use it, runs the view;
the form whose `validate()` the view calls is the one that reads the request, and its fields
(names with prefixes, types, choices) are what the suites then send values to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import wtforms
from flask import url_for
from hypothesis import strategies as st
from sqlalchemy import func, select

# --- hostile values ---------------------------------------------------------------------------

HOSTILE_TEXT = [
    "", " ", "\x00", "a\x00b", "\r\n", "Nimi\rBcc: x@evil.example", "\x1b[31m", "\u202egpj.exe",
    "\u200b=1+1", "\ufeff", "\ud7ff", "\U0010ffff", "x" * 100_000, "ä" * 20_001,
    "<script>alert(1)</script>", "' OR 1=1 --", "{{7*7}}", "%s%n", "../../etc/passwd",
    "NaN", "sNaN", "Infinity", "-Infinity", "1e400", "-1e400", "１２３４", "٣", "-1", "0",
    "99999999999999999999999", "1,5", "1 234,56", "1.234.567,89", "0x10", "1_000",
    "2026-13-45", "0000-00-00", "9999-12-31T23:59", "2026-02-30", "true", "on", "None",
]
NUMBERS = [
    "0", "1", "-1", "7", "100", "101", "2147483648", "9223372036854775808", "0,5", "12,345",
    "NaN", "1e400", "１２", "−5", "1 000", "€ 5", "5 €",
]
DATES = ["2026-09-01", "2025-01-31", "1900-01-01", "2099-12-31", "2026-09-01T10:00",
         "2026-09-01 10:00", "1.9.2026", "31.2.2026", "2026-09-01T25:00"]
EMAILS = ["a@example.fi", "Admin@Example.FI", "a@b", "@", "a@example.fi\r\nBcc: x@evil.example",
          "ä@ä.fi", "a" * 300 + "@example.fi"]
# Refused before any argon2 work (empty, control characters, far too long), one short wrong
# one, and the test users' own password: each verified or hashed password costs ~0.2 s.
PASSWORDS = ["", "short", "\x00" * 12, "a\x01b", "x" * 100_000, "correct horse battery staple"]

text_values = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12),
)
number_values = st.one_of(st.sampled_from(NUMBERS), st.integers(-10**12, 10**12).map(str),
                          text_values)
date_values = st.one_of(st.sampled_from(DATES), st.dates().map(str),
                        st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")), text_values)
MISSING = object()


@dataclass
class FormField:
    name: str
    kind: str  # text, number, date, choice, multi, bool, password, email, file, hidden
    choices: list[str] = field(default_factory=list)


def _kind(f: wtforms.Field) -> str:
    name = type(f).__name__
    if isinstance(f, wtforms.FileField) or "File" in name:
        return "file"
    if isinstance(f, wtforms.SelectMultipleField):
        return "multi"
    if isinstance(f, (wtforms.SelectField, wtforms.RadioField)):
        return "choice"
    if isinstance(f, wtforms.BooleanField):
        return "bool"
    if isinstance(f, wtforms.PasswordField):
        return "password"
    if "Email" in name:
        return "email"
    if "Date" in name:
        return "date"
    if any(word in name for word in ("Money", "Count", "Integer", "Decimal", "Float", "Scaled")):
        return "number"
    if isinstance(f, wtforms.HiddenField):
        return "hidden"
    return "text"


def _choices(f: wtforms.Field) -> list[str]:
    try:
        return [str(choice[0]) for choice in f.iter_choices()]
    except Exception:  # noqa: BLE001 - a field without choices (or with lazy ones)
        return []


def form_fields(form: wtforms.Form) -> list[FormField]:
    """The input fields of a form instance (leaves of FormField / FieldList included)."""
    found = []
    for f in form:
        if isinstance(f, (wtforms.FormField, wtforms.FieldList)):
            for sub in f:
                found.extend(form_fields(sub) if hasattr(sub, "__iter__") and not isinstance(
                    sub, wtforms.Field) else [FormField(sub.name, _kind(sub), _choices(sub))])
            continue
        if type(f).__name__ in ("CSRFTokenField", "SubmitField"):
            continue
        found.append(FormField(f.name, _kind(f), _choices(f)))
    return found


def value_strategy(f: FormField):
    """Values for one field: plausible ones of its kind and hostile ones."""
    if f.kind == "number":
        one = number_values
    elif f.kind == "date":
        one = date_values
    elif f.kind in ("choice", "multi") and f.choices:
        one = st.one_of(st.sampled_from(f.choices), text_values)
    elif f.kind == "bool":
        one = st.one_of(st.sampled_from(["y", "on", "1", "false", ""]), text_values)
    elif f.kind == "email":
        one = st.one_of(st.sampled_from(EMAILS), text_values)
    elif f.kind == "password":
        # Passwords the policy refuses mostly: each accepted one costs an argon2 hash.
        one = st.sampled_from(PASSWORDS)
    else:
        one = text_values
    if f.kind == "multi":
        return st.one_of(st.just(MISSING), st.lists(one, max_size=4))
    return st.one_of(st.just(MISSING), one, st.lists(one, min_size=2, max_size=3))


def form_data_strategy(fields: list[FormField]):
    """A whole POST body: every field given, repeated or missing, sometimes an unknown field."""
    return st.fixed_dictionaries(
        {f.name: value_strategy(f) for f in fields},
        optional={"unknown_field": text_values, "csrf_token": st.sampled_from(["", "x" * 300])},
    )


def as_body(data: dict, csrf: str) -> list[tuple[str, str]]:
    """A multi-valued form body (a list of pairs, so repeated names stay repeated)."""
    body = []
    given_csrf = data.get("csrf_token", MISSING)
    for name, value in data.items():
        if value is MISSING or name == "csrf_token":
            continue
        for one in value if isinstance(value, list) else [value]:
            body.append((name, one))
    body.append(("csrf_token", csrf if given_csrf is MISSING else given_csrf))
    return body


# --- rows ---------------------------------------------------------------------------------------

# Security events that a refused request records on purpose (SECURITY.md: failed log-ins in the
# audit log and counted per account), and sessions (a log-in attempt's own bookkeeping).
EVENT_TABLES = {"audit_log", "login_failure", "login_attempt", "user_session"}


def row_counter(db):
    """count(connection) -> {table: rows} for every table, in one query."""
    tables = [t for name, t in sorted(db.metadata.tables.items()) if name not in EVENT_TABLES]
    statement = select(*[select(func.count()).select_from(t).scalar_subquery().label(t.name)
                         for t in tables])

    def count(connection) -> dict[str, int]:
        row = connection.execute(statement).one()
        return dict(row._mapping)

    return count


# --- form discovery -------------------------------------------------------------------------------


@dataclass
class FormRoute:
    endpoint: str
    url: str
    role: str
    form: str
    fields: list[FormField]


class FormSpy:
    """Records the forms whose validate() runs during a request (wraps, does not replace)."""

    def __init__(self, monkeypatch):
        self.seen: list[wtforms.Form] = []
        original = wtforms.Form.validate
        spy = self

        def validate(form, extra_validators=None):
            spy.seen.append(form)
            return original(form, extra_validators)

        monkeypatch.setattr(wtforms.Form, "validate", validate)


def url_of(app, rule, args: dict) -> str | None:
    if any(name not in args for name in rule.arguments):
        return None
    with app.test_request_context():
        return url_for(rule.endpoint, **{name: args[name] for name in rule.arguments})


def discover(app, client, spy: FormSpy, login, endpoint: str, roles, argsets):
    """The first (role, arguments) for which an empty POST reaches a form with input fields."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    for args in argsets:
        url = url_of(app, rule, args)
        if url is None:
            continue
        for role in roles:
            login(role)
            spy.seen.clear()
            response = client.post(url, data={})
            response.close()
            if response.status_code in (401, 403, 404, 405):
                continue
            forms = [f for f in spy.seen if form_fields(f)]
            if forms:
                form = forms[0]
                return FormRoute(endpoint, url, role, type(form).__name__, form_fields(form))
    return None


# --- XSS ------------------------------------------------------------------------------------------

MARK = "zq"  # a marker that makes payload elements easy to attribute

XSS_PAYLOADS = [
    f"<script>alert('{MARK}1')</script>",
    f"<img src=x onerror=alert('{MARK}2')>",
    f"\"><img src=x onerror=alert('{MARK}3')>",
    f"'><svg onload=alert('{MARK}4')>",
    f"<svg><script>alert('{MARK}5')</script></svg>",
    f"<math><mtext><table><mglyph><style><img src=x onerror=alert('{MARK}6')>",
    f"<a href=\"javascript:alert('{MARK}7')\">{MARK}7</a>",
    f"<a href=\"data:text/html,<script>alert('{MARK}8')</script>\">{MARK}8</a>",
    f"[{MARK}9](javascript:alert('{MARK}9'))",
    f"![{MARK}10](javascript:alert('{MARK}10'))",
    f"<iframe src=\"javascript:alert('{MARK}11')\"></iframe>",
    f"<div hx-get=\"/logout\" hx-trigger=\"load\">{MARK}12</div>",
    f"<div data-hx-post=\"/logout\" data-hx-trigger=\"load\">{MARK}13</div>",
    f"<base href=\"https://evil.example/{MARK}14/\">",
    f"<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/{MARK}15\">",
    "{{7*7}}",
    "{% raw %}{{7*7}}{% endraw %}${7*7}#{7*7}",
    f"</style><script>alert('{MARK}18')</script>",
    f"</textarea><script>alert('{MARK}19')</script>",
    f"<body onload=alert('{MARK}20')>",
    f"<details open ontoggle=alert('{MARK}21')>",
    f"<form action=\"https://evil.example/{MARK}22\"><button>{MARK}22</button></form>",
    f"<object data=\"javascript:alert('{MARK}23')\"></object>",
    f"<embed src=\"javascript:alert('{MARK}24')\">",
    f"<style>@import 'https://evil.example/{MARK}25.css';</style>",
    f"<a href=\"  JaVaScRiPt:alert('{MARK}26')\">{MARK}26</a>",
    f"<img src=\"x\" style=\"background:url(javascript:alert('{MARK}27'))\">",
    f"<input autofocus onfocus=alert('{MARK}28')>",
    f"<link rel=stylesheet href=\"https://evil.example/{MARK}29.css\">",
    f"=HYPERLINK(\"https://evil.example/{MARK}30\")",
]
