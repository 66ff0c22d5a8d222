"""The demo data, declared as plain data. `seed.py` turns it into rows.

Everything here is invented: the people, the organisations and their Business IDs (all in the
99xxxxx range, which the Finnish register has not issued). Later issues add service models,
calls and so on as further lists here and further steps in `seed.py`.

Records refer to each other by e-mail address (people) and by `key` (organisations).
"""

from __future__ import annotations

from app.organisations.business_id import check_digit

# The one password every demo account shares (see `flask demo logins`).
PASSWORD = "kohtaamo-demo-2026"  # noqa: S105 (public on purpose: demo data only)
# Where `make run` serves the site.
URL = "http://127.0.0.1:5000"
DOMAIN = "demo.kohtaamo.example"
ADMIN_EMAIL = "admin@kohtaamo.example"


def business_id(body: str) -> str:
    """A full Business ID for a seven-digit body; fails at import time on a bad body."""
    digit = check_digit(body)
    if digit is None:
        raise ValueError(f"{body} has no valid check digit; pick another body")
    return f"{body}-{digit}"


def _email(local: str) -> str:
    return f"{local}@{DOMAIN}"


# --- people --------------------------------------------------------------------------------
# name, e-mail, interface language; `admin` makes a platform administrator.

USERS: list[dict] = [
    {"email": ADMIN_EMAIL, "name": "Aila Koivisto", "language": "fi", "admin": True},
    # Etelä-Savon elinvoimakeskus
    {"email": _email("marjatta.kettunen"), "name": "Marjatta Kettunen", "language": "fi"},
    {"email": _email("juha.pesonen"), "name": "Juha Pesonen", "language": "fi"},
    {"email": _email("leena.rautiainen"), "name": "Leena Rautiainen", "language": "fi"},
    {"email": _email("ville.tolvanen"), "name": "Ville Tolvanen", "language": "fi"},
    {"email": _email("outi.laine"), "name": "Outi Laine", "language": "fi"},
    # Pirkanmaan elinvoimakeskus
    {"email": _email("heikki.lahdesmaki"), "name": "Heikki Lähdesmäki", "language": "fi"},
    {"email": _email("anu.salmela"), "name": "Anu Salmela", "language": "fi"},
    {"email": _email("petri.vuorela"), "name": "Petri Vuorela", "language": "fi"},
    # Savon Työvalmennus ry
    {"email": _email("sanna.hyvarinen"), "name": "Sanna Hyvärinen", "language": "fi"},
    {"email": _email("mikko.partanen"), "name": "Mikko Partanen", "language": "fi"},
    {"email": _email("kaisa.ruotsalainen"), "name": "Kaisa Ruotsalainen", "language": "fi"},
    # Pirkan Polku ry
    {"email": _email("riitta.hakala"), "name": "Riitta Hakala", "language": "fi"},
    {"email": _email("antti.kallio"), "name": "Antti Kallio", "language": "fi"},
    {"email": _email("noora.jokela"), "name": "Noora Jokela", "language": "fi"},
    # Föreningen Arbetsbron i Österbotten rf (Swedish-speaking)
    {"email": _email("johanna.lindqvist"), "name": "Johanna Lindqvist", "language": "sv"},
    {"email": _email("mikael.sandvik"), "name": "Mikael Sandvik", "language": "sv"},
    {"email": _email("elin.backman"), "name": "Elin Backman", "language": "sv"},
    # Uudenmaan Työpolku ry
    {"email": _email("laura.nurmela"), "name": "Laura Nurmela", "language": "fi"},
    {"email": _email("ahmed.farah"), "name": "Ahmed Farah", "language": "en"},
    # Järvi-Suomen Nuorisoverstas ry (unverified)
    {"email": _email("tiina.kauppinen"), "name": "Tiina Kauppinen", "language": "fi"},
    # Työvoima Saimaa Oy
    {"email": _email("jari.manninen"), "name": "Jari Manninen", "language": "fi"},
    {"email": _email("hanna.leinonen"), "name": "Hanna Leinonen", "language": "fi"},
    # Kiito Henkilöstöpalvelut Oy
    {"email": _email("markus.aaltonen"), "name": "Markus Aaltonen", "language": "fi"},
    {"email": _email("satu.ojanen"), "name": "Satu Ojanen", "language": "fi"},
    {"email": _email("oskari.heino"), "name": "Oskari Heino", "language": "fi"},
    # Valmennuspolku Henkilöstöpalvelut Oy (the partner finder's firm: partners_finder_data.py)
    {"email": _email("tuomas.rasanen"), "name": "Tuomas Räsänen", "language": "fi"},
    # Mikkelin seudun työllisyysalue
    {"email": _email("paivi.tuominen"), "name": "Päivi Tuominen", "language": "fi"},
    {"email": _email("janne.karhu"), "name": "Janne Karhu", "language": "fi"},
    {"email": _email("eija.pulkkinen"), "name": "Eija Pulkkinen", "language": "fi"},
    # Saimaan Konepaja Oy
    {"email": _email("kari.lyytikainen"), "name": "Kari Lyytikäinen", "language": "fi"},
    # Järvi-Savon ammattiopisto
    {"email": _email("minna.laitinen"), "name": "Minna Laitinen", "language": "fi"},
    {"email": _email("tero.savolainen"), "name": "Tero Savolainen", "language": "fi"},
    # Työ- ja elinkeinoministeriö (a national authority; Kirsi Heikkilä is a national observer)
    {"email": _email("pekka.makela"), "name": "Pekka Mäkelä", "language": "fi"},
    {"email": _email("kirsi.heikkila"), "name": "Kirsi Heikkilä", "language": "fi"},
    # Not in any organisation yet: has asked to join Savon Työvalmennus ry.
    {"email": _email("tuomas.vaisanen"), "name": "Tuomas Väisänen", "language": "fi"},
]


