"""How long web writes wait while `flask practices import` runs (SQLite's single writer).

    .venv/bin/python bench/import_lock.py [--lines 5000] [--pause 0.05]

Makes a file SQLite instance with the demo data in a temporary directory, generates an import
file of `--lines` new service models, runs `flask practices import` on it in its own process
and, meanwhile, autosaves a draft service model through the real view (the app's normal busy
timeout) with a short pause between saves. Prints the import's time and the autosaves' count,
failures and wait p50/p95/max.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.ops.import_load import (  # noqa: E402
    autosave_while,
    make_world,
    percentile,
    start_import,
    write_import_file,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--pause", type=float, default=0.05, help="seconds between autosaves")
    parser.add_argument("--alone", action="store_true", help="the import only, no autosaves")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-lock-") as tmp:
        instance = Path(tmp)
        url = f"sqlite:///{instance / 'bench.db'}"
        app, practice_id, user_id = make_world(url, instance)
        path = write_import_file(instance / "import.jsonl", args.lines, "bench")
        started = time.monotonic()
        process = start_import(url, instance, path)
        output: dict = {}
        reader = threading.Thread(target=lambda: output.update(zip(
            ("out", "err"), process.communicate(timeout=1800), strict=True)), daemon=True)
        reader.start()
        if args.alone:
            reader.join(timeout=1800)
        else:
            saves = autosave_while(app, practice_id, user_id, lambda: process.poll() is None,
                                   pause=args.pause, deadline=1800)
            reader.join(timeout=60)
        seconds = time.monotonic() - started
        print(f"import of {args.lines} lines: exit {process.returncode}, {seconds:.1f} s")
        print("  " + (output.get("out") or "").strip().replace("\n", "\n  "))
        if args.alone:
            return
        waits = [w * 1000 for w in saves.waits]
        print(f"autosaves during the import: {len(waits)}, failed {len(saves.failures)}; "
              f"wait p50 {percentile(waits, 50):.0f} ms, p95 {percentile(waits, 95):.0f} ms, "
              f"max {max(waits):.0f} ms")
        for failure in saves.failures[:10]:
            print("  failed:", failure)


if __name__ == "__main__":
    main()
