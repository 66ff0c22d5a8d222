"""Demo service models, declared as plain data. `seed.py` turns them into rows.

Everything here is invented for the demo: the models, their figures and the people quoted.
Organisations are referred to by their `key` in data.py, people by e-mail address.

Each model: `slug` (its external id is "demo-<slug>"), owning `organisation`, `author` (an
editor there, who becomes the contact person), `content` (the first version), `published_on`
(None for a draft), optional `revisions` (later versions: the changed fields and a change
note), `validated` (by an ELY-centre), `partners` and `adoptions`.
"""

from __future__ import annotations

import re

from app.demo.data import DOMAIN


def _person(local: str) -> str:
    return f"{local}@{DOMAIN}"


def external_id(spec: dict) -> str:
    return f"demo-{spec['slug']}"


_NEW_ITEM = re.compile(r"^(\d+\.|-)\s")


def unwrap(text: str) -> str:
    """Join the lines that are wrapped here only to keep the source narrow: each paragraph and
    list item becomes one line, as a writer would have typed it in the editor."""
    out: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if out and out[-1] and stripped and not _NEW_ITEM.match(stripped):
            out[-1] = f"{out[-1]} {stripped}"
        else:
            out.append(stripped)
    return "\n".join(out)


# --- 1. Savon Työvalmennus: job coaching into industry (validated, two versions) ------------

_RINNALLA_RESULTS_1 = """\
Pilotissa 2023–2024 mukana oli 46 työnhakijaa, joista 31 oli ollut työttömänä yli kaksi vuotta.
Heistä 21 (46 %) sai palkkatyön avoimilta työmarkkinoilta, ja 17 työsuhdetta oli voimassa vielä
12 kuukauden seurannassa. Keskimääräinen viikkotyöaika oli 28 tuntia.

Työnantajille tehdyssä kyselyssä yhdeksän yhdestätoista vastaajasta kertoi palkkaavansa
uudelleen valmentajan tuella. Seurantatieto on koottu työllisyysalueen asiakastiedoista ja
valmentajien kirjauksista."""

_RINNALLA_RESULTS_2 = """\
Pilotissa 2023–2024 mukana oli 46 työnhakijaa, joista 21 (46 %) sai palkkatyön avoimilta
työmarkkinoilta; 17 työsuhdetta oli voimassa vielä 12 kuukauden seurannassa.

Vuonna 2025 malli laajeni Kuopion seudulle. Kahden vuoden aikana palvelussa on ollut yhteensä
83 työnhakijaa, joista 39 (47 %) on työllistynyt. Vuoden kohdalla työssä oli edelleen 31.
Keskimääräinen viikkotyöaika nousi 28 tunnista 31 tuntiin.

Ulkopuolinen arvioija haastatteli 14 työnantajaa ja 22 työntekijää. Tärkeimmiksi
onnistumisen syiksi nimettiin työtehtävien muokkaus ennen aloitusta ja se, että työnantaja
tiesi, keneen ottaa yhteyttä. Arviointiraportti on saatavilla pyynnöstä."""

RINNALLA = {
    "slug": "rinnalla-tyopaikalle",
    "organisation": "ngo-savon-tyovalmennus",
    "author": _person("mikko.partanen"),
    "published_on": "2025-02-11",
    "content": {
        "language": "fi",
        "title": "Rinnalla työpaikalle – työhönvalmennus osatyökykyisille teollisuuden "
                 "ja huoltoalan työpaikoilla",
        "summary": (
            "Työhönvalmentaja kulkee osatyökykyisen työnhakijan rinnalla työpaikan etsimisestä "
            "ensimmäisiin työkuukausiin ja tukee samalla työnantajaa. Malli on kehitetty yhdessä "
            "eteläsavolaisten konepajojen ja kiinteistöhuoltoyritysten kanssa."
        ),
        "problem": """\
Etelä-Savon teollisuus- ja huoltoalan yritykset kertovat jatkuvasta työvoimapulasta, mutta
samaan aikaan moni osatyökykyinen työnhakija on ollut työttömänä vuosia. Työnantajat epäröivät
palkata, koska he eivät tiedä, millaista tukea työntekijä tarvitsee ja kuka auttaa, jos työ ei
suju.

Aiemmat työkokeilut päättyivät usein siihen, ettei kukaan neuvotellut kokeilun jälkeen
työsuhteesta tai sopinut työtehtävien muokkaamisesta. Työnhakija palasi työttömäksi, ja
työnantajan kokemus jäi vaillinaiseksi.""",
        "method": """\
1. **Alkukartoitus (2–3 tapaamista).** Valmentaja ja työnhakija käyvät läpi työhistorian,
   terveydelliset rajoitteet ja toiveet. Tavoite kirjataan yhdessä työllisyysalueen
   asiantuntijan kanssa.
2. **Työpaikan etsiminen yhdessä.** Valmentaja esittelee työnhakijan osaamisen suoraan
   yrityksille ja sopii tutustumiskäynnit. Avoimia työpaikkailmoituksia ei jäädä odottamaan.
3. **Tehtävien räätälöinti.** Ennen aloitusta valmentaja, työnantaja ja työnhakija sopivat,
   mitä muokataan: työaika, tauot, apuvälineet ja tehtävien jako.
4. **Tuet kuntoon.** Valmentaja kokoaa palkkatuen ja työolosuhteiden järjestelytuen
   hakemukset työnantajan puolesta.
5. **Tuki työpaikalla.** Ensimmäisen kuukauden valmentaja käy työpaikalla viikoittain, sen
   jälkeen sovitusti. Työnantajalla on valmentajan suora puhelinnumero.
6. **Seuranta vuoden ajan.** Valmentaja on yhteydessä työntekijään ja esihenkilöön kolmen,
   kuuden ja kahdentoista kuukauden kohdalla.""",
        "employer_cooperation": """\
Malli rakennettiin yhdessä Saimaan Konepaja Oy:n ja kolmen kiinteistöhuoltoyrityksen kanssa.
Työnantajat kokoontuvat kahdesti vuodessa aamupalaveriin, jossa käydään läpi onnistumiset ja
ongelmat. Jokainen työnantaja nimeää uudelle työntekijälle työpaikkaohjaajan, joka saa
valmentajalta puolen päivän perehdytyksen osatyökykyisyydestä ja työn muokkaamisesta.""",
        "results": _RINNALLA_RESULTS_1,
        "adoption": """\
Käyttöönotto edellyttää:

- **Henkilöstö:** yksi työhönvalmentaja noin 15–18 asiakasta kohden. Kokemus teollisuuden tai
  huoltoalan työpaikoista auttaa.
- **Kustannus:** noin 3 200 euroa asiakasta kohden vuodessa (valmentajan työaika ja matkat).
- **Koulutus:** kahden päivän perehdytys malliin ja työn muokkaamiseen. Tarjoamme sen
  maksutta ensimmäisille käyttöönottajille.
- **Sopimus:** työllisyysalueen kanssa sovitaan asiakasohjauksesta ja tiedonkulusta.""",
        "target_groups": ["partially_able_to_work", "long_term_unemployed"],
        "work_forms": ["salaried"],
        "regions": ["MK10"],
        "stage": "in_use",
        "evidence": "monitoring_data",
        "tags": ["työhönvalmennus", "teollisuus", "palkkatuki", "työn muokkaus"],
    },
    "revisions": [
        {
            "published_on": "2026-03-02",
            "change_note": "Vuoden 2025 tulokset ja ulkopuolisen arvioinnin havainnot lisätty. "
                           "Malli on nyt käytössä myös Pohjois-Savossa.",
            "changes": {
                "results": _RINNALLA_RESULTS_2,
                "regions": ["MK10", "MK11"],
                "stage": "spreading",
                "evidence": "evaluated",
            },
        },
    ],
    "validated": {
        "organisation": "ely-etela-savo",
        "person": _person("juha.pesonen"),  # validating takes a reviewer or call manager
        "on": "2026-04-14",
        "statement": (
            "Malli on toteutettu Etelä-Savon ELY-keskuksen rahoittamassa pilotissa 2023–2025. "
            "Tulokset on todennettu hankkeen loppuraportista ja ulkopuolisesta arvioinnista. "
            "Suosittelemme mallia alueen työllisyysalueille ja järjestöille."
        ),
    },
    "partners": [("employer-saimaan-konepaja", "accepted"), ("ea-mikkeli", "accepted")],
    "adoptions": [
        {"organisation": "ngo-pirkan-polku", "regions": ["MK06"], "since": "2025-09-01",
         "note": "Käytämme mallia Tampereen seudun logistiikkayrityksissä."},
        {"organisation": "staffing-tyovoima-saimaa", "regions": ["MK09"], "since": "2026-01-15",
         "note": "Otimme valmennuksen osaksi tulosperusteista palveluamme Lappeenrannassa."},
    ],
}


