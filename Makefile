# The two commands of the README: `make run` (index seeds/ and serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test browser index serve lint eval bench clean

## Index the shipped seeds/ and serve the search engine on http://$(HOST):$(PORT)/
run: install
	$(BIN)/rassegna index
	$(BIN)/rassegna serve --host $(HOST) --port $(PORT)

## Run the whole test suite (installs test dependencies and Debian's Chromium first)
test: install-test browser
	$(BIN)/ruff check search web tests eval bench
	$(BIN)/pytest

$(VENV)/.run-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(VENV)/.run-installed $@

install: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed

## Debian's Chromium (and driver) for the browser tests; Playwright never downloads a browser.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver fonts-dejavu-core; }

index: install
	$(BIN)/rassegna index

serve: install
	$(BIN)/rassegna serve --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check search web tests eval bench

## Relevance evaluation on DICE and p1va side by side (../shared/corpora); EVAL_SAMPLE queries
## per corpus (a fixed-seed sample: all of DICE's 1,323, 3,000 of p1va's 12,170)
CORPORA ?= ../shared/corpora
EVAL_SAMPLE ?= 3000
eval: install-test
	$(BIN)/python -m eval.run --dataset $(CORPORA)/dice --dataset $(CORPORA)/p1va --sample $(EVAL_SAMPLE) --levers

## Index build time and search latency on the DICE corpus
bench: install-test
	$(BIN)/python -m bench.bench_search

clean:
	rm -rf $(VENV) build *.egg-info artifacts .pytest_cache
