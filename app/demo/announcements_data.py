"""Demo announcements of the funding authorities (issue 14 §4): one per demo call (an
information session for the open and upcoming ones, a change of the closing time, the results
of a closed call), one on a theme, and one in Swedish.

Rows are created directly (announcements mail nobody); publishing times are relative to the
moment of seeding, so the newest ones are on the home page for a while after `make run`.
Idempotent: an announcement is matched by its authority, title and call.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.announcements.models import Announcement, AnnouncementKind
from app.calls.models import Call, CallState
from app.demo.calls_data import THEME
from app.organisations.models import Membership

# By the demo call's key (app/demo/*_data.py): kind, language, title, body, days ago published.
BY_CALL: dict[str, tuple] = {
    "open": (
        "info_session", "fi", "Infotilaisuus hakijoille: näin haet rahoitusta",
        "Järjestämme hakijoille **infotilaisuuden** Teamsissa. Käymme läpi haun tavoitteet, "
        "valintaperusteet ja rahoitussuunnitelman laatimisen.\n\n"
        "- Kysymyksiä voi lähettää etukäteen yhteyshenkilölle.\n"
        "- Tallenne julkaistaan haun sivulla.", 2),
    "upcoming": (
        "info_session", "fi", "Tulosperusteisen kokeilun infotilaisuus Tampereella",
        "Kerromme, miten palkkiot maksetaan ja mitä tuloksista raportoidaan. Tilaisuus on "
        "tarkoitettu järjestöille ja henkilöstöpalveluyrityksille.", 4),
    "eura": (
        "change", "sv", "Ändring: ansökningstiden förlängs med en vecka",
        "Ansökningstiden förlängs med en vecka. Ansökan lämnas fortfarande in i EURA 2021; "
        "använd Kohtaamo för att hitta delgenomförare.", 6),
    "closed": (
        "results", "fi", "Haun tulokset: kaksi hanketta rahoitetaan",
        "Haun hakemukset on arvioitu ja päätökset tehty. Rahoitettavat hankkeet löytyvät "
        "rahoitettujen hankkeiden listalta.", 30),
    "voucher": (
        "info_session", "fi", "Palvelusetelikokeilun esittelytilaisuus palveluntuottajille",
        "Palveluntuottajat esittäytyvät työnhakijoille. Tilaisuudessa kerrotaan myös, miten "
        "seteli otetaan käyttöön.", 3),
    "outcome-open": (
        "change", "fi", "Muutos: hakuaikaa jatketaan viikolla",
        "Hakuaikaa jatketaan viikolla. Muut ehdot pysyvät ennallaan.", 1),
}
# A call of the demo without its own text above.
GENERIC = ("general", "fi", "Tiedote haun hakijoille",
           "Ajankohtaiset tiedot haun etenemisestä päivitetään tälle sivulle.", 20)
THEME_ANNOUNCEMENT = (
    "ely-etela-savo", "general", "fi", "Teemana työpaikkojen kehittäminen: tulevat haut 2026",
    "Avaamme vuonna 2026 uusia hakuja, joissa työpaikkoja kehitetään yhdessä työnantajien "
    "kanssa. Seuraa tämän teeman tiedotteita.", 5)


def _author(session: Session, organisation_id: int):
    return session.scalar(select(Membership.user_id).where(
        Membership.organisation_id == organisation_id, Membership.is_call_manager.is_(True))
        .order_by(Membership.id).limit(1))


def _add(session: Session, ctx, organisation_id: int, kind: str, language: str, title: str,
         body: str, days_ago: int, call: Call | None = None, theme: str = "") -> int:
    exists = session.scalar(select(Announcement.id).where(
        Announcement.organisation_id == organisation_id, Announcement.title == title,
        Announcement.call_id == call.id if call else Announcement.call_id.is_(None)))
    if exists is not None:
        return 0
    published = ctx.now - timedelta(days=days_ago)
    session.add(Announcement(
        organisation_id=organisation_id, author_id=_author(session, organisation_id),
        call_id=call.id if call else None, theme=theme, kind=AnnouncementKind(kind),
        language=language, title=title, body=body, published_at=published,
        created_at=published, updated_at=published))
    return 1


def seed_announcements(session: Session, ctx) -> int:
    """An announcement per published demo call and one on a theme; returns the rows made
    (0 on a second run)."""
    created = 0
    for key, call in sorted(ctx.calls.items()):
        if call is None or call.state != CallState.published:
            continue
        kind, language, title, body, days_ago = BY_CALL.get(key, GENERIC)
        created += _add(session, ctx, call.organisation_id, kind, language, title, body,
                        days_ago, call=call)
    key, kind, language, title, body, days_ago = THEME_ANNOUNCEMENT
    authority = ctx.organisations.get(key)
    if authority is not None:
        created += _add(session, ctx, authority.id, kind, language, title, body, days_ago,
                        theme=THEME)
    session.flush()
    return created