# --- 2. Savon Työvalmennus: summer jobs with a mentor ---------------------------------------

KESADUUNI = {
    "slug": "kesaduunikummit",
    "organisation": "ngo-savon-tyovalmennus",
    "author": _person("sanna.hyvarinen"),
    "published_on": "2024-05-06",
    "content": {
        "language": "fi",
        "title": "Kesäduunikummit – nuoren ensimmäinen työkokemus paikallisessa yrityksessä",
        "summary": (
            "Nuori, jolla ei ole aiempaa työkokemusta, tekee neljän viikon palkallisen kesätyön "
            "paikallisessa yrityksessä. Työpaikalta nimetään kummi, joka opastaa arjessa, ja "
            "valmentaja pitää yhteyttä koko jakson ajan."
        ),
        "problem": """\
Pohjois-Savon pienillä paikkakunnilla moni 16–24-vuotias jää ilman ensimmäistä työpaikkaa,
koska kesätyöt jaetaan tuttavaverkostoissa. Ilman työkokemusta nuoren on myöhemmin vaikea
saada vastausta hakemuksiinsa, ja osa nuorista ajautuu pitkäksi aikaa koulutuksen ja työn
ulkopuolelle.""",
        "method": """\
1. **Haku keväällä.** Nuoret hakevat mukaan etsivän nuorisotyön, koulujen ja
   Ohjaamon kautta. Hakemukseksi riittää lyhyt keskustelu.
2. **Yritysten kutsu.** Valmentaja kokoaa maaliskuussa 20–30 kesätyöpaikkaa kaupoista,
   kunnista, maatiloilta ja pienistä teollisuusyrityksistä.
3. **Kummin valmennus.** Yritys nimeää kummin, joka osallistuu kahden tunnin
   iltavalmennukseen: miten nuorta perehdytetään ja miten palautetta annetaan.
4. **Neljän viikon jakso.** Nuori tekee palkallista työtä 6 tuntia päivässä.
   Valmentaja käy työpaikalla ensimmäisellä ja kolmannella viikolla.
5. **Todistus ja jatkopolku.** Jakson lopuksi nuori saa työtodistuksen ja kummin
   suosituksen. Valmentaja sopii nuoren kanssa seuraavan askeleen.""",
        "employer_cooperation": """\
Yritys maksaa palkan, ja kunta korvaa siitä osan kesätyösetelillä. Kummeille järjestetään
syksyllä kiitostilaisuus, jossa jaetaan kokemuksia. Moni yritys on tarjonnut nuorelle
jatkoa viikonloppu- tai iltatöinä.""",
        "results": """\
Kesinä 2023 ja 2024 mukana oli yhteensä 112 nuorta ja 58 yritystä. 104 nuorta (93 %)
suoritti jakson loppuun. Puolen vuoden kuluttua 41 nuorta oli töissä ja 47 opiskeli.
Kummeista 87 % sanoi osallistuvansa uudelleen.""",
        "adoption": """\
- **Henkilöstö:** yksi valmentaja noin 30 nuorta kohden kesäkaudella (maalis–elokuu).
- **Kustannus:** valmentajan palkka ja kesätyösetelit; yrityksen osuus palkasta vaihtelee.
- **Koulutus:** kummivalmennuksen materiaali on vapaasti käytettävissä.
- **Edellytys:** kunnan kesätyöseteli tai muu palkkatuki helpottaa pienten yritysten
  osallistumista.""",
        "target_groups": ["youth"],
        "work_forms": ["salaried"],
        "regions": ["MK11", "MK10"],
        "stage": "in_use",
        "evidence": "monitoring_data",
        "tags": ["kesätyö", "nuoret", "kummi", "ensimmäinen työpaikka"],
    },
}


# --- 3. Pirkan Polku: job carving (validated, two versions) -----------------------------------

