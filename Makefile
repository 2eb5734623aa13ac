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

# What `make test` needs from Debian beside Python: installed when missing (as root, or with sudo),
# never skipped: a machine that cannot have it fails here.
# $(call apt_needs,PATH,PACKAGE,WHAT FOR[,APT-GET OPTIONS])
define apt_needs
	@test -x $(1) || { \
	  if [ "$$(id -u)" = 0 ]; then as_root=""; \
	  elif command -v sudo >/dev/null; then as_root="sudo"; \
	  else echo "make test needs $(1): run 'apt-get install -y $(2)' as root" >&2; exit 1; fi; \
	  command -v apt-get >/dev/null || { echo "make test needs $(1) (Debian's $(2) package)" >&2; exit 1; }; \
	  echo "Installing $(2) for $(3)"; \
	  install="env DEBIAN_FRONTEND=noninteractive apt-get install -y $(4) $(2)"; \
	  $$as_root $$install || { $$as_root apt-get update && $$as_root $$install; }; \
	  test -x $(1) || { echo "$(2) could not be installed at $(1)" >&2; exit 1; }; \
	}
endef

# The browser tests (tests/web/) drive Debian's Chromium by its path: Playwright cannot download a
# browser of its own here.
CHROMIUM := /usr/bin/chromium
.PHONY: chromium
chromium:
	$(call apt_needs,$(CHROMIUM),chromium,the browser tests)

# The alert rules (monitoring/alerts.yml) are checked by promtool (tests/test_metrics.py), from
# Debian's prometheus package (the server is installed beside it, and not started).
PROMTOOL := /usr/bin/promtool
.PHONY: promtool
promtool:
	$(call apt_needs,$(PROMTOOL),prometheus,the alert rules' tests,--no-install-recommends)

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
