"""The JSON Lines format of service models (DOMAIN.md, "Import format"): reading and
checking lines, without touching the database.

`parse_line` turns one line into an ImportRecord or raises ImportProblem with every fault of
the line; `read_file` does that for each line of a file, reading it as bytes so that a line
that is not UTF-8, or is absurdly long, fails alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from app.core.codelists import (
    EVIDENCE_LEVELS,
    LANGUAGES,
    LEGACY_ORGANISATION_TYPES,
    ORGANISATION_TYPES,
    REGIONS,
    STAGES,
    TARGET_GROUPS,
    WORK_FORMS,
)
from app.core.db import utcnow
from app.organisations import business_id as bid
from app.practices import services
from app.practices.models import SECTIONS

# The keys of a record, in the order of the sample file (and of the export).
KEYS = ("id", "language", "title", "summary", *SECTIONS, "target_groups", "work_forms",
        "regions", "stage", "evidence", "organisation", "tags", "published_on")
ORGANISATION_KEYS = ("name", "business_id", "type")

MAX_LINE_BYTES = 1_000_000
MAX_ID = 100
MAX_TITLE = 200
MAX_SUMMARY = 1_000
MAX_SECTION = 20_000
MAX_ORGANISATION_NAME = 200
MAX_TAG = 60

_CODE_LISTS = {"target_groups": TARGET_GROUPS, "work_forms": WORK_FORMS, "regions": REGIONS}
# Needed to publish (services.publish_checklist); employer_cooperation and work_forms are not.
_REQUIRED_TEXT = ("title", "summary", "problem", "method", "results", "adoption")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ImportProblem(Exception):
    """Line `line_no` cannot be imported, for `reason`."""

    def __init__(self, line_no: int, reason: str):
        super().__init__(f"line {line_no}: {reason}")
        self.line_no = line_no
        self.reason = reason


@dataclass(frozen=True)
class ImportRecord:
    """A checked line: `content` has exactly the keys of `Practice.content()`."""

    line_no: int
    external_id: str
    content: dict
    organisation: dict  # name, business_id (normalised), type
    published_on: date | None


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f'the key "{key}" appears twice')
        result[key] = value
    return result


# C0 and C1 control characters and lone surrogates (json.loads lets "\ud800" through).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # \t, \n allowed


def _bad_character(text: str, multiline: bool) -> str | None:
    """A description of the first control character (or lone surrogate) in `text`."""
    match = (_CONTROL_IN_TEXT if multiline else _CONTROL).search(text)
    if match is None:
        return None
    ch = match.group()
    if ch == "\x00":
        return "a NUL character"
    if ch == "\n":
        return "a line break"
    if "\ud800" <= ch <= "\udfff":
        return f"an invalid character (U+{ord(ch):04X})"
    return f"a control character (U+{ord(ch):04X})"


class _Checker:
    """Collects every problem of one record, so a line is reported once with all its faults."""

    def __init__(self, data: dict):
        self.data = data
        self.problems: list[str] = []

    def fail(self, reason: str) -> None:
        self.problems.append(reason)

    def text(self, key: str, *, required: bool, max_length: int, multiline: bool,
             source: dict | None = None, label: str | None = None) -> str:
        source = self.data if source is None else source
        label = label or key
        value = source.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(f"{label} must be a string")
            return ""
        value = value.replace("\r\n", "\n").strip()
        bad = _bad_character(value, multiline)
        if bad:
            self.fail(f"{label} contains {bad}")
            return ""
        if required and not value:
            self.fail(f"{label} is missing" if key not in source else f"{label} is empty")
        elif len(value) > max_length:
            self.fail(f"{label} is too long ({len(value)} characters, at most {max_length})")
        return value

    def codes(self, key: str, code_list) -> list[str]:
        value = self.data.get(key)
        if value is None:
            value = []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{key} must be a list of strings")
            return []
        unknown = [v for v in value if v not in code_list]
        if unknown:
            shown = ", ".join(f'"{v[:40]}"' for v in unknown[:5])
            self.fail(f"{key}: unknown code{'s' if len(unknown) > 1 else ''} {shown}")
            return []
        return list(dict.fromkeys(value))  # the given order, without repeats

    def choice(self, key: str, code_list) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            self.fail(f"{key} is missing")
            return ""
        if not isinstance(value, str):
            self.fail(f"{key} must be a string")
            return ""
        if value not in code_list:
            allowed = ", ".join(code_list.codes)
            self.fail(f'{key}: unknown code "{value[:40]}" (expected one of {allowed})')
            return ""
        return value

    def tags(self) -> list[str]:
        value = self.data.get("tags")
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail("tags must be a list of strings")
            return []
        for tag in value:
            bad = _bad_character(tag, multiline=False)
            if bad:
                self.fail(f"a tag contains {bad}")
                return []
            if len(tag.strip()) > MAX_TAG:
                self.fail(f"a tag is too long ({len(tag.strip())} characters, at most {MAX_TAG})")
                return []
        distinct = {" ".join(tag.split()).lower() for tag in value} - {""}
        if len(distinct) > services.MAX_TAGS:
            self.fail(f"too many tags ({len(distinct)}, at most {services.MAX_TAGS})")
            return []
        return services.clean_tags(value)

    def published_on(self) -> date | None:
        value = self.data.get("published_on")
        if value is None:
            return None
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            self.fail("published_on must be a date written as YYYY-MM-DD")
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            self.fail(f'published_on "{value}" is not a valid date')
            return None
        if day > utcnow().date():
            self.fail(f"published_on {value} is in the future")
            return None
        return day

    def organisation(self) -> dict:
        value = self.data.get("organisation")
        if value is None:
            self.fail("organisation is missing")
            return {}
        if not isinstance(value, dict):
            self.fail("organisation must be an object with name, business_id and type")
            return {}
        unknown = sorted(set(value) - set(ORGANISATION_KEYS))
        if unknown:
            self.fail(f"organisation: unknown key{'s' if len(unknown) > 1 else ''} "
                      + ", ".join(f'"{k[:40]}"' for k in unknown))
        name = self.text("name", required=True, max_length=MAX_ORGANISATION_NAME,
                         multiline=False, source=value, label="organisation.name")
        raw_id = value.get("business_id")
        business_id = ""
        if raw_id is None or raw_id == "":
            self.fail("organisation.business_id is missing")
        elif not isinstance(raw_id, str):
            self.fail("organisation.business_id must be a string")
        else:
            business_id = bid.normalise(raw_id)
            if not bid.is_valid(business_id):
                self.fail(f'organisation.business_id "{raw_id[:20]}" is not a valid Business ID '
                          "(format NNNNNNN-C with a correct check digit)")
        kind = value.get("type")
        kind = LEGACY_ORGANISATION_TYPES.get(kind, kind) if isinstance(kind, str) else kind
        if kind not in ORGANISATION_TYPES:
            shown = f'"{kind[:40]}"' if isinstance(kind, str) else "missing"
            self.fail(f"organisation.type: {shown} is not one of "
                      + ", ".join(ORGANISATION_TYPES.codes))
        return {"name": name, "business_id": business_id, "type": kind}


def parse_line(text: str, line_no: int) -> ImportRecord:
    """Check one line of the file; raises ImportProblem with every fault found."""
    if "\x00" in text:
        raise ImportProblem(line_no, "the line contains a NUL character")
    try:
        data = json.loads(text, parse_constant=_reject_constant,
                          object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as error:
        raise ImportProblem(line_no, f"invalid JSON: {error.msg} (column {error.colno})") from None
    except (ValueError, RecursionError) as error:
        raise ImportProblem(line_no, f"invalid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ImportProblem(line_no, "the line is not a JSON object")

    check = _Checker(data)
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        check.fail(f"unknown key{'s' if len(unknown) > 1 else ''} "
                   + ", ".join(f'"{k[:40]}"' for k in unknown[:5]))
    external_id = check.text("id", required=True, max_length=MAX_ID, multiline=False)
    if external_id and any(ch.isspace() for ch in external_id):
        check.fail("id must not contain spaces")
    content = {
        "title": check.text("title", required=True, max_length=MAX_TITLE, multiline=False),
        "language": check.choice("language", LANGUAGES),
        "summary": check.text("summary", required=True, max_length=MAX_SUMMARY, multiline=True),
        **{
            name: check.text(name, required=name in _REQUIRED_TEXT, max_length=MAX_SECTION,
                             multiline=True)
            for name in SECTIONS
        },
        **{name: check.codes(name, code_list) for name, code_list in _CODE_LISTS.items()},
        "stage": check.choice("stage", STAGES),
        "evidence": check.choice("evidence", EVIDENCE_LEVELS),
        "tags": check.tags(),
    }
    for name in ("target_groups", "regions"):
        if name in data and not content[name] and not any(name in p for p in check.problems):
            check.fail(f"{name} is empty (at least one is needed to publish)")
        elif name not in data:
            check.fail(f"{name} is missing")
    organisation = check.organisation()
    published_on = check.published_on()
    if check.problems:
        raise ImportProblem(line_no, "; ".join(check.problems))
    return ImportRecord(line_no, external_id, content, organisation, published_on)


def _raw_lines(handle: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; None for a line longer than MAX_LINE_BYTES, which is
    skipped without reading it into memory."""
    line_no = 0
    while True:
        chunk = handle.readline(MAX_LINE_BYTES + 1)
        if not chunk:
            return
        line_no += 1
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):
                chunk = handle.readline(MAX_LINE_BYTES)
            yield line_no, None
        else:
            yield line_no, chunk


def count_lines(path: str | Path) -> int:
    """How many non-blank lines `read_file` will hand out (for a progress bar)."""
    with open(path, "rb") as handle:
        return sum(1 for _, raw in _raw_lines(handle) if raw is None or raw.strip())


def read_file(path: str | Path) -> Iterator[ImportRecord | ImportProblem]:
    """Each non-blank line of the file, checked: a record, or the problem with it."""
    with open(path, "rb") as handle:
        for line_no, raw in _raw_lines(handle):
            if raw is None:
                yield ImportProblem(line_no, f"the line is longer than {MAX_LINE_BYTES} bytes")
                continue
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                yield ImportProblem(line_no, f"not valid UTF-8 (byte {error.start + 1})")
                continue
            if line_no == 1:
                text = text.removeprefix("\ufeff")
            try:
                yield parse_line(text, line_no)
            except ImportProblem as problem:
                yield problem
