"""WSGI entry point: `gunicorn wsgi:app` in production, `flask run` in development.

Set KOHTAAMO_ENV=development for local use (the Makefile does); production needs SECRET_KEY.
Under `flask run` the search dictionaries and the thesaurus map load in the background as
the server starts, so the first search does not wait for them (gunicorn workers do the same:
gunicorn.conf.py).
"""

import sys
import threading

from dotenv import load_dotenv

load_dotenv()

from app import create_app  # noqa: E402

app = create_app()

if len(sys.argv) > 1 and sys.argv[1] == "run" and not app.testing:
    from app.search import expansion
    from app.search.analysis import warm_up

    def _warm_up() -> None:
        warm_up()
        expansion.warm_up(app)

    threading.Thread(target=_warm_up, name="search-warm-up", daemon=True).start()
