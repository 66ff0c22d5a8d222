"""Demo calls and applications, declared as plain data, and the seed step that adds them.

Everything is invented for the demo. Times are relative to the moment of seeding (an open call
stays open for weeks after `make run`), amounts are integer cents. Rows are created directly,
without the services, so no mail is sent; revisions are real snapshots (app.applications.revisions).
The applications stop at submission (or an information request): their review, in the open call
and in the closed one, and the closed call's decisions go through the review services in the
next step (app/demo/reviews_data.py).
The step is idempotent: calls are matched by ELY-centre and Finnish title, applications by call,
lead organisation and project name.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import (
    Application,
    ApplicationPartner,
    ApplicationPractice,
    ApplicationRevision,
    ApplicationState,
    OutcomePlan,
    PartnerKind,
    StaffCostKind,
    StaffLine,
)
from app.applications.revisions import snapshot
from app.calls.models import (
    Call,
    CallDocument,
    CallInfoSession,
    CallState,
    Criterion,
    CriterionKind,
    Filing,
    FundingModel,
)
from app.demo.data import DOMAIN
from app.organisations.models import Role
from app.organisations.partnership import PartnerState
from app.practices.models import Practice, PracticeState

THEME = "Uusia työmahdollisuuksia työpaikkoja kehittämällä"
CRITERIA = [
    ("general", "Hakija ja hanke täyttävät rahoituksen yleiset edellytykset", 0,
     "Hakija on rahoituskelpoinen, hanke sopii ohjelmaan ja rahoitussuunnitelma on kunnossa."),
    ("content", "Toimintamallin toteutettavuus ja realistisuus", 30,
     "Onko menetelmä kuvattu vaiheittain ja ovatko resurssit ja aikataulu realistisia?"),
    ("content", "Tavoitteet ja tulokset", 25,
     "Ovatko tavoitteet mitattavia ja onko tulosten seuranta suunniteltu?"),
    ("call_specific", "Työpaikkalähtöisyys ja työnantajayhteistyö", 25,
     "Kehitetäänkö työtehtäviä ja työyhteisöjä yhdessä työnantajien kanssa?"),
    ("horizontal", "Yhdenvertaisuus, saavutettavuus ja kestävä kehitys", 10,
     "Miten hanke edistää sukupuolten tasa-arvoa, yhdenvertaisuutta ja saavutettavuutta?"),
    ("content", "Tulosten levittäminen", 10,
     "Miten toimintamalli tuotteistetaan ja levitetään muille toimijoille?"),
]

CALLS: list[dict] = [
    {
        "key": "open", "ely": "ely-etela-savo",
        "title_fi": "Uusia työmahdollisuuksia työpaikkoja kehittämällä – Etelä-Savo 2026",
        "title_sv": "Nya arbetsmöjligheter genom att utveckla arbetsplatser – Södra Savolax 2026",
        "title_en": "New job opportunities by developing workplaces – South Savo 2026",
        "description_fi": (
            "Haemme kokeiluja, joissa työpaikkoja ja työtehtäviä kehitetään niin, että "
            "osatyökykyiset, pitkään työttömänä olleet ja muut heikommassa asemassa olevat "
            "työnhakijat pääsevät töihin.\n\n"
            "Rahoitettavissa hankkeissa työnantajat ovat mukana alusta asti. Tuloksena syntyy "
            "toimintamalli, jonka muut alueen toimijat voivat ottaa käyttöön."),
        # Less than the applications in review ask for: the ranking's budget line falls
        # inside the list (app/demo/reviews_data.py).
        "opens": -20, "closes": 25, "budget": 750_000_00, "max_support": 80,
        "eligible": ["ngo", "staffing_firm", "employment_area", "education"],
        "model": "grant",
        # National (its applicants come from several regions), with a contact person, the call
        # notice and two information sessions (one past, one coming).
        "contact": ("Kaisa Rahkonen", "kaisa.rahkonen@" + DOMAIN, "+358 29 502 4100"),
        "notice": True, "sessions": [(-10, "Mikkeli, Maaherrankatu 16", ""),
                                     (5, "", "https://teams.example.fi/esr-infotilaisuus")],
    },
    {
        "key": "upcoming", "ely": "ely-pirkanmaa",
        "title_fi": "Osatyökykyisten työllistymisen tulosperusteinen kokeilu – Pirkanmaa",
        "title_en": "Outcome-based employment pilot for people partially able to work – Pirkanmaa",
        "description_fi": (
            "Palveluntuottajalle maksetaan palkkio jokaisesta työsuhteesta, joka kestää "
            "vähintään kuusi kuukautta, tai aloitetusta yritystoiminnasta."),
        "opens": 14, "closes": 60, "budget": 900_000_00, "max_support": 90,
        "eligible": ["ngo", "staffing_firm"], "model": "outcome_based",
        "fee": 3_500_00, "min_months": 6,
        "regions": ["MK06", "MK05"],
        "contact": ("Jari Lehtinen", "jari.lehtinen@" + DOMAIN, ""),
        "sessions": [(20, "Tampere, Yliopistonkatu 38", "")],
    },
    {
        # Filed in EURA 2021: applicants prepare it here with partners and export it.
        "key": "eura", "ely": "ely-etela-savo",
        "title_fi": "Työllisyysalueiden ja järjestöjen yhteiset polut – Savo 2026 (EURA 2021)",
        "title_sv": "Gemensamma vägar för sysselsättningsområden och organisationer – Savolax 2026",
        "description_fi": (
            "Haku yhteishankkeille, joissa työllisyysalueet, kunnat ja järjestöt kehittävät "
            "yhdessä osatyökykyisten polkuja töihin. Virallinen hakemus jätetään EURA 2021 "
            "-järjestelmään; Kohtaamossa löydetään osatoteuttajat ja valmistellaan hakemus."),
        "opens": -5, "closes": 50, "budget": 1_200_000_00, "max_support": 80,
        "eligible": ["ngo", "education", "municipality", "employment_area"], "model": "grant",
        "regions": ["MK10", "MK11"], "filing": "eura2021",
        "shares": {"municipality": 70, "employment_area": 70},
        "contact": ("Kaisa Rahkonen", "kaisa.rahkonen@" + DOMAIN, "+358 29 502 4100"),
        "notice": True, "sessions": [(10, "", "https://teams.example.fi/eura-infotilaisuus")],
    },
    {
        "key": "closed", "ely": "ely-etela-savo",
        "title_fi": "Nuorten työelämäpolut 2025",
        "description_fi": (
            "Haku nuorten työllistymistä tukeville kokeiluille, joissa työpajat, oppilaitokset "
            "ja työnantajat rakentavat yhdessä polkuja työelämään."),
        # Enough for the two best-scored applications, the second only in part.
        "opens": -130, "closes": -40, "budget": 300_000_00, "max_support": 75,
        "eligible": ["ngo", "education", "employment_area"], "model": "grant",
    },
]


def _person(local: str) -> str:
    return f"{local}@{DOMAIN}"


def _monthly(role, months, fte, salary):
    return {"role": role, "kind": "monthly", "months_centi": months * 100, "fte_centi": fte * 100,
            "monthly_salary_cents": salary * 100}


def _hourly(role, hours, fte, annual):
    """An hourly line: `hours` a person of `fte` % works (at most 1 720 h x FTE a year)."""
    return {"role": role, "kind": "hourly", "hours_centi": hours * 100, "fte_centi": fte * 100,
            "annual_salary_cents": annual * 100}


def _texts(need, group, method, employers, results, spread, horizontal):
    return {"background": need, "target_group": group, "method": method,
            "employer_cooperation": employers, "expected_results": results,
            "dissemination": spread, "horizontal_principles": horizontal}


APPLICATIONS: list[dict] = [
    {
        "call": "open", "lead": "ngo-savon-tyovalmennus", "writer": _person("mikko.partanen"),
        "state": "submitted", "submitted": -3,
        "project_name": "Työpaikat mukaan – osatyökykyisten polku Etelä-Savossa",
        "summary": "Kehitämme kymmenen eteläsavolaisen työpaikan tehtäviä yhdessä "
                   "työnantajien kanssa ja valmennamme 60 osatyökykyistä työnhakijaa niihin.",
        **_texts(
            "Etelä-Savossa on yli 1 500 osatyökykyistä työnhakijaa, ja samaan aikaan "
            "konepajat ja hoiva-ala kärsivät työvoimapulasta.",
            "Osatyökykyiset työnhakijat, jotka Mikkelin seudun työllisyysalue ohjaa "
            "valmentajille. Mukaan tullaan myös järjestöjen kautta.",
            "1. Työpaikan tehtävien kartoitus\n2. Tehtävien muokkaus\n3. Työhönvalmennus\n"
            "4. Tuki ensimmäiset kuusi kuukautta",
            "Saimaan Konepaja Oy ja yhdeksän muuta työnantajaa sitoutuvat tehtävien "
            "muokkaukseen ja työpaikkaohjaajan nimeämiseen.",
            "60 osallistujaa, joista 24 työllistyy ja 8 aloittaa koulutuksen.",
            "Malli julkaistaan Kohtaamossa ja esitellään alueen työllisyysfoorumissa.",
            "Tehtävien muokkaus parantaa saavutettavuutta; seuraamme tuloksia "
            "sukupuolen mukaan."),
        "duration": (60, 790), "targets": (60, 24, 2, 8),
        "lines": [_monthly("Projektipäällikkö", 24, 100, 4_100),
                  _monthly("Työhönvalmentaja", 24, 100, 3_400),
                  _monthly("Työhönvalmentaja", 18, 80, 3_400),
                  _monthly("Työkykyasiantuntija", 24, 10, 3_780)],
        "own_percent": 20,
        # Cooperation partners (yhteistyökumppanit): they take no money from the project.
        "partners": [("employer-saimaan-konepaja", "accepted", "Tarjoaa työpaikat ja "
                      "työpaikkaohjaajat."),
                     ("ea-mikkeli", "accepted", "Ohjaa osallistujat ja seuraa tuloksia.")],
        "practices": ["tyotehtavien-muokkaus", "kummityontekija-konepajassa"],
    },
    {
        "call": "open", "lead": "ea-mikkeli", "writer": _person("janne.karhu"),
        "state": "submitted", "submitted": -12,
        "project_name": "Työkykykoordinaattori yrityksiin",
        "summary": "Työkykykoordinaattori auttaa pk-yrityksiä löytämään tehtävät, joihin "
                   "osatyökykyinen työnhakija voidaan palkata.",
        **_texts("Pienillä yrityksillä ei ole aikaa räätälöidä tehtäviä.",
                 "Osatyökykyiset asiakkaat, joilla on työkykyarvio.",
                 "Koordinaattori tekee yrityskäynnit ja laatii tehtäväkuvat.",
                 "Yrittäjäjärjestö mukana ohjausryhmässä.",
                 "40 osallistujaa, 15 työllistyy.",
                 "Kuntien työllisyyspalveluiden verkosto.",
                 "Saavutettavat tehtäväkuvat ja selkokieliset materiaalit."),
        "duration": (45, 775), "targets": (40, 15, 0, 3),
        # The hourly unit cost (annual salary costs / 1 720 h) for every line.
        "lines": [_hourly("Työkykykoordinaattori", 3_300, 100, 46_800),
                  _hourly("Palkkatukiasiantuntija", 200, 10, 48_000)],
        "own_percent": 10, "municipal_percent": 10,
    },
    {
        "call": "open", "lead": "staffing-tyovoima-saimaa", "writer": _person("hanna.leinonen"),
        "state": "draft",
        "project_name": "Rekrytointisilta",
        "summary": "Lyhyet rekrytointikoulutukset yrityksen omiin tarpeisiin.",
        **_texts("Yritykset eivät löydä osaajia.", "", "", "", "", "", ""),
        "lines": [_monthly("Rekrytointikoordinaattori", 12, 60, 3_600)],
        "partners": [("staffing-kiito", "invited", "Tuo mukaan omat asiakasyrityksensä.")],
    },
    {
        "call": "open", "lead": "education-jarvi-savo", "writer": _person("tero.savolainen"),
        "state": "more_info_requested", "submitted": -9,
        "project_name": "Oppisopimuksella töihin – osatyökykyisten koulutuspolku",
        "summary": "Räätälöidyt oppisopimuskoulutukset osatyökykyisille yhdessä työnantajien "
                   "kanssa.",
        **_texts("Oppisopimus sopii harvoin osatyökykyiselle sellaisenaan.",
                 "Osatyökykyiset aikuiset, ohjaus työllisyysalueelta.",
                 "Yksilöllinen opintopolku ja työpaikkaohjaajan koulutus.",
                 "Kuusi yritystä mukana.", "25 osallistujaa, 12 tutkinnon osaa.",
                 "Oppilaitosverkosto.", "Esteettömät oppimisympäristöt."),
        "duration": (90, 820), "targets": (25, 10, 0, 20),
        "lines": [_monthly("Koulutussuunnittelija", 24, 50, 3_800),
                  _monthly("Työpaikkaohjaajien kouluttaja", 12, 40, 3_700)],
        "own_percent": 20,
        "info_request": "Täsmentäkää, montako työpaikkaohjaajaa koulutetaan ja miten heidän "
                        "työaikansa korvataan työnantajille.",
    },
    {
        # Supplemented (through the services) after its reviewers scored it: they see what
        # changed since (app/demo/reviews_data.py).
        "call": "open", "lead": "staffing-kiito", "writer": _person("satu.ojanen"),
        "state": "more_info_requested", "submitted": -15,
        "info_request": "Tarkistakaa rahoitussuunnitelma: omarahoitusosuus on liian pieni.",
        "project_name": "Työkokeilusta palkkatyöhön",
        "summary": "Henkilöstöpalveluyritys rakentaa työkokeilun jatkoksi palkkatyöpolun.",
        **_texts("Työkokeilut päättyvät liian usein ilman jatkoa.",
                 "Pitkään työttömänä olleet ja osatyökykyiset.",
                 "Työkokeilu, palkkatuki ja vuokratyö yhdeksi poluksi.",
                 "Asiakasyritykset sitoutuvat palkkaamaan.", "30 työllistyy.",
                 "Alan järjestön kautta.", "Tasa-arvo rekrytoinneissa."),
        "duration": (60, 700), "targets": (50, 30, 0, 2),
        "lines": [_monthly("Palvelupäällikkö", 20, 100, 4_300),
                  _monthly("Rekrytoija", 20, 100, 3_300)],
        "own_percent": 20,
        "supplement": {"background": "Työkokeilut päättyvät liian usein ilman jatkoa: "
                                     "vuonna 2025 vain joka viides johti työsuhteeseen.",
                       "own_percent": 25},
    },
    {
        "call": "open", "lead": "ngo-savon-tyovalmennus", "writer": _person("sanna.hyvarinen"),
        "state": "draft",
        "project_name": "Kesäduunikummit Mikkelin seudulle",
        "summary": "Nuorten kesätyöt kummin tuella.",
        **_texts("Nuorten kesätyöpaikkoja on vähän.", "15–19-vuotiaat.", "", "", "", "", ""),
        "lines": [],
        "practices": ["kesaduunikummit"],
    },
    {
        "call": "open", "lead": "ngo-uudenmaan-tyopolku", "writer": _person("laura.nurmela"),
        "state": "submitted", "submitted": -10,
        "project_name": "Osaajapolku – maahan muuttaneet asiantuntijat töihin",
        "summary": "Mentorointia ja ammattikielen opintoja korkeasti koulutetuille maahan "
                   "muuttaneille pääkaupunkiseudulla.",
        **_texts("Koulutusta vastaavaa työtä on vaikea löytää ilman verkostoja.",
                 "Korkeasti koulutetut maahan muuttaneet Helsingissä, Espoossa ja Vantaalla.",
                 "Mentorointiryhmät, ammattikielen opinnot ja työnantajatapaamiset.",
                 "Kymmenen pääkaupunkiseudun asiantuntijayritystä tarjoaa mentorit.",
                 "60 osallistujaa, 25 työllistyy koulutustaan vastaavaan työhön.",
                 "Avoimet materiaalit ja mentorointiopas.",
                 "Yhdenvertaisuus rekrytoinneissa ja saavutettavat materiaalit."),
        "duration": (30, 760), "targets": (60, 25, 0, 10),
        "lines": [_monthly("Projektipäällikkö", 24, 100, 3_600),
                  _monthly("Mentoroinnin koordinaattori", 12, 50, 3_400)],
        "own_percent": 20,
    },
    {
        "call": "open", "lead": "staffing-tyovoima-saimaa", "writer": _person("hanna.leinonen"),
        "state": "submitted", "submitted": -7,
        "project_name": "Hoiva-avustajaksi työkokeilun kautta",
        "summary": "Pitkään työttömänä olleet ja yli 50-vuotiaat hoiva-avustajiksi "
                   "työkokeilun, lyhyen koulutuksen ja palkkatuen avulla.",
        **_texts("Etelä-Savon hoivakodeissa on pulaa avustavasta henkilöstöstä.",
                 "Pitkään työttömänä olleet ja yli 50-vuotiaat työnhakijat.",
                 "Työkokeilu hoivakodissa, hoiva-avustajan koulutus ja palkkatuettu työ.",
                 "Kuusi hoivakotia sitoutuu työkokeiluihin ja rekrytointeihin.",
                 "45 osallistujaa, 20 työllistyy hoiva-avustajaksi.",
                 "Toimintamalli julkaistaan Kohtaamossa.",
                 "Ikäsyrjinnän ehkäisy ja työpaikkojen saavutettavuus."),
        "duration": (45, 775), "targets": (45, 20, 0, 12),
        "lines": [_monthly("Projektipäällikkö", 24, 100, 3_500),
                  _monthly("Työhönvalmentaja", 20, 100, 3_200)],
        "own_percent": 20,
    },
    {
        "call": "open", "lead": "ngo-pirkan-polku", "writer": _person("antti.kallio"),
        "state": "submitted", "submitted": -6,
        "project_name": "Työnkuvat uusiksi – työn muokkaus eteläsavolaisille työpaikoille",
        "summary": "Pirkanmaalla kehitetty työn muokkauksen malli viedään Etelä-Savoon "
                   "yhdessä Savon Työvalmennuksen kanssa.",
        **_texts("Osatyökykyisille sopivia tehtäviä ei synny ilman työn muokkausta.",
                 "Osatyökykyiset ja vammaiset työnhakijat Mikkelin ja Savonlinnan seuduilla.",
                 "1. Työpaikan tehtäväanalyysi\n2. Tehtäväpaketin kokoaminen\n"
                 "3. Rekrytointi ja perehdytys\n4. Seuranta",
                 "Kaksitoista työpaikkaa sitoutuu tehtäväanalyysiin.",
                 "50 osallistujaa, 22 työllistyy muokattuihin tehtäviin.",
                 "Työpaikkaohjaajien koulutus ja alueellinen verkosto.",
                 "Saavutettavuus ja kohtuulliset mukautukset työpaikoilla."),
        "duration": (40, 770), "targets": (50, 22, 0, 4),
        "lines": [_monthly("Projektipäällikkö", 24, 100, 3_800),
                  _monthly("Työn muokkauksen asiantuntija", 24, 80, 3_300)],
        "own_percent": 20,
        "partners": [("ngo-savon-tyovalmennus", "accepted",
                      "Tuntee alueen työnantajat ja ohjaa hankkeeseen osallistujia.")],
        "practices": ["tyotehtavien-muokkaus"],
    },
    {
        # Just submitted: no reviewers yet, for the presenting officer to assign.
        "call": "open", "lead": "staffing-kiito", "writer": _person("markus.aaltonen"),
        "state": "submitted", "submitted": -1,
        "project_name": "Rekrytointikoulutuksella konepajoihin",
        "summary": "Kolmen kuukauden rekrytointikoulutus hitsaajiksi ja koneistajiksi "
                   "eteläsavolaisten konepajojen tarpeisiin.",
        **_texts("Konepajat eivät löydä hitsaajia ja koneistajia.",
                 "Pitkään työttömänä olleet ja alanvaihtajat.",
                 "Yritysten kanssa suunniteltu koulutus ja työssäoppiminen.",
                 "Neljä konepajaa valitsee osallistujat ja palkkaa koulutuksen jälkeen.",
                 "36 osallistujaa, 24 työllistyy.", "Alan yritysverkosto.",
                 "Naisten rekrytointi teknisille aloille."),
        "duration": (30, 500), "targets": (36, 24, 0, 4),
        "lines": [_monthly("Koulutuskoordinaattori", 16, 100, 3_700)],
        "own_percent": 20,
    },
    {
        # A draft in the call filed in EURA 2021: prepared here, exported in EURA's order.
        "call": "eura", "lead": "ngo-savon-tyovalmennus", "writer": _person("mikko.partanen"),
        "state": "draft",
        "project_name": "Yhteinen polku – työllisyysalue ja järjestöt osatyökykyisten tukena",
        "summary": "Mikkelin seudun työllisyysalue ja järjestöt rakentavat yhteisen polun, "
                   "jolla osatyökykyinen työnhakija saa valmennuksen ja työpaikan samasta "
                   "paikasta.",
        **_texts(
            "Osatyökykyinen työnhakija asioi nyt kolmessa paikassa, eikä kukaan vastaa "
            "kokonaisuudesta.",
            "Osatyökykyiset työnhakijat Etelä- ja Pohjois-Savossa, ohjaus työllisyysalueelta.",
            "1. Yhteinen alkukartoitus\n2. Valmennus järjestössä\n3. Työpaikkajakso\n"
            "4. Seuranta kuusi kuukautta",
            "Kahdeksan työnantajaa tarjoaa työpaikkajaksoja ja nimeää työpaikkaohjaajan.",
            "80 osallistujaa, joista 30 työllistyy ja 10 aloittaa koulutuksen.",
            "Polku kuvataan toimintamalliksi Kohtaamoon.",
            "Selkokieliset materiaalit ja esteettömät tilat; tulokset seurataan sukupuolen "
            "mukaan."),
        "duration": (45, 775), "targets": (80, 30, 2, 10),
        "lines": [_monthly("Projektipäällikkö", 24, 100, 4_000),
                  _monthly("Työhönvalmentaja", 24, 100, 3_300)],
        "own_percent": 20,
        "practices": ["tyotehtavien-muokkaus"],
    },
    {
        "call": "closed", "lead": "ngo-pirkan-polku", "writer": _person("antti.kallio"),
        "state": "submitted", "submitted": -70,
        "project_name": "Työpajoista töihin – nuorten polku",
        "summary": "Työpajanuorille jatkopolku yritysten kesäharjoitteluun ja oppisopimukseen.",
        **_texts("Työpajajaksojen jälkeen moni nuori palaa työttömäksi.",
                 "Työpajoissa olevat alle 29-vuotiaat.",
                 "Harjoittelu, työpaikkakummi ja jälkiseuranta.",
                 "Kahdeksan yritystä tarjoaa harjoittelupaikat.",
                 "45 nuorta, 18 työllistyy, 12 opiskelemaan.",
                 "Työpajayhdistyksen verkosto.", "Tyttöjen ja poikien tasapuolinen ohjaus."),
        "duration": (-30, 700), "targets": (45, 18, 1, 12),
        "lines": [_monthly("Projektikoordinaattori", 24, 100, 3_700),
                  _monthly("Nuorten valmentaja", 24, 100, 3_200)],
        "own_percent": 25,
    },
    {
        "call": "closed", "lead": "ngo-arbetsbron", "writer": _person("mikael.sandvik"),
        "state": "submitted", "submitted": -60,
        "project_name": "Ungdomar till arbetslivet i Österbotten",
        "summary": "Mentorer från arbetslivet för unga som avbrutit studierna.",
        **_texts("Många unga saknar kontakter till arbetslivet.", "Unga under 25 år.",
                 "Mentorskap och arbetsplatsbesök.", "Lokala företag som mentorer.",
                 "30 unga, 10 i arbete.", "Regionala nätverk.", "Jämställdhet och språk."),
        "duration": (0, 700), "targets": (30, 10, 0, 8),
        "lines": [_monthly("Projektledare", 24, 100, 3_800)],
        "own_percent": 25,
    },
    {
        "call": "closed", "lead": "ea-mikkeli", "writer": _person("janne.karhu"),
        "state": "submitted", "submitted": -45,
        "project_name": "Nuorten työkokeilupolku kunnan työpaikoille",
        "summary": "Alle 30-vuotiaille työkokeilu ja palkkatuettu jakso kuntien "
                   "työpaikoilla, valmentajan tuella.",
        **_texts("Kuntien työpaikat ovat jääneet nuorten työkokeiluissa vähälle käytölle.",
                 "Alle 30-vuotiaat työttömät nuoret Mikkelin seudulla.",
                 "Työkokeilu, palkkatuki ja valmentajan tuki samalla työpaikalla.",
                 "Neljä kuntaa ja seurakuntayhtymä tarjoavat työpaikat.",
                 "40 nuorta, 15 työllistyy ja 10 aloittaa opinnot.",
                 "Kuntien henkilöstöhallinnon verkosto.",
                 "Sukupuolten tasa-arvo ja saavutettavuus työpaikoilla."),
        "duration": (-20, 710), "targets": (40, 15, 0, 10),
        "lines": [_monthly("Nuorten valmentaja", 24, 100, 3_600),
                  _monthly("Työnantajakoordinaattori", 18, 80, 3_300)],
        "own_percent": 25,
    },
    {
        "call": "closed", "lead": "education-jarvi-savo", "writer": _person("tero.savolainen"),
        "state": "submitted", "submitted": -55,
        "project_name": "Oppisopimuspolku nuorille",
        "summary": "Nuorille oppisopimuspaikka ja tukijakso ennen oppisopimusta.",
        **_texts("Moni nuori keskeyttää oppisopimuksen ensimmäisten kuukausien aikana.",
                 "Alle 25-vuotiaat ilman toisen asteen tutkintoa.",
                 "Kahden kuukauden valmentava jakso ja tuki oppisopimuksen alussa.",
                 "Kymmenen yritystä tarjoaa oppisopimuspaikat.",
                 "30 nuorta, 20 oppisopimusta.",
                 "Oppilaitosten verkosto.",
                 "Tasa-arvo ja esteettömät oppimisympäristöt."),
        "duration": (-10, 720), "targets": (30, 10, 0, 20),
        "lines": [_monthly("Oppisopimusvalmentaja", 24, 100, 3_500),
                  _monthly("Koulutussuunnittelija", 12, 50, 3_800)],
        "own_percent": 25,
    },
    {
        "call": "closed", "lead": "ngo-uudenmaan-tyopolku", "writer": _person("ahmed.farah"),
        "state": "withdrawn", "submitted": -50,
        "project_name": "Mentoring circles for young professionals",
        "summary": "Peer mentoring circles for young immigrants with a degree.",
        **_texts("Highly educated immigrants struggle to find work matching their skills.",
                 "Young professionals with a foreign degree.", "Mentoring circles.",
                 "Employers host the circles.", "20 employed.", "Open materials.",
                 "Equal opportunities."),
        "duration": (0, 365), "targets": (40, 20, 0, 5),
        "lines": [_monthly("Coordinator", 12, 100, 3_500)],
        "own_percent": 25,
    },
]


def _helsinki_day(now: datetime, days: int, hour: int) -> datetime:
    from zoneinfo import ZoneInfo

    helsinki = ZoneInfo("Europe/Helsinki")
    day = (now.astimezone(helsinki) + timedelta(days=days)).date()
    return datetime.combine(day, time(hour), tzinfo=helsinki).astimezone(UTC)


def _call(session: Session, ctx, spec: dict) -> tuple[Call, bool]:
    ely = ctx.organisation(spec["ely"])
    found = session.scalar(select(Call).where(Call.organisation_id == ely.id,
                                              Call.title_fi == spec["title_fi"]))
    if found is not None:
        return found, False
    opens = _helsinki_day(ctx.now, spec["opens"], 9)
    call = Call(
        organisation=ely, state=CallState.published,
        title_fi=spec["title_fi"], title_sv=spec.get("title_sv", ""),
        title_en=spec.get("title_en", ""), description_fi=spec["description_fi"], theme=THEME,
        opens_at=opens, closes_at=_helsinki_day(ctx.now, spec["closes"], 16),
        total_budget_cents=spec["budget"], max_support_percent=spec["max_support"],
        eligible_types=spec["eligible"], funding_model=FundingModel(spec["model"]),
        outcome_fee_cents=spec.get("fee"), min_employment_months=spec.get("min_months"),
        report_interval_months=6, final_report=True,
        regions=spec.get("regions", []), support_percent_by_type=spec.get("shares", {}),
        filing=Filing(spec.get("filing", "platform")),
        contact_name=spec.get("contact", ("", "", ""))[0],
        contact_email=spec.get("contact", ("", "", ""))[1],
        contact_phone=spec.get("contact", ("", "", ""))[2],
        created_at=opens - timedelta(days=30), updated_at=opens - timedelta(days=14),
        published_at=opens - timedelta(days=14),
    )
    for position, (kind, title, weight, guidance) in enumerate(CRITERIA, start=1):
        call.criteria.append(Criterion(kind=CriterionKind(kind), title=title, weight=weight,
                                       guidance=guidance, position=position))
    for days, place, url in spec.get("sessions", []):
        starts = _helsinki_day(ctx.now, days, 13)
        call.info_sessions.append(CallInfoSession(
            starts_at=starts, ends_at=starts + timedelta(hours=1, minutes=30), place=place,
            url=url, description="Haun esittely ja kysymyksiä hakijoilta."))
    if spec.get("notice"):
        call.documents.append(_notice(call))
    session.add(call)
    return call, True


def notice_pdf(title: str) -> bytes:
    """A small valid one-page PDF (the demo's call notice), with its cross-reference table."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 60 780 Td (Hakuilmoitus) Tj 0 -24 Td /F1 10 Tf (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
            "%%EOF\n").encode()
    return bytes(out)


