"""Search quality on the judged sample: recall@10 and mean reciprocal rank.

The sample models are imported with `flask practices import`'s code, every judged query of
search_queries_sample.jsonl is run through the search service, and a table is printed
(`pytest -s` shows it). Tuning is for the languages, not for these queries: other judged
queries are run against the same code.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from app.extensions import db as _db
from app.practices import importer
from app.practices.models import Practice
from app.search.service import search_practices

# The judged sample beside the repository (../shared/data) when it is there, so that a newer
# set of judged queries is what counts; otherwise the copies kept with the tests.
SHARED = Path(__file__).parents[2].parent / "shared" / "data"
PRACTICES = next(p for p in (SHARED / "practices_sample.jsonl",
                             Path(__file__).parents[1] / "practices" / "data"
                             / "practices_sample.jsonl") if p.exists())
QUERIES = next(p for p in (SHARED / "search_queries_sample.jsonl",
                           Path(__file__).parent / "data" / "search_queries_sample.jsonl")
               if p.exists())


def evaluate(queries: list[dict], ids: dict[int, str]) -> tuple[list[tuple], float, float]:
    rows = []
    for query in queries:
        result = search_practices(query["q"], per_page=10, language=query.get("lang"))
        ranked = [ids[hit.id] for hit in result.hits]
        relevant = set(query["relevant"])
        rank = ranked.index(query["primary"]) + 1 if query["primary"] in ranked else None
        recall = len(relevant & set(ranked[:10])) / len(relevant)
        first = next((i + 1 for i, ext in enumerate(ranked) if ext in relevant), None)
        rr = 1 / first if first else 0.0
        rows.append((query["q"], query.get("kind", ""), rank, recall, rr, result.total))
    recall_at_10 = sum(r[3] for r in rows) / len(rows)
    mrr = sum(r[4] for r in rows) / len(rows)
    return rows, recall_at_10, mrr


def test_recall_and_mrr_on_the_judged_sample(db):
    summary = importer.import_file(PRACTICES)
    assert summary.failed == 0
    ids = dict(_db.session.execute(select(Practice.id, Practice.external_id)).all())
    queries = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    rows, recall_at_10, mrr = evaluate(queries, ids)

    print()
    print(f"{'query':44} {'kind':13} {'rank':>4} {'R@10':>5} {'RR':>5} {'hits':>4}")
    for q, kind, rank, recall, rr, total in rows:
        print(f"{q[:44]:44} {kind[:13]:13} {rank or '-':>4} {recall:5.2f} {rr:5.2f} {total:4}")
    print(f"{'mean':58} {recall_at_10:5.3f} {mrr:5.3f}")

    assert recall_at_10 >= 0.9
    assert mrr >= 0.8
