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

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	bash bin/run-dev

# The whole suite, once on PostgreSQL (with Redis and a real Celery worker) and once on SQLite;
# tests that only PostgreSQL can run (real concurrent connections) are left out of the second.
test: install
	$(PY) -m pytest
	mkdir -p var && DATABASE_URL=$(SQLITE_TEST_DB) $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
