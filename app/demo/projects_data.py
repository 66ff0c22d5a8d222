"""The projects demo: funded projects in every state of their reporting, declared as plain
data, and the seed step that makes them through the real services, back-dated with their
`now=` arguments.

Two calls closed long ago feed it (their applications are created like the other demo
applications, app/demo/calls_data.py, and decided through app.reviews.services: confirming an
approved decision starts the project with its schedule, app.projects.services.start_project):

- "Työkyky työpaikoille – kehittämishaku 2025" of Pirkanmaan ELY-keskus (grant, advance
  20 %; Anu Salmela presents and follows the projects, Heikki Lähdesmäki decides), with four
  projects of NGOs whose eligibility periods are placed against the real clock:
  * Pirkan Polku ry: report 1 accepted and its payment claim approved (one line cut with a
    reason; the advance deducted from it);
  * Uudenmaan Työpolku ry: report 1 returned for correction with comments;
  * Föreningen Arbetsbron i Österbotten rf: report 1 overdue (a draft past its due date);
  * Savon Työvalmennus ry: report 1 is a draft whose period has ended and that is not due yet:
    signing in as Mikko Partanen, one writes it, claims the staff costs and submits.
- "Tulosperusteinen työllistämiskokeilu – Etelä-Savo 2025" of Etelä-Savon ELY-keskus
  (outcome-based; fee table: employment of at least six months, 30 % when it starts and
  70 % when it has lasted six months, and a business start paid at once): Työvoima Saimaa Oy's
  project, report 1 accepted with its claim approved, report 2 submitted claiming outcomes of
  both stages.

The upcoming outcome-based demo call (calls_data "upcoming") gets the same fee table, which
its call manager can still change.

The step runs for calls created in the same seed run only. The services notify people in the
app (the notices stay) and queue mail, which the step takes back out of the outbox.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.applications import workflow
from app.applications.models import Application
from app.applications.outcomes import requested_cost_cents
from app.calls.models import Call, OutcomeFee, OutcomeType
from app.core import clock
from app.core.outbox import OutboundMail
from app.demo import calls_data
from app.demo.data import DOMAIN
from app.extensions import db
from app.organisations.services import forget_memberships
from app.projects import services
from app.projects.models import Project, Report
from app.projects.schedule import add_months
from app.projects.services import LineApproval, ReportInput
from app.reviews import services as reviews
from app.reviews.services import ProposalInput


def _person(local: str) -> str:
    return f"{local}@{DOMAIN}"


# Who to sign in as (printed by `flask demo logins`).
GRANT_OFFICER = _person("anu.salmela")
GRANT_DECIDER = _person("heikki.lahdesmaki")
OUTCOME_OFFICER = _person("juha.pesonen")
OUTCOME_DECIDER = _person("marjatta.kettunen")
WRITER_TO_FILE = _person("mikko.partanen")  # files report 1 of the running project
OBSERVER = _person("kirsi.heikkila")

FEE_TABLE = (
    (OutcomeType.employment, "Työsuhde, joka kestää vähintään 6 kk", 6, 3_000_00,
     [{"label": "Työsuhde alkaa", "percent": 30},
      {"label": "Työsuhde on kestänyt 6 kk", "percent": 70}]),
    (OutcomeType.business, "Yritystoiminta alkaa", None, 2_500_00, []),
)

CALLS: list[dict] = [
    {
        "key": "projects-grant", "ely": "ely-pirkanmaa",
        "title_fi": "Työkyky työpaikoille – kehittämishaku 2025",
        "title_en": "Work ability at workplaces – development call 2025",
        "description_fi": (
            "Rahoitamme kehittämishankkeita, joissa järjestöt ja työnantajat muokkaavat "
            "työtehtäviä ja työyhteisöjä niin, että osatyökykyiset ja pitkään työttömänä "
            "olleet pääsevät töihin.\n\nHankkeiden kustannukset ovat henkilöstökulut ja niiden "
            "päälle 40 prosentin kustannusmalli. Hankkeet raportoivat puolen vuoden välein."),
        "opens": -420, "closes": -330, "budget": 1_200_000_00, "max_support": 80,
        "eligible": ["ngo", "education", "employment_area"], "model": "grant",
        "advance_percent": 20, "officer": GRANT_OFFICER, "decider": GRANT_DECIDER,
    },
    {
        "key": "projects-outcome", "ely": "ely-etela-savo",
        "title_fi": "Tulosperusteinen työllistämiskokeilu – Etelä-Savo 2025",
        "title_en": "Outcome-based employment pilot – South Savo 2025",
        "description_fi": (
            "Palveluntuottajalle maksetaan palkkio jokaisesta vähintään kuuden kuukauden "
            "työsuhteesta (30 % työsuhteen alkaessa, 70 % kun se on kestänyt kuusi kuukautta) "
            "ja jokaisesta aloitetusta yritystoiminnasta."),
        "opens": -520, "closes": -450, "budget": 600_000_00, "max_support": 100,
        "eligible": ["ngo", "staffing_firm"], "model": "outcome_based",
        "fee": 3_000_00, "min_months": 6, "advance_percent": 0,
        "officer": OUTCOME_OFFICER, "decider": OUTCOME_DECIDER,
    },
]


def figures(started, women, ages, status, long_term, disabled, isced, foreign, referrals,
            results, followed=(0, 0, 0, 0, 0, 0)) -> dict[str, int]:
    """A report's counts from its breakdowns: `ages` (under 18, 18-29, 30-54, 55+),
    `status` (unemployed, inactive, employed), `isced` (0-2, 3-4, 5-8), `referrals`
    (referred, started, declined, no show), `results` (left, employed, of whom with a pay
    subsidy, business, education, other positive), `followed` (the same six months after)."""
    keys = {
        "ages": ("age_under_18", "age_18_29", "age_30_54", "age_55_plus"),
        "status": ("unemployed", "inactive", "employed_at_entry"),
        "isced": ("isced_0_2", "isced_3_4", "isced_5_8"),
        "referrals": ("referred", "referral_started", "referral_declined", "referral_no_show"),
        "results": ("left", "employed", "wage_subsidy", "business", "education",
                    "other_positive"),
        "followed": ("followed_6m", "employed_6m", "wage_subsidy_6m", "business_6m",
                     "education_6m", "other_positive_6m"),
    }
    counts = {"started": started, "women": women, "men": started - women, "gender_other": 0,
              "long_term_unemployed": long_term, "disabled": disabled,
              "foreign_background": foreign}
    for name, values in (("ages", ages), ("status", status), ("isced", isced),
                         ("referrals", referrals), ("results", results),
                         ("followed", followed)):
        counts.update(zip(keys[name], values, strict=True))
    return counts


def _monthly(role, months, fte, salary):
    return calls_data._monthly(role, months, fte, salary)


# Each project: its application (as in calls_data.APPLICATIONS; "start" is the first day of
# the eligibility period in months (and days) before today, the period lasts 24 months), the
# months each staff line claims in report 1, and what happens to the reports.
PROJECTS: list[dict] = [
    {
        "call": "projects-grant", "lead": "ngo-pirkan-polku", "writer": _person("antti.kallio"),
        "project_name": "Työnkuvat kuntoon – työn muokkaus pirkanmaalaisissa yrityksissä",
        "summary": "Muokkaamme kahdentoista pirkanmaalaisen yrityksen työtehtäviä yhdessä "
                   "työnantajien kanssa ja valmennamme osatyökykyisiä työnhakijoita niihin.",
        "texts": ("Pirkanmaalla on paljon osatyökykyisiä työnhakijoita, mutta yritykset eivät "
                  "tunnista heille sopivia tehtäviä.",
                  "Osatyökykyiset ja vammaiset työnhakijat Tampereen seudulla.",
                  "1. Tehtäväanalyysi\n2. Tehtäväpaketin kokoaminen\n3. Valmennus\n"
                  "4. Tuki työpaikalla",
                  "Kaksitoista yritystä sitoutuu tehtäväanalyysiin ja nimeää työpaikkaohjaajan.",
                  "60 osallistujaa, 24 työllistyy.",
                  "Malli julkaistaan Kohtaamossa ja esitellään alueen yrittäjille.",
                  "Kohtuulliset mukautukset ja saavutettavat työpaikat."),
        "targets": (60, 24, 1, 6), "start": (-9, 0),
        "lines": [_monthly("Projektipäällikkö", 24, 100, 3_800),
                  _monthly("Työn muokkauksen asiantuntija", 24, 100, 3_300)],
        "report_1": {
            "months": [600, 600], "state": "approved",
            "narrative": {
                "done": "Teimme tehtäväanalyysin kuudessa yrityksessä ja kokosimme niistä "
                        "14 tehtäväpakettia. Valmennukseen tuli 18 osallistujaa.",
                "changed": "Kaksi konepajaa palkkasi osallistujan jo valmennuksen aikana.",
                "problems": "Ohjaukset työllisyysalueelta alkoivat hitaasti.",
                "next_steps": "Tehtäväanalyysit kuudessa uudessa yrityksessä."},
            "figures": figures(18, 7, (0, 5, 10, 3), (16, 2, 0), 9, 11, (9, 7, 2), 3,
                               (23, 18, 3, 2), (6, 3, 2, 0, 1, 1)),
            # The authority approves 400 € less of the second line, with its reason.
            "cut": (1, 400_00, "Lomarahajaksotuksen osuus (400 €) ei kohdistu hankkeen "
                               "toteutusaikaan."),
        },
    },
    {
        "call": "projects-grant", "lead": "ngo-uudenmaan-tyopolku",
        "writer": _person("laura.nurmela"),
        "project_name": "Mentorista työpaikkaan – maahan muuttaneiden osaajien polku",
        "summary": "Alan asiantuntijat mentoroivat korkeasti koulutettuja maahan muuttaneita, "
                   "ja työnantajat tarjoavat harjoittelupaikkoja.",
        "texts": ("Koulutusta vastaavaa työtä on vaikea löytää ilman verkostoja.",
                  "Korkeasti koulutetut maahan muuttaneet pääkaupunkiseudulla.",
                  "Mentorointiryhmät, ammattikieli ja työnantajatapaamiset.",
                  "Kymmenen yritystä tarjoaa mentorit ja harjoittelupaikat.",
                  "50 osallistujaa, 20 työllistyy koulutustaan vastaavaan työhön.",
                  "Avoin mentorointiopas.",
                  "Yhdenvertaisuus rekrytoinneissa."),
        "targets": (50, 20, 0, 8), "start": (-7, -15),
        "lines": [_monthly("Projektipäällikkö", 24, 100, 3_600),
                  _monthly("Mentoroinnin koordinaattori", 24, 60, 3_400)],
        "report_1": {
            "months": [600, 600], "state": "returned",
            "narrative": {
                "done": "Kolme mentorointiryhmää aloitti; 15 osallistujaa sai mentorin.",
                "changed": "", "problems": "Yritysten mentoreita oli vähemmän kuin arvioimme.",
                "next_steps": "Uusi ryhmä syksyllä."},
            "figures": figures(15, 9, (0, 4, 11, 0), (12, 3, 0), 4, 1, (1, 3, 11), 15,
                               (19, 15, 2, 2), (3, 2, 0, 0, 1, 0)),
            "comments": {
                "narrative": "Kuvatkaa, miten mentorit on rekrytoitu ja kuinka monta "
                             "yritystä on mukana.",
                "claim": "Mentoroinnin koordinaattorin työaika-osuus: liittäkää "
                         "työaikaseuranta kaudelta.",
            },
        },
    },
    {
        "call": "projects-grant", "lead": "ngo-arbetsbron", "writer": _person("mikael.sandvik"),
        "project_name": "Språkbron till arbetslivet",
        "summary": "Språkstödd arbetsträning och mentorskap för inflyttade i Österbotten.",
        "texts": ("Många inflyttade saknar kontakter till arbetsgivare.",
                  "Inflyttade arbetssökande i Vasa och Jakobstad.",
                  "Arbetsträning med språkstöd och en mentor på arbetsplatsen.",
                  "Åtta arbetsgivare erbjuder arbetsträningsplatser.",
                  "40 deltagare, 15 i arbete.", "Regionala nätverk.",
                  "Jämställdhet och språklig tillgänglighet."),
        "targets": (40, 15, 0, 6), "start": (-9, -10),
        "lines": [_monthly("Projektledare", 24, 100, 3_500)],
        # Begun but never sent: overdue.
        "report_1": {"state": "draft",
                     "narrative": {"done": "Vi har startat två grupper för arbetsträning."}},
    },
    {
        "call": "projects-grant", "lead": "ngo-savon-tyovalmennus",
        "writer": WRITER_TO_FILE,
        "project_name": "Valmentaen töihin – tuettu työllistyminen Mikkelin seudulla",
        "summary": "Työhönvalmentajat tukevat osatyökykyisiä työnhakijoita ja heidän "
                   "työnantajiaan työsuhteen ensimmäiset kuukaudet (IPS).",
        "texts": ("Tuettu työllistyminen puuttuu Mikkelin seudun palveluista.",
                  "Osatyökykyiset ja mielenterveyskuntoutujat.",
                  "IPS-valmennus: nopea työnhaku ja tuki työpaikalla.",
                  "Valmentajat tapaavat työnantajia viikoittain.",
                  "45 osallistujaa, 18 työllistyy.", "IPS-verkosto.",
                  "Saavutettavuus ja yhdenvertaisuus."),
        "targets": (45, 18, 0, 5), "start": (-7, 0),
        "lines": [_monthly("Työhönvalmentaja", 24, 100, 3_300),
                  _monthly("Työhönvalmentaja", 24, 80, 3_300)],
        # The period has ended and the report is not due yet: for the demo to file by hand.
        "report_1": {"state": "empty"},
    },
    {
        "call": "projects-outcome", "lead": "staffing-tyovoima-saimaa",
        "writer": _person("hanna.leinonen"),
        "project_name": "Tulostakuu – pitkään työttömät töihin Etelä-Savossa",
        "summary": "Rekrytoimme pitkään työttömänä olleita ja yli 50-vuotiaita alueen "
                   "yrityksiin; palkkio maksetaan vain työsuhteista ja yrityksistä.",
        "texts": ("Pitkään työttömänä olleet jäävät rekrytoinneissa sivuun.",
                  "Pitkään työttömänä olleet ja yli 50-vuotiaat Etelä-Savossa.",
                  "Rekrytointivalmennus, työnantajan tuki ja seuranta kuusi kuukautta.",
                  "Kolmekymmentä asiakasyritystä.", "40 kuuden kuukauden työsuhdetta.",
                  "Alan järjestön kautta.", "Ikäsyrjinnän ehkäisy."),
        "targets": (80, 40, 3, 0), "start": (-13, -10),
        # An outcome plan instead of staff lines: 40 employments and 3 business starts.
        "lines": [], "outcomes": {0: 40, 1: 3},
        "report_1": {
            "state": "approved",
            # (fee row, stage) -> count: nine employments started and one business.
            "outcomes": {(0, 0): 9, (1, 0): 1},
            "narrative": {
                "done": "Rekrytointivalmennukseen osallistui 30 henkilöä; yhdeksän työsuhdetta "
                        "alkoi ja yksi osallistuja perusti yrityksen.",
                "changed": "", "problems": "",
                "next_steps": "Seuraamme työsuhteiden jatkumista."},
            "figures": figures(30, 12, (0, 3, 15, 12), (30, 0, 0), 22, 9, (14, 13, 3), 4,
                               (36, 30, 4, 2), (12, 9, 3, 1, 1, 1)),
        },
        "report_2": {
            "state": "submitted",
            # Eleven new employments, seven of the first nine have lasted six months, one
            # more business.
            "outcomes": {(0, 0): 11, (0, 1): 7, (1, 0): 1},
            "narrative": {
                "done": "Yksitoista uutta työsuhdetta alkoi. Ensimmäisen kauden yhdeksästä "
                        "työsuhteesta seitsemän on kestänyt kuusi kuukautta.",
                "changed": "Kaksi uutta asiakasyritystä.", "problems": "",
                "next_steps": "Työnantajakäynnit Savonlinnassa."},
            "figures": figures(26, 11, (0, 4, 12, 10), (25, 1, 0), 18, 7, (12, 11, 3), 3,
                               (31, 26, 3, 2), (16, 11, 4, 1, 2, 1), (9, 7, 2, 1, 0, 0)),
        },
    },
]


# --- the step ----------------------------------------------------------------------------------


def seed_projects(session: Session, ctx) -> int:
    """The fee table of the upcoming demo call, and the calls, applications, decisions,
    projects and reports above for the calls created in this run; returns the rows made."""
    forget_memberships()
    mail_before = session.scalar(select(func.max(OutboundMail.id))) or 0
    created = 0
    if "upcoming" in ctx.new_calls and not ctx.calls["upcoming"].fees:
        created += _add_fee_table(ctx.calls["upcoming"])
    for spec in CALLS:
        call, new = calls_data._call(session, ctx, spec)
        ctx.calls[spec["key"]] = call
        if not new:
            continue
        call.advance_percent = spec["advance_percent"]
        if call.funding_model.value == "outcome_based":
            created += _add_fee_table(call)
        session.flush()
        ctx.new_calls.add(spec["key"])
        created += 1 + _decide_call(session, ctx, call, spec)
    session.flush()
    session.execute(delete(OutboundMail).where(OutboundMail.id > mail_before))
    forget_memberships()
    return created


def _add_fee_table(call: Call) -> int:
    for position, (kind, label, months, fee, stages) in enumerate(FEE_TABLE, start=1):
        call.fees.append(OutcomeFee(position=position, outcome_type=kind, label=label,
                                    min_months=months, fee_cents=fee,
                                    stages=[dict(stage) for stage in stages]))
    return len(FEE_TABLE)


def _today(ctx) -> date:
    return clock.local_date(ctx.now)


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=clock.HELSINKI).astimezone(UTC)


def _period(ctx, spec: dict) -> tuple[date, date]:
    months, days = spec["start"]
    start = add_months(_today(ctx), months) + timedelta(days=days)
    return start, add_months(start, 24) - timedelta(days=1)


def _application_spec(ctx, call: Call, spec: dict) -> dict:
    start, end = _period(ctx, spec)
    closed = call.closes_at.date()
    return {
        "call": spec["call"], "lead": spec["lead"], "writer": spec["writer"],
        "state": "submitted", "submitted": -12, "project_name": spec["project_name"],
        "summary": spec["summary"], **calls_data._texts(*spec["texts"]),
        "duration": ((start - closed).days, (end - closed).days), "targets": spec["targets"],
        "lines": spec["lines"], "own_percent": 0 if call.max_support_percent == 100 else 20,
        **({"outcomes": spec["outcomes"]} if "outcomes" in spec else {}),
    }


def _decide_call(session: Session, ctx, call: Call, call_spec: dict) -> int:
    """Applications submitted before the close, taken into review, proposed and confirmed
    after it: each confirmation starts a project, whose reports then go their ways."""
    officer, decider = ctx.user(call_spec["officer"]), ctx.user(call_spec["decider"])
    decided = call.closes_at + timedelta(days=25)
    reviews.set_review_roles(officer, call, officer.id, decider.id,
                             call.closes_at + timedelta(days=10))
    made = 0
    for number, spec in enumerate(p for p in PROJECTS if p["call"] == call_spec["key"]):
        application = calls_data._application(session, ctx, call,
                                              _application_spec(ctx, call, spec))
        session.flush()
        workflow.start_review(officer, application, now=call.closes_at + timedelta(days=1))
        proposed = decided - timedelta(days=4) + timedelta(hours=number)
        decision = reviews.propose_decision(officer, application, _proposal(application),
                                            now=proposed)
        reviews.confirm_decision(decider, decision, now=decided + timedelta(hours=number))
        project = db.session.get(Project, application.id)
        made += 2 + len(project.reports)
        _report(ctx, project, project.reports[0], spec["report_1"], officer)
        if "report_2" in spec:
            _report(ctx, project, project.reports[1], spec["report_2"], officer)
    return made


def _proposal(application: Application) -> ProposalInput:
    total = requested_cost_cents(application)  # the fee budget in an outcome-based call
    return ProposalInput(
        approve=True, granted_cents=application.support_cents, approved_cost_cents=total,
        justification="Hakemus täyttää haun ehdot ja sai arvioinnissa hyvät pisteet: "
                      "toimintamalli on kuvattu vaiheittain ja työnantajat ovat mukana "
                      "alusta asti. Tuki myönnetään haetun suuruisena.",
        conditions="Hanke raportoi osallistujat ja tulokset kuuden kuukauden välein.")


def _report(ctx, project: Project, report: Report, spec: dict, officer) -> None:
    """Write, submit, return or accept one report and approve its claim, as `spec` says."""
    state = spec["state"]
    if state == "empty":
        return
    writer = ctx.user(next(p["writer"] for p in PROJECTS
                           if p["project_name"] == project.name))
    end = report.period_end
    if state == "draft":
        services.save_report(writer, report, ReportInput(narrative=spec["narrative"]),
                             now=_noon(end - timedelta(days=20)))
        return
    claim = services.ensure_claim(report)
    values = ReportInput(narrative=spec["narrative"], figures=spec["figures"])
    if "outcomes" in spec:
        fees = project.call.fees
        values.outcomes = {f"{fees[row].id}:{stage}": count
                           for (row, stage), count in spec["outcomes"].items()}
    if "months" in spec:
        values.claim_lines = {line.id: {"months_centi": months}
                              for line, months in zip(claim.lines, spec["months"], strict=True)}
    services.save_report(writer, report, values, now=_noon(end + timedelta(days=5)))
    services.submit_report(writer, report, now=_noon(end + timedelta(days=12)))
    if state == "returned":
        services.return_report(officer, report, spec["comments"],
                               now=_noon(end + timedelta(days=24)))
    elif state == "approved":
        services.accept_report(officer, report, now=_noon(end + timedelta(days=30)))
        approvals = {}
        if "cut" in spec:
            index, amount, reason = spec["cut"]
            line = claim.lines[index]
            approvals[line.id] = LineApproval(line.claimed_cents - amount, reason)
        services.approve_claim(officer, claim, approvals, now=_noon(end + timedelta(days=35)))


def guide() -> list[str]:
    """Who to sign in as to try the projects (printed by `flask demo logins`)."""
    return [
        "Funded projects and progress reports:",
        f"  file a report       {WRITER_TO_FILE} (report 1 of \"Valmentaen töihin\" is ready "
        "to write, claim and submit)",
        f"  handle reports      {GRANT_OFFICER} (Pirkanmaa: a returned report, an overdue one, "
        "an approved claim),",
        f"                      {OUTCOME_OFFICER} (Etelä-Savo: an outcome-based report to "
        "accept and its claim to approve)",
        f"  national observer   {OBSERVER} (reads every project, report and dashboard)",
    ]
