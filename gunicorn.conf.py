"""gunicorn settings read from the project directory (`gunicorn wsgi:app`)."""


def post_worker_init(worker):
    """Load the search dictionaries when a worker starts, not in a visitor's first search."""
    from app.search.analysis import warm_up

    warm_up()
