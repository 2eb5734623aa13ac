# Two entry points: `make run` (the app on embedded defaults, with a demo couple) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
SQLITE_TEST_DB := sqlite:///$(CURDIR)/var/test.sqlite3

.PHONY: install run test lint

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The processes of the Procfile (web, worker, deliver worker, beat) under honcho, on the embedded
# defaults: SQLite and the filesystem broker. Ctrl-C, or a SIGTERM from outside, stops them all.
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@echo "Tandem is starting: the app at http://$(RUN_ADDRESS)/  (API docs: http://$(RUN_ADDRESS)/api/docs/)"
	@echo "Demo logins: sam@demo.tandem.app and alex@demo.tandem.app, password tandem-demo-2026"
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DJANGO_SETTINGS_MODULE=config.settings.dev \
	  GUNICORN_BIND=$(RUN_ADDRESS) WEB_CONCURRENCY=2 APP_BASE_URL=$(APP_BASE_URL) exec $(VENV)/bin/honcho start

RUN_ADDRESS ?= 127.0.0.1:8000
# The links in invites, emails and pushes point at the address the app is served at, unless set.
APP_BASE_URL ?= http://$(RUN_ADDRESS)

# The browser tests (tests/web/) drive Debian's Chromium by its path: Playwright cannot download a
# browser of its own here. Installed when missing (as root, or with sudo); never skipped: a machine
# that cannot have it fails here.
CHROMIUM := /usr/bin/chromium
APT_CHROMIUM := env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

.PHONY: chromium
chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then as_root=""; \
	  elif command -v sudo >/dev/null; then as_root="sudo"; \
	  else echo "make test needs $(CHROMIUM): run 'apt-get install -y chromium' as root" >&2; exit 1; fi; \
	  command -v apt-get >/dev/null || { echo "make test needs $(CHROMIUM) (Debian's chromium package)" >&2; exit 1; }; \
	  echo "Installing Chromium for the browser tests"; \
	  $$as_root $(APT_CHROMIUM) || { $$as_root apt-get update && $$as_root $(APT_CHROMIUM); }; \
	  test -x $(CHROMIUM) || { echo "Chromium could not be installed at $(CHROMIUM)" >&2; exit 1; }; \
	}

# The alert rules (monitoring/alerts.yml) are checked by promtool (tests/test_metrics.py), from
# Debian's prometheus package (the server is installed beside it, and not started). Installed when
# missing, as Chromium is.
PROMTOOL := /usr/bin/promtool
APT_PROMTOOL := env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus

.PHONY: promtool
promtool:
	@test -x $(PROMTOOL) || { \
	  if [ "$$(id -u)" = 0 ]; then as_root=""; \
	  elif command -v sudo >/dev/null; then as_root="sudo"; \
	  else echo "make test needs $(PROMTOOL): run 'apt-get install -y prometheus' as root" >&2; exit 1; fi; \
	  command -v apt-get >/dev/null || { echo "make test needs $(PROMTOOL) (Debian's prometheus package)" >&2; exit 1; }; \
	  echo "Installing promtool for the alert rules' tests"; \
	  $$as_root $(APT_PROMTOOL) || { $$as_root apt-get update && $$as_root $(APT_PROMTOOL); }; \
	  test -x $(PROMTOOL) || { echo "promtool could not be installed at $(PROMTOOL)" >&2; exit 1; }; \
	}

# The whole suite, once on PostgreSQL (with Redis, a real Celery worker and Chromium) and once on
# SQLite; tests that only PostgreSQL can run (real concurrent connections, the browser) are left out
# of the second. The lint step (ruff, mypy, the one-way app graph) goes first: CI runs `make test`.
test: install chromium promtool lint
	$(PY) -m pytest
	mkdir -p var && DATABASE_URL=$(SQLITE_TEST_DB) $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# The performance benchmark (bench/README.md): needs PostgreSQL, Redis and wrk
# (apt-get install -y wrk); owns the database tandem_bench and Redis db 11. Takes many minutes;
# `make bench BENCH_ARGS=--quick` is a smoke run of a minute or two.
BENCH_ARGS ?= --couples 100000 --sizes 1000,10000,100000
.PHONY: bench
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)
