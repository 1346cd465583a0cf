# Two commands on a fresh machine: `make preview` (offline preview of the dev stack) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The real Llama Stack server the tests boot needs Python 3.12: pyenv's 3.12.1 where there is one (its
# python3.12 shim may refuse to run), else python3.12 on the PATH.
LLAMA_STACK_PYTHON ?= $(shell p="$$(pyenv root 2>/dev/null)/versions/3.12.1/bin/python3"; \
	if [ -x "$$p" ]; then echo "$$p"; else command -v python3.12; fi)
LLAMA_VENV := .venv-llama-stack
LLAMA_STAMP := $(LLAMA_VENV)/.installed

.PHONY: preview test lint venv llama-stack-venv crds clean

venv: $(STAMP)

# Reinstall whenever a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt policies/requirements.txt policies/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

llama-stack-venv: $(LLAMA_STAMP)

$(LLAMA_STAMP): tests/support/llama-stack-requirements.txt
	@test -x "$(LLAMA_STACK_PYTHON)" || { echo "Python 3.12 not found: set LLAMA_STACK_PYTHON=/path/to/python3.12" >&2; exit 1; }
	"$(LLAMA_STACK_PYTHON)" -m venv $(LLAMA_VENV)
	$(LLAMA_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LLAMA_VENV)/bin/python -m pip install --quiet --no-deps -r tests/support/llama-stack-requirements.txt
	$(LLAMA_VENV)/bin/python -m pip check
	touch $(LLAMA_STAMP)

preview: $(STAMP)
	$(BIN)/python -m offline_preview --stack dev

# The pinned upstream CRDs (tests/support/crd-pins.json): a local copy when configured, else fetched once.
crds: $(STAMP)
	$(BIN)/python -m tests.support.crds

test: lint crds $(LLAMA_STAMP)
	LLAMA_STACK_VENV=$(LLAMA_VENV) $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy policies/__main__.py

clean:
	rm -rf $(VENV) $(LLAMA_VENV) .cache .pytest_cache .mypy_cache .ruff_cache