_MUOKKAUS_METHOD_1 = """\
1. **Työpaikan kartoitus.** Valmentaja viettää työpaikalla päivän ja kirjaa toistuvat
   tehtävät, jotka vievät ammattilaisten aikaa (esimerkiksi tarvikkeiden täyttö,
   postitus, skannaus, pakkaaminen).
2. **Tehtäväkokonaisuuden rakentaminen.** Tehtävistä kootaan yhdessä esihenkilön kanssa uusi
   työnkuva, joka vastaa työnhakijan vahvuuksia.
3. **Työnhakijan valinta.** Työnkuvaa tarjotaan työnhakijalle, jonka toiveet ja osaaminen
   sopivat siihen. Työnhakija tutustuu työpaikkaan ennen päätöstä.
4. **Aloitus tuettuna.** Valmentaja on mukana ensimmäisinä työpäivinä ja tekee tarvittaessa
   kuvalliset työohjeet.
5. **Arviointi kolmen kuukauden kohdalla.** Työnkuvaa säädetään: mitä lisätään, mitä
   poistetaan."""

_MUOKKAUS_METHOD_2 = _MUOKKAUS_METHOD_1 + """
6. **Tehtäväpankki.** Onnistuneet työnkuvat kirjataan yhteiseen tehtäväpankkiin, josta muut
   saman alan työnantajat voivat ottaa mallia. Pankissa on nyt 34 kuvausta."""

MUOKKAUS = {
    "slug": "tyotehtavien-muokkaus",
    "organisation": "ngo-pirkan-polku",
    "author": _person("antti.kallio"),
    "published_on": "2024-09-23",
    "content": {
        "language": "fi",
        "title": "Työtehtävien muokkaus – uusi työnkuva vammaiselle työnhakijalle",
        "summary": (
            "Työpaikan toistuvista tehtävistä kootaan uusi työnkuva, joka sopii vammaisen tai "
            "osatyökykyisen työnhakijan vahvuuksiin. Samalla ammattilaisten aikaa vapautuu "
            "vaativampiin tehtäviin."
        ),
        "problem": """\
Vammaiset työnhakijat hakevat usein avoimia työpaikkoja, joiden vaatimukset on kirjoitettu
koko tehtäväkentälle. Yksikin tehtävä, johon ei pysty, voi estää palkkaamisen.
Samaan aikaan työpaikoilla on paljon tehtäviä, jotka jäävät tekemättä tai kuormittavat
ammattilaisia.""",
        "method": _MUOKKAUS_METHOD_1,
        "employer_cooperation": """\
Työnantaja sitoutuu kartoituspäivään ja nimeää esihenkilön, joka osallistuu työnkuvan
rakentamiseen. Pirkan Polku kouluttaa työyhteisön: mitä muutos tarkoittaa ja miten uutta
työntekijää tuetaan. Mukana on ollut sairaaloita, kauppoja, kirjastoja ja toimistoja.""",
        "results": """\
Vuosina 2022–2024 kartoitettiin 41 työpaikkaa, ja niistä syntyi 29 uutta työnkuvaa. 24
vammaista työnhakijaa aloitti työsuhteessa; 19 heistä oli töissä vuoden kuluttua.
Esihenkilöistä 80 % arvioi, että ammattilaisten työaikaa vapautui vähintään kaksi tuntia
viikossa.""",
        "adoption": """\
- **Henkilöstö:** työhönvalmentaja, jolla on koulutus työn muokkaukseen (job carving).
- **Kustannus:** noin 1 500 euroa työpaikkaa kohden kartoituksesta aloitukseen.
- **Koulutus:** kolmen päivän koulutus; Pirkan Polku järjestää sen kahdesti vuodessa.
- **Materiaali:** kartoituslomake ja työnkuvapohjat ovat vapaasti käytettävissä.""",
        "target_groups": ["disabled", "partially_able_to_work"],
        "work_forms": ["salaried"],
        "regions": ["MK06", "MK05"],
        "stage": "in_use",
        "evidence": "monitoring_data",
        "tags": ["job carving", "työn muokkaus", "vammaiset", "työnkuva"],
    },
    "revisions": [
        {
            "published_on": "2025-11-04",
            "change_note": "Lisätty vaihe 6 (tehtäväpankki) ja päivitetty kehitysvaihe.",
            "changes": {"method": _MUOKKAUS_METHOD_2, "stage": "spreading"},
        },
    ],
    "validated": {
        "organisation": "ely-pirkanmaa",
        "person": _person("anu.salmela"),
        "on": "2026-01-20",
        "statement": (
            "Pirkanmaan ELY-keskus on seurannut mallia kahden hankkeen ajan. Seurantatiedot "
            "ovat kattavat ja työsuhteet pysyviä. Malli soveltuu myös julkisen sektorin "
            "työpaikoille."
        ),
    },
    "adoptions": [
        {"organisation": "ngo-savon-tyovalmennus", "regions": ["MK10"], "since": "2025-03-01",
         "note": "Yhdistämme työn muokkauksen omaan työhönvalmennukseemme Mikkelissä."},
        {"organisation": "ngo-uudenmaan-tyopolku", "regions": ["MK01"], "since": "2025-10-01",
         "note": "Kokeilemme mallia kansainvälisten osaajien kanssa toimistotyössä."},
    ],
}


# --- 4. Pirkan Polku: training workplace instructors -------------------------------------------

