"""Issue 13 §4: after `flask demo seed` every indexable row has its change-log row, so an index
built from the change log alone (the index directory deleted, then caught up) holds what the
database has and `flask search status` says "In step" (exit 0); rows without change-log rows
are reported as "Out of step: N models missing" (exit 3), not as "lag 0"."""

from __future__ import annotations

import re
import shutil

from sqlalchemy import delete, func, select

from app.core.changes import SearchChange
from app.demo.seed import seed_demo
from app.practices.models import Practice, PracticeState
from app.search import indexer, store
from app.search.cli import OUT_OF_STEP_EXIT


def _counts(output: str, label: str) -> dict[str, int]:
    line = next(line for line in output.splitlines() if line.startswith(f"{label}:"))
    return {kind: int(n) for kind, n in re.findall(r"(\w+) (\d+)", line)}


def test_the_seed_caught_up_from_the_change_log_alone_is_in_step(db, cli, search_index):
    seed_demo(db.session)
    db.session.commit()
    expected = indexer.indexable_counts()
    assert expected["practice"] > 0 and expected["organisation"] > 0 and expected["call"] > 0
    shutil.rmtree(search_index, ignore_errors=True)  # no index: only the change log to go by
    store.forget_handles()
    assert "Applied" in cli("update")

    output = cli("status")
    assert "In step:" in output and "Out of step" not in output
    assert "Lag:                 0 pending changes" in output
    assert _counts(output, "Documents") == expected == _counts(output, "Database")

    # An organisation and its models whose change-log rows are gone (as rows written
    # directly, bypassing the services, were before the seed recorded them): the index
    # rebuilt from the change log lacks them, and status says so.
    organisation_id, models = db.session.execute(
        select(Practice.organisation_id, func.count(Practice.id))
        .where(Practice.state == PracticeState.published)
        .group_by(Practice.organisation_id).order_by(func.count(Practice.id))).first()
    practice_ids = select(Practice.id).where(Practice.organisation_id == organisation_id)
    db.session.execute(delete(SearchChange).where(
        ((SearchChange.kind == "organisation") & (SearchChange.object_id == organisation_id))
        | ((SearchChange.kind == "practice") & SearchChange.object_id.in_(practice_ids))))
    db.session.commit()
    shutil.rmtree(search_index)
    store.forget_handles()
    cli("update")

    output = cli("status", code=OUT_OF_STEP_EXIT)
    assert "In step:" not in output
    assert "Lag:                 0 pending changes" in output  # not what tells the truth
    assert (f"Out of step:         {models} models missing, 1 organisations missing"
            in output)
    cli("rebuild")  # the remedy the line names
    assert "In step:" in cli("status")
