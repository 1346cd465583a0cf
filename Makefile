# Two commands on a fresh machine: `make preview` (offline preview of the dev stack) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The real servers the tests boot, one virtualenv per RHOAI release in .venv-servers/<release>: each release's
# Llama Stack (OGX from 3.5) exactly as its image installs it. They need Python 3.12: python3.12 on the PATH, else
# pyenv's newest 3.12 (called directly: pyenv's python3.12 shim may refuse to run).
LLAMA_STACK_PYTHON ?= $(shell command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys' 2>/dev/null \
	&& command -v python3.12 || ls -d "$$(pyenv root 2>/dev/null)"/versions/3.12.*/bin/python3 2>/dev/null | tail -n 1)
SERVERS := .venv-servers
SERVER_RELEASES := 3.0 3.2 3.3 3.4 3.5
SERVER_STAMPS := $(SERVER_RELEASES:%=$(SERVERS)/%/.installed)
CL100K_SHA256 := 223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7
TIKTOKEN_CACHE := $(SERVERS)/tiktoken-cache/9b5ad71b2ce5302211f9c61530b329a4922fc6a4
# 3.0 keeps its old path (LLAMA_STACK_VENV's default) as a link into the scheme.
LLAMA_VENV := .venv-llama-stack
# uv installs every package of every release with --no-deps from tests/support/server-requirements/<release>.txt
# (written by tests/support/compile_server_requirements.py), hard-linked from its cache: the ~4 GB that torch and
# its CUDA libraries take (same torch in every release) are on disk once for all five.
UV := $(BIN)/uv
# Bytecode compiled at install, as pip does (uv does not by default): without it, and with PYTHONDONTWRITEBYTECODE,
# every server start compiles torch and transformers again (about twice the CPU of an import).
UV_INSTALL = $(UV) pip install --no-config --quiet --no-deps --link-mode=hardlink --compile-bytecode \
	--python $(SERVERS)/$*/bin/python
# Per release: the server's distribution and version; its source, from the offline mirror beside the project when
# present (checked against its sha256, ../shared/vendor/PROVENANCE.md), else the public tag (checked against its
# commit), unpacked in the venv's src/server (its uv.lock is what the tests check the pins against); what the image
# installs after the server (--no-deps, as its Containerfile does).
SERVER_GIT := https://github.com/opendatahub-io/llama-stack.git
DIST_3.0 := llama_stack
VERSION_3.0 := 0.3.0rc3+rhai0
SHA256_3.0 := 9d57d2764fd088ee64494c884d363d53f5f1b84a30d4e41b71f893b7534d2134
COMMIT_3.0 := 400da4efa579e2048a94e021b190fdac37ce38d3
DIST_3.2 := llama_stack
VERSION_3.2 := 0.3.5.1+rhai0
SHA256_3.2 := 6dee3e2540326aeace728eeaa4e8b4c5816fbe69b501f1b934bc1c386128014e
COMMIT_3.2 := 8441c46b5e9c978d3db7c93d4e79f526cfc286fe
DIST_3.3 := llama_stack
VERSION_3.3 := 0.4.2.1+rhai0
SHA256_3.3 := 1e6e2144e64c4a9f36d1d482d08e6d275310af5cef4c8a1981052a01a09e8717
COMMIT_3.3 := 2844fb0187f9a9b2b59f5ead7be058fe19c8d644
AFTER_3.3 := --reinstall-package llama-stack-api llama-stack-api==0.4.4
DIST_3.4 := llama_stack
VERSION_3.4 := 0.7.1+rhaiv.1
SHA256_3.4 := 75f7b413f5d8dab8872175d3629e1ccba0de4374bd7a565a7d99950ca0e236de
COMMIT_3.4 := 38340730f32f4d7c9daecd94c09d3ba6fd69e305
AFTER_3.4 := ./$(SERVERS)/3.4/src/server/src/llama_stack_api
# 3.5 ships OGX 1.2.4 (+rhaiv.0, Red Hat's index only); no mirror or reachable tag has it: PyPI's ogx==1.2.4 and
# ogx-api==1.2.4 are in its requirements file, no source step.
DIST_3.5 := ogx
VERSION_3.5 := 1.2.4

.PHONY: preview test lint venv llama-stack-venv server-venvs upstream clean FORCE

venv: $(STAMP)

# Reinstall whenever a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt policies/requirements.txt policies/pyproject.toml pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

server-venvs: $(SERVER_STAMPS) $(LLAMA_VENV) $(TIKTOKEN_CACHE)

# The 3.4 and 3.5 images pre-cache tiktoken's cl100k_base (vector-store chunking needs it) at build time by
# downloading it (Containerfile: `RUN python3 -c "import tiktoken; tiktoken.get_encoding('cl100k_base')"`), which a
# PyPI-only machine cannot; litellm's wheel ships the same file under tiktoken's cache key (sha1 of its URL), and
# tiktoken checks its sha256 when it reads it. The tests point TIKTOKEN_CACHE_DIR here for every release.
$(TIKTOKEN_CACHE): | $(STAMP)
	rm -rf $(SERVERS)/.tiktoken-src
	$(UV) pip install --no-config --quiet --no-deps --target $(SERVERS)/.tiktoken-src litellm==1.74.9
	mkdir -p $(@D)
	echo "$(CL100K_SHA256)  $(SERVERS)/.tiktoken-src/litellm/litellm_core_utils/tokenizers/$(@F)" | sha256sum -c --quiet
	cp $(SERVERS)/.tiktoken-src/litellm/litellm_core_utils/tokenizers/$(@F) $@
	rm -rf $(SERVERS)/.tiktoken-src

llama-stack-venv: $(SERVERS)/3.0/.installed $(LLAMA_VENV)

$(LLAMA_VENV): $(SERVERS)/3.0/.installed
	if [ -d $@ ] && [ ! -L $@ ]; then rm -rf $@; fi
	ln -sfn $(SERVERS)/3.0 $@

# What a release's venv is made of: its requirements file's content and its Makefile variables. Rewritten only when
# that changes, so a checkout or rebase that merely touches the file does not rebuild the venv.
.PRECIOUS: $(SERVERS)/.spec/%
$(SERVERS)/.spec/%: FORCE
	@mkdir -p $(@D)
	@{ sha256sum tests/support/server-requirements/$*.txt; echo "$(DIST_$*) $(VERSION_$*) $(SHA256_$*) $(AFTER_$*) bytecode"; } > $@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

# Every step fails loudly: a release whose server cannot be built stops `make test`.
$(SERVERS)/%/.installed: $(SERVERS)/.spec/% | $(STAMP)
	@test -x "$(LLAMA_STACK_PYTHON)" || { echo "Python 3.12 not found: set LLAMA_STACK_PYTHON=/path/to/python3.12" >&2; exit 1; }
	@test -n "$(VERSION_$*)" || { echo "no server is described for release $* in the Makefile" >&2; exit 1; }
	rm -rf $(SERVERS)/$*
	$(UV) venv --no-config --quiet --python "$(LLAMA_STACK_PYTHON)" $(SERVERS)/$*
	$(UV_INSTALL) -r tests/support/server-requirements/$*.txt
	if [ -n "$(SHA256_$*)" ]; then \
		mkdir -p $(SERVERS)/$*/src/server && \
		tarball=../shared/vendor/llama-stack/$(DIST_$*)-$(VERSION_$*).tar.gz && \
		if [ -f "$$tarball" ]; then \
			echo "$(SHA256_$*)  $$tarball" | sha256sum -c --quiet && \
			tar -xzf "$$tarball" -C $(SERVERS)/$*/src/server --strip-components=1; \
		else \
			git clone --quiet --depth 1 --branch "v$(VERSION_$*)" $(SERVER_GIT) $(SERVERS)/$*/src/server && \
			test "$$(git -C $(SERVERS)/$*/src/server rev-parse HEAD)" = "$(COMMIT_$*)"; \
		fi && \
		$(UV_INSTALL) ./$(SERVERS)/$*/src/server; \
	fi
	if [ -n "$(AFTER_$*)" ]; then $(UV_INSTALL) $(AFTER_$*); fi
	$(UV) pip check --no-config --quiet --python $(SERVERS)/$*/bin/python
	test "$$($(SERVERS)/$*/bin/python -c 'import importlib.metadata as m; print(m.version("$(DIST_$*)"))')" = "$(VERSION_$*)"
	touch $@

FORCE:

preview: $(STAMP)
	$(BIN)/python -m offline_preview --stack dev

# The pinned upstream files the tests check against (tests/support/upstream-pins.json: the CRDs, the 3.0 image's
# run.yaml): a local copy when there is one, else fetched once into .cache/.
upstream: $(STAMP)
	$(BIN)/python -m tests.support.upstream_files

test: lint upstream server-venvs
	LLAMA_STACK_VENV=$(LLAMA_VENV) $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy policies/__main__.py

clean:
	rm -rf $(VENV) $(LLAMA_VENV) $(SERVERS) .cache build .pytest_cache .mypy_cache .ruff_cache
