"""Markdown rendering of pathological inputs: time per input with and without the delimiter cap
(app.core.markdown.bound_work). Prints one line per input; not part of the test run.

    .venv/bin/python bench/markdown.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core import markdown  # noqa: E402

INPUTS = {
    '39,000 "["': "[" * 39_000,
    '100 KB of "*a"': "*a" * 50_000,
    '100 KB of "_a"': "_a" * 50_000,
    '40,000 "!["': "![" * 20_000,
    '10,000 "[a]("': "[a](" * 10_000,
    '20,000 lines "*a"': "*a\n" * 20_000,
    '20,000 "<a"': "<a" * 20_000,
    '5,000 list items "- a"': "- a\n" * 5_000,
    "20,000 chars of prose": ("Työhönvalmennus **etenee** [vaiheittain](https://example.fi). "
                              * 400)[:20_000],
}


def _time(text: str, capped: bool) -> float:
    original = markdown.MAX_DELIMITERS, markdown.MAX_LINES
    if not capped:
        markdown.MAX_DELIMITERS = markdown.MAX_LINES = 10**9
    try:
        start = time.perf_counter()
        markdown.render_markdown(text)
        return time.perf_counter() - start
    finally:
        markdown.MAX_DELIMITERS, markdown.MAX_LINES = original


def main() -> None:
    print(f"caps: {markdown.MAX_DELIMITERS} delimiters a paragraph, {markdown.MAX_LINES} lines")
    print(f"{'input':28} {'chars':>7} {'uncapped s':>11} {'capped s':>9}")
    for name, text in INPUTS.items():
        print(f"{name:28} {len(text):>7} {_time(text, False):>11.3f} {_time(text, True):>9.3f}")


if __name__ == "__main__":
    main()
