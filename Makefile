# Practica: the two commands are `make demo` and `make test`; the rest are helpers.
#
# Every Python tool runs as `.venv/bin/python -m ...`, so nothing depends on an activated virtualenv.
# Installs are stamped with a hash of pyproject.toml and requirements.lock: re-running is instant until
# either file changes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements.lock
DEMO_ADDR ?= 127.0.0.1:8000
PYTEST_ARGS ?=

# The stamp changes whenever the project's dependencies or their pinned versions change.
DEPS_HASH := $(shell cat pyproject.toml $(wildcard $(LOCK)) 2>/dev/null | sha256sum | cut -c1-16)
STAMP_BASE := $(VENV)/.installed-$(DEPS_HASH)
STAMP_TEST := $(VENV)/.installed-test-$(DEPS_HASH)
CONSTRAINTS := $(if $(wildcard $(LOCK)),-c $(LOCK),)
REMOVE_STALE_STAMPS := find $(VENV) -maxdepth 1 -name '.installed-*' ! -name '*-$(DEPS_HASH)' -delete

.PHONY: help venv install install-test demo test test-semantic lint typecheck pytest lock bench clean distclean

help:
	@echo "make demo       install, migrate, load the demo data and serve on http://$(DEMO_ADDR)"
	@echo "make test       ruff, mypy and pytest (SQLite; PostgreSQL too with PRACTICA_TEST_POSTGRES)"
	@echo "make lint       ruff check and the import floors (lint-imports)"
	@echo "make typecheck  mypy"
	@echo "make lock       regenerate $(LOCK) from pyproject.toml in a clean virtualenv"
	@echo "make bench      run the benchmarks (bench/run.py), with --write its figures go to bench/results/*.csv (docs/benchmarks.md: the current ones)"
	@echo "make clean      remove caches and build leftovers (keeps .venv and var/)"
	@echo "make distclean  clean, and remove .venv and var/ (the demo database) too"

# --- Virtualenv and installs ------------------------------------------------------------------------

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

venv: $(PY)

$(STAMP_BASE): | $(PY)
	$(REMOVE_STALE_STAMPS)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(CONSTRAINTS) -e .
	touch $@

# The test install is a superset of the base one, so it satisfies both stamps.
$(STAMP_TEST): | $(PY)
	$(REMOVE_STALE_STAMPS)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(CONSTRAINTS) -e '.[test]'
	touch $@ $(STAMP_BASE)

install: $(STAMP_BASE)

install-test: $(STAMP_TEST)

# --- The demo -----------------------------------------------------------------------------------------

demo: install
	@# Links in the demo's pages, e-mails and feeds, and the login it prints, point where it is served.
	export SITE_URL="$${SITE_URL:-http://$(DEMO_ADDR)}"
	echo "==> migrate"
	$(PY) manage.py migrate --noinput
	echo "==> seed_demo (idempotent; prints the demo login)"
	$(PY) manage.py seed_demo
	echo "==> Serving Practica on http://$(DEMO_ADDR)/ (Ctrl-C stops it)"
	exec $(PY) manage.py runserver $(DEMO_ADDR)

# --- Checks ---------------------------------------------------------------------------------------------

lint: install-test
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

typecheck: install-test
	$(PY) -m mypy practica

# One pytest run with whatever DATABASE_URL the caller has (SQLite by default).
pytest: install-test
	$(PY) -m pytest -ra $(PYTEST_ARGS)

