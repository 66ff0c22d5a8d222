"""Search benchmark: index and query N generated service models.

    .venv/bin/python bench/search.py [--n 20000] [--queries 300] [--seed 7] [--no-http]
                                     [--write-results]

Generates models of Finnish-like text (inflected and compound words from the word list below,
fixed seed), bulk-inserts them into a fresh SQLite database in a temporary directory, builds
the index through the same code as `flask search rebuild`, then runs one- to three-word
queries with facets and highlights through the search service, and through the /search page
under gunicorn (2 workers) when the page exists. Prints median, p95, p99 and queries per
second; `--write-results` also writes bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# Base words of the domain (nominative), which the generator inflects and compounds.
NOUNS = """
työ työnhakija työnantaja työpaikka työkyky työkokeilu valmennus valmentaja ohjaus
ohjaaja asiakas palvelu kunta alue yritys yrittäjä osaaminen koulutus kurssi taito
kieli tuki palkka sopimus hanke malli menetelmä tavoite tulos arviointi seuranta
verkosto kumppani yhteistyö kuntoutus terveys hyvinvointi nuori nuoriso aikuinen
maahanmuuttaja vamma apuväline esteettömyys rekrytointi haastattelu perehdytys
mentori vertainen ryhmä tiimi neuvonta kartoitus suunnitelma polku vaihe jakso
kokemus asiantuntija tieto raportti mittari rahoitus budjetti kustannus hankinta
tilaisuus tapahtuma messut keikka osuuskunta laskutus tulo vero eläke etuus
järjestö yhdistys säätiö oppilaitos opiskelija harjoittelu oppisopimus tutkinto
logistiikka varasto kauppa teollisuus rakennus hoiva siivous ravintola matkailu
kiinteistö maatalous metsä digitaito ohjelmisto sovellus verkko etätyö työaika
muutos turva irtisanominen rakennemuutos työttömyys työllisyys työllistyminen
""".split()

ADJECTIVES = """
uusi pitkäaikainen osatyökykyinen nuori kansainvälinen paikallinen alueellinen
yksilöllinen joustava kevyt tuettu matala monialainen kestävä digitaalinen
""".split()

VERBS = """
tukee ohjaa kehittää parantaa vahvistaa lisää auttaa edistää tarjoaa yhdistää
kokeilee arvioi seuraa levittää kouluttaa rekrytoi palkkaa valmentaa
""".split()

REGIONS = ["MK01", "MK02", "MK04", "MK05", "MK06", "MK07", "MK08", "MK09", "MK10", "MK11",
           "MK12", "MK13", "MK14", "MK15", "MK16", "MK17", "MK18", "MK19", "MK21"]
TARGET_GROUPS = ["partially_able_to_work", "disabled", "short_term_unemployed", "over_50",
                 "highly_educated", "immigrants", "youth", "long_term_unemployed",
                 "facing_redundancy"]
WORK_FORMS = ["salaried", "entrepreneurship", "gig_work", "light_entrepreneurship"]
STAGES = ["idea", "piloting", "in_use", "spreading"]
EVIDENCE = ["none", "monitoring_data", "evaluated", "comparison_group"]
ORG_TYPES = ["ngo", "staffing_firm", "employment_area", "employer", "education", "other"]


def _back(word: str) -> bool:
    return any(v in word for v in "aou")


def inflect(word: str, rng: random.Random) -> str:
    """A case form, with vowel harmony and the -nen and -us/-ys stems; consonant gradation
    is not modelled, so some forms are not real Finnish (as typos and rare words are not)."""
    a = "a" if _back(word) else "ä"
    if word.endswith("nen"):
        stem = word[:-3] + "s"
        return rng.choice([word, word, stem + "en", stem + "t" + a, stem + "et", stem + "i" + a,
                           stem + "elle", stem + "ten"])
    if word.endswith(("us", "ys", "os", "ös")):
        stem = word[:-1] + "kse"
        return rng.choice([word, word, stem + "n", word + "t" + a, stem + "t", stem + "en",
                           word[:-1] + "ksi" + a, stem + "ss" + a, stem + "lle"])
    if word[-1] not in "aeiouyäö":
        return word
    endings = ["", "", "n", "n", "t", a, f"ss{a}", f"st{a}", "lle", f"ll{a}", "ksi", "in",
               f"ll{a}an", "ille", "iden", f"iss{a}"]
    return word + rng.choice(endings)


class Corpus:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        rng = self.rng
        self.compounds = [a + b for a, b in
                          (rng.sample(NOUNS, 2) for _ in range(400)) if len(a + b) < 24]
        self.words = NOUNS * 3 + self.compounds + ADJECTIVES

    def word(self) -> str:
        return inflect(self.rng.choice(self.words), self.rng)

    def sentence(self, lo: int = 8, hi: int = 16) -> str:
        rng = self.rng
        parts = [self.word() for _ in range(rng.randint(lo, hi))]
        parts.insert(rng.randint(1, len(parts) - 1), rng.choice(VERBS))
        if rng.random() < 0.3:
            parts.insert(rng.randint(1, len(parts) - 1), rng.choice(["ja", "sekä", "tai", "myös"]))
        text = " ".join(parts)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def practice(self) -> dict:
        rng = self.rng
        title = self.sentence(3, 7).rstrip(".")
        return {
            "language": "fi",
            "title": title[:200],
            "summary": self.paragraph(2),
            "problem": self.paragraph(4),
            "method": "\n".join(f"{i}. **{self.word()}**: {self.sentence()}" for i in range(1, 6)),
            "employer_cooperation": self.paragraph(4),
            "results": self.paragraph(4),
            "adoption": self.paragraph(3),
            "target_groups": rng.sample(TARGET_GROUPS, rng.randint(1, 3)),
            "work_forms": rng.sample(WORK_FORMS, rng.randint(1, 2)),
            "regions": rng.sample(REGIONS, rng.randint(1, 2)),
            "stage": rng.choice(STAGES),
            "evidence": rng.choice(EVIDENCE),
            "tags": [self.word() for _ in range(rng.randint(2, 5))],
        }

    def query(self) -> tuple[str, dict, str]:
        rng = self.rng
        n = rng.choice([1, 1, 2, 2, 2, 3])
        words = [self.word() for _ in range(n)]
        if rng.random() < 0.05:
            w = words[0]
            if len(w) > 6:
                i = rng.randrange(1, len(w) - 1)
                words[0] = w[:i] + w[i + 1:]
        facets = {}
        if rng.random() < 0.3:
            facets[rng.choice(["regions", "target_groups", "stage"])] = []
            name = next(iter(facets))
            pool = {"regions": REGIONS, "target_groups": TARGET_GROUPS, "stage": STAGES}[name]
            facets[name] = [rng.choice(pool)]
        sort = "newest" if rng.random() < 0.1 else "relevance"
        return " ".join(words), facets, sort


# --- database ---------------------------------------------------------------------------------


def populate(app, n: int, corpus: Corpus) -> float:
    from sqlalchemy import insert

    from app.extensions import db
    from app.organisations.models import Organisation, OrganisationStatus
    from app.practices.models import Practice, PracticeState, PracticeVersion
    from app.practices.services import slugify

    started = time.perf_counter()
    rng = corpus.rng
    now = datetime.now(UTC)
    with app.app_context():
        orgs = []
        for i in range(1, max(2, n // 40) + 1):
            orgs.append({
                "id": i, "name": f"{corpus.word().capitalize()} {corpus.word()} ry",
                "business_id": f"{i:07d}-0", "type": rng.choice(ORG_TYPES),
                "description": corpus.paragraph(2), "expertise": corpus.sentence(),
                "status": OrganisationStatus.verified, "verified_at": now,
            })
        db.session.execute(insert(Organisation), orgs)
        batch_p, batch_v = [], []
        for i in range(1, n + 1):
            content = corpus.practice()
            published = now - timedelta(days=rng.randint(0, 2000))
            batch_p.append({
                **content, "id": i, "organisation_id": rng.randint(1, len(orgs)),
                "state": PracticeState.published, "slug": slugify(content["title"]),
                "created_at": published, "updated_at": published, "published_at": published,
                "first_published_on": published.date(), "version_count": 1,
                "current_version_id": i, "adoption_count": rng.choice([0, 0, 0, 1, 2, 5, 12]),
            })
            batch_v.append({"id": i, "practice_id": i, "number": 1, "content": content,
                            "created_at": published})
            if len(batch_p) == 2000 or i == n:
                db.session.execute(insert(Practice), batch_p)
                db.session.execute(insert(PracticeVersion), batch_v)
                batch_p, batch_v = [], []
        db.session.commit()
    return time.perf_counter() - started


# --- measuring --------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pct(p):
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    total = sum(samples)
    return {"median": statistics.median(ordered), "p95": pct(95), "p99": pct(99),
            "qps": len(samples) / total if total else 0.0}


def run_service(app, queries) -> dict:
    from app.search.service import search_practices

    times = []
    with app.app_context():
        for q, facets, sort in queries[:20]:  # warm up: dictionaries, caches
            search_practices(q, facets, sort, language="fi")
        for q, facets, sort in queries:
            t = time.perf_counter()
            result = search_practices(q, facets, sort, page=1, per_page=20, language="fi")
            str(result.hits[0].excerpt) if result.hits else None
            times.append(time.perf_counter() - t)
    return percentiles(times)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _page_exists(app) -> bool:
    return any(rule.rule == "/search" for rule in app.url_map.iter_rules())


def run_http(tmp: Path, queries, env: dict) -> dict | None:
    port = _free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "wsgi:app"], cwd=REPO, env=env, start_new_session=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    print("gunicorn did not start; skipping the page benchmark")
                    return None
                time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def get(q, facets, sort):
            params = [("q", q), ("sort", sort)] + [(k, v) for k, vs in facets.items() for v in vs]
            conn.request("GET", "/search?" + urllib.parse.urlencode(params))
            response = conn.getresponse()
            response.read()
            return response.status

        for q, facets, sort in queries[:40]:  # both workers load their dictionaries
            get(q, facets, sort)
        times = []
        for q, facets, sort in queries:
            t = time.perf_counter()
            status = get(q, facets, sort)
            times.append(time.perf_counter() - t)
            if status != 200:
                print(f"  HTTP {status} for {q!r}")
        conn.close()
        return percentiles(times)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def load() -> str:
    """The load averages (1, 5, 15 minutes): other work on the machine skews the figures."""
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1048576:.1f} GiB"
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}, RAM {ram}, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="service models")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--procs", type=int, default=1, help="indexing processes")
    parser.add_argument("--no-http", action="store_true", help="skip the page benchmark")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--write-results", action="store_true", help="write bench/RESULTS.md")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="kohtaamo-bench-"))
    env = {**os.environ, "KOHTAAMO_ENV": "development",
           "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
           "SEARCH_INDEX_DIR": str(tmp / "search-index"),
           "KOHTAAMO_INSTANCE_DIR": str(tmp)}
    os.environ.update({k: env[k] for k in ("KOHTAAMO_ENV", "DATABASE_URL", "SEARCH_INDEX_DIR",
                                           "KOHTAAMO_INSTANCE_DIR")})
    try:
        from flask_migrate import upgrade

        from app import create_app
        from app.search import indexer
        from app.search.analysis import use_fast_dictionary

        app = create_app("development")
        with app.app_context():
            upgrade(revision="heads")
        corpus = Corpus(args.seed)
        print(f"Machine: {machine()}")
        loads = {"start": load()}
        print(f"Load average at start: {loads['start']}")
        print(f"Generating and inserting {args.n} service models ...")
        insert_seconds = populate(app, args.n, corpus)
        print(f"  inserted in {insert_seconds:.1f} s")

        loads["rebuild"] = load()
        with app.app_context():
            use_fast_dictionary()  # as `flask search rebuild` does
            started = time.perf_counter()
            built = indexer.rebuild(procs=args.procs)
            rebuild_seconds = time.perf_counter() - started
            info = indexer.status()
        print(f"Rebuild ({args.procs} indexing process{'es' if args.procs > 1 else ''}, "
              f"load before {loads['rebuild']}): {built.documents} documents in "
              f"{rebuild_seconds:.1f} s ({built.documents / rebuild_seconds:.0f} documents/s), "
              f"index {info['size'] / 1_048_576:.0f} MB")

        queries = [corpus.query() for _ in range(args.queries)]
        loads["service"] = load()
        service = run_service(app, queries)
        print(f"Service, {len(queries)} queries (facet counts, page of 20, highlights): "
              f"median {service['median'] * 1000:.1f} ms, p95 {service['p95'] * 1000:.1f} ms, "
              f"p99 {service['p99'] * 1000:.1f} ms, {service['qps']:.0f} queries/s")

        page = None
        if args.no_http:
            print("Page: skipped (--no-http)")
        elif not _page_exists(app):
            print("Page: skipped, the /search page is not registered yet")
        else:
            loads["page"] = load()
            page = run_http(tmp, queries, env)
            if page:
                print(f"Page /search under gunicorn (2 workers, one client): "
                      f"median {page['median'] * 1000:.1f} ms, p95 {page['p95'] * 1000:.1f} ms, "
                      f"p99 {page['p99'] * 1000:.1f} ms, {page['qps']:.0f} requests/s")
        loads["end"] = load()
        print(f"Load average at end: {loads['end']}")
        if args.write_results:
            write_results(args, insert_seconds, rebuild_seconds, built.documents, info, service,
                          page, loads)
    finally:
        if args.keep:
            print(f"Kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def write_results(args, insert_seconds, rebuild_seconds, documents, info, service, page,
                  loads) -> None:
    def ms(x):
        return f"{x * 1000:.1f} ms"

    lines = [
        "# Search benchmark results",
        "",
        f"Run {date.today().isoformat()} with `python bench/search.py --n {args.n} "
        f"--queries {args.queries} --seed {args.seed} --procs {args.procs}"
        f"{' --no-http' if args.no_http else ''} --write-results`.",
        "",
        f"Machine: {machine()}.",
        "",
        "Load average (1, 5, 15 min) before each phase: "
        + "; ".join(f"{phase} {value}" for phase, value in loads.items()) + ".",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| service models | {args.n} | |",
        f"| bulk insert | {insert_seconds:.1f} s | |",
        f"| rebuild (`flask search rebuild` code path, {args.procs} indexing "
        f"process{'es' if args.procs > 1 else ''}) | {rebuild_seconds:.1f} s | ≤ 120 s |",
        f"| documents indexed | {documents} ({documents / rebuild_seconds:.0f} documents/s) | |",
        f"| index size | {info['size'] / 1_048_576:.0f} MB | |",
        f"| service median | {ms(service['median'])} | |",
        f"| service p95 | {ms(service['p95'])} | ≤ 60 ms |",
        f"| service p99 | {ms(service['p99'])} | |",
        f"| service throughput (one thread) | {service['qps']:.0f} queries/s | |",
    ]
    if page:
        lines += [
            f"| page median | {ms(page['median'])} | |",
            f"| page p95 | {ms(page['p95'])} | ≤ 100 ms |",
            f"| page p99 | {ms(page['p99'])} | |",
            f"| page throughput (one client, 2 workers) | {page['qps']:.0f} requests/s | |",
        ]
    else:
        lines.append("| page | not measured | |")
    lines += [
        "",
        "Queries: one to three generated words (inflected, some compounds, 5 % with a typo),",
        "30 % with a facet value, 10 % sorted by newest; each returns the total, every facet's",
        "counts, a page of 20 hits with highlighted excerpts.",
        "",
    ]
    (REPO / "bench" / "RESULTS.md").write_text("\n".join(lines), encoding="utf-8")
    print("Wrote bench/RESULTS.md")


if __name__ == "__main__":
    main()
