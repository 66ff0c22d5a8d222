"""Search benchmark: index and query N generated service models.

    .venv/bin/python bench/search.py [--n 20000] [--queries 300] [--seed 7] [--no-http]
                                     [--sizes 5000,20000,100000] [--write-results]

Generates models of Finnish-like text (inflected and compound words from the word list below,
fixed seed), bulk-inserts them into a fresh SQLite database in a temporary directory, builds
the index through the same code as `flask search rebuild`, then runs one- to three-word
queries with facets and highlights through the search service, and through the /search page
and the API (`GET /api/v1/practices`) under gunicorn (2 workers), with the same queries.
Prints median, p95, p99 and queries per second, and the resident memory (RSS) of the
workers after the run.

`--sizes 5000,20000,100000` runs the whole benchmark once per size, each in a process and a
directory of its own, and prints how each figure grows (service, page and API p95, rebuild
time, index size, worker memory). `--write-results` writes that table, with the machine, the
load averages and the Python version, into its own section of bench/RESULTS.md (other
sections of the file are left as they are).

Targets at 20,000 models (issue 13): service p95 <= 15 ms, page p95 <= 25 ms, API p95 <= 25 ms,
rebuild <= 60 s with one process; page p95 at 100,000 models <= 60 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import resource
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


def run_service(app, queries, dump: str | None = None) -> dict:
    """Wall-clock percentiles of the service; "cpu": the same of the process's CPU time, which
    other work on the machine disturbs less (compare before/after changes with it). `dump`:
    write every query's results (ranked ids and scores, total, facet counts, highlights, the
    suggestion) as JSON lines, to check that a change leaves them identical."""
    from app.search.budget import Budget
    from app.search.service import search_practices

    times, cpu = [], []
    with app.app_context():
        for q, facets, sort in queries[:20]:  # warm up: dictionaries, caches
            search_practices(q, facets, sort, language="fi")
        for q, facets, sort in queries:
            t, c = time.perf_counter(), time.process_time()
            result = search_practices(q, facets, sort, page=1, per_page=20, language="fi")
            str(result.hits[0].excerpt) if result.hits else None
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        if dump:
            with open(dump, "w", encoding="utf-8") as out:
                for q, facets, sort in queries:
                    for page in (1, 2):
                        r = search_practices(q, facets, sort, page=page, per_page=20,
                                             language="fi", budget=Budget(None))
                        out.write(json.dumps({
                            "q": q, "facets": facets, "sort": sort, "page": page,
                            "total": r.total, "suggestion": [r.suggestion, r.suggestion_count],
                            "hits": [[h.id, h.score, str(h.title_html), str(h.excerpt), h.url,
                                      h.found_through] for h in r.hits],
                            "facet_counts": {k: [[v.code, v.count] for v in values]
                                             for k, values in r.facets.items()},
                        }, ensure_ascii=False) + "\n")
            print(f"Wrote the results of {len(queries)} queries (pages 1 and 2) to {dump}")
    found = percentiles(times)
    found["cpu"] = percentiles(cpu)
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _page_exists(app) -> bool:
    return any(rule.rule == "/search" for rule in app.url_map.iter_rules())


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _workers(master: int) -> list[int]:
    """gunicorn's worker processes (the children of its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                found.append(int(entry.name))
    return found


def run_http(tmp: Path, queries, env: dict, api: bool = True) -> dict | None:
    """The /search page and the API's /api/v1/practices, one request at a time over one
    keep-alive connection; {"page": ..., "api": ..., "rss_mib": [per worker]}."""
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

        def get(path, q, facets, sort):
            nonlocal conn
            params = [("q", q), ("sort", sort)] + [(k, v) for k, vs in facets.items() for v in vs]
            try:
                conn.request("GET", path + "?" + urllib.parse.urlencode(params))
                response = conn.getresponse()
            except (http.client.HTTPException, OSError):  # the server closed the connection
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", path + "?" + urllib.parse.urlencode(params))
                response = conn.getresponse()
            response.read()
            return response.status

        def measure(path):
            for q, facets, sort in queries[:40]:  # both workers load their dictionaries
                get(path, q, facets, sort)
            times = []
            for q, facets, sort in queries:
                t = time.perf_counter()
                status = get(path, q, facets, sort)
                times.append(time.perf_counter() - t)
                if status != 200:
                    print(f"  HTTP {status} for {path} {q!r}")
            return percentiles(times)

        found = {"page": measure("/search")}
        if api:
            found["api"] = measure("/api/v1/practices")
        conn.close()
        found["rss_mib"] = [_rss_kib(pid) / 1024 for pid in _workers(process.pid)]
        return found
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


