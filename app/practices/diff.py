"""Section-by-section comparison of two versions, with word-level changes marked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Piece:
    kind: str  # "equal", "insert" or "delete"
    text: str


@dataclass(frozen=True)
class FieldDiff:
    name: str
    pieces: list[Piece]

    @property
    def changed(self) -> bool:
        return any(piece.kind != "equal" for piece in self.pieces)


def word_diff(old: str, new: str) -> list[Piece]:
    """Word-level changes from `old` to `new` (whitespace kept, so the text reads naturally)."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    matcher = SequenceMatcher(a=a, b=b, autojunk=False)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            pieces.append(Piece("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            pieces.append(Piece("insert", "".join(b[j1:j2])))
    return _merge(pieces)


def _merge(pieces: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for piece in pieces:
        if not piece.text:
            continue
        if merged and merged[-1].kind == piece.kind:
            merged[-1] = Piece(piece.kind, merged[-1].text + piece.text)
        else:
            merged.append(piece)
    return merged


def _as_text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def compare(old: dict, new: dict, fields: tuple[str, ...]) -> list[FieldDiff]:
    """One FieldDiff per field, in the given order."""
    return [FieldDiff(name, word_diff(_as_text(old.get(name)), _as_text(new.get(name))))
            for name in fields]
