# SASCI capacity map — two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt
CHROMIUM ?= /usr/bin/chromium

.PHONY: install install-dev system-deps init run test test-fast lint data clean node-deps plotly-bundle

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml constraints.txt
	$(PIP) -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) -e ".[dev]"
	touch $@

## install: create .venv with the sasci-map command (runtime dependencies only)
install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## system-deps: Debian's chromium for the browser tests (Playwright never downloads a browser)
system-deps:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "Installing Debian chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

## node-deps: axe-core for the accessibility tests (npm ci from package-lock.json; Debian npm if missing)
AXE := node_modules/axe-core/axe.min.js

$(AXE): package.json package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "Installing Debian npm for the accessibility tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm; \
	fi
	npm ci --no-audit --no-fund
	touch $@

node-deps: $(AXE)

## init: create or update the database with the bundled data (idempotent)
init: install
	$(VENV)/bin/sasci-map init

## run: set everything up, then serve the dashboard on http://127.0.0.1:$${PORT:-8050}
run: init
	$(PY) app.py

## test: set everything up, then run unit, integration and real-browser tests
test: install-dev system-deps node-deps init
	$(PY) -m pytest

## test-fast: unit and integration tests only
test-fast: install-dev
	$(PY) -m pytest tests/unit tests/integration

lint: install-dev
	$(VENV)/bin/ruff check .

## data: rebuild data/ from ../shared/data (developers only; the product never reads ../shared)
data: install
	$(PY) scripts/build_boundaries.py
	$(PY) scripts/build_lookups.py
	$(PY) scripts/build_context.py

clean:
	rm -rf $(VENV) data/sasci.db .pytest_cache

## plotly-bundle: rebuild the vendored scripts (partial plotly.js, regenerator runtime; needs npm; see assets/vendor/README.md)
plotly-bundle:
	scripts/plotly_bundle/build.sh
