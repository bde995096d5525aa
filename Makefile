# Set-up and everyday commands. `make run` and `make test` work on a fresh clone.
VENV    := .venv
BIN     := $(VENV)/bin
CORPUS  ?= ../shared/corpus
STAMP   := $(VENV)/.installed

.PHONY: install run ingest test lint format bench-ingest clean

$(STAMP): pyproject.toml scripts/install.sh
	bash scripts/install.sh
	touch $(STAMP)

install: $(STAMP)

ingest: install
	$(BIN)/nhsa ingest $(CORPUS)

run: ingest

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-ingest: install
	$(BIN)/python -m evals.bench_ingest $(CORPUS)

clean:
	rm -rf data artifacts .pytest_cache
