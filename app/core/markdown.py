"""User Markdown: rendered with markdown-it-py, then cleaned with nh3.

Raw HTML in the source is not rendered at all; the cleaner is the second wall. Measured:
25 XSS payloads (script, event handlers, javascript:/data: URLs, SVG, MathML, hx-* and
data-hx-* attributes, <base>, <meta refresh>) are all removed.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4",
    "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set(), "ol": {"start"}}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    # Headings in user text start at h3: the page owns h1 and h2.
    md.add_render_rule("heading_open", _heading_open)
    md.add_render_rule("heading_close", _heading_close)
    return md


def _level(tokens, idx) -> str:
    return f"h{min(4, max(3, int(tokens[idx].tag[1]) + 2))}"


def _heading_open(self, tokens, idx, options, env):
    return f"<{_level(tokens, idx)}>"


def _heading_close(self, tokens, idx, options, env):
    return f"</{_level(tokens, idx)}>\n"


def clean_html(html: str) -> str:
    """Keep only harmless tags, attributes and http(s)/mailto links."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


# markdown-it-py matches link brackets, destinations and emphasis delimiters in time that grows
# with their number times the paragraph's length (measured: 39,000 "[" took 2.3-3 s, 100 KB of
# "*a" 4.7 s; bench/markdown.py). A paragraph with more than MAX_DELIMITERS of them is shown as
# plain text: its delimiters go through the parser as inert placeholders and come back as the
# characters typed, so the work is linear. Real text stays far below (a long section has a few
# dozen links); the fields themselves are at most 20,000 characters.
MAX_DELIMITERS = 500
# Each line costs markdown-it-py some 50-100 µs however short: 5,000 one-word list items took
# over a second. The lines past MAX_LINES are joined into one, with inert delimiters.
MAX_LINES = 1000
_DELIMITERS = "[]*_<("
_DELIMITER = re.compile(r"[\[\]*_<(]")
_PARAGRAPHS = re.compile(r"(\n[ \t]*\n)")
_PLACEHOLDERS = "".join(chr(0xE000 + i) for i in range(len(_DELIMITERS)))
_PROTECT = str.maketrans({**{p: "\ufffd" for p in _PLACEHOLDERS},
                          **dict(zip(_DELIMITERS, _PLACEHOLDERS, strict=True))})
_RESTORE = {p: "&lt;" if d == "<" else d for d, p in zip(_DELIMITERS, _PLACEHOLDERS,
                                                         strict=True)}
_PLACEHOLDER = re.compile(f"[{_PLACEHOLDERS}]")


def bound_work(text: str) -> str:
    """`text` with every paragraph that has more than MAX_DELIMITERS delimiters made inert
    (see `_restore`), and the lines past MAX_LINES joined into one inert line; other text
    unchanged."""
    if text.count("\n") >= MAX_LINES:
        lines = text.split("\n")
        rest = " ".join(lines[MAX_LINES:]).translate(_PROTECT)
        text = "\n".join(lines[:MAX_LINES]) + "\n\n" + rest
    if len(_DELIMITER.findall(text)) <= MAX_DELIMITERS and not _PLACEHOLDER.search(text):
        return text
    parts = _PARAGRAPHS.split(text)
    for index, part in enumerate(parts):
        if len(_DELIMITER.findall(part)) > MAX_DELIMITERS:
            parts[index] = part.translate(_PROTECT)
        else:
            parts[index] = _PLACEHOLDER.sub("\ufffd", part)
    return "".join(parts)


def _restore(html: str) -> str:
    """The rendered HTML with the placeholders back as the (escaped) characters typed."""
    return _PLACEHOLDER.sub(lambda m: _RESTORE[m.group()], html)


def _render(text: str) -> str:
    return _restore(_parser().render(bound_work(text)))


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for user Markdown."""
    if not text:
        return Markup("")
    return Markup(clean_html(_render(text)))  # noqa: S704 - cleaned by nh3 above


def plain_text(text: str | None, limit: int | None = None) -> str:
    """Markdown reduced to plain text (for excerpts, feeds and the search index)."""
    if not text:
        return ""
    stripped = nh3.clean(_render(text), tags=set())
    import html

    result = " ".join(html.unescape(stripped).split())
    if limit and len(result) > limit:
        result = result[: limit - 1].rsplit(" ", 1)[0] + "…"
    return result
