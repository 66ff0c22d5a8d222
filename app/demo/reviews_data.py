"""The review demo: reviewers, declarations, scores and decisions, declared as plain data, and
the seed step that makes them through the review services (app.reviews.services), back-dated
with their `now=` arguments.

Etelä-Savon ELY-keskus names Juha Pesonen presenting officer (esittelijä) and its owner
Marjatta Kettunen decision maker (ratkaisija) of both of its calls; its three reviewers are
Leena Rautiainen, Ville Tolvanen and Outi Laine.

- The open call is in review. Its applications ask for more support than the call's budget,
  so the ranking's budget line falls inside the list. The reviewers disagree (82 against 55
  on one application); Outi Laine has declared a conflict of interest on one application;
  Ville Tolvanen joined a partner organisation of another after he had been assigned to it,
  which makes him automatically conflicted there; both reviewers who scored the application
  from Uusimaa failed its general criterion (it is not aimed at the call's region), so it is
  ineligible. Leena Rautiainen still has one application to declare and score: signing in as
  her, one declares, scores with the live total, submits and then sees the others' scores.
- The closed call was reviewed by all three (balanced automatic assignment) and reviewing is
  closed. Its decisions follow the ranking: the best-scored application is granted what it
  applied for, the next one the rest of the budget, the one below the budget line and the
  ineligible one are rejected. The first two decisions are confirmed (the Swedish-speaking
  applicant's in Swedish); the partial grant waits for the decision maker and the application
  below the line for the presenting officer's proposal, so both roles have something to do.

The step runs for calls created in the same seed run only (their applications are new too).
The services notify people in the app (the notices stay) and queue mail, which the step takes
back out of the outbox: seeding the demo mails no one.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.applications import sections, workflow
from app.applications.models import Application
from app.calls.models import Call
from app.core.outbox import OutboundMail
from app.demo import calls_data
from app.demo.data import DOMAIN
from app.extensions import db
from app.organisations.models import Membership, Role
from app.organisations.services import forget_memberships
from app.reviews import permissions as perms
from app.reviews import scoring, services
from app.reviews.models import Review
from app.reviews.services import ProposalInput, ScoreInput


def _person(local: str) -> str:
    return f"{local}@{DOMAIN}"


OFFICER = _person("juha.pesonen")
DECISION_MAKER = _person("marjatta.kettunen")
LEENA = _person("leena.rautiainen")
VILLE = _person("ville.tolvanen")
OUTI = _person("outi.laine")
REVIEWERS = (LEENA, VILLE, OUTI)
# Members of applicants whose decisions are confirmed, in Finnish and in Swedish.
APPLICANT_FI = _person("antti.kallio")
APPLICANT_SV = _person("mikael.sandvik")

# Scores are given in the order of the demo calls' criteria (calls_data.CRITERIA): the general
# criterion (pass/fail), feasibility (0-5), objectives (0-5), workplace orientation (0-5),
# horizontal principles (0-3), dissemination (0-5). None: not scored yet.

_WORDS5 = ("Puuttuu.", "Heikko: kuvaus jää yleiselle tasolle.",
           "Tyydyttävä: olennaisia puutteita.", "Hyvä: kuvattu selkeästi, pieniä puutteita.",
           "Erittäin hyvä: perusteltu ja realistinen.", "Erinomainen: vakuuttava ja konkreettinen.")
_WORDS3 = ("Ei huomioitu.", "Huomioitu yleisellä tasolla.", "Huomioitu hyvin.",
           "Huomioitu erinomaisesti ja konkreettisesti.")
_GENERAL_MET = "Hakija ja hanke täyttävät rahoituksen yleiset edellytykset."
_OUTSIDE_REGION = ("Ei täyty: hanke toteutetaan pääkaupunkiseudulla eikä kohdistu haun alueeseen "
                   "(Etelä-Savo).")


def _submitted(scores, recommendation, comment, proposed_percent=None, notes=None):
    return {"state": "submitted", "scores": scores, "recommendation": recommendation,
            "proposed_percent": proposed_percent, "comment": comment, "notes": notes or {}}


# --- the open call, in review ------------------------------------------------------------------
# project name -> its reviews, assigned in this order; "state" is what the reviewer has done.

OPEN_CALL: dict[str, list[dict]] = {
    "Työkykykoordinaattori yrityksiin": [
        # Leena Rautiainen has not declared yet: the review to try by hand.
        {"reviewer": LEENA, "state": "to_declare"},
        {"reviewer": VILLE, **_submitted(
            (True, 4, 4, 4, 3, 4), "fund", "Selkeä ja toteutettava malli, jolle on tarvetta.",
            proposed_percent=100,
            notes={3: "Yrityskäynnit ja tehtäväkuvat tuovat työnantajat mukaan alusta asti."})},
        {"reviewer": OUTI, **_submitted(
            (True, 3, 2, 3, 3, 1), "fund_with_conditions",
            "Tavoitteet jäävät väljiksi ja levittäminen on suunnittelematta; rahoitettavissa "
            "ehdoin.", proposed_percent=80,
            notes={2: "15 työllistyvää 40:stä on kunnianhimoton tavoite eikä seurantaa ole "
                      "kuvattu.",
                   5: "Levittämistä ei ole suunniteltu kuntien verkostoa pidemmälle."})},
    ],
    "Työpaikat mukaan – osatyökykyisten polku Etelä-Savossa": [
        {"reviewer": LEENA, **_submitted(
            (True, 4, 4, 4, 2, 3), "fund", "Vahva työnantajayhteistyö ja realistinen "
            "toteutus.", proposed_percent=100)},
        {"reviewer": OUTI, **_submitted(
            (True, 4, 5, 4, 2, 4), "fund", "Hyvin valmisteltu hanke, jonka tulokset voidaan "
            "todentaa.", proposed_percent=100)},
        # Assigned, then joined Saimaan Konepaja Oy (a partner): automatically conflicted.
        {"reviewer": VILLE, "state": "to_declare", "joins": "employer-saimaan-konepaja"},
    ],
    # Supplemented after these reviews (SUPPLEMENTED below): they scored the first revision.
    "Työkokeilusta palkkatyöhön": [
        {"reviewer": LEENA, **_submitted(
            (True, 3, 3, 4, 2, 3), "fund_with_conditions", "Polku on hyvä, mutta budjetin "
            "henkilöstökulut on perusteltava tarkemmin.", proposed_percent=90)},
        {"reviewer": VILLE, **_submitted(
            (True, 4, 3, 4, 2, 3), "fund_with_conditions", "Toteutettavissa, kunhan "
            "omarahoitusosuus korjataan (lisätietopyyntö).", proposed_percent=90)},
        {"reviewer": OUTI, "state": "conflict", "ground": "party_or_relative",
         "note": "Lähisukulaiseni toimii hakijayrityksen johdossa."},
    ],
    "Oppisopimuksella töihin – osatyökykyisten koulutuspolku": [
        {"reviewer": LEENA, **_submitted(
            (True, 3, 3, 3, 2, 2), "fund_with_conditions", "Tarpeellinen, mutta "
            "työpaikkaohjaajien korvaukset on selvitettävä (lisätietopyyntö).",
            proposed_percent=85)},
        # Declared no conflict and began: in progress.
        {"reviewer": VILLE, "state": "in_progress", "scores": (True, 3, None, None, None, None)},
    ],
    "Osaajapolku – maahan muuttaneet asiantuntijat töihin": [
        {"reviewer": LEENA, **_submitted(
            (False, 3, 3, 2, 2, 3), "do_not_fund", "Hyvä hanke, mutta väärä haku: toiminta "
            "ei kohdistu Etelä-Savoon.", notes={0: _OUTSIDE_REGION})},
        {"reviewer": OUTI, **_submitted(
            (False, 3, 4, 2, 2, 3), "do_not_fund", "Ei rahoitettavissa tästä hausta.",
            notes={0: _OUTSIDE_REGION})},
    ],
    "Hoiva-avustajaksi työkokeilun kautta": [
        {"reviewer": VILLE, **_submitted(
            (True, 4, 4, 3, 2, 4), "fund", "Vastaa alueen hoiva-alan työvoimapulaan.",
            proposed_percent=100)},
        {"reviewer": OUTI, **_submitted(
            (True, 3, 4, 3, 2, 3), "fund_with_conditions", "Koulutuksen sisältö on "
            "täsmennettävä yhdessä hoivakotien kanssa.", proposed_percent=90)},
    ],
    "Työnkuvat uusiksi – työn muokkaus eteläsavolaisille työpaikoille": [
        {"reviewer": VILLE, **_submitted(
            (True, 5, 4, 4, 3, 4), "fund", "Koeteltu malli ja vahva paikallinen kumppani.",
            proposed_percent=100,
            notes={1: "Menetelmä on kuvattu vaiheittain ja sitä on käytetty Pirkanmaalla."})},
        {"reviewer": OUTI, **_submitted(
            (True, 4, 4, 5, 2, 4), "fund", "Työnantajat ovat mukana tehtäväanalyysistä "
            "alkaen.", proposed_percent=100)},
    ],
}


# Applications in the open call whose applicant sends the requested information after the
# reviews above (calls_data.APPLICATIONS gives the changes): a new revision to compare.
SUPPLEMENTED = ("Työkokeilusta palkkatyöhön",)


# --- the closed call, reviewed and decided -----------------------------------------------------
# project name -> reviewer -> the submitted review; every reviewer reviews every application.

CLOSED_CALL: dict[str, dict[str, dict]] = {
    "Työpajoista töihin – nuorten polku": {
        LEENA: _submitted((True, 5, 4, 4, 3, 4), "fund", "Erinomainen jatkopolku "
                          "työpajoista.", proposed_percent=100),
        VILLE: _submitted((True, 4, 4, 5, 2, 4), "fund", "Yritysharjoittelu on "
                          "sovittu valmiiksi.", proposed_percent=100),
        OUTI: _submitted((True, 4, 5, 4, 3, 3), "fund", "Selkeät ja mitattavat "
                         "tavoitteet.", proposed_percent=100),
    },
    "Nuorten työkokeilupolku kunnan työpaikoille": {
        LEENA: _submitted((True, 4, 4, 3, 2, 3), "fund", "Kuntatyöpaikat ovat hyvä "
                          "lisä nuorten polkuihin.", proposed_percent=100),
        VILLE: _submitted((True, 4, 3, 4, 2, 4), "fund_with_conditions", "Seurantaa "
                          "on täsmennettävä.", proposed_percent=90),
        OUTI: _submitted((True, 3, 4, 4, 2, 3), "fund", "Realistinen ja kohtuullinen "
                         "budjetti.", proposed_percent=100),
    },
    "Oppisopimuspolku nuorille": {
        LEENA: _submitted((True, 3, 3, 3, 2, 2), "fund_with_conditions", "Tavoitteet "
                          "jäävät yleisiksi.", proposed_percent=80),
        VILLE: _submitted((True, 3, 3, 2, 1, 3), "do_not_fund", "Työnantajien rooli jää "
                          "epäselväksi."),
        OUTI: _submitted((True, 4, 3, 3, 2, 2), "fund_with_conditions", "Tarpeellinen, "
                         "mutta kallis osallistujaa kohden.", proposed_percent=80),
    },
    "Ungdomar till arbetslivet i Österbotten": {
        reviewer: _submitted(scores, "do_not_fund", "Ei rahoitettavissa tästä hausta.",
                             notes={0: "Ei täyty: hanke toteutetaan Pohjanmaalla eikä kohdistu "
                                       "haun alueeseen (Etelä-Savo)."})
        for reviewer, scores in ((LEENA, (False, 3, 3, 3, 2, 2)),
                                 (VILLE, (False, 3, 4, 3, 2, 3)),
                                 (OUTI, (False, 4, 3, 3, 2, 3)))
    },
}

# What happens to the closed call's decisions (the outcome and amount follow the ranking):
# "confirm" (proposed and confirmed), "propose" (waiting for the decision maker); an
# application left out waits for the presenting officer's proposal. The decision is written
# in the applicant's language.
CLOSED_DECISIONS: dict[str, dict] = {
    "Työpajoista töihin – nuorten polku": {"step": "confirm", "language": "fi"},
    "Ungdomar till arbetslivet i Österbotten": {"step": "confirm", "language": "sv"},
    "Nuorten työkokeilupolku kunnan työpaikoille": {"step": "propose", "language": "fi"},
}

# Justifications that refer to the scores; filled in from the ranking's figures.
JUSTIFICATIONS = {
    ("fi", "full"): (
        "Hakemus sai valintaperusteilla keskimäärin {mean} pistettä 100:sta ({count} "
        "arviota, vaihteluväli {low}–{high}) ja sijoittui haun {rank}. sijalle. Tuki "
        "myönnetään haetun suuruisena ({granted}); se mahtuu haun talousarvioon ({budget})."),
    ("fi", "partial"): (
        "Hakemus sai valintaperusteilla keskimäärin {mean} pistettä 100:sta ({count} "
        "arviota, vaihteluväli {low}–{high}) ja sijoittui haun {rank}. sijalle. Haun "
        "talousarviosta ({budget}) on paremmin sijoittuneiden jälkeen jäljellä {granted}, "
        "joten tuki myönnetään haettua ({requested}) pienempänä ja hyväksytyt kustannukset "
        "pienenevät samassa suhteessa."),
    ("fi", "below_line"): (
        "Hakemus sai valintaperusteilla keskimäärin {mean} pistettä 100:sta ({count} "
        "arviota) ja sijoittui haun {rank}. sijalle. Paremmin pisteytetyt hakemukset "
        "käyttävät haun koko talousarvion ({budget}), joten hakemusta ei rahoiteta."),
    ("fi", "ineligible"): (
        "Hakemus ei täytä rahoituksen yleisiä edellytyksiä: {failed}/{count} arvioijaa "
        "totesi, ettei hanke kohdistu haun alueeseen. Hakemus ei siksi ole "
        "rahoituskelpoinen, eikä sitä pisteytetty muiden kanssa."),
    ("sv", "full"): (
        "Ansökan fick i medeltal {mean} poäng av 100 enligt urvalskriterierna ({count} "
        "bedömningar, variation {low}–{high}) och placerade sig på plats {rank} i "
        "utlysningen. Stödet beviljas till sökt belopp ({granted}) inom utlysningens budget "
        "({budget})."),
    ("sv", "partial"): (
        "Ansökan fick i medeltal {mean} poäng av 100 enligt urvalskriterierna ({count} "
        "bedömningar) och placerade sig på plats {rank}. Av utlysningens budget ({budget}) "
        "återstår {granted}, och stödet beviljas därför till ett lägre belopp än det sökta "
        "({requested})."),
    ("sv", "below_line"): (
        "Ansökan fick i medeltal {mean} poäng av 100 enligt urvalskriterierna ({count} "
        "bedömningar) och placerade sig på plats {rank}. Ansökningar med högre poäng "
        "använder hela utlysningens budget ({budget}), och ansökan beviljas därför inte stöd."),
    ("sv", "ineligible"): (
        "Ansökan uppfyller inte de allmänna förutsättningarna för finansiering: {failed} av "
        "{count} bedömare konstaterade att projektet genomförs i Österbotten och inte riktar "
        "sig till utlysningens område (Södra Savolax). Ansökan är därför inte "
        "stödberättigande och rangordnades inte med de övriga."),
}


# --- the step ----------------------------------------------------------------------------------


def seed_reviews(session: Session, ctx) -> int:
    """Review (and decide) the demo calls created in this run; returns the reviews and
    decisions made."""
    if not ctx.new_calls & {"open", "closed"}:
        return 0
    forget_memberships()
    mail_before = session.scalar(select(func.max(OutboundMail.id))) or 0
    created = 0
    if "open" in ctx.new_calls:
        created += _review_open_call(session, ctx, ctx.calls["open"])
    if "closed" in ctx.new_calls:
        created += _review_and_decide_closed_call(session, ctx, ctx.calls["closed"])
    # The in-app notices stay; the mail the services queued does not go out.
    session.flush()
    session.execute(delete(OutboundMail).where(OutboundMail.id > mail_before))
    forget_memberships()
    return created


def _applications(session: Session, call: Call) -> dict[str, Application]:
    return {a.project_name: a for a in session.scalars(
        select(Application).where(Application.call_id == call.id))}


def _review_open_call(session: Session, ctx, call: Call) -> int:
    officer = ctx.user(OFFICER)
    now = ctx.now
    services.set_review_roles(officer, call, officer.id, ctx.user(DECISION_MAKER).id,
                              now + timedelta(days=10))
    applications = _applications(session, call)
    assigned = now - timedelta(days=2)
    joins = []
    created = 0
    for name, plan in OPEN_CALL.items():
        application = applications[name]
        for hour, spec in enumerate(plan):
            reviewer = ctx.user(spec["reviewer"])
            review = services.assign_reviewer(officer, application, reviewer,
                                              now=assigned + timedelta(minutes=hour))
            created += 1
            _act(reviewer, review, spec, assigned + timedelta(hours=2 + hour))
            if "joins" in spec:
                joins.append((reviewer, ctx.organisation(spec["joins"])))
    for reviewer, organisation in joins:
        # After the assignment: assign_reviewer refuses members of the applicants.
        session.add(Membership(organisation=organisation, user=reviewer, role=Role.member))
    session.flush()
    for name in SUPPLEMENTED:
        _supplement(ctx, applications[name], now - timedelta(days=1))
    return created


def _supplement(ctx, application: Application, at) -> None:
    """The applicant sends what was asked (calls_data's `supplement` changes)."""
    spec = next(s for s in calls_data.APPLICATIONS if s["project_name"] == application.project_name)
    change = dict(spec["supplement"])
    own = change.pop("own_percent", None)
    for name, value in change.items():
        setattr(application, name, value)
    if own is not None:
        calls_data.fund(application, own)
    workflow.supplement_application(ctx.user(spec["writer"]), application, now=at)


def _review_and_decide_closed_call(session: Session, ctx, call: Call) -> int:
    officer, decision_maker = ctx.user(OFFICER), ctx.user(DECISION_MAKER)
    closed = call.closes_at
    services.set_review_roles(officer, call, officer.id, decision_maker.id,
                              closed + timedelta(days=10))
    result = services.auto_assign(officer, call, len(REVIEWERS), now=closed + timedelta(days=1))
    for index, review in enumerate(result.made):
        spec = CLOSED_CALL[review.application.project_name][review.reviewer.email]
        _act(review.reviewer, review, spec, closed + timedelta(days=2, hours=index))
    services.close_reviewing(officer, call, now=closed + timedelta(days=12))
    decisions = 0
    for row in ranked(call):
        plan = CLOSED_DECISIONS.get(row["application"].project_name)
        if plan is None:
            continue  # left for the presenting officer to propose
        step = plan["step"]
        proposed_at = closed + timedelta(days=15 if step == "confirm" else 36)
        decision = services.propose_decision(
            officer, row["application"], _proposal(call, row, plan["language"]),
            now=proposed_at)
        decisions += 1
        if step == "confirm":
            services.confirm_decision(decision_maker, decision,
                                      now=proposed_at + timedelta(days=3))
    return len(result.made) + decisions


def _act(reviewer, review: Review, spec: dict, at) -> None:
    """Do what the reviewer has done with the review, through the services."""
    state = spec["state"]
    if state == "to_declare":
        return
    if state == "conflict":
        services.declare(reviewer, review, True, spec["ground"], spec["note"], now=at)
        return
    services.declare(reviewer, review, False, now=at)
    application = review.application
    criteria = application.call.criteria
    scores = {}
    for criterion, value in zip(criteria, spec["scores"], strict=True):
        if value is None:
            continue
        note = spec.get("notes", {}).get(criterion.position - 1)
        if criterion.is_scored:
            words = _WORDS5 if criterion.scale_max == 5 else _WORDS3
            scores[criterion.id] = ScoreInput(score=value, comment=note or words[value])
        else:
            scores[criterion.id] = ScoreInput(passed=value, comment=note or _GENERAL_MET)
    percent = spec.get("proposed_percent")
    proposed = (application.support_cents or 0) * percent // 100 if percent else None
    services.save_review(reviewer, review, scores, spec.get("recommendation"), proposed,
                         spec.get("comment", ""), now=at + timedelta(minutes=20))
    if state == "submitted":
        services.submit_review(reviewer, review, now=at + timedelta(minutes=40))


# --- the closed call's ranking and decisions ---------------------------------------------------


def figures(application: Application) -> tuple[scoring.Aggregate, int]:
    """The application's figures over its counted reviews (submitted, reviewer not
    conflicted), and how many of them failed the general criterion."""
    specs = scoring.specs(application.call.criteria)
    counted = []
    for review in db.session.scalars(select(Review).where(
            Review.application_id == application.id).order_by(Review.id)):
        if review.is_submitted and not perms.review_is_conflicted(review):
            given = {s.criterion_id: s.score for s in review.scores}
            passed = {s.criterion_id: s.passed for s in review.scores}
            counted.append(scoring.ReviewFigures(
                scoring.weighted_total(specs, given), scoring.fails_general(specs, passed),
                str(review.recommendation) if review.recommendation else None,
                review.proposed_cents))
    return scoring.aggregate(counted), sum(1 for r in counted if r.failed_general)


def ranked(call: Call) -> list[dict]:
    """The call's reviewed applications in rank order (the eligible ones by mean, best
    first; then the ineligible ones), each with what the budget allows it: the support applied
    for while it fits, the rest of the budget for the first that does not, nothing below."""
    rows = []
    for application in db.session.scalars(select(Application).where(
            Application.call_id == call.id).order_by(Application.first_submitted_at,
                                                     Application.id)):
        result, failed = figures(application)
        if result.count:
            rows.append({"application": application, "figures": result, "failed": failed})
    eligible = [r for r in rows if not r["figures"].ineligible]
    eligible.sort(key=lambda r: -r["figures"].mean)  # stable: ties stay in submission order
    left = call.total_budget_cents or 0
    for rank, row in enumerate(eligible, start=1):
        requested = row["application"].support_cents or 0
        row["rank"] = rank
        row["granted"] = min(requested, left)
        row["kind"] = "full" if row["granted"] == requested else (
            "partial" if row["granted"] else "below_line")
        left -= row["granted"]
    ineligible = [dict(r, rank=None, granted=0, kind="ineligible")
                  for r in rows if r["figures"].ineligible]
    return eligible + ineligible


def _eur(cents: int) -> str:
    euros, cents = divmod(cents, 100)
    return f"{euros:,}".replace(",", "\u00a0") + f",{cents:02d}\u00a0€"


def _points(value) -> str:
    return str(scoring.rounded(value)).replace(".", ",")


def _proposal(call: Call, row: dict, language: str) -> ProposalInput:
    application, result = row["application"], row["figures"]
    text = JUSTIFICATIONS[language, row["kind"]].format(
        mean=_points(result.mean), low=_points(result.minimum), high=_points(result.maximum),
        count=result.count, rank=row["rank"], budget=_eur(call.total_budget_cents or 0),
        granted=_eur(row["granted"]), requested=_eur(application.support_cents or 0),
        failed=row["failed"])
    if not row["granted"]:
        return ProposalInput(approve=False, justification=text, language=language)
    total = sections.totals(application).total_cents
    requested = application.support_cents or 0
    # The approved eligible cost shrinks with the grant, so the support share stays the one
    # applied for (never above the call's maximum).
    cost = total if row["granted"] == requested else -(-row["granted"] * total // requested)
    return ProposalInput(approve=True, granted_cents=row["granted"], approved_cost_cents=cost,
                         justification=text, language=language)
