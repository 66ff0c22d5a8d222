"""Dates as they are written in Finland in each interface language (issue 11, section 5):
"3.12.2026 klo 16.00", "3.12.2026 kl. 16.00" and the European "3 December 2026, 16.00" in
English, never Babel's American "Dec 3, 2026, 4:00 PM"."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask import render_template_string
from flask_babel import force_locale, format_time

from app.core.templating import local_date, local_datetime
from app.extensions import db

WINTER = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)  # 16.00 in Helsinki (UTC+2)
SUMMER = datetime(2026, 6, 1, 5, 7, tzinfo=UTC)  # 8.07 in Helsinki (UTC+3)

EXPECTED = {
    "fi": ("3.12.2026", "3.12.2026 klo 16.00", "1.6.2026 klo 8.07", "16.00"),
    "sv": ("3.12.2026", "3.12.2026 kl. 16.00", "1.6.2026 kl. 8.07", "16.00"),
    "en": ("3 December 2026", "3 December 2026, 16.00", "1 June 2026, 8.07", "16.00"),
}
AMERICAN = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w* \d{1,2}, |"
                      r"\d{1,2}:\d\d\s?(AM|PM)|\d{1,2}/\d{1,2}/\d{2}")


@pytest.mark.parametrize("language", EXPECTED)
def test_filters_write_dates_as_the_language_does(app, language):
    day, winter, summer, time = EXPECTED[language]
    with app.test_request_context(), force_locale(language):
        assert local_date(date(2026, 12, 3)) == day
        assert local_date(WINTER) == day  # a time gives its Finnish date
        assert local_datetime(WINTER) == winter
        assert local_datetime(SUMMER) == summer  # summer time, and no leading zero
        assert format_time(WINTER, "short") == time  # the "saved at" notes
        rendered = render_template_string("{{ d|localdate }} / {{ t|localdt }}",
                                          d=date(2026, 12, 3), t=WINTER)
        assert rendered == f"{day} / {winter}"
        assert not AMERICAN.search(rendered)


def test_finnish_date_of_a_late_evening_utc_time(app):
    late = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # already 1.1.2027 in Helsinki
    with app.test_request_context(), force_locale("en"):
        assert local_date(late) == "1 January 2027"
        assert local_datetime(late) == "1 January 2027, 0.30"


def test_an_explicit_pattern_is_kept(app):
    with app.test_request_context(), force_locale("en"):
        assert local_datetime(WINTER, "yyyy-MM-dd HH:mm") == "2026-12-03 16:00"
        assert local_date(date(2026, 12, 3), "yyyy-MM-dd") == "2026-12-03"
    assert local_date(None) == "" and local_datetime(None) == ""


@pytest.mark.parametrize("language,marker", [("fi", " klo "), ("sv", " kl. "), ("en", ", ")])
def test_the_call_page_shows_its_times_in_the_readers_language(language, marker, client,
                                                               login_as, make_call, make_user):
    call = make_call(phase="open")
    login_as(make_user(language=language))
    html = client.get(f"/calls/{call.id}").get_data(as_text=True)
    with client.application.test_request_context(), force_locale(language):
        closes = local_datetime(db.session.merge(call).closes_at)
    assert marker in closes
    assert closes in html
    assert not AMERICAN.search(html), AMERICAN.search(html).group(0)


def test_a_pattern_names_the_month_in_each_language(app):
    """One pattern, three languages, one after another in the same process."""
    for _ in range(2):
        for language, month in (("en", "December"), ("fi", "joulukuuta"), ("sv", "december")):
            with app.test_request_context(), force_locale(language):
                assert local_date(date(2026, 12, 3), "d MMMM yyyy") == f"3 {month} 2026"