OHJAAJA = {
    "slug": "tyopaikkaohjaajan-valmennus",
    "organisation": "ngo-pirkan-polku",
    "author": _person("riitta.hakala"),
    "published_on": "2023-11-15",
    "content": {
        "language": "fi",
        "title": "Työpaikkaohjaajan esteettömyysvalmennus",
        "summary": (
            "Kolmen iltapäivän valmennus työpaikkaohjaajille, jotka perehdyttävät vammaisia tai "
            "osatyökykyisiä työntekijöitä. Ohjaaja oppii tekemään työohjeista selkeitä ja "
            "huomaamaan esteet ennen kuin niistä tulee ongelmia."
        ),
        "problem": """\
Moni vammaisen työntekijän työsuhde päättyy ensimmäisten kuukausien aikana. Syynä ei
useinkaan ole itse työ, vaan perehdytys: ohjeet annetaan nopeasti suullisesti, eikä kukaan
kysy, mikä toimii. Työpaikkaohjaajat kertovat, etteivät he tiedä, mitä saa kysyä.""",
        "method": """\
1. **Ensimmäinen iltapäivä: esteet ja mahdollisuudet.** Kokemusasiantuntija kertoo omasta
   työurastaan. Käydään läpi yleisimmät fyysiset, tiedolliset ja sosiaaliset esteet.
2. **Toinen iltapäivä: selkeä ohje.** Ohjaajat muokkaavat oman työpaikkansa ohjeen
   selkokielelle ja kuvalliseksi.
3. **Kolmas iltapäivä: puheeksiotto.** Harjoitellaan keskustelua työntekijän kanssa
   tuen tarpeista ja palautteesta.
4. **Seurantapuhelu kuukauden päästä.** Valmentaja soittaa jokaiselle ohjaajalle ja
   kysyy, mitä on otettu käyttöön.""",
        "employer_cooperation": """\
Valmennus järjestetään työnantajan tiloissa tai verkossa. Työnantaja vapauttaa ohjaajan
valmennuksen ajaksi. Isoissa organisaatioissa valmennus on liitetty esihenkilöiden
koulutusohjelmaan.""",
        "results": """\
Valmennukseen on osallistunut 186 ohjaajaa 64 työpaikalta. Ulkopuolisessa arvioinnissa
verrattiin valmennettujen ja muiden ohjaajien perehdyttämiä työntekijöitä: kuuden kuukauden
kohdalla työsuhde jatkui 86 %:lla ja 69 %:lla. Ohjaajista 92 % piti valmennusta hyödyllisenä.""",
        "adoption": """\
- **Henkilöstö:** kouluttaja ja kokemusasiantuntija.
- **Kustannus:** noin 450 euroa ohjaajaa kohden.
- **Materiaali:** valmennuksen diat, harjoitukset ja selkokielen tarkistuslista.
- **Koulutus:** kouluttajille yhden päivän perehdytys.""",
        "target_groups": ["disabled"],
        "work_forms": ["salaried"],
        "regions": ["MK06"],
        "stage": "spreading",
        "evidence": "evaluated",
        "tags": ["perehdytys", "saavutettavuus", "selkokieli", "työpaikkaohjaaja"],
    },
}


# --- 5. Arbetsbron: language-supported work training (Swedish) ------------------------------

ARBETSTRANING = {
    "slug": "sprakstodd-arbetstraning",
    "organisation": "ngo-arbetsbron",
    "author": _person("mikael.sandvik"),
    "published_on": "2024-03-18",
    "content": {
        "language": "sv",
        "title": "Språkstödd arbetsträning på arbetsplatsen",
        "summary": (
            "Inflyttade arbetssökande tränar ett yrke direkt på en arbetsplats och får samtidigt "
            "språkundervisning som bygger på arbetsplatsens egna ord och situationer. En "
            "språkcoach besöker arbetsplatsen varje vecka."
        ),
        "problem": """\
I Österbotten finns lediga jobb inom vård, livsmedelsindustri och fastighetsskötsel, men
många inflyttade har svårt att få en första anställning. Språkkurser i klassrum ger
allmänna kunskaper, men ordförrådet och situationerna på arbetsplatsen är annorlunda.
Arbetsgivare upplever att de inte har tid att stödja språket.""",
        "method": """\
1. **Kartläggning.** Språkcoachen och den arbetssökande går igenom tidigare arbete,
   utbildning och språkkunskaper på svenska och finska.
2. **Matchning.** Arbetsbron kontaktar arbetsgivare inom branscher där den arbetssökande
   har erfarenhet eller intresse.
3. **Ordlistan.** Före starten gör coachen och handledaren en ordlista över arbetsplatsens
   viktigaste ord, med bilder.
4. **Tolv veckors träning.** Den arbetssökande arbetar fyra dagar i veckan. En dag i veckan
   ägnas åt språkundervisning som utgår från veckans situationer.
5. **Avslutande samtal.** Arbetsgivaren, handledaren och den arbetssökande diskuterar
   anställning eller fortsatt utbildning.""",
        "employer_cooperation": """\
Arbetsgivaren utser en handledare som får en kort introduktion i hur man talar tydligt och
kontrollerar att instruktioner har förståtts. Arbetsbron håller kontakten med handledaren
varje vecka. Arbetsgivare träffas två gånger per år för att dela erfarenheter.""",
        "results": """\
Under 2023–2024 deltog 58 personer från 17 länder. 33 (57 %) fick anställning hos
arbetsgivaren eller en annan arbetsgivare inom sex månader, och 11 började en
yrkesutbildning. Deltagarnas språknivå steg i genomsnitt med en nivå på
referensramen.""",
        "adoption": """\
- **Personal:** en språkcoach per cirka 12 deltagare.
- **Kostnad:** cirka 2 600 euro per deltagare.
- **Utbildning:** språkcoachen behöver erfarenhet av andraspråksundervisning.
- **Material:** ordlistemallar för sex branscher finns att få.""",
        "target_groups": ["immigrants"],
        "work_forms": ["salaried"],
        "regions": ["MK15", "MK16"],
        "stage": "in_use",
        "evidence": "monitoring_data",
        "tags": ["språk", "arbetsträning", "integration", "tvåspråkighet"],
    },
    "adoptions": [
        {"organisation": "education-jarvi-savo", "regions": ["MK10"], "since": "2025-08-11",
         "note": "Vi använder modellen med finska som arbetsspråk i Mikkeli."},
    ],
}


# --- 6. Arbetsbron: employer mentors for young adults (Swedish, two versions) ---------------