# Runs every step even when an earlier one fails, so one run shows all problems; fails if any step failed.
test: install-test
	@failed=()
	step() {
		local name=$$1; shift
		echo
		echo "==> $$name"
		if "$$@"; then echo "==> $$name: ok"; else echo "==> $$name: FAILED (exit $$?)"; failed+=("$$name"); fi
	}
	# Runs a step in the background with its output in a log; report_step prints the log once it has ended.
	declare -A logs=() pids=()
	start_step() {
		local name=$$1; shift
		logs[$$name]=$$(mktemp)
		( "$$@" ) > "$${logs[$$name]}" 2>&1 &
		pids[$$name]=$$!
	}
	report_step() {
		local name=$$1 rc=0
		wait "$${pids[$$name]}" || rc=$$?
		echo
		echo "==> $$name"
		cat "$${logs[$$name]}"
		rm -f "$${logs[$$name]}"
		if [ $$rc -eq 0 ]; then echo "==> $$name: ok"; else echo "==> $$name: FAILED (exit $$rc)"; failed+=("$$name"); fi
	}
	step "ruff check" $(PY) -m ruff check .
	step "import floors (lint-imports)" $(VENV)/bin/lint-imports
	step "mypy" $(PY) -m mypy practica
	# The second run's PostgreSQL: PRACTICA_TEST_POSTGRES, else a DATABASE_URL that points at PostgreSQL.
	pg_url="$${PRACTICA_TEST_POSTGRES:-}"
	if [ -z "$$pg_url" ] && [[ "$${DATABASE_URL:-}" == postgres* ]]; then pg_url=$$DATABASE_URL; fi
	pytest_args=(-ra --durations=15 $(PYTEST_ARGS))
	if [ -n "$$pg_url" ]; then
		# The two databases' runs share nothing (each its own var folder; ports are picked free), so they run
		# side by side: on two cores the suite takes about two thirds of the time of one run after the other.
		pg_step="pytest on PostgreSQL ($$(sed -E 's#//[^@/]*@#//***@#' <<<"$$pg_url"))"
		echo
		echo "==> pytest on SQLite and $${pg_step#pytest }, side by side (each one's output follows when it ends)"
		sqlite_var=$$(mktemp -d) pg_var=$$(mktemp -d)
		start_step "pytest on SQLite" env -u DATABASE_URL PRACTICA_VAR_DIR="$$sqlite_var" $(PY) -m pytest "$${pytest_args[@]}"
		start_step "$$pg_step" env DATABASE_URL="$$pg_url" PRACTICA_VAR_DIR="$$pg_var" $(PY) -m pytest -p no:cacheprovider "$${pytest_args[@]}"
		report_step "pytest on SQLite"
		report_step "$$pg_step"
		rm -rf "$$sqlite_var" "$$pg_var"
	else
		step "pytest on SQLite" env -u DATABASE_URL $(PY) -m pytest "$${pytest_args[@]}"
		echo
		echo "==> pytest on PostgreSQL: not run (set PRACTICA_TEST_POSTGRES=postgres://user:password@host:5432/db)"
	fi
	if [ "$${PRACTICA_TEST_SEMANTIC:-}" = "1" ]; then
		step "pytest with the semantic extra (.venv-semantic)" $(MAKE) --no-print-directory test-semantic
	fi
	echo
	if [ $${#failed[@]} -gt 0 ]; then
		printf '==> make test FAILED: %s\n' "$$(IFS=,; echo "$${failed[*]}")"
		exit 1
	fi
	echo "==> make test: all steps passed"

# The optional semantic extra in its own virtualenv: torch's CPU build (2.13.0), then the extra, pinned by
# requirements-semantic.lock; runs the search tests with semantic similarity switched on.
SEMANTIC_VENV := .venv-semantic
SEMANTIC_PY := $(SEMANTIC_VENV)/bin/python
SEMANTIC_STAMP := $(SEMANTIC_VENV)/.installed-$(DEPS_HASH)-$(shell cat requirements-semantic.lock 2>/dev/null | sha256sum | cut -c1-8)

$(SEMANTIC_STAMP):
	[ -x $(SEMANTIC_PY) ] || $(PYTHON) -m venv $(SEMANTIC_VENV)
	find $(SEMANTIC_VENV) -maxdepth 1 -name '.installed-*' -delete
	$(SEMANTIC_PY) -m pip install -q --upgrade pip
	$(SEMANTIC_PY) -m pip install -q -c requirements-semantic.lock torch==2.13.0
	$(SEMANTIC_PY) -m pip install -q -c requirements-semantic.lock -e '.[test,semantic]'
	touch $@

# The hypothesis fuzzing of query input runs in the main suite; here it would embed thousands of random
# queries for no new coverage, so it is left out to keep CI short.
test-semantic: $(SEMANTIC_STAMP)
	env -u DATABASE_URL HF_HUB_OFFLINE=1 $(SEMANTIC_PY) -m pytest -ra practica/search \
		--ignore=practica/search/tests/test_query_input.py $(PYTEST_ARGS)

# --- Lock file ------------------------------------------------------------------------------------------

# Resolves pyproject.toml afresh in a throw-away virtualenv and records the exact versions.
lock:
	@tmp=$$(mktemp -d)
	trap 'rm -rf "$$tmp"' EXIT
	$(PYTHON) -m venv "$$tmp/venv"
	"$$tmp/venv/bin/python" -m pip install -q --upgrade pip
	"$$tmp/venv/bin/python" -m pip install -q -e '.[test]'
	{
		echo "# Exact versions of every dependency of Practica (runtime and the [test] extra), for reproducible installs."
		echo "# This is a pip CONSTRAINTS file, not a requirements file: use it as"
		echo "#     pip install -c requirements.lock -e '.[test]'"
		echo "# (the Makefile does). Do not edit by hand: add the dependency to pyproject.toml with a one-line"
		echo "# reason and run \`make lock\`, which resolves pyproject.toml in a clean virtualenv and pip-freezes it."
		echo "# Generated with Python $$("$$tmp/venv/bin/python" -c 'import platform; print(platform.python_version())')."
		"$$tmp/venv/bin/python" -m pip freeze --exclude-editable | grep -viE '^(practica|-e )'
	} > $(LOCK).new
	if grep -qiE '^(torch|nvidia-)' $(LOCK).new; then
		echo "$(LOCK).new pulls in torch/CUDA packages; refusing to write it." >&2
		exit 1
	fi
	mv $(LOCK).new $(LOCK)
	echo "Wrote $(LOCK) ($$(grep -vc '^#' $(LOCK)) packages)."

# --- Benchmarks and cleaning ------------------------------------------------------------------------------

bench: install
	@if [ -f bench/run.py ]; then
		$(PY) bench/run.py
	else
		echo "No benchmarks exist yet (bench/run.py is missing). Record results in bench/results/ (docs/benchmarks.md says how)."
	fi

clean:
	rm -rf .mypy_cache .ruff_cache .pytest_cache build dist test-results *.egg-info
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV) var
