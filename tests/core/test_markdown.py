"""User Markdown is rendered and every known XSS payload is neutralised."""

from html.parser import HTMLParser

import pytest

from app.core.markdown import plain_text, render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    "<svg onload=alert(1)><circle/></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<div hx-get=\"/account/delete\" hx-trigger=\"load\">x</div>",
    "<div data-hx-post=\"/logout\" data-hx-trigger=\"load\">x</div>",
    "<base href=\"https://evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<object data=\"x.swf\"></object>",
    "<embed src=\"x.swf\">",
    "<form action=\"https://evil.example\"><input name=a></form>",
    "<style>body{display:none}</style>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<link rel=stylesheet href=\"https://evil.example/x.css\">",
    "\"><script>alert(1)</script>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
]
SAFE_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "h3",
             "h4", "a", "hr", "table", "thead", "tbody", "tr", "th", "td", "img"}


class _Elements(HTMLParser):
    """Every element and attribute the browser would build from the HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_harmless(html: str) -> None:
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in SAFE_TAGS - {"img"}, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith(("on", "hx-", "data-", "style")), (name, html)
            if name in ("href", "src"):
                scheme = (value or "").strip().lower().split(":", 1)[0]
                assert scheme in ("http", "https", "mailto") or ":" not in (value or ""), html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_neutralised(payload):
    assert_harmless(str(render_markdown(f"Intro\n\n{payload}\n\nOutro")))


def test_markdown_features_survive():
    html = str(render_markdown("# Otsikko\n\n1. **Ensin** _sitten_\n2. [linkki](https://example.fi)"))
    assert "<h3>Otsikko</h3>" in html
    assert "<strong>Ensin</strong>" in html and "<em>sitten</em>" in html
    assert 'href="https://example.fi"' in html and 'rel="nofollow noopener noreferrer"' in html


def test_plain_text_strips_markup():
    assert (
        plain_text("**Lihava** ja [linkki](https://x.fi) <b>x</b>") == "Lihava ja linkki <b>x</b>"
    )
    assert plain_text("sana " * 100, limit=20).endswith("…")
