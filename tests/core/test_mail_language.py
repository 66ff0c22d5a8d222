"""Mails in each recipient's own language, and the decision in the applicant's (issue 11,
section 5): a Swedish-speaking applicant gets the decision mail and the decision document in
Swedish, a Finnish-speaking one in Finnish, whatever language the officers use.

The decision's language, unless the presenting officer chooses it, is that of the person who
started the application (app.reviews.documents.default_language): Swedish for a Swedish
speaker, otherwise Finnish (a decision is written in fi or sv only)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from app.core.outbox import OutboundMail
from app.extensions import db
from app.reviews import documents
from app.reviews.models import ProposalState
from tests.fixtures.calls import decide
from tests.reviews.decision_support import scene

ROOT = Path(__file__).resolve().parents[2]
MAIL_TEMPLATES = ROOT / "templates" / "mail"
CATALOGUES = ROOT / "app" / "translations"


@pytest.fixture
def closed(make_cast):
    """An application in review in a call that has closed."""
    return scene(make_cast, "closed")


def _speakers(world, **languages) -> None:
    for role, language in languages.items():
        world.person(role).language = language
    db.session.commit()


def _mails_to(user) -> list[OutboundMail]:
    return list(db.session.scalars(select(OutboundMail).where(
        OutboundMail.recipient == user.email).order_by(OutboundMail.id)))


def _decision_mail(user) -> OutboundMail:
    subjects = ("Decision on the application", "Päätös hakemuksesta", "Beslut om ansökan")
    found = [m for m in _mails_to(user) if m.subject.startswith(subjects)]
    assert len(found) == 1, [m.subject for m in _mails_to(user)]
    return found[0]


def test_each_applicant_gets_the_decision_mail_in_their_own_language(closed):
    # the lead's owner started the application; the partner's editor speaks Finnish
    _speakers(closed, lead_owner="sv", partner_editor="fi", lead_editor="en")
    decision = decide(closed.application, now=closed.now)
    db.session.commit()
    name = closed.application.project_name
    authority = closed.call.authority_label

    swedish = _decision_mail(closed.person("lead_owner"))
    assert swedish.subject == f"Beslut om ansökan {name}"
    assert f"{authority} har godkänt ansökan {name}" in swedish.body
    assert "Motivering:" in swedish.body
    assert "hyväksynyt" not in swedish.body and "has approved" not in swedish.body

    finnish = _decision_mail(closed.person("partner_editor"))
    assert finnish.subject == f"Päätös hakemuksesta {name}"
    assert f"{authority} on hyväksynyt hakemuksen {name}" in finnish.body
    assert "Perustelut:" in finnish.body and "godkänt" not in finnish.body

    english = _decision_mail(closed.person("lead_editor"))
    assert english.subject == f"Decision on the application {name}"
    assert decision.state == ProposalState.confirmed


@pytest.mark.parametrize("creator,language,present,absent", [
    ("sv", "sv", ("Beslut om ESF+-projektstöd", "Anvisning om begäran om omprövning",
                  "Förnyande och kompetent Finland 2021–2027", "Beviljat projektstöd",
                  "Inga delgenomförare", "Samarbetspartner</dt>"),
     ("Oikaisuvaatimusohje", "Päätös ESR+-hanketuesta")),
    ("fi", "fi", ("Päätös ESR+-hanketuesta", "Oikaisuvaatimusohje",
                  "Uudistuva ja osaava Suomi 2021–2027", "Myönnetty hanketuki",
                  # the cast's partner is a cooperation partner, not a co-implementer
                  "Ei osatoteuttajia", "Yhteistyökumppanit</dt>", "Kumppani ry"),
     ("Anvisning om begäran om omprövning", "ESF+-hanketuki", "avustus")),
    ("en", "fi", ("Päätös ESR+-hanketuesta", "Oikaisuvaatimusohje"), ("Beslut om",)),
])
def test_the_decision_document_is_in_the_applicants_language(creator, language, present, absent,
                                                             closed, client, login_as):
    _speakers(closed, lead_owner=creator)
    assert documents.default_language(closed.application) == language
    decision = decide(closed.application, now=closed.now)  # the officer leaves the language
    db.session.commit()
    assert decision.language == language
    login_as(closed.person("lead_owner"))
    html = client.get(f"/calls/applications/{closed.application.id}/decision/document",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'lang="{language}"' in html
    for text in present:
        assert text in html, text
    for text in absent:
        assert text not in html, text


def test_the_proposal_form_suggests_the_applicants_language(closed, client, login_as):
    _speakers(closed, lead_owner="sv", call_manager="fi")
    login_as(closed.officer)
    html = client.get(f"/calls/applications/{closed.application.id}/decision"
                      ).get_data(as_text=True)
    chosen = re.findall(r'<input[^>]*name="language"[^>]*>', html)
    assert chosen, "no language choice on the proposal form"
    checked = [tag for tag in chosen if "checked" in tag]
    assert len(checked) == 1 and 'value="sv"' in checked[0], checked


def _mail_msgids() -> set[str]:
    """The texts of the mail templates: every _("...") and ngettext("...", "...")."""
    found = set()
    for path in sorted(MAIL_TEMPLATES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        found.update(m.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
                     for m in re.findall(r'\b_\(\s*"((?:[^"\\]|\\.)*)"', text))
        found.update(m for m in re.findall(r'ngettext\(\s*"((?:[^"\\]|\\.)*)"', text))
    return found


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_mail_text_is_translated(language):
    """A mail goes out in the recipient's language only if its texts are in the catalogue:
    a missing msgstr silently sends the English source to a Finnish or Swedish speaker. Fix a
    failure by translating the listed texts in app/translations/<language>/.../messages.po."""
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    missing = []
    for msgid in sorted(_mail_msgids()):
        message = catalogue.get(msgid)
        strings = message.string if message is not None else ""
        strings = strings if isinstance(strings, tuple) else (strings,)
        if message is None or not all(strings) or message.fuzzy:
            missing.append(msgid)
    assert len(_mail_msgids()) > 40  # the pattern still finds the templates' texts
    assert not missing, f"untranslated mail texts in {language}: {missing}"
