# Two entry points: `make demo` and `make test`. Both create .venv and install into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint typecheck pytest bench clean assets browser

# Front-end libraries come from npm (package-lock.json); the built files are copied into the
# app's static folder (gitignored), never committed.
VENDOR := src/chargebook/web/static/vendor
ASSETS := $(VENDOR)/chart.umd.min.js

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS): node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/chart.js/dist/chart.umd.min.js $@

assets: $(ASSETS)

# Browser tests drive Debian's chromium (never a downloaded browser). Installed when missing
# and we are root (CI); elsewhere the browser tests say what to install.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "installing chromium"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
		else echo "chromium is missing: sudo apt-get install chromium"; fi; \
	fi

demo: $(VENV)/.installed $(ASSETS)
	$(BIN)/chargebook demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev $(ASSETS) browser
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
