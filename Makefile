# Kohtaamo: two commands for a newcomer.
#   make run   set everything up and serve the site with demo data on http://127.0.0.1:5000
#   make test  set everything up and run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask
export FLASK_APP := wsgi.py
export KOHTAAMO_ENV ?= development
# The tests other than the browser ones run in two processes (pytest-xdist), a file at a time
# per process; each process has its own SQLite file or PostgreSQL schema. PARALLEL= runs
# them in one.
PARALLEL ?= -n 2 --dist loadfile

.PHONY: run test install install-test assets translations dictionaries db demo lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

.stamp-install: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

.stamp-install-test: .stamp-install pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: .stamp-install assets translations dictionaries

install-test: .stamp-install-test assets translations dictionaries

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/vendor/.stamp: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/axe-core/axe.min.js static/vendor/axe.min.js
	touch $@

assets: static/vendor/.stamp

translations: .stamp-install
	$(BIN)/pybabel -q compile --use-fuzzy -d app/translations

# The lemma dictionaries as tries for the web workers (built once per machine, about 10 s).
dictionaries: .stamp-install
	$(FLASK) search dictionaries

db: install
	$(FLASK) db upgrade
	$(FLASK) search thesaurus import

demo: db
	$(FLASK) demo seed --if-empty
	$(FLASK) search rebuild --if-needed

run: demo
	$(FLASK) demo logins
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install-test
	$(BIN)/ruff check app tests bench
	env -u TEST_DATABASE_URL $(BIN)/pytest -m "not browser" $(PARALLEL)
	env -u TEST_DATABASE_URL $(BIN)/pytest -m browser
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again against PostgreSQL ($$TEST_DATABASE_URL) =="; \
		KOHTAAMO_ATTACK_EXAMPLES=$${KOHTAAMO_ATTACK_EXAMPLES:-50} $(BIN)/pytest -m "not browser" $(PARALLEL); \
	fi

lint: install-test
	$(BIN)/ruff check app tests bench

bench: install-test
	$(BIN)/python bench/search.py
	$(BIN)/python bench/review.py
	$(BIN)/python bench/projects.py

messages: .stamp-install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o app/translations/messages.pot app templates
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) node_modules static/vendor .stamp-* instance
