"""The funding-models demo: a service-voucher pilot with its provider registry, and an open
outcome-based call with a staged fee table and a draft outcome plan.

- "Takaisin työelämään – palvelusetelikokeilu Etelä-Savo 2026" of Etelä-Savon ELY-keskus
  (service voucher, 2 400 € a voucher, four months, for the long-term unemployed and those
  over 50; open): six providers apply with their offers in plain language (one in Swedish).
  Four are approved providers — the pilot's registry approves providers on a rolling basis,
  so their applications are set approved directly (nothing is granted: the vouchers pay
  them) — one is waiting for its decision and one is still a draft. The public comparison page
  (/calls/<id>/providers) shows the four.
- "Tulosperusteinen työllistämiskokeilu – Etelä-Savo 2026" (outcome-based, open): a fee table
  with a staged employment fee (30 % when it starts, 70 % when it has lasted six months), a
  business start and an education start, and Kiito Henkilöstöpalvelut's draft with an outcome
  plan whose fee budget is its support applied for.

Idempotent like the other steps: calls are matched by authority and Finnish title,
applications by call, lead and project name (calls_data._call and its rules).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications import outcomes
from app.applications.models import Application, ApplicationState, OutcomePlan, VoucherOffer
from app.calls.models import OutcomeFee, OutcomeType
from app.demo import calls_data
from app.organisations.models import Role

VOUCHER_CALL = {
    "key": "voucher", "ely": "ely-etela-savo",
    "title_fi": "Takaisin työelämään – palvelusetelikokeilu Etelä-Savo 2026",
    "title_sv": "Tillbaka till arbetslivet – servicesedelförsök i Södra Savolax 2026",
    "title_en": "Back to working life – service voucher pilot, South Savo 2026",
    "description_fi": (
        "Pitkään työttömänä olleet ja yli 50-vuotiaat työnhakijat saavat palvelusetelin, "
        "jolla he valitsevat itse palveluntuottajan hyväksyttyjen joukosta. Palvelu kestää "
        "neljä kuukautta ja tähtää työhön tai koulutukseen.\n\n"
        "Palveluntuottajat (henkilöstöpalveluyritykset, järjestöt, yritykset) hakevat "
        "hyväksyntää kuvaamalla palvelunsa selkokielellä."),
    "opens": -25, "closes": 60, "budget": 480_000_00, "max_support": 100,
    "eligible": ["ngo", "staffing_firm", "social_enterprise", "employer", "education"],
    "model": "service_voucher",
}
OUTCOME_CALL = {
    "key": "outcome-open", "ely": "ely-etela-savo",
    "title_fi": "Tulosperusteinen työllistämiskokeilu – Etelä-Savo 2026",
    "title_en": "Outcome-based employment pilot – South Savo 2026",
    "description_fi": (
        "Palveluntuottajalle maksetaan palkkio tuloksista: vähintään kuuden kuukauden "
        "työsuhteesta kahdessa erässä (30 % työsuhteen alkaessa, 70 % kun se on kestänyt kuusi "
        "kuukautta), aloitetusta yritystoiminnasta ja aloitetusta tutkintoon johtavasta "
        "koulutuksesta."),
    "opens": -10, "closes": 45, "budget": 400_000_00, "max_support": 100,
    "eligible": ["ngo", "staffing_firm", "social_enterprise"], "model": "outcome_based",
    "fee": 3_000_00, "min_months": 6,
}
FEE_TABLE = (
    (OutcomeType.employment, "Työsuhde, joka kestää vähintään 6 kk", 6, 3_000_00,
     [{"label": "Työsuhde alkaa", "percent": 30},
      {"label": "Työsuhde on kestänyt 6 kk", "percent": 70}]),
    (OutcomeType.business, "Yritystoiminta alkaa", None, 2_500_00, []),
    (OutcomeType.education, "Tutkintoon johtava koulutus alkaa", None, 1_200_00, []),
)

TEXTS = calls_data._texts(
    "Pitkään työttömänä olleet tarvitsevat henkilökohtaista tukea työnhakuun.",
    "Pitkään työttömänä olleet ja yli 50-vuotiaat Etelä-Savossa.",
    "Henkilökohtainen valmennus ja työnantajakontaktit neljän kuukauden ajan.",
    "Alueen yritykset tarjoavat työkokeiluja ja rekrytoivat.",
    "Puolet palvelun päättäneistä työllistyy tai aloittaa koulutuksen.",
    "Kokemukset jaetaan kokeilun verkostossa.",
    "Palvelu on maksuton ja saavutettava.")

# lead, state, project name, offer ("language" is the provider's own, for the lang marker)
PROVIDERS: list[tuple[str, str, str, dict]] = [
    ("staffing-tyovoima-saimaa", "approved", "Työvoima Saimaa: palveluseteli", {
        "service": "Etsimme kanssasi sopivan työpaikan ja autamme hakemuksissa. Tuemme "
                   "sinua myös ensimmäisinä viikkoina uudessa työssä.",
        "method": "Tapaamme viikoittain. Teemme yhdessä osaamiskartoituksen ja "
                  "työnhakusuunnitelman. Esittelemme sinut työnantajille.",
        "languages": ["fi", "en"], "locations": "Mikkeli (Porrassalmenkatu 19), Savonlinna",
        "regions": ["MK10"], "capacity": 40,
        "accessibility": "Esteetön sisäänkäynti ja hissi. Tapaamiset myös etänä.",
        "contact": "Hanna Leinonen, 040 555 0101"}),
    ("staffing-kiito", "approved", "Kiito: polku takaisin töihin", {
        "service": "Löydät kanssamme töitä lyhyiden työkeikkojen kautta. Keikoista voi "
                   "jatkaa pidempään työsuhteeseen.",
        "method": "Aloitamme työkokeilulla. Valmentaja on tukenasi joka keikalla.",
        "languages": ["fi", "ru", "et"], "locations": "Mikkeli ja etänä koko maakunnassa",
        "regions": ["MK10", "MK11"], "capacity": 25,
        "accessibility": "Tapaamiset myös puhelimessa. Tulkki tarvittaessa.",
        "contact": "Kiito, 020 555 0202, palveluseteli@kiito.example.fi"}),
    ("ngo-savon-tyovalmennus", "approved", "Savon Työvalmennus: oma polku", {
        "service": "Valmentaja auttaa sinua löytämään omat vahvuutesi ja sopivan työn. "
                   "Sopii myös, jos terveys rajoittaa työntekoa.",
        "method": "Yksilövalmennus kerran viikossa ja pienryhmä. Tuki jatkuu työpaikalla.",
        "languages": ["fi"], "locations": "Mikkeli, Pieksämäki",
        "regions": ["MK10"], "capacity": 15,
        "accessibility": "Esteetön. Induktiosilmukka ryhmätilassa. Rauhallinen tila.",
        "contact": "Mikko Partanen, 044 555 0303"}),
    ("ngo-arbetsbron", "approved", "Arbetsbron: tillbaka till jobbet", {
        "service": "Vi hjälper dig hitta ett jobb på svenska. Du får en egen coach och "
                   "kontakter till arbetsgivare.",
        "method": "Vi träffas varje vecka. Vi gör en plan tillsammans och besöker "
                  "arbetsplatser.",
        "languages": ["sv", "fi"], "locations": "Distans och träffar i Nyslott",
        "regions": ["MK10", "MK15"], "capacity": 10,
        "accessibility": "Träffar på distans. Hörslinga.",
        "contact": "Mikael Sandvik, 050 555 0404"}),
    ("ngo-nuorisoverstas", "submitted", "Nuorisoverstas: seteli töihin", {
        "service": "Pajatyötä ja valmennusta, josta jatketaan töihin tai koulutukseen.",
        "method": "Työpajajakso ja henkilökohtainen valmentaja.",
        "languages": ["fi"], "locations": "Savonlinna", "regions": ["MK10"], "capacity": 12,
        "accessibility": "Esteetön paja.", "contact": "Nuorisoverstas, 040 555 0505"}),
    ("ngo-pirkan-polku", "draft", "Pirkan Polku: palveluseteli", {
        "service": "Luonnos: työnhakuvalmennus.", "method": "", "languages": ["fi"],
        "locations": "", "regions": ["MK06"], "capacity": None, "accessibility": "",
        "contact": ""}),
]

OUTCOME_DRAFT = {"lead": "staffing-kiito", "project_name": "Tulosta Etelä-Savoon",
                 "counts": (12, 2, 4)}


def _owner(organisation):
    return next(m.user for m in organisation.memberships if m.role == Role.owner)


def _existing(session: Session, call, organisation, name: str) -> bool:
    return session.scalar(select(Application.id).where(
        Application.call_id == call.id, Application.organisation_id == organisation.id,
        Application.project_name == name)) is not None


def _draft(session: Session, ctx, call, organisation, name: str) -> Application:
    writer = _owner(organisation)
    application = Application(call=call, organisation=organisation, project_name=name,
                              created_by_id=writer.id, created_at=call.opens_at + timedelta(days=2),
                              updated_at=call.opens_at + timedelta(days=3), **TEXTS)
    application.start_date = (call.closes_at + timedelta(days=30)).date()
    application.end_date = (call.closes_at + timedelta(days=30 + 365)).date()
    (application.target_participants, application.target_employed,
     application.target_business_started, application.target_in_education) = (40, 16, 1, 4)
    session.add(application)
    return application


def _providers(session: Session, ctx, call) -> int:
    created = 0
    for key, state, name, offer in PROVIDERS:
        organisation = ctx.organisation(key)
        if _existing(session, call, organisation, name):
            continue
        application = _draft(session, ctx, call, organisation, name)
        application.voucher_offer = VoucherOffer(**offer)
        application.summary = offer["service"]
        application.support_cents = 0
        if state != "draft":
            submitted = call.opens_at + timedelta(days=4 + created)
            session.flush()
            calls_data._revise(session, application, _owner(organisation), "submission",
                               submitted)
            application.state = ApplicationState.submitted
            application.updated_at = submitted
        if state == "approved":
            application.state = ApplicationState.approved
            application.granted_cents = 0
            application.decided_at = application.submitted_at + timedelta(days=5)
            application.authority_name = call.authority_label
            application.decision_justification = (
                "Palveluntuottaja täyttää palvelusetelikokeilun ehdot: palvelu on kuvattu "
                "selkokielellä, ja sen saavutettavuus ja kapasiteetti on kerrottu.")
            application.updated_at = application.decided_at
        created += 1
    return created


def _outcome(session: Session, ctx, call, new: bool) -> int:
    created = 0
    if new and not call.fees:
        for position, (kind, label, months, fee, stages) in enumerate(FEE_TABLE, start=1):
            call.fees.append(OutcomeFee(position=position, outcome_type=kind, label=label,
                                        min_months=months, fee_cents=fee,
                                        stages=[dict(stage) for stage in stages]))
            created += 1
        session.flush()
    organisation = ctx.organisation(OUTCOME_DRAFT["lead"])
    if _existing(session, call, organisation, OUTCOME_DRAFT["project_name"]) or not call.fees:
        return created
    application = _draft(session, ctx, call, organisation, OUTCOME_DRAFT["project_name"])
    application.summary = ("Tulosperusteinen työllistämispalvelu pitkään työttömänä olleille: "
                           "palkkio maksetaan vain toteutuneista tuloksista.")
    for fee, count in zip(call.fees, OUTCOME_DRAFT["counts"], strict=False):
        application.outcome_plans.append(OutcomePlan(fee=fee, count=count))
    session.flush()
    application.support_cents = outcomes.budget_of(application).total_cents
    return created + 1


def seed_funding_models(session: Session, ctx) -> int:
    """The voucher pilot with its providers and the open outcome-based call with a draft
    outcome plan; returns the rows made (0 on a second run)."""
    created = 0
    call, new = calls_data._call(session, ctx, VOUCHER_CALL)
    ctx.calls[VOUCHER_CALL["key"]] = call
    if new:
        call.voucher_value_cents, call.service_months = 2_400_00, 4
        call.voucher_target_groups = ["long_term_unemployed", "over_50"]
        call.authority_name = call.organisation.name
        ctx.new_calls.add(VOUCHER_CALL["key"])
        created += 1
    session.flush()
    created += _providers(session, ctx, call)
    call, new = calls_data._call(session, ctx, OUTCOME_CALL)
    ctx.calls[OUTCOME_CALL["key"]] = call
    if new:
        call.authority_name = call.organisation.name
        ctx.new_calls.add(OUTCOME_CALL["key"])
        created += 1
    session.flush()
    created += _outcome(session, ctx, call, new)
    session.flush()
    return created
