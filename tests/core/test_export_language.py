"""Spreadsheet exports speak the user's language: translated headers, codes as their labels,
dates as the language writes them, yes / no in words (issue 11, section 5)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from app.core import spreadsheets
from app.extensions import db
from tests.fixtures.calls import call_manager_of
from tests.projects.follow_up_support import submitted_project

# header, organisation type label, state label, decimal sum column of each language
APPLICATIONS = {
    "fi": {"project": "Hanke", "lead": "Päätoteuttaja", "type": "Organisaation tyyppi",
           "state": "Tila", "total": "Tukikelpoiset kokonaiskustannukset (€)",
           "submitted_at": "Lähetetty ensimmäisen kerran", "ngo": "Järjestö tai yhdistys",
           "submitted": "Lähetetty"},
    "sv": {"project": "Projekt", "lead": "Huvudgenomförare", "type": "Organisationstyp",
           "state": "Status", "total": "Stödberättigande totalkostnader (€)",
           "submitted_at": "Först inlämnad", "ngo": "Organisation eller förening",
           "submitted": "Inlämnad"},
    "en": {"project": "Project", "lead": "Lead applicant", "type": "Organisation type",
           "state": "State", "total": "Total eligible cost (€)",
           "submitted_at": "First submitted", "ngo": "Non-profit organisation",
           "submitted": "Submitted"},
}
# The export's old machine headers, and the codes it used to write as values.
CODE_HEADERS = ("project_name", "organisation_type", "total_cost_eur", "support_eur",
                "first_submitted_at")
DATETIME = {"fi": r"^\d{1,2}\.\d{1,2}\.20\d\d \d{1,2}\.\d\d$",
            "sv": r"^\d{1,2}\.\d{1,2}\.20\d\d \d{1,2}\.\d\d$",
            "en": r"^\d{1,2} [A-Z][a-z]+ 20\d\d \d{1,2}\.\d\d$"}


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _speaker(user, language: str):
    user.language = language
    db.session.commit()
    return user


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_applications_csv_in_the_users_language(language, client, login_as, make_call,
                                                 make_application):
    call = make_call()
    application = make_application(call=call, state="submitted", project_name="Töihin yhdessä")
    login_as(_speaker(call_manager_of(call), language))
    header, *body = _rows(client.get(f"/calls/{call.id}/applications.csv"))
    words = APPLICATIONS[language]
    for key in ("project", "lead", "type", "state", "total", "submitted_at"):
        assert words[key] in header, (key, header)
    for code in CODE_HEADERS:
        assert code not in header
    others = [w for lang, table in APPLICATIONS.items() if lang != language
              for w in (table["project"], table["lead"])]
    assert not set(others) & set(header), "a header in another language"
    [row] = body
    cell = dict(zip(header, row, strict=True))
    assert cell[words["project"]] == "Töihin yhdessä"
    assert cell[words["lead"]] == application.organisation.name
    assert cell[words["type"]] == words["ngo"] and "ngo" not in row
    assert cell[words["state"]] == words["submitted"] and "submitted" not in row
    assert re.match(DATETIME[language], cell[words["submitted_at"]]), cell[words["submitted_at"]]
    assert cell[words["total"]] == "134400,00"  # a number for Finnish Excel, in every language


def test_the_interface_language_chosen_on_the_page_wins(client, login_as, make_call,
                                                        make_application):
    call = make_call()
    make_application(call=call, state="submitted")
    login_as(_speaker(call_manager_of(call), "fi"))
    with client.session_transaction() as session:
        session["lang"] = "sv"
    header = _rows(client.get(f"/calls/{call.id}/applications.csv"))[0]
    assert "Projekt" in header and "Hanke" not in header


@pytest.mark.parametrize("language,words", [
    ("fi", ("Hankenumero", "Raportointikauden alku", "Loppuraportti", "ei", "1.9.2026",
            "Käynnissä")),
    ("sv", ("Projektnummer", "Periodens början", "Slutrapport", "nej", "1.9.2026", "Pågår")),
    ("en", ("Project number", "Period start", "Final report", "no", "1 September 2026",
            "Running")),
])
def test_projects_csv_and_xlsx_in_the_users_language(language, words, client, login_as,
                                                     make_project):
    from openpyxl import load_workbook

    scene = submitted_project(make_project, project_name="Hanke Aalto")
    login_as(_speaker(scene.officer, language))
    number, period_start, final, no, start, running = words
    call_id = scene.project.call.id
    header, *body = _rows(client.get(f"/calls/{call_id}/projects.csv"))
    assert header[0] == number and period_start in header and final in header
    cell = dict(zip(header, body[0], strict=True))
    assert cell[period_start] == start  # not 2026-09-01
    assert cell[final] == no
    assert running in body[0]
    assert "2026-09-01" not in ";".join(body[0])
    sheet = load_workbook(io.BytesIO(client.get(f"/calls/{call_id}/projects.xlsx").get_data())
                          ).active
    assert sheet.cell(1, 1).value == number
    assert start in [c.value for c in sheet[2]]


@pytest.mark.parametrize("language,words", [
    ("fi", ("Sija", "Hakemus", "Päätoteuttaja", "Budjetin rajoissa")),
    ("sv", ("Plats", "Ansökan", "Huvudgenomförare", "Inom budgeten")),
])
def test_ranking_csv_in_the_users_language(language, words, client, login_as, make_call,
                                           make_application):
    call = make_call(phase="closed")
    make_application(call=call, state="submitted")
    login_as(_speaker(call_manager_of(call), language))
    header = _rows(client.get(f"/calls/{call.id}/ranking.csv"))[0]
    for word in words:
        assert word in header
    assert "Rank" not in header and "Lead applicant" not in header


def test_cells_follow_the_language(app):
    from datetime import UTC, date, datetime

    from flask_babel import force_locale

    moment = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)  # 16.00 in Helsinki
    expected = {"fi": ("3.12.2026", "3.12.2026 16.00", "kyllä", "ei"),
                "sv": ("3.12.2026", "3.12.2026 16.00", "ja", "nej"),
                "en": ("3 December 2026", "3 December 2026 16.00", "yes", "no")}
    with app.test_request_context():
        for language, (day, when, yes, no) in expected.items():
            with force_locale(language):
                assert spreadsheets.date_cell(date(2026, 12, 3)) == day
                assert spreadsheets.datetime_cell(moment) == when
                assert spreadsheets.yes_no(True) == yes and spreadsheets.yes_no(False) == no
                assert spreadsheets.yes_no(None) is None and spreadsheets.date_cell(None) is None
