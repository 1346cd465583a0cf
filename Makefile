# Two commands on a fresh machine: `make preview` (offline preview of the dev stack) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The real Llama Stack server the tests boot: 0.3.0rc3+rhai0, what RHOAI 3.0's rh-dev image runs
# (opendatahub-io/llama-stack-distribution@rhoai-v3.0, Containerfile). It needs Python 3.12: python3.12 on the PATH,
# else pyenv's newest 3.12 (called directly: pyenv's python3.12 shim may refuse to run).
LLAMA_STACK_PYTHON ?= $(shell command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys' 2>/dev/null \
	&& command -v python3.12 || ls -d "$$(pyenv root 2>/dev/null)"/versions/3.12.*/bin/python3 2>/dev/null | tail -n 1)
LLAMA_VENV := .venv-llama-stack
LLAMA_STAMP := $(LLAMA_VENV)/.installed
LLAMA_STACK_VERSION := 0.3.0rc3+rhai0
# The fork's source, unpacked in the venv (its uv.lock is what the tests check the pins against): the offline
# mirror beside the project when present (checked against its sha256), else the public tag, as the image installs it.
LLAMA_STACK_TARBALL := ../shared/vendor/llama-stack/llama_stack-$(LLAMA_STACK_VERSION).tar.gz
LLAMA_STACK_TARBALL_SHA256 := 9d57d2764fd088ee64494c884d363d53f5f1b84a30d4e41b71f893b7534d2134
LLAMA_STACK_GIT := https://github.com/opendatahub-io/llama-stack.git
LLAMA_STACK_COMMIT := 400da4efa579e2048a94e021b190fdac37ce38d3
LLAMA_STACK_SRC := $(LLAMA_VENV)/src/llama-stack

.PHONY: preview test lint venv llama-stack-venv upstream clean

venv: $(STAMP)

# Reinstall whenever a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt policies/requirements.txt policies/pyproject.toml pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

llama-stack-venv: $(LLAMA_STAMP)

$(LLAMA_STAMP): tests/support/llama-stack-requirements.txt
	@test -x "$(LLAMA_STACK_PYTHON)" || { echo "Python 3.12 not found: set LLAMA_STACK_PYTHON=/path/to/python3.12" >&2; exit 1; }
	rm -rf $(LLAMA_VENV)
	"$(LLAMA_STACK_PYTHON)" -m venv $(LLAMA_VENV)
	mkdir -p $(LLAMA_STACK_SRC)
	if [ -f "$(LLAMA_STACK_TARBALL)" ]; then \
		echo "$(LLAMA_STACK_TARBALL_SHA256)  $(LLAMA_STACK_TARBALL)" | sha256sum -c --quiet && \
		tar -xzf "$(LLAMA_STACK_TARBALL)" -C $(LLAMA_STACK_SRC) --strip-components=1; \
	else \
		git clone --quiet --depth 1 --branch "v$(LLAMA_STACK_VERSION)" $(LLAMA_STACK_GIT) $(LLAMA_STACK_SRC) && \
		test "$$(git -C $(LLAMA_STACK_SRC) rev-parse HEAD)" = "$(LLAMA_STACK_COMMIT)"; \
	fi
	$(LLAMA_VENV)/bin/python -m pip install --quiet --no-deps -r tests/support/llama-stack-requirements.txt
	$(LLAMA_VENV)/bin/python -m pip install --quiet --no-deps ./$(LLAMA_STACK_SRC)
	$(LLAMA_VENV)/bin/python -m pip check
	test "$$($(LLAMA_VENV)/bin/python -c 'import importlib.metadata as m; print(m.version("llama_stack"))')" = "$(LLAMA_STACK_VERSION)"
	touch $(LLAMA_STAMP)

preview: $(STAMP)
	$(BIN)/python -m offline_preview --stack dev

# The pinned upstream files the tests check against (tests/support/upstream-pins.json: the CRDs, the 3.0 image's
# run.yaml): a local copy when there is one, else fetched once into .cache/.
upstream: $(STAMP)
	$(BIN)/python -m tests.support.upstream_files

test: lint upstream $(LLAMA_STAMP)
	LLAMA_STACK_VENV=$(LLAMA_VENV) $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy policies/__main__.py

clean:
	rm -rf $(VENV) $(LLAMA_VENV) .cache build .pytest_cache .mypy_cache .ruff_cache
