"""Atom 1.0 feeds built with xml.etree, so every text and attribute is escaped by the
serializer. Characters that XML 1.0 cannot carry at all (NUL, most control characters) are
dropped, so whatever a title or a search query holds, the feed stays well-formed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime

from flask import Response

from app.core.db import ensure_aware

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
# Not allowed anywhere in an XML 1.0 document (lone surrogates come from odd decodings).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

ET.register_namespace("", ATOM)


def xml_safe(value: object) -> str:
    """`value` as text without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", str(value))


def stamp(value: datetime | None) -> str:
    """An RFC 3339 UTC timestamp (EPOCH when there is none)."""
    return (ensure_aware(value) or EPOCH).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    """An Atom child element; `text` and the attribute values are cleaned for XML."""
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}",
                            {key: xml_safe(value) for key, value in attrs.items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


def new_feed(*, feed_id: str, title: str, self_url: str, alternate_url: str,
             updated: datetime, language: str, author: str = "Kohtaamo") -> ET.Element:
    """The feed element with its required parts; add entries with `add_entry`."""
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: language})
    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    sub(feed, "link", href=self_url, rel="self", type="application/atom+xml")
    sub(feed, "link", href=alternate_url, rel="alternate", type="text/html")
    sub(feed, "updated", stamp(updated))
    sub(sub(feed, "author"), "name", author)
    return feed


def add_entry(feed: ET.Element, *, entry_id: str, title: str, url: str,
              updated: datetime | None, published: datetime | None, author: str,
              summary: str = "", categories: Iterable[tuple[str, str]] = (),
              language: str | None = None) -> ET.Element:
    """One entry. `categories` are (term, label or None) pairs; `language` marks the title and the
    summary when they are in another language than the feed."""
    lang = {XML_LANG: language} if language else {}
    entry = sub(feed, "entry")
    sub(entry, "id", entry_id)
    sub(entry, "title", title, type="text", **lang)
    sub(entry, "link", href=url, rel="alternate", type="text/html")
    sub(entry, "published", stamp(published or updated))
    sub(entry, "updated", stamp(updated))
    sub(sub(entry, "author"), "name", author)
    for term, label in categories:
        sub(entry, "category", term=term, **({"label": label} if label else {}))
    if summary:
        sub(entry, "summary", summary, type="text", **lang)
    return entry


def to_bytes(feed: ET.Element) -> bytes:
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def atom_response(feed: ET.Element, max_age: int = 300) -> Response:
    """The feed as a cacheable response that varies with the interface language."""
    response = Response(to_bytes(feed), content_type=CONTENT_TYPE)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.vary.add("Accept-Language")
    return response