MENTORSKAP = {
    "slug": "arbetsgivarmentorer-for-unga",
    "organisation": "ngo-arbetsbron",
    "author": _person("johanna.lindqvist"),
    "published_on": "2025-04-07",
    "content": {
        "language": "sv",
        "title": "Arbetsgivarmentorer för unga vuxna",
        "summary": (
            "Unga vuxna utan arbete eller studieplats får en mentor från en lokal arbetsgivare. "
            "De träffas varannan vecka i ett halvår och mentorn öppnar dörrar till sitt eget "
            "nätverk."
        ),
        "problem": """\
Unga vuxna som hoppat av studier saknar ofta kontakter till arbetslivet. De känner inga
arbetsgivare och vet inte hur man tar kontakt. Traditionell vägledning ger information men
inte nätverk.""",
        "method": """\
1. **Rekrytering av mentorer.** Arbetsbron bjuder in anställda från lokala företag och
   kommuner. Mentorerna får en introduktion under en kväll.
2. **Matchning.** Den unga och mentorn matchas efter intresse, inte bransch.
3. **Träffar varannan vecka.** Paret träffas på mentorns arbetsplats, på ett kafé eller
   på nätet. Mentorn visar sin vardag och sina kolleger.
4. **Gemensamma träffar.** Alla par träffas tre gånger under halvåret.""",
        "employer_cooperation": """\
Arbetsgivaren låter mentorn använda en timme av arbetstiden varannan vecka. Flera
arbetsgivare har sett mentorskapet som en del av sitt rekryteringsarbete.""",
        "results": """\
Pilotomgången startar våren 2025 med 15 par. Resultaten följs upp efter sex och tolv
månader.""",
        "adoption": """\
- **Personal:** en koordinator på deltid.
- **Kostnad:** cirka 900 euro per par (koordinering, träffar).
- **Material:** introduktionen för mentorer och en samtalsguide.""",
        "target_groups": ["youth"],
        "work_forms": ["salaried"],
        "regions": ["MK15"],
        "stage": "piloting",
        "evidence": "none",
        "tags": ["mentorskap", "unga", "nätverk"],
    },
    "revisions": [
        {
            "published_on": "2026-02-16",
            "change_note": "Resultat från den första omgången tillagda.",
            "changes": {
                "results": """\
Den första omgången (våren 2025) hade 15 par. 13 unga fullföljde halvåret. Efter sex
månader arbetade 6 och studerade 4. Fem unga fick sitt jobb via mentorns nätverk.
Alla mentorer utom en vill fortsätta.""",
                "evidence": "monitoring_data",
            },
        },
    ],
}


# --- 7. Uudenmaan Työpolku: professional mentoring circles (English) ------------------------

MENTORING_CIRCLES = {
    "slug": "professional-mentoring-circles",
    "organisation": "ngo-uudenmaan-tyopolku",
    "author": _person("ahmed.farah"),
    "published_on": "2023-09-04",
    "content": {
        "language": "en",
        "title": "Professional Mentoring Circles for Highly Educated Immigrants",
        "summary": (
            "Small groups of highly educated immigrants meet monthly with two mentors who work "
            "in their field in Finland. The circle combines professional vocabulary, "
            "introductions to employers and honest feedback on applications."
        ),
        "problem": """\
Engineers, economists and IT specialists who move to the Helsinki region often spend years
in jobs far below their qualifications. They lack a professional network, do not know how
Finnish recruitment works and get few replies to applications in English. Employers, on
the other hand, say they cannot find specialists.""",
        "method": """\
1. **Forming the circle.** Six to eight participants from the same field (for example
   software, construction or finance) form a circle for eight months.
2. **Recruiting mentors.** Two mentors per circle volunteer from companies in the field;
   one of them is usually an immigrant who has found work in Finland.
3. **Monthly meetings.** Each meeting has a theme: the Finnish labour market in the field,
   CVs and LinkedIn, interviews, workplace culture, professional Finnish.
4. **Introductions.** Mentors introduce each participant to at least two people in their
   own networks during the circle.
5. **Application clinic.** Participants bring real applications; mentors and peers comment
   on them before they are sent.""",
        "employer_cooperation": """\
Companies release mentors for about four hours a month. Several have opened internships or
trial periods for circle participants. Kiito Henkilöstöpalvelut runs an employer breakfast
twice a year where participants present themselves to recruiting companies.""",
        "results": """\
From 2021 to 2023, 142 people took part in 19 circles. Twelve months after the start,
61 % worked in a job matching their education, compared with 34 % of a comparison group
registered as jobseekers at the same time with similar backgrounds. The median time to the
first job in the field was seven months.""",
        "adoption": """\
- **Staff:** a coordinator for about six circles.
- **Cost:** about 1,100 euros per participant, mostly coordination; mentors are volunteers.
- **Training:** a half-day briefing for mentors; our mentor guide is available in English
  and Finnish.
- **Network:** you need contacts to companies in the fields of your participants.""",
        "target_groups": ["immigrants", "highly_educated"],
        "work_forms": ["salaried"],
        "regions": ["MK01"],
        "stage": "in_use",
        "evidence": "comparison_group",
        "tags": ["mentoring", "international talent", "networks", "recognition of skills"],
    },
    "partners": [("staffing-kiito", "accepted")],
    "adoptions": [
        {"organisation": "ngo-arbetsbron", "regions": ["MK15"], "since": "2024-09-01",
         "note": "Vi kör två cirklar i Vasa, en för ingenjörer och en för vårdpersonal."},
    ],
}


# --- 8. Kiito: recruitment sprint (English) --------------------------------------------------

RECRUITMENT_SPRINT = {
    "slug": "recruitment-sprint",
    "organisation": "staffing-kiito",
    "author": _person("satu.ojanen"),
    "published_on": "2025-06-09",
    "content": {
        "language": "en",
        "title": "Recruitment Sprint: Employer-led Group Coaching for the Recently Unemployed",
        "summary": (
            "A three-week group coaching that is built around the real open positions of two or "
            "three employers. Jobseekers who lost their jobs a few months ago work on the "
            "employers' own cases and are interviewed at the end of the sprint."
        ),
        "problem": """\
People who have been unemployed for three to six months are often experienced and
motivated, but generic job-search courses do not help them. They need a fast route to
employers who are hiring now, before unemployment becomes long-term.""",
        "method": """\
1. **Employers first.** Kiito agrees with two or three employers on the positions they need
   to fill in the next two months.
2. **Selection.** Jobseekers apply with a short video or phone call; up to 20 are chosen.
3. **Week 1: the employers' world.** Employers present their work and give a real case to
   solve in teams.
4. **Week 2: skills and gaps.** Coaches and jobseekers map the skills the positions need;
   short online courses fill the most common gaps.
5. **Week 3: interviews.** Every participant has an interview with at least one employer.
   Those not hired get individual feedback and a plan.""",
        "employer_cooperation": """\
Employers commit a recruiter or team lead for about six hours during the sprint. They
commit to interview every participant whose profile matches. Kiito does not charge the
employers for the sprint; the employment services buy it as a group coaching service.""",
        "results": """\
Six sprints in 2024–2025 in Tampere, Turku and Helsinki had 104 participants. 47 (45 %)
were hired by a sprint employer within two months, and another 22 found other work within
four months. Employers rated the candidates 4.3 on a scale of 1 to 5.""",
        "adoption": """\
- **Staff:** two coaches per sprint and a sales contact to employers.
- **Cost:** about 850 euros per participant.
- **Training:** the coaches should know recruitment in the employers' sector.
- **Timing:** employers must have real vacancies; start the sprint within a month of
  agreeing on them.""",
        "target_groups": ["short_term_unemployed", "highly_educated"],
        "work_forms": ["salaried"],
        "regions": ["MK06", "MK01", "MK02"],
        "stage": "in_use",
        "evidence": "monitoring_data",
        "tags": ["group coaching", "recruitment", "employer-led"],
    },
}


