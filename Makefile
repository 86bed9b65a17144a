# unmet: `make run` sets up and runs the whole job on data/sample; `make test` runs the tests,
# `make test-fast` the ones that run no whole job, `make check` what CI runs (.ci/run).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_ROOT ?= data

.PHONY: help setup run test test-fast check lint format eval train bench plumbing clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-9s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# setup.py compiles these modules with Cython: editing one rebuilds its extension (which Python
# would otherwise import in place of the edited source)
COMPILED := pipelines/extract/scanner.py pipelines/extract/extractor.py \
	pipelines/extract/sizes.py pipelines/extract/context.py pipelines/extract/polarity.py \
	pipelines/extract/polarity_rows.py

$(STAMP): pyproject.toml setup.py $(COMPILED)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install unmet with its dev tools

run: setup ## run the whole job end to end on data/sample (ingest, ledger, warehouse, report)
	$(BIN)/unmet run --data-root $(DATA_ROOT) --inputs $(DATA_ROOT)/sample

# the suite runs on TEST_WORKERS pytest-xdist workers (one per core here); tests/conftest.py sends
# the modules that share a session fixture to one worker. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
PARALLEL := -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

test: setup browser ## run the test suite
	$(BIN)/pytest $(PARALLEL)

test-fast: setup ## the tests that run no whole job (pure functions and composites, under 60 s)
	$(BIN)/pytest $(PARALLEL) -m "not slow"

browser: ## install headless Chromium from Debian's packages if missing (for the report browser test)
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	else echo "browser: not root, cannot install chromium; the browser test will be skipped" >&2; fi

lint: setup ## ruff lint and format check
	$(BIN)/ruff check pipelines schemas cli tests tools
	$(BIN)/ruff format --check pipelines schemas cli tests tools

format: setup ## format the code with ruff
	$(BIN)/ruff format pipelines schemas cli tests tools
	$(BIN)/ruff check --fix pipelines schemas cli tests tools

check: lint test ## lint, format check and tests

eval: setup ## score the extractor on real text (test part, associate notes, 5-fold CV, speed) and the whole job against a planted truth
	$(BIN)/python -m pipelines.extract.evaluate
	$(BIN)/python -m tools.truth --end-to-end

train: setup ## refit the extractor's polarity model from the training part of the corpus
	$(BIN)/python -m pipelines.extract.train

bench: setup ## benchmark the job against a plain-DuckDB baseline (not part of make test)
	$(BIN)/python -m tools.bench

plumbing: setup ## count the engine plumbing (docs/architecture.md, "Engine plumbing")
	$(BIN)/python -m tools.plumbing

clean: ## remove the virtualenv and everything the job wrote under data/
	rm -rf $(VENV) $(DATA_ROOT)/runs $(DATA_ROOT)/published $(DATA_ROOT)/unmet.duckdb $(DATA_ROOT)/reports $(DATA_ROOT)/logs $(DATA_ROOT)/state