# --- organisations ---------------------------------------------------------------------------
# `members`: (e-mail, role) or (e-mail, role, {"call_manager": True, "reviewer": True}).
# Call roles only mean something in a funding authority, {"observer": True} in a national
# authority. The two funding authorities are elinvoimakeskukset (ELY-centres until 31.12.2025:
# their former names, and the names of their calls of the time, are in authorities_data.py).

ORGANISATIONS: list[dict] = [
    {
        "key": "ely-etela-savo",
        "name": "Etelä-Savon elinvoimakeskus",
        "business_id": business_id("9900001"),
        "type": "regional_authority", "is_funding_authority": True,
        "verified": True,
        "regions": ["MK10"],
        "target_groups": [],
        "website": "https://etela-savon-ely.example",
        "contact_email": _email("kirjaamo.etela-savo"),
        "description": (
            "Etelä-Savon elinvoimakeskus (31.12.2025 asti Etelä-Savon ELY-keskus) rahoittaa "
            "työllisyyttä edistäviä hankkeita ja palveluhankintoja maakunnassa. Avaamme "
            "hakuja, arvioimme hakemukset ja seuraamme rahoitettujen hankkeiden raportointia."
        ),
        "expertise": "Hankerahoitus, ESR+-hankkeet, tulosperusteiset hankinnat, seuranta",
        "members": [
            (_email("marjatta.kettunen"), "owner"),
            # The demo call's presenting officer (esittelijä); the owner decides (ratkaisija).
            (_email("juha.pesonen"), "editor", {"call_manager": True}),
            # The three reviewers of the demo calls (app/demo/reviews_data.py).
            (_email("leena.rautiainen"), "member", {"reviewer": True}),
            (_email("ville.tolvanen"), "member", {"reviewer": True}),
            (_email("outi.laine"), "member", {"reviewer": True}),
        ],
    },
    {
        "key": "ely-pirkanmaa",
        "name": "Pirkanmaan elinvoimakeskus",
        "business_id": business_id("9900002"),
        "type": "regional_authority", "is_funding_authority": True,
        "verified": True,
        "regions": ["MK06"],
        "target_groups": [],
        "website": "https://pirkanmaan-ely.example",
        "contact_email": _email("kirjaamo.pirkanmaa"),
        "description": (
            "Pirkanmaan elinvoimakeskus (31.12.2025 asti Pirkanmaan ELY-keskus) tukee alueen "
            "työllisyyspalveluja rahoittamalla "
            "kehittämishankkeita ja kokeiluja, erityisesti osatyökykyisten ja nuorten "
            "työllistymiseksi."
        ),
        "expertise": "Hankerahoitus, kehittämishankkeiden arviointi, alueellinen yhteistyö",
        "members": [
            (_email("heikki.lahdesmaki"), "owner"),
            (_email("anu.salmela"), "editor", {"call_manager": True, "reviewer": True}),
            (_email("petri.vuorela"), "member", {"reviewer": True}),
        ],
    },
    {
        "key": "ngo-savon-tyovalmennus",
        "name": "Savon Työvalmennus ry",
        "business_id": business_id("9900003"),
        "type": "ngo",
        "verified": True,
        "regions": ["MK10", "MK11"],
        "target_groups": ["partially_able_to_work", "long_term_unemployed", "youth"],
        "website": "https://savontyovalmennus.example",
        "contact_email": _email("toimisto.savontyovalmennus"),
        "description": (
            "Järjestämme työvalmennusta ja työkokeiluja Mikkelin ja Kuopion seuduilla. "
            "Valmentajamme kulkevat asiakkaan rinnalla työpaikalle asti ja tukevat myös "
            "työnantajaa ensimmäisten kuukausien ajan."
        ),
        "expertise": "Työhönvalmennus, tuettu työllistyminen (IPS), työkokeilut, "
                     "työnantajayhteistyö",
        "members": [
            (_email("sanna.hyvarinen"), "owner"),
            (_email("mikko.partanen"), "editor"),
            (_email("kaisa.ruotsalainen"), "member"),
            (_email("jari.manninen"), "member"),
        ],
    },
    {
        "key": "ngo-pirkan-polku",
        "name": "Pirkan Polku ry",
        "business_id": business_id("9900004"),
        "type": "ngo",
        "verified": True,
        "regions": ["MK06", "MK05"],
        "target_groups": ["disabled", "partially_able_to_work"],
        "website": "https://pirkanpolku.example",
        "contact_email": _email("info.pirkanpolku"),
        "description": (
            "Pirkan Polku on vammaisten ja osatyökykyisten ihmisten työllistymistä "
            "edistävä yhdistys. Kehitämme työtehtävien muokkausta yhdessä työnantajien "
            "kanssa ja koulutamme työpaikkaohjaajia."
        ),
        "expertise": "Työn muokkaus, saavutettavuus, työpaikkaohjaajakoulutus, vertaistuki",
        "members": [
            (_email("riitta.hakala"), "owner"),
            (_email("antti.kallio"), "editor"),
            (_email("noora.jokela"), "member"),
        ],
    },
    {
        "key": "ngo-arbetsbron",
        "name": "Föreningen Arbetsbron i Österbotten rf",
        "business_id": business_id("9900005"),
        "type": "ngo",
        "verified": True,
        "regions": ["MK15", "MK16"],
        "target_groups": ["immigrants", "youth"],
        "website": "https://arbetsbron.example",
        "contact_email": _email("kansli.arbetsbron"),
        "description": (
            "Arbetsbron hjälper unga och inflyttade i Österbotten att hitta arbete. Vi "
            "ordnar språkstödd arbetsträning, mentorskap och träffar med lokala "
            "arbetsgivare på svenska och finska."
        ),
        "expertise": "Språkstödd arbetsträning, mentorskap, integration, tvåspråkig service",
        "members": [
            (_email("johanna.lindqvist"), "owner"),
            (_email("mikael.sandvik"), "editor"),
            (_email("elin.backman"), "member"),
        ],
    },
    {
        "key": "ngo-uudenmaan-tyopolku",
        "name": "Uudenmaan Työpolku ry",
        "business_id": business_id("9900006"),
        "type": "ngo",
        "verified": True,
        "regions": ["MK01"],
        "target_groups": ["immigrants", "highly_educated"],
        "website": "https://tyopolku.example",
        "contact_email": _email("hello.tyopolku"),
        "description": (
            "Autamme korkeasti koulutettuja maahan muuttaneita löytämään koulutustaan "
            "vastaavaa työtä pääkaupunkiseudulla: tutkintojen tunnistaminen, "
            "ammattikielen opinnot ja mentorointi alan asiantuntijoiden kanssa."
        ),
        "expertise": "Osaamisen tunnistaminen, mentorointi, ammattikieli, verkostot",
        "members": [
            (_email("laura.nurmela"), "owner"),
            (_email("ahmed.farah"), "editor"),
        ],
    },
    {
        # Left unverified, so that the administrator's verification queue has something.
        "key": "ngo-nuorisoverstas",
        "name": "Järvi-Suomen Nuorisoverstas ry",
        "business_id": business_id("9900007"),
        "type": "ngo",
        "verified": False,
        "regions": ["MK10", "MK12"],
        "target_groups": ["youth"],
        "website": "https://nuorisoverstas.example",
        "contact_email": _email("verstas.nuorisoverstas"),
        "description": (
            "Uusi yhdistys, joka järjestää alle 30-vuotiaille verstastoimintaa: "
            "puu- ja metallitöitä, pienkorjauksia ja kesätyökokeiluja paikallisissa "
            "yrityksissä."
        ),
        "expertise": "Nuorten työpajatoiminta, kesätyökokeilut, etsivä nuorisotyö",
        "members": [
            (_email("tiina.kauppinen"), "owner"),
        ],
    },
    {
        "key": "staffing-tyovoima-saimaa",
        "name": "Työvoima Saimaa Oy",
        "business_id": business_id("9900008"),
        "type": "staffing_firm",
        "verified": True,
        "regions": ["MK10", "MK09"],
        "target_groups": ["long_term_unemployed", "over_50", "facing_redundancy"],
        "website": "https://tyovoimasaimaa.example",
        "contact_email": _email("myynti.tyovoimasaimaa"),
        "description": (
            "Henkilöstöpalveluyritys, joka välittää työntekijöitä teollisuuteen, "
            "logistiikkaan ja kiinteistöhuoltoon. Tuotamme tulosperusteisia "
            "työllistämispalveluja pitkään työttöminä olleille."
        ),
        "expertise": "Rekrytointi, vuokratyö, muutosturva, tulosperusteiset palvelut",
        "members": [
            (_email("jari.manninen"), "owner"),
            (_email("hanna.leinonen"), "editor"),
        ],
    },
    {
        "key": "staffing-kiito",
        "name": "Kiito Henkilöstöpalvelut Oy",
        "business_id": business_id("9900009"),
        "type": "staffing_firm",
        "verified": True,
        "regions": ["MK06", "MK01", "MK02"],
        "target_groups": ["highly_educated", "short_term_unemployed", "immigrants"],
        "website": "https://kiito.example",
        "contact_email": _email("asiakaspalvelu.kiito"),
        "description": (
            "Asiantuntijarekrytointeihin ja uravalmennukseen erikoistunut yritys. "
            "Toteutamme ryhmävalmennuksia lyhytaikaisesti työttömille ja "
            "työnantajalähtöisiä rekrytointikoulutuksia."
        ),
        "expertise": "Uravalmennus, asiantuntijarekrytointi, rekrytointikoulutus",
        "members": [
            (_email("markus.aaltonen"), "owner"),
            (_email("satu.ojanen"), "editor"),
            (_email("oskari.heino"), "member"),
        ],
    },
    {
        "key": "ea-mikkeli",
        "name": "Mikkelin seudun työllisyysalue",
        "business_id": business_id("9900010"),
        "type": "employment_area",
        "verified": True,
        "regions": ["MK10"],
        "target_groups": [
            "long_term_unemployed", "partially_able_to_work", "youth", "immigrants",
        ],
        "website": "https://mikkelin-tyollisyysalue.example",
        "contact_email": _email("tyollisyyspalvelut.mikkeli"),
        "description": (
            "Mikkelin, Kangasniemen, Mäntyharjun ja Pertunmaan yhteinen työllisyysalue. "
            "Vastaamme alueen julkisista työvoimapalveluista 1.1.2025 alkaen ja ohjaamme "
            "työnhakijoita kumppaniemme palveluihin."
        ),
        "expertise": "Julkiset työvoimapalvelut, palveluohjaus, työnantajapalvelut",
        "members": [
            (_email("paivi.tuominen"), "owner"),
            (_email("janne.karhu"), "editor"),
            (_email("eija.pulkkinen"), "member"),
        ],
    },
    {
        "key": "employer-saimaan-konepaja",
        "name": "Saimaan Konepaja Oy",
        "business_id": business_id("9900011"),
        "type": "employer",
        "verified": True,
        "regions": ["MK10"],
        "target_groups": ["partially_able_to_work", "over_50"],
        "website": "https://saimaankonepaja.example",
        "contact_email": _email("rekry.saimaankonepaja"),
        "description": (
            "Noin 80 hengen metallialan konepaja. Olemme palkanneet osatyökykyisiä "
            "työntekijöitä työhönvalmentajien tuella ja haluamme jakaa kokemuksemme."
        ),
        "expertise": "Metalliala, työpaikkaohjaus, oppisopimus",
        "members": [
            (_email("kari.lyytikainen"), "owner"),
        ],
    },
    {
        "key": "education-jarvi-savo",
        "name": "Järvi-Savon ammattiopisto",
        "business_id": business_id("9900012"),
        "type": "education",
        "verified": True,
        "regions": ["MK10", "MK11"],
        "target_groups": ["youth", "immigrants", "facing_redundancy"],
        "website": "https://jarvisavonopisto.example",
        "contact_email": _email("opintotoimisto.jarvisavo"),
        "description": (
            "Ammatillinen oppilaitos, joka järjestää työvoimakoulutusta, "
            "täsmäkoulutuksia ja oppisopimuskoulutusta yhdessä alueen yritysten kanssa."
        ),
        "expertise": "Työvoimakoulutus, täsmäkoulutus, oppisopimus, osaamisen tunnistaminen",
        "members": [
            (_email("minna.laitinen"), "owner"),
            (_email("tero.savolainen"), "editor"),
        ],
    },
    {
        # Follows every pilot nationally: its observer reads every call's projects, reports
        # and figures (app/demo/projects_data.py seeds the projects).
        "key": "national-tem",
        "name": "Työ- ja elinkeinoministeriö",
        "business_id": business_id("9900014"),
        "type": "national_authority",
        "verified": True,
        "regions": ["MK01"],
        "target_groups": [],
        "website": "https://tem.example",
        "contact_email": _email("kirjaamo.tem"),
        "description": (
            "Ministeriö vastaa ESR+-ohjelman työllisyystavoitteista ja seuraa "
            "työllisyyskokeilujen tuloksia valtakunnallisesti."
        ),
        "expertise": "Työllisyyspolitiikka, ESR+-ohjelman seuranta, kokeilujen arviointi",
        "members": [
            (_email("pekka.makela"), "owner"),
            (_email("kirsi.heikkila"), "member", {"observer": True}),
        ],
    },
]


# --- pending things for the owners to act on ------------------------------------------------

JOIN_REQUESTS: list[dict] = [
    {
        "organisation": "ngo-savon-tyovalmennus",
        "email": _email("tuomas.vaisanen"),
        "message": "Aloitin työvalmentajana elokuussa. Voisitteko lisätä minut jäseneksi?",
    },
]

INVITATIONS: list[dict] = [
    {
        "organisation": "ea-mikkeli",
        "email": _email("riikka.nieminen"),
        "role": "editor",
        "invited_by": _email("paivi.tuominen"),
    },
]