# --- 9. Työvoima Saimaa: outcome-based path for the long-term unemployed ---------------------

TULOSPOLKU = {
    "slug": "tulosperusteinen-tyollistamispolku",
    "organisation": "staffing-tyovoima-saimaa",
    "author": _person("hanna.leinonen"),
    "published_on": "2024-10-01",
    "content": {
        "language": "fi",
        "title": "Tulosperusteinen työllistämispolku pitkään työttömänä olleille",
        "summary": (
            "Henkilöstöpalveluyritys etsii pitkään työttömänä olleelle työpaikan ja tukee "
            "häntä työn alkuun. Palvelun hinnasta valtaosa maksetaan vasta, kun työsuhde on "
            "jatkunut kuusi kuukautta."
        ),
        "problem": """\
Etelä-Savossa ja Etelä-Karjalassa on paljon yli 50-vuotiaita, jotka ovat olleet työttömänä
yli kaksi vuotta. Perinteiset palvelut maksetaan osallistumisen mukaan, eikä palvelun
tuottajalla ole syytä keskittyä pysyviin työsuhteisiin.""",
        "method": """\
1. **Aloitustapaaminen.** Asiakas ja rekrytoija käyvät läpi osaamisen, myös vanhat
   pätevyydet ja kortit, joista on hyötyä teollisuudessa ja logistiikassa.
2. **Lyhyt täsmäkoulutus.** Tarvittaessa asiakas suorittaa trukkikortin,
   työturvallisuuskortin tai hygieniapassin ennen työnhakua.
3. **Työpaikka asiakasyrityksistä.** Rekrytoija esittelee asiakkaan yrityksille, joilla on
   pulaa työntekijöistä. Vuokratyö on mahdollinen ensimmäinen askel.
4. **Työn alun tuki.** Kolmen ensimmäisen kuukauden ajan asiakkaalla on nimetty
   yhteyshenkilö.
5. **Maksu tuloksista.** Palvelun tilaaja maksaa 30 % aloituksesta ja 70 %, kun työsuhde on
   jatkunut kuusi kuukautta.""",
        "employer_cooperation": """\
Työvoima Saimaa välittää työntekijöitä noin 60 yritykselle. Yritykset saavat kokeilla
työntekijää vuokratyönä ennen suoraa palkkaamista. Osa yrityksistä on sitoutunut
palkkaamaan vuosittain vähintään kaksi polun asiakasta.""",
        "results": """\
Vuosina 2023–2024 palveluun ohjattiin 220 asiakasta. 88 (40 %) työllistyi, ja 71 työsuhdetta
jatkui vähintään kuusi kuukautta. Yli 50-vuotiaiden osuus työllistyneistä oli 44 %.""",
        "adoption": """\
- **Edellytys:** palvelun tilaaja (työllisyysalue) hyväksyy tulosperusteisen hinnoittelun.
- **Henkilöstö:** rekrytoija noin 40 asiakasta kohden vuodessa.
- **Kustannus:** tilaajalle noin 4 000 euroa pysyvää työsuhdetta kohden.
- **Verkosto:** yritysasiakkaita, joilla on jatkuva työvoiman tarve.""",
        "target_groups": ["long_term_unemployed", "over_50"],
        "work_forms": ["salaried"],
        "regions": ["MK10", "MK09"],
        "stage": "in_use",
        "evidence": "monitoring_data",
        "tags": ["tulosperusteisuus", "vuokratyö", "pitkäaikaistyöttömyys"],
    },
    "adoptions": [
        {"organisation": "staffing-kiito", "regions": ["MK06"], "since": "2025-05-01",
         "note": "Käytämme samaa maksumallia Tampereen seudun työllisyysalueen kanssa."},
    ],
}


# --- 10. Työvoima Saimaa: fast track after redundancy ----------------------------------------

MUUTOSTURVA = {
    "slug": "muutosturvan-pikapolku",
    "organisation": "staffing-tyovoima-saimaa",
    "author": _person("jari.manninen"),
    "published_on": "2025-09-22",
    "content": {
        "language": "fi",
        "title": "Muutosturvan pikapolku – uusi työ jo irtisanomisaikana",
        "summary": (
            "Kun yritys irtisanoo väkeä, palvelu alkaa heti: irtisanotut saavat "
            "osaamiskartoituksen, lyhyet täsmäkoulutukset ja esittelyt uusille työnantajille "
            "jo irtisanomisaikana."
        ),
        "problem": """\
Tuotannollisista syistä irtisanotut odottavat usein irtisanomisajan loppuun ennen kuin
hakevat apua. Silloin ensimmäinen työttömyyskuukausi on jo alkanut, ja osaaminen, jota
alueen muut yritykset tarvitsisivat, jää käyttämättä.""",
        "method": """\
1. **Infotilaisuus tehtaalla.** Työvoima Saimaa, Järvi-Savon ammattiopisto ja
   työllisyysalue kertovat palveluista yhdessä kahden viikon kuluessa muutosneuvotteluista.
2. **Osaamiskartoitus.** Jokainen halukas saa tunnin kartoituksen, jossa tunnistetaan
   siirrettävät taidot.
3. **Täsmäkoulutus.** Ammattiopisto järjestää 2–6 viikon koulutuksia, esimerkiksi
   hitsauksen pätevyyskokeet tai automaation perusteet.
4. **Työnantajaesittelyt.** Rekrytoija esittelee ryhmän osaamisen alueen yrityksille.
5. **Yrittäjyysvaihtoehto.** Halukkaat ohjataan yrittäjyysneuvontaan.""",
        "employer_cooperation": """\
Irtisanova yritys tarjoaa tilat ja vapauttaa työntekijät kartoitukseen työajalla.
Vastaanottavat yritykset osallistuvat rekrytointipäivään. Pilotissa mukana oli kahdeksan
yritystä.""",
        "results": """\
Pilotti alkoi keväällä 2025 puunjalostusyrityksen irtisanomisissa (62 henkilöä). Kolmen
kuukauden kuluessa 27 oli uudessa työssä, 9 koulutuksessa ja 3 aloitti yrittäjänä.""",
        "adoption": """\
- **Yhteistyö:** henkilöstöpalveluyritys, oppilaitos ja työllisyysalue sopivat roolit
  etukäteen, jotta palvelu käynnistyy päivissä.
- **Kustannus:** noin 1 800 euroa henkilöä kohden koulutuksineen.
- **Rahoitus:** muutosturvan koulutus ja työllisyysalueen palvelut.""",
        "target_groups": ["facing_redundancy", "over_50"],
        "work_forms": ["salaried", "entrepreneurship"],
        "regions": ["MK10"],
        "stage": "piloting",
        "evidence": "monitoring_data",
        "tags": ["muutosturva", "irtisanominen", "täsmäkoulutus"],
    },
    "partners": [("education-jarvi-savo", "accepted")],
}


