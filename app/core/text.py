"""Characters that must not reach single-line text (names, titles, mail subjects) or any text.

A single line holds no line breaks of any kind (CR, LF, NEL, U+2028, U+2029), no tab and no
other control character; multi-line text keeps CR, LF and TAB. Lone surrogates (which
`json.loads` and percent-decoding can produce) and private-use characters are refused in both.
"""

from __future__ import annotations

import re
import unicodedata

LINE_SEPARATORS = "\u2028\u2029"
_MULTILINE_OK = "\n\r\t"
_FLATTEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]+")


def bad_character(text: str, *, multiline: bool, allow: str = "") -> str | None:
    """The first character that `text` may not contain (besides those in `allow`), or None."""
    for ch in text:
        if (multiline and ch in _MULTILINE_OK) or ch in allow:
            continue
        if ch in LINE_SEPARATORS or unicodedata.category(ch) in ("Cc", "Cs", "Co"):
            return ch
    return None


def single_line(text: str | None) -> str:
    """`text` flattened to one clean line: every run of line breaks, tabs and other control
    characters (and lone surrogates) becomes one space; for mail headers and other places that
    must never get a line break from old or unchecked data."""
    if not text:
        return ""
    return " ".join(_FLATTEN.sub(" ", str(text)).split())
