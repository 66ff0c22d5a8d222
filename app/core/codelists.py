"""Code lists with their Finnish, Swedish and English labels, in one place.

Forms, pages, facets, import and the API all read these. A label is chosen by the current
interface language (`label(code)`) or asked for explicitly (`label(code, "sv")`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.core.i18n import current_locale


def current_language() -> str:
    """The interface language (fi, sv or en); fi outside a request."""
    locale = current_locale()
    language = locale.language if locale else "fi"
    return language if language in ("fi", "sv", "en") else "fi"


@dataclass(frozen=True)
class CodeList:
    name: str
    labels: dict[str, tuple[str, str, str]]  # code -> (fi, sv, en)

    def __contains__(self, code: object) -> bool:
        return code in self.labels

    def __iter__(self):
        return iter(self.labels)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def label(self, code: str, language: str | None = None) -> str:
        """The label of `code` in `language` (default: the interface language)."""
        triple = self.labels.get(code)
        if triple is None:
            return code
        index = {"fi": 0, "sv": 1, "en": 2}.get(language or current_language(), 0)
        return triple[index]

    def choices(self, language: str | None = None) -> list[tuple[str, str]]:
        """(code, label) pairs for a form field, in the list's own order."""
        return [(code, self.label(code, language)) for code in self.labels]

    def all_labels(self, code: str) -> dict[str, str]:
        fi, sv, en = self.labels[code]
        return {"fi": fi, "sv": sv, "en": en}

    def clean(self, codes: Iterable[str]) -> list[str]:
        """Known codes only, in list order, without duplicates."""
        wanted = set(codes)
        return [code for code in self.labels if code in wanted]


ORGANISATION_TYPES = CodeList(
    "organisation_type",
    {
        "ngo": ("Järjestö tai yhdistys", "Organisation eller förening", "Non-profit organisation"),
        "staffing_firm": ("Henkilöstöpalveluyritys", "Bemanningsföretag", "Staffing firm"),
        "employer": ("Työnantaja", "Arbetsgivare", "Employer"),
        "education": ("Oppilaitos", "Läroanstalt", "Education provider"),
        "municipality": ("Kunta", "Kommun", "Municipality"),
        "employment_area": ("Työllisyysalue", "Sysselsättningsområde", "Employment area"),
        "wellbeing_county": ("Hyvinvointialue", "Välfärdsområde", "Wellbeing services county"),
        "regional_authority": (
            "Alueellinen viranomainen (ELY-keskus, elinvoimakeskus)",
            "Regional myndighet (NTM-central, livskraftscentral)",
            "Regional authority (ELY Centre, regional centre)",
        ),
        "national_authority": (
            "Valtakunnallinen viranomainen (ministeriö, KEHA-keskus, Kela)",
            "Nationell myndighet (ministerium, UF-centret, FPA)",
            "National authority (ministry, KEHA Centre, Kela)",
        ),
        "social_enterprise": (
            "Yhteiskunnallinen yritys tai osuuskunta",
            "Samhällsföretag eller andelslag",
            "Social enterprise or cooperative",
        ),
        "foundation": ("Säätiö", "Stiftelse", "Foundation"),
        "research": ("Tutkimuslaitos", "Forskningsinstitut", "Research organisation"),
        "te_office": (
            "TE-toimisto (historiallinen)", "TE-byrå (historisk)", "TE Office (historical)"
        ),
        "other": ("Muu", "Annan", "Other"),
    },
)

# Codes from before the reforms, read by the import (and moved by a migration): municipal
# employment areas took over the TE services on 1 January 2025; an ELY-centre is a regional
# authority (whether it funds is a capability granted by an administrator, not a type).
LEGACY_ORGANISATION_TYPES = {"employment_authority": "employment_area",
                             "ely_centre": "regional_authority"}

# Types kept for history only: no new organisation is registered with them.
HISTORICAL_ORGANISATION_TYPES = frozenset({"te_office"})

REGIONS = CodeList(
    "region",
    {
        "MK01": ("Uusimaa", "Nyland", "Uusimaa"),
        "MK02": ("Varsinais-Suomi", "Egentliga Finland", "Southwest Finland"),
        "MK04": ("Satakunta", "Satakunta", "Satakunta"),
        "MK05": ("Kanta-Häme", "Egentliga Tavastland", "Kanta-Häme"),
        "MK06": ("Pirkanmaa", "Birkaland", "Pirkanmaa"),
        "MK07": ("Päijät-Häme", "Päijänne-Tavastland", "Päijät-Häme"),
        "MK08": ("Kymenlaakso", "Kymmenedalen", "Kymenlaakso"),
        "MK09": ("Etelä-Karjala", "Södra Karelen", "South Karelia"),
        "MK10": ("Etelä-Savo", "Södra Savolax", "South Savo"),
        "MK11": ("Pohjois-Savo", "Norra Savolax", "North Savo"),
        "MK12": ("Pohjois-Karjala", "Norra Karelen", "North Karelia"),
        "MK13": ("Keski-Suomi", "Mellersta Finland", "Central Finland"),
        "MK14": ("Etelä-Pohjanmaa", "Södra Österbotten", "South Ostrobothnia"),
        "MK15": ("Pohjanmaa", "Österbotten", "Ostrobothnia"),
        "MK16": ("Keski-Pohjanmaa", "Mellersta Österbotten", "Central Ostrobothnia"),
        "MK17": ("Pohjois-Pohjanmaa", "Norra Österbotten", "North Ostrobothnia"),
        "MK18": ("Kainuu", "Kajanaland", "Kainuu"),
        "MK19": ("Lappi", "Lappland", "Lapland"),
        "MK21": ("Ahvenanmaa", "Åland", "Åland"),
    },
)

