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

# The performance benchmark (bench/README.md): needs PostgreSQL, Redis and wrk
# (apt-get install -y wrk); owns the database tandem_bench and Redis db 11. Takes many minutes;
# `make bench BENCH_ARGS=--quick` is a smoke run of a minute or two.
BENCH_ARGS ?= --couples 100000 --sizes 1000,10000,100000
.PHONY: bench
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)
