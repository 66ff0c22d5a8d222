"""WSGI entry point: `gunicorn wsgi:app` in production, `flask run` in development.

Set KOHTAAMO_ENV=development for local use (the Makefile does); production needs SECRET_KEY.
"""

from dotenv import load_dotenv

load_dotenv()

from app import create_app  # noqa: E402

app = create_app()
