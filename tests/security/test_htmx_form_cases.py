"""Every htmx form has a browser case: refused input is shown and what was typed is kept.

tests/browser/test_htmx_forms.py types an invalid value into each htmx form and checks that the
message is visible and the value still in the input. This test (no browser) reads the templates
and the URL map and fails when a template posts with htmx (`hx-post`, `hx-put`, `hx-patch`,
`hx-delete`) to an endpoint that has no case there and is not in EXEMPT, the short list of
htmx posts that take no user input. It also fails for a case or an exemption that no template
uses any more, so that the table follows the templates.

An attribute names its endpoint with `url_for('endpoint', ...)`, either in the attribute, in a
`{% set name = url_for('endpoint', ...) %}` of the same template, or through a parameter of the
macro the attribute is in (then every call of the macro counts, with the `url_for` it passes).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from tests.browser.test_htmx_forms import CASES, Case

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# htmx posts that take no user input: nothing typed can be refused or lost.
EXEMPT: dict[str, str] = {
    "applications.application_line_delete":
        "the Remove button of a staff line: only the CSRF token is sent",
    "applications.application_partner_remove":
        "the Remove button of a partner (remove_form macro): only the CSRF token is sent",
    "applications.application_practice_unlink":
        "the Remove button of a linked service model (remove_form macro): only the CSRF token "
        "is sent",
    "applications.application_attachment_delete":
        "the Remove button of an attachment (remove_form macro, called without a target, so a "
        "plain POST): only the CSRF token is sent",
    "applications.application_part_line_delete":
        "the Remove button of a co-implementer's staff line: only the CSRF token is sent",
    "calls.criterion_delete":
        "the Remove button of a criterion: only the CSRF token is sent",
    "calls.document_delete":
        "the Remove button of a call document (remove_form macro, called without a target, so "
        "a plain POST): only the CSRF token is sent",
    "calls.session_delete":
        "the Remove button of an information session (remove_form macro, called without a "
        "target, so a plain POST): only the CSRF token is sent",
    "follows.organisation_toggle":
        "the Follow / Stop following button of an organisation page: only the CSRF token is "
        "sent",
}

HX_WRITE = re.compile(r"""\bhx-(post|put|patch|delete)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
URL_FOR = re.compile(r"""url_for\(\s*['"]([\w.]+)['"]""")
VARIABLE = re.compile(r"{{-?\s*(\w+)\s*-?}}")
# `{% set name = url_for(...) %}`, also with a condition (`url_for(a) if x else url_for(b)`)
SET_URL = re.compile(r"""{%-?\s*set\s+(\w+)\s*=\s*(url_for\(.*?)-?%}""", re.S)
MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(([^)]*)\)\s*-?%}")
END_MACRO = re.compile(r"{%-?\s*endmacro\s*-?%}")


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _arguments(text: str, start: int) -> list[str]:
    """The arguments of a call whose "(" is just before `start`, split at top-level commas."""
    arguments, depth, quote, current = [], 0, "", []
    for ch in text[start:]:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                arguments.append("".join(current).strip())
                return arguments
            depth -= 1
        elif ch == "," and depth == 0:
            arguments.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    raise AssertionError("a macro call without its closing parenthesis")


def htmx_endpoints(templates: dict[str, str]) -> tuple[dict[str, list[str]], list[str]]:
    """{endpoint: [where, ...]} of every htmx write in `templates` ({name: source}), and the
    attributes whose endpoint could not be told (as "name:line: attribute")."""
    found: dict[str, list[str]] = defaultdict(list)
    unresolved: list[str] = []
    macro_urls: list[tuple[str, str, int]] = []  # (macro, parameter, its position)

    for name, text in templates.items():
        urls = defaultdict(list)  # a name set more than once (e.g. per part) names them all
        for m in SET_URL.finditer(text):
            urls[m[1]].extend(URL_FOR.findall(m[2]))
        macros = []
        for m in MACRO.finditer(text):
            end = END_MACRO.search(text, m.end())
            params = [p.split("=")[0].strip() for p in m[2].split(",") if p.strip()]
            macros.append((m.start(), end.start() if end else len(text), m[1], params))
        for m in HX_WRITE.finditer(text):
            value = m[2] if m[2] is not None else m[3]
            where = f"{name}:{_line(text, m.start())}"
            endpoints = URL_FOR.findall(value)
            for variable in VARIABLE.findall(value):
                if urls.get(variable):
                    endpoints.extend(urls[variable])
                    continue
                macro = next(((macro_name, params) for start, end, macro_name, params in macros
                              if start < m.start() < end and variable in params), None)
                if macro is None:
                    unresolved.append(f"{where}: {m[0]}")
                else:
                    macro_urls.append((macro[0], variable, macro[1].index(variable)))
            if not endpoints and not VARIABLE.findall(value):
                unresolved.append(f"{where}: {m[0]}")
            for endpoint in endpoints:
                found[endpoint].append(where)

    for macro_name, parameter, index in macro_urls:
        call = re.compile(rf"(?<![\w.]){re.escape(macro_name)}\s*\(")
        for name, text in templates.items():
            for m in call.finditer(text):
                if re.search(r"\bmacro\s+$", text[max(0, m.start() - 20):m.start()]):
                    continue  # the definition itself
                arguments = _arguments(text, m.end())
                keyword = [a for a in arguments if re.match(rf"{parameter}\s*=(?!=)", a)]
                argument = keyword[0] if keyword else (
                    arguments[index] if index < len(arguments) else "")
                where = f"{name}:{_line(text, m.start())} ({macro_name})"
                endpoint = URL_FOR.search(argument)
                if endpoint is None:
                    unresolved.append(f"{where}: {parameter}={argument!r}")
                else:
                    found[endpoint[1]].append(where)
    return dict(found), unresolved


