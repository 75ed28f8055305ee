# casebook: `make run` serves the bundled cases on http://127.0.0.1:5000; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# The municipality master (not part of the project); imported by `make run` when present.
MASTER ?= ../shared/data/municipalities.csv

.PHONY: install run test test-pg bench lint clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

instance/secret_key:
	mkdir -p instance
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@

run: install instance/secret_key
	$(BIN)/casebook init-db
	$(BIN)/casebook load cases/
	if [ -f "$(MASTER)" ]; then $(BIN)/casebook municipalities import "$(MASTER)"; \
	else echo "No municipality master at $(MASTER): choosing a government by name is off (see README)."; fi
	$(BIN)/casebook reindex
	$(BIN)/casebook run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/python -m pytest

test-pg: install
	CASEBOOK_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/bench_search.py

lint: install
	$(BIN)/ruff check casebook tests benchmarks

clean:
	rm -rf $(VENV) instance/casebook.sqlite* search_index/gen-* search_index/CURRENT bench-results
