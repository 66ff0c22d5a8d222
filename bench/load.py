"""Load run: reviewers scoring, applicants autosaving and anonymous searchers at once, against
gunicorn on 127.0.0.1, then every acknowledged write reconciled against the database.

    .venv/bin/python bench/load.py [--database sqlite|postgresql] [--pg-url URL]
        [--duration 180] [--reviewers 50] [--editors 50] [--searchers 20]
        [--reviews-each 2] [--think-min 1] [--think-max 3] [--timeout 30] [--seed 7]
        [--no-demo] [--no-index] [--json-out FILE] [--keep | --keep-dir DIR] [--write-results]
    .venv/bin/python bench/load.py --reconcile-only DIR   # again, on a kept run

A production-like instance in a temporary directory (KOHTAAMO_ENV=production, a random
SECRET_KEY, SERVER_BASE_URL on the chosen port, the project's gunicorn.conf.py): the database
is migrated, the demo data loaded and the search index built (what `flask db upgrade`,
`flask demo seed` and `flask search rebuild` do, in this process), and the bench adds an
ELY-centre with one reviewer per simulated reviewer (each with their own assigned
applications, declared free of conflict) and one organisation per simulated applicant (each
with its own draft application in an open call). Sessions are made as the log-in makes them
(a session row and the signed cookie); everything after that goes through HTTP exactly as the
browser sends it: the page is loaded, its CSRF token read from the `<meta>` element, and saves
are htmx POSTs to the real autosave endpoints with the form's fields, the version the page (or
the previous save) gave, and the `X-CSRFToken` header.

Every write carries a unique marker (`LOADMARK-<user>-<seq>`). Each user waits a random think
time between requests, and no two users write the same object, so a 409 is not expected (it is
counted on its own, not as a loss). After the run the database must hold, for every review and
every application section, exactly what the last acknowledged (2xx) write sent, with the
version that answer said it wrote; a later write whose answer never came (a timeout) may have
landed instead. Anything else is a lost write. Exit status 1 on a lost write or a 5xx.

PostgreSQL: the database of `--pg-url` is emptied (DROP SCHEMA public CASCADE) and created
first if missing (`runuser -u postgres -- createdb`): give it a database of its own.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
SECTION = "## Load run"
TARGET_P95_MS = 300
TEXT_SECTIONS = ("background", "target_group", "method", "employer_cooperation",
                 "expected_results", "dissemination", "horizontal_principles", "project")
CRITERIA = (  # (kind, title, weight)
    ("general", "Rahoituskelpoisuus", 0),
    ("general", "Kohderyhmä", 0),
    ("content", "Toteutettavuus", 25),
    ("content", "Työnantajayhteistyö", 25),
    ("content", "Tulokset", 20),
    ("horizontal", "Yhdenvertaisuus", 10),
    ("call_specific", "Työpaikkalähtöisyys", 20),
)
FALLBACK_QUERIES = ("työhönvalmennus", "osatyökykyiset", "nuoret Kainuu", "maahanmuuttajat",
                    "palkkatuki", "stödd anställning", "supported employment",
                    "mielenterveyskuntoutujat", "työkokeilu", "rekrytointi")
FALLBACK_TEXT = ("Hankkeessa kehitetään työnhakijoiden ja työnantajien kohtaamista. "
                 "Työhönvalmentaja tukee osallistujaa työpaikalla ja sopii työnantajan kanssa "
                 "tehtävien muokkaamisesta.")


# --- the instance ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_postgresql(url: str) -> None:
    """Create the bench database if missing (as the postgres OS user) and empty it."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        connection = psycopg.connect(plain, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
        parts = urllib.parse.urlsplit(plain)
        name, owner = parts.path.lstrip("/"), parts.username or "kohtaamo"
        subprocess.run(["runuser", "-u", "postgres", "--", "createdb",  # noqa: S603, S607
                        "-O", owner, name], check=True, timeout=60)
        connection = psycopg.connect(plain, autocommit=True, connect_timeout=10)
    with connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


def instance_env(tmp: Path, port: int, database_url: str) -> dict:
    return {**os.environ, "KOHTAAMO_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
            "SERVER_BASE_URL": f"http://127.0.0.1:{port}", "KOHTAAMO_INSTANCE_DIR": str(tmp),
            "DATABASE_URL": database_url, "SEARCH_INDEX_DIR": str(tmp / "search-index"),
            "UPLOAD_DIR": str(tmp / "uploads"), "MAIL_DIR": str(tmp / "mail"),
            "BIND": f"127.0.0.1:{port}", "PYTHONUNBUFFERED": "1",
            # The 20 searchers are 20 people who here share one address (127.0.0.1): the
            # per-client search limits would count them as one.
            "RATELIMIT_SEARCH": "1000000 per minute", "RATELIMIT_SEARCH_ALL": "1000000 per minute"}


def make_app(env: dict):
    """The application in this process, configured like the served instance."""
    os.environ.update({k: v for k, v in env.items() if k not in os.environ or
                       os.environ[k] != v})
    sys.path.insert(0, str(REPO))
    from app import create_app

    return create_app()