# --- 11. Mikkeli employment area: light entrepreneurship --------------------------------------

KEVYTYRITTAJYYS = {
    "slug": "kevytyrittajyyskokeilu",
    "organisation": "ea-mikkeli",
    "author": _person("janne.karhu"),
    "published_on": "2025-05-12",
    "content": {
        "language": "fi",
        "title": "Kevytyrittäjyyskokeilu osatyökykyisille",
        "summary": (
            "Osatyökykyinen työnhakija kokeilee pienimuotoista omaa työtä laskutuspalvelun "
            "kautta ohjatusti puolen vuoden ajan. Etuusneuvoja laskee etukäteen, miten tulot "
            "vaikuttavat etuuksiin."
        ),
        "problem": """\
Osa osatyökykyisistä ei pysty sitoutumaan säännölliseen työaikaan, mutta voisi tehdä
pieniä toimeksiantoja: pihatöitä, valokuvausta, käsitöitä tai tietokoneapua. Pelko
etuuksien menettämisestä ja yrittäjyyden byrokratia estävät kokeilemasta.""",
        "method": """\
1. **Idean kirkastus.** Valmentaja ja asiakas miettivät, mitä asiakas osaa ja kuka siitä
   maksaisi.
2. **Etuuslaskelma.** Etuusneuvoja tekee laskelman, jossa näkyy, miten eri tulotasot
   vaikuttavat etuuksiin.
3. **Laskutuspalvelu.** Asiakas rekisteröityy kevytyrittäjäksi laskutuspalveluun;
   valmentaja auttaa ensimmäisen laskun kanssa.
4. **Kuukausittaiset tapaamiset.** Ryhmässä jaetaan asiakashankintaa ja hinnoittelua.
5. **Arvio kuuden kuukauden kohdalla.** Jatketaanko, kasvatetaanko vai siirrytäänkö
   palkkatyöhön.""",
        "employer_cooperation": """\
Työllisyysalueen yrityspalvelut välittävät pieniä toimeksiantoja paikallisilta yrityksiltä ja
yhdistyksiltä. Kaupungin tapahtumat ovat ostaneet kokeilijoilta valokuvaus- ja
järjestelypalveluja.""",
        "results": """\
Kokeilun ensimmäisessä ryhmässä oli 18 osallistujaa. Kuudessa kuukaudessa 12 laskutti
vähintään kerran; mediaanitulo oli 310 euroa kuukaudessa. Kukaan ei menettänyt etuuksiaan
odottamatta.""",
        "adoption": """\
- **Henkilöstö:** valmentaja (noin 20 % työajasta ryhmää kohden) ja etuusneuvoja.
- **Kustannus:** laskutuspalvelun palkkio, joka maksetaan laskutetusta summasta.
- **Edellytys:** Kelan ja työllisyysalueen yhteinen ymmärrys etuuksien sovittelusta.""",
        "target_groups": ["partially_able_to_work", "over_50"],
        "work_forms": ["light_entrepreneurship", "gig_work"],
        "regions": ["MK10"],
        "stage": "piloting",
        "evidence": "monitoring_data",
        "tags": ["kevytyrittäjyys", "etuusneuvonta", "osatyökyky"],
    },
}


# --- 12. Järvi-Savon ammattiopisto: tailored training for a hiring company ------------------

TASMAKOULUTUS = {
    "slug": "tasmakoulutus-rekrytoivalle-yritykselle",
    "organisation": "education-jarvi-savo",
    "author": _person("tero.savolainen"),
    "published_on": "2023-04-03",
    "content": {
        "language": "fi",
        "title": "Täsmäkoulutus rekrytoivan yrityksen tarpeeseen",
        "summary": (
            "Yritys, ammattiopisto ja työllisyysalue valitsevat yhdessä työnhakijat, jotka "
            "koulutetaan 3–5 kuukaudessa yrityksen avoimiin tehtäviin. Koulutus tapahtuu "
            "pääosin yrityksessä."
        ),
        "problem": """\
Metalli- ja puualan yritykset Etelä-Savossa eivät löydä osaavia työntekijöitä, vaikka
alueella on työttömiä, joilla olisi kiinnostusta ja perusvalmiudet. Pitkät tutkintokoulutukset
eivät vastaa yrityksen välittömään tarpeeseen.""",
        "method": """\
1. **Tarpeen määrittely.** Yritys kertoo, montako työntekijää ja mihin tehtäviin se tarvitsee.
2. **Yhteinen valinta.** Työllisyysalue ohjaa hakijat; valinta tehdään haastattelulla ja
   työnäytteellä yrityksessä.
3. **Koulutus.** Noin 70 % ajasta opiskellaan yrityksessä työpaikkaohjaajan kanssa ja 30 %
   oppilaitoksessa.
4. **Osatutkinto.** Koulutus rakennetaan ammatillisen tutkinnon osista, jotka voi myöhemmin
   täydentää tutkinnoksi.
5. **Työsopimus.** Yritys sitoutuu palkkaamaan hyväksytysti suorittaneet.""",
        "employer_cooperation": """\
Yritys osallistuu koulutuksen kustannuksiin (yhteishankintakoulutus) ja nimeää
työpaikkaohjaajat. Saimaan Konepaja on toteuttanut mallin kolmesti, viimeksi 12
levyseppähitsaajan koulutuksena.""",
        "results": """\
Vuosina 2021–2024 toteutettiin yhdeksän täsmäkoulutusta, joihin osallistui 96 henkilöä.
81 (84 %) suoritti koulutuksen ja 74 sai työsopimuksen. Ulkopuolinen arviointi totesi
mallin kustannustehokkaaksi verrattuna yleiseen työvoimakoulutukseen.""",
        "adoption": """\
- **Yhteistyö:** oppilaitos, työllisyysalue ja yritys sopivat rahoituksen jaosta.
- **Kustannus:** 4 000–7 000 euroa osallistujaa kohden alasta riippuen.
- **Aikataulu:** suunnittelusta koulutuksen alkuun noin kaksi kuukautta.
- **Yritys:** vähintään 5 rekrytointitarvetta samaan tehtävään.""",
        "target_groups": ["long_term_unemployed", "immigrants", "facing_redundancy"],
        "work_forms": ["salaried"],
        "regions": ["MK10", "MK11"],
        "stage": "spreading",
        "evidence": "evaluated",
        "tags": ["täsmäkoulutus", "yhteishankintakoulutus", "metalliala", "osatutkinto"],
    },
    "partners": [("employer-saimaan-konepaja", "accepted")],
    "adoptions": [
        {"organisation": "staffing-tyovoima-saimaa", "regions": ["MK09"], "since": "2024-02-01",
         "note": "Toteutamme mallia Lappeenrannan logistiikkayritysten kanssa."},
    ],
}


