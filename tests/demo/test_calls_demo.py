"""The demo calls of issue 11: territory (one national call), contact persons, information
sessions, a real call notice, per-type support shares, and a call filed in EURA 2021 whose
draft application exports in EURA's order; seeding again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.applications.models import Application
from app.calls.models import Call, CallDocument, CallInfoSession, Filing
from app.demo.seed import seed_demo


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_demo_calls_show_the_call_settings(app, db, client, login_as):
    seed_demo(db.session)
    db.session.commit()
    calls = list(db.session.scalars(select(Call).order_by(Call.id)))
    assert any(c.is_national for c in calls) and any(c.regions for c in calls)
    assert all(c.contact_name and c.contact_email for c in calls if c.info_sessions)
    assert any(c.support_percent_by_type.get("municipality") == 70 for c in calls)
    eura_call = next(c for c in calls if c.filing == Filing.eura2021)
    assert eura_call.is_open() and eura_call.regions == ["MK10", "MK11"]
    notice = next(d for c in calls for d in c.documents if d.kind == "notice")
    download = client.get(f"/calls/{notice.call_id}/documents/{notice.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert b"startxref" in download.data and download.data.rstrip().endswith(b"%%EOF")
    page = client.get(f"/calls/{eura_call.id}").get_data(as_text=True)
    assert "The official application is filed in EURA 2021." in page
    assert "South Savo, North Savo" in page and "Information sessions" in page

    draft = db.session.scalar(select(Application).where(Application.call_id == eura_call.id))
    assert draft is not None and draft.state.value == "draft"
    login_as(draft.created_by)
    data = client.get(f"/calls/applications/{draft.id}/eura.json").get_json()
    budget = {i["key"]: i["value"] for s in data["sections"] if s["key"] == "budget"
              for i in s["items"]}
    assert budget["staff_costs"]["cents"] > 0

    counts = [_count(db, m) for m in (Call, CallDocument, CallInfoSession, Application)]
    again = seed_demo(db.session)
    db.session.commit()
    assert again.created["calls"] == 0
    assert [_count(db, m) for m in (Call, CallDocument, CallInfoSession, Application)] == counts