def _texts() -> list[str]:
    texts = []
    path = DATA / "practices_sample.jsonl"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            for key in ("summary", "problem", "method", "results"):
                value = item.get(key)
                if isinstance(value, str) and len(value) > 80:
                    texts.append(" ".join(value.split()))
    return texts or [FALLBACK_TEXT]


def _queries() -> list[str]:
    path = DATA / "search_queries_sample.jsonl"
    if not path.exists():
        return list(FALLBACK_QUERIES)
    return [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()] + list(FALLBACK_QUERIES)


@dataclass
class Plan:
    """What the seed made: per simulated reviewer their review ids, per applicant their
    application id; the criteria of the reviewed call (id, kind, scale max)."""

    reviewers: list[dict] = field(default_factory=list)  # {"user_id", "reviews": [ids]}
    editors: list[dict] = field(default_factory=list)  # {"user_id", "application_id"}
    criteria: list[list] = field(default_factory=list)  # [id, is_scored, scale_max]


def populate(app, reviewers: int, editors: int, per_reviewer: int) -> Plan:
    """The bench's own people and objects, beside the demo data."""
    from app.applications.models import Application, ApplicationState
    from app.auth.models import User
    from app.calls.models import Call, CallState, Criterion
    from app.extensions import db
    from app.organisations.models import Membership, Organisation, OrganisationStatus, Role
    from app.reviews.models import Declaration, Review

    now = datetime.now(UTC)
    plan = Plan()
    with app.app_context():
        session = db.session
        centre = Organisation(name="Kuormitustestin ELY-keskus", business_id="9900000-1",
                              type="regional_authority", is_funding_authority=True,
                              status=OrganisationStatus.verified, verified_at=now)
        session.add(centre)
        reviewed = Call(organisation=centre, state=CallState.published,
                        title_fi="Kuormitustestin arvioitava haku", description_fi="Kuvaus.",
                        theme="Työllisyys", opens_at=now - timedelta(days=60),
                        closes_at=now - timedelta(days=1), published_at=now - timedelta(days=61),
                        total_budget_cents=10_000_000_00, eligible_types=["ngo"])
        open_call = Call(organisation=centre, state=CallState.published,
                         title_fi="Kuormitustestin avoin haku", description_fi="Kuvaus.",
                         theme="Työllisyys", opens_at=now - timedelta(days=5),
                         closes_at=now + timedelta(days=60), published_at=now - timedelta(days=6),
                         total_budget_cents=10_000_000_00, eligible_types=["ngo"])
        session.add_all([reviewed, open_call])
        criteria = [Criterion(call=reviewed, position=n, kind=kind, title=title, weight=weight)
                    for n, (kind, title, weight) in enumerate(CRITERIA)]
        session.add_all(criteria)
        session.flush()
        organisations, people = [], []
        for n in range(editors):
            organisation = Organisation(
                name=f"Kuormitusyhdistys {n} ry", business_id=f"98{n:05d}-{n % 10}", type="ngo",
                status=OrganisationStatus.verified, verified_at=now)
            user = User(email=f"hakija{n}@load.example", name=f"Hakija {n}", password_hash="!",  # noqa: S106
                        language="fi", email_verified_at=now)
            session.add_all([organisation, user, Membership(organisation=organisation, user=user,
                                                            role=Role.editor)])
            draft = Application(call=open_call, organisation=organisation,
                                state=ApplicationState.draft, project_name=f"Kuormitushanke {n}",
                                created_by=user, section_versions={})
            session.add(draft)
            organisations.append(organisation)
            people.append((user, draft))
        reviewer_rows = []
        for n in range(reviewers):
            user = User(email=f"arvioija{n}@load.example", name=f"Arvioija {n}",
                        password_hash="!", language="fi",  # noqa: S106 - no log-in
                        email_verified_at=now)
            session.add_all([user, Membership(organisation=centre, user=user, role=Role.member,
                                              is_reviewer=True)])
            reviews = []
            for k in range(per_reviewer):
                submitted = now - timedelta(days=1, minutes=n * per_reviewer + k)
                lead = organisations[(n * per_reviewer + k) % len(organisations)] \
                    if organisations else Organisation(
                        name=f"Hakija {n}-{k} ry", business_id=f"97{n:03d}{k:02d}-1",
                        type="ngo", status=OrganisationStatus.verified, verified_at=now)
                application = Application(
                    call=reviewed, organisation=lead, state=ApplicationState.in_review,
                    project_name=f"Arvioitava hanke {n}-{k}", summary="Tiivistelmä.",
                    support_cents=200_000_00, own_cents=20_000_00, first_submitted_at=submitted,
                    submitted_at=submitted, revision_count=1, section_versions={})
                review = Review(application=application, call_id=reviewed.id, reviewer=user,
                                assigned_at=submitted, declaration=Declaration.no_conflict,
                                declared_at=now, scored_revision=1)
                session.add_all([application, review])
                reviews.append(review)
            reviewer_rows.append((user, reviews))
        session.commit()
        plan.criteria = [[c.id, c.is_scored, c.scale_max or 0] for c in criteria]
        plan.editors = [{"user_id": u.id, "application_id": a.id} for u, a in people]
        plan.reviewers = [{"user_id": u.id, "reviews": [r.id for r in rs]}
                          for u, rs in reviewer_rows]
    return plan