def _templates() -> dict[str, str]:
    return {str(path.relative_to(TEMPLATES)): path.read_text(encoding="utf-8")
            for path in sorted(TEMPLATES.rglob("*.html"))}


def test_the_parser_finds_every_kind_of_htmx_attribute():
    templates = {
        "direct.html": """<form hx-post="{{ url_for('a.direct', x=1) }}" hx-target="#t">""",
        "set.html": """{% set url = url_for('a.via_set', x=1) %}
<form action="{{ url }}" hx-post="{{ url }}">
<div hx-delete='{{ url_for("a.single_quoted") }}'></div>
<div hx-get="{{ url_for('a.only_read') }}"></div>""",
        "macros.html": """{% macro button(url, what, target=None) %}
<form{% if target %} hx-post="{{ url }}"{% endif %}>{{ what }}</form>
{% endmacro %}""",
        "caller.html": """{% from "macros.html" import button %}
{{ button(url_for('a.by_macro', id=x.id), x.name, "#t") }}
{{ button(what=_("Remove"), url=url_for('a.by_keyword')) }}""",
        "bad.html": """<div hx-post="/hard/coded"></div><div hx-put="{{ nowhere }}"></div>""",
    }
    found, unresolved = htmx_endpoints(templates)
    assert set(found) == {"a.direct", "a.via_set", "a.single_quoted", "a.by_macro",
                          "a.by_keyword"}
    assert found["a.via_set"] == ["set.html:2"]
    assert found["a.by_macro"] == ["caller.html:2 (button)"]
    assert unresolved == ['bad.html:1: hx-post="/hard/coded"', 'bad.html:1: hx-put="{{ nowhere }}"']


def test_every_htmx_form_has_a_browser_case(app):
    found, unresolved = htmx_endpoints(_templates())
    assert not unresolved, "htmx attributes whose endpoint this test cannot tell:\n" + "\n".join(
        unresolved)
    # The parser still sees the ways the templates name their endpoints.
    assert "applications.application_section_save" in found  # {% set url = url_for(...) %}
    assert "applications.application_partner_remove" in found  # through remove_form(...)

    rules = defaultdict(set)
    for rule in app.url_map.iter_rules():
        rules[rule.endpoint] |= set(rule.methods or ())
    unknown = sorted(e for e in found if e not in rules)
    assert not unknown, f"htmx attributes name endpoints the URL map does not have: {unknown}"
    not_post = sorted(e for e in found if not rules[e] & {"POST", "PUT", "PATCH", "DELETE"})
    assert not not_post, f"htmx writes to endpoints that take no POST/PUT/PATCH/DELETE: {not_post}"

    missing = {e: where for e, where in found.items() if e not in CASES and e not in EXEMPT}
    assert not missing, (
        "htmx forms without a case in tests/browser/test_htmx_forms.py CASES (type an invalid "
        "value, press the button, check the message is visible and the value kept), or, for a "
        "post that takes no user input, an entry with its reason in EXEMPT here:\n"
        + "\n".join(f"  {e}: {', '.join(where)}" for e, where in sorted(missing.items())))

    stale = sorted(e for e in (*CASES, *EXEMPT) if e not in found)
    assert not stale, f"cases or exemptions for endpoints no htmx attribute uses: {stale}"


def test_the_table_of_cases_is_well_formed():
    assert not set(CASES) & set(EXEMPT), "an endpoint is both a case and an exemption"
    assert all(reason.strip() for reason in EXEMPT.values())
    for endpoint, cases in CASES.items():
        assert isinstance(cases, tuple) and cases, endpoint
        assert all(isinstance(case, Case) for case in cases), endpoint
        ids = [case.id for case in cases]
        assert len(ids) == len(set(ids)), f"{endpoint}: two cases with one id: {ids}"
        for case in cases:
            assert case.page in ("application", "criteria", "practice", "review", "report",
                                 "outcome_application", "voucher_application",
                                 "group_application", "question", "partner_thread"), (
                endpoint, case.id)
            assert case.press or case.where, (
                f"{endpoint} {case.id}: an autosave case says where its message is shown")