def _api_exists(app) -> bool:
    return any(rule.rule == "/api/v1/practices" for rule in app.url_map.iter_rules())


def run_size(args) -> dict:
    """The benchmark at one size, in a temporary directory; the figures as a dict."""
    tmp = Path(tempfile.mkdtemp(prefix="kohtaamo-bench-"))
    env = {**os.environ, "KOHTAAMO_ENV": "development",
           "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
           "SEARCH_INDEX_DIR": str(tmp / "search-index"),
           "KOHTAAMO_INSTANCE_DIR": str(tmp),
           # One client sends hundreds of requests a minute: no rate limit in the benchmark.
           "RATELIMIT_API": "1000000 per minute",
           "RATELIMIT_SEARCH": "1000000 per minute",
           "RATELIMIT_SEARCH_ALL": "1000000 per minute",
           "KOHTAAMO_LEMMA_DICTIONARY": args.lemma_dictionary}
    os.environ.update({k: env[k] for k in ("KOHTAAMO_ENV", "DATABASE_URL", "SEARCH_INDEX_DIR",
                                           "KOHTAAMO_INSTANCE_DIR", "RATELIMIT_API",
                                           "RATELIMIT_SEARCH", "RATELIMIT_SEARCH_ALL")})
    lemma_dictionary = args.lemma_dictionary
    if lemma_dictionary == "small":  # the workers' tries, as `make install` builds them
        from app.search.analysis import build_tries

        build_tries(progress=lambda lang: print(f"Building the {lang} dictionary's trie"))
        lemma_dictionary = "small (tries)"
    figures: dict = {"n": args.n, "queries": args.queries, "seed": args.seed,
                     "procs": args.procs, "machine": machine(),
                     "lemma_dictionary": lemma_dictionary,
                     "python": platform.python_version()}
    try:
        from flask_migrate import upgrade

        from app import create_app
        from app.search import indexer
        from app.search.analysis import use_fast_dictionary

        app = create_app("development")
        with app.app_context():
            upgrade(revision="heads")
        corpus = Corpus(args.seed)
        print(f"Machine: {figures['machine']}")
        loads = figures["loads"] = {"start": load()}
        print(f"Load average at start: {loads['start']}")
        print(f"Generating and inserting {args.n} service models ...")
        figures["insert_s"] = populate(app, args.n, corpus)
        print(f"  inserted in {figures['insert_s']:.1f} s")

        loads["rebuild"] = load()
        with app.app_context():
            use_fast_dictionary()  # as `flask search rebuild` does
            started = time.perf_counter()
            cpu = time.process_time()
            built = indexer.rebuild(procs=args.procs)
            rebuild_seconds = figures["rebuild_s"] = time.perf_counter() - started
            figures["rebuild_cpu_s"] = time.process_time() - cpu
            # The peak memory of this process so far: the rebuild's, as the inserts before
            # it hold far less (the lemma dictionary and the posting pool).
            figures["rebuild_rss_mib"] = resource.getrusage(
                resource.RUSAGE_SELF).ru_maxrss / 1024
            info = indexer.status()
        figures["documents"] = built.documents
        figures["index_mib"] = info["size"] / 1_048_576
        print(f"Rebuild ({args.procs} indexing process{'es' if args.procs > 1 else ''}, "
              f"load before {loads['rebuild']}): {built.documents} documents in "
              f"{rebuild_seconds:.1f} s ({built.documents / rebuild_seconds:.0f} documents/s, "
              f"CPU {figures['rebuild_cpu_s']:.1f} s, peak memory "
              f"{figures['rebuild_rss_mib']:.0f} MiB), "
              f"index {figures['index_mib']:.0f} MB")

        queries = [corpus.query() for _ in range(args.queries)]
        loads["service"] = load()
        service = figures["service"] = run_service(app, queries, args.dump)
        print(f"Service, {len(queries)} queries (facet counts, page of 20, highlights): "
              f"median {service['median'] * 1000:.1f} ms, p95 {service['p95'] * 1000:.1f} ms, "
              f"p99 {service['p99'] * 1000:.1f} ms, {service['qps']:.0f} queries/s; CPU time "
              f"median {service['cpu']['median'] * 1000:.1f} ms, "
              f"p95 {service['cpu']['p95'] * 1000:.1f} ms")

        if args.no_http:
            print("Page and API: skipped (--no-http)")
        elif not _page_exists(app):
            print("Page: skipped, the /search page is not registered yet")
        else:
            loads["http"] = load()
            found = run_http(tmp, queries, env, api=_api_exists(app))
            if found:
                for name, label in (("page", "Page /search"), ("api", "API /api/v1/practices")):
                    if name in found:
                        m = figures[name] = found[name]
                        print(f"{label} under gunicorn (2 workers, one client): "
                              f"median {m['median'] * 1000:.1f} ms, p95 {m['p95'] * 1000:.1f} ms,"
                              f" p99 {m['p99'] * 1000:.1f} ms, {m['qps']:.0f} requests/s")
                figures["rss_mib"] = found["rss_mib"]
                print("Worker memory (RSS) after the run: "
                      + ", ".join(f"{r:.0f} MiB" for r in found["rss_mib"]))
        loads["end"] = load()
        print(f"Load average at end: {loads['end']}")
        return figures
    finally:
        if args.keep:
            print(f"Kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="service models")
    parser.add_argument("--sizes", help="comma-separated sizes, e.g. 5000,20000,100000: "
                                        "run each and print the growth table")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--procs", type=int, default=1, help="indexing processes")
    parser.add_argument("--no-http", action="store_true", help="skip the page and API")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--json-out", help="write the figures of the run as JSON here")
    parser.add_argument("--dump", help="write every query's results (JSON lines) here, to "
                                       "compare two versions of the code")
    parser.add_argument("--lemma-dictionary", choices=("small", "fast"), default="small",
                        help="simplemma backend of the gunicorn workers "
                             "(KOHTAAMO_LEMMA_DICTIONARY; production default: small, read "
                             "from the tries of `flask search dictionaries`)")
    parser.add_argument("--write-results", action="store_true",
                        help="write the figures into bench/RESULTS.md (its own section)")
    args = parser.parse_args()

    if args.sizes:
        rows = []
        for n in [int(x) for x in args.sizes.split(",") if x.strip()]:
            with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
                path = out.name
            command = [sys.executable, __file__, "--n", str(n), "--queries", str(args.queries),
                       "--seed", str(args.seed), "--procs", str(args.procs), "--json-out", path,
                       "--lemma-dictionary", args.lemma_dictionary]
            if args.no_http:
                command.append("--no-http")
            print(f"=== {n} service models ===", flush=True)
            subprocess.run(command, check=True)  # noqa: S603 - this script, fixed arguments
            rows.append(json.loads(Path(path).read_text(encoding="utf-8")))
            Path(path).unlink(missing_ok=True)
        print()
        print("\n".join(growth_table(rows)))
    else:
        rows = [run_size(args)]
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(rows[0]), encoding="utf-8")
    if args.write_results:
        write_results(args, rows)