# --- 13. Saimaan Konepaja: the employer's own model ------------------------------------------

KUMMITYONTEKIJA = {
    "slug": "kummityontekija-konepajassa",
    "organisation": "employer-saimaan-konepaja",
    "author": _person("kari.lyytikainen"),
    "published_on": "2025-01-27",
    "content": {
        "language": "fi",
        "title": "Kummityöntekijä ja porrastettu aloitus konepajassa",
        "summary": (
            "Osatyökykyinen työntekijä aloittaa 4 tunnin päivillä, ja työaikaa pidennetään "
            "sovitusti. Kokenut kummityöntekijä on hänen työparinsa ensimmäiset kolme "
            "kuukautta."
        ),
        "problem": """\
Konepajassa osatyökykyiset työntekijät uupuivat aiemmin ensimmäisten viikkojen aikana,
kun työ alkoi heti täysillä tunneilla ja uusia asioita tuli paljon. Esihenkilöllä ei ollut
aikaa olla jatkuvasti tukena.""",
        "method": """\
1. **Aloitussuunnitelma.** Työntekijä, esihenkilö ja työhönvalmentaja sopivat, miten
   työaika kasvaa (esimerkiksi 4 → 6 → 7,5 tuntia kuukauden välein).
2. **Kummi.** Kokenut työntekijä, joka on itse halunnut tehtävään, on työparina.
   Kummille korvataan tehtävä 100 euron kuukausilisällä.
3. **Viikkopalaveri.** 15 minuuttia perjantaisin: mikä meni hyvin, mikä oli raskasta.
4. **Kolmen kuukauden arvio.** Sovitaan jatkosta ja tarvittavista muutoksista työhön.""",
        "employer_cooperation": """\
Malli on työnantajan oma. Yhteistyössä Savon Työvalmennuksen kanssa saamme työnhakijat ja
valmentajan tuen. Työterveyshuolto on mukana aloitussuunnitelmassa.""",
        "results": """\
Vuodesta 2022 konepajaan on palkattu yhdeksän osatyökykyistä työntekijää. Kahdeksan on
edelleen töissä, ja kuusi tekee täyttä työaikaa. Kummeina on toiminut seitsemän
työntekijää; sairauspoissaolot eivät ole lisääntyneet.""",
        "adoption": """\
- **Henkilöstö:** halukas kummityöntekijä ja esihenkilö, joka varaa viikoittaisen ajan.
- **Kustannus:** kummilisä ja alussa noin 10 % alempi tuottavuus; palkkatuki kattaa osan.
- **Tuki:** työhönvalmentaja aloitusvaiheessa.""",
        "target_groups": ["partially_able_to_work", "over_50"],
        "work_forms": ["salaried"],
        "regions": ["MK10"],
        "stage": "in_use",
        "evidence": "monitoring_data",
        "tags": ["työnantaja", "kummi", "porrastettu aloitus", "metalliala"],
    },
    "partners": [("ngo-savon-tyovalmennus", "invited")],
}


# --- drafts ----------------------------------------------------------------------------------

VERSTASPAIVAT = {
    "slug": "verstaspaivat",
    "organisation": "ngo-nuorisoverstas",
    "author": _person("tiina.kauppinen"),
    "published_on": None,
    "content": {
        "language": "fi",
        "title": "Verstaspäivät – pienkorjauksista kesätyöhön",
        "summary": (
            "Alle 30-vuotiaat tekevät verstaalla pieniä korjaustöitä ohjaajan kanssa ja "
            "pääsevät kesällä kokeilemaan työtä paikallisissa yrityksissä."
        ),
        "problem": """\
Monella nuorella ei ole kokemusta käsillä tekemisestä, vaikka se kiinnostaa.""",
        "method": """\
1. Verstaspäivät kahdesti viikossa.
2. Keväällä tutustumiskäynnit yrityksiin.
3. (kesken)""",
        "target_groups": ["youth"],
        "regions": ["MK10", "MK12"],
        "stage": "idea",
        "tags": ["nuoret", "työpaja"],
    },
}

DIGITUKI = {
    "slug": "digituki-kirjastoissa",
    "organisation": "ea-mikkeli",
    "author": _person("paivi.tuominen"),
    "published_on": None,
    "content": {
        "language": "fi",
        "title": "Työnhakijoiden digituki kirjastoissa",
        "summary": (
            "Työllisyysalueen asiantuntija päivystää kirjastoissa ja auttaa työnhaun "
            "verkkopalveluissa."
        ),
        "problem": """\
Osa työnhakijoista ei osaa käyttää työnhaun verkkopalveluja, ja asiointi jää tekemättä.""",
        "target_groups": ["over_50", "long_term_unemployed"],
        "regions": ["MK10"],
        "stage": "idea",
    },
}


PRACTICES: list[dict] = [
    RINNALLA,
    KESADUUNI,
    MUOKKAUS,
    OHJAAJA,
    ARBETSTRANING,
    MENTORSKAP,
    MENTORING_CIRCLES,
    RECRUITMENT_SPRINT,
    TULOSPOLKU,
    MUUTOSTURVA,
    KEVYTYRITTAJYYS,
    TASMAKOULUTUS,
    KUMMITYONTEKIJA,
    VERSTASPAIVAT,
    DIGITUKI,
]