def session_cookie(app, user_id: int) -> str:
    """A signed-in session of the user, as the log-in makes it: (cookie name, value)."""
    from app.auth.models import UserSession
    from app.auth.sessions import _hash
    from app.extensions import db

    token = secrets.token_urlsafe(32)
    with app.app_context():
        db.session.add(UserSession(user_id=user_id, token_hash=_hash(token)))
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        return serializer.dumps({"_user_id": token, "_fresh": True})


def gunicorn_settings(env: dict) -> dict:
    """workers, threads and worker class as the project's gunicorn.conf.py sets them."""
    import runpy

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        values = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {"workers": values.get("workers", 1), "threads": values.get("threads", 1),
            "worker_class": values.get("worker_class", "sync"),
            "timeout": values.get("timeout", 30), "keepalive": values.get("keepalive", 2)}


def start_gunicorn(tmp: Path, env: dict, port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = (tmp / "gunicorn.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(gunicorn), "-c", str(REPO / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
         "wsgi:app"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {tmp / 'gunicorn.log'}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                conn.close()
                return process
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    stop_gunicorn(process)
    raise RuntimeError("gunicorn did not answer within 90 s")


def warm_up(port: int, parallel: int, pages: list[tuple[str, str]]) -> None:
    """Untimed requests in parallel, so that every worker has answered each kind of page once
    (a worker's first requests compile templates and load the search dictionaries). `pages`:
    (path, Cookie header) of signed-in pages."""
    def hit():
        for path, cookie in [("/", ""), ("/search?q=ty%C3%B6", ""), ("/calls", ""),
                             ("/search?q=arbete", ""), *pages]:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", path, headers={"Connection": "close", "Cookie": cookie})
                conn.getresponse().read()
                conn.close()
            except OSError:
                pass

    for _round in range(2):
        threads = [threading.Thread(target=hit, daemon=True) for _ in range(parallel)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# --- the simulated users ---------------------------------------------------------------------


class Stats:
    """Answers per endpoint (status, seconds) and the writes with what they sent."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[tuple[int, float]]] = {}
        self.failures: dict[str, dict[str, int]] = {}  # endpoint -> exception kind -> count
        self.writes: list[dict] = []
        self.answered: dict[str, tuple[str, int]] = {}  # request id -> (endpoint, status)
        self.ids = itertools.count(1)
        self.refusals: list[dict] = []  # the first answers other than 2xx, for diagnosis

    def sample(self, endpoint: str, status: int, seconds: float, request_id: str) -> None:
        with self.lock:
            self.samples.setdefault(endpoint, []).append((status, seconds))
            self.answered[request_id] = (endpoint, status)

    def failure(self, endpoint: str, kind: str) -> None:
        with self.lock:
            per = self.failures.setdefault(endpoint, {})
            per[kind] = per.get(kind, 0) + 1

    def write(self, record: dict) -> None:
        with self.lock:
            self.writes.append(record)


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Browser:
    """One person's connection: a new connection per request (as a proxy opens them to
    gunicorn), the session cookie kept up to date, a timeout on every request."""

    def __init__(self, port: int, cookie: tuple[str, str] | None, stats: Stats, timeout: float):
        self.port, self.stats, self.timeout = port, stats, timeout
        self.cookie_name, self.cookie_value = cookie or (None, None)
        self.csrf: str | None = None

    def request(self, method: str, path: str, endpoint: str, form: dict | None = None,
                htmx: bool = False) -> tuple[int | None, str]:
        # The id ties the answer to the server's log line.
        request_id = f"load-{next(self.stats.ids):08d}"
        headers = {"Connection": "close", "Accept-Language": "fi", "X-Request-ID": request_id}
        if self.cookie_name:
            headers["Cookie"] = f"{self.cookie_name}={self.cookie_value}"
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers.update({"HX-Request": "true", "HX-Current-URL": f"http://127.0.0.1{path}"})
            if self.csrf:
                headers["X-CSRFToken"] = self.csrf
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            elapsed = time.perf_counter() - started
            for header in response.msg.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                if name == self.cookie_name:
                    self.cookie_value = rest.split(";", 1)[0]
        except TimeoutError:
            self.stats.failure(endpoint, "timeout")
            return None, ""
        except (OSError, http.client.HTTPException) as exc:
            self.stats.failure(endpoint, type(exc).__name__)
            return None, ""
        finally:
            conn.close()
        self.stats.sample(endpoint, response.status, elapsed, request_id)
        if response.status >= 400 and len(self.stats.refusals) < 20:
            fields = {k: (v if len(v) < 80 else f"{v[:60]}... ({len(v)} characters)")
                      for k, v in (form or {}).items() if k != "csrf_token"}
            self.stats.refusals.append({"endpoint": endpoint, "status": response.status,
                                        "request_id": request_id, "form": fields,
                                        "answer": re.sub(r"\s+", " ", text)[:600]})
        if method == "GET" and response.status == 200:
            match = CSRF_META.search(text)
            if match:
                self.csrf = match.group(1)
        return response.status, text


def _sleep_until(seconds: float, deadline: float) -> bool:
    """Think; False when the run's end comes first."""
    end = time.monotonic() + seconds
    if end >= deadline:
        time.sleep(max(0.0, deadline - time.monotonic()))
        return False
    time.sleep(seconds)
    return True


def _paragraph(rng: random.Random, texts: list[str], marker: str, limit: int = 3000) -> str:
    """One to three paragraphs of real service-model text, within the field's limit, and the
    marker."""
    parts = rng.sample(texts, k=min(len(texts), rng.randint(1, 3)))
    # Line breaks as a browser sends a textarea's: CR LF.
    return "\r\n\r\n".join(parts)[:limit - len(marker) - 4].strip() + f"\r\n\r\n{marker}"


def reviewer(plan: dict, criteria: list, browser: Browser, stats: Stats, rng: random.Random,
             texts: list[str], think: tuple[float, float], deadline: float) -> None:
    """Opens each assigned review, then autosaves the scoring form: a score or two changed, a
    criterion's comment and the overall comment rewritten, every save marked."""
    who = f"r{plan['user_id']}"
    version: dict[int, str] = {}
    values: dict[int, dict] = {}
    seq = 0
    version_pattern = re.compile(r'<input[^>]*\bname="version"[^>]*\bvalue="(\d+)"')

    def open_review(review_id: int) -> bool:
        status, text = browser.request("GET", f"/reviews/{review_id}", "GET /reviews/<id>")
        match = version_pattern.search(text) if status == 200 else None
        if match:
            version[review_id] = match.group(1)
        return match is not None

    for review_id in plan["reviews"]:
        open_review(review_id)
        values[review_id] = {"recommendation": "fund", "proposed_amount": "",
                             "overall_comment": ""}
        for criterion_id, is_scored, scale in criteria:
            if is_scored:
                values[review_id][f"criterion-{criterion_id}-score"] = str(rng.randint(0, scale))
            else:
                values[review_id][f"criterion-{criterion_id}-passed"] = "yes"
            values[review_id][f"criterion-{criterion_id}-comment"] = ""
    while _sleep_until(rng.uniform(*think), deadline):
        review_id = rng.choice(plan["reviews"])
        if review_id not in version or rng.random() < 0.1:
            open_review(review_id)  # a reload, as after a while away
            continue
        seq += 1
        marker = f"LOADMARK-{who}-{seq}"
        form = values[review_id]
        criterion_id, is_scored, scale = rng.choice(criteria)
        if is_scored:
            form[f"criterion-{criterion_id}-score"] = str(rng.randint(0, scale))
        else:
            form[f"criterion-{criterion_id}-passed"] = rng.choice(("yes", "no"))
        form[f"criterion-{criterion_id}-comment"] = f"Perustelu {marker}"
        form["overall_comment"] = _paragraph(rng, texts, marker)
        form["recommendation"] = rng.choice(("fund", "fund_with_conditions", "do_not_fund"))
        form["proposed_amount"] = str(rng.randint(50, 200) * 1000)
        sent = dict(form)
        status, text = browser.request(
            "POST", f"/reviews/{review_id}/autosave", "POST /reviews/<id>/autosave",
            {"csrf_token": browser.csrf or "", **sent, "version": version[review_id]},
            htmx=True)
        wrote = None
        if status == 200:
            match = version_pattern.search(text)
            wrote = int(match.group(1)) if match else None
            if match:
                version[review_id] = match.group(1)
        elif status is None or status == 409 or status >= 500:
            version.pop(review_id, None)  # reload before the next save
        stats.write({"kind": "review", "key": str(review_id), "user": who, "seq": seq,
                     "marker": marker, "status": status, "version": wrote, "sent": sent})


def editor(plan: dict, browser: Browser, stats: Stats, rng: random.Random, texts: list[str],
           think: tuple[float, float], deadline: float) -> None:
    """Opens the application, then autosaves one text section after another, every save
    marked."""
    who = f"e{plan['user_id']}"
    application_id = plan["application_id"]
    path = f"/calls/applications/{application_id}"
    versions: dict[str, str] = {}
    seq = 0

    def open_page() -> None:
        status, text = browser.request("GET", path, "GET /calls/applications/<id>")
        if status != 200:
            return
        for value, key in re.findall(
                r'name="section_version" value="(\d+)" id="version-(\w+)"', text):
            versions[key] = value

    open_page()
    while _sleep_until(rng.uniform(*think), deadline):
        if not versions or rng.random() < 0.1:
            open_page()
            continue
        key = rng.choice(TEXT_SECTIONS)
        if key not in versions:
            open_page()
            continue
        seq += 1
        marker = f"LOADMARK-{who}-{seq}"
        if key == "project":
            sent = {"project_name": f"Kuormitushanke {plan['user_id']}",
                    "summary": _paragraph(rng, texts, marker, limit=2000)}
        else:
            sent = {key: _paragraph(rng, texts, marker)}
        status, text = browser.request(
            "POST", f"{path}/sections/{key}/autosave",
            "POST /calls/applications/<id>/sections/<s>/autosave",
            {"csrf_token": browser.csrf or "", "section_version": versions[key], **sent},
            htmx=True)
        wrote = None
        if status == 200:
            match = re.search(rf'name="section_version" value="(\d+)" id="version-{key}"', text)
            wrote = int(match.group(1)) if match else None
            if match:
                versions[key] = match.group(1)
        elif status is None or status == 409 or status >= 500:
            versions.clear()
        stats.write({"kind": "section", "key": f"{application_id}/{key}", "user": who,
                     "seq": seq, "marker": marker, "status": status, "version": wrote,
                     "sent": sent})


def searcher(browser: Browser, rng: random.Random, queries: list[str],
             think: tuple[float, float], deadline: float) -> None:
    """Anonymous searches, sometimes the second page."""
    while _sleep_until(rng.uniform(*think), deadline):
        params = {"q": rng.choice(queries)}
        if rng.random() < 0.15:
            params["page"] = "2"
        browser.request("GET", "/search?" + urllib.parse.urlencode(params), "GET /search")


# --- reconciliation ----------------------------------------------------------------------------


def stored_state(app, writes: list[dict]) -> dict[tuple[str, str], dict]:
    """What the database holds for every object written: the fields the writes sent, as a
    form would show them, and the version."""
    from app.applications.models import Application, section_version
    from app.extensions import db
    from app.reviews.models import Review

    state: dict[tuple[str, str], dict] = {}
    keys = {(w["kind"], w["key"]) for w in writes}
    with app.app_context():
        for kind, key in sorted(keys):
            if kind == "review":
                review = db.session.get(Review, int(key))
                values = {"recommendation": review.recommendation.value
                          if review.recommendation else "",
                          "proposed_amount": "" if review.proposed_cents is None
                          else str(review.proposed_cents // 100),
                          "overall_comment": review.overall_comment or ""}
                for score in review.scores:
                    prefix = f"criterion-{score.criterion_id}"
                    if score.passed is not None:
                        values[f"{prefix}-passed"] = "yes" if score.passed else "no"
                    if score.score is not None:
                        values[f"{prefix}-score"] = str(score.score)
                    values[f"{prefix}-comment"] = score.comment or ""
                state[(kind, key)] = {"values": values, "version": review.lock_version}
            else:
                application_id, section = key.split("/")
                application = db.session.get(Application, int(application_id))
                names = ("project_name", "summary") if section == "project" else (section,)
                state[(kind, key)] = {
                    "values": {n: getattr(application, n) or "" for n in names},
                    "version": section_version(application, section)}
        db.session.remove()
    return state


def _matches(sent: dict, values: dict) -> bool:
    return all(values.get(name, "") == value.replace("\r\n", "\n").strip()
               for name, value in sent.items())


def reconcile(writes: list[dict], state: dict) -> dict:
    """Lost writes: an object whose stored values are not those of its last acknowledged write
    (nor of a later write whose answer never came); version errors: acknowledged versions that
    do not rise by one, or a stored version other than the last acknowledged one's."""
    by_key: dict[tuple[str, str], list[dict]] = {}
    for write in writes:
        by_key.setdefault((write["kind"], write["key"]), []).append(write)
    lost, version_errors, unanswered_landed, details = 0, 0, 0, []
    for key, items in by_key.items():
        items.sort(key=lambda w: w["seq"])
        acked = [w for w in items if w["status"] is not None and 200 <= w["status"] < 300]
        if not acked:
            continue
        last = acked[-1]
        stored = state[key]
        if _matches(last["sent"], stored["values"]) and stored["version"] == last["version"]:
            pass
        else:
            later = [w for w in items if w["seq"] > last["seq"] and w["status"] is None]
            landed = next((w for w in reversed(later)
                           if _matches(w["sent"], stored["values"])), None)
            if landed is not None:
                unanswered_landed += 1
            else:
                lost += 1
                details.append(f"{key[0]} {key[1]}: last acknowledged {last['marker']} "
                               f"(version {last['version']}) not stored; stored version "
                               f"{stored['version']}")
        previous = None
        for write in acked:
            if write["version"] is None or (previous is not None
                                            and write["version"] != previous + 1):
                version_errors += 1
                details.append(f"{key[0]} {key[1]}: {write['marker']} acknowledged version "
                               f"{write['version']} after {previous}")
            previous = write["version"]
    acked_total = sum(1 for w in writes if w["status"] is not None and 200 <= w["status"] < 300)
    return {"writes_sent": len(writes), "writes_acknowledged": acked_total,
            "objects_written": len(by_key), "lost_writes": lost,
            "version_errors": version_errors, "unanswered_writes_landed": unanswered_landed,
            "conflicts_409": sum(1 for w in writes if w["status"] == 409),
            "details": details[:20]}


# --- the report --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summarise(stats: Stats, duration: float) -> dict:
    endpoints = {}
    for endpoint, samples in sorted(stats.samples.items()):
        times = [s for _status, s in samples]
        statuses: dict[str, int] = {}
        for status, _s in samples:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        endpoints[endpoint] = {
            "requests": len(samples), "per_second": len(samples) / duration,
            "p50_ms": statistics.median(times) * 1000, "p95_ms": percentile(times, 0.95) * 1000,
            "p99_ms": percentile(times, 0.99) * 1000, "max_ms": max(times) * 1000,
            "statuses": statuses, "failures": stats.failures.get(endpoint, {})}
    for endpoint, failures in stats.failures.items():
        endpoints.setdefault(endpoint, {"requests": 0, "statuses": {}, "failures": failures})
    all_statuses = [s for samples in stats.samples.values() for s, _t in samples]
    client_errors: dict[str, int] = {}
    for status in all_statuses:
        if 400 <= status < 500:
            client_errors[str(status)] = client_errors.get(str(status), 0) + 1
    return {"endpoints": endpoints, "requests": len(all_statuses),
            "server_errors": sum(1 for s in all_statuses if s >= 500),
            "client_errors": client_errors,
            "no_answer": sum(sum(f.values()) for f in stats.failures.values())}


def server_side(log: str, stats: Stats) -> dict:
    """From the application's request log (one JSON line per request): the server's own time
    per endpoint for the run's requests, and answers whose status the log does not confirm."""
    times: dict[str, list[float]] = {}
    logged: dict[str, int] = {}
    for line in log.splitlines():
        if "kohtaamo.request" not in line or "{" not in line:
            continue
        try:
            entry = json.loads(line[line.index("{"):])
        except ValueError:
            continue
        answered = stats.answered.get(entry.get("request_id", ""))
        if answered is not None:
            logged[entry["request_id"]] = int(entry.get("status", 0))
            times.setdefault(answered[0], []).append(float(entry.get("duration_ms", 0)))
    mismatched = sum(1 for rid, (_e, status) in stats.answered.items()
                     if rid in logged and logged[rid] != status)
    return {"p95_ms": {e: percentile(t, 0.95) for e, t in times.items()},
            "logged": len(logged), "status_mismatches": mismatched}


def print_report(result: dict) -> None:
    print(f"\nMachine: {result['machine']}")
    print(f"Database: {result['database']}; gunicorn: {result['gunicorn']}")
    print(f"Load average before / after: {result['load_before']} / {result['load_after']}; "
          f"the load generator used {result['client_cpu_percent']} % of one CPU")
    print(f"Users: {result['users']}; think time {result['think']} s; "
          f"duration {result['duration']} s")
    server = result["server"]["p95_ms"]
    print(f"\n{'endpoint':58} {'n':>6} {'/s':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"
          f" {'srv p95':>7}  statuses")
    for endpoint, e in result["summary"]["endpoints"].items():
        if not e["requests"]:
            print(f"{endpoint:58} {0:>6}  failures {e['failures']}")
            continue
        print(f"{endpoint:58} {e['requests']:>6} {e['per_second']:>5.1f} {e['p50_ms']:>7.1f} "
              f"{e['p95_ms']:>7.1f} {e['p99_ms']:>7.1f} {e['max_ms']:>7.1f} "
              f"{server.get(endpoint, float('nan')):>7.1f}  {e['statuses']}"
              + (f" no answer {e['failures']}" if e["failures"] else ""))
    s, r = result["summary"], result["reconciliation"]
    if result["stuck_users"]:
        print(f"\n{result['stuck_users']} users were still waiting at the hard stop")
    print(f"\nRequests {s['requests']}, 5xx {s['server_errors']}, 4xx {s['client_errors']}, "
          f"no answer {s['no_answer']}")
    print(f"Writes sent {r['writes_sent']}, acknowledged {r['writes_acknowledged']} on "
          f"{r['objects_written']} objects; 409 conflicts {r['conflicts_409']}; "
          f"unanswered writes that landed {r['unanswered_writes_landed']}")
    print(f"LOST WRITES {r['lost_writes']}, version errors {r['version_errors']}")
    for line in r["details"]:
        print(f"  {line}")
    for refusal in result["refusals"][:5]:
        print(f"  {refusal['status']} {refusal['endpoint']} ({refusal['request_id']}): "
              f"{refusal['answer'][:300]}\n    sent {refusal['form']}")
    print(f"Server log: {result['server']['logged']} of the answered requests logged, "
          f"{result['server']['status_mismatches']} with another status than the answer")
    if result.get("log_errors"):
        print(f"gunicorn log: {result['log_errors']} error lines (see the kept directory)")
    slow = [k for k, e in s["endpoints"].items() if e.get("p95_ms", 0) > TARGET_P95_MS]
    print(f"Targets: lost writes 0 ({'met' if not r['lost_writes'] else 'MISSED'}), 5xx 0 "
          f"({'met' if not s['server_errors'] else 'MISSED'}), p95 ≤ {TARGET_P95_MS} ms per "
          f"endpoint ({'met' if not slow else 'MISSED: ' + ', '.join(slow)})")


def write_results(result: dict, command: str) -> None:
    s, r = result["summary"], result["reconciliation"]
    lines = [
        f"### {result['database']} ({date.today().isoformat()})", "",
        f"Command: `{command}`", "",
        f"Machine: {result['machine']}. gunicorn: {result['gunicorn']}.", "",
        f"Load average (1, 5, 15 min) before: {result['load_before']}; after: "
        f"{result['load_after']}. The load generator itself (same machine) used "
        f"{result['client_cpu_percent']} % of one CPU.", "",
        f"Users: {result['users']}; think time uniform {result['think']} s between requests; "
        f"{result['duration']} s.", "",
        "| endpoint | requests | per s | p50 ms | p95 ms | p99 ms | max ms | server p95 ms "
        "| answers |",
        "|---|---|---|---|---|---|---|---|---|"]
    for endpoint, e in s["endpoints"].items():
        if e["requests"]:
            answers = ", ".join(f"{k}: {v}" for k, v in sorted(e["statuses"].items()))
            if e["failures"]:
                answers += ", no answer: " + ", ".join(f"{k} {v}" for k, v in
                                                       e["failures"].items())
            lines.append(f"| `{endpoint}` | {e['requests']} | {e['per_second']:.1f} | "
                         f"{e['p50_ms']:.0f} | {e['p95_ms']:.0f} | {e['p99_ms']:.0f} | "
                         f"{e['max_ms']:.0f} | "
                         f"{result['server']['p95_ms'].get(endpoint, float('nan')):.0f} | "
                         f"{answers} |")
    lines += [
        "",
        f"Requests {s['requests']}; 5xx: **{s['server_errors']}**; 4xx: "
        f"{s['client_errors'] or 'none'}; without an answer: {s['no_answer']}. Writes sent "
        f"{r['writes_sent']}, acknowledged {r['writes_acknowledged']} on "
        f"{r['objects_written']} objects; 409: {r['conflicts_409']}; lost writes: "
        f"**{r['lost_writes']}**; version errors: {r['version_errors']}.", ""]
    path = REPO / "bench" / "RESULTS.md"
    text = path.read_text(encoding="utf-8")
    if SECTION not in text:
        text = (text.rstrip("\n") + f"\n\n{SECTION}\n\n(Written by `bench/load.py "
                "--write-results`; see the docstring for what the run does.)\n")
    path.write_text(text.rstrip("\n") + "\n\n" + "\n".join(lines), encoding="utf-8")
    print("Appended the run to the load section of bench/RESULTS.md")


# --- main --------------------------------------------------------------------------------------


def run(args) -> dict:
    sys.path.insert(0, str(REPO))
    from bench.search import load, machine

    tmp = Path(args.keep_dir) if args.keep_dir else Path(
        tempfile.mkdtemp(prefix="kohtaamo-load-"))
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    if args.database == "postgresql":
        prepare_postgresql(args.pg_url)
        database_url = args.pg_url
    else:
        database_url = f"sqlite:///{tmp / 'kohtaamo.db'}"
    env = instance_env(tmp, port, database_url)
    print(f"Instance in {tmp} ({args.database}); preparing ...", flush=True)
    started = time.monotonic()

    def step(name: str) -> None:
        print(f"  {name} ({time.monotonic() - started:.0f} s)", flush=True)

    # What `flask db upgrade`, `flask demo seed` and `flask search rebuild` do, in this
    # process (each command would import the application again).
    app = make_app(env)
    with app.app_context():
        from flask_migrate import upgrade

        from app.demo.seed import seed_demo
        from app.extensions import db
        from app.search import indexer, store

        upgrade()
        step("migrated")
        if not args.no_demo:
            seed_demo(db.session)
            db.session.commit()
            step("demo data loaded")
    plan = populate(app, args.reviewers, args.editors, args.reviews_each)
    step("bench data added")
    if not args.no_index:
        with app.app_context():
            indexer.rebuild(store.index_root())
            db.session.remove()
        step("search index built")
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    cookies = {p["user_id"]: session_cookie(app, p["user_id"])
               for p in plan.reviewers + plan.editors}
    (tmp / "plan.json").write_text(json.dumps({**asdict(plan), "env": {
        k: env[k] for k in ("KOHTAAMO_INSTANCE_DIR", "DATABASE_URL", "SEARCH_INDEX_DIR")}}))
    print(f"  prepared in {time.monotonic() - started:.0f} s", flush=True)

    settings = gunicorn_settings(env)
    process = start_gunicorn(tmp, env, port)
    pages = [(f"/reviews/{p['reviews'][0]}", f"{cookie_name}={cookies[p['user_id']]}")
             for p in plan.reviewers[:1]]
    pages += [(f"/calls/applications/{p['application_id']}",
               f"{cookie_name}={cookies[p['user_id']]}") for p in plan.editors[:1]]
    warm_up(port, settings["workers"] * max(1, settings["threads"]), pages)
    stats = Stats()
    rng = random.Random(args.seed)
    texts, queries = _texts(), _queries()
    think = (args.think_min, args.think_max)
    load_before = load()
    threads = []
    cpu_before = time.process_time()
    begin = time.monotonic()
    deadline = begin + args.duration
    try:
        for person in plan.reviewers:
            browser = Browser(port, (cookie_name, cookies[person["user_id"]]), stats,
                              args.timeout)
            threads.append(threading.Thread(target=reviewer, daemon=True, args=(
                person, plan.criteria, browser, stats, random.Random(rng.random()), texts,
                think, deadline)))
        for person in plan.editors:
            browser = Browser(port, (cookie_name, cookies[person["user_id"]]), stats,
                              args.timeout)
            threads.append(threading.Thread(target=editor, daemon=True, args=(
                person, browser, stats, random.Random(rng.random()), texts, think, deadline)))
        for _ in range(args.searchers):
            threads.append(threading.Thread(target=searcher, daemon=True, args=(
                Browser(port, None, stats, args.timeout), random.Random(rng.random()), queries,
                think, deadline)))
        print(f"Running {len(threads)} users for {args.duration} s ...", flush=True)
        # People arrive over the first seconds, not all in the same millisecond.
        ramp = min(10.0, args.duration / 4)
        for thread in random.Random(args.seed).sample(threads, len(threads)):
            thread.start()
            time.sleep(ramp / len(threads))
        hard_stop = deadline + args.timeout + 10
        for thread in threads:
            thread.join(timeout=max(0.0, hard_stop - time.monotonic()))
        stuck = sum(1 for t in threads if t.is_alive())
        elapsed = time.monotonic() - begin
        client_cpu = time.process_time() - cpu_before
    finally:
        stop_gunicorn(process)
    load_after = load()
    with stats.lock:
        writes = list(stats.writes)
    (tmp / "writes.json").write_text(json.dumps(writes))
    log = (tmp / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
    result = {
        "machine": machine(), "database": "PostgreSQL" if args.database == "postgresql"
        else "SQLite", "gunicorn": settings, "load_before": load_before,
        "load_after": load_after, "think": f"{args.think_min}–{args.think_max}",
        "users": f"{args.reviewers} reviewers ({args.reviews_each} reviews each), "
                 f"{args.editors} applicants, {args.searchers} searchers",
        "duration": round(elapsed, 1), "stuck_users": stuck,
        "client_cpu_percent": round(100 * client_cpu / elapsed),
        "summary": summarise(stats, elapsed),
        "reconciliation": reconcile(writes, stored_state(app, writes)),
        "server": server_side(log, stats), "refusals": stats.refusals,
        "log_errors": sum(1 for line in log.splitlines()
                          if "Traceback" in line or "[ERROR]" in line or "CRITICAL" in line),
        "directory": str(tmp)}
    if not args.keep and not args.keep_dir:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def reconcile_only(directory: str) -> dict:
    """Reconcile a kept run again (e.g. after changing its database by hand)."""
    tmp = Path(directory)
    saved = json.loads((tmp / "plan.json").read_text())
    env = {**os.environ, "KOHTAAMO_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
           "SERVER_BASE_URL": "http://127.0.0.1", **saved["env"]}
    app = make_app(env)
    writes = json.loads((tmp / "writes.json").read_text())
    return {"reconciliation": reconcile(writes, stored_state(app, writes))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url",
                        default="postgresql://kohtaamo:kohtaamo@127.0.0.1/kohtaamo_bench")
    parser.add_argument("--duration", type=float, default=180)
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--reviews-each", type=int, default=2)
    parser.add_argument("--editors", type=int, default=50)
    parser.add_argument("--searchers", type=int, default=20)
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=3.0)
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds per request (gunicorn's worker timeout is 30 s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-demo", action="store_true", help="skip `flask demo seed`")
    parser.add_argument("--no-index", action="store_true",
                        help="skip building the search index (quicker; for the smoke test)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--keep-dir", help="use (and keep) this directory for the instance")
    parser.add_argument("--json-out", help="write the result as JSON here")
    parser.add_argument("--write-results", action="store_true",
                        help="append the run to the load section of bench/RESULTS.md")
    parser.add_argument("--reconcile-only", metavar="DIR",
                        help="only reconcile a run kept with --keep-dir DIR")
    args = parser.parse_args(argv)
    if args.reconcile_only:
        result = reconcile_only(args.reconcile_only)
        r = result["reconciliation"]
        print(f"Lost writes {r['lost_writes']}, version errors {r['version_errors']}")
        for line in r["details"]:
            print(f"  {line}")
    else:
        result = run(args)
        print_report(result)
        if args.write_results:
            write_results(result, "python bench/load.py " + " ".join(
                a for a in (argv if argv is not None else sys.argv[1:])
                if a != "--write-results"))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, indent=1, default=str))
    r = result["reconciliation"]
    failed = r["lost_writes"] or r["version_errors"] or (
        result.get("summary", {}).get("server_errors", 0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