def _ms(figures: dict, name: str, key: str = "p95") -> str:
    found = figures.get(name)
    return f"{found[key] * 1000:.1f} ms" if found else "not measured"


def growth_table(rows: list[dict]) -> list[str]:
    """How each figure grows with the number of models (one column per size)."""
    head = "| measure | " + " | ".join(f"{r['n']:,} models" for r in rows) + " | target |"
    lines = [head, "|---" * (len(rows) + 2) + "|"]

    def row(label, values, target=""):
        lines.append(f"| {label} | " + " | ".join(values) + f" | {target} |")

    row("documents indexed", [f"{r['documents']:,}" for r in rows])
    row("rebuild (one process)" if all(r["procs"] == 1 for r in rows) else "rebuild",
        [f"{r['rebuild_s']:.1f} s" for r in rows], "≤ 60 s at 20,000")
    row("rebuild CPU time / peak memory",
        [f"{r['rebuild_cpu_s']:.1f} s / {r['rebuild_rss_mib']:.0f} MiB"
         if "rebuild_cpu_s" in r else "not measured" for r in rows], "memory < 2 GB")
    row("index size", [f"{r['index_mib']:.0f} MB" for r in rows])
    row("service median", [_ms(r, "service", "median") for r in rows])
    row("service p95", [_ms(r, "service") for r in rows], "≤ 15 ms at 20,000")
    row("service CPU time median / p95",
        [f"{r['service']['cpu']['median'] * 1000:.1f} / {r['service']['cpu']['p95'] * 1000:.1f} ms"
         if "cpu" in r.get("service", {}) else "not measured" for r in rows])
    row("page median", [_ms(r, "page", "median") for r in rows])
    row("page p95", [_ms(r, "page") for r in rows], "≤ 25 ms at 20,000; ≤ 60 ms at 100,000")
    row("API median", [_ms(r, "api", "median") for r in rows])
    row("API p95", [_ms(r, "api") for r in rows], "≤ 25 ms at 20,000")
    row("workers' lemma dictionary (KOHTAAMO_LEMMA_DICTIONARY)",
        [r.get("lemma_dictionary", "small") for r in rows])
    row("worker memory (RSS, each of 2)",
        [" / ".join(f"{m:.0f} MiB" for m in r.get("rss_mib") or []) or "not measured"
         for r in rows])
    row("load average (1 min) at rebuild / queries / end",
        [f"{r['loads'].get('rebuild', '?').split()[0]} / "
         f"{r['loads'].get('service', '?').split()[0]} / {r['loads']['end'].split()[0]}"
         for r in rows])
    return lines