def _notice(call: Call) -> CallDocument:
    """The call notice as a stored upload, checked like any other (app.core.uploads)."""
    import io

    from werkzeug.datastructures import FileStorage

    from app.core.uploads import store_upload, validate_upload

    upload = FileStorage(io.BytesIO(notice_pdf(call.title_fi)), filename="hakuilmoitus.pdf",
                         content_type="application/pdf")
    checked = validate_upload(upload)
    return CallDocument(kind="notice", title="Hakuilmoitus", language="fi",
                        filename=checked.filename, stored_name=store_upload(checked, upload),
                        content_type=checked.content_type, size=checked.size,
                        sha256=checked.sha256)


def fund(application: Application, own_percent: int, municipal_percent: int = 0) -> None:
    """The funding plan: own (and municipal) funding in percent, the rest is support."""
    from app.applications import sections

    total = sections.totals(application).total_cents
    # Rounded up, so that the support (the rest) never passes the call's maximum by a cent.
    application.own_cents = -(-total * own_percent // 100)
    application.municipal_cents = -(-total * municipal_percent // 100)
    application.support_cents = total - application.own_cents - application.municipal_cents
    application.other_public_cents = application.private_cents = 0


def _revise(session, application, user, kind: str, at: datetime) -> None:
    application.revision_count += 1
    session.add(ApplicationRevision(application_id=application.id,
                                    number=application.revision_count, kind=kind,
                                    content=snapshot(application), created_by_id=user.id,
                                    created_at=at))
    application.submitted_at = at
    application.first_submitted_at = application.first_submitted_at or at


def _application(session: Session, ctx, call: Call, spec: dict) -> Application:
    lead = ctx.organisation(spec["lead"])
    writer = ctx.user(spec["writer"])
    texts = {name: spec[name] for name in ("summary", "background", "target_group", "method",
                                            "employer_cooperation", "expected_results",
                                            "dissemination", "horizontal_principles")}
    application = Application(call=call, organisation=lead, project_name=spec["project_name"],
                              created_by_id=writer.id, created_at=call.opens_at, **texts)
    session.add(application)
    if "duration" in spec:
        application.start_date = (call.closes_at + timedelta(days=spec["duration"][0])).date()
        application.end_date = (call.closes_at + timedelta(days=spec["duration"][1])).date()
    if "targets" in spec:
        (application.target_participants, application.target_employed,
         application.target_business_started, application.target_in_education) = spec["targets"]
    for position, line in enumerate(spec["lines"], start=1):
        application.staff_lines.append(StaffLine(position=position, **{
            **line, "kind": StaffCostKind(line["kind"])}))
    # One staff-cost model per application: the one of its lines.
    application.staff_cost_model = StaffCostKind(
        spec["lines"][0]["kind"] if spec["lines"] else "monthly")
    if "own_percent" in spec:
        fund(application, spec["own_percent"], spec.get("municipal_percent", 0))
    if "outcomes" in spec:  # outcome-based: {fee-table row: count}; the fee budget is the support
        application.outcome_plans = [OutcomePlan(fee=call.fees[row], count=count)
                                     for row, count in spec["outcomes"].items()]
        application.support_cents = sum(call.fees[row].fee_cents * count
                                        for row, count in spec["outcomes"].items())
    # (organisation, state, role[, kind]): a cooperation partner unless the kind is given
    # (a co-implementer's part is seeded by app/demo/group_data.py)
    for key, state, role, *kind in spec.get("partners", []):
        partner = ctx.organisation(key)
        application.partners.append(ApplicationPartner(
            organisation=partner, state=PartnerState(state), role_description=role,
            kind=PartnerKind(kind[0] if kind else PartnerKind.cooperation),
            invited_by_id=writer.id, responded_at=None if state == "invited" else call.opens_at,
            responded_by_id=None if state == "invited" else next(
                m.user_id for m in partner.memberships if m.role == Role.owner)))
    for slug in spec.get("practices", []):
        practice = session.scalar(select(Practice).where(
            Practice.external_id == f"demo-{slug}", Practice.state == PracticeState.published))
        if practice is not None:
            application.practice_links.append(ApplicationPractice(practice=practice))
    _advance(session, ctx, call, application, spec, writer)
    application.updated_at = application.submitted_at or call.opens_at + timedelta(days=3)
    return application


def _advance(session, ctx, call, application, spec, writer) -> None:
    state = spec["state"]
    if state == "draft":
        return
    submitted = max(call.opens_at + timedelta(days=2),
                    min(ctx.now, call.closes_at) + timedelta(days=spec["submitted"]))
    session.flush()
    _revise(session, application, writer, "submission", submitted)
    application.state = ApplicationState.submitted
    if state == "withdrawn":
        application.state = ApplicationState.draft
        application.withdrawn_at = submitted + timedelta(days=6)
    elif state in ("more_info_requested", "supplemented"):
        application.state = ApplicationState.more_info_requested
        application.info_request = spec.get("info_request", "Täsmentäkää budjettia.")
        application.info_requested_at = submitted + timedelta(days=4)
        application.info_deadline = _helsinki_day(ctx.now, 10, 16)
        if state == "supplemented":
            change = dict(spec["supplement"])
            own = change.pop("own_percent")
            for name, value in change.items():
                setattr(application, name, value)
            fund(application, own)
            _revise(session, application, writer, "supplement", submitted + timedelta(days=7))
            application.state = ApplicationState.supplemented
    # Review and decisions go through the review services (app/demo/reviews_data.py).


def seed_calls(session: Session, ctx) -> int:
    """The demo calls and, for calls created in this run, their applications."""
    created, calls = 0, {}
    for spec in CALLS:
        call, new = _call(session, ctx, spec)
        calls[spec["key"]] = (call, new)
        ctx.calls[spec["key"]] = call
        if new:
            ctx.new_calls.add(spec["key"])
        created += int(new)
    session.flush()
    for spec in APPLICATIONS:
        call, new = calls[spec["call"]]
        exists = session.scalar(select(Application.id).where(
            Application.call_id == call.id,
            Application.organisation_id == ctx.organisation(spec["lead"]).id,
            Application.project_name == spec["project_name"]))
        if exists is None:
            _application(session, ctx, call, spec)
            created += 1
    session.flush()
    return created
