# Trajectory: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app trajectory
SECRET_FILE := instance/secret-key
# The static files (make static) and the manifest of their hashed names.
STATIC_SOURCES := $(shell find trajectory/static -type f)
STATIC_MANIFEST := build/static/cache_manifest.json
# Local runs: a generated secret key, plain http on 127.0.0.1, the demo accounts listed.
# PORT=5001 make run serves on another port.
PORT ?= 5000
RUN_ENV = TRAJECTORY_SECRET_KEY="$$(cat $(SECRET_FILE))" TRAJECTORY_SESSION_COOKIE_SECURE=false TRAJECTORY_DEMO_MODE=true

.PHONY: run dev test screenshots test-fast test-postgres test-browser serve install migrate demo lint i18n i18n-compile clean bench lock static docker-demo

# Installs exactly the versions in the lock file (hashes checked), then the app itself.
$(STAMP): pyproject.toml requirements-dev.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP) $(STATIC_MANIFEST)

## make lock: regenerate requirements.lock (runtime, the image) and requirements-dev.lock
## (runtime + dev, make install and CI) from pyproject.toml, with hashes, from PyPI only;
## the pins stay unless a new range needs another version (make lock LOCK_UPGRADE=--upgrade: newest)
LOCK_ENV = env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null
PIP_COMPILE = $(LOCK_ENV) $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_UPGRADE)
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev --constraint requirements.lock --output-file requirements-dev.lock pyproject.toml

## make static: build/static, the static files with content hashes in their names and gzip
## and brotli beside them (trajectory/assets.py; part of make install, rebuilt when one changes)
$(STATIC_MANIFEST): $(STAMP) $(STATIC_SOURCES)
	$(FLASK) assets build

static: $(STATIC_MANIFEST)

$(SECRET_FILE):
	mkdir -p instance
	$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))' > $(SECRET_FILE)
	chmod 600 $(SECRET_FILE)

migrate: install $(SECRET_FILE)
	$(RUN_ENV) $(FLASK) db upgrade

demo: migrate
	$(RUN_ENV) $(FLASK) demo --if-empty

## make run: install, migrate, load the demo on first start, serve http://127.0.0.1:5000 (PORT=5001 make run: another port)
run: demo
	$(RUN_ENV) $(FLASK) run --host 127.0.0.1 --port $(PORT)

## make dev: the same with the debugger and auto-reload (developers only)
dev: demo
	$(RUN_ENV) $(FLASK) run --debug --host 127.0.0.1 --port $(PORT)

## make serve: gunicorn as in production (set TRAJECTORY_SECRET_KEY and DATABASE_URL yourself)
serve: install
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

## make test: the whole suite (SQLite, plus the PostgreSQL and browser tests)
test: install
	$(BIN)/python -m pytest -n 2 -m "not browser"
	$(BIN)/python -m pytest -n 2 -m browser

test-fast: install
	$(BIN)/python -m pytest -n 2 -m "not browser"

## make test-postgres: the whole suite again with PostgreSQL as the database (one database per worker)
test-postgres: install
	TRAJECTORY_TEST_DB=postgres $(BIN)/python -m pytest -n 2 -m "not browser" -p no:randomly

## make test-browser: the browser tests on both cores (each worker its own live server and Chromium)
test-browser: install
	$(BIN)/python -m pytest -n 2 -m browser

## make screenshots: the browser tests, saving every page at 1280 and 360 px in test-artifacts/
screenshots: install
	TRAJECTORY_SCREENSHOTS=1 $(BIN)/python -m pytest -m browser

## make bench: build 1k and 100k candidates on SQLite and PostgreSQL, time every page under
## gunicorn, write docs/performance.md (BENCH_SIZES="1000 10000" BENCH_DATABASES=sqlite ...)
bench: install
	$(BIN)/python -m benchmarks

## make docker-demo: build the image, start PostgreSQL and Redis, migrate, load the demo and
## serve it on http://127.0.0.1:8000 (a .env with a generated key is written when missing)
docker-demo:
	test -f .env || printf 'TRAJECTORY_SECRET_KEY=%s\nPOSTGRES_PASSWORD=%s\nTRAJECTORY_DEMO_MODE=true\nTRAJECTORY_SESSION_COOKIE_SECURE=false\n' \
	  "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))')" \
	  "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(24))')" > .env
	docker compose build web
	docker compose up -d --wait db redis
	docker compose run --rm web flask --app trajectory db upgrade
	docker compose run --rm web flask --app trajectory demo --if-empty
	docker compose up -d --wait web
	curl -fsS http://127.0.0.1:$${TRAJECTORY_PORT:-8000}/readyz

lint: install
	$(BIN)/ruff check trajectory tests

## make i18n: extract messages, update the catalogues, compile them
i18n: install
	$(BIN)/pybabel extract --no-wrap --sort-by-file -F babel.cfg -k _l -k lazy_gettext -o trajectory/translations/messages.pot .
	$(BIN)/pybabel update --no-wrap -i trajectory/translations/messages.pot -d trajectory/translations
	$(BIN)/pybabel compile -d trajectory/translations

i18n-compile: install
	$(BIN)/pybabel compile -d trajectory/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build/static