SECTION_START = "<!-- search-growth: written by bench/search.py --write-results -->"
SECTION_END = "<!-- /search-growth -->"


def write_results(args, rows: list[dict]) -> None:
    """Replace the growth section of bench/RESULTS.md (or add it after the first section's
    heading); the rest of the file is left as it is."""
    sizes = ",".join(str(r["n"]) for r in rows)
    command = (f"python bench/search.py --sizes {sizes} --queries {args.queries} "
               f"--seed {args.seed} --procs {args.procs}"
               f"{' --lemma-dictionary fast' if args.lemma_dictionary == 'fast' else ''}"
               f"{' --no-http' if args.no_http else ''} --write-results")
    lines = [
        SECTION_START,
        "## How search grows (issue 13)",
        "",
        f"Run {date.today().isoformat()} with `{command}`.",
        "",
        f"Machine: {rows[0]['machine']}.",
        "",
        "Load average (1, 5, 15 min) before each phase: "
        + "; ".join(f"{r['n']:,} models: "
                    + ", ".join(f"{phase} {value}" for phase, value in r["loads"].items())
                    for r in rows) + ".",
        "",
        *growth_table(rows),
        "",
        "Each size is a fresh database and index in a temporary directory. Queries: one to",
        "three generated words (inflected, some compounds, 5 % with a typo), 30 % with a facet",
        "value, 10 % sorted by newest; each returns the total, every facet's counts, a page of",
        "20 hits with highlighted excerpts. The page and the API get the same queries, one",
        "request at a time over one keep-alive connection to gunicorn (2 workers) on",
        "127.0.0.1, after 40 warm-up requests; worker memory is read after both.",
        SECTION_END,
    ]
    path = REPO / "bench" / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Search benchmark results\n"
    section = "\n".join(lines)
    if SECTION_START in text and SECTION_END in text:
        before, rest = text.split(SECTION_START, 1)
        after = rest.split(SECTION_END, 1)[1]
        text = before + section + after
    else:
        first, _, rest = text.partition("\n")
        text = f"{first}\n\n{section}\n{rest}"
    path.write_text(text, encoding="utf-8")
    print("Wrote the growth section of bench/RESULTS.md")


if __name__ == "__main__":
    main()
