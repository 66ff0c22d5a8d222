"""The reform migration (58053d9bb1de) on a copy of the demo database: today's organisation
codes replace the old ones without losing a membership, call or application.

A fresh SQLite database of its own (never the session's): migrated to head, seeded with the
demo, downgraded to the revision before the reform (cfcc710a4266), copied, and upgraded again.
"""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from app import create_app

BEFORE = "cfcc710a4266"
REFORM = "58053d9bb1de"


def _app(root, name):
    return create_app("test", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / name}",
        "INSTANCE_DIR": root,
        "MAIL_DIR": str(root / "mail"),
        "UPLOAD_DIR": str(root / "uploads"),
        "SEARCH_INDEX_DIR": str(root / "search-index"),
    })


def _snapshot(path) -> dict:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        def ids(table):
            return set(conn.execute(sa.text(f"SELECT id FROM {table}")).scalars())  # noqa: S608

        snapshot = {
            "memberships": set(conn.execute(sa.text(
                "SELECT id, organisation_id, user_id, role, is_call_manager, is_reviewer "
                "FROM membership")).all()),
            "calls": ids("funding_call"),
            "applications": set(conn.execute(sa.text(
                "SELECT id, call_id, organisation_id, state FROM application")).all()),
            "organisations": dict(conn.execute(sa.text(
                "SELECT id, type FROM organisation")).all()),
            "names": dict(conn.execute(sa.text("SELECT id, name FROM organisation")).all()),
            "call_rows": {row.id: row for row in conn.execute(sa.text(
                "SELECT * FROM funding_call")).all()},
            "columns": {c["name"] for c in sa.inspect(conn).get_columns("organisation")},
        }
        snapshot["application_rows"] = {row.id: row for row in conn.execute(sa.text(
            "SELECT * FROM application")).all()}
        snapshot["organisation_rows"] = {row.id: row for row in conn.execute(sa.text(
            "SELECT * FROM organisation")).all()}
    engine.dispose()
    return snapshot


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """(before, after): the demo database downgraded to before the reform, and its copy
    upgraded to head again."""
    from flask_migrate import downgrade, upgrade

    from app.demo.seed import seed_demo
    from app.extensions import db

    root = tmp_path_factory.mktemp("reform-migration")
    app = _app(root, "demo.db")
    with app.app_context():
        upgrade(revision="heads")
        seed_demo(db.session)
        db.session.commit()
        # The schema before the reform has one organisation per Business ID: units sharing
        # one cannot go back there, so they are left out of this copy.
        db.session.execute(sa.text("DELETE FROM organisation WHERE unit_name <> ''"))
        db.session.commit()
        db.session.remove()
        downgrade(revision=BEFORE)
        db.engine.dispose()
    shutil.copy(root / "demo.db", root / "copy.db")
    before = _snapshot(root / "copy.db")
    copy = _app(root, "copy.db")
    with copy.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    return before, _snapshot(root / "copy.db")


def test_the_downgraded_copy_has_the_old_codes(migrated):
    before, _after = migrated
    types = set(before["organisations"].values())
    assert {"ely_centre", "employment_authority"} <= types
    assert not {"regional_authority", "employment_area"} & types
    assert "is_funding_authority" not in before["columns"]
    eligible = {code for row in before["call_rows"].values()
                for code in _json(row.eligible_types)}
    assert "employment_authority" in eligible and "employment_area" not in eligible
    assert before["memberships"] and before["calls"] and before["applications"]


def test_nothing_is_lost_and_the_codes_move(migrated):
    before, after = migrated
    assert after["memberships"] == before["memberships"]
    assert after["calls"] == before["calls"]
    assert after["applications"] == before["applications"]
    assert set(after["organisations"]) == set(before["organisations"])
    moves = {"ely_centre": "regional_authority", "employment_authority": "employment_area"}
    for org_id, old_type in before["organisations"].items():
        row = after["organisation_rows"][org_id]
        assert row.type == moves.get(old_type, old_type)
        # Every former ELY-centre is a funding authority; nothing else became one.
        assert bool(row.is_funding_authority) == (old_type == "ely_centre")
        assert row.name == before["names"][org_id]
    assert not {"ely_centre", "employment_authority"} & set(after["organisations"].values())


def test_calls_get_the_new_codes_and_the_authoritys_name(migrated):
    before, after = migrated
    for call_id, old in before["call_rows"].items():
        new = after["call_rows"][call_id]
        moves = {"ely_centre": "regional_authority", "employment_authority": "employment_area"}
        assert _json(new.eligible_types) == [moves.get(c, c) for c in _json(old.eligible_types)]
        assert new.authority_name == before["names"][old.organisation_id]
    decided = [row for row in after["application_rows"].values() if row.decided_at]
    assert decided
    for row in decided:
        call = after["call_rows"][row.call_id]
        assert row.authority_name == call.authority_name != ""
    for row in after["application_rows"].values():
        if not row.decided_at:
            assert row.authority_name == ""


def _json(value):
    import json

    return json.loads(value) if isinstance(value, str) else (value or [])