TARGET_GROUPS = CodeList(
    "target_group",
    {
        "partially_able_to_work": (
            "Osatyökykyiset",
            "Personer med partiell arbetsförmåga",
            "Partially able to work",
        ),
        "disabled": (
            "Vammaiset henkilöt", "Personer med funktionsnedsättning", "People with disabilities"
        ),
        "short_term_unemployed": (
            "Lyhytaikaisesti työttömät (3–6 kk)",
            "Korttidsarbetslösa (3–6 mån.)",
            "Short-term unemployed (3–6 months)",
        ),
        "over_50": ("Yli 50-vuotiaat", "Personer över 50 år", "Over 50"),
        "highly_educated": ("Korkeasti koulutetut", "Högutbildade", "Highly educated"),
        "immigrants": ("Maahanmuuttajat", "Invandrare", "Immigrants"),
        "youth": ("Nuoret", "Unga", "Young people"),
        "long_term_unemployed": (
            "Pitkäaikaistyöttömät", "Långtidsarbetslösa", "Long-term unemployed"
        ),
        "facing_redundancy": (
            "Irtisanomisuhan alaiset",
            "Personer som hotas av uppsägning",
            "Facing redundancy",
        ),
    },
)

WORK_FORMS = CodeList(
    "work_form",
    {
        "salaried": ("Palkkatyö", "Lönearbete", "Salaried work"),
        "entrepreneurship": ("Yrittäjyys", "Företagande", "Entrepreneurship"),
        "gig_work": ("Keikkatyö", "Gigarbete", "Gig work"),
        "light_entrepreneurship": ("Kevytyrittäjyys", "Lätt företagande", "Light entrepreneurship"),
    },
)

STAGES = CodeList(
    "stage",
    {
        "idea": ("Idea", "Idé", "Idea"),
        "piloting": ("Pilotointi", "Pilotering", "Piloting"),
        "in_use": ("Käytössä", "I bruk", "In use"),
        "spreading": ("Levitys", "Spridning", "Spreading"),
    },
)

EVIDENCE_LEVELS = CodeList(
    "evidence",
    {
        "none": ("Ei näyttöä vielä", "Inga belägg ännu", "No evidence yet"),
        "monitoring_data": ("Seurantatieto", "Uppföljningsdata", "Monitoring data"),
        "evaluated": ("Arvioitu", "Utvärderad", "Evaluated"),
        "comparison_group": ("Vertailuryhmä", "Jämförelsegrupp", "Comparison group"),
    },
)

LANGUAGES = CodeList(
    "language",
    {
        "fi": ("suomi", "finska", "Finnish"),
        "sv": ("ruotsi", "svenska", "Swedish"),
        "en": ("englanti", "engelska", "English"),
    },
)

ALL = {
    cl.name: cl
    for cl in (
        ORGANISATION_TYPES,
        REGIONS,
        TARGET_GROUPS,
        WORK_FORMS,
        STAGES,
        EVIDENCE_LEVELS,
        LANGUAGES,
    )
}

# The languages a service can be given in: the national ones first, then the commonest others.
SERVICE_LANGUAGES = CodeList(
    "service_language",
    {
        "fi": ("suomi", "finska", "Finnish"),
        "sv": ("ruotsi", "svenska", "Swedish"),
        "en": ("englanti", "engelska", "English"),
        "se": ("saame", "samiska", "Sámi"),
        "fse": ("suomalainen viittomakieli", "finländskt teckenspråk", "Finnish Sign Language"),
        "ru": ("venäjä", "ryska", "Russian"),
        "et": ("viro", "estniska", "Estonian"),
        "uk": ("ukraina", "ukrainska", "Ukrainian"),
        "ar": ("arabia", "arabiska", "Arabic"),
        "so": ("somali", "somaliska", "Somali"),
        "fa": ("persia", "persiska", "Persian"),
        "ku": ("kurdi", "kurdiska", "Kurdish"),
    },
)
