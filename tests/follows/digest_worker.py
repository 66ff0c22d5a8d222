"""One `flask follows digest` run in its own process, for test_digest_processes.py:

    python -m tests.follows.digest_worker DB_URL INSTANCE PERIOD GO_FILE

It builds the app, says "ready", waits (bounded) until GO_FILE exists so that both runs start
together, runs the real command and prints its output.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tests.concurrency.editor_worker import make_app


def main(url: str, instance: str, period: str, go_file: str) -> None:
    app = make_app(url, instance)
    runner = app.test_cli_runner()
    print("ready", flush=True)
    deadline = time.monotonic() + 60
    while not Path(go_file).exists():
        if time.monotonic() > deadline:
            raise SystemExit("no go signal within 60 s")
        time.sleep(0.01)
    result = runner.invoke(args=["follows", "digest", "--period", period, "--every", "10"])
    print(result.output, flush=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    sys.exit(result.exit_code)


if __name__ == "__main__":
    main(*sys.argv[1:])
