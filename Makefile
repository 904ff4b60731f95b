# Two entry points: `make demo` and `make test`. Both create .venv and install into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint typecheck pytest bench soak clean assets browser lock audit

# Front-end libraries come from npm (package-lock.json); the built files are copied into the
# app's static folder (gitignored), never committed.
VENDOR := src/chargebook/web/static/vendor
SWAGGER := $(VENDOR)/swagger-ui
ASSETS := $(VENDOR)/chart.umd.min.js $(SWAGGER)/swagger-ui-bundle.js

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

# --ignore-scripts: only built files are copied, so no package's install script runs (swagger-ui-dist
# pulls in @scarf/scarf, whose postinstall reports the install to a third party).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/chart.umd.min.js: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/chart.js/dist/chart.umd.min.js $@

# Swagger UI of /api/docs, served from our origin (the CSP allows no other script source).
$(SWAGGER)/swagger-ui-bundle.js: node_modules/.installed
	mkdir -p $(SWAGGER)
	cp node_modules/swagger-ui-dist/swagger-ui.css $(SWAGGER)/
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js $@

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
	$(BIN)/chargebook demo $(if $(PORT),--port $(PORT)) $(if $(OCPP_VERSION),--ocpp-version $(OCPP_VERSION))

# lint-imports: the architecture contracts of .importlinter (layers, SQLAlchemy/httpx/websockets
# only in their adapters, simulators apart from the product, no import cycles).
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench tools
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev $(ASSETS) browser
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.run_all

# Chaos and soak harness (PostgreSQL: CHARGEBOOK_TEST_POSTGRES_URL); SOAK_ARGS to resize it.
SOAK_ARGS ?= --accounts 1000 --workers 3 --minutes 10 --kill-every 20 --ocpp-chargers 20 --no-record
soak: $(VENV)/.installed-dev
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

# requirements.lock: the exact versions pip resolves for .[dev] (tests/test_dependency_lock.py
# checks it against pyproject.toml). Regenerate after changing dependencies.
lock: $(BIN)/python
	$(BIN)/python tools/lock_deps.py

# Known-vulnerability audit of requirements.lock (tools/audit_deps.py says what it can check).
# pip-audit lives in its own venv so its dependencies stay out of the lock; when it cannot be
# installed the audit falls back to PyPI's JSON. Exit 1 = vulnerability found; an unreachable
# service is a loud warning, not a failure.
AUDIT_VENV := .venv-audit
PIP_AUDIT_VERSION := 2.10.1

audit:
	@[ -x $(AUDIT_VENV)/bin/pip-audit ] || { $(PYTHON) -m venv $(AUDIT_VENV) && \
		$(AUDIT_VENV)/bin/pip install --quiet pip-audit==$(PIP_AUDIT_VERSION); } || \
		echo "audit: WARNING: could not install pip-audit, using PyPI's JSON only"
	$(PYTHON) tools/audit_deps.py --pip-audit $(AUDIT_VENV)/bin/pip-audit

clean:
	rm -rf $(VENV) $(AUDIT_VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .grimp_cache
