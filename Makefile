# Set-up, checks and the dashboard. `make run` and `make test` work on a fresh machine with Python 3.11+.
# Choose the interpreter with PYTHON=python3.12 (used only to create the virtualenv).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# Stamps: re-install only when a requirements file is newer than the last install.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP     := $(VENV)/.installed-dev
# Only the folders that exist (git keeps no empty folder in a fresh clone).
LINT_PATHS := $(wildcard geo tests benchmarks) dashboard.py app.py

.PHONY: venv dev data run watch test test-all lint lock bench clean distclean

venv: $(RUNTIME_STAMP)

dev: $(DEV_STAMP)

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11+ is needed; '$(PYTHON)' is older. Try: make PYTHON=python3.11 ..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Installs come from the lock files (exact versions and hashes, for every platform): requirements*.txt are the
# ranges people read and edit, `make lock` turns them into the locks.
$(RUNTIME_STAMP): requirements.lock | $(PY)
	$(PY) -m pip install --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	@touch $@

$(DEV_STAMP): requirements-dev.lock $(RUNTIME_STAMP)
	$(PY) -m pip install --disable-pip-version-check --require-hashes --no-deps -r requirements-dev.lock
	@touch $@

# Refresh the locks after editing requirements*.txt: locked versions are kept where the ranges allow them;
# `make lock UPGRADE=1` moves every package to its newest version in range. Needs uv (installed on demand).
LOCK := $(BIN)/uv pip compile --quiet --universal --generate-hashes --python-version 3.11 $(if $(UPGRADE),--upgrade)
lock: | $(PY)
	@test -x $(BIN)/uv || $(PY) -m pip install --disable-pip-version-check uv
	$(LOCK) requirements-dev.txt -o requirements-dev.lock
	$(LOCK) requirements.txt -c requirements-dev.lock -o requirements.lock

# Builds data/gazetteer.pkl from the installed packages and cuts the basemap's tiles into static/basemap from
# the committed data/basemap.json.gz; each is a no-op when it is up to date.
data: venv
	$(PY) -m geo gazetteer build --if-stale
	$(PY) -m geo basemap build --if-stale

# The default store gets the shipped sample page when it does not exist yet.
STORE ?= $(or $(GEO_STORE),data/events.parquet)
$(STORE): | venv data
	$(PY) -m geo ingest data/sample/news_page.txt --store $(STORE)

# The page (dashboard.py) with the map's server beside it (app.py). Offline: no usage statistics sent.
run: venv data $(STORE)
	$(BIN)/streamlit run app.py --server.headless true --browser.gatherUsageStats false

# Follows feeds into the same store as `make run` (start it in a second terminal beside the page):
# make watch FEEDS="https://example.org/feed.xml ..." or FEEDS_FILE=feeds.txt (one URL a line, or OPML).
FEEDS ?=
FEEDS_FILE ?=
EVERY ?= 900
watch: venv data
	@test -n "$(strip $(FEEDS)$(FEEDS_FILE))" || \
		{ echo 'say what to follow: make watch FEEDS="URL ..." or FEEDS_FILE=feeds.txt' >&2; exit 2; }
	$(PY) -m geo watch $(FEEDS) $(if $(FEEDS_FILE),--from $(FEEDS_FILE)) --every $(EVERY) --store $(STORE)

lint: dev
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy geo

# `make test` leaves out the tests marked slow (and says so); `make test-all`, as CI, runs them too.
BENCHMARKS := $(notdir $(wildcard benchmarks/[!_]*.py))
test: dev data lint
	$(BIN)/pytest
	@echo "not run by make test: $(words $(BENCHMARKS)) benchmarks ($(BENCHMARKS)); run them with make bench"

test-all:
	GEO_TESTS_SLOW=1 $(MAKE) test

bench: venv data
	@set -e; for script in benchmarks/[!_]*.py; do \
		[ -e "$$script" ] || { echo "no benchmarks yet"; break; }; \
		echo "== $$script"; $(PY) "$$script"; \
	done

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	rm -f data/gazetteer.pkl data/gazetteer.digest data/*.tmp
	rm -rf static/basemap static/vendor

distclean: clean
	rm -rf $(VENV)
