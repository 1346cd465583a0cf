# Two commands on a fresh machine: `make preview` (offline preview of the dev stack) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: preview test lint venv clean

venv: $(STAMP)

# Reinstall whenever a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt policies/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

preview: $(STAMP)
	$(BIN)/python -m tools.offline_preview --stack dev

test: lint
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/mypy policies/__main__.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
