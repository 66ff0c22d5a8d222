"""Values for partner call tests (shared by the tests, the conftest and matrix.py)."""

from __future__ import annotations

from datetime import timedelta

from app.core import clock
from app.partners import services


def call_values(**overrides) -> services.PartnerCallInput:
    values = services.PartnerCallInput(
        title="Etsimme järjestökumppania ESR+-pilottiin",
        description="Haemme **järjestöä**, jolla on kokemusta työhönvalmennuksesta.",
        partner_kind="Järjestö, joka tuntee osatyökykyiset",
        partner_types=["ngo"], regions=["MK10"], target_groups=["partially_able_to_work"],
        languages=["fi"], deadline=clock.local_date() + timedelta(days=30))
    for key, value in overrides.items():
        setattr(values, key, value)
    return values


def form_data(**overrides) -> dict:
    """A valid POST body of the partner call form."""
    data = {
        "title": "Etsimme järjestökumppania ESR+-pilottiin",
        "description": "Haemme järjestöä työhönvalmennukseen.",
        "partner_kind": "Järjestö",
        "partner_types": ["ngo"], "regions": ["MK10"],
        "target_groups": ["partially_able_to_work"], "languages": ["fi"],
        "call_id": "", "practice_id": "",
        "deadline": (clock.local_date() + timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return data


