# casebook: `make run` serves the bundled cases on http://127.0.0.1:5000; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# The municipality master: `make run` imports the copy packaged in casebook/data unless MASTER names a newer CSV.
MASTER ?=

# Debian packages for the PDF sheets (WeasyPrint: Pango, Japanese fonts) and their browser test.
SYSTEM_DEPS ?= fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 chromium

.PHONY: install system-deps setup-data run run-dev serve-prod test test-pg test-tantivy bench bench-search bench-load bench-freshness screenshots lint clean

# Installs only what is missing (quick when all is there); needs root and apt-get, else it only says what to install.
system-deps:
	@missing=$$(for p in $(SYSTEM_DEPS); do \
	  [ "$$(dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null)" = installed ] || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing system packages:" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "Missing system packages (PDF sheets and their tests need them):" $$missing; fi

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: system-deps $(STAMP)

instance/secret_key:
	mkdir -p instance
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@

# Sets up the embedded SQLite database and index with the bundled cases and the master, then serves
# them with gunicorn (casebook/gunicorn_conf.py: workers and threads fitted to the machine).
setup-data: install instance/secret_key
	$(BIN)/casebook init-db
	$(BIN)/casebook load cases/
	$(BIN)/casebook municipalities import $(if $(MASTER),"$(MASTER)",--if-needed)
	$(BIN)/casebook reindex

run: setup-data
	CASEBOOK_BIND=$${CASEBOOK_BIND:-127.0.0.1:5000} $(BIN)/gunicorn -c python:casebook.gunicorn_conf

# The development server (Werkzeug), for debugging only.
run-dev: setup-data
	$(BIN)/casebook run --host 127.0.0.1 --port 5000

# Production: gunicorn (casebook/gunicorn_conf.py), every setting from CASEBOOK_* variables (README, Operations).
serve-prod: install
	$(BIN)/casebook init-db
	$(BIN)/gunicorn -c python:casebook.gunicorn_conf

test: install
	$(BIN)/python -m pytest

test-pg: install
	CASEBOOK_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest

# The engine contract and the search tests again with the tantivy engine: the tests' apps
# (CASEBOOK_TEST_SEARCH_ENGINE) and the processes they start (CASEBOOK_SEARCH_ENGINE). Left out: the
# test of Whoosh's own parallel writer (tantivy's faults: tests/test_tantivy_faults.py, in `make test`).
TANTIVY_TESTS ?= tests/test_engine_contract.py tests/test_engine_choice.py tests/test_search*.py tests/test_readings.py \
	tests/test_like_mine.py tests/test_related.py tests/test_rebuild*.py \
	--deselect tests/test_rebuild_faults.py::test_a_rebuild_missing_a_writers_segment_fails_and_keeps_the_live_index
test-tantivy: install
	CASEBOOK_TEST_SEARCH_ENGINE=tantivy CASEBOOK_SEARCH_ENGINE=tantivy $(BIN)/python -m pytest -q $(TANTIVY_TESTS)

bench: bench-search bench-load bench-freshness

# Both engines on the same generated cases, side by side with ratios (BENCH_ARGS="--sizes 50000 --engines tantivy").
bench-search: install
	$(BIN)/python benchmarks/bench_search.py $(BENCH_ARGS)

# gunicorn with 4 workers over 10,000 generated cases, 60 s of mixed traffic on each engine, side by side
# with ratios (LOAD_ARGS="--seconds 20 --engines tantivy").
bench-load: install
	$(BIN)/python benchmarks/load.py $(LOAD_ARGS)

# Two app instances, one database, own indexes: seconds from an edit on one to searchable on the other.
bench-freshness: install
	$(BIN)/python benchmarks/freshness.py $(FRESHNESS_ARGS)

# The README's screenshots (docs/screenshots/*.png), taken by the browser tests in headless Chromium.
screenshots: install
	CASEBOOK_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/browser/test_screenshots.py

lint: install
	$(BIN)/ruff check casebook tests benchmarks

clean:
	rm -rf $(VENV) instance/casebook.sqlite* search_index/gen-* search_index/CURRENT bench-results
