"""Projects benchmark: the ELY-centre's follow-up dashboard of a call with many funded
projects, the public project list and the public statistics page.

    .venv/bin/python bench/projects.py [--projects 300] [--requests 40] [--seed 7]
                                       [--workers 2] [--write-results]

Bulk-inserts into a fresh SQLite database in a temporary directory an ELY-centre with a call
manager, a closed call and N approved applications that are projects, each with four
progress reports (two accepted with figures, one submitted, one draft) and a payment claim
with two staff lines per accepted report. Then serves the application with gunicorn on
127.0.0.1 and times, one request at a time, `GET /calls/<id>/projects` as the call manager,
`GET /projects` and `GET /statistics` anonymously. Prints p50, p95 and p99 and the SQL
statements per request; `--write-results` replaces the "Projects benchmark" section of
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.review import (  # noqa: E402
    fresh_app,
    query_count,
    run_http,
    session_cookie,
    write_section,
)  # noqa: E402
from bench.search import load, machine  # noqa: E402

SECTION = "## Projects benchmark"
TARGET_P95_MS = 300
REGIONS = ("MK01", "MK02", "MK06", "MK10", "MK11", "MK13", "MK17", "MK19")


def _figures(rng: random.Random) -> dict:
    started = rng.randint(0, 40)
    women = rng.randint(0, started)
    young = rng.randint(0, started)
    unemployed = rng.randint(0, started)
    low = rng.randint(0, started)
    left = rng.randint(0, started)
    employed = rng.randint(0, left)
    referred = started + rng.randint(0, 10)
    declined = rng.randint(0, referred - started)
    return {
        "started": started, "women": women, "men": started - women, "gender_other": 0,
        "age_under_18": 0, "age_18_29": young, "age_30_54": started - young,
        "age_55_plus": 0, "unemployed": unemployed,
        "long_term_unemployed": rng.randint(0, unemployed), "inactive": started - unemployed,
        "employed_at_entry": 0, "disabled": rng.randint(0, started),
        "isced_0_2": low, "isced_3_4": started - low, "isced_5_8": 0,
        "foreign_background": rng.randint(0, started), "referred": referred,
        "referral_started": started, "referral_declined": declined,
        "referral_no_show": referred - started - declined, "left": left, "employed": employed,
        "wage_subsidy": rng.randint(0, employed), "business": 0,
        "education": rng.randint(0, left - employed), "other_positive": 0,
    }


def populate(app, projects: int, seed: int) -> float:
    from sqlalchemy import insert

    from app.applications.models import Application, ApplicationState, StaffLine
    from app.auth.models import User
    from app.calls.models import Call, CallState
    from app.extensions import db
    from app.organisations.models import (
        Membership,
        Organisation,
        OrganisationRegion,
        OrganisationStatus,
        Role,
    )
    from app.projects.models import ClaimLine, PaymentClaim, Project, Report

    started_at = time.perf_counter()
    rng = random.Random(seed)
    now = datetime.now(UTC)
    today = date.today()
    with app.app_context():
        leads = max(2, projects // 3)
        db.session.execute(insert(Organisation), [
            {"id": 1, "name": "Benchmarkin ELY-keskus", "business_id": "9000000-1",
             "type": "regional_authority", "is_funding_authority": True,
             "status": OrganisationStatus.verified, "verified_at": now},
            *({"id": 2 + n, "name": f"Toteuttaja {n} ry", "business_id": f"8{n:06d}-{n % 10}",
               "type": "ngo", "status": OrganisationStatus.verified, "verified_at": now}
              for n in range(leads))])
        db.session.execute(insert(OrganisationRegion), [
            {"organisation_id": 2 + n, "code": REGIONS[n % len(REGIONS)]} for n in range(leads)])
        db.session.execute(insert(User), [{
            "id": 1, "email": "hakuvastaava@example.fi", "name": "Hakuvastaava",
            "password_hash": "!", "language": "fi", "email_verified_at": now}])
        db.session.execute(insert(Membership), [
            {"organisation_id": 1, "user_id": 1, "role": Role.member, "is_call_manager": True}])
        db.session.execute(insert(Call), [{
            "id": 1, "organisation_id": 1, "state": CallState.published,
            "title_fi": "Benchmark-haku", "description_fi": "Kuvaus.", "theme": "Teema",
            "opens_at": now - timedelta(days=700), "closes_at": now - timedelta(days=600),
            "published_at": now - timedelta(days=701),
            "total_budget_cents": projects * 200_000_00, "eligible_types": ["ngo"]}])
        apps, lines, project_rows, reports, claims, claim_lines = [], [], [], [], [], []
        start = today - timedelta(days=400)
        for n in range(projects):
            pid = n + 1
            apps.append({
                "id": pid, "call_id": 1, "organisation_id": 2 + n % leads,
                "state": ApplicationState.approved, "project_name": f"Hanke {n:04d}",
                "summary": "Työllistämme osatyökykyisiä.", "start_date": start,
                "end_date": start + timedelta(days=729), "target_participants": 60,
                "target_employed": 20, "target_business_started": 2, "target_in_education": 10,
                "support_cents": 107_520_00, "own_cents": 26_880_00, "granted_cents": 107_520_00,
                "revision_count": 1, "created_at": now, "updated_at": now, "decided_at": now,
                "section_versions": {}})
            for k in range(2):
                lines.append({"id": 2 * n + k + 1, "application_id": pid, "position": k,
                              "role": f"Valmentaja {k + 1}", "kind": "monthly",
                              "months_centi": 2400, "fte_centi": 5000,
                              "monthly_salary_cents": 4_000_00})
            project_rows.append({
                "id": pid, "call_id": 1, "organisation_id": 2 + n % leads, "starts_on": start,
                "ends_on": start + timedelta(days=729), "granted_cents": 107_520_00,
                "approved_cost_cents": 134_400_00, "support_basis_points": 8000,
                "advance_cents": 0, "created_at": now})
            for number in range(1, 5):
                period_start = start + timedelta(days=182 * (number - 1))
                period_end = period_start + timedelta(days=181)
                state = {1: "accepted", 2: "accepted", 3: "submitted"}.get(number, "draft")
                report_id = len(reports) + 1
                reports.append({
                    "id": report_id, "project_id": pid, "number": number, "is_final": number == 4,
                    "period_start": period_start, "period_end": period_end,
                    "due_on": period_end + timedelta(days=60), "state": state,
                    "done": "Tehtiin.", "figures": _figures(rng) if state != "draft" else {},
                    "outcomes": {}, "vouchers": {}, "comments": {}, "reminders": {},
                    "revision_count": 1 if state != "draft" else 0, "updated_at": now})
                if state == "accepted":
                    claim_id = len(claims) + 1
                    claims.append({
                        "id": claim_id, "report_id": report_id, "project_id": pid,
                        "state": "approved", "claimed_eligible_cents": 33_600_00,
                        "claimed_support_cents": 26_880_00, "approved_eligible_cents": 33_600_00,
                        "approved_support_cents": 26_880_00, "advance_deducted_cents": 0,
                        "payable_cents": 26_880_00, "approved_at": now})
                    for k in range(2):
                        claim_lines.append({
                            "claim_id": claim_id, "position": k, "kind": "monthly",
                            "staff_line_id": 2 * n + k + 1, "label": f"Valmentaja {k + 1}",
                            "months_centi": 600, "fte_centi": 5000,
                            "monthly_salary_cents": 4_000_00, "claimed_cents": 12_000_00,
                            "approved_cents": 12_000_00})
        for table, rows in ((Application, apps), (StaffLine, lines), (Project, project_rows),
                            (Report, reports), (PaymentClaim, claims), (ClaimLine, claim_lines)):
            for chunk in range(0, len(rows), 1000):
                db.session.execute(insert(table), rows[chunk:chunk + 1000])
        db.session.commit()
    return time.perf_counter() - started_at


def write_results(args, insert_seconds, results, loads) -> None:
    def ms(x):
        return f"{x * 1000:.1f} ms"

    lines = [
        SECTION, "",
        f"Run {date.today().isoformat()} with `python bench/projects.py --projects "
        f"{args.projects} --requests {args.requests} --seed {args.seed} --workers "
        f"{args.workers} --write-results`.", "",
        f"Machine: {machine()}.", "",
        "Load average (1, 5, 15 min) before each phase: "
        + "; ".join(f"{phase} {value}" for phase, value in loads.items()) + ".", "",
        f"{args.projects} projects × 4 reports (2 accepted with figures and an approved claim "
        f"of 2 staff lines, 1 submitted, 1 draft); bulk insert {insert_seconds:.1f} s.", "",
        "| page | SQL statements | size | p50 | p95 | p99 | target p95 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, (queries, page) in results.items():
        lines.append(f"| `{name}` | {queries} | {page['bytes'] / 1024:.0f} KiB | "
                     f"{ms(page['median'])} | {ms(page['p95'])} | {ms(page['p99'])} | "
                     f"≤ {TARGET_P95_MS} ms |")
    lines += ["", "One request at a time to gunicorn on 127.0.0.1 (SQLite in a temporary "
              "directory), HTML rendering included, after warm-up requests.", ""]
    write_section(SECTION, lines)
    print("Wrote the projects section of bench/RESULTS.md")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=300)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--write-results", action="store_true",
                        help="write the projects section of bench/RESULTS.md")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kohtaamo-bench-projects-"))
    try:
        app, env = fresh_app(tmp)
        print(f"Machine: {machine()}")
        loads = {"start": load()}
        print(f"Inserting {args.projects} projects × 4 reports ...")
        insert_seconds = populate(app, args.projects, args.seed)
        print(f"  inserted in {insert_seconds:.1f} s")
        cookie = session_cookie(app, 1)
        results = {}
        for name, path, signed_in in (("/calls/1/projects", "/calls/1/projects", True),
                                      ("/projects", "/projects", False),
                                      ("/statistics", "/statistics", False)):
            loads[name] = load()
            queries = query_count(app, 1 if signed_in else None, path)
            page = run_http(tmp, env, cookie if signed_in else "", path, args.requests,
                            args.workers)
            if page is None:
                sys.exit(1)
            print(f"{name}: {queries} SQL statements, {page['bytes'] / 1024:.0f} KiB, "
                  f"p50 {page['median'] * 1000:.1f} ms, p95 {page['p95'] * 1000:.1f} ms, "
                  f"p99 {page['p99'] * 1000:.1f} ms")
            results[name] = (queries, page)
        if args.write_results:
            write_results(args, insert_seconds, results, loads)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
