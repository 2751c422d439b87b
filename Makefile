# The README's two commands: `make demo` (set up .venv and run the main job) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: setup demo test lint bench clean

setup: $(VENV)/.installed

# torch first, pinned (the [md] extra needs it): the CPU build from local disk. An unpinned torch pulls a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[all,dev]"
	touch $@

# The main job on the embedded defaults (offline data, SQLite, local pool, SevenNet-0): data -> models
# -> screen -> MD -> one active-learning round -> workspace/report/index.html. Rerunning resumes.
demo: setup
	$(VENV)/bin/superionic data list
	$(VENV)/bin/superionic discover --workspace workspace

# The store tests also run against a real PostgreSQL server on 127.0.0.1 (.ci/postgres.sh
# starts a throw-away cluster, stopped afterwards); the report test drives headless Chromium.
# .ci/system-deps.sh installs Debian's postgresql and chromium when they are missing.
test: setup
	$(VENV)/bin/ruff check src tests bench
	.ci/system-deps.sh
	@set -e; eval "$$(.ci/postgres.sh)"; trap '.ci/postgres.sh stop' EXIT; \
	$(VENV)/bin/python -m pytest -q

lint: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

clean:
	rm -rf $(VENV) workspace .pytest_cache
