"""Issue 12: a Markdown preview of 39,000 "[" took 2.3 s. The preview refuses text longer than
its field, and rendering bounds its work: a paragraph with too many delimiters, or the lines past
the cap, are shown as typed (escaped), not parsed. The caps are tested, not the timing
(bench/markdown.py prints the timings)."""

from __future__ import annotations

import html

import pytest

from app.core import markdown
from app.core.markdown import MAX_DELIMITERS, MAX_LINES, bound_work, plain_text, render_markdown
from tests.fixtures.practices import use_english


def _text_of(rendered) -> str:
    import nh3

    return html.unescape(nh3.clean(str(rendered), tags=set()))


@pytest.mark.parametrize("text", ["[" * 39_000, "*a" * 50_000, "_a" * 50_000, "![" * 20_000,
                                  "[a](" * 10_000, "<a" * 20_000, "[x]" * 13_000])
def test_pathological_input_renders_as_the_text_typed(text, monkeypatch):
    calls = []
    parser = markdown._parser()
    original = parser.render

    def counting_render(source, *args, **kwargs):
        calls.append(source)
        return original(source, *args, **kwargs)

    monkeypatch.setattr(parser, "render", counting_render)
    rendered = render_markdown(text)
    # Parsed once, with no delimiter left for the quadratic rules.
    [source] = calls
    assert not any(ch in source for ch in "[]*_<(")
    assert _text_of(rendered).strip() == text  # every character shown, none lost
    assert "<a " not in rendered and "<em>" not in rendered and "<img" not in rendered
    assert plain_text(text) == text


def test_text_under_the_cap_is_rendered_as_markdown():
    links = " ".join(f"[{i}](https://example.fi/{i})" for i in range(MAX_DELIMITERS // 6))
    text = f"**Tärkeää** ja _kursiivi_ {links}\n\n" + "[" * (MAX_DELIMITERS + 1)
    assert bound_work(text).startswith(f"**Tärkeää** ja _kursiivi_ {links}\n\n")
    rendered = str(render_markdown(text))
    assert "<strong>Tärkeää</strong>" in rendered and "<em>kursiivi</em>" in rendered
    assert rendered.count('<a href="https://example.fi/') == MAX_DELIMITERS // 6
    # Only the pathological paragraph is shown as typed.
    assert "[" * (MAX_DELIMITERS + 1) in rendered


def test_a_paragraph_just_under_the_cap_is_parsed():
    text = "*a* " * (MAX_DELIMITERS // 2)
    assert bound_work(text) == text
    assert str(render_markdown(text)).count("<em>a</em>") == MAX_DELIMITERS // 2


def test_lines_past_the_cap_are_joined_into_one():
    text = "- kohta\n" * (MAX_LINES + 500)
    rendered = str(render_markdown(text))
    assert rendered.count("<li>") == MAX_LINES + 1  # the last item holds the rest
    assert _text_of(rendered).count("kohta") == MAX_LINES + 500


def test_placeholders_typed_by_someone_do_not_become_markup():
    text = "\ue004script\ue000x\ue001 " + "[" * (MAX_DELIMITERS + 1)
    rendered = str(render_markdown(text))
    assert "<script" not in rendered and "&lt;script" not in rendered
    assert "\ue004" not in rendered


@pytest.fixture
def writer(client, make_user, make_organisation, login_as):
    use_english(client)
    user = make_user()
    make_organisation(owner=user)
    login_as(user)
    return user


@pytest.mark.parametrize(("field", "limit"), [("method", 20_000), ("summary", 1000)])
def test_the_preview_refuses_text_longer_than_its_field(client, writer, field, limit):
    response = client.post("/practices/preview", headers={"HX-Request": "true"},
                           data={"preview_field": field, field: "[" * (limit + 1)})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "The text is too long to preview. It can be at most" in body
    assert "[[[" not in body  # nothing rendered
    ok = client.post("/practices/preview", headers={"HX-Request": "true"},
                     data={"preview_field": field, field: "[" * limit})
    assert ok.status_code == 200
    assert "[" * limit in ok.get_data(as_text=True)  # rendered, as typed
