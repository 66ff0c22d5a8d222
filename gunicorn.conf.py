"""gunicorn settings: `gunicorn -c gunicorn.conf.py wsgi:app`.

Threaded workers (gthread): a slow client (a request sent a byte every few seconds) holds one
thread of one worker, not a whole worker, so a few slow connections no longer block the site
as they did with sync workers. In production nginx in front buffers requests and answers as
well (README), so slow clients are absorbed there; this is the second line.

Measured (tests/ops/test_slow_clients.py): with `sync` workers of one thread, 2 workers and 4
connections sending a byte every 2 s, normal requests time out (6 s and more); with this file
they are answered in well under a second. Note that gunicorn silently runs `sync` with
GUNICORN_THREADS > 1 as `gthread`: only one thread per worker gives the blocking `sync`.

Environment: BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers, default 2),
GUNICORN_THREADS (threads per worker, default 8), GUNICORN_TIMEOUT (seconds, default 30).
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Requests are small: a long request line or many/huge headers are refused (400/431).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# One line per request comes from the app (logger "kohtaamo.request"); gunicorn's own access
# log would repeat it.
accesslog = None
errorlog = "-"


def post_worker_init(worker):
    """Load the search dictionaries and build the thesaurus map when a worker starts, not
    in a visitor's first search."""
    from app.search import expansion
    from app.search.analysis import warm_up

    warm_up()
    expansion.warm_up(worker.wsgi)
